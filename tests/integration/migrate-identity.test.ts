/**
 * Identity maps and references on every target database (SQLite always; PostgreSQL and MariaDB when
 * their servers answer): a legacy CRM in SQLite is migrated into tables whose keys the target
 * generates. The plan shows references (pending ones as placeholders) and writes nothing; a saved plan
 * is applied with references resolved at write time; a run stopped mid-way and resumed inserts no row
 * twice; a re-run changes nothing; self-references and a cycle between two mappings load in two passes;
 * references to rejected or missing rows are rejected (or NULL with `onMissing: null`); a mirror deletes
 * only the rows its identity map names.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { isStocktakeError } from '../../src/core/errors.ts';
import type { MappingPlan, MappingRun } from '../../src/core/plan.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

type Dialect = 'sqlite' | 'postgres' | 'mariadb';
const DIALECTS: readonly Dialect[] = [
  'sqlite',
  ...((await serverAvailable('postgres')) ? (['postgres'] as const) : []),
  ...((await serverAvailable('mysql')) ? (['mariadb'] as const) : []),
];
const NAME = 'st_identity_it';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-identity-it-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The legacy CRM: customers with a parent, orders with a composite key, their lines, departments and employees. */
function legacy(file: string): void {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, parent_id INTEGER);
    CREATE TABLE orders (region TEXT, order_no INTEGER, customer_id INTEGER, referrer_id INTEGER, label TEXT,
      PRIMARY KEY (region, order_no));
    CREATE TABLE lines (id INTEGER PRIMARY KEY, region TEXT, order_no INTEGER, qty INTEGER);
    CREATE TABLE departments (code TEXT PRIMARY KEY, name TEXT, head_id INTEGER);
    CREATE TABLE employees (id INTEGER PRIMARY KEY, name TEXT, dept_code TEXT, manager_id INTEGER);
  `);
  const customer = db.prepare('INSERT INTO customers VALUES (?, ?, ?)');
  const parents: Record<number, number> = { 2: 1, 3: 1, 4: 2, 6: 5, 7: 99 };
  // Shuffled: nothing depends on the source order. Customer 5 has no name (rejected).
  for (const id of [9, 3, 12, 1, 5, 8, 2, 11, 6, 10, 4, 7])
    customer.run(id, id === 5 ? null : `C${id}`, parents[id] ?? null);
  const order = db.prepare('INSERT INTO orders VALUES (?, ?, ?, ?, ?)');
  order.run('N', 1, 1, null, 'n1');
  order.run('N', 2, 2, 3, 'n2');
  order.run('S', 1, 3, 5, 's1'); // the referrer was rejected: NULL (onMissing: null)
  order.run('S', 2, 5, null, 's2'); // the customer was rejected: rejected
  order.run('S', 3, 42, null, 's3'); // no such customer: rejected
  order.run('N', 3, 4, 77, 'n3'); // no such referrer: NULL
  const line = db.prepare('INSERT INTO lines VALUES (?, ?, ?, ?)');
  line.run(1, 'N', 1, 2);
  line.run(2, 'N', 2, 1);
  line.run(3, 'S', 1, 5);
  line.run(4, 'S', 2, 1); // its order was rejected
  line.run(5, 'N', 9, 1); // no such order
  db.exec(`INSERT INTO departments VALUES ('SAL', 'Sales', 10), ('ENG', 'Engineering', 20);
    INSERT INTO employees VALUES (10, 'Ann', 'SAL', NULL), (11, 'Bob', 'SAL', 10), (20, 'Cid', 'ENG', 10),
      (21, 'Dee', 'ENG', 20);`);
  db.close();
}

const ref = (mapping: string, onMissing?: 'null') => ({
  ref: { mapping, ...(onMissing ? { onMissing } : {}) },
});

function config(target: Record<string, unknown>, source: string): Config {
  return {
    sources: { crm: { kind: 'sqlite', path: source } },
    targets: { newtool: target },
    mappings: [
      {
        name: 'customers',
        from: { source: 'crm', dataset: 'customers' },
        to: { target: 'newtool', dataset: 'customers', mode: 'mirror', identity: {} },
        batchSize: 3,
        fields: {
          name: { required: true },
          parent_id: { from: 'parent_id', transform: [ref('customers')] },
        },
      },
      {
        name: 'orders',
        from: { source: 'crm', dataset: 'orders' },
        to: { target: 'newtool', dataset: 'orders', mode: 'upsert', identity: {} },
        fields: {
          customer_id: { from: 'customer_id', transform: [ref('customers')] },
          referrer_id: { from: 'referrer_id', transform: [ref('customers', 'null')] },
          label: {},
        },
      },
      {
        name: 'lines',
        from: { source: 'crm', dataset: 'lines' },
        to: { target: 'newtool', dataset: 'order_lines', mode: 'upsert', identity: {} },
        fields: { order_id: { from: ['region', 'order_no'], transform: [ref('orders')] }, qty: {} },
      },
      {
        name: 'departments',
        from: { source: 'crm', dataset: 'departments' },
        to: { target: 'newtool', dataset: 'departments', mode: 'upsert', identity: {} },
        fields: { name: {}, head_id: { from: 'head_id', transform: [ref('employees')] } },
      },
      {
        name: 'employees',
        from: { source: 'crm', dataset: 'employees' },
        to: { target: 'newtool', dataset: 'employees', mode: 'upsert', identity: { sourceKey: ['id'] } },
        fields: {
          name: {},
          department_id: { from: 'dept_code', transform: [ref('departments')] },
          manager_id: { from: 'manager_id', transform: [ref('employees')] },
        },
      },
      {
        // The mapping supplies the new key (a UUID of the old one): recorded in the map all the same.
        name: 'labels',
        from: { source: 'crm', dataset: 'departments' },
        to: { target: 'newtool', dataset: 'labels', mode: 'upsert', identity: {} },
        fields: { id: { from: 'code', transform: ['uuid'] }, name: {} },
      },
      {
        name: 'badges',
        from: { source: 'crm', dataset: 'employees' },
        to: { target: 'newtool', dataset: 'badges', mode: 'upsert', identity: {} },
        fields: { label_id: { from: 'dept_code', transform: [ref('labels')] }, name: {} },
      },
    ],
  } as unknown as Config;
}

/** The new tool's schema: every key generated by the database, foreign keys on the new keys. */
function newtoolDdl(dialect: Dialect): string[] {
  const id = {
    sqlite: 'id INTEGER PRIMARY KEY',
    postgres: 'id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
    mariadb: 'id bigint AUTO_INCREMENT PRIMARY KEY',
  }[dialect];
  const int = dialect === 'sqlite' ? 'INTEGER' : 'bigint';
  const text = dialect === 'sqlite' ? 'TEXT' : 'varchar(40)';
  const ddl = [
    `CREATE TABLE customers (${id}, name ${text} NOT NULL, parent_id ${int} REFERENCES customers (id))`,
    `CREATE TABLE orders (${id}, customer_id ${int} NOT NULL REFERENCES customers (id),
      referrer_id ${int} REFERENCES customers (id), label ${text})`,
    `CREATE TABLE order_lines (${id}, order_id ${int} NOT NULL REFERENCES orders (id), qty ${int})`,
    `CREATE TABLE departments (${id}, name ${text} NOT NULL, head_id ${int}${dialect === 'sqlite' ? ' REFERENCES employees (id)' : ''})`,
    `CREATE TABLE employees (${id}, name ${text} NOT NULL, department_id ${int} NOT NULL REFERENCES departments (id),
      manager_id ${int} REFERENCES employees (id))`,
  ];
  ddl.push(
    `CREATE TABLE labels (id ${dialect === 'sqlite' ? 'TEXT' : 'varchar(36)'} PRIMARY KEY, name ${text})`,
    `CREATE TABLE badges (${id}, label_id ${dialect === 'sqlite' ? 'TEXT' : 'varchar(36)'} REFERENCES labels (id), name ${text})`,
  );
  if (dialect !== 'sqlite')
    ddl.push('ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees (id)');
  // A row the tool already had: no identity names it, so no mapping may touch it.
  ddl.push(`INSERT INTO customers (name) VALUES ('Foreign')`);
  return ddl;
}

interface TargetSetup {
  readonly config: Record<string, unknown>;
  readonly knex: Knex;
  /** Drops and recreates the new tool's tables (and the tool's own). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

async function openTarget(dialect: Dialect): Promise<TargetSetup> {
  const tables = [
    'stocktake_identity',
    'stocktake_checkpoint',
    'order_lines',
    'orders',
    'departments',
    'employees',
    'badges',
    'labels',
  ];
  if (dialect === 'sqlite') {
    const file = join(dir, 'newtool.sqlite');
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
    });
    return {
      config: { kind: 'sqlite', path: file },
      knex,
      async reset() {
        await knex.raw('PRAGMA foreign_keys = OFF');
        for (const t of [...tables, 'customers']) await knex.raw(`DROP TABLE IF EXISTS ${t}`);
        for (const sql of newtoolDdl(dialect)) await knex.raw(sql);
      },
      close: () => knex.destroy(),
    };
  }
  if (dialect === 'postgres') {
    const knex = knexFactory({ client: 'pg', connection: SERVERS.postgres, searchPath: [NAME] });
    return {
      config: { kind: 'postgres', url: SERVERS.postgres, schemas: [NAME] },
      knex,
      async reset() {
        await knex.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
        await knex.raw(`CREATE SCHEMA ${NAME}`);
        for (const sql of newtoolDdl(dialect)) await knex.raw(sql);
      },
      async close() {
        await knex.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
        await knex.destroy();
      },
    };
  }
  const admin = knexFactory({ client: 'mysql2', connection: SERVERS.mysql });
  const url = new URL(SERVERS.mysql);
  url.pathname = `/${NAME}`;
  await admin.raw(`CREATE DATABASE IF NOT EXISTS ${NAME}`);
  const knex = knexFactory({ client: 'mysql2', connection: url.toString() });
  return {
    config: { kind: 'mariadb', url: url.toString() },
    knex,
    async reset() {
      await admin.raw(`DROP DATABASE IF EXISTS ${NAME}`);
      await admin.raw(`CREATE DATABASE ${NAME}`);
      for (const sql of newtoolDdl(dialect)) await knex.raw(sql);
    },
    async close() {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${NAME}`);
      await admin.destroy();
    },
  };
}

