/**
 * Numbers in scientific notation are numbers: a CSV's `1e308` into a double, `2.5e3` into a decimal; a
 * float held in an SQLite NUMERIC column (0.0000001 stored as the REAL 1e-7) reads as `0.0000001`, so a
 * migration into it converges instead of rewriting the row on every run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-scientific-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scientific notation', () => {
  it('is read as the number it writes, and an SQLite NUMERIC holding a float converges', async () => {
    const csv = join(dir, 'mesures.csv');
    writeFileSync(csv, 'id,f,d\n1,1e308,2.5e3\n2,1.5E-10,0.0000001\n3,-0,1e21\n');
    const path = join(dir, 'app.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, f REAL, d NUMERIC)');
    db.close();
    const cfg = {
      sources: { files: { kind: 'csv', path: csv } },
      targets: { app: { kind: 'sqlite', path } },
      mappings: [
        {
          name: 'm',
          from: { source: 'files', dataset: 'mesures' },
          to: { target: 'app', dataset: 't', key: ['id'], mode: 'upsert' },
          fields: { id: {}, f: {}, d: {} },
        },
      ],
    } as unknown as Config;
    const first = await runMigrate(cfg, { rejectsDir: join(dir, 'first') });
    expect(first.run.mappings[0]).toMatchObject({ inserted: 3, rejected: { mapping: 0, database: 0 } });
    expect(first.run.mappings[0]!.reconciliation?.ok).toBe(true);
    const again = await runMigrate(cfg, { rejectsDir: join(dir, 'again') });
    expect(again.run.mappings[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    const target = new Database(path, { readonly: true });
    try {
      expect(target.prepare('SELECT id, f, d FROM t ORDER BY id').all()).toEqual([
        { id: 1, f: 1e308, d: 2500 },
        { id: 2, f: 1.5e-10, d: 1e-7 },
        { id: 3, f: 0, d: 1e21 },
      ]);
    } finally {
      target.close();
    }
  });
});
