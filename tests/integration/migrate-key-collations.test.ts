/**
 * Keys compared as the target compares them, beyond MySQL's and SQL Server's collations: SQLite's NOCASE
 * (A–Z only: `Été` and `été` are two keys) and RTRIM, read from the key's index, and PostgreSQL's citext.
 * Keys equal only under the target's comparison are a collision, rejected before anything is written, and a
 * re-run matches `abc` to the row `ABC` instead of inserting it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const mysqlUp = await serverAvailable('mysql');
const SCHEMA = 'st_key_collations';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-key-collations-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function csv(name: string, lines: string[]): string {
  const path = join(dir, `${name}.csv`);
  writeFileSync(path, `code;name\n${lines.join('\n')}\n`);
  return path;
}

function config(source: string, target: unknown, dataset: string): Config {
  return {
    sources: { legacy: { kind: 'csv', path: source } },
    targets: { newtool: target },
    mappings: [
      {
        name: 'm',
        from: { source: 'legacy', dataset: source.replace(/^.*\/|\.csv$/g, '') },
        to: { target: 'newtool', dataset, key: ['code'], mode: 'upsert' },
        fields: { code: {}, name: {} },
      },
    ],
  } as unknown as Config;
}

function rejectCodes(rejectsDir: string): string[] {
  return readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const r = JSON.parse(l) as { code: string; key: { code: string } };
      return `${r.code} ${r.key.code}`;
    })
    .sort();
}

describe('key collations', () => {
  it('SQLite NOCASE folds A–Z only, RTRIM trailing spaces, as read from the key index', async () => {
    const path = join(dir, 'nocase.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE t (code TEXT PRIMARY KEY COLLATE NOCASE, name TEXT);
      CREATE TABLE r (code TEXT COLLATE RTRIM, name TEXT, UNIQUE (code))`);
    db.close();
    const connector = await createSqliteConnector(
      { kind: 'sqlite', path } as never,
      { name: 'newtool' } as never,
    );
    const inventory = await connector.inventory();
    const column = (table: string) => inventory.datasets.find((d) => d.name === table)!.columns[0]!;
    expect(column('t').collation).toBe('nocase');
    expect(column('r').collation).toBe('rtrim');

    const target = { kind: 'sqlite', path };
    const nocase = config(csv('nocase', ['ABC;a', 'abc;b', 'Été;c', 'été;d', 'K1;e']), target, 't');
    const first = await runMigrate(nocase, { rejectsDir: join(dir, 'nocase-1') });
    expect(first.error).toBeNull();
    expect(first.run.mappings[0]).toMatchObject({
      inserted: 3,
      rejected: { mapping: 2, database: 0 },
      reconciliation: { ok: true },
    });
    expect(rejectCodes(join(dir, 'nocase-1'))).toEqual([
      'REJECT_KEY_COLLISION ABC',
      'REJECT_KEY_COLLISION abc',
    ]);
    const again = config(csv('nocase2', ['abc;a', 'Été;c', 'été;d', 'k1;e']), target, 't');
    const plan = await runPlan(again, { samples: 5 });
    expect(plan.mappings[0]).toMatchObject({ inserts: 1, updates: 0, unchanged: 3, rejects: 0 });

    const rtrim = config(csv('rtrim', ['R1;a', 'R1  ;b', 'R2;c', ' R2;d']), target, 'r');
    const run = await runMigrate(rtrim, { rejectsDir: join(dir, 'rtrim-1') });
    expect(run.run.mappings[0]).toMatchObject({ inserted: 2, rejected: { mapping: 2, database: 0 } });
    expect(rejectCodes(join(dir, 'rtrim-1'))).toEqual([
      'REJECT_KEY_COLLISION R1',
      'REJECT_KEY_COLLISION R1  ',
    ]);
  });

  describe.skipIf(!pgUp)('PostgreSQL citext', () => {
    let pg: Knex;
    beforeAll(async () => {
      pg = knexFactory({ client: 'pg', connection: SERVERS.postgres });
      await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await pg.raw(`CREATE SCHEMA ${SCHEMA}`);
      await pg.raw(`CREATE EXTENSION IF NOT EXISTS citext SCHEMA ${SCHEMA}`);
      await pg.raw(`CREATE TABLE ${SCHEMA}.t (code ${SCHEMA}.citext PRIMARY KEY, name text)`);
      await pg.raw(`INSERT INTO ${SCHEMA}.t VALUES ('Dupont', 'old')`);
    });
    afterAll(async () => {
      await pg?.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await pg?.destroy();
    });

    it('matches keys case-insensitively and rejects keys that collide', async () => {
      const target = { kind: 'postgres', url: SERVERS.postgres, schemas: [SCHEMA] };
      const cfg = config(
        // Lowered one character at a time, as PostgreSQL does: a final Σ is σ, İ is i.
        csv('citext', [
          'DUPONT;new',
          'Martin;a',
          'MARTIN;b',
          'Durand;c',
          'ΟΔΟΣ;g',
          'οδοσ;h',
          'İLE;i',
          'ile;j',
        ]),
        target,
        `${SCHEMA}.t`,
      );
      const plan = await runPlan(cfg, { samples: 5 });
      expect(plan.mappings[0]).toMatchObject({ inserts: 1, updates: 1, unchanged: 0, rejects: 6 });
      const run = await runMigrate(cfg, { rejectsDir: join(dir, 'citext-1') });
      expect(run.error).toBeNull();
      expect(run.run.mappings[0]).toMatchObject({
        inserted: 1,
        updated: 1,
        rejected: { mapping: 6, database: 0 },
        reconciliation: { ok: true },
      });
      const { rows } = await pg.raw(`SELECT code::text, name FROM ${SCHEMA}.t ORDER BY 1`);
      expect(rows).toEqual([
        { code: 'Dupont', name: 'new' },
        { code: 'Durand', name: 'c' },
      ]);
    });
  });
});

describe.skipIf(!pgUp)('PostgreSQL citext in a database whose ctype is C', () => {
  const scratch = new ScratchPostgres('stocktake_it_citext_c');
  beforeAll(async () => {
    await scratch.create("TEMPLATE template0 LC_CTYPE 'C' LC_COLLATE 'C' ENCODING 'UTF8'");
    await scratch.run('CREATE EXTENSION citext; CREATE TABLE t (code citext PRIMARY KEY, name text)');
  });
  afterAll(() => scratch.drop());

  it('folds A–Z alone: ÉTÉ and été are two keys, ABC and abc one', async () => {
    const target = { kind: 'postgres', url: scratch.url() };
    const cfg = config(csv('citext_c', ['ÉTÉ;a', 'été;b', 'ABC;c', 'abc;d']), target, 'public.t');
    const run = await runMigrate(cfg, { rejectsDir: join(dir, 'citext-c') });
    expect(run.error).toBeNull();
    expect(run.run.mappings[0]).toMatchObject({
      inserted: 2,
      rejected: { mapping: 2, database: 0 },
      reconciliation: { ok: true },
    });
    expect(rejectCodes(join(dir, 'citext-c'))).toEqual([
      'REJECT_KEY_COLLISION ABC',
      'REJECT_KEY_COLLISION abc',
    ]);
  });
});

describe.skipIf(!mysqlUp)('MariaDB binary collations', () => {
  const scratch = new ScratchMysql('stocktake_it_key_pad');
  beforeAll(() =>
    scratch.create(async (admin) => {
      await admin.raw(`CREATE TABLE ${scratch.name}.padded (code varchar(10) COLLATE utf8mb4_bin PRIMARY KEY,
        name text)`);
      await admin.raw(`CREATE TABLE ${scratch.name}.nopad (code varchar(10) COLLATE utf8mb4_nopad_bin PRIMARY KEY,
        name text)`);
    }),
  );
  afterAll(() => scratch.drop());

  it('utf8mb4_bin pads with spaces (R1 and R1␠␠ collide); utf8mb4_nopad_bin keeps them apart', async () => {
    const target = { kind: 'mariadb', url: scratch.url() };
    const lines = ['R1;a', 'R1  ;b', 'r1;c'];
    const padded = config(csv('padded', lines), target, `${scratch.name}.padded`);
    const first = await runMigrate(padded, { rejectsDir: join(dir, 'padded-1') });
    expect(first.error).toBeNull();
    expect(first.run.mappings[0]).toMatchObject({
      inserted: 1,
      rejected: { mapping: 2, database: 0 },
      reconciliation: { ok: true },
    });
    expect(rejectCodes(join(dir, 'padded-1'))).toEqual([
      'REJECT_KEY_COLLISION R1',
      'REJECT_KEY_COLLISION R1  ',
    ]);
    const nopad = config(csv('nopad', lines), target, `${scratch.name}.nopad`);
    const second = await runMigrate(nopad, { rejectsDir: join(dir, 'nopad-1') });
    expect(second.error).toBeNull();
    expect(second.run.mappings[0]).toMatchObject({ inserted: 3, reconciliation: { ok: true } });
  });
});

describe.skipIf(!mysqlUp)('MariaDB Unicode and general collations', () => {
  const scratch = new ScratchMysql('stocktake_it_key_uca');
  beforeAll(() =>
    scratch.create(async (admin) => {
      for (const [table, collation] of [
        ['uca', 'utf8mb4_unicode_ci'],
        ['general', 'utf8mb4_general_ci'],
      ])
        await admin.raw(`CREATE TABLE ${scratch.name}.${table} (code varchar(10) COLLATE ${collation} PRIMARY KEY,
          name text) CHARACTER SET utf8mb4`);
    }),
  );
  afterAll(() => scratch.drop());

  it('utf8mb4_unicode_ci: ß and ss, x␣y with a zero-width space and xy, ﬀ and ff collide, no row merged into another', async () => {
    const target = { kind: 'mariadb', url: scratch.url() };
    const lines = ['ß;7', 'ss;8', 'x\u200by;9', 'xy;10', '\ufb00;15', 'ff;16', 'plain;17'];
    const cfg = config(csv('uca', lines), target, `${scratch.name}.uca`);
    const run = await runMigrate(cfg, { rejectsDir: join(dir, 'uca-1') });
    expect(run.error).toBeNull();
    expect(run.run.mappings[0]).toMatchObject({
      inserted: 1,
      rejected: { mapping: 6, database: 0 },
      reconciliation: { ok: true },
    });
    expect(rejectCodes(join(dir, 'uca-1')).every((c) => c.startsWith('REJECT_KEY_COLLISION'))).toBe(true);
  });

  it('utf8mb4_general_ci keeps a decomposed é and the Ångström sign apart from é and Å', async () => {
    const target = { kind: 'mariadb', url: scratch.url() };
    const lines = ['e\u0301;1', 'é;2', '\u212b;3', 'Å;4', 'ß;5', 'S;6'];
    const cfg = config(csv('general', lines), target, `${scratch.name}.general`);
    const run = await runMigrate(cfg, { rejectsDir: join(dir, 'general-1') });
    expect(run.error).toBeNull();
    // ß and S are one key there (ß weighs as s).
    expect(run.run.mappings[0]).toMatchObject({
      inserted: 4,
      rejected: { mapping: 2, database: 0 },
      reconciliation: { ok: true },
    });
    expect(rejectCodes(join(dir, 'general-1'))).toEqual(['REJECT_KEY_COLLISION S', 'REJECT_KEY_COLLISION ß']);
  });
});
