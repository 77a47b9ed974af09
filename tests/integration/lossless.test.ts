/**
 * Lossless loads on the real targets: one SQLite source of awkward values migrated into PostgreSQL,
 * MariaDB (with the server in non-strict mode) and SQLite. Every value a target would lose is a reject
 * with its code; the same rows with `lossy` declared are written cut, rounded or replaced, counted, and
 * verified. SQLite enforces no length, so stocktake's checks are its only guard.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config, FieldConfig, MappingConfig } from '../../src/config/schema.ts';
import { openConnector } from '../../src/connectors/registry.ts';
import type { Column, Dataset } from '../../src/core/inventory.ts';
import type { MappingRun } from '../../src/core/plan.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { openMappingConnectors, runPlan } from '../../src/stages/plan-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const NAME = 'st_lossless';
const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');

/** The source rows: one awkward value each (row 1 fits everywhere). */
const ROWS: Record<string, string | null>[] = [
  {
    name: 'Ada',
    note: 'ok',
    amount: '12.5',
    created: '2024-03-12T10:00:05Z',
    big: '42',
    day: '2024-03-12',
    tag: 'a',
    tags: 'x,y',
  },
  {
    name: 'Ada Lovelace-Byron',
    note: null,
    amount: null,
    created: null,
    big: null,
    day: null,
    tag: null,
    tags: null,
  },
  { name: 'Bob', note: null, amount: '1.005', created: null, big: null, day: null, tag: null, tags: null },
  {
    name: 'Cy',
    note: null,
    amount: null,
    created: '2024-12-31T23:59:59.5Z',
    big: null,
    day: null,
    tag: null,
    tags: null,
  },
  {
    name: 'Di',
    note: null,
    amount: null,
    created: null,
    big: '9007199254740993',
    day: null,
    tag: null,
    tags: null,
  },
  {
    name: 'Ed',
    note: null,
    amount: null,
    created: null,
    big: null,
    day: '0000-06-01',
    tag: null,
    tags: null,
  },
  { name: 'Flo', note: 'Zoë 😀', amount: null, created: null, big: null, day: null, tag: null, tags: null },
  { name: 'Łódź', note: null, amount: null, created: null, big: null, day: null, tag: null, tags: null },
  { name: 'Gus', note: null, amount: null, created: null, big: null, day: null, tag: 'z', tags: null },
  { name: 'Hal', note: null, amount: null, created: null, big: null, day: null, tag: null, tags: 'x,w' },
  // A 4-byte float (PostgreSQL's real, MariaDB's FLOAT) keeps 0.1234567: its shortest text reads back the same.
  { name: 'Ivy', ratio: '0.1234567' },
  // MariaDB's TIMESTAMP ends in 2038.
  { name: 'Jo', seen: '2040-01-01T00:00:00Z' },
  // PostgreSQL text holds no NUL character.
  { name: 'Kim', note: 'a\u0000b' },
];

type Target = 'postgres' | 'mariadb' | 'sqlite';

/** Per target, the code each rejected row (by id) gets without `lossy`. */
const REJECTED: Record<Target, Record<number, string>> = {
  postgres: {
    2: 'REJECT_TOO_LONG',
    3: 'REJECT_PRECISION',
    4: 'REJECT_PRECISION',
    5: 'REJECT_PRECISION',
    6: 'REJECT_OUT_OF_RANGE',
    9: 'REJECT_NOT_ALLOWED',
    13: 'REJECT_ENCODING',
  },
  mariadb: {
    2: 'REJECT_TOO_LONG',
    3: 'REJECT_PRECISION',
    4: 'REJECT_PRECISION',
    5: 'REJECT_PRECISION',
    6: 'REJECT_OUT_OF_RANGE',
    7: 'REJECT_ENCODING',
    8: 'REJECT_ENCODING',
    9: 'REJECT_NOT_ALLOWED',
    10: 'REJECT_NOT_ALLOWED',
    12: 'REJECT_OUT_OF_RANGE',
  },
  // SQLite keeps any timestamp text, any year and has no enum: only the declared length and numbers.
  sqlite: { 2: 'REJECT_TOO_LONG', 3: 'REJECT_PRECISION', 5: 'REJECT_PRECISION' },
};

