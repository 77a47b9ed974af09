/**
 * CSV → PostgreSQL load benchmark: writes a 6-column CSV of N rows (default 1,000,000, about 120 MB)
 * into bench/out/, then loads it into an empty PostgreSQL table, alternating and after a warm-up:
 * stocktake (CSV connector `read` in batches of 10,000 + the PostgreSQL writer: COPY into staging, then
 * INSERT … ON CONFLICT), `psql \copy`, and pgloader when the Debian package is installed. Each subject
 * runs in its own process under /usr/bin/time, so peak memory is its own. The target is stocktake
 * within 1.5× `psql \copy`.
 *
 *   npx tsx bench/load-postgres.ts [rows=1000000] [runs=3]
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import { createCsvConnector } from '../src/connectors/csv/csv-connector.ts';
import { createPostgresConnector } from '../src/connectors/postgres/postgres-connector.ts';
import type { SqlConnector } from '../src/connectors/sql/sql-connector.ts';
import { createSqlWriter } from '../src/connectors/sql/sql-writer.ts';
import { writeLoadCsv } from './bench-data.ts';
import { type BenchRow, median, printTable } from './bench-table.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'out');
const ADMIN_URL = process.env.STOCKTAKE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'stocktake_bench_load';
const TABLE = 'bench_clients';
const COLUMNS = ['id', 'code', 'name', 'email', 'amount', 'created_at'];
const BATCH = 10_000;

const dbUrl = (() => {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${DATABASE}`;
  return u.toString();
})();

async function prepareDatabase(): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: ADMIN_URL, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${DATABASE}`);
  await admin.destroy();
  const db = knexFactory({ client: 'pg', connection: dbUrl, pool: { min: 0, max: 1 } });
  await db.raw(`CREATE TABLE public.${TABLE} (id bigint PRIMARY KEY, code text NOT NULL, name text, email text,
    amount numeric(12, 2), created_at timestamp)`);
  await db.destroy();
}

async function truncate(): Promise<void> {
  const db = knexFactory({ client: 'pg', connection: dbUrl, pool: { min: 0, max: 1 } });
  await db.raw(`TRUNCATE public.${TABLE}; DROP TABLE IF EXISTS public.stocktake_checkpoint; CHECKPOINT`);
  await db.destroy();
}

async function countRows(): Promise<number> {
  const db = knexFactory({ client: 'pg', connection: dbUrl, pool: { min: 0, max: 1 } });
  const { rows } = await db.raw(`SELECT count(*)::int AS n FROM public.${TABLE}`);
  await db.destroy();
  return rows[0].n;
}

/** The stocktake subject, run in a child process: scan the CSV, then read + write in batches. */
async function stocktakeLoad(path: string): Promise<void> {
  const started = performance.now();
  const csv = await createCsvConnector({ kind: 'csv', path }, { name: 'bench', mode: 'audit' });
  const dataset = (await csv.inventory()).datasets[0]!;
  const scanned = performance.now();
  const pg = (await createPostgresConnector(
    { kind: 'postgres', url: dbUrl },
    { name: 'target', mode: 'write' },
  )) as SqlConnector;
  const target = (await pg.inventory()).datasets.find((d) => d.table === TABLE)!;
  const writer = await createSqlWriter(
    'postgres',
    await pg.db(),
    { dataset: target.name, columns: COLUMNS, key: ['id'] },
    { columns: target.columns, schema: target.schema, table: target.table, name: 'target' },
  );
  let rows = 0;
  let batches = 0;
  let inserted = 0;
  for await (const batch of csv.read({ name: dataset.name }, { batchSize: BATCH, columns: COLUMNS })) {
    rows += batch.length;
    batches++;
    const result = await writer.applyBatch({
      upserts: batch,
      checkpoint: {
        mapping: 'bench',
        runId: 'bench',
        batches,
        sourceRows: rows,
        done: false,
        fingerprint: 'bench',
        updatedAt: new Date().toISOString(),
      },
    });
    inserted += result.inserted;
  }
  await pg.close();
  await csv.close();
  const scanSeconds = (scanned - started) / 1000;
  process.stdout.write(JSON.stringify({ rows, inserted, scanSeconds }));
}

interface Measure {
  readonly ms: number;
  readonly peakRssMb: number;
  readonly note: string;
}

