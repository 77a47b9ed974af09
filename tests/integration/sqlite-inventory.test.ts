import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';
import type { Connector, Row } from '../../src/connectors/types.ts';
import type { Dataset } from '../../src/core/inventory.ts';
import { jsonDocument } from '../helpers/json-document.ts';

const SCHEMA = `
PRAGMA foreign_keys = OFF;
CREATE TABLE country (code CHAR(2) PRIMARY KEY, name VARCHAR(80) NOT NULL);
CREATE TABLE customer (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  country CHAR(2) REFERENCES country (code) ON DELETE SET NULL,
  balance DECIMAL(12,3) DEFAULT 0,
  active BOOLEAN,
  created DATETIME,
  birth DATE,
  photo BLOB,
  meta JSON,
  score REAL,
  legacy,
  upper_name TEXT GENERATED ALWAYS AS (upper(name)) VIRTUAL,
  email TEXT UNIQUE,
  amount NUMBER(12,2)
);
CREATE TABLE "order" ("customer id" INTEGER NOT NULL REFERENCES customer, "select" INTEGER NOT NULL,
  PRIMARY KEY ("customer id", "select"));
CREATE TABLE order_line (customer_id INTEGER, order_no INTEGER, qty INTEGER,
  FOREIGN KEY (customer_id, order_no) REFERENCES "order" ("customer id", "select"));
CREATE INDEX line_qty ON order_line (qty) WHERE qty > 0;
CREATE TABLE "we""ird; DROP TABLE x; --" (v TEXT);
CREATE TABLE empty_table (id INTEGER PRIMARY KEY AUTOINCREMENT);
CREATE TABLE "what?" ("why?" TEXT);
INSERT INTO "what?" VALUES ('because');
CREATE VIEW customer_names AS SELECT id, name FROM customer;
INSERT INTO country VALUES ('FR', 'France');
INSERT INTO customer (id, name, country, balance, active, created, birth, photo, meta, score, legacy, email) VALUES
  (1, 'Dupont SARL', 'FR', 1234.5, 1, '2024-03-04 10:00:00', '1980-02-29', x'00ff', '{"vip":true}', 0.5, 'x', 'a@b.fr'),
  (2, 'Martin', NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 42, NULL),
  (9007199254740993, 'Big', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO "order" VALUES (1, 1), (1, 2);
INSERT INTO order_line VALUES (1, 1, 3), (7, 7, 1);
`;

