/**
 * Plan benchmark: `stocktake plan` of 1,000,000 PostgreSQL source rows through a 6-field mapping against
 * a PostgreSQL target holding them with 1% changed, beside merely reading both sides through the same
 * connectors. Each subject runs in its own process (peak RSS is its own), alternating, after a warm-up
 * (none when runs is 1). The target: plan within 2× the read time, peak memory under 300 MB, the same at
 * 10,000,000 rows (memory is bounded by the diff's byte budget, not by the row count). The plan reads the
 * target in a worker thread; `--main-thread` adds the plan that reads it on the main thread as a subject:
 *
 *   npx tsx bench/plan.ts [rows=1000000] [runs=3] [--main-thread]
 *   npx tsx bench/plan.ts 10000000 1     # builds 2 × 10M rows first (minutes), then one run of each
 *
 * A database already built for the size is reused; STOCKTAKE_BENCH_REBUILD=1 builds it again.
 */
import { spawnSync } from 'node:child_process';
import knexFactory from 'knex';
import type { Config } from '../src/config/schema.ts';
import { openConnector } from '../src/connectors/registry.ts';
import { boundHeapGrowth } from '../src/core/heap.ts';
import { runPlan } from '../src/stages/plan-stage.ts';
import { bundledBenchChild } from './bench-child.ts';
import { type BenchRow, median, printTable } from './bench-table.ts';

const mode = process.argv[2] === '--child' ? process.argv[3]! : 'main';
// The children plan as the command line does, with its heap bound.
if (mode !== 'main') boundHeapGrowth();
const rows = Number((mode === 'main' ? process.argv[2] : process.argv[4]) ?? 1_000_000);
const runs = Number(process.argv[3] ?? 3);
const withMainThread = process.argv.includes('--main-thread');
const adminUrl = process.env.STOCKTAKE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// One database per size, so that the 10M case and the default one do not rebuild each other's.
const database = rows === 1_000_000 ? 'stocktake_bench_plan' : `stocktake_bench_plan_${rows}`;
const url = new URL(adminUrl);
url.pathname = `/${database}`;

const CONFIG = {
  sources: { legacy: { kind: 'postgres', url: url.toString(), schemas: ['src'] } },
  targets: { newtool: { kind: 'postgres', url: url.toString(), schemas: ['dst'] } },
  mappings: [
    {
      name: 'customers',
      from: { source: 'legacy', dataset: 'src.customers' },
      to: { target: 'newtool', dataset: 'dst.customers', key: ['ref'], mode: 'upsert' },
      fields: {
        ref: { from: 'id', transform: ['text', { prefix: 'C-' }] },
        name: { from: 'name', transform: ['trim'] },
        email: { from: 'email', transform: ['lowercase'] },
        amount: { from: 'amount' },
        created: { from: 'created' },
        active: { from: 'active' },
      },
    },
  ],
} as unknown as Config;

/** True when the database of this size is already built (the source and the target both hold `rows` rows). */
async function built(): Promise<boolean> {
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  const found = await admin.raw('SELECT 1 FROM pg_database WHERE datname = ?', [database]);
  await admin.destroy();
  if (found.rows.length === 0) return false;
  const db = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  try {
    const counts = await db.raw(
      'SELECT (SELECT count(*) FROM src.customers) AS source, (SELECT count(*) FROM dst.customers) AS target',
    );
    return Number(counts.rows[0].source) === rows && Number(counts.rows[0].target) === rows;
  } catch {
    return false;
  } finally {
    await db.destroy();
  }
}

