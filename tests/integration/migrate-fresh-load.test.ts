/**
 * The fresh-load path (an empty target streamed into without a diff) against the diff path, on real
 * databases: the same source into two empty tables, one each way, must end in the same rows, counts and
 * rejects, with duplicate keys within a batch and across batches (a first row already committed), a
 * row the database refuses, a key that collides only under a case-insensitive collation, and a row
 * rejected by the mapping whose key another row holds. Also: a second run takes the diff path and
 * changes nothing, a target tampered with while loading fails the verification by name, and a fresh
 * load killed mid-run is finished by `--resume` with the same end state.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { MappingRun } from '../../src/core/plan.ts';
import { registryBytesFor } from '../../src/mappers/fresh-key-set.ts';
import { type MigrateRunOptions, runMigrate } from '../../src/stages/migrate-stage.ts';
import { startNode } from '../helpers/child-process.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const NAME = 'st_fresh_load';
const myUrl = (() => {
  const u = new URL(SERVERS.mysql);
  u.pathname = `/${NAME}`;
  return u.toString();
})();

interface SourceRow {
  readonly code: string;
  readonly name: string;
  readonly amount: number;
}

/**
 * 300 rows keyed by `code`: K3 again at the very end (its first row is committed long before), K20
 * twice in a row (one batch), K50 three times, `k60` beside `K60` (one key under a case-insensitive
 * collation), K33 without the required name (rejected by the mapping), K40 a second time without a
 * name (rejected, and its first row, committed long before, is a duplicate of it: not written), K70
 * first without a name and then with one (the second is a duplicate of the rejected first), and every
 * 97th amount negative (refused by a CHECK).
 */
function sourceRows(): SourceRow[] {
  const rows: SourceRow[] = [];
  for (let i = 1; i <= 300; i++)
    rows.push({ code: `K${i}`, name: i === 33 ? '' : `Name ${i}`, amount: i % 97 === 0 ? -i : i });
  rows.splice(21, 0, { code: 'K20', name: 'Second 20', amount: 20 });
  rows.splice(130, 0, { code: 'K50', name: 'Second 50', amount: 50 });
  rows.splice(200, 0, { code: 'k60', name: 'Lower 60', amount: 60 });
  rows.splice(210, 0, { code: 'K40', name: '', amount: 40 });
  rows.splice(65, 0, { code: 'K70', name: '', amount: 70 });
  rows.push({ code: 'K50', name: 'Third 50', amount: 50 });
  rows.push({ code: 'K3', name: 'Second 3', amount: 3 });
  return rows;
}

/** The mapping; `suffix` lengthens every key (and so the bytes each takes in the key registry). */
function mapping(source: string, dataset: string, target: string, table: string, mode: string, suffix = '') {
  return {
    name: 'people',
    from: { source, dataset },
    to: { target, dataset: table, key: ['code'], mode },
    fields: {
      code: suffix === '' ? {} : { transform: [{ suffix }] },
      name: { required: true },
      amount: {},
    },
  };
}

/** Keys of about 65 bytes: a registry sized for the source's row count with short keys fills after about 60. */
const LONG_KEY = `-${'x'.repeat(60)}`;
/** The bytes of a registry sized for the source's 307 rows of short keys: the fresh load starts, then hands over. */
const HANDOVER_BUDGET = registryBytesFor(307, 10);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-fresh-load-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeCsv(): string {
  const file = join(dir, 'people.csv');
  const lines = ['code,name,amount', ...sourceRows().map((r) => `${r.code},${r.name},${r.amount}`)];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The row numbers of the REJECT_DUPLICATE_KEY rejects of K3 and K50, in order. */
function duplicateRows(rejectsDir: string): number[] {
  return readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { code: string; key: { code: string }; row: number | null })
    .filter((r) => r.code === 'REJECT_DUPLICATE_KEY' && ['K3', 'K50'].includes(r.key.code))
    .map((r) => r.row!)
    .sort((a, b) => a - b);
}

let runs = 0;
/** Rejects as comparable records: code and key, with the reason unless the database gave it (it names the table). */
function rejectsOf(rejectsDir: string): string[] {
  return readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const r = JSON.parse(line) as { code: string; key: unknown; reason: string; field?: string };
      return JSON.stringify([r.code, r.key, r.field ?? null, r.code === 'REJECT_DATABASE' ? '' : r.reason]);
    })
    .sort();
}

