/**
 * CSV → PostgreSQL load benchmark: writes a 6-column CSV of N rows (default 1,000,000, about 120 MB)
 * into bench/out/, then loads it into an empty PostgreSQL table, alternating and after a warm-up:
 * - `stocktake migrate`: the stage, through a 6-field mapping (preflight, CSV scan, then, the table
 *   being empty, the fresh-load path: the CSV streamed through the mapping into checkpointed batches,
 *   verification by one aggregate query inside the target);
 * - the same with `freshLoad: false`: the diff path (both sides read into the diff store, the
 *   differences written, verification by checksums), for comparison;
 * - stocktake CSV read + writer: the CSV connector's `read` in batches of 10,000 straight into the
 *   PostgreSQL writer as upserts (staging table, then INSERT … ON CONFLICT), no mapping, no diff;
 * - stocktake writer alone: the rows read into memory first (not timed), then only the writer, with the
 *   batches a migration of new rows sends (COPY into the table): the write path without the CSV read;
 * - `psql \copy`, and pgloader when the Debian package is installed (`apt-get install -y pgloader`).
 * Each subject runs in its own process under /usr/bin/time, so peak memory is its own (the writer-alone
 * process holds every row; the migrate process bounds its heap's growth as the command line does). The
 * target is stocktake within 1.5× `psql \copy`.
 *
 *   npx tsx bench/load-postgres.ts [rows=1000000] [runs=3]
 */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import type { Config } from '../src/config/schema.ts';
import { createCsvConnector } from '../src/connectors/csv/csv-connector.ts';
import { createPostgresConnector } from '../src/connectors/postgres/postgres-connector.ts';
import type { SqlConnector } from '../src/connectors/sql/sql-connector.ts';
import { createSqlWriter } from '../src/connectors/sql/sql-writer.ts';
import type { Row } from '../src/connectors/types.ts';
import type { Writer } from '../src/connectors/writer-types.ts';
import { boundHeapGrowth } from '../src/core/heap.ts';
import { runMigrate } from '../src/stages/migrate-stage.ts';
import { bundledBenchChild } from './bench-child.ts';
import { writeLoadCsv } from './bench-data.ts';
import { type BenchRow, type Measure, median, printTable, timed, timedPsql } from './bench-table.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'out');
const ADMIN_URL = process.env.STOCKTAKE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'stocktake_mig_load';
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

async function openTargetWriter(): Promise<{ writer: Writer; close(): Promise<void> }> {
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
  return { writer, close: () => pg.close() };
}

const checkpointAfter = (batches: number, rows: number) => ({
  mapping: 'bench',
  runId: 'bench',
  batches,
  sourceRows: rows,
  done: false,
  fingerprint: 'bench',
  updatedAt: new Date().toISOString(),
});

/** The CSV read + writer subject, run in a child process: scan the CSV, then read + write in batches. */
async function stocktakeLoad(path: string): Promise<void> {
  const started = performance.now();
  const csv = await createCsvConnector({ kind: 'csv', path }, { name: 'bench', mode: 'audit' });
  const dataset = (await csv.inventory()).datasets[0]!;
  const scanned = performance.now();
  const { writer, close } = await openTargetWriter();
  let rows = 0;
  let batches = 0;
  let inserted = 0;
  for await (const batch of csv.read({ name: dataset.name }, { batchSize: BATCH, columns: COLUMNS })) {
    rows += batch.length;
    batches++;
    const result = await writer.applyBatch({ upserts: batch, checkpoint: checkpointAfter(batches, rows) });
    inserted += result.inserted;
  }
  await close();
  await csv.close();
  const scanSeconds = (scanned - started) / 1000;
  process.stdout.write(JSON.stringify({ rows, inserted, scanSeconds }));
}

/** The writer-alone subject: every row read into memory first, then only the writes are timed. */
async function writerAlone(path: string): Promise<void> {
  const csv = await createCsvConnector({ kind: 'csv', path }, { name: 'bench', mode: 'audit' });
  const dataset = (await csv.inventory()).datasets[0]!;
  const batches: Row[][] = [];
  for await (const batch of csv.read({ name: dataset.name }, { batchSize: BATCH, columns: COLUMNS }))
    batches.push(batch);
  await csv.close();
  const { writer, close } = await openTargetWriter();
  const started = performance.now();
  let rows = 0;
  let inserted = 0;
  for (let b = 0; b < batches.length; b++) {
    rows += batches[b]!.length;
    const result = await writer.applyBatch({
      upserts: batches[b]!,
      upsertsNew: true,
      checkpoint: checkpointAfter(b + 1, rows),
    });
    inserted += result.inserted;
  }
  const writeMs = performance.now() - started;
  await close();
  process.stdout.write(JSON.stringify({ rows, inserted, writeMs }));
}

/**
 * The `stocktake migrate` subject: the stage with a 6-field mapping of the CSV into the table (the
 * table is empty: the fresh-load path, unless `diffPath` forces the diff path for comparison).
 */