async function build(): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${database}`);
  await admin.destroy();
  const db = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  await db.raw('CREATE SCHEMA src; CREATE SCHEMA dst');
  await db.raw(`CREATE TABLE src.customers (id integer PRIMARY KEY, name text NOT NULL, email text,
    amount numeric(12,2), created timestamptz, active boolean)`);
  await db.raw(`INSERT INTO src.customers SELECT i, 'Client ' || i, 'User' || i || '@Example.org',
    round((i % 100000) / 7.0, 2), TIMESTAMPTZ '2020-01-01 00:00:00+00' + i * INTERVAL '1 minute', i % 3 <> 0
    FROM generate_series(1, ${rows}) AS g(i)`);
  await db.raw(`CREATE TABLE dst.customers (ref varchar(20) PRIMARY KEY, name text NOT NULL, email text,
    amount numeric(14,4), created timestamptz, active boolean)`);
  // The target holds every row (written its own way: 4 decimals), 1% of them changed.
  await db.raw(`INSERT INTO dst.customers SELECT 'C-' || id,
    CASE WHEN id % 100 = 0 THEN 'Renamed ' || id ELSE name END, lower(email), amount, created, active
    FROM src.customers ORDER BY random()`);
  await db.raw('VACUUM ANALYZE');
  await db.destroy();
}

/** Reads both sides through the connectors, as the plan reads them, without mapping or diffing. */
async function readBoth(): Promise<number> {
  let count = 0;
  for (const [name, entry, dataset, columns] of [
    [
      'legacy',
      CONFIG.sources.legacy!,
      'src.customers',
      ['id', 'name', 'email', 'amount', 'created', 'active'],
    ],
    [
      'newtool',
      CONFIG.targets!.newtool!,
      'dst.customers',
      ['ref', 'name', 'email', 'amount', 'created', 'active'],
    ],
  ] as const) {
    const connector = await openConnector(entry, { name, mode: 'audit' });
    await connector.inventory();
    for await (const batch of connector.read({ name: dataset }, { columns })) count += batch.length;
    await connector.close();
  }
  return count;
}

async function child(): Promise<void> {
  const started = performance.now();
  let note: string;
  if (mode === 'read') note = `${await readBoth()} rows read`;
  else {
    // `plan-main`: the target is read on the main thread, as below the thread's row threshold.
    const plan = await runPlan(
      CONFIG,
      mode === 'plan-main' ? { targetThreadRows: Number.POSITIVE_INFINITY } : {},
    );
    const m = plan.mappings[0]!;
    note = `+${m.inserts} ~${m.updates} =${m.unchanged}`;
  }
  const ms = performance.now() - started;
  const usage = process.resourceUsage();
  const cpuS = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
  console.log(JSON.stringify({ ms, cpuS, rssMb: usage.maxRSS / 1024, note }));
}

function measure(script: string, subject: string): { ms: number; cpuS: number; rssMb: number; note: string } {
  const result = spawnSync(process.execPath, [script, '--child', subject, String(rows)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 << 20,
  });
  if (result.status !== 0) throw new Error(`${subject} failed (exit ${result.status})`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

async function main(): Promise<void> {
  const started = performance.now();
  // A database of this size is reused (the 10M one takes minutes to build); STOCKTAKE_BENCH_REBUILD=1 rebuilds it.
  if (process.env.STOCKTAKE_BENCH_REBUILD !== '1' && (await built())) console.error(`reusing ${database}`);
  else {
    await build();
    console.error(
      `built ${rows} source rows and the target in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }
  const script = await bundledBenchChild(import.meta.url);
  const subjects = withMainThread ? ['read', 'plan', 'plan-main'] : ['read', 'plan'];
  const times: Record<string, number[]> = { read: [], plan: [], 'plan-main': [] };
  // CPU seconds of the process (its own work, not the server's): steadier than wall time on a shared machine.
  const cpu: Record<string, number[]> = { read: [], plan: [], 'plan-main': [] };
  const rss: Record<string, number> = { read: 0, plan: 0, 'plan-main': 0 };
  const notes: Record<string, string> = {};
  // Warm-up: caches, JIT of the database; skipped for a single run (the 10M case takes minutes a subject).
  if (runs > 1) for (const subject of subjects) measure(script, subject);
  for (let run = 0; run < runs; run++) {
    for (const subject of subjects) {
      const r = measure(script, subject);
      times[subject]!.push(r.ms);
      cpu[subject]!.push(r.cpuS);
      rss[subject] = Math.max(rss[subject]!, r.rssMb);
      notes[subject] = r.note;
    }
  }
  const reference = median(times.read!);
  const label = `plan ${rows} rows, 1% changed (PostgreSQL → PostgreSQL)`;
  const planRow = (subject: string, title: string): BenchRow => ({
    benchmark: label,
    subject: title,
    median_ms: median(times[subject]!),
    peak_rss_mb: rss[subject]!,
    extra: `${notes[subject]!}; ${median(cpu[subject]!).toFixed(1)} s CPU (${(median(cpu[subject]!) / median(cpu.read!)).toFixed(2)}×)`,
    ratio: median(times[subject]!) / reference,
  });
  const table: BenchRow[] = [
    {
      benchmark: label,
      subject: 'read both sides',
      median_ms: reference,
      peak_rss_mb: rss.read!,
      extra: `${notes.read!}; ${median(cpu.read!).toFixed(1)} s CPU`,
      ratio: 1,
    },
    planRow('plan', 'stocktake plan (target read in a thread; spills above 16 MB a side)'),
    ...(withMainThread ? [planRow('plan-main', 'stocktake plan, target read on the main thread')] : []),
  ];
  printTable(table);
  for (const subject of subjects)
    console.log(
      `runs ${subject}: ${times[subject]!.map((v) => v.toFixed(0)).join(', ')} ms; CPU ${cpu[subject]!.map((v) => v.toFixed(1)).join(', ')} s`,
    );
}

if (mode === 'main') await main();
else await child();
