/**
 * TYPE_NONCONFORMANT names the type the values are measured against: a text column of numbers with a few
 * words is nonconformant to the numbers' type, not to text (which every value fits).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const dir = mkdtempSync(join(tmpdir(), 'stocktake-nonconformant-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TYPE_NONCONFORMANT', () => {
  it('names the type of the other values of a mixed text column', async () => {
    const values = ['0,055', '20', '12,5', '7', 'oui', '3,25'];
    writeFileSync(
      join(dir, 'params.csv'),
      `id;valeur\n${values.map((v, i) => `${i + 1};${v}`).join('\n')}\n`,
    );
    const config = { sources: { file: { kind: 'csv', path: join(dir, 'params.csv') } } } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const finding = profile.findings.find((f) => f.code === 'TYPE_NONCONFORMANT' && f.column === 'valeur');
    expect(finding?.message).toBe('1 value(s) do not fit the type decimal of the others (83.3% conform)');
  });
});
