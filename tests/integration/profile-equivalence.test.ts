/**
 * The same generated rows in PostgreSQL, MariaDB, SQLite (push-down) and a CSV file (streaming) give the
 * same profile: every column's `buildColumnProfile` result is deep-equal across the four (floats to 1e-9),
 * and so are the dataset's row count, duplicate rows and candidate keys. Each database profiles the table
 * in a small, fixed number of statements.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';
import type { Connector } from '../../src/connectors/types.ts';
import type { ColumnProfile } from '../../src/core/profile.ts';
import { buildColumnProfile } from '../../src/profilers/column-profile.ts';
import { profileRows } from '../../src/profilers/dataset-accumulator.ts';
import type { DatasetObservation } from '../../src/profilers/observation.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const DB = 'stocktake_it_equivalence';

type Backend = 'postgres' | 'mysql' | 'sqlite' | 'csv';

/**
 * Statements per profiled table: counts, frequencies, two-column keys, duplicate rows, orphans; PostgreSQL
 * also reads the planner's distinct estimates.
 */
const STATEMENTS: Record<Exclude<Backend, 'csv'>, number> = { postgres: 6, mysql: 5, sqlite: 5 };

const REGIONS = [
  'Île-de-France',
  'ILE-DE-FRANCE',
  'île-de-france',
  'Bretagne',
  ' Bretagne',
  'Bretagne ',
  ' Bretagne ',
  'Société Générale',
  'SOCIETE GENERALE',
  'N/A',
  'null',
  'NULL',
  '-',
  'néant',
  'Zoë',
  null,
];
const AMOUNTS = ['12.50', '3.00', '-0.10', '1000.00', '0.05', '7.70', null];
// Integers past 2^53: 9007199254740993 must not merge into 9007199254740992 on any backend.
const REFS = ['9007199254740993', '9007199254740992', '-9223372036854775807', '42', null];

interface Order {
  id: number;
  customer_id: number | null;
  order_no: number;
  line_no: number;
  region: string | null;
  amount: string | null;
  created: string | null;
  updated: string | null;
  active: boolean | null;
  ref: string | null;
}

/** Deterministic rows: mixed case and accents, edge spaces, null-likes, NULLs, trailing zeros, duplicates. */
function generateOrders(count: number): Order[] {
  let state = 42;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const rows: Order[] = [];
  for (let id = 1; id <= count; id++) {
    const day = new Date(Date.UTC(2024, 0, 1 + next(60)));
    const millis = [0, 500, 250, 125][next(4)]!;
    const stamp = new Date(Date.UTC(2024, 0, 1 + next(30), next(24), next(60), next(60), millis));
    rows.push({
      id,
      customer_id: next(10) === 0 ? null : 1 + next(12),
      order_no: 1 + next(60),
      line_no: 1 + next(3),
      region: REGIONS[next(REGIONS.length)]!,
      amount:
        next(3) === 0
          ? AMOUNTS[next(AMOUNTS.length)]!
          : `${next(2000) - 500}.${String(next(100)).padStart(2, '0')}`,
      created: next(8) === 0 ? null : day.toISOString().slice(0, 10),
      updated: next(8) === 0 ? null : stamp.toISOString().slice(0, 23),
      active: next(5) === 0 ? null : next(2) === 0,
      ref: REFS[next(REFS.length)]!,
    });
  }
  // Exact copies of whole rows.
  for (let k = 0; k < 12; k++) rows.push({ ...rows[next(count)]! });
  return rows;
}

const ORDERS = generateOrders(400);
const COLUMNS = [
  'id',
  'customer_id',
  'order_no',
  'line_no',
  'region',
  'amount',
  'created',
  'updated',
  'active',
  'ref',
];

const url = (base: string) => {
  const u = new URL(base);
  u.pathname = `/${DB}`;
  return u.toString();
};

