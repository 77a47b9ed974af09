import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import type { Connector, Row } from '../../src/connectors/types.ts';
import type { Dataset, SourceInventory } from '../../src/core/inventory.ts';
import { jsonDocument } from '../helpers/json-document.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('mysql');
const A = 'stocktake_it_a';
const B = 'stocktake_it_b';
const MANY = 'stocktake_it_many';
const url = (database: string, password?: string) => {
  const u = new URL(SERVERS.mysql);
  u.pathname = `/${database}`;
  if (password !== undefined) u.password = password;
  return u.toString();
};

const SCHEMA = `
CREATE TABLE ${B}.country (code char(2) PRIMARY KEY, name varchar(80) NOT NULL) COMMENT 'ISO 3166 countries';
CREATE TABLE ${A}.customer (
  id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  external_ref char(36) NOT NULL,
  name varchar(120) NOT NULL COMMENT 'legal name',
  country char(2) NULL,
  active tinyint(1) NOT NULL DEFAULT 1,
  status enum('draft','sent','it''s paid') NOT NULL DEFAULT 'draft',
  tags set('vip','b2b','late'),
  profile json,
  balance decimal(12,3) DEFAULT 0.000,
  created_at datetime(6) NOT NULL,
  updated_at timestamp NULL,
  birth date,
  upper_name varchar(120) GENERATED ALWAYS AS (upper(name)) STORED,
  flags bit(8),
  big bigint unsigned,
  code varchar(10) COLLATE utf8mb4_bin,
  UNIQUE KEY customer_external_ref (external_ref),
  KEY customer_country_name (country, name),
  CONSTRAINT customer_country FOREIGN KEY (country) REFERENCES ${B}.country (code) ON DELETE SET NULL
) COMMENT 'one row per client';
CREATE TABLE ${A}.\`order\` (
  customer_id int unsigned NOT NULL,
  order_no int NOT NULL,
  \`select\` tinyint(1),
  placed datetime(3),
  PRIMARY KEY (customer_id, order_no),
  UNIQUE KEY order_no_customer (order_no, customer_id),
  CONSTRAINT order_customer FOREIGN KEY (customer_id) REFERENCES ${A}.customer (id)
);
CREATE TABLE ${A}.order_line (
  customer_id int unsigned NOT NULL,
  order_no int NOT NULL,
  line_no smallint NOT NULL,
  qty bigint,
  PRIMARY KEY (customer_id, order_no, line_no),
  KEY order_line_qty (qty),
  CONSTRAINT line_order FOREIGN KEY (order_no, customer_id)
    REFERENCES ${A}.\`order\` (order_no, customer_id) ON DELETE CASCADE ON UPDATE RESTRICT
);
CREATE TABLE ${A}.\`we\`\`ird "name"\` (\`n° client\` int PRIMARY KEY, \`e-mail été\` varchar(120));
CREATE TABLE ${A}.empty_table (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, note text);
CREATE TABLE ${A}.legacy (id int PRIMARY KEY, day date, at datetime, t time);
CREATE VIEW ${A}.customer_names AS SELECT id, name FROM ${A}.customer;
INSERT INTO ${B}.country VALUES ('FR', 'France'), ('BE', 'Belgique');
INSERT INTO ${A}.customer (external_ref, name, country, active, status, tags, profile, balance, created_at,
  updated_at, birth, flags, big, code) VALUES
  ('6f1c0c33-6f57-4d3b-9a53-0d1f3f6b5a01', 'Dupont SARL', 'FR', 1, 'it''s paid', 'vip,late', '{"vip": true, "n": [1, 2]}',
   1234.500, '2024-03-04 10:00:00.123456', '2024-03-04 09:00:00', '1980-02-29', b'10000001', 18446744073709551615, 'Ab'),
  ('6f1c0c33-6f57-4d3b-9a53-0d1f3f6b5a02', 'Boulangerie Martin', 'BE', 0, 'draft', NULL, NULL,
   -0.001, '2024-03-05 00:00:00', NULL, NULL, NULL, 7, NULL);
INSERT INTO ${A}.\`order\` VALUES (1, 1, 1, '2024-03-04 10:00:00.5'), (1, 2, NULL, NULL), (2, 1, 0, NULL);
INSERT INTO ${A}.order_line VALUES (1, 1, 1, 9007199254740993), (1, 1, 2, 3), (2, 1, 1, 1);
INSERT INTO ${A}.\`we\`\`ird "name"\` VALUES (1, 'a@example.org');
SET SESSION sql_mode = '';
INSERT INTO ${A}.legacy VALUES (1, '0000-00-00', '0000-00-00 00:00:00', '-12:30:00'), (2, '2024-02-29', '2024-02-29 23:59:59', '838:59:59');
`;

