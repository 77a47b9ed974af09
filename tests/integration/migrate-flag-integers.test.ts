/**
 * A flag column holding more than 0 and 1 (MariaDB `tinyint(1)` is BOOLEAN's alias, SQLite's BOOLEAN
 * holds any integer) keeps its numbers: copied into an integer column as they are, refused by a boolean
 * column, never turned into true.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { serverAvailable } from '../helpers/servers.ts';

const myUp = await serverAvailable('mysql');
const my = new ScratchMysql('stocktake_flag_integers');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-flags-'));
  if (myUp)
    await my.create(async (admin) => {
      await admin.raw(`CREATE TABLE ${my.name}.t (id int PRIMARY KEY, v tinyint(1))`);
      await admin.raw(`INSERT INTO ${my.name}.t VALUES (1, 0), (2, 1), (3, 2), (4, -1), (5, 127)`);
    });
});
afterAll(async () => {
  if (myUp) await my.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Migrates `source` into an SQLite integer column and an SQLite boolean column. */
async function migrate(source: Record<string, unknown>, dataset: string, name: string) {
  const path = join(dir, `${name}.sqlite`);
  const db = new Database(path);
  db.exec(
    'CREATE TABLE ints (id INTEGER PRIMARY KEY, n INTEGER); CREATE TABLE flags (id INTEGER PRIMARY KEY, b BOOLEAN)',
  );
  db.close();
  const into = (table: string, field: string) => ({
    name: table,
    from: { source: 'src', dataset },
    to: { target: 'app', dataset: table, key: ['id'], mode: 'upsert' },
    fields: { id: {}, [field]: { from: 'v' } },
  });
  const cfg = {
    sources: { src: source },
    targets: { app: { kind: 'sqlite', path } },
    mappings: [into('ints', 'n'), into('flags', 'b')],
  } as unknown as Config;
  const { error, run } = await runMigrate(cfg, { rejectsDir: join(dir, `${name}-rejects`) });
  expect(error).toBeNull();
  const target = new Database(path, { readonly: true });
  try {
    return {
      run,
      ints: target.prepare('SELECT id, n FROM ints ORDER BY id').all(),
      flags: target.prepare('SELECT id, b FROM flags ORDER BY id').all(),
    };
  } finally {
    target.close();
  }
}

/** Integers copied as they are; only 0 and 1 are booleans, the others refused by the boolean column. */
function expectFlags(result: Awaited<ReturnType<typeof migrate>>): void {
  expect(result.ints).toEqual([
    { id: 1, n: 0 },
    { id: 2, n: 1 },
    { id: 3, n: 2 },
    { id: 4, n: -1 },
    { id: 5, n: 127 },
  ]);
  expect(result.flags).toEqual([
    { id: 1, b: 0 },
    { id: 2, b: 1 },
  ]);
  const flags = result.run.mappings.find((m) => m.name === 'flags')!;
  expect(flags.rejected).toEqual({ mapping: 3, database: 0 });
}

describe('flags holding other integers', () => {
  it.skipIf(!myUp)('MariaDB tinyint(1): numbers kept, no 2 turned into true', async () => {
    expectFlags(await migrate({ kind: 'mariadb', url: my.url() }, 't', 'mariadb'));
  });

  it('SQLite BOOLEAN: the same', async () => {
    const path = join(dir, 'source.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BOOLEAN)');
    db.exec('INSERT INTO t VALUES (1, 0), (2, 1), (3, 2), (4, -1), (5, 127)');
    db.close();
    expectFlags(await migrate({ kind: 'sqlite', path }, 't', 'sqlite'));
  });
});