async function loadSql(db: Knex, kind: 'postgres' | 'mysql' | 'sqlite'): Promise<void> {
  await db.schema.createTable('customers', (t) => {
    t.integer('id').primary();
    t.string('name', 60);
  });
  await db.schema.createTable('orders', (t) => {
    t.integer('id').notNullable();
    // SQLite checks foreign keys only when asked (knex asks; the load below turns it off).
    if (kind === 'sqlite') t.integer('customer_id').references('id').inTable('customers');
    else t.integer('customer_id');
    t.integer('order_no').notNullable();
    t.integer('line_no').notNullable();
    t.string('region', 60);
    // knex spells decimal `float` for SQLite; the declared type keeps it a decimal column.
    if (kind === 'sqlite') t.specificType('amount', 'DECIMAL(10,2)');
    else t.decimal('amount', 10, 2);
    t.date('created');
    if (kind === 'postgres') t.specificType('updated', 'timestamp(3)');
    else if (kind === 'mysql') t.specificType('updated', 'datetime(3)');
    else t.specificType('updated', 'DATETIME');
    t.boolean('active');
    t.bigInteger('ref');
  });
  if (kind === 'sqlite') await db.raw('PRAGMA foreign_keys = OFF');
  const customers = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, name: `Client ${i + 1}` }));
  await db('customers').insert(customers);
  // SQLite keeps the ISO text as given; the servers parse it.
  const rows = ORDERS.map((o) => ({
    ...o,
    updated: o.updated && kind !== 'sqlite' ? o.updated.replace('T', ' ') : o.updated,
  }));
  for (let i = 0; i < rows.length; i += 100) await db('orders').insert(rows.slice(i, i + 100));
  // A declared foreign key with orphans: added without checking the rows already there.
  if (kind === 'postgres') {
    await db.raw(
      'ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID',
    );
    // With statistics, the push-down lists low-cardinality columns without counting them first.
    await db.raw('ANALYZE orders');
  } else if (kind === 'mysql') {
    await db.raw('SET foreign_key_checks = 0');
    await db.raw(
      'ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)',
    );
  }
}

interface Measured {
  readonly observation: DatasetObservation;
  readonly statements: number;
}

async function profileWith(connector: Connector, name: string, queries: string[]): Promise<Measured> {
  await connector.inventory();
  const before = queries.length;
  const observation = await connector.pushdownProfile!({ name });
  return { observation, statements: queries.length - before };
}

