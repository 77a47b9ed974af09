/**
 * Relations inferred between files: a file declares no key, so its one-column candidate key (unique, never
 * null) stands for one, and `commandes.client_id` is checked against `clients.id` for orphans.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

describe('relations inferred between files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-inferred-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checks a file column named after another file and its candidate key for orphans', async () => {
    const clients = ['id;nom', ...Array.from({ length: 200 }, (_, i) => `${i + 1};Client ${i + 1}`)];
    // 400 orders of clients 1–200, then 3 of clients that do not exist: 99.3% included.
    const orders = ['numero;client_id;montant'];
    for (let i = 0; i < 400; i++) orders.push(`${i + 1};${(i % 200) + 1};${i},50`);
    orders.push('401;900;1', '402;901;1', '403;900;1');
    writeFileSync(join(dir, 'clients.csv'), `${clients.join('\n')}\n`);
    writeFileSync(join(dir, 'commandes.csv'), `${orders.join('\n')}\n`);
    const config = { sources: { csv: { kind: 'csv', path: dir } } } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const commandes = profile.datasets.find((d) => d.dataset === 'commandes')!;
    expect(commandes.orphans).toMatchObject([
      {
        columns: ['client_id'],
        references: { source: 'csv', dataset: 'clients', columns: ['id'] },
        declared: false,
        orphans: 3,
      },
    ]);
    expect(profile.findings.filter((f) => f.code === 'ORPHAN_ROWS_INFERRED').map((f) => f.dataset)).toEqual([
      'commandes',
    ]);
  });
});
