/**
 * Reconciliation beyond counts, through the command line on a real PostgreSQL target: run.json lists,
 * per mapping, the nulls, exact sums, date ranges and distinct references of the mapped source and of
 * the target; a trigger that changes values behind the tool's back makes them differ, and migrate exits 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunDocument } from '../../src/core/plan.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const NAME = 'st_reconcile';
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pgUp = await serverAvailable('postgres');

const ORDERS = [
  {
    id: 1,
    customer: 1,
    amount: '0.10',
    placed: '2024-01-05',
    note: 'first',
    seen: '2024-01-05 10:00:00',
    stamped: '2024-01-05T10:00:00+02:00',
  },
  {
    id: 2,
    customer: 2,
    amount: '0.20',
    placed: '2024-02-29',
    note: null,
    seen: '2024-02-29 23:59:59.5',
    stamped: null,
  },
  {
    id: 3,
    customer: 3,
    amount: '9999999999999999.99',
    placed: '2023-12-31',
    note: 'big',
    seen: null,
    stamped: '2023-12-31T23:00:00Z',
  },
  { id: 4, customer: 1, amount: null, placed: null, note: null, seen: null, stamped: null },
];

const mapping = (name: string, table: string) => `  - name: ${name}
    from: { source: legacy, dataset: orders }
    to: { target: newtool, dataset: ${NAME}.${table}, key: [id] }
    fields:
      id: {}
      customer_id: { from: customer }
      amount: {}
      placed: {}
      note: {}
      seen: {}
      stamped: {}
`;

describe.skipIf(!pgUp)('column aggregates in run.json', () => {
  let pg: Knex;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `${NAME}-`));
    const db = new Database(join(dir, 'legacy.db'));
    db.exec(
      'CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, amount TEXT, placed TEXT, note TEXT, seen TEXT, stamped TEXT)',
    );
    const insert = db.prepare(
      'INSERT INTO orders VALUES (@id, @customer, @amount, @placed, @note, @seen, @stamped)',
    );
    for (const order of ORDERS) insert.run(order);
    db.close();
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres });
    await pg.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${NAME}`);
    await pg.raw(`CREATE TABLE ${NAME}.customers (id int PRIMARY KEY)`);
    await pg.raw(`INSERT INTO ${NAME}.customers VALUES (1), (2), (3)`);
    for (const table of ['orders_ok', 'orders_bad']) {
      await pg.raw(`CREATE TABLE ${NAME}.${table} (id int PRIMARY KEY,
        customer_id int REFERENCES ${NAME}.customers (id), amount numeric(18,2), placed date, note text, seen timestamp, stamped timestamptz)`);
    }
    // Behind the tool's back: order 2 is stored with another amount, customer, date and no note.
    await pg.raw(`CREATE FUNCTION ${NAME}.spoil() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.id = 2 THEN
          NEW.amount := NEW.amount + 0.01; NEW.customer_id := 1; NEW.placed := '1999-01-01'; NEW.note := 'x';
        END IF;
        RETURN NEW;
      END $$`);
    await pg.raw(
      `CREATE TRIGGER spoil BEFORE INSERT ON ${NAME}.orders_bad FOR EACH ROW EXECUTE FUNCTION ${NAME}.spoil()`,
    );
    writeFileSync(
      join(dir, 'stocktake.yaml'),
      `sources:
  legacy: { kind: sqlite, path: legacy.db }
targets:
  newtool: { kind: postgres, url: "${SERVERS.postgres}", schemas: [${NAME}] }
mappings:
${mapping('orders_ok', 'orders_ok')}${mapping('orders_bad', 'orders_bad')}`,
    );
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
    await pg?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('compares exact sums, date ranges, nulls and distinct references; a changed value exits 1', () => {
    const out = join(dir, 'out');
    const result = spawnSync(
      process.execPath,
      [join(root, 'bin/stocktake.js'), 'migrate', '-c', join(dir, 'stocktake.yaml'), '-o', out],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, STOCKTAKE_FROM_SOURCES: '1', CI: '' } },
    );
    expect(result.status, result.stderr).toBe(1);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as RunDocument;
    const ok = run.mappings.find((m) => m.name === 'orders_ok')!;
    expect(ok.status).toBe('done');
    const table = (m: typeof ok) =>
      m.reconciliation!.aggregates.map((a) => `${a.field} ${a.aggregate} ${a.source} ${a.target} ${a.ok}`);
    // A sum no double holds exactly, the range of a date column, nulls everywhere, distinct references.
    expect(table(ok)).toEqual([
      'id nulls 0 0 true',
      'id sum 10 10 true',
      'customer_id nulls 0 0 true',
      'customer_id sum 7 7 true',
      'customer_id distinct 3 3 true',
      'amount nulls 1 1 true',
      'amount sum 10000000000000000.29 10000000000000000.29 true',
      'placed nulls 1 1 true',
      'placed min 2023-12-31 2023-12-31 true',
      'placed max 2024-02-29 2024-02-29 true',
      'note nulls 2 2 true',
      // A timestamp without a zone is shown as it is stored, without `Z`; a zoned one in UTC.
      'seen nulls 2 2 true',
      'seen min 2024-01-05T10:00:00.000000 2024-01-05T10:00:00.000000 true',
      'seen max 2024-02-29T23:59:59.500000 2024-02-29T23:59:59.500000 true',
      'stamped nulls 2 2 true',
      'stamped min 2023-12-31T23:00:00.000000Z 2023-12-31T23:00:00.000000Z true',
      'stamped max 2024-01-05T08:00:00.000000Z 2024-01-05T08:00:00.000000Z true',
    ]);
    const bad = run.mappings.find((m) => m.name === 'orders_bad')!;
    expect(bad.status).toBe('verification-failed');
    expect(bad.reconciliation).toMatchObject({ ok: false, different: 1, missing: 0 });
    expect(bad.reconciliation!.aggregates.filter((a) => !a.ok)).toEqual([
      { field: 'customer_id', aggregate: 'sum', source: '7', target: '6', ok: false },
      { field: 'customer_id', aggregate: 'distinct', source: 3, target: 2, ok: false },
      {
        field: 'amount',
        aggregate: 'sum',
        source: '10000000000000000.29',
        target: '10000000000000000.3',
        ok: false,
      },
      { field: 'placed', aggregate: 'min', source: '2023-12-31', target: '1999-01-01', ok: false },
      { field: 'placed', aggregate: 'max', source: '2024-02-29', target: '2024-01-05', ok: false },
      { field: 'note', aggregate: 'nulls', source: 2, target: 1, ok: false },
    ]);
    expect(run.status).toBe('verification-failed');
    expect(result.stderr).toContain('orders_bad: sum of amount is "10000000000000000.3" in the target');
    expect(result.stderr).toContain(
      'orders_bad: distinct of customer_id is 2 in the target, 3 in the mapped source',
    );
  });
});