const attempt = async (config: Record<string, unknown>) => {
  const c = await createMysqlConnector({ kind: 'mysql', ...config } as never, { name: 'bad', mode: 'audit' });
  try {
    await c.connect();
    await c.inventory();
    return undefined;
  } catch (error) {
    return error as { code: string; message: string };
  } finally {
    await c.close();
  }
};

const readAll = async (connector: Connector, name: string, options = {}) => {
  const rows: Row[] = [];
  for await (const batch of connector.read({ name }, options)) rows.push(...batch);
  return rows;
};

describe.skipIf(!up)('MySQL/MariaDB connector', () => {
  let admin: Knex;
  let connector: Connector;
  let inventory: SourceInventory;
  let datasets: Map<string, Dataset>;

  beforeAll(async () => {
    admin = knexFactory({
      client: 'mysql2',
      connection: { uri: SERVERS.mysql, multipleStatements: true } as never,
      pool: { min: 0, max: 1 },
    });
    await admin.raw(`DROP DATABASE IF EXISTS ${A}; DROP DATABASE IF EXISTS ${B}; DROP DATABASE IF EXISTS ${MANY};
      CREATE DATABASE ${A} CHARACTER SET utf8mb4; CREATE DATABASE ${B} CHARACTER SET utf8mb4; CREATE DATABASE ${MANY}`);
    await admin.raw(SCHEMA);
    connector = await createMysqlConnector(
      { kind: 'mysql', url: url(A), schemas: [A, B] },
      { name: 'erp', mode: 'audit' },
    );
    inventory = await connector.inventory();
    datasets = new Map(inventory.datasets.map((d) => [d.name, d]));
  });

  afterAll(async () => {
    await connector?.close();
    await admin?.raw(
      `DROP DATABASE IF EXISTS ${A}; DROP DATABASE IF EXISTS ${B}; DROP DATABASE IF EXISTS ${MANY}`,
    );
    await admin?.destroy();
  });

  it('lists tables and views of the chosen databases with exact counts', () => {
    expect([...datasets.keys()]).toEqual([
      `${A}.customer`,
      `${A}.customer_names`,
      `${A}.empty_table`,
      `${A}.legacy`,
      `${A}.order`,
      `${A}.order_line`,
      `${A}.we\`ird "name"`,
      `${B}.country`,
    ]);
    const counts = Object.fromEntries(
      [...datasets].map(([k, d]) => [k, [d.kind, d.rowCount, d.rowCountExact]]),
    );
    expect(counts).toEqual({
      [`${A}.customer`]: ['table', 2, true],
      [`${A}.customer_names`]: ['view', null, false],
      [`${A}.empty_table`]: ['table', 0, true],
      [`${A}.legacy`]: ['table', 2, true],
      [`${A}.order`]: ['table', 3, true],
      [`${A}.order_line`]: ['table', 3, true],
      [`${A}.we\`ird "name"`]: ['table', 1, true],
      [`${B}.country`]: ['table', 2, true],
    });
    expect(datasets.get(`${B}.country`)).toMatchObject({
      comment: 'ISO 3166 countries',
      schema: B,
      table: 'country',
    });
    expect(datasets.get(`${A}.customer`)).toMatchObject({ sizeExact: false });
    expect(datasets.get(`${A}.customer`)!.sizeBytes).toBeGreaterThan(0);
    expect(datasets.get(`${A}.customer_names`)!.definition).toMatch(/^select .*`customer`/i);
    expect(datasets.get(`${A}.customer_names`)!.comment).toBeUndefined();
  });

  it('maps every column type with native type, nullability, defaults and auto-increment', () => {
    const columns = datasets.get(`${A}.customer`)!.columns;
    const summary = columns.map((c) => [
      c.name,
      c.type,
      c.nativeType.replace(/^(\w+)\(\d+\)( unsigned)$/, '$1$2'),
    ]);
    expect(summary).toEqual([
      ['id', 'integer', 'int unsigned'],
      ['external_ref', 'string', 'char(36)'],
      ['name', 'string', 'varchar(120)'],
      ['country', 'string', 'char(2)'],
      ['active', 'boolean', 'tinyint(1)'],
      ['status', 'string', "enum('draft','sent','it''s paid')"],
      ['tags', 'string', "set('vip','b2b','late')"],
      ['profile', 'json', expect.stringMatching(/^(json|longtext)$/)],
      ['balance', 'decimal', 'decimal(12,3)'],
      ['created_at', 'timestamp', 'datetime(6)'],
      ['updated_at', 'timestamp', 'timestamp'],
      ['birth', 'date', 'date'],
      ['upper_name', 'string', 'varchar(120)'],
      ['flags', 'integer', 'bit(8)'],
      ['big', 'integer', 'bigint unsigned'],
      ['code', 'string', 'varchar(10)'],
    ]);
    const by = Object.fromEntries(columns.map((c) => [c.name, c]));
    expect(by.id).toEqual({
      name: 'id',
      type: 'integer',
      nativeType: by.id!.nativeType,
      nullable: false,
      primaryKey: true,
      position: 1,
      autoIncrement: true,
      unsigned: true,
    });
    expect(by.name).toMatchObject({ length: 120, nullable: false, primaryKey: false, comment: 'legal name' });
    expect(by.country).toMatchObject({ length: 2, nullable: true });
    expect(by.active).toMatchObject({ default: '1' });
    expect(by.status).toMatchObject({ enumValues: ['draft', 'sent', "it's paid"], default: "'draft'" });
    expect(by.status!.array).toBeUndefined();
    expect(by.tags).toMatchObject({ enumValues: ['vip', 'b2b', 'late'], array: true });
    expect(by.balance).toMatchObject({ precision: 12, scale: 3, default: '0.000' });
    expect(by.created_at).toMatchObject({ precision: 6, nullable: false });
    expect(by.created_at!.default).toBeUndefined();
    expect(by.upper_name).toMatchObject({ generated: true });
    expect(by.upper_name!.default).toBeUndefined();
    expect(by.big).toMatchObject({ unsigned: true });
    expect(by.code).toMatchObject({ collation: 'utf8mb4_bin' });
    expect(by.name!.collation).toMatch(/_ci$/);
    const order = Object.fromEntries(datasets.get(`${A}.order`)!.columns.map((c) => [c.name, c]));
    expect(order.select).toMatchObject({ type: 'boolean', nativeType: 'tinyint(1)', nullable: true });
    expect(order.placed).toMatchObject({ type: 'timestamp', nativeType: 'datetime(3)', precision: 3 });
    expect(datasets.get(`${A}.empty_table`)!.columns[0]).toMatchObject({
      autoIncrement: true,
      primaryKey: true,
    });
    expect(datasets.get(`${A}.legacy`)!.columns.map((c) => c.type)).toEqual([
      'integer',
      'date',
      'timestamp',
      'time',
    ]);
  });

  it('reads keys, composite and cross-database foreign keys, unique constraints and indexes', () => {
    const line = datasets.get(`${A}.order_line`)!;
    expect(line.primaryKey).toEqual({ name: 'PRIMARY', columns: ['customer_id', 'order_no', 'line_no'] });
    expect(line.foreignKeys).toEqual([
      {
        name: 'line_order',
        columns: ['order_no', 'customer_id'],
        references: { dataset: `${A}.order`, columns: ['order_no', 'customer_id'] },
        onDelete: 'CASCADE',
        onUpdate: 'RESTRICT',
      },
    ]);
    expect(line.indexes).toEqual([
      {
        name: 'PRIMARY',
        columns: ['customer_id', 'order_no', 'line_no'],
        unique: true,
        primary: true,
        method: 'btree',
      },
      { name: 'line_order', columns: ['order_no', 'customer_id'], unique: false, method: 'btree' },
      { name: 'order_line_qty', columns: ['qty'], unique: false, method: 'btree' },
    ]);
    const customer = datasets.get(`${A}.customer`)!;
    expect(customer.foreignKeys).toEqual([
      {
        name: 'customer_country',
        columns: ['country'],
        references: { dataset: `${B}.country`, columns: ['code'] },
        onDelete: 'SET NULL',
        // The rule when none is written: MariaDB reports RESTRICT, MySQL 8 NO ACTION.
        onUpdate: expect.stringMatching(/^(RESTRICT|NO ACTION)$/),
      },
    ]);
    expect(customer.uniqueKeys).toEqual([{ name: 'customer_external_ref', columns: ['external_ref'] }]);
    expect(customer.indexes.find((i) => i.name === 'customer_country_name')).toEqual({
      name: 'customer_country_name',
      columns: ['country', 'name'],
      unique: false,
      method: 'btree',
    });
    const order = datasets.get(`${A}.order`)!;
    expect(order.primaryKey?.columns).toEqual(['customer_id', 'order_no']);
    expect(order.uniqueKeys).toEqual([{ name: 'order_no_customer', columns: ['order_no', 'customer_id'] }]);
    expect(order.foreignKeys[0]).toMatchObject({ references: { dataset: `${A}.customer`, columns: ['id'] } });
    const odd = datasets.get(`${A}.we\`ird "name"`)!;
    expect(odd).toMatchObject({ schema: A, table: 'we`ird "name"', rowCount: 1 });
    expect(odd.columns.map((c) => c.name)).toEqual(['n° client', 'e-mail été']);
    expect(odd.primaryKey?.columns).toEqual(['n° client']);
    expect(datasets.get(`${A}.customer_names`)).toMatchObject({
      primaryKey: null,
      foreignKeys: [],
      indexes: [],
    });
  });

  it('reports the server facts', () => {
    expect(inventory.server).toMatchObject({ database: A, encoding: 'utf8mb4' });
    expect(inventory.server!.product).toMatch(/^(MySQL|MariaDB)$/);
    expect(inventory.server!.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(inventory.server!.sizeBytes).toBeGreaterThan(0);
    expect(inventory.server!.timeZone).toBeTruthy();
  });

  it('opens read-only sessions for audits', async () => {
    const db = await (connector as SqlConnector).db();
    const [[session]] = await db.raw('SELECT @@session.time_zone AS tz');
    expect(session.tz).toBe('+00:00');
    await expect(db.raw(`INSERT INTO ${B}.country VALUES ('DE', 'Deutschland')`)).rejects.toThrow(
      /READ ONLY/i,
    );
    await expect(db.raw(`DELETE FROM ${A}.customer`)).rejects.toThrow(/READ ONLY/i);
    const [[check]] = await db.raw(`SELECT COUNT(*) AS n FROM ${B}.country`);
    expect(Number(check.n)).toBe(2);
  });

  it('streams rows in batches with contract values', async () => {
    const batches: Row[][] = [];
    for await (const batch of connector.read({ name: `${A}.customer` }, { batchSize: 1 }))
      batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([1, 1]);
    const [first, second] = batches.flat();
    expect(first).toEqual([
      1,
      '6f1c0c33-6f57-4d3b-9a53-0d1f3f6b5a01',
      'Dupont SARL',
      'FR',
      true,
      "it's paid",
      'vip,late',
      jsonDocument({ vip: true, n: [1, 2] }),
      '1234.500',
      '2024-03-04T10:00:00.123456',
      '2024-03-04T09:00:00Z',
      '1980-02-29',
      'DUPONT SARL',
      129,
      18446744073709551615n,
      'Ab',
    ]);
    expect(second).toEqual([
      2,
      '6f1c0c33-6f57-4d3b-9a53-0d1f3f6b5a02',
      'Boulangerie Martin',
      'BE',
      false,
      'draft',
      null,
      null,
      '-0.001',
      '2024-03-05T00:00:00.000000',
      null,
      null,
      'BOULANGERIE MARTIN',
      null,
      7,
      null,
    ]);
    // Exact beyond 2^53: big integers cross as bigint, small ones as numbers.
    const qty = (await readAll(connector, 'order_line', { columns: ['qty'], where: 'qty > 2' })).map(
      (r) => r[0],
    );
    expect(qty.sort()).toEqual([3, 9007199254740993n]);
    expect(await readAll(connector, `${A}.order`, { where: '`select` = 1' })).toEqual([
      [1, 1, true, '2024-03-04T10:00:00.500'],
    ]);
    expect(await readAll(connector, 'legacy')).toEqual([
      [1, '0000-00-00', '0000-00-00 00:00:00', '-12:30:00'],
      [2, '2024-02-29', '2024-02-29T23:59:59', '838:59:59'],
    ]);
    expect(await readAll(connector, 'we`ird "name"', { limit: 1 })).toEqual([[1, 'a@example.org']]);
  });

  it('defaults to the connection database and counts views on request', async () => {
    const c = await createMysqlConnector(
      { kind: 'mariadb', url: url(A), include: ['customer*'], rowCounts: { views: true } },
      { name: 'd', mode: 'audit' },
    );
    const scoped = await c.inventory();
    await c.close();
    expect(scoped.datasets.map((d) => [d.name, d.rowCount, d.rowCountExact])).toEqual([
      [`${A}.customer`, 2, true],
      [`${A}.customer_names`, 2, true],
    ]);
  });

  it('estimates row counts above the threshold', async () => {
    const c = await createMysqlConnector(
      { kind: 'mysql', url: url(A), include: ['customer'], rowCounts: { exactBelow: 0 } },
      { name: 'e', mode: 'audit' },
    );
    const estimated = await c.inventory();
    await c.close();
    expect(estimated.datasets.map((d) => [d.name, d.rowCountExact])).toEqual([[`${A}.customer`, false]]);
    expect(estimated.datasets[0]!.rowCount).toEqual(expect.any(Number));
  });

  it('keeps the catalog to a fixed number of queries whatever the table count', async () => {
    const countFor = async (tables: number) => {
      const creates = Array.from(
        { length: tables },
        (_, i) =>
          `CREATE TABLE ${MANY}.t${i} (id int PRIMARY KEY, parent int, v varchar(20), ` +
          `FOREIGN KEY (parent) REFERENCES ${MANY}.t0 (id));`,
      );
      await admin.raw([`DROP DATABASE ${MANY}; CREATE DATABASE ${MANY};`, ...creates].join('\n'));
      const c = await createMysqlConnector({ kind: 'mysql', url: url(MANY) }, { name: 'm', mode: 'audit' });
      const result = await c.inventory();
      await c.close();
      expect(result.datasets).toHaveLength(tables);
      return result.catalogQueries!;
    };
    const few = await countFor(5);
    const many = await countFor(60);
    // Server, databases, tables, columns, keys, indexes, column grants, MariaDB's JSON checks, and one
    // counting statement.
    const expected = inventory.server!.product === 'MariaDB' ? 9 : 8;
    expect([few, many]).toEqual([expected, expected]);
  });

  it('fails clearly on a wrong password, a missing database, an unreachable server and an empty filter', async () => {
    const denied = await attempt({ url: url('test', 'S3cretPass') });
    expect(denied).toMatchObject({ code: 'SOURCE_AUTH_FAILED' });
    expect(denied!.message).toContain('source bad');
    expect(denied!.message).not.toContain('S3cretPass');
    const deniedFields = await attempt({
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      password: 'S3cretPass',
    });
    expect(deniedFields).toMatchObject({ code: 'SOURCE_AUTH_FAILED' });
    expect(deniedFields!.message).not.toContain('S3cretPass');
    const missing = await attempt({ url: url('stocktake_no_such_db') });
    expect(missing).toMatchObject({ code: 'SOURCE_DATABASE_MISSING' });
    const unreachable = await attempt({
      host: '127.0.0.1',
      port: 1,
      user: 'x',
      password: 'S3cretPass',
      database: 'x',
    });
    expect(unreachable).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    expect(unreachable!.message).not.toContain('S3cretPass');
    // TLS reaches the driver: a server without TLS, or with a certificate no CA vouches for, is refused.
    expect((await attempt({ url: url(A), ssl: true }))?.code).toMatch(/^SOURCE_/);
    expect(await attempt({ url: url(A), include: ['nothing_like_this*'] })).toMatchObject({
      code: 'FILTER_MATCHED_NOTHING',
    });
  });
});