// Runs a command under /usr/bin/time -f %M (peak RSS in KB, written last on stderr).
function timed(command: string, args: readonly string[]): Measure & { stdout: string } {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr.slice(-2000)}`);
  const lines = result.stderr.trim().split('\n');
  return { ms, peakRssMb: Number(lines[lines.length - 1]) / 1024, note: '', stdout: result.stdout };
}

function pgloaderCommand(path: string): string {
  const file = join(OUT, 'load-postgres.pgloader');
  const url = new URL(dbUrl);
  writeFileSync(
    file,
    `LOAD CSV FROM '${path}' (${COLUMNS.join(', ')})
INTO postgresql://${url.username}@${url.hostname}:${url.port || 5432}/${DATABASE}?tablename=${TABLE} (${COLUMNS.join(', ')})
WITH skip header = 1, fields optionally enclosed by '"', fields escaped by double-quote, fields terminated by ','
SET work_mem to '64MB';
`,
  );
  return file;
}

const SUBJECTS: Record<string, (path: string) => Measure> = {
  'psql \\copy': (path) => {
    const url = new URL(dbUrl);
    const m = timed('psql', [
      '-h',
      url.hostname,
      '-p',
      url.port || '5432',
      '-U',
      url.username,
      '-d',
      DATABASE,
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `\\copy public.${TABLE} (${COLUMNS.join(', ')}) FROM '${path.replaceAll("'", "''")}' WITH (FORMAT csv, HEADER true)`,
    ]);
    return { ...m, note: 'COPY through the client, no parsing or types' };
  },
  'stocktake (CSV read + writer)': (path) => {
    const m = timed(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', path]);
    const child = JSON.parse(m.stdout) as { rows: number; inserted: number; scanSeconds: number };
    if (child.inserted !== child.rows)
      throw new Error(`stocktake inserted ${child.inserted} of ${child.rows}`);
    return { ...m, note: `inventory scan ${child.scanSeconds.toFixed(1)} s included; batches of ${BATCH}` };
  },
  pgloader: (path) => {
    const m = timed('pgloader', ['--quiet', pgloaderCommand(path)]);
    return { ...m, note: 'Debian package' };
  },
};

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const runs = Number(process.argv[3] ?? 3);
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `load-${rows}.csv`);
  if (!existsSync(path)) {
    process.stderr.write(`writing ${path}…\n`);
    await writeLoadCsv(path, rows);
  }
  process.stderr.write(`${path}: ${rows} rows, ${(statSync(path).size / 1024 / 1024).toFixed(0)} MB\n`);
  await prepareDatabase();
  const subjects = Object.keys(SUBJECTS).filter((s) => s !== 'pgloader' || hasPgloader());
  if (!subjects.includes('pgloader'))
    process.stderr.write('pgloader is not installed (apt-get install -y pgloader): skipped\n');
  const measures = new Map<string, Measure[]>(subjects.map((s) => [s, []]));
  // One warm-up round (file in the page cache, server warmed), then `runs` alternating rounds.
  for (let round = 0; round <= runs; round++) {
    for (const subject of subjects) {
      await truncate();
      const m = SUBJECTS[subject]!(path);
      const loaded = await countRows();
      if (loaded !== rows) throw new Error(`${subject} loaded ${loaded} rows, not ${rows}`);
      process.stderr.write(
        `${round === 0 ? 'warm-up' : `run ${round}`} ${subject}: ${(m.ms / 1000).toFixed(2)} s, ${m.peakRssMb.toFixed(0)} MB\n`,
      );
      if (round > 0) measures.get(subject)!.push(m);
    }
  }
  const base = median(measures.get('psql \\copy')!.map((m) => m.ms));
  const table: BenchRow[] = subjects.map((subject) => {
    const list = measures.get(subject)!;
    const ms = median(list.map((m) => m.ms));
    return {
      benchmark: `load ${rows} CSV rows into PostgreSQL`,
      subject,
      median_ms: ms,
      peak_rss_mb: Math.max(...list.map((m) => m.peakRssMb)),
      extra: `${Math.round(rows / (ms / 1000)).toLocaleString('en')} rows/s; ${list[0]!.note}`,
      ratio: ms / base,
    };
  });
  printTable(table);
}

function hasPgloader(): boolean {
  try {
    execFileSync('pgloader', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const childFlag = process.argv.indexOf('--child');
if (childFlag >= 0) await stocktakeLoad(process.argv[childFlag + 1]!);
else await main();
