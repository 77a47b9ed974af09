/**
 * MIXED_DATE_FORMATS fires for a file too: its dates are converted to ISO before they are profiled, so
 * the layouts come from the scan's type inference, with the count of each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const dir = mkdtempSync(join(tmpdir(), 'stocktake-date-layouts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dates of a CSV in several layouts', () => {
  it('are found, with the count of each layout', async () => {
    writeFileSync(
      join(dir, 'dates.csv'),
      'id,d,same\n1,2024-01-05,2024-01-05\n2,05/01/2024,2024-01-06\n3,2024-02-10,2024-01-07\n4,10.02.2024,2024-01-08\n5,20240301,2024-01-09\n',
    );
    const config = { sources: { f: { kind: 'csv', path: join(dir, 'dates.csv') } } } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const mixed = profile.findings.filter((f) => f.code === 'MIXED_DATE_FORMATS');
    expect(mixed.map((f) => [f.column, f.message])).toEqual([
      ['d', 'dates are written in 3 layouts: iso 2, dmy 2, compact 1'],
    ]);
    // The readiness score counts the dates outside the main layout, as it does for a database's.
    const penalties = profile.datasets[0]!.readiness.penalties.map((p) => p.reason);
    expect(penalties).toContain("d: 60.0% of values break the column's format");
  });
});
