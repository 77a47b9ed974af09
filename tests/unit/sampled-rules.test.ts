/** `row_count_min` on a sampled profile counts the table's rows (the inventory's), not the sample's. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const dir = mkdtempSync(join(tmpdir(), 'stocktake-sampled-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rules on a sample', () => {
  it('passes row_count_min on the table, the message saying where the count comes from', async () => {
    const path = join(dir, 's.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)');
    const insert = db.prepare('INSERT INTO big VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= 20_000; i++) insert.run(i, `v${i}`);
    })();
    db.close();
    const config = {
      sources: { s: { kind: 'sqlite', path, sample: 0.1 } },
      rules: [
        { dataset: 's.big', check: 'row_count_min', minRows: 15_000, severity: 'error' },
        { dataset: 's.big', column: 'v', check: 'not_null', severity: 'error' },
      ],
    } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    expect(profile.datasets[0]!.sample).toBeDefined();
    expect(profile.datasets[0]!.rowCount).toBeLessThan(15_000);
    expect(profile.rules[0]).toMatchObject({
      status: 'passed',
      message: '20000 rows (counted by the inventory; the profile read a sample); at least 15000 required',
    });
    // A rule counted on the sample says so, and carries the share of rows it read.
    expect(profile.rules[1]).toMatchObject({ status: 'passed', sampled: 0.1 });
    expect(profile.rules[1]!.message).toMatch(
      /^0 of \d+ values are null or empty \(on a 10% sample of the rows\)$/,
    );
  });
});
