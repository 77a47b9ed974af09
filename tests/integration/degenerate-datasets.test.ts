/**
 * Datasets with nothing much in them, profiled without error and with findings that say so: a table
 * with no rows, a table whose every value is null, a table of one value (SQLite, read for real).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const dir = mkdtempSync(join(tmpdir(), 'stocktake-degenerate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('degenerate datasets', () => {
  it('are profiled, each with the finding that says what it is, and its evidence', async () => {
    const path = join(dir, 'edge.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE vacant (id INTEGER PRIMARY KEY, label TEXT);
      CREATE TABLE nulls (id INTEGER, label TEXT);
      INSERT INTO nulls VALUES (NULL, NULL), (NULL, NULL), (NULL, NULL);
      CREATE TABLE one (value TEXT); INSERT INTO one VALUES ('only');`);
    db.close();
    const config = { sources: { edge: { kind: 'sqlite', path } } } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    expect(profile.findings.filter((f) => f.code === 'PROFILE_FAILED')).toEqual([]);
    const of = (dataset: string) =>
      profile.findings.filter((f) => f.dataset === dataset).map((f) => [f.code, f.evidence ?? null]);
    expect(of('vacant')).toContainEqual(['DATASET_EMPTY', { rows: 0, columns: 2 }]);
    expect(of('one')).toContainEqual(['DATASET_SINGLE_VALUE', { rows: 1, columns: 1 }]);
    const nulls = of('nulls').filter(([code]) => code === 'COLUMN_ALL_NULL');
    expect(nulls).toHaveLength(2);
    const empty = profile.datasets.find((d) => d.dataset === 'vacant')!;
    expect([empty.rowCount, empty.columns.map((c) => [c.name, c.count, c.nulls])]).toEqual([
      0,
      [
        ['id', 0, 0],
        ['label', 0, 0],
      ],
    ]);
  });
});