const byName = <T extends { name: string }>(items: readonly T[], name: string) =>
  items.find((m) => m.name === name)!;

describe.each(DIALECTS)('identity maps and references into %s', (dialect) => {
  let target: TargetSetup;
  let cfg: Config;
  const source = () => join(dir, `crm-${dialect}.sqlite`);
  const rows = async (sql: string) => {
    const result = await target.knex.raw(sql);
    return (dialect === 'postgres' ? result.rows : dialect === 'mariadb' ? result[0] : result) as Record<
      string,
      unknown
    >[];
  };
  const count = async (table: string) => Number((await rows(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
  const identities = async (mapping: string) =>
    rows(`SELECT old_key, new_key FROM stocktake_identity WHERE mapping = '${mapping}' ORDER BY old_key`);

  beforeAll(async () => {
    legacy(source());
    target = await openTarget(dialect);
    await target.reset();
    cfg = config(target.config, source());
  });
  afterAll(async () => {
    await target?.close();
  });

  /** Every reference of the target, by old names: proves each new key points at the right row. */
  const references = async () => ({
    parents: await rows(
      'SELECT c.name AS child, p.name AS parent FROM customers c LEFT JOIN customers p ON p.id = c.parent_id ORDER BY c.name',
    ),
    orders: await rows(
      'SELECT o.label, c.name AS customer, r.name AS referrer FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN customers r ON r.id = o.referrer_id ORDER BY o.label',
    ),
    lines: await rows(
      'SELECT o.label, l.qty FROM order_lines l JOIN orders o ON o.id = l.order_id ORDER BY o.label',
    ),
    badges: await rows(
      'SELECT b.name, l.name AS label FROM badges b JOIN labels l ON l.id = b.label_id ORDER BY b.name',
    ),
    staff: await rows(
      'SELECT e.name, d.name AS department, m.name AS manager, h.name AS head FROM employees e JOIN departments d ON d.id = e.department_id LEFT JOIN employees m ON m.id = e.manager_id LEFT JOIN employees h ON h.id = d.head_id ORDER BY e.name',
    ),
  });

  const expectReferences = async () => {
    const r = await references();
    const parentOf = Object.fromEntries(r.parents.map((p) => [p.child, p.parent]));
    expect(parentOf).toMatchObject({ C2: 'C1', C3: 'C1', C4: 'C2', C6: null, C7: null, Foreign: null });
    expect(r.orders).toEqual([
      { label: 'n1', customer: 'C1', referrer: null },
      { label: 'n2', customer: 'C2', referrer: 'C3' },
      { label: 'n3', customer: 'C4', referrer: null },
      { label: 's1', customer: 'C3', referrer: null },
    ]);
    expect(r.lines.map((l) => [l.label, Number(l.qty)])).toEqual([
      ['n1', 2],
      ['n2', 1],
      ['s1', 5],
    ]);
    expect(r.badges).toEqual([
      { name: 'Ann', label: 'Sales' },
      { name: 'Bob', label: 'Sales' },
      { name: 'Cid', label: 'Engineering' },
      { name: 'Dee', label: 'Engineering' },
    ]);
    expect(r.staff).toEqual([
      { name: 'Ann', department: 'Sales', manager: null, head: 'Ann' },
      { name: 'Bob', department: 'Sales', manager: 'Ann', head: 'Ann' },
      { name: 'Cid', department: 'Engineering', manager: 'Ann', head: 'Cid' },
      { name: 'Dee', department: 'Engineering', manager: 'Cid', head: 'Cid' },
    ]);
  };

  let plan: Awaited<ReturnType<typeof runPlan>>;

  it('plans the references, pending ones as placeholders, and writes nothing', async () => {
    plan = await runPlan(cfg, { showSamples: true, samples: 10 });
    // Passes in order: cycles and self-references get a second pass after every first one.
    expect(plan.mappings.map((m) => m.name)).toEqual([
      'customers',
      'orders',
      'lines',
      'labels',
      'badges',
      'departments',
      'employees',
      'customers:refs',
      'departments:refs',
      'employees:refs',
    ]);
    const m = (name: string) => byName(plan.mappings, name) as MappingPlan;
    expect(m('customers')).toMatchObject({ inserts: 11, rejects: 1, targetOnly: 0 });
    expect(m('customers').identity).toEqual({ sourceKey: ['id'], generated: 'id', mapped: 0 });
    expect(m('orders')).toMatchObject({
      inserts: 4,
      rejects: 2,
      rejectsByCode: { REJECT_REFERENCE_MISSING: 2 },
    });
    expect(m('orders').references).toEqual([
      { field: 'customer_id', mapping: 'customers', resolved: 0, pending: 4 },
      { field: 'referrer_id', mapping: 'customers', resolved: 0, pending: 1 },
    ]);
    const n2 = m('orders').samples.find((s) => s.kind === 'insert' && JSON.stringify(s.key).includes('"N"'));
    expect(n2?.changes.find((c) => c.field === 'customer_id')?.new).toMatch(
      /^→ new customers row \(old key \d\)$/,
    );
    const rejected = m('orders').samples.filter((s) => s.kind === 'reject');
    expect(rejected.map((s) => s.code)).toEqual(['REJECT_REFERENCE_MISSING', 'REJECT_REFERENCE_MISSING']);
    expect(rejected.map((s) => s.reason).join(' ')).toContain('has no new key in mapping customers');
    // Composite old keys: (region, order_no).
    expect(m('lines')).toMatchObject({ inserts: 3, rejects: 2 });
    // A composite old key is named in the reason, each of its values as a scalar's would be.
    expect(
      m('lines')
        .samples.filter((s) => s.kind === 'reject')
        .map((s) => s.reason)
        .sort(),
    ).toEqual([
      'ref: ["N", 9] has no new key in mapping orders: that row was rejected or is not in its source',
      'ref: ["S", 2] has no new key in mapping orders: that row was rejected or is not in its source',
    ]);
    expect(m('lines').samples.find((s) => s.kind === 'insert')?.changes[0]?.new).toMatch(
      /^→ new orders row \(old key [NS], \d\)$/,
    );
    // Second passes: set once their rows are inserted; the rejected parent and the unknown one are rejects.
    expect(m('customers:refs')).toMatchObject({ pass: 'references', inserts: 0, updates: 3, rejects: 2 });
    expect(m('departments:refs')).toMatchObject({ updates: 2, rejects: 0 });
    expect(m('employees:refs')).toMatchObject({ updates: 3, rejects: 0 });
    expect(m('employees')).toMatchObject({ inserts: 4, rejects: 0 });
    expect(await count('customers')).toBe(1);
    expect(await count('orders')).toBe(0);
    expect((await rows("SELECT * FROM customers WHERE name = 'Foreign'")).length).toBe(1);
  });

  it('applies the saved plan, resolving references at write time', async () => {
    const outcome = await runMigrate(cfg, {
      rejectsDir: join(dir, `${dialect}-planned`),
      plan: { file: 'plan.json', document: plan },
    });
    expect(outcome.error).toBeNull();
    const run = (name: string) => byName(outcome.run.mappings, name) as MappingRun;
    expect(run('customers')).toMatchObject({
      inserted: 11,
      status: 'done',
      reconciliation: { ok: true },
      identity: { generated: 'id', mapped: 11 },
    });
    expect(run('orders')).toMatchObject({
      inserted: 4,
      rejected: { mapping: 2, database: 0 },
      status: 'done',
    });
    expect(run('customers:refs')).toMatchObject({
      pass: 'references',
      updated: 3,
      status: 'done',
      reconciliation: { ok: true },
    });
    expect(run('employees:refs')).toMatchObject({ pass: 'references', updated: 3, status: 'done' });
    expect(run('customers').pass).toBeUndefined();
    await expectReferences();
    expect(await count('customers')).toBe(12); // 11 migrated and the one the tool had
    expect((await identities('customers')).length).toBe(11);
    expect((await identities('lines')).map((r) => r.old_key)).toEqual(['1', '2', '3']);
    // A supplied key is recorded as written.
    const labels = await rows('SELECT id FROM labels ORDER BY id');
    expect((await identities('labels')).map((r) => r.new_key).sort()).toEqual(labels.map((l) => l.id));
    // Composite old keys are kept as canonical text, parts separated by U+0001.
    expect((await identities('orders')).map((r) => r.old_key)).toContain('N\u00011');
  });

  it('a re-run changes nothing, and a plan says so', async () => {
    const outcome = await runMigrate(cfg, { rejectsDir: join(dir, `${dialect}-again`) });
    expect(outcome.error).toBeNull();
    for (const m of outcome.run.mappings) {
      expect([m.name, m.inserted, m.updated, m.deleted, m.status]).toEqual([m.name, 0, 0, 0, 'done']);
    }
    const again = await runPlan(cfg);
    expect(again.changes).toBe(false);
    // The unchanged rows of a second pass are its first pass's: the totals count them once.
    expect(byName(again.mappings, 'customers:refs').unchanged).toBeGreaterThan(0);
    expect(again.totals.unchanged).toBe(
      again.mappings.filter((m) => m.pass !== 'references').reduce((sum, m) => sum + m.unchanged, 0),
    );
    expect(byName(again.mappings, 'orders').references?.[0]).toMatchObject({ resolved: 4, pending: 0 });
  });

  it('a run stopped mid-way resumes without inserting any row twice', async () => {
    await target.reset();
    const controller = new AbortController();
    const stopped = await runMigrate(cfg, {
      rejectsDir: join(dir, `${dialect}-stopped`),
      signal: controller.signal,
      concurrency: 1,
      onBatch: (mapping, progress) => {
        if (mapping === 'customers' && progress.batches === 2) controller.abort();
      },
    });
    expect(isStocktakeError(stopped.error, 'MIGRATE_INTERRUPTED')).toBe(true);
    expect(await count('customers')).toBe(1 + 6);
    expect((await identities('customers')).length).toBe(6);
    await expect(runMigrate(cfg, { rejectsDir: join(dir, `${dialect}-refused`) })).rejects.toMatchObject({
      code: 'MIGRATE_RESUME_REQUIRED',
    });
    const resumed = await runMigrate(cfg, { rejectsDir: join(dir, `${dialect}-resumed`), resume: true });
    expect(resumed.error).toBeNull();
    expect(byName(resumed.run.mappings, 'customers')).toMatchObject({ resumed: true, inserted: 5 });
    // One target row per migrated source row, one identity per row, every new key distinct.
    expect(await count('customers')).toBe(1 + 11);
    const map = await identities('customers');
    expect(map.length).toBe(11);
    expect(new Set(map.map((r) => r.new_key)).size).toBe(11);
    await expectReferences();
  });

  it('a mirror deletes only the rows its identity map names, and forgets them', async () => {
    const db = new Database(source());
    db.exec('DELETE FROM customers WHERE id = 12');
    db.close();
    const outcome = await runMigrate(cfg, {
      rejectsDir: join(dir, `${dialect}-mirror`),
      only: ['customers'],
    });
    expect(outcome.error).toBeNull();
    expect(byName(outcome.run.mappings, 'customers')).toMatchObject({ deleted: 1, inserted: 0, updated: 0 });
    expect(
      (await rows("SELECT name FROM customers WHERE name IN ('C12', 'Foreign')")).map((r) => r.name),
    ).toEqual(['Foreign']);
    expect((await identities('customers')).map((r) => r.old_key)).not.toContain('12');
  });

  it('a mapped row deleted behind the tool is inserted again, its map entry replaced', async () => {
    const before = (await identities('customers')).find((r) => r.old_key === '11')!.new_key;
    await rows(`DELETE FROM customers WHERE id = ${Number(before)}`);
    await target.knex.raw("UPDATE customers SET name = 'Changed' WHERE name = 'C10'");
    const outcome = await runMigrate(cfg, {
      rejectsDir: join(dir, `${dialect}-behind`),
      only: ['customers'],
    });
    expect(outcome.error).toBeNull();
    expect(byName(outcome.run.mappings, 'customers')).toMatchObject({
      inserted: 1,
      updated: 1,
      reconciliation: { ok: true },
    });
    const after = (await identities('customers')).find((r) => r.old_key === '11')!.new_key;
    expect(after).not.toBe(before);
    expect((await rows(`SELECT name FROM customers WHERE id = ${Number(after)}`))[0]!.name).toBe('C11');
    expect((await rows("SELECT count(*) AS n FROM customers WHERE name = 'C10'"))[0]!.n).toEqual(
      dialect === 'postgres' ? '1' : 1,
    );
  });
});

describe.skipIf(!DIALECTS.includes('postgres'))('a key generated by a UUID default (PostgreSQL)', () => {
  const schema = `${NAME}_uuid`;
  let pg: Knex;
  beforeAll(async () => {
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres });
    await pg.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${schema}`);
    await pg.raw(
      `CREATE TABLE ${schema}.customers (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL)`,
    );
    await pg.raw(`CREATE TABLE ${schema}.orders (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES ${schema}.customers (id), label text)`);
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pg?.destroy();
  });

  it('records the UUIDs the database made, rewrites references to them, and a re-run changes nothing', async () => {
    const file = join(dir, 'crm-uuid.sqlite');
    legacy(file);
    const cfg = {
      sources: { crm: { kind: 'sqlite', path: file } },
      targets: { newtool: { kind: 'postgres', url: SERVERS.postgres, schemas: [schema] } },
      mappings: [
        {
          name: 'customers',
          from: { source: 'crm', dataset: 'customers' },
          to: { target: 'newtool', dataset: 'customers', mode: 'upsert', identity: {} },
          batchSize: 4,
          fields: { name: { required: true } },
        },
        {
          name: 'orders',
          from: { source: 'crm', dataset: 'orders' },
          to: { target: 'newtool', dataset: 'orders', mode: 'upsert', identity: {} },
          fields: { customer_id: { from: 'customer_id', transform: [ref('customers')] }, label: {} },
        },
      ],
    } as unknown as Config;
    const first = await runMigrate(cfg, { rejectsDir: join(dir, 'uuid') });
    expect(first.error).toBeNull();
    expect(first.run.mappings.map((m) => [m.name, m.inserted, m.status])).toEqual([
      ['customers', 11, 'done'],
      ['orders', 4, 'done'],
    ]);
    const map = (
      await pg.raw(`SELECT old_key, new_key FROM ${schema}.stocktake_identity WHERE mapping = 'customers'`)
    ).rows as { old_key: string; new_key: string }[];
    expect(map).toHaveLength(11);
    for (const { new_key } of map) expect(new_key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-/);
    const orders = await pg.raw(
      `SELECT o.label, c.name FROM ${schema}.orders o JOIN ${schema}.customers c ON c.id = o.customer_id ORDER BY o.label`,
    );
    expect(orders.rows.map((r: { label: string; name: string }) => `${r.label}:${r.name}`)).toEqual([
      'n1:C1',
      'n2:C2',
      'n3:C4',
      's1:C3',
    ]);
    const again = await runMigrate(cfg, { rejectsDir: join(dir, 'uuid-again') });
    expect(again.run.mappings.map((m) => [m.inserted, m.updated, m.status])).toEqual([
      [0, 0, 'done'],
      [0, 0, 'done'],
    ]);
  });
});