/**
 * Migrates the source into `fresh` (fresh-load path, with `freshOptions`) and into `diff` (diff path) and
 * compares all; `path` is the path the first run must end on.
 */
async function compareBothPaths(
  configFor: (table: string) => Config,
  dump: (table: string) => Promise<unknown[]>,
  { freshOptions = {}, path = 'fresh-load', tables = ['fresh_t', 'diff_t'] }: CompareOptions = {},
): Promise<{ fresh: MappingRun; diff: MappingRun }> {
  const freshDir = join(dir, `fresh-${++runs}`);
  const diffDir = join(dir, `diff-${runs}`);
  const [freshTable, diffTable] = tables;
  const fresh = await runMigrate(configFor(freshTable), {
    rejectsDir: freshDir,
    batchSize: 25,
    ...freshOptions,
  });
  const diff = await runMigrate(configFor(diffTable), {
    rejectsDir: diffDir,
    batchSize: 25,
    freshLoad: false,
  });
  expect(fresh.error).toBeNull();
  expect(diff.error).toBeNull();
  const f = fresh.run.mappings[0]!;
  const d = diff.run.mappings[0]!;
  expect(f.path).toBe(path);
  expect(d.path).toBe('diff');
  expect(await dump(freshTable)).toEqual(await dump(diffTable));
  const counts = (m: MappingRun) => [m.inserted, m.updated, m.deleted, m.unchanged, m.rejected, m.status];
  expect(counts(f)).toEqual(counts(d));
  expect(f.reconciliation).toMatchObject({ ok: true, missing: 0, different: 0 });
  expect(f.reconciliation!.expectedRows).toBe(d.reconciliation!.expectedRows);
  expect(f.reconciliation!.aggregates).toEqual(d.reconciliation!.aggregates);
  expect(rejectsOf(freshDir)).toEqual(rejectsOf(diffDir));
  return { fresh: f, diff: d };
}

/**
 * `compareBothPaths` with long keys and a key budget sized for the source's row count: the fresh load
 * starts, outgrows its budget and hands over to the diff path; the run's steps come back beside it.
 */
async function compareHandOver(
  configFor: (table: string, suffix?: string) => Config,
  dump: (table: string) => Promise<unknown[]>,
): Promise<{ fresh: MappingRun; steps: string[] }> {
  const steps: string[] = [];
  const { fresh } = await compareBothPaths((table) => configFor(table, LONG_KEY), dump, {
    freshOptions: { freshLoadKeyBytes: HANDOVER_BUDGET, onStep: (step) => steps.push(step) },
    path: 'diff',
    tables: ['handover_t', 'handover_diff_t'],
  });
  return { fresh, steps };
}

interface CompareOptions {
  readonly freshOptions?: Partial<MigrateRunOptions>;
  readonly path?: MappingRun['path'];
  readonly tables?: readonly [string, string];
}

