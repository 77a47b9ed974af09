/**
 * A personal column read as numbers (a NIR) or dates (a birth date) shows no quantile, histogram bound
 * or outlier example: they are its values. With `--show-samples` they are shown.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Inventory } from '../../src/core/inventory.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

let dir: string;
let config: Config;
let inventory: Inventory;
const NIRS = ['185057800608491', '290017512345605', '178066912345617', '269054958815780', '194037512345696'];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-personal-numeric-'));
  const lines = ['id,secu,birth,amount'];
  for (let i = 0; i < 40; i++)
    lines.push(`${i + 1},${NIRS[i % NIRS.length]},19${50 + (i % 40)}-0${1 + (i % 9)}-1${i % 10},${i * 3}`);
  writeFileSync(join(dir, 'people.csv'), `${lines.join('\n')}\n`);
  config = { sources: { c: { kind: 'csv', path: join(dir, 'people.csv') } } } as unknown as Config;
  inventory = await runInventory(config);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('numeric statistics of personal columns', () => {
  it('are left out unless samples are shown', async () => {
    const masked = await runProfile(config, inventory);
    const column = (name: string, p = masked) => p.datasets[0]!.columns.find((c) => c.name === name)!;
    expect(column('secu').personal?.kind).toBe('nir');
    expect(column('secu').numeric).toBeUndefined();
    expect(column('birth').personal?.kind).toBe('birth_date');
    expect(column('birth').numeric).toBeUndefined();
    expect(column('amount').numeric?.quantiles.p50).toBeDefined();
    const text = JSON.stringify(masked);
    for (const nir of NIRS) expect(text).not.toContain(nir);
    const shown = await runProfile(config, inventory, { showSamples: true });
    expect(column('secu', shown).numeric?.quantiles.p5).toBeDefined();
  });
});
