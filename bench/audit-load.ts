/**
 * Audit under load: one `stocktake audit` of 20 sources (8 PostgreSQL schemas, 4 MariaDB databases,
 * 4 SQLite files, 4 CSV folders; every other network source with a pool of 2, the rest 4), with each
 * source's connections counted from the servers' side; then one audit of a PostgreSQL schema of 1,000
 * tables beside one of 10 tables of the same schema. Prints wall time, the child's peak resident set
 * and the most connections each source held at once.
 *
 *   npx tsx bench/audit-load.ts [tablesPerSource=20] [rowsPerTable=2000] [wideTables=1000]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildMixedEstate,
  buildWideSchema,
  dropEstate,
  runStocktake,
  watchConnections,
} from './audit-load-estate.ts';
import { type BenchRow, printTable } from './bench-table.ts';

const tablesPerSource = Number(process.argv[2] ?? 20);
const rowsPerTable = Number(process.argv[3] ?? 2000);
const wideTables = Number(process.argv[4] ?? 1000);
const pgUrl = process.env.STOCKTAKE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const mysqlUrl = process.env.STOCKTAKE_BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const prefix = 'stocktake_bench_load_';
const wideDb = `${prefix}wide`;
const mysqlSources = 4;

const dir = mkdtempSync(join(tmpdir(), 'stocktake-bench-load-'));
try {
  console.error(
    `building 20 sources × ${tablesPerSource} tables × ${rowsPerTable} rows and ${wideTables} tables`,
  );
  const sources = await buildMixedEstate({
    pgUrl,
    mysqlUrl,
    prefix,
    dir,
    postgres: 8,
    mysql: mysqlSources,
    sqlite: 4,
    csv: 4,
    tablesPerSource,
    rowsPerTable,
  });
  await buildWideSchema(pgUrl, wideDb, wideTables, 5);
  const url = new URL(pgUrl);
  url.pathname = `/${wideDb}`;
  writeFileSync(
    join(dir, 'wide.yaml'),
    `sources:\n  wide: { kind: postgres, url: "${url}", schemas: [wide] }\n`,
  );
  const ten = Array.from({ length: 10 }, (_, i) => `t${i}`).join(', ');
  writeFileSync(
    join(dir, 'narrow.yaml'),
    `sources:\n  wide: { kind: postgres, url: "${url}", schemas: [wide], include: [${ten}] }\n`,
  );

  const watcher = watchConnections(pgUrl, mysqlUrl, prefix, mysqlSources);
  const mixed = await runStocktake(['audit', '-o', 'out', '-q'], dir);
  const seen = await watcher.stop();
  if (mixed.code !== 0) throw new Error(`audit of 20 sources exited ${mixed.code}: ${mixed.stderr}`);
  const narrow = await runStocktake(['audit', '-c', 'narrow.yaml', '-o', 'narrow', '-q'], dir);
  const wide = await runStocktake(['audit', '-c', 'wide.yaml', '-o', 'wide', '-q'], dir);
  if (wide.code !== 0 || narrow.code !== 0)
    throw new Error(`audit of the wide schema failed: ${wide.stderr}`);

  const network = sources.filter((s) => s.kind === 'postgres' || s.kind === 'mariadb');
  const connections = network
    .map((s) => `${s.name} ${seen.perSource.get(s.name) ?? 0}/${s.poolMax ?? 4}`)
    .join(', ');
  const over = network.filter((s) => (seen.perSource.get(s.name) ?? 0) > (s.poolMax ?? 4));
  console.error(`most connections per source (seen/bound): ${connections}`);
  console.error(`sources connected at once: ${seen.sourcesAtOnce}; samples: ${seen.samples}`);
  if (over.length > 0) throw new Error(`pool bound exceeded by ${over.map((s) => s.name).join(', ')}`);
  const rows: BenchRow[] = [
    {
      benchmark: 'audit-load',
      subject: `20 sources × ${tablesPerSource} tables × ${rowsPerTable} rows`,
      median_ms: mixed.wallMs,
      peak_rss_mb: mixed.peakRssMb,
      extra: `${seen.sourcesAtOnce} sources connected at once; max connections/source ${Math.max(...seen.perSource.values())} (bounds 2 and 4)`,
      ratio: 1,
    },
    {
      benchmark: 'audit-load',
      subject: '10 tables of one schema',
      median_ms: narrow.wallMs,
      peak_rss_mb: narrow.peakRssMb,
      extra: 'baseline of the next row',
      ratio: narrow.wallMs / mixed.wallMs,
    },
    {
      benchmark: 'audit-load',
      subject: `${wideTables} tables of one schema`,
      median_ms: wide.wallMs,
      peak_rss_mb: wide.peakRssMb,
      extra: `peak RSS +${(wide.peakRssMb - narrow.peakRssMb).toFixed(0)} MB over 10 tables`,
      ratio: wide.wallMs / mixed.wallMs,
    },
  ];
  printTable(rows);
} finally {
  await dropEstate(pgUrl, mysqlUrl, prefix, mysqlSources, [wideDb]);
  rmSync(dir, { recursive: true, force: true });
}