describe.skipIf(!pgUp)('fresh load: CSV → PostgreSQL', () => {
  let pg: Knex;
  const configFor = (table: string, suffix = '') =>
    ({
      sources: { legacy: { kind: 'csv', path: writeCsv() } },
      targets: { newtool: { kind: 'postgres', url: SERVERS.postgres, schemas: [NAME] } },
      mappings: [mapping('legacy', 'people', 'newtool', table, 'upsert', suffix)],
    }) as unknown as Config;
  const dump = async (table: string) =>
    (await pg.raw(`SELECT code, name, amount FROM ${NAME}.${table} ORDER BY code`)).rows as SourceRow[];

  beforeAll(async () => {
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres });
    await pg.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${NAME}`);
    for (const table of ['fresh_t', 'diff_t', 'tampered', 'handover_t', 'handover_diff_t'])
      await pg.raw(`CREATE TABLE ${NAME}.${table} (code text PRIMARY KEY, name text NOT NULL,
        amount int CHECK (amount >= 0))`);
    // Loading is tampered with behind the writer's back: one name is changed as it is inserted.
    await pg.raw(`CREATE FUNCTION ${NAME}.tamper() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.code = 'K7' THEN NEW.name := 'tampered'; END IF; RETURN NEW; END $$`);
    await pg.raw(
      `CREATE TRIGGER tamper BEFORE INSERT ON ${NAME}.tampered FOR EACH ROW EXECUTE FUNCTION ${NAME}.tamper()`,
    );
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
    await pg?.destroy();
  });

  it('ends as the diff path does: duplicates, a refused row, mapping rejects', async () => {
    const { fresh } = await compareBothPaths(configFor, dump);
    // 300 keys and k60; K3, K20, K50 duplicated, K40 and K70 beside a rejected twin, K33 without a name,
    // K97, K194, K291 refused by the CHECK.
    expect(fresh.inserted).toBe(292);
    expect(fresh.rejected).toEqual({ mapping: 12, database: 3 });
    const codes = (await dump('fresh_t')).map((r) => r.code);
    expect(codes).not.toContain('K3');
    expect(codes).not.toContain('K40');
    expect(codes).not.toContain('K70');
    expect(codes).toContain('K41');
    expect(codes).toContain('k60');
    // Each duplicate's reject names its row in the file (the fresh load's, as the diff path's).
    const expected = sourceRows().flatMap((r, i) => (r.code === 'K50' || r.code === 'K3' ? [i + 1] : []));
    expect(expected).toHaveLength(5);
    for (const side of ['fresh', 'diff'])
      expect(duplicateRows(join(dir, `${side}-${runs}`)), side).toEqual(expected);
    const twins = rejectsOf(join(dir, `fresh-${runs}`)).filter((r) => r.includes('"K70"'));
    expect(twins).toHaveLength(2);
    expect(twins.find((r) => r.includes('REJECT_DUPLICATE_KEY'))).toContain(
      'the key appears 2 times in the source (1 of them rejected for another reason, so the right one cannot be known)',
    );
  });

  it('hands over to the diff path when its keys outgrow their budget, and ends the same', async () => {
    const { fresh, steps } = await compareHandOver(configFor, dump);
    // Batches of 25 were committed before the hand-over (K3's and K50's first rows among them, deleted
    // by the diff path), then the diff path finished: counted as one run from the empty table.
    const handover = steps.find((step) => step.includes('the diff path continues'));
    expect(handover).toMatch(/after (\d+) rows in (\d+) batches/);
    const [, rows, batches] = handover!.match(/after (\d+) rows in (\d+) batches/)!.map(Number);
    expect(batches).toBeGreaterThanOrEqual(3);
    expect(rows).toBeLessThan(200);
    expect(fresh).toMatchObject({ inserted: 292, deleted: 0, unchanged: 0, resumed: false, status: 'done' });
    expect(fresh.rejected).toEqual({ mapping: 12, database: 3 });
  });

  it('takes the diff path over the filled target and changes nothing', async () => {
    const before = await dump('fresh_t');
    const again = await runMigrate(configFor('fresh_t'), { rejectsDir: join(dir, 'again'), batchSize: 25 });
    expect(again.error).toBeNull();
    expect(again.run.mappings[0]).toMatchObject({
      path: 'diff',
      inserted: 0,
      updated: 0,
      deleted: 0,
      unchanged: 292,
      status: 'done',
    });
    expect(await dump('fresh_t')).toEqual(before);
  });

  it('fails the verification, naming the key, when the target does not hold what was written', async () => {
    const outcome = await runMigrate(configFor('tampered'), {
      rejectsDir: join(dir, 'tampered'),
      batchSize: 25,
    });
    const m = outcome.run.mappings[0]!;
    expect(m.path).toBe('fresh-load');
    expect(m.status).toBe('verification-failed');
    expect(m.reconciliation).toMatchObject({ ok: false, different: 1, missing: 0 });
    expect(m.reconciliation!.examples).toEqual([{ problem: 'different', key: { code: 'K7' } }]);
    expect(m.error).toEqual({
      code: 'MIGRATE_VERIFY_FAILED',
      message:
        'the target does not match the mapped source: 0 missing, 1 different, 0 unexpected, 0 aggregates differ',
    });
  });
});

describe.skipIf(!myUp)('fresh load: MariaDB → MariaDB, case-insensitive keys, mirror mode', () => {
  let my: Knex;
  const configFor = (table: string) =>
    ({
      sources: { legacy: { kind: 'mariadb', url: myUrl } },
      targets: { newtool: { kind: 'mariadb', url: myUrl } },
      mappings: [mapping('legacy', 'people_src', 'newtool', table, 'mirror')],
    }) as unknown as Config;
  const dump = async (table: string) =>
    (await my.raw(`SELECT code, name, amount FROM ${NAME}.${table} ORDER BY code`))[0].map((r: object) => ({
      ...r,
    }));

  beforeAll(async () => {
    my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql });
    await my.raw(`DROP DATABASE IF EXISTS ${NAME}`);
    await my.raw(`CREATE DATABASE ${NAME}`);
    await my.raw(`CREATE TABLE ${NAME}.people_src (seq int PRIMARY KEY, code varchar(20) COLLATE utf8mb4_bin,
      name varchar(40), amount int)`);
    await my.batchInsert(
      `${NAME}.people_src`,
      sourceRows().map((r, i) => ({ seq: i + 1, ...r })),
      100,
    );
    for (const table of ['fresh_t', 'diff_t'])
      await my.raw(`CREATE TABLE ${NAME}.${table} (code varchar(20) PRIMARY KEY, name varchar(40) NOT NULL,
        amount int CHECK (amount >= 0)) COLLATE utf8mb4_general_ci`);
  });
  afterAll(async () => {
    await my?.raw(`DROP DATABASE IF EXISTS ${NAME}`);
    await my?.destroy();
  });

  it('ends as the diff path does, colliding keys rejected on both', async () => {
    const { fresh } = await compareBothPaths(configFor, dump);
    // K60 and k60 are one key here: both rejected as a collision. An empty name is no value for a
    // required field, as a CSV file's empty cell: K33 is rejected (and K40 and K70 as in the CSV case).
    expect(fresh.inserted).toBe(290);
    const codes = (await dump('fresh_t')).map((r: { code: string }) => r.code);
    expect(codes).not.toContain('K60');
    expect(
      rejectsOf(join(dir, `fresh-${runs}`)).filter((r) => r.includes('REJECT_KEY_COLLISION')),
    ).toHaveLength(2);
  });
});

describe('fresh load: CSV → SQLite, insert mode', () => {
  const file = () => join(dir, 'target.sqlite');
  const configFor = (table: string, suffix = '') =>
    ({
      sources: { legacy: { kind: 'csv', path: writeCsv() } },
      targets: { newtool: { kind: 'sqlite', path: file() } },
      mappings: [mapping('legacy', 'people', 'newtool', table, 'insert', suffix)],
    }) as unknown as Config;
  const dump = async (table: string) => {
    const db = new Database(file(), { readonly: true });
    try {
      return db.prepare(`SELECT code, name, amount FROM ${table} ORDER BY code`).all();
    } finally {
      db.close();
    }
  };

  it('ends as the diff path does', async () => {
    const db = new Database(file());
    for (const table of ['fresh_t', 'diff_t', 'handover_t', 'handover_diff_t', 'counted_t', 'counted_diff_t'])
      db.exec(
        `CREATE TABLE ${table} (code TEXT PRIMARY KEY, name TEXT NOT NULL, amount INTEGER CHECK (amount >= 0))`,
      );
    db.close();
    const { fresh } = await compareBothPaths(configFor, dump);
    expect(fresh.inserted).toBe(292);
  });

  it('hands over to the diff path when its keys outgrow their budget, and ends the same', async () => {
    const { fresh, steps } = await compareHandOver(configFor, dump);
    expect(steps.filter((step) => step.includes('the diff path continues'))).toHaveLength(1);
    expect(fresh).toMatchObject({ inserted: 292, deleted: 0, unchanged: 0, resumed: false, status: 'done' });
  });

  it('takes the diff path from the start when the source has more rows than the budget holds keys', async () => {
    const steps: string[] = [];
    await compareBothPaths(configFor, dump, {
      freshOptions: { freshLoadKeyBytes: HANDOVER_BUDGET - 1, onStep: (step) => steps.push(step) },
      path: 'diff',
      tables: ['counted_t', 'counted_diff_t'],
    });
    expect(steps).toContain(
      'people: 307 source rows are more keys than a fresh load holds in memory: the diff path, which spills to disk',
    );
    expect(steps.some((step) => step.includes('fresh load'))).toBe(true);
    expect(steps.some((step) => step.includes('the diff path continues'))).toBe(false);
  });
});

describe.skipIf(!pgUp)('fresh load killed mid-run, then resumed', () => {
  const entry = join(dirname(fileURLToPath(import.meta.url)), '../../bin/stocktake.js');
  const start = (args: string[]) => startNode(entry, args, { cwd: work });
  const SCHEMA = `${NAME}_kill`;
  const ROWS = 20_000;
  let pg: Knex;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'stocktake-fresh-kill-'));
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres });
    await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${SCHEMA}`);
    await pg.raw(`CREATE TABLE ${SCHEMA}.people (code text PRIMARY KEY, name text NOT NULL)`);
    const source = new Database(join(work, 'crm.sqlite'));
    source.exec('CREATE TABLE people (seq INTEGER PRIMARY KEY, code TEXT, name TEXT)');
    const insert = source.prepare('INSERT INTO people VALUES (?, ?, ?)');
    source.transaction(() => {
      for (let i = 1; i <= ROWS; i++) insert.run(i, `K${i}`, `Name ${i}`);
      // K5's first row is committed long before this one is read.
      insert.run(ROWS + 1, 'K5', 'Again 5');
    })();
    source.close();
    writeFileSync(
      join(work, 'stocktake.yaml'),
      `sources:
  crm: { kind: sqlite, path: crm.sqlite }
targets:
  newtool: { kind: postgres, url: "${SERVERS.postgres}", schemas: [${SCHEMA}] }
mappings:
  - name: people
    from: { source: crm, dataset: people }
    to: { target: newtool, dataset: people, key: [code], mode: upsert }
    batchSize: 50
    fields:
      code: {}
      name: {}
`,
    );
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg?.destroy();
    rmSync(work, { recursive: true, force: true });
  });

  const scalar = async (sql: string) => Number(Object.values((await pg.raw(sql)).rows[0])[0]);

  it('resumes by the diff path, deleting the committed row of a key found duplicated', async () => {
    const args = ['migrate', '-c', join(work, 'stocktake.yaml'), '-o', join(work, 'out')];
    const first = start(args);
    const batches = () =>
      scalar(
        `SELECT coalesce(max(batches), 0) FROM ${SCHEMA}.stocktake_checkpoint WHERE mapping = 'people'`,
      ).catch(() => 0);
    for (let i = 0; i < 2400 && (await batches()) < 3; i++) await new Promise((r) => setTimeout(r, 10));
    first.child.kill('SIGKILL');
    expect((await first.done).signal).toBe('SIGKILL');
    const partial = await scalar(`SELECT count(*) FROM ${SCHEMA}.people`);
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(ROWS);
    expect(await scalar(`SELECT count(*) FROM ${SCHEMA}.people WHERE code = 'K5'`)).toBe(1);
    const checkpoint = (await pg.raw(`SELECT run_id, done FROM ${SCHEMA}.stocktake_checkpoint`)).rows[0];
    expect(checkpoint.done).toBe(false);
    expect(checkpoint.run_id).toMatch(/\+fresh-load$/);

    const refused = await start(args).done;
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/MIGRATE_RESUME_REQUIRED|--resume/);

    // A plan made now says the run is interrupted, and counts what the resume will do: the committed K5
    // (whose key the source holds twice) deleted, the rows not written yet inserted.
    const planned = await start(['plan', '-c', join(work, 'stocktake.yaml'), '-o', join(work, 'plan')]).done;
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(readFileSync(join(work, 'plan', 'plan.json'), 'utf8'));
    expect(plan.mappings[0]).toMatchObject({ inserts: ROWS - 1 - (partial - 1), deletes: 1, rejects: 2 });
    expect(plan.mappings[0].warnings.map((w: { code: string }) => w.code)).toContain('MAP_RUN_INTERRUPTED');
    expect(planned.stderr).toContain('refuses to start until it is resumed');

    const resumed = await start([...args, '--resume']).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(work, 'out', 'run.json'), 'utf8'));
    expect(run.mappings[0]).toMatchObject({
      path: 'diff',
      resumed: true,
      inserted: ROWS - 1 - (partial - 1),
      deleted: 1,
      reconciliation: { ok: true },
    });
    expect(run.mappings[0].rejected.mapping).toBe(2);
    expect(await scalar(`SELECT count(*) FROM ${SCHEMA}.people`)).toBe(ROWS - 1);
    expect(await scalar(`SELECT count(*) FROM ${SCHEMA}.people WHERE code = 'K5'`)).toBe(0);
    expect(
      await scalar(`SELECT count(*) FROM ${SCHEMA}.people WHERE name <> 'Name ' || substr(code, 2)`),
    ).toBe(0);

    const again = await start(args).done;
    expect(again.code, again.stderr).toBe(0);
    const rerun = JSON.parse(readFileSync(join(work, 'out', 'run.json'), 'utf8'));
    expect(rerun.mappings[0]).toMatchObject({
      path: 'diff',
      inserted: 0,
      updated: 0,
      deleted: 0,
      unchanged: ROWS - 1,
    });
  }, 180_000);
});
