/**
 * The plan predicts foreign-key violations: a child row whose parent is neither in the target nor
 * inserted by an earlier mapping is a `REJECT_FOREIGN_KEY` reject in the plan, and migrate rejects it
 * with the same code instead of sending it to the database.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const SCHEMA = 'st_fkplan';
type TargetKind = 'sqlite' | 'postgres';
const pgUp = await serverAvailable('postgres');
const TARGETS: readonly TargetKind[] = pgUp ? ['sqlite', 'postgres'] : ['sqlite'];

let dir: string;
let source: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'st-fkplan-'));
  source = join(dir, 'source.sqlite');
  const db = new Database(source);
  db.exec(`CREATE TABLE src_customers (id INTEGER PRIMARY KEY, name TEXT);
    INSERT INTO src_customers VALUES (3, 'Three'), (4, 'Four');
    CREATE TABLE src_orders (id INTEGER PRIMARY KEY, customer_id INTEGER);
    INSERT INTO src_orders VALUES (10, 1), (11, 2), (12, 3), (13, 4), (14, 3), (15, 42), (16, 99), (17, NULL);`);
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DDL = (prefix: string) => [
  `CREATE TABLE ${prefix}customers (id integer PRIMARY KEY, name text)`,
  `CREATE TABLE ${prefix}orders (id integer PRIMARY KEY, customer_id integer REFERENCES ${prefix}customers(id))`,
  `INSERT INTO ${prefix}customers VALUES (1, 'One'), (2, 'Two')`,
];

async function prepareTarget(
  kind: TargetKind,
): Promise<{ target: unknown; parent: string; done: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const file = join(dir, 'target.sqlite');
    rmSync(file, { force: true });
    const db = new Database(file);
    for (const sql of DDL('')) db.exec(sql);
    db.close();
    return { target: { kind: 'sqlite', path: file }, parent: 'customers', done: async () => undefined };
  }
  const pg: Knex = knexFactory({ client: 'pg', connection: SERVERS.postgres });
  await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await pg.raw(`CREATE SCHEMA ${SCHEMA}`);
  for (const sql of DDL(`${SCHEMA}.`)) await pg.raw(sql);
  return {
    target: { kind: 'postgres', url: SERVERS.postgres, schemas: [SCHEMA] },
    parent: `${SCHEMA}.customers`,
    done: async () => {
      await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await pg.destroy();
    },
  };
}

describe.each(TARGETS)('foreign keys predicted, %s target', (kind) => {
  let config: Config;
  let parent: string;
  let done: () => Promise<void>;
  beforeAll(async () => {
    const t = await prepareTarget(kind);
    parent = t.parent;
    done = t.done;
    config = {
      sources: { legacy: { kind: 'sqlite', path: source } },
      targets: { newtool: t.target },
      // Listed child first: the plan orders the mappings by the target's foreign keys.
      mappings: [
        {
          name: 'orders',
          from: { source: 'legacy', dataset: 'src_orders' },
          to: { target: 'newtool', dataset: 'orders', key: ['id'], mode: 'upsert' },
          fields: { id: { from: 'id' }, customer_id: { from: 'customer_id' } },
        },
        {
          name: 'crm-accounts',
          from: { source: 'legacy', dataset: 'src_customers' },
          to: { target: 'newtool', dataset: 'customers', key: ['id'], mode: 'upsert' },
          fields: { id: { from: 'id' }, name: { from: 'name' } },
        },
      ],
    } as unknown as Config;
  });
  afterAll(() => done());

  it('plans parents in the target and inserted first as valid, missing ones as REJECT_FOREIGN_KEY', async () => {
    const plan = await runPlan(config, { showSamples: true });
    const orders = plan.mappings.find((m) => m.name === 'orders')!;
    // 2 with parents in the target, 3 with parents crm-accounts inserts, 1 NULL; 42 and 99 are missing.
    expect(orders).toMatchObject({ inserts: 6, updates: 0, rejects: 2 });
    expect(orders.rejectsByCode).toEqual({ REJECT_FOREIGN_KEY: 2 });
    const reasons = JSON.stringify(orders.samples);
    expect(reasons).toContain(
      `references ${parent}(id), which is neither in the target nor inserted by mapping crm-accounts`,
    );
    expect(plan.mappings.find((m) => m.name === 'crm-accounts')).toMatchObject({ inserts: 2, rejects: 0 });
  });

  it.each(['without a plan', 'with the saved plan'])(
    'migrates the others and rejects the same rows with the same code, none by the database (%s)',
    async (how) => {
      await done();
      done = (await prepareTarget(kind)).done;
      const rejectsDir = join(dir, `rejects-${kind}-${how.length}`);
      const plan = how === 'with the saved plan' ? await runPlan(config) : undefined;
      const { run } = await runMigrate(config, {
        rejectsDir,
        ...(plan ? { plan: { file: 'plan.json', document: plan } } : {}),
      });
      const orders = run.mappings.find((m) => m.name === 'orders')!;
      expect(orders).toMatchObject({ inserted: 6, status: 'done' });
      expect(orders.rejected).toEqual({ mapping: 2, database: 0 });
      const lines = readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8').trim().split('\n');
      const codes = lines.map((l) => JSON.parse(l) as { code: string; key: { id: number } });
      expect(codes.map((c) => [c.code, c.key.id])).toEqual([
        ['REJECT_FOREIGN_KEY', 15],
        ['REJECT_FOREIGN_KEY', 16],
      ]);
    },
  );
});
