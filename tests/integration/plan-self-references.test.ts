/**
 * A foreign key referencing its own table (`employees.manager_id → employees.id`): the plan rejects
 * exactly the rows whose manager will not be there (missing, itself rejected, or on a cycle of new rows),
 * and migrate lands the others in batches of 3, each manager before the rows that reference it, on every
 * target, with no row refused by the database and every reference intact.
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

const DB = 'stocktake_plan_selfref';
type TargetKind = 'sqlite' | 'postgres' | 'mariadb';
const TARGETS: readonly TargetKind[] = [
  'sqlite',
  ...((await serverAvailable('postgres')) ? (['postgres'] as const) : []),
  ...((await serverAvailable('mysql')) ? (['mariadb'] as const) : []),
];

/** A chain of new employees, each managed by the next one, the last by the boss: written last to first. */
const CHAIN = Array.from({ length: 30 }, (_, i) => [100 + i, i === 29 ? 1 : 101 + i] as const);
const SOURCE_ROWS: readonly (readonly [number, number | null])[] = [
  [1, null], // the boss, unchanged
  [2, 11], // an employee of the target now managed by a new one: updated after 11 is inserted
  [10, 1],
  [11, 12],
  [12, 13],
  [13, 10],
  [14, 99], // 99 exists nowhere
  [15, 14], // its manager is rejected
  [16, 17], // 16 and 17 manage each other: no order can write them
  [17, 16],
  [18, 18], // manages itself
  [19, null],
  [20, 3], // 3 is in the target (deleted in mirror mode)
  ...CHAIN,
];
const REJECTED = [14, 15, 16, 17];

let dir: string;
let source: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'st-selfref-'));
  source = join(dir, 'source.sqlite');
  const db = new Database(source);
  db.exec('CREATE TABLE staff (id INTEGER PRIMARY KEY, name TEXT, manager INTEGER)');
  const insert = db.prepare('INSERT INTO staff VALUES (?, ?, ?)');
  for (const [id, manager] of SOURCE_ROWS) insert.run(id, id === 1 ? 'Boss' : `E${id}`, manager);
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DDL = [
  'CREATE TABLE employees (id integer PRIMARY KEY, name varchar(40), manager_id integer REFERENCES employees(id))',
  "INSERT INTO employees VALUES (1, 'Boss', NULL), (2, 'E2', 1), (3, 'E3', 1)",
];

interface Target {
  readonly entry: unknown;
  readonly table: string;
  readonly rows: () => Promise<[number, number | null][]>;
  readonly done: () => Promise<void>;
}

async function prepareTarget(kind: TargetKind): Promise<Target> {
  if (kind === 'sqlite') {
    const file = join(dir, 'target.sqlite');
    rmSync(file, { force: true });
    const db = new Database(file);
    for (const sql of DDL) db.exec(sql);
    db.close();
    return {
      entry: { kind: 'sqlite', path: file },
      table: 'employees',
      rows: async () => {
        const read = new Database(file, { readonly: true });
        const rows = read.prepare('SELECT id, manager_id FROM employees ORDER BY id').raw().all();
        read.close();
        return rows as [number, number | null][];
      },
      done: async () => undefined,
    };
  }
  const admin: Knex =
    kind === 'postgres'
      ? knexFactory({ client: 'pg', connection: SERVERS.postgres })
      : knexFactory({ client: 'mysql2', connection: SERVERS.mysql });
  await admin.raw(`DROP DATABASE IF EXISTS ${DB}`);
  await admin.raw(`CREATE DATABASE ${DB}`);
  await admin.destroy();
  const url = new URL(kind === 'postgres' ? SERVERS.postgres : SERVERS.mysql);
  url.pathname = `/${DB}`;
  const db: Knex = knexFactory({
    client: kind === 'postgres' ? 'pg' : 'mysql2',
    connection: url.toString(),
  });
  for (const sql of DDL) await db.raw(sql);
  return {
    entry: { kind, url: url.toString(), ...(kind === 'postgres' ? { schemas: ['public'] } : {}) },
    table: kind === 'postgres' ? 'public.employees' : `${DB}.employees`,
    rows: async () =>
      (await db('employees').select('id', 'manager_id').orderBy('id')).map(
        (r: { id: number; manager_id: number | null }) => [r.id, r.manager_id] as [number, number | null],
      ),
    done: async () => {
      await db.destroy();
      const again: Knex =
        kind === 'postgres'
          ? knexFactory({ client: 'pg', connection: SERVERS.postgres })
          : knexFactory({ client: 'mysql2', connection: SERVERS.mysql });
      await again.raw(`DROP DATABASE IF EXISTS ${DB}${kind === 'postgres' ? ' WITH (FORCE)' : ''}`);
      await again.destroy();
    },
  };
}

