/**
 * `--fail-on warning` fails on the inventory's findings too: a ragged CSV or a file left unread is found
 * while scanning, before any column is profiled, and must not pass a gate that fails on warnings.
 */
import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/core/inventory.ts';
import type { Profile } from '../../src/core/profile.ts';
import { profileExitCode } from '../../src/stages/outputs.ts';

const clean = { rules: [], findings: [] } as unknown as Profile;
const inventoryWith = (severity: string, where: 'source' | 'register') =>
  ({
    findings: where === 'register' ? [{ code: 'REGISTER_NO_OWNER', severity, message: '' }] : [],
    sources: [
      {
        name: 'files',
        findings:
          where === 'source' ? [{ code: 'CSV_RAGGED_ROW', severity, message: '', source: 'files' }] : [],
      },
    ],
  }) as unknown as Inventory;

describe('profile exit code', () => {
  it('fails on a warning or error finding of the inventory with --fail-on warning, not by default', () => {
    for (const severity of ['warning', 'error'])
      for (const where of ['source', 'register'] as const) {
        expect(profileExitCode(clean, 'warning', inventoryWith(severity, where))).toBe(1);
        expect(profileExitCode(clean, 'error', inventoryWith(severity, where))).toBe(0);
      }
    expect(profileExitCode(clean, 'warning', inventoryWith('info', 'source'))).toBe(0);
    expect(profileExitCode(clean, 'warning')).toBe(0);
  });
});