/** Per target, the rows the lossy mapping still rejects: a range or an enum accepts no loss. */
const STILL_REJECTED: Record<Target, number[]> = {
  postgres: [6, 9],
  mariadb: [6, 9, 10, 12],
  sqlite: [],
};

const FIELDS = [
  'id',
  'name',
  'note',
  'amount',
  'created',
  'big',
  'day',
  'tag',
  'tags',
  'ratio',
  'seen',
] as const;

function mapping(name: string, target: Target, table: string, lossy: boolean): MappingConfig {
  const fields: Record<string, FieldConfig> = {};
  for (const f of FIELDS) fields[f] = {};
  if (lossy) {
    fields.name = { lossy: ['truncate', 'replace'] };
    fields.note = { lossy: ['replace'] };
    fields.amount = { lossy: ['round'] };
    fields.created = { lossy: ['round'] };
    fields.big = { lossy: ['round'] };
    fields.ratio = { lossy: ['round'] };
  }
  return {
    name,
    from: { source: 'legacy', dataset: 'people' },
    to: { target, dataset: table, key: ['id'], mode: 'upsert' },
    fields,
  } as MappingConfig;
}

let dir: string;
let sourceFile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), `${NAME}-`));
  sourceFile = join(dir, 'legacy.db');
  const db = new Database(sourceFile);
  db.exec(
    'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, note TEXT, amount TEXT, created TEXT, big TEXT, day TEXT, tag TEXT, tags TEXT, ratio TEXT, seen TEXT)',
  );
  const insert = db.prepare(
    'INSERT INTO people VALUES (@id, @name, @note, @amount, @created, @big, @day, @tag, @tags, @ratio, @seen)',
  );
  for (const [i, row] of ROWS.entries())
    insert.run({ ...Object.fromEntries(FIELDS.map((f) => [f, null])), id: i + 1, ...row });
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFor(target: Target, url: string | { path: string }): Config {
  return {
    sources: { legacy: { kind: 'sqlite', path: sourceFile } },
    targets: {
      [target]:
        typeof url === 'string'
          ? { kind: target, url, ...(target === 'postgres' ? { schemas: [NAME] } : {}) }
          : { kind: 'sqlite', ...url },
    },
    mappings: [mapping('strict', target, 'strict_t', false), mapping('lossy', target, 'lossy_t', true)],
  } as unknown as Config;
}

interface RejectLine {
  mapping: string;
  key: { id: number } | null;
  field: string;
  code: string;
  reason: string;
}