/** Deep equality where numbers agree to 1e-9 (relative to their size). */
function expectClose(actual: unknown, expected: unknown, path: string): void {
  if (typeof actual === 'number' && typeof expected === 'number') {
    const scale = Math.max(1, Math.abs(actual), Math.abs(expected));
    if (Math.abs(actual - expected) > 1e-9 * scale) expect.fail(`${path}: ${actual} ≠ ${expected}`);
    return;
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    expect(actual.length, `${path}.length`).toBe(expected.length);
    for (let i = 0; i < actual.length; i++) expectClose(actual[i], expected[i], `${path}[${i}]`);
    return;
  }
  if (actual && expected && typeof actual === 'object' && typeof expected === 'object') {
    expect(Object.keys(actual).sort(), `${path} keys`).toEqual(Object.keys(expected).sort());
    for (const key of Object.keys(actual)) {
      expectClose(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
    }
    return;
  }
  expect(actual, path).toEqual(expected);
}

// findVariants picks example groups in first-seen order, which differs between backends: compare them sorted.
function profiles(observation: DatasetObservation): ColumnProfile[] {
  return observation.columns.map((column) => {
    const profile = buildColumnProfile(column, { showSamples: true });
    const examples = [...profile.variants.examples].sort((a, b) =>
      a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0,
    );
    return { ...profile, variants: { ...profile.variants, examples } };
  });
}

describe('the same rows profile the same in PostgreSQL, MariaDB, SQLite and CSV', () => {
  const measured = new Map<Backend, Measured>();
  const cleanups: (() => Promise<void>)[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-equivalence-'));

  beforeAll(async () => {
    const sqlitePath = join(dir, 'orders.db');
    const sqliteWriter = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: sqlitePath },
      useNullAsDefault: true,
    });
    await loadSql(sqliteWriter, 'sqlite');
    await sqliteWriter.destroy();
    const sqliteQueries: string[] = [];
    const sqlite = await createSqliteConnector({ kind: 'sqlite', path: sqlitePath } as never, {
      name: 'lite',
      mode: 'audit',
      onQuery: (sql) => sqliteQueries.push(sql),
    });
    cleanups.push(() => sqlite.close());
    measured.set('sqlite', await profileWith(sqlite, 'orders', sqliteQueries));

    const csvDir = join(dir, 'csv');
    const csvPath = join(csvDir, 'orders.csv');
    await import('node:fs/promises').then((fs) => fs.mkdir(csvDir));
    const records = ORDERS.map((o) => COLUMNS.map((c) => (o as unknown as Record<string, unknown>)[c] ?? ''));
    writeFileSync(csvPath, stringify([COLUMNS, ...records], { cast: { boolean: (b) => String(b) } }));
    const csv = await createCsvConnector({ kind: 'csv', path: csvPath } as never, {
      name: 'file',
      mode: 'audit',
    });
    cleanups.push(() => csv.close());
    await csv.inventory();
    const shape = await csv.shape({ name: 'orders' });
    const observation = await profileRows(shape.columns, csv.read({ name: 'orders' }), { dataset: 'orders' });
    measured.set('csv', { observation, statements: 0 });

    if (pgUp) {
      const admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
      await admin.raw(`DROP DATABASE IF EXISTS ${DB}`);
      await admin.raw(`CREATE DATABASE ${DB}`);
      await admin.destroy();
      const writer = knexFactory({
        client: 'pg',
        connection: url(SERVERS.postgres),
        pool: { min: 0, max: 1 },
      });
      await loadSql(writer, 'postgres');
      await writer.destroy();
      const queries: string[] = [];
      const pg = await createPostgresConnector({ kind: 'postgres', url: url(SERVERS.postgres) } as never, {
        name: 'pg',
        mode: 'audit',
        onQuery: (sql) => queries.push(sql),
      });
      cleanups.push(() => pg.close());
      measured.set('postgres', await profileWith(pg, 'public.orders', queries));
    }
    if (myUp) {
      const admin = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
      await admin.raw(`DROP DATABASE IF EXISTS ${DB}`);
      // The server's default collation: case- and accent-insensitive, as MariaDB installs have it.
      await admin.raw(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
      await admin.destroy();
      const writer = knexFactory({
        client: 'mysql2',
        connection: url(SERVERS.mysql),
        pool: { min: 0, max: 1 },
      });
      await loadSql(writer, 'mysql');
      await writer.destroy();
      const queries: string[] = [];
      const my = await createMysqlConnector({ kind: 'mysql', url: url(SERVERS.mysql) } as never, {
        name: 'maria',
        mode: 'audit',
        onQuery: (sql) => queries.push(sql),
      });
      cleanups.push(() => my.close());
      measured.set('mysql', await profileWith(my, `${DB}.orders`, queries));
    }
  });

  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the planted flaws the same way everywhere', () => {
    const reference = measured.get('csv')!.observation;
    expect(reference.rowCount).toBe(ORDERS.length);
    expect(reference.duplicateRows).toBe(12);
    for (const [backend, { observation }] of measured) {
      expect(observation.rowCount, backend).toBe(reference.rowCount);
      expect(observation.duplicateRows, backend).toBe(reference.duplicateRows);
      expect([...observation.candidateKeys].map((k) => k.join('+')).sort(), backend).toEqual(
        [...reference.candidateKeys].map((k) => k.join('+')).sort(),
      );
      expect(
        observation.columns.map((c) => `${c.name}:${c.type}`),
        backend,
      ).toEqual(reference.columns.map((c) => `${c.name}:${c.type}`));
    }
  });

  it('derives identical column profiles from every backend', () => {
    const reference = profiles(measured.get('csv')!.observation);
    for (const [backend, { observation }] of measured) {
      for (const [i, profile] of profiles(observation).entries()) {
        expectClose(profile, reference[i], `${backend}.${profile.name}`);
      }
    }
  });

  it('finds the orphans of the declared foreign key in every database', () => {
    const expected = ORDERS.filter((o) => o.customer_id !== null && o.customer_id > 10).length;
    for (const backend of ['postgres', 'mysql', 'sqlite'] as const) {
      const result = measured.get(backend);
      if (!result) continue;
      expect(result.observation.orphans, backend).toEqual([
        {
          columns: ['customer_id'],
          references: { dataset: expect.stringMatching(/customers$/), columns: ['id'] },
          orphans: expected,
          checked: ORDERS.filter((o) => o.customer_id !== null).length,
          examples: [[11], [12]],
        },
      ]);
    }
  });

  it('profiles each table in a small, fixed number of statements', () => {
    for (const backend of ['postgres', 'mysql', 'sqlite'] as const) {
      const result = measured.get(backend);
      if (result) expect(result.statements, backend).toBe(STATEMENTS[backend]);
    }
  });
});
