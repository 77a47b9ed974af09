/**
 * Push-down profiling benchmark: a PostgreSQL table of 1,000,000 rows × 11 columns (generated server-side),
 * profiled by stocktake beside two hand-written single-pass aggregate queries, alternating, after a warm-up:
 * one of the base metrics (count, nulls, distinct, min, max, mean, stddev, lengths per column), and one that
 * adds what a single pass can compute of the rest of the profile (see handWrittenSameMetricsQuery).
 * Prints medians, statements and peak memory; the target is stocktake within 1.3× the hand-written query.
 *
 *   npx tsx bench/profile-postgres.ts [rows=1000000] [runs=3]
 */
import knexFactory from 'knex';
import { createPostgresConnector } from '../src/connectors/postgres/postgres-connector.ts';
import { EDGE_SPACES } from '../src/connectors/sql/sql-pushdown.ts';
import { NULL_LIKE_WORDS } from '../src/profilers/null-like.ts';
import { type BenchRow, median, printTable } from './bench-table.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 3);
const adminUrl = process.env.STOCKTAKE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = 'stocktake_bench_profile';
const url = new URL(adminUrl);
url.pathname = `/${database}`;

const TABLE = `
CREATE TABLE bench.orders (
  id bigint PRIMARY KEY, customer_id integer NOT NULL, email text, name text NOT NULL, city text,
  status text NOT NULL, amount numeric(12, 2), quantity integer NOT NULL, score float8, created date NOT NULL,
  updated timestamp
)`;

// Cardinalities from 2 (well, 5) to 1,000,000: some columns are listed, others summarised and sampled.
const FILL = `
INSERT INTO bench.orders
SELECT i, 1 + (i::bigint * 7919) % 50000,
  CASE WHEN i % 50 = 0 THEN NULL ELSE 'user' || (i % 700000) || '@example.org' END,
  'Client ' || (i % 5000),
  CASE WHEN i % 20 = 0 THEN NULL WHEN i % 3 = 0 THEN upper('city ' || (i % 50)) ELSE 'City ' || (i % 50) END,
  (ARRAY['draft', 'sent', 'paid', 'late', 'void'])[1 + i % 5],
  CASE WHEN i % 40 = 0 THEN NULL ELSE round((random() * 10000)::numeric, 2) END,
  1 + i % 100, random(), DATE '2015-01-01' + (i % 3650),
  CASE WHEN i % 30 = 0 THEN NULL ELSE TIMESTAMP '2024-01-01' + (i % 31536000) * INTERVAL '1 second' END
FROM generate_series(1, ${rows}) AS g(i)`;

const TEXT = ['email', 'name', 'city', 'status'];
const NUMBERS = ['id', 'customer_id', 'amount', 'quantity', 'score'];
const DATES = ['created', 'updated'];

/** What an engineer writes by hand: one pass, every base metric of every column. */
function handWrittenQuery(): string {
  const select = ['count(*) AS n'];
  for (const c of [...NUMBERS, ...TEXT, ...DATES]) {
    select.push(`count(${c}) AS ${c}_count`, `count(*) - count(${c}) AS ${c}_nulls`);
    select.push(`count(DISTINCT ${c}) AS ${c}_distinct`, `min(${c}) AS ${c}_min`, `max(${c}) AS ${c}_max`);
    if (NUMBERS.includes(c)) select.push(`avg(${c}) AS ${c}_avg`, `stddev_pop(${c}) AS ${c}_stddev`);
    if (TEXT.includes(c)) {
      select.push(`min(length(${c})) AS ${c}_lmin`, `max(length(${c})) AS ${c}_lmax`);
      select.push(`avg(length(${c})) AS ${c}_lavg`);
    }
  }
  return `SELECT ${select.join(', ')} FROM bench.orders`;
}

// The columns stocktake summarises here (above 100,000 distinct values): quantiles for the numbers and dates,
// edge whitespace and null-like words for the text.
const SUMMARISED_NUMBERS = ['id', 'amount', 'score', 'updated'];
const SUMMARISED_TEXT = ['email'];

/**
 * The base metrics plus what one pass can compute of the rest of stocktake's profile: the quantiles, edge
 * whitespace and null-like words of the summarised columns, and the check of the two-column key
 * (customer_id, created). Left to stocktake alone: the frequency tables of the listed columns, the value sample.
 */