function rejectsOf(folder: string, name: string): Map<number, RejectLine> {
  const lines = readFileSync(join(folder, 'rejects.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
  const records = lines.map((l) => JSON.parse(l) as RejectLine).filter((r) => r.mapping === name);
  return new Map(records.map((r) => [r.key!.id, r]));
}

/** Plans then migrates; checks the plan's counts per code, the rejects, the counts and the verification. */
async function migrateAndCheck(target: Target, config: Config): Promise<MappingRun[]> {
  const expected = REJECTED[target];
  const plan = await runPlan(config, {});
  const strictPlan = plan.mappings.find((m) => m.name === 'strict')!;
  // SQLite's INTEGER is 64-bit, wider than an `int`; its text is Unicode, wider than MariaDB's latin1 and
  // utf8mb3 columns, which the lossy mapping accepts (`replace`).
  const paths = (name: string) =>
    (plan.mappings.find((m) => m.name === name)!.warnings ?? []).map((w) =>
      w.path.replace(/^mappings\[\d\]\./, ''),
    );
  expect(paths('strict')).toEqual(
    { postgres: ['fields.id'], mariadb: ['fields.id', 'fields.name', 'fields.note'], sqlite: [] }[target],
  );
  expect(paths('lossy')).toEqual(target === 'sqlite' ? [] : ['fields.id']);
  const byCode: Record<string, number> = {};
  for (const code of Object.values(expected)) byCode[code] = (byCode[code] ?? 0) + 1;
  expect(strictPlan.rejectsByCode).toEqual(byCode);
  expect(strictPlan.rejects).toBe(Object.keys(expected).length);
  const folder = join(dir, `${target}-run`);
  const outcome = await runMigrate(config, { rejectsDir: folder });
  expect(outcome.error).toBeNull();
  const [strict, lossy] = ['strict', 'lossy'].map((n) => outcome.run.mappings.find((m) => m.name === n)!);
  const rejects = rejectsOf(folder, 'strict');
  expect(Object.fromEntries([...rejects].map(([id, r]) => [id, r.code]))).toEqual(expected);
  // Each reason says what the column keeps.
  const REASONS: Record<string, RegExp> = {
    REJECT_TOO_LONG:
      /is 18 characters long; .*strict_t\.name \((character varying|varchar|VARCHAR)\(10\)\) holds 10$/,
    REJECT_PRECISION:
      /has \d+ decimals; .* keeps 2$|has \d fraction digits; .* keeps whole seconds$|has more significant digits than .*(big|ratio)/,
    REJECT_OUT_OF_RANGE: /is outside the range of .*strict_t\.(day|seen)/,
    REJECT_ENCODING:
      /holds U\+(1F600|0141), which .*strict_t\.(note|name) \(varchar\(\d+\), (utf8mb3|latin1)\) cannot store$|holds U\+0000, which .*strict_t\.note \(text\) cannot store$/,
    REJECT_NOT_ALLOWED: /is not one of the values of .*strict_t\.(tag|tags)/,
  };
  for (const r of rejects.values()) expect(r.reason, r.code).toMatch(REASONS[r.code]!);
  expect(strict!).toMatchObject({ inserted: ROWS.length - Object.keys(expected).length, status: 'done' });
  expect(strict!.rejected).toEqual({ mapping: Object.keys(expected).length, database: 0 });
  expect(strict!.reconciliation).toMatchObject({ ok: true, missing: 0, different: 0 });
  expect(lossy!).toMatchObject({ inserted: ROWS.length - STILL_REJECTED[target].length, status: 'done' });
  expect([...rejectsOf(folder, 'lossy').keys()].sort((a, b) => a - b)).toEqual(STILL_REJECTED[target]);
  // The verification read the cut and rounded values back exactly as the mapping computed them.
  expect(lossy!.reconciliation).toMatchObject({ ok: true, missing: 0, different: 0 });
  expect(lossy!.reconciliation!.aggregates.every((a) => a.ok)).toBe(true);
  return [strict!, lossy!];
}

const COLUMNS_SQL: Record<Target, string> = {
  postgres: `id int PRIMARY KEY, name varchar(10), note text, amount numeric(10,2),
    created timestamp(0) with time zone, big double precision, day date, tag ${NAME}.tag_t, tags text,
    ratio real, seen timestamptz`,
  mariadb: `id int PRIMARY KEY, name varchar(10) CHARACTER SET latin1, note varchar(40) CHARACTER SET utf8mb3,
    amount decimal(10,2), created datetime, big double, day date, tag enum('a','b'), tags set('x','y'),
    ratio float, seen timestamp NULL`,
  sqlite: `id INTEGER PRIMARY KEY, name VARCHAR(10), note TEXT, amount DECIMAL(10,2), created TIMESTAMP,
    big DOUBLE, day DATE, tag TEXT, tags TEXT, ratio REAL, seen TIMESTAMP`,
};

describe.skipIf(!pgUp)('PostgreSQL target', () => {
  let pg: Knex;
  beforeAll(async () => {
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres });
    await pg.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${NAME}`);
    await pg.raw(`CREATE TYPE ${NAME}.tag_t AS ENUM ('a', 'b')`);
    for (const table of ['strict_t', 'lossy_t'])
      await pg.raw(`CREATE TABLE ${NAME}.${table} (${COLUMNS_SQL.postgres})`);
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
    await pg?.destroy();
  });

  it('rejects every loss with its code, and writes the declared losses', async () => {
    // The catalog reports the fraction digits a timestamp keeps.
    const connector = await openConnector(
      { kind: 'postgres', url: SERVERS.postgres, schemas: [NAME] } as never,
      { name: 'newtool', mode: 'audit' },
    );
    try {
      await connector.connect();
      const table = (await connector.inventory()).datasets.find((d) => d.table === 'strict_t')!;
      expect(table.columns.find((c) => c.name === 'created')).toMatchObject({ precision: 0 });
    } finally {
      await connector.close();
    }
    await migrateAndCheck('postgres', configFor('postgres', SERVERS.postgres));
    const rows = (
      await pg.raw(
        `SELECT id, name, amount::text, to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created, big
         FROM ${NAME}.lossy_t WHERE id IN (2, 3, 4, 5) ORDER BY id`,
      )
    ).rows;
    expect(rows).toEqual([
      { id: 2, name: 'Ada Lovela', amount: null, created: null, big: null },
      { id: 3, name: 'Bob', amount: '1.01', created: null, big: null },
      { id: 4, name: 'Cy', amount: null, created: '2025-01-01 00:00:00.000000', big: null },
      { id: 5, name: 'Di', amount: null, created: null, big: 2 ** 53 },
    ]);
    // A real keeps 0.1234567 as written (its shortest text reads back the same).
    expect((await pg.raw(`SELECT note FROM ${NAME}.lossy_t WHERE id = 13`)).rows).toEqual([{ note: 'a?b' }]);
    expect((await pg.raw(`SELECT ratio FROM ${NAME}.strict_t WHERE id = 11`)).rows).toEqual([
      { ratio: 0.1234567 },
    ]);
  });
});

describe.skipIf(!myUp)('MariaDB target in non-strict mode', () => {
  let my: Knex;
  const url = (() => {
    const u = new URL(SERVERS.mysql);
    u.pathname = `/${NAME}`;
    return u.toString();
  })();
  beforeAll(async () => {
    my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
    await my.raw(`DROP DATABASE IF EXISTS ${NAME}`);
    await my.raw(`CREATE DATABASE ${NAME} DEFAULT CHARACTER SET utf8mb4`);
    for (const table of ['strict_t', 'lossy_t', 'stale_t'])
      await my.raw(`CREATE TABLE ${NAME}.${table} (${COLUMNS_SQL.mariadb})`);
  });
  afterAll(async () => {
    await my?.raw(`DROP DATABASE IF EXISTS ${NAME}`);
    await my?.destroy();
  });

  /** Runs `work` with the server's GLOBAL sql_mode empty (sessions opened meanwhile start non-strict). */
  async function nonStrict<T>(work: () => Promise<T>): Promise<T> {
    const saved = (await my.raw('SELECT @@GLOBAL.sql_mode AS m'))[0][0].m as string;
    await my.raw("SET GLOBAL sql_mode = ''");
    try {
      const probe = knexFactory({ client: 'mysql2', connection: url, pool: { min: 0, max: 1 } });
      expect((await probe.raw('SELECT @@SESSION.sql_mode AS m'))[0][0].m).not.toMatch(/STRICT/);
      await probe.destroy();
      return await work();
    } finally {
      await my.raw('SET GLOBAL sql_mode = ?', [saved]);
    }
  }

  it('rejects every loss with its code and writes the declared losses', async () => {
    const [, lossy] = await nonStrict(() => migrateAndCheck('mariadb', configFor('mariadb', url)));
    expect(lossy!.inserted).toBe(ROWS.length - STILL_REJECTED.mariadb.length);
    const rows = (
      await my.raw(
        `SELECT id, name, note, CAST(amount AS char) AS amount, CAST(created AS char) AS created, big
         FROM ${NAME}.lossy_t WHERE id IN (2, 3, 4, 5, 7, 8) ORDER BY id`,
      )
    )[0];
    expect(rows.map((r: Record<string, unknown>) => ({ ...r }))).toEqual([
      { id: 2, name: 'Ada Lovela', note: null, amount: null, created: null, big: null },
      { id: 3, name: 'Bob', note: null, amount: '1.01', created: null, big: null },
      { id: 4, name: 'Cy', note: null, amount: null, created: '2025-01-01 00:00:00', big: null },
      { id: 5, name: 'Di', note: null, amount: null, created: null, big: 2 ** 53 },
      { id: 7, name: 'Flo', note: 'Zoë ?', amount: null, created: null, big: null },
      { id: 8, name: '?ód?', note: null, amount: null, created: null, big: null },
    ]);
    // The float written is 0.1234567's, though the server prints a FLOAT with 6 digits (0.123457).
    const [[written]] = await my.raw(
      `SELECT CAST(ratio AS DOUBLE) AS ratio FROM ${NAME}.lossy_t WHERE id = 11`,
    );
    expect(Math.fround(written.ratio)).toBe(Math.fround(0.1234567));
  });

  it('the database itself cuts nothing: values a stale inventory lets through are refused, not truncated', async () => {
    // The inventory says the columns are wide utf8mb4 text, so stocktake's checks let every value through;
    // only the write session's strict sql_mode stands between them and a silent cut, `?` or zero date.
    const config = {
      ...configFor('mariadb', url),
      mappings: [
        {
          name: 'stale',
          from: { source: 'legacy', dataset: 'people' },
          to: { target: 'mariadb', dataset: 'stale_t', key: ['id'], mode: 'upsert' },
          fields: {
            id: {},
            name: {},
            note: {},
            day: { transform: [{ replace: { pattern: '^0000-06-01$', with: '0000-00-00' } }] },
          },
        },
      ],
    } as unknown as Config;
    const folder = join(dir, 'mariadb-stale');
    const outcome = await nonStrict(async () => {
      const connectors = await openMappingConnectors(config, { targetMode: 'write' });
      try {
        const side = connectors.targets.get('mariadb')!;
        const widened: Dataset[] = side.datasets.map((d) =>
          d.table !== 'stale_t'
            ? d
            : {
                ...d,
                columns: d.columns.map((c): Column => {
                  if (c.name === 'day') return { ...c, type: 'string', nativeType: 'varchar(20)' };
                  if (c.name === 'name' || c.name === 'note') {
                    const { charset: _, ...rest } = c;
                    return { ...rest, nativeType: 'varchar(100)', length: 100 };
                  }
                  return c;
                }),
              },
        );
        connectors.targets.set('mariadb', { ...side, datasets: widened });
        return await runMigrate(config, { rejectsDir: folder, connectors });
      } finally {
        await connectors.close();
      }
    });
    expect(outcome.error).toBeNull();
    const rejects = rejectsOf(folder, 'stale');
    expect(Object.fromEntries([...rejects].map(([id, r]) => [id, r.code]))).toEqual({
      2: 'REJECT_DATABASE',
      6: 'REJECT_DATABASE',
      7: 'REJECT_DATABASE',
      8: 'REJECT_DATABASE',
    });
    expect(rejects.get(2)!.reason).toMatch(/too long/i);
    expect(rejects.get(6)!.reason).toMatch(/incorrect date/i);
    expect(rejects.get(7)!.reason).toMatch(/incorrect string value/i);
    expect(rejects.get(8)!.reason).toMatch(/incorrect string value/i);
    const run = outcome.run.mappings[0]!;
    expect(run.rejected).toEqual({ mapping: 0, database: 4 });
    expect(run.reconciliation).toMatchObject({ ok: true, missing: 0, different: 0 });
    const rows = (await my.raw(`SELECT id, name, note, day FROM ${NAME}.stale_t ORDER BY id`))[0];
    expect(rows.map((r: { id: number }) => r.id)).toEqual([1, 3, 4, 5, 9, 10, 11, 12, 13]);
    for (const row of rows as { id: number; name: string; note: string | null }[]) {
      expect(row.name).toBe(ROWS[row.id - 1]!.name);
      expect(row.note).toBe(ROWS[row.id - 1]!.note ?? null);
    }
  });
});

describe('SQLite target', () => {
  it('enforces no length itself: stocktake rejects, or truncates when declared', async () => {
    const file = join(dir, 'target.db');
    const db = new Database(file);
    for (const table of ['strict_t', 'lossy_t']) db.exec(`CREATE TABLE ${table} (${COLUMNS_SQL.sqlite})`);
    // SQLite itself takes a 20-character value into VARCHAR(10).
    db.prepare('INSERT INTO strict_t (id, name) VALUES (99, ?)').run('x'.repeat(20));
    expect(db.prepare('SELECT length(name) AS n FROM strict_t WHERE id = 99').get()).toEqual({ n: 20 });
    db.exec('DELETE FROM strict_t');
    db.close();
    await migrateAndCheck('sqlite', configFor('sqlite', { path: file }));
    const check = new Database(file, { readonly: true });
    try {
      expect(check.prepare('SELECT max(length(name)) AS n FROM strict_t').get()).toEqual({ n: 4 });
      expect(
        check.prepare('SELECT name, amount, big FROM lossy_t WHERE id IN (2, 3, 5) ORDER BY id').all(),
      ).toEqual([
        { name: 'Ada Lovela', amount: null, big: null },
        { name: 'Bob', amount: 1.01, big: null },
        { name: 'Di', amount: null, big: 2 ** 53 },
      ]);
    } finally {
      check.close();
    }
  });
});