describe('SQLite connector', () => {
  let dir: string;
  let file: string;
  let connector: Connector;
  let datasets: Map<string, Dataset>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-sqlite-'));
    file = join(dir, 'crm.sqlite');
    const db = new Database(file);
    db.exec(SCHEMA);
    db.close();
    connector = await createSqliteConnector({ kind: 'sqlite', path: file }, { name: 'crm', mode: 'audit' });
    const inventory = await connector.inventory();
    datasets = new Map(inventory.datasets.map((d) => [d.name, d]));
  });

  afterAll(async () => {
    await connector?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists tables and views with exact counts and sizes', () => {
    expect([...datasets.keys()]).toEqual([
      'country',
      'customer',
      'customer_names',
      'empty_table',
      'order',
      'order_line',
      'we"ird; DROP TABLE x; --',
      'what?',
    ]);
    expect(datasets.get('what?')).toMatchObject({ rowCount: 1, rowCountExact: true });
    expect(datasets.get('customer')).toMatchObject({ kind: 'table', rowCount: 3, rowCountExact: true });
    expect(datasets.get('empty_table')).toMatchObject({ rowCount: 0, rowCountExact: true });
    expect(datasets.get('customer_names')).toMatchObject({
      kind: 'view',
      rowCount: null,
      rowCountExact: false,
    });
    expect(datasets.get('we"ird; DROP TABLE x; --')).toMatchObject({ rowCount: 0 });
    expect(datasets.get('customer')).toMatchObject({ sizeExact: true });
    expect(datasets.get('customer')!.sizeBytes).toBeGreaterThan(0);
  });

  it('maps declared types to logical types', () => {
    const types = Object.fromEntries(
      datasets.get('customer')!.columns.map((c) => [c.name, [c.type, c.nativeType]]),
    );
    expect(types).toEqual({
      id: ['integer', 'INTEGER'],
      name: ['string', 'TEXT'],
      country: ['string', 'CHAR(2)'],
      balance: ['decimal', 'DECIMAL(12,3)'],
      active: ['boolean', 'BOOLEAN'],
      created: ['timestamp', 'DATETIME'],
      birth: ['date', 'DATE'],
      photo: ['binary', 'BLOB'],
      meta: ['json', 'JSON'],
      score: ['float', 'REAL'],
      legacy: ['string', '(none)'],
      upper_name: ['string', 'TEXT'],
      email: ['string', 'TEXT'],
      amount: ['decimal', 'NUMBER(12,2)'],
    });
    const customer = datasets.get('customer')!;
    expect(customer.columns[0]).toMatchObject({ primaryKey: true, autoIncrement: true, nullable: false });
    expect(customer.columns[3]).toMatchObject({ precision: 12, scale: 3, default: '0' });
    expect(customer.columns[11]).toMatchObject({ generated: true });
    expect(customer.uniqueKeys).toEqual([{ name: 'sqlite_autoindex_customer_1', columns: ['email'] }]);
  });

  it('reads composite keys and foreign keys, including implicit targets', () => {
    expect(datasets.get('order')!.primaryKey).toEqual({ columns: ['customer id', 'select'] });
    expect(datasets.get('order')!.foreignKeys).toEqual([
      {
        columns: ['customer id'],
        references: { dataset: 'customer', columns: ['id'] },
        onDelete: 'NO ACTION',
        onUpdate: 'NO ACTION',
      },
    ]);
    expect(datasets.get('order_line')!.foreignKeys[0]).toMatchObject({
      columns: ['customer_id', 'order_no'],
      references: { dataset: 'order', columns: ['customer id', 'select'] },
    });
    expect(datasets.get('order_line')!.indexes).toEqual([
      { name: 'line_qty', columns: ['qty'], unique: false, partial: true },
    ]);
  });

  it('opens the file read-only and never changes it', async () => {
    const before = readFileSync(file);
    const db = await (connector as SqlConnector).db();
    await expect(db.raw('DELETE FROM country')).rejects.toThrow(/readonly/);
    expect(readFileSync(file).equals(before)).toBe(true);
    const missing = await createSqliteConnector(
      { kind: 'sqlite', path: join(dir, 'absent.sqlite') },
      { name: 'gone', mode: 'audit' },
    );
    await expect(missing.connect()).rejects.toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    await missing.close();
    expect(() => statSync(join(dir, 'absent.sqlite'))).toThrow();
  });

  it('streams rows with contract values, big integers kept exact', async () => {
    const rows: Row[] = [];
    for await (const batch of connector.read({ name: 'customer' }, { batchSize: 2 })) rows.push(...batch);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual([
      1,
      'Dupont SARL',
      'FR',
      '1234.5',
      true,
      '2024-03-04 10:00:00',
      '1980-02-29',
      new Uint8Array([0, 255]),
      jsonDocument({ vip: true }),
      0.5,
      'x',
      'DUPONT SARL',
      'a@b.fr',
      null,
    ]);
    expect(rows[1]![4]).toBe(false);
    expect(rows[1]![10]).toBe(42);
    expect(rows[2]![0]).toBe(9007199254740993n);
    const odd: Row[] = [];
    for await (const batch of connector.read({ name: 'what?' })) odd.push(...batch);
    expect(odd).toEqual([['because']]);
  });

  it('rejects an unknown dataset or column by name', async () => {
    const read = async (name: string, columns?: string[]) => {
      for await (const _ of connector.read({ name }, columns ? { columns } : {})) break;
    };
    await expect(read('nope')).rejects.toMatchObject({ code: 'DATASET_NOT_FOUND' });
    await expect(read('customer', ['nope'])).rejects.toThrow(/dataset customer has no column "nope"/);
  });
});
