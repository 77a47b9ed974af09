/**
 * Inventory benchmark: a PostgreSQL schema of 1,000 tables × 20 columns with foreign keys,
 * inventoried by stocktake beside `pg_dump --schema-only` on the same database, in the same run.
 * Prints wall time (median of the runs), catalog queries and peak memory.
 *
 *   npx tsx bench/inventory.ts [tables=1000] [runs=5]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import { bundledBenchChild } from './bench-child.ts';
import { type BenchRow, median, printTable } from './bench-table.ts';

const tables = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 5);
const adminUrl = process.env.STOCKTAKE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = 'stocktake_bench_inventory';
const url = new URL(adminUrl);
url.pathname = `/${database}`;

async function buildSchema(): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${database}`);
  await admin.destroy();
  const db = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  const statements: string[] = ['CREATE SCHEMA bench'];
  for (let t = 0; t < tables; t++) {
    const columns = ['id integer PRIMARY KEY'];
    // Every table but the first references an earlier one, as a legacy schema does.
    if (t > 0) columns.push(`parent_id integer REFERENCES bench.t${Math.floor(t / 2)} (id)`);
    for (let c = columns.length; c < 20; c++) {
      const type = ['text', 'integer', 'numeric(12,2)', 'date', 'timestamptz', 'boolean', 'varchar(80)'][
        c % 7
      ];
      columns.push(
        `c${c} ${type}${c % 5 === 0 ? ' NOT NULL DEFAULT 0' : ''}`.replace(
          /(date|timestamptz|boolean) NOT NULL DEFAULT 0/,
          '$1',
        ),
      );
    }
    statements.push(`CREATE TABLE bench.t${t} (${columns.join(', ')})`);
    if (t % 3 === 0) statements.push(`CREATE INDEX t${t}_c2 ON bench.t${t} (c2)`);
    statements.push(`INSERT INTO bench.t${t} (id) SELECT g FROM generate_series(1, ${t % 10}) g`);
  }
  for (let i = 0; i < statements.length; i += 200) await db.raw(statements.slice(i, i + 200).join(';\n'));
  await db.raw('ANALYZE');
  await db.destroy();
}

// The child runs bundled as the command line does (bench-child.ts).
let childBundle = '';

// Node reads and parses the certificates a NODE_EXTRA_CA_CERTS file names at every start, before any code
// runs (30-40 ms for the Debian bundle on these machines; a PostgreSQL connection without TLS never uses them).
// The child runs without it, as on a machine that does not set it; a row measures the start with it.
const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...environmentWithoutExtraCerts } = process.env;

function timeStocktake(
  counts: 'exact' | 'estimates',
  env: NodeJS.ProcessEnv = environmentWithoutExtraCerts,
): {
  ms: number;
  wallMs: number;
  queries: number;
  rssMb: number;
  datasets: number;
} {
  const started = performance.now();
  const child = spawnSync(process.execPath, [childBundle, url.toString(), counts], { encoding: 'utf8', env });
  const wallMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`inventory child failed: ${child.stderr}`);
  return { ...JSON.parse(child.stdout.trim().split('\n').pop()!), wallMs };
}

function timePgDump(): { ms: number; rssMb: number } {
  const started = performance.now();
  const child = spawnSync(
    '/usr/bin/time',
    ['-f', '%M', 'pg_dump', '--schema-only', '-f', '/dev/null', url.toString()],
    {
      encoding: 'utf8',
    },
  );
  const ms = performance.now() - started;
  if (child.status !== 0) throw new Error(`pg_dump failed: ${child.stderr}`);
  const rssKb = Number(child.stderr.trim().split('\n').pop());
  return { ms, rssMb: rssKb / 1024 };
}

/** Runs the benchmark and returns its rows. */
export async function benchInventory(): Promise<BenchRow[]> {
  console.error(`building ${tables} tables × 20 columns in ${database}…`);
  await buildSchema();
  childBundle = await bundledBenchChild(new URL('./inventory-child.ts', import.meta.url).href);
  const ours: ReturnType<typeof timeStocktake>[] = [];
  const estimated: ReturnType<typeof timeStocktake>[] = [];
  const withExtraCerts: ReturnType<typeof timeStocktake>[] = [];
  const dumps: ReturnType<typeof timePgDump>[] = [];
  // Alternate the subjects so all see the same machine load.
  for (let i = 0; i < runs; i++) {
    ours.push(timeStocktake('exact'));
    dumps.push(timePgDump());
    estimated.push(timeStocktake('estimates'));
    if (extraCaCerts) withExtraCerts.push(timeStocktake('exact', process.env));
  }
  // Both sides are timed as whole processes (stocktake's includes Node's start-up and module loading).
  const dumpMs = median(dumps.map((r) => r.ms));
  const row = (subject: string, runs: ReturnType<typeof timeStocktake>[]): BenchRow => ({
    benchmark: `inventory ${tables} tables × 20 cols`,
    subject,
    median_ms: median(runs.map((r) => r.wallMs)),
    peak_rss_mb: Math.max(...runs.map((r) => r.rssMb)),
    extra: `${runs[0]!.queries} catalog queries, ${runs[0]!.datasets} datasets, ${median(runs.map((r) => r.ms)).toFixed(0)} ms in the catalog`,
    ratio: median(runs.map((r) => r.wallMs)) / dumpMs,
  });
  return [
    row('stocktake inventory', ours),
    // pg_dump counts no rows: the same inventory with the catalog's estimates instead of exact counts.
    row('stocktake, estimated counts', estimated),
    ...(extraCaCerts ? [row('stocktake, NODE_EXTRA_CA_CERTS set', withExtraCerts)] : []),
    {
      benchmark: `inventory ${tables} tables × 20 cols`,
      subject: 'pg_dump --schema-only',
      median_ms: dumpMs,
      peak_rss_mb: Math.max(...dumps.map((r) => r.rssMb)),
      extra: '',
      ratio: 1,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printTable(await benchInventory());
}
