/**
 * MariaDB → PostgreSQL load benchmark: a MariaDB table of N rows (default 1,000,000; 7 columns: bigint
 * key, varchar, text, decimal, datetime, boolean) is migrated into an empty PostgreSQL table by
 * `stocktake migrate` (the stage, through a 7-field mapping with transforms: preflight, then, the table
 * being empty, the fresh-load path: the source streamed through the mapping into COPY in checkpointed
 * batches, verification by one aggregate query inside the target), by the same with `freshLoad: false` (the diff
 * path: both sides read into the diff store first), and beside them, alternating and after
 * a warm-up, loaded by pgloader (`pgloader mysql://… postgresql://…`, which creates the schema, copies
 * the rows, then builds the key index). Each subject runs in its own process under /usr/bin/time, so
 * peak memory is its own (the migrate process bounds its heap's growth as the command line does). The
 * target is stocktake under half of pgloader's time. A reference row shows the floor of any load that
 * writes through COPY: `psql \copy` of the same rows, exported beforehand as COPY text by the `mariadb`
 * client (not timed), into the same empty table.
 *
 * pgloader is the Debian package: `apt-get install -y pgloader`; without it the bench prints stocktake
 * alone. The servers default to the test servers (override with STOCKTAKE_BENCH_PG_URL and
 * STOCKTAKE_BENCH_MYSQL_URL).
 *
 *   npx tsx bench/load-mariadb-postgres.ts [rows=1000000] [runs=3]
 */

import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import type { Config } from '../src/config/schema.ts';
import { boundHeapGrowth } from '../src/core/heap.ts';
import { runMigrate } from '../src/stages/migrate-stage.ts';
import { bundledBenchChild } from './bench-child.ts';
import { type BenchRow, type Measure, median, printTable, timed, timedPsql } from './bench-table.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const PG_ADMIN_URL = process.env.STOCKTAKE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MYSQL_ADMIN_URL = process.env.STOCKTAKE_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const SOURCE_DB = 'stocktake_mig_load_maria';
const TARGET_DB = 'stocktake_mig_load_maria';
const PGLOADER_DB = 'stocktake_mig_load_pgloader';
const TABLE = 'clients';

const withDatabase = (base: string, database: string) => {
  const u = new URL(base);
  u.pathname = `/${database}`;
  return u.toString();
};
const sourceUrl = withDatabase(MYSQL_ADMIN_URL, SOURCE_DB);
const targetUrl = withDatabase(PG_ADMIN_URL, TARGET_DB);
const pgloaderUrl = withDatabase(PG_ADMIN_URL, PGLOADER_DB);

const CONFIG = {
  sources: { legacy: { kind: 'mariadb', url: sourceUrl } },
  targets: { newtool: { kind: 'postgres', url: targetUrl, schemas: ['public'] } },
  mappings: [
    {
      name: 'clients',
      from: { source: 'legacy', dataset: `${SOURCE_DB}.${TABLE}` },
      to: { target: 'newtool', dataset: `public.${TABLE}`, key: ['id'], mode: 'upsert' },
      fields: {
        id: { from: 'id' },
        code: { from: 'code', transform: ['trim'] },
        name: { from: 'name' },
        email: { from: 'email', transform: ['lowercase'] },
        amount: { from: 'amount' },
        created_at: { from: 'created_at' },
        active: { from: 'active' },
      },
    },
  ],
} as unknown as Config;