function configFor(target: Target, mode: 'upsert' | 'mirror'): Config {
  return {
    sources: { legacy: { kind: 'sqlite', path: source } },
    targets: { newtool: target.entry },
    mappings: [
      {
        name: 'staff',
        from: { source: 'legacy', dataset: 'staff' },
        to: { target: 'newtool', dataset: 'employees', key: ['id'], mode },
        fields: { id: {}, name: {}, manager_id: { from: 'manager' } },
      },
    ],
  } as unknown as Config;
}

describe.each(TARGETS)('a self-referencing foreign key, %s target', (kind) => {
  let target: Target;
  beforeAll(async () => {
    target = await prepareTarget(kind);
  });
  afterAll(() => target.done());

  it('plans the rows whose manager will not be there as REJECT_FOREIGN_KEY, and nothing else', async () => {
    const plan = await runPlan(configFor(target, 'upsert'), { showSamples: true, samples: 10 });
    const m = plan.mappings[0]!;
    expect(m).toMatchObject({ inserts: 7 + CHAIN.length, updates: 1, unchanged: 1, rejects: 4 });
    expect(m.rejectsByCode).toEqual({ REJECT_FOREIGN_KEY: 4 });
    expect((m.warnings ?? []).filter((w) => w.code === 'MAP_FOREIGN_KEY_UNCHECKED')).toEqual([]);
    const rejects = m.samples.filter((s) => s.kind === 'reject');
    expect(rejects.map((s) => (s.key as { id: number }).id)).toEqual(REJECTED);
    expect(rejects[0]!.reason).toBe(
      `manager_id: 99 references ${target.table}(id), which is neither in the target nor among the rows of this mapping`,
    );
    expect(rejects[1]!.reason).toContain('a row of this mapping that is rejected itself');
  });

  it('in mirror mode, a manager the run deletes is not there either', async () => {
    const plan = await runPlan(configFor(target, 'mirror'), { showSamples: true, samples: 10 });
    const m = plan.mappings[0]!;
    expect(m).toMatchObject({ deletes: 1, rejects: 5 });
    const rejects = m.samples.filter((s) => s.kind === 'reject');
    expect(rejects.map((s) => (s.key as { id: number }).id)).toEqual([...REJECTED, 20]);
  });

  it.each(['without a plan', 'with the saved plan'])(
    'migrates the others in batches of 3, managers first, with every reference intact (%s)',
    async (how) => {
      await target.done();
      target = await prepareTarget(kind);
      const config = configFor(target, 'upsert');
      const rejectsDir = join(dir, `rejects-${kind}-${how.length}`);
      const plan = how === 'with the saved plan' ? await runPlan(config) : undefined;
      const { run } = await runMigrate(config, {
        rejectsDir,
        batchSize: 3,
        ...(plan ? { plan: { file: 'plan.json', document: plan } } : {}),
      });
      const m = run.mappings[0]!;
      expect(m).toMatchObject({ status: 'done', inserted: 7 + CHAIN.length, updated: 1 });
      expect(m.rejected).toEqual({ mapping: 4, database: 0 });
      const lines = readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8').trim().split('\n');
      expect(
        lines
          .map((l) => JSON.parse(l) as { code: string; key: { id: number } })
          .map((r) => [r.code, r.key.id]),
      ).toEqual(REJECTED.map((id) => ['REJECT_FOREIGN_KEY', id]));
      const expected = [...SOURCE_ROWS, [3, 1] as const]
        .filter(([id]) => !REJECTED.includes(id))
        .map(([id, manager]) => [id, manager])
        .sort((a, b) => a[0]! - b[0]!);
      expect(await target.rows()).toEqual(expected);
      const again = await runPlan(config);
      expect(again.mappings[0]).toMatchObject({ inserts: 0, updates: 0, rejects: 4 });
    },
  );
});