function handWrittenSameMetricsQuery(): string {
  const select = [handWrittenQuery().replace(/^SELECT | FROM bench\.orders$/g, '')];
  for (const c of SUMMARISED_NUMBERS) {
    const x = c === 'updated' ? `date_part('epoch', ${c}) / 86400` : c;
    select.push(`percentile_cont(ARRAY[0.05, 0.25, 0.5, 0.75, 0.95]) WITHIN GROUP (ORDER BY ${x}) AS ${c}_q`);
  }
  const spaces = EDGE_SPACES.join(', ');
  const words = NULL_LIKE_WORDS.flatMap(([, list]) => list.map((w) => `'${w.replaceAll("'", "''")}'`));
  for (const c of SUMMARISED_TEXT) {
    select.push(`count(*) FILTER (WHERE ascii(${c}) IN (${spaces})) AS ${c}_leading`);
    select.push(`count(*) FILTER (WHERE ascii(right(${c}, 1)) IN (${spaces})) AS ${c}_trailing`);
    select.push(`count(*) FILTER (WHERE ${c} = '') AS ${c}_empty`);
    select.push(`count(*) FILTER (WHERE lower(btrim(${c})) IN ('', ${words.join(', ')})) AS ${c}_null_like`);
  }
  select.push('count(DISTINCT (customer_id, created)) AS pair_distinct');
  return `SELECT ${select.join(', ')} FROM bench.orders`;
}

async function build(): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${database}`);
  await admin.destroy();
  const db = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  await db.raw('CREATE SCHEMA bench');
  await db.raw(TABLE);
  await db.raw(FILL);
  await db.raw('VACUUM ANALYZE bench.orders');
  await db.destroy();
}

async function main(): Promise<void> {
  const started = performance.now();
  await build();
  console.error(`built ${rows} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const hand = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 1, max: 1 } });
  const statements: string[] = [];
  const connector = await createPostgresConnector(
    { kind: 'postgres', url: url.toString() },
    {
      name: 'bench',
      mode: 'audit',
      onQuery: (sql) => statements.push(sql),
    },
  );
  await connector.inventory();
  const ours: number[] = [];
  const theirs: number[] = [];
  const same: number[] = [];
  let observation: Awaited<ReturnType<NonNullable<typeof connector.pushdownProfile>>> | undefined;
  // One warm-up of each (caches, connections), then alternating timed runs.
  await hand.raw(handWrittenQuery());
  await hand.raw(handWrittenSameMetricsQuery());
  await connector.pushdownProfile!({ name: 'bench.orders' });
  let perRun = 0;
  for (let run = 0; run < runs; run++) {
    let t = performance.now();
    await hand.raw(handWrittenQuery());
    theirs.push(performance.now() - t);
    t = performance.now();
    await hand.raw(handWrittenSameMetricsQuery());
    same.push(performance.now() - t);
    const before = statements.length;
    t = performance.now();
    observation = await connector.pushdownProfile!({ name: 'bench.orders' });
    ours.push(performance.now() - t);
    perRun = statements.length - before;
  }
  await connector.close();
  await hand.destroy();
  const rssMb = process.resourceUsage().maxRSS / 1024;
  const listed = observation!.columns.filter((c) => c.complete).length;
  const reference = median(theirs);
  const table: BenchRow[] = [
    {
      benchmark: `profile ${rows} rows × 11 columns`,
      subject: 'hand-written single-pass query',
      median_ms: reference,
      peak_rss_mb: rssMb,
      extra: '1 statement; base metrics only',
      ratio: 1,
    },
    {
      benchmark: `profile ${rows} rows × 11 columns`,
      subject: 'hand-written, same metrics',
      median_ms: median(same),
      peak_rss_mb: rssMb,
      extra: '1 statement; + quantiles, whitespace, null-likes, pair key (no frequency tables)',
      ratio: median(same) / reference,
    },
    {
      benchmark: `profile ${rows} rows × 11 columns`,
      subject: 'stocktake push-down',
      median_ms: median(ours),
      peak_rss_mb: rssMb,
      extra: `${perRun} statements; ${listed} columns listed, ${11 - listed} summarised + sampled; ${(median(ours) / median(same)).toFixed(2)}× the same-metrics query`,
      ratio: median(ours) / reference,
    },
  ];
  printTable(table);
  console.log(
    `runs: hand ${theirs.map((v) => v.toFixed(0)).join(', ')} ms; same metrics ${same.map((v) => v.toFixed(0)).join(', ')} ms; stocktake ${ours.map((v) => v.toFixed(0)).join(', ')} ms`,
  );
  console.log('peak RSS is this one process (both subjects; the hand-written query returns one row)');
}

await main();