async function stocktakeMigrate(path: string, diffPath: boolean): Promise<void> {
  // As the command line runs it, with its heap bound.
  boundHeapGrowth();
  const config = {
    sources: { file: { kind: 'csv', path } },
    targets: { pg: { kind: 'postgres', url: dbUrl, schemas: ['public'] } },
    mappings: [
      {
        name: 'clients',
        from: { source: 'file', dataset: dataset(path) },
        to: { target: 'pg', dataset: `public.${TABLE}`, key: ['id'], mode: 'upsert' },
        fields: {
          id: { from: 'id' },
          code: { from: 'code', transform: ['trim'] },
          name: { from: 'name', transform: ['collapse_spaces'] },
          email: { from: 'email', transform: ['lowercase'] },
          amount: { from: 'amount' },
          created_at: { from: 'created_at' },
        },
      },
    ],
  } as unknown as Config;
  const rejectsDir = mkdtempSync(join(tmpdir(), 'stocktake-bench-'));
  try {
    const { run, error } = await runMigrate(config, {
      rejectsDir,
      ...(diffPath ? { freshLoad: false } : {}),
    });
    if (error) throw error;
    const m = run.mappings[0]!;
    if (m.reconciliation?.ok !== true) throw new Error('stocktake migrate: the verification failed');
    process.stdout.write(
      JSON.stringify({ inserted: m.inserted, batches: m.batches, path: m.path, timings: m.timings }),
    );
  } finally {
    rmSync(rejectsDir, { recursive: true, force: true });
  }
}

// A CSV dataset is named after its file.
const dataset = (path: string) => path.slice(path.lastIndexOf('/') + 1).replace(/\.csv$/, '');

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

/** Runs the `stocktake migrate` subject in its own process; `diffPath` forces the diff path. */
function migrateSubject(path: string, diffPath: boolean): Measure {
  const m = timed(process.execPath, [childScript, '--migrate', path, ...(diffPath ? ['diff'] : [])]);
  const child = JSON.parse(m.stdout) as {
    inserted: number;
    batches: number;
    path?: string;
    timings: { readMs: number; diffAndWriteMs: number; verifyMs: number };
  };
  const t = child.timings;
  const s = (ms: number) => (ms / 1000).toFixed(1);
  return {
    ...m,
    note: `${child.path ?? 'diff'} path: read ${s(t.readMs)} s, diff+write ${s(t.diffAndWriteMs)} s, verify ${s(t.verifyMs)} s; ${child.batches} batches`,
  };
}

const SUBJECTS: Record<string, (path: string) => Measure> = {
  'psql \\copy': (path) => {
    const m = timedPsql(
      dbUrl,
      `\\copy public.${TABLE} (${COLUMNS.join(', ')}) FROM '${path.replaceAll("'", "''")}' WITH (FORMAT csv, HEADER true)`,
    );
    return { ...m, note: 'COPY through the client, no parsing or types' };
  },
  'stocktake migrate (6-field mapping)': (path) => migrateSubject(path, false),
  'stocktake migrate, diff path (freshLoad: false)': (path) => migrateSubject(path, true),
  'stocktake CSV read + writer': (path) => {
    const m = timed(process.execPath, [childScript, '--child', path]);
    const child = JSON.parse(m.stdout) as { rows: number; inserted: number; scanSeconds: number };
    if (child.inserted !== child.rows)
      throw new Error(`stocktake inserted ${child.inserted} of ${child.rows}`);
    return {
      ...m,
      note: `inventory scan ${child.scanSeconds.toFixed(1)} s included; upserts through staging, batches of ${BATCH}`,
    };
  },
  'stocktake writer alone (rows pre-read)': (path) => {
    const m = timed(process.execPath, [childScript, '--writer', path]);
    const child = JSON.parse(m.stdout) as { rows: number; inserted: number; writeMs: number };
    if (child.inserted !== child.rows)
      throw new Error(`stocktake inserted ${child.inserted} of ${child.rows}`);
    // The time is the writes alone; the process (and its peak memory) also read every row first.
    return {
      ...m,
      ms: child.writeMs,
      note: `writes only, new rows COPYed into the table, batches of ${BATCH}; the process holds every row`,
    };
  },
  pgloader: (path) => {
    const m = timed('pgloader', ['--quiet', pgloaderCommand(path)]);
    return { ...m, note: 'Debian package' };
  },
};

/** The bundled benchmark file the subjects' child processes run (bench-child.ts). */
let childScript = '';

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  childScript = await bundledBenchChild(import.meta.url);
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

const [flag, file, mode] = process.argv.slice(2);
if (flag === '--child') await stocktakeLoad(file!);
else if (flag === '--writer') await writerAlone(file!);
else if (flag === '--migrate') await stocktakeMigrate(file!, mode === 'diff');
else await main();
