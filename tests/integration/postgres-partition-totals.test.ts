/**
 * Row totals of a PostgreSQL partitioned table the inventory could not count (never analyzed, `exactBelow: 0`):
 * the console says the rows were not counted instead of `~0 rows`, and once profiled the report counts each row
 * once: the profile's count of the partitioned table holds its partitions' rows.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { buildReportData } from '../../src/report/html/report-model.ts';
import { summariseInventory } from '../../src/report/inventory-console.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const DB = 'h4_partition_totals';
const withDatabase = () => {
  const u = new URL(SERVERS.postgres);
  u.pathname = `/${DB}`;
  return u.toString();
};

// 30 rows a partition: under autovacuum's analyze threshold (50 rows), so no statistics ever estimate them.
const SCHEMA = `
CREATE TABLE measure (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE measure_2023 PARTITION OF measure FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE measure_2024 PARTITION OF measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO measure SELECT g, DATE '2023-01-01' + g FROM generate_series(1, 30) g;
INSERT INTO measure SELECT g, DATE '2024-01-01' + g FROM generate_series(1, 30) g;
`;

describe.skipIf(!up)('PostgreSQL partitioned table without a row count', () => {
  let admin: Knex;

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${DB}`);
    const db = knexFactory({ client: 'pg', connection: withDatabase(), pool: { min: 0, max: 1 } });
    await db.raw(SCHEMA);
    await db.destroy();
  });

  afterAll(async () => {
    await admin?.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.destroy();
  });

  const config = {
    sources: { pg: { kind: 'postgres', url: withDatabase(), rowCounts: { exactBelow: 0 } } },
  } as unknown as Config;

  it('is not counted in the console', async () => {
    const inventory = await runInventory(config);
    expect(inventory.sources[0]!.datasets.map((d) => [d.name, d.rowCount])).toEqual([
      ['public.measure', null],
      ['public.measure_2023', null],
      ['public.measure_2024', null],
    ]);
    expect(summariseInventory(inventory)).toContain(
      '      1 partitioned table, 2 partitions; rows not counted',
    );
  });

  it('is counted once in the report of its profile', async () => {
    const inventory = await runInventory(config);
    const profile = await runProfile(config, inventory);
    const data = buildReportData(
      { inventory, profile },
      { lang: 'en', locale: 'en-GB', title: 'Audit', messages: {} },
    );
    expect(data.datasets.map((d) => [d.name, d.rows, d.inTotal])).toEqual([
      ['public.measure', 60, true],
      ['public.measure_2023', 30, false],
      ['public.measure_2024', 30, false],
    ]);
  });
});
