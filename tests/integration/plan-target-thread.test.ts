/**
 * A plan reads a large network target in a worker thread: the plan it makes (counts, samples,
 * fingerprints, rejects) is the one made by reading the target on the main thread, through spills on
 * both sides, and the worker's spill files are gone afterwards. A failure in the thread surfaces with
 * its error code.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Connector } from '../../src/connectors/types.ts';
import type { MappingPlan } from '../../src/core/plan.ts';
import { type PlanMappingOptions, planMapping } from '../../src/mappers/plan-mapping.ts';
import { preflight } from '../../src/mappers/preflight.ts';
import { openMappingConnectors } from '../../src/stages/plan-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const SCHEMA = 'st_b_target_thread';

const CONFIG = {
  sources: { legacy: { kind: 'postgres', url: SERVERS.postgres, schemas: [SCHEMA] } },
  targets: { newtool: { kind: 'postgres', url: SERVERS.postgres, schemas: [SCHEMA] } },
  mappings: [
    {
      name: 'customers',
      from: { source: 'legacy', dataset: `${SCHEMA}.src_customers` },
      to: { target: 'newtool', dataset: `${SCHEMA}.dst_customers`, key: ['ref'], mode: 'mirror' },
      fields: {
        ref: { from: 'id', transform: ['text', { prefix: 'C-' }] },
        name: { from: 'name' },
        amount: { from: 'amount' },
        created: { from: 'created' },
      },
    },
  ],
} as unknown as Config;

let db: Knex;
// tsx, loading the worker from the sources, keeps its cache in the same temporary directory.
const spillDirectories = () => readdirSync(spillRoot).filter((name) => name.startsWith('stocktake-diff-'));
let spillRoot: string;
let savedTmp: string | undefined;

describe.skipIf(!pgUp)('plan with the target read in a thread', () => {
  beforeAll(async () => {
    db = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await db.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await db.raw(`CREATE SCHEMA ${SCHEMA}`);
    await db.raw(`CREATE TABLE ${SCHEMA}.src_customers (id integer PRIMARY KEY, name text, amount numeric(12,2),
      created timestamptz)`);
    await db.raw(`INSERT INTO ${SCHEMA}.src_customers SELECT i, 'Client ' || i, round(i / 7.0, 2),
      TIMESTAMPTZ '2020-01-01 00:00:00+00' + i * INTERVAL '1 minute' FROM generate_series(1, 3000) AS g(i)`);
    await db.raw(`CREATE TABLE ${SCHEMA}.dst_customers (ref varchar(20) PRIMARY KEY, name text,
      amount numeric(14,4), created timestamptz)`);
    // 2,900 of the rows, 1 in 100 renamed, and 50 rows the source lacks.
    await db.raw(`INSERT INTO ${SCHEMA}.dst_customers SELECT 'C-' || id,
      CASE WHEN id % 100 = 0 THEN 'Renamed ' || id ELSE name END, amount, created
      FROM ${SCHEMA}.src_customers WHERE id <= 2900 ORDER BY random()`);
    await db.raw(`INSERT INTO ${SCHEMA}.dst_customers SELECT 'X-' || i, 'Gone', 1, NULL
      FROM generate_series(1, 50) AS g(i)`);
    await db.raw(`ANALYZE ${SCHEMA}.src_customers, ${SCHEMA}.dst_customers`);
    // The spill directories of this suite's own, so that other runs do not count.
    spillRoot = mkdtempSync(join(tmpdir(), 'st-b-thread-'));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = spillRoot;
  });

  afterAll(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    rmSync(spillRoot, { recursive: true, force: true });
    await db.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await db.destroy();
  });

  /** Plans the mapping; the target connector given is the one the main thread would read. */
  async function plan(
    target: (connector: Connector) => Connector,
    options: PlanMappingOptions,
  ): Promise<MappingPlan> {
    const connectors = await openMappingConnectors(CONFIG, { targetMode: 'audit' });
    try {
      const [prepared] = preflight({
        config: CONFIG,
        sources: connectors.sources,
        targets: connectors.targets,
      });
      return await planMapping(
        prepared!,
        connectors.sources.get('legacy')!.connector,
        target(connectors.targets.get('newtool')!.connector),
        { memoryRows: 400, samples: 3, ...options },
      );
    } finally {
      await connectors.close();
    }
  }

  // A target connector the main thread must not read: the rows come from the thread's own connection.
  const unread = (connector: Connector): Connector =>
    new Proxy(connector, {
      get: (object, property, receiver) => {
        if (property === 'read')
          return () => {
            throw new Error('the main thread read the target');
          };
        const value = Reflect.get(object, property, receiver);
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });

  it('makes the plan the main thread makes, through spills on both sides, and leaves no spill file', async () => {
    const entry = CONFIG.targets!.newtool!;
    const progress: number[] = [];
    const threaded = await plan(unread, {
      targetThread: { entry, minRows: 0 },
      onProgress: (side, rows) => {
        if (side === 'target') progress.push(rows);
      },
    });
    const direct = await plan((c) => c, {});
    expect({ ...threaded, durationMs: 0 }).toEqual({ ...direct, durationMs: 0 });
    expect(threaded).toMatchObject({ inserts: 100, updates: 29, deletes: 50, unchanged: 2871, rejects: 0 });
    expect(threaded.target.fingerprint.rows).toBe(2950);
    expect(progress.at(-1)).toBe(2950);
    expect(spillDirectories()).toEqual([]);
  });

  it('reads the target on the main thread below the row threshold', async () => {
    const entry = CONFIG.targets!.newtool!;
    await expect(plan(unread, { targetThread: { entry, minRows: 1_000_000 } })).rejects.toThrow(
      'the main thread read the target',
    );
  });

  it('fails with the error code the thread met, and removes what it spilled', async () => {
    // The thread opens the target from its entry: one filtering every table out cannot read it.
    const entry = { ...CONFIG.targets!.newtool!, schemas: ['pg_catalog'] } as NonNullable<
      Config['targets']
    >[string];
    await expect(plan(unread, { targetThread: { entry, minRows: 0 } })).rejects.toMatchObject({
      code: 'FILTER_MATCHED_NOTHING',
    });
    expect(spillDirectories()).toEqual([]);
  });
});
