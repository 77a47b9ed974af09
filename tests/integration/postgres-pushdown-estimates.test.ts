/**
 * PostgreSQL push-down with the planner's statistics: columns far below the distinct limit are listed
 * without a COUNT(DISTINCT) first, and the profile is the same as without statistics, including when a stale
 * estimate is wrong.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import type { Connector } from '../../src/connectors/types.ts';
import type { DatasetObservation } from '../../src/profilers/observation.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const DB = 'stocktake_it_pd_estimates';
const url = (database: string) => {
  const u = new URL(SERVERS.postgres);
  u.pathname = `/${database}`;
  return u.toString();
};

// Autovacuum off: the test decides when statistics exist and when they are stale.
const SCHEMA = `
CREATE TABLE orders (
  id integer PRIMARY KEY, grp integer NOT NULL, label text, flag boolean, amount numeric(10, 2), v integer NOT NULL
) WITH (autovacuum_enabled = false);
INSERT INTO orders
SELECT i, i % 7, CASE WHEN i % 9 = 0 THEN NULL ELSE 'L' || (i % 40) END, i % 3 = 0,
  CASE WHEN i % 10 = 0 THEN NULL ELSE i * 1.5 END, 1
FROM generate_series(1, 1000) AS g(i);`;

describe.skipIf(!up)('PostgreSQL push-down and planner estimates', () => {
  let admin: Knex;
  let db: Knex;
  let connector: Connector;
  const queries: string[] = [];

  /** One profile and the COUNT(DISTINCT) its counting statement computed, by column. */
  async function profile(
    distinctLimit?: number,
  ): Promise<{ observation: DatasetObservation; counted: string[] }> {
    await connector.inventory();
    const before = queries.length;
    const observation = await connector.pushdownProfile!(
      { name: 'public.orders' },
      distinctLimit === undefined ? {} : { distinctLimit },
    );
    const counting = queries.slice(before).find((sql) => sql.startsWith('SELECT COUNT(*) AS n'))!;
    const counted = [...counting.matchAll(/COUNT\(DISTINCT (?:\()?t\."(\w+)"/g)].map((m) => m[1]!);
    return { observation, counted };
  }

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${DB}`);
    db = knexFactory({ client: 'pg', connection: url(DB), pool: { min: 0, max: 1 } });
    await db.raw(SCHEMA);
    connector = await createPostgresConnector({ kind: 'postgres', url: url(DB) } as never, {
      name: 'estimates',
      mode: 'audit',
      onQuery: (sql) => queries.push(sql),
    });
  });

  afterAll(async () => {
    await connector?.close();
    await db?.destroy();
    await admin?.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.destroy();
  });

  it('lists low-cardinality columns without counting them, with the same profile', async () => {
    const without = await profile();
    // Without statistics only the boolean skips the count (it is listed whatever happens).
    expect(without.counted).toEqual(['id', 'grp', 'label', 'amount', 'v']);
    await db.raw('ANALYZE orders');
    const withStats = await profile();
    // The primary key is always counted; every other column is estimated far below the limit.
    expect(withStats.counted).toEqual(['id']);
    expect(withStats.observation).toEqual(without.observation);
    expect(withStats.observation.columns.every((c) => c.complete)).toBe(true);
    expect(withStats.observation.candidateKeys).toEqual([['id']]);
  });

  it('summarises a column whose stale estimate said it was tiny, as if it had been counted', async () => {
    await db.raw('ANALYZE orders');
    await db.raw('UPDATE orders SET v = id');
    const stale = await profile(50);
    expect(stale.counted).not.toContain('v');
    await db.raw('ANALYZE orders');
    const fresh = await profile(50);
    expect(fresh.counted).toContain('v');
    const v = stale.observation.columns.find((c) => c.name === 'v')!;
    expect(v.complete).toBe(false);
    expect(v.aggregates?.distinct).toBe(1000);
    expect(stale.observation).toEqual(fresh.observation);
  });
});