async function buildSource(rows: number): Promise<void> {
  const admin = knexFactory({ client: 'mysql2', connection: MYSQL_ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${SOURCE_DB}`);
  await admin.raw(`CREATE DATABASE ${SOURCE_DB}`);
  await admin.raw(`CREATE TABLE ${SOURCE_DB}.${TABLE} (id bigint PRIMARY KEY, code varchar(20) NOT NULL,
    name varchar(100), email varchar(200), amount decimal(12, 2), created_at datetime, active boolean)`);
  // MariaDB's sequence engine generates the rows server-side; every 50th row has no email.
  await admin.raw(`INSERT INTO ${SOURCE_DB}.${TABLE}
    SELECT seq, CONCAT('C', LPAD(seq, 9, '0')), CONCAT('Client ', seq, ' Durand'),
      IF(seq % 50 = 0, NULL, CONCAT('User', seq, '@Example.org')), ROUND((seq % 100000) / 7, 2),
      TIMESTAMP '2020-01-01 00:00:00' + INTERVAL seq MINUTE, seq % 3 <> 0
    FROM seq_1_to_${rows}`);
  await admin.raw(`ANALYZE TABLE ${SOURCE_DB}.${TABLE}`);
  await admin.destroy();
}

async function recreatePostgres(database: string): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: PG_ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${database}`);
  await admin.destroy();
}

async function prepareTarget(): Promise<void> {
  const db = knexFactory({ client: 'pg', connection: targetUrl, pool: { min: 0, max: 1 } });
  await db.raw(`DROP TABLE IF EXISTS public.${TABLE}; DROP TABLE IF EXISTS public.stocktake_checkpoint`);
  await db.raw(`CREATE TABLE public.${TABLE} (id bigint PRIMARY KEY, code text NOT NULL, name text,
    email text, amount numeric(12, 2), created_at timestamp, active boolean); CHECKPOINT`);
  await db.destroy();
}

async function countRows(url: string, table: string): Promise<number> {
  const db = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  const { rows } = await db.raw(`SELECT count(*)::int AS n FROM ${table}`);
  await db.destroy();
  return rows[0].n;
}

/** The stocktake subject, run in a child process: `stocktake migrate` of the one mapping (`diffPath`: forced). */
async function stocktakeMigrate(diffPath: boolean): Promise<void> {
  // As the command line runs it, with its heap bound.
  boundHeapGrowth();
  const rejectsDir = mkdtempSync(join(tmpdir(), 'stocktake-bench-'));
  try {
    const batchSize = process.env.STOCKTAKE_BENCH_BATCH
      ? Number(process.env.STOCKTAKE_BENCH_BATCH)
      : undefined;
    const { run, error } = await runMigrate(CONFIG, {
      rejectsDir,
      ...(batchSize ? { batchSize } : {}),
      ...(diffPath ? { freshLoad: false } : {}),
    });
    if (error) throw error;
    const m = run.mappings[0]!;
    process.stdout.write(
      JSON.stringify({
        inserted: m.inserted,
        batches: m.batches,
        path: m.path,
        verified: m.reconciliation?.ok === true,
        timings: m.timings,
      }),
    );
  } finally {
    rmSync(rejectsDir, { recursive: true, force: true });
  }
}

/** The `stocktake migrate` subject; `diffPath` forces the diff path. */
function migrateSubject(diffPath: boolean): {
  prepare(): Promise<void>;
  run(): Measure;
  loaded(): Promise<number>;
} {
  return {
    prepare: prepareTarget,
    run: () => {
      const m = timed(process.execPath, [childScript, '--child', ...(diffPath ? ['--diff'] : [])]);
      const child = JSON.parse(m.stdout) as {
        inserted: number;
        batches: number;
        path?: string;
        verified: boolean;
        timings: { readMs: number; diffAndWriteMs: number; verifyMs: number };
      };
      if (!child.verified) throw new Error('stocktake migrate: the verification failed');
      const t = child.timings;
      const s = (ms: number) => (ms / 1000).toFixed(1);
      return {
        ...m,
        note: `${child.path ?? 'diff'} path: read ${s(t.readMs)} s, diff+write ${s(t.diffAndWriteMs)} s, verify ${s(t.verifyMs)} s; ${child.batches} batches`,
      };
    },
    loaded: () => countRows(targetUrl, `public.${TABLE}`),
  };
}

/** The source rows as COPY text (tab-separated, escaped; NULL as the word), for the `psql \copy` reference. */
const ROWS_FILE = join(HERE, 'out', 'load-mariadb-rows.tsv');

/** Exports the source rows with the `mariadb` client (`-B`: tab-separated, escaped as COPY text reads them, NULL as `NULL`). */
function exportRows(): boolean {
  const u = new URL(MYSQL_ADMIN_URL);
  // Written straight to the file (no string of the whole export); the password goes by the environment.
  const out = openSync(ROWS_FILE, 'w');
  try {
    execFileSync(
      'mariadb',
      [
        '-h',
        u.hostname,
        '-P',
        u.port || '3306',
        '-u',
        decodeURIComponent(u.username),
        '-N',
        '-B',
        '-e',
        `SELECT id, code, name, email, amount, created_at, active FROM ${SOURCE_DB}.${TABLE}`,
      ],
      {
        stdio: ['ignore', out, 'pipe'],
        env: { ...process.env, ...(u.password ? { MYSQL_PWD: decodeURIComponent(u.password) } : {}) },
      },
    );
    return true;
  } catch (error) {
    process.stderr.write(`the mariadb client could not export the rows: ${(error as Error).message}\n`);
    return false;
  } finally {
    closeSync(out);
  }
}

const SUBJECTS: Record<string, { prepare(): Promise<void>; run(): Measure; loaded(): Promise<number> }> = {
  'psql \\copy of the same rows (reference)': {
    prepare: prepareTarget,
    run: () => {
      const m = timedPsql(
        targetUrl,
        `\\copy public.${TABLE} FROM '${ROWS_FILE.replaceAll("'", "''")}' WITH (NULL 'NULL')`,
      );
      return {
        ...m,
        note: 'the rows exported beforehand as COPY text; COPY into the empty table, no mapping, no verification',
      };
    },
    loaded: () => countRows(targetUrl, `public.${TABLE}`),
  },
  'stocktake migrate': migrateSubject(false),
  'stocktake migrate, diff path (freshLoad: false)': migrateSubject(true),
  pgloader: {
    prepare: () => recreatePostgres(PGLOADER_DB),
    run: () => {
      const m = timed('pgloader', ['--quiet', sourceUrl, pgloaderUrl]);
      return { ...m, note: 'Debian package; creates the table, copies, then builds the key index' };
    },
    // pgloader puts the tables in a schema named after the MySQL database.
    loaded: () => countRows(pgloaderUrl, `${SOURCE_DB}.${TABLE}`),
  },
};

/** The bundled benchmark file the subjects' child processes run (bench-child.ts). */
let childScript = '';

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  childScript = await bundledBenchChild(import.meta.url);
  const runs = Number(process.argv[3] ?? 3);
  mkdirSync(join(HERE, 'out'), { recursive: true });
  const started = performance.now();
  await buildSource(rows);
  await recreatePostgres(TARGET_DB);
  process.stderr.write(
    `built ${rows} MariaDB rows in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const exported = exportRows();
  const subjects = Object.keys(SUBJECTS).filter(
    (s) => (s !== 'pgloader' || hasPgloader()) && (!s.startsWith('psql') || exported),
  );
  if (!subjects.includes('pgloader'))
    process.stderr.write('pgloader is not installed (apt-get install -y pgloader): skipped\n');
  const measures = new Map<string, Measure[]>(subjects.map((s) => [s, []]));
  // One warm-up round (buffer pools, page cache), then `runs` alternating rounds.
  for (let round = 0; round <= runs; round++) {
    for (const subject of subjects) {
      const s = SUBJECTS[subject]!;
      await s.prepare();
      const m = s.run();
      const loaded = await s.loaded();
      if (loaded !== rows) throw new Error(`${subject} loaded ${loaded} rows, not ${rows}`);
      process.stderr.write(
        `${round === 0 ? 'warm-up' : `run ${round}`} ${subject}: ${(m.ms / 1000).toFixed(2)} s, ${m.peakRssMb.toFixed(0)} MB; ${m.note}\n`,
      );
      if (round > 0) measures.get(subject)!.push(m);
    }
  }
  const reference = subjects.includes('pgloader') ? 'pgloader' : 'stocktake migrate';
  const base = median(measures.get(reference)!.map((m) => m.ms));
  const table: BenchRow[] = subjects.map((subject) => {
    const list = measures.get(subject)!;
    const ms = median(list.map((m) => m.ms));
    return {
      benchmark: `load ${rows} MariaDB rows into PostgreSQL`,
      subject,
      median_ms: ms,
      peak_rss_mb: Math.max(...list.map((m) => m.peakRssMb)),
      extra: `${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s; ${list[Math.floor(list.length / 2)]!.note}`,
      ratio: ms / base,
    };
  });
  printTable(table);
  for (const subject of subjects)
    console.log(
      `runs ${subject}: ${measures
        .get(subject)!
        .map((m) => (m.ms / 1000).toFixed(2))
        .join(', ')} s`,
    );
}

function hasPgloader(): boolean {
  try {
    execFileSync('pgloader', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (process.argv.includes('--child')) await stocktakeMigrate(process.argv.includes('--diff'));
else await main();
