/**
 * Load: one audit of 20 sources (PostgreSQL schemas, MariaDB databases, SQLite files, CSV folders)
 * whose connections are counted from the servers' side, each within its pool bound; and one audit of
 * 1,000 tables whose peak resident set stays bounded. The larger figures come from
 * `npx tsx bench/audit-load.ts`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMixedEstate,
  buildWideSchema,
  dropEstate,
  type LoadSource,
  runStocktake,
  watchConnections,
} from '../../bench/audit-load-estate.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');

const PREFIX = 'st_load_';
const WIDE_DB = `${PREFIX}wide`;
const MYSQL_SOURCES = 4;
const DEFAULT_POOL = 4;
const WIDE_TABLES = 1000;
// Generous: the CLI with every module loaded sits near 150 MB; 1,000 datasets may add what their
// documents weigh, not what their rows weigh.
const PEAK_RSS_MB = 450;
const GROWTH_MB = 200;

let dir: string;
let sources: LoadSource[] = [];

describe.runIf(pgUp && myUp)('load', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-load-'));
    sources = await buildMixedEstate({
      pgUrl: SERVERS.postgres,
      mysqlUrl: SERVERS.mysql,
      prefix: PREFIX,
      dir,
      postgres: 8,
      mysql: MYSQL_SOURCES,
      sqlite: 4,
      csv: 4,
      tablesPerSource: 5,
      rowsPerTable: 100,
    });
    await buildWideSchema(SERVERS.postgres, WIDE_DB, WIDE_TABLES, 5);
    const url = new URL(SERVERS.postgres);
    url.pathname = `/${WIDE_DB}`;
    writeFileSync(
      join(dir, 'wide.yaml'),
      `sources:\n  wide: { kind: postgres, url: "${url}", schemas: [wide] }\n`,
    );
    const ten = Array.from({ length: 10 }, (_, i) => `t${i}`).join(', ');
    writeFileSync(
      join(dir, 'narrow.yaml'),
      `sources:\n  wide: { kind: postgres, url: "${url}", schemas: [wide], include: [${ten}] }\n`,
    );
  }, 120_000);

  afterAll(async () => {
    await dropEstate(SERVERS.postgres, SERVERS.mysql, PREFIX, MYSQL_SOURCES, [WIDE_DB]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('audits 20 sources at once, each within its connection pool', { timeout: 120_000 }, async () => {
    expect(sources).toHaveLength(20);
    const watcher = watchConnections(SERVERS.postgres, SERVERS.mysql, PREFIX, MYSQL_SOURCES);
    const run = await runStocktake(['audit', '-o', 'out', '-q'], dir);
    const { perSource, sourcesAtOnce, samples } = await watcher.stop();
    expect(run.code, run.stderr).toBe(0);

    const inventory = JSON.parse(readFileSync(join(dir, 'out/inventory.json'), 'utf8')) as {
      sources: { name: string; status: string; datasets: unknown[] }[];
    };
    expect(inventory.sources.map((s) => [s.name, s.status, s.datasets.length])).toEqual(
      sources.map((s) => [s.name, 'ok', 5]),
    );
    const profile = JSON.parse(readFileSync(join(dir, 'out/profile.json'), 'utf8')) as {
      datasets: unknown[];
    };
    expect(profile.datasets).toHaveLength(100);

    // Every network source was seen by its server, never above its bound.
    expect(samples).toBeGreaterThan(3);
    for (const source of sources.filter((s) => s.kind === 'postgres' || s.kind === 'mariadb')) {
      const most = perSource.get(source.name) ?? 0;
      expect({ source: source.name, seen: most > 0 }).toEqual({ source: source.name, seen: true });
      expect(most, source.name).toBeLessThanOrEqual(source.poolMax ?? DEFAULT_POOL);
    }
    // The sources ran side by side, not one after the other.
    expect(sourcesAtOnce).toBeGreaterThan(1);
  });

  it('audits 1,000 tables of one schema with a bounded resident set', { timeout: 180_000 }, async () => {
    const narrow = await runStocktake(['audit', '-c', 'narrow.yaml', '-o', 'narrow', '-q'], dir);
    expect(narrow.code, narrow.stderr).toBe(0);
    const wide = await runStocktake(['audit', '-c', 'wide.yaml', '-o', 'wide', '-q'], dir);
    expect(wide.code, wide.stderr).toBe(0);
    const profile = JSON.parse(readFileSync(join(dir, 'wide/profile.json'), 'utf8')) as {
      datasets: unknown[];
      findings: { code: string; message: string }[];
    };
    const failed = profile.findings.filter((f) => f.code === 'PROFILE_FAILED').slice(0, 3);
    expect({ profiled: profile.datasets.length, failed }).toEqual({ profiled: WIDE_TABLES, failed: [] });
    const growth = wide.peakRssMb - narrow.peakRssMb;
    console.info(
      `1,000 tables: ${(wide.wallMs / 1000).toFixed(1)} s, peak RSS ${wide.peakRssMb.toFixed(0)} MB (10 tables: ${narrow.peakRssMb.toFixed(0)} MB, growth ${growth.toFixed(0)} MB)`,
    );
    if (narrow.peakRssMb > 0) {
      expect(wide.peakRssMb).toBeLessThan(PEAK_RSS_MB);
      expect(growth).toBeLessThan(GROWTH_MB);
    }
  });
});
