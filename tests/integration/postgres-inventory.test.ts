import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import { pgSessions } from '../../src/connectors/postgres/postgres-sessions.ts';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import type { Connector, Row } from '../../src/connectors/types.ts';
import type { Dataset } from '../../src/core/inventory.ts';
import { jsonDocument } from '../helpers/json-document.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const DB = 'stocktake_it_pg';
const url = (database: string) => {
  const u = new URL(SERVERS.postgres);
  u.pathname = `/${database}`;
  return u.toString();
};

const SCHEMA = `
CREATE SCHEMA sales;
CREATE SCHEMA ref;
CREATE SCHEMA "Données clients";
CREATE TYPE sales.status AS ENUM ('draft', 'sent', 'paid');
CREATE TABLE ref.country (code char(2) PRIMARY KEY, name varchar(80) NOT NULL);
COMMENT ON TABLE ref.country IS 'ISO 3166 countries';
CREATE TABLE sales.customer (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  external_ref uuid NOT NULL UNIQUE,
  name text NOT NULL,
  country char(2) REFERENCES ref.country (code) ON DELETE SET NULL,
  tags text[],
  profile jsonb,
  balance numeric(12, 3) DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  birth date,
  upper_name text GENERATED ALWAYS AS (upper(name)) STORED
);
COMMENT ON COLUMN sales.customer.name IS 'legal name';
CREATE TABLE sales."order" (
  customer_id integer NOT NULL REFERENCES sales.customer (id),
  order_no integer NOT NULL,
  status sales.status NOT NULL DEFAULT 'draft',
  "select" boolean,
  placed timestamp(3),
  PRIMARY KEY (customer_id, order_no)
);
CREATE TABLE sales.order_line (
  customer_id integer NOT NULL,
  order_no integer NOT NULL,
  line_no smallint NOT NULL,
  qty bigint,
  PRIMARY KEY (customer_id, order_no, line_no),
  CONSTRAINT line_order FOREIGN KEY (customer_id, order_no) REFERENCES sales."order" (customer_id, order_no) ON DELETE CASCADE
);
CREATE INDEX order_line_qty ON sales.order_line (qty) WHERE qty > 0;
CREATE INDEX customer_country_name ON sales.customer (country, lower(name), upper_name) INCLUDE (birth);
CREATE TABLE "Données clients"."fiche ""client"" été" ("n° client" integer PRIMARY KEY, "e-mail" varchar(120));
CREATE TABLE sales.empty_table (id serial PRIMARY KEY, note text);
CREATE TABLE sales."what?" ("why?" text);
INSERT INTO sales."what?" VALUES ('because');
CREATE VIEW sales.customer_names AS SELECT id, name FROM sales.customer;
CREATE MATERIALIZED VIEW sales.customer_count AS SELECT count(*) AS n FROM sales.customer;
CREATE TABLE sales.measure (at date NOT NULL, value float8) PARTITION BY RANGE (at);
CREATE TABLE sales.measure_2024 PARTITION OF sales.measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO ref.country VALUES ('FR', 'France'), ('BE', 'Belgique');
INSERT INTO sales.customer (external_ref, name, country, tags, profile, balance, created_at, birth) VALUES
  ('6f1c0c33-6f57-4d3b-9a53-0d1f3f6b5a01', 'Dupont SARL', 'FR', '{a,b}', '{"vip": true}', 1234.500, '2024-03-04 10:00:00.123456+01', '1980-02-29'),
  ('6f1c0c33-6f57-4d3b-9a53-0d1f3f6b5a02', 'Boulangerie Martin', 'BE', NULL, NULL, -0.001, '2024-03-05 00:00:00+00', NULL);
INSERT INTO sales."order" VALUES (1, 1, 'paid', true, '2024-03-04 10:00:00.5'), (1, 2, 'draft', NULL, NULL), (2, 1, 'sent', false, NULL);
INSERT INTO sales.order_line VALUES (1, 1, 1, 9007199254740993), (1, 1, 2, 3), (2, 1, 1, 1);
INSERT INTO sales.measure VALUES ('2024-05-01', 1.5);
INSERT INTO "Données clients"."fiche ""client"" été" VALUES (1, 'a@example.org');
REFRESH MATERIALIZED VIEW sales.customer_count;
`;

describe.skipIf(!up)('PostgreSQL connector', () => {
  let admin: Knex;
  let connector: Connector;
  let datasets: Map<string, Dataset>;
  let queries: string[];

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${DB}`);
    const setup = knexFactory({ client: 'pg', connection: url(DB), pool: { min: 0, max: 1 } });
    // knex would read the ? of "what?" as a placeholder.
    await setup.raw(SCHEMA.replaceAll('?', '\\?'));
    await setup.destroy();
    queries = [];
    connector = await createPostgresConnector(
      { kind: 'postgres', url: url(DB), schemas: ['sales', 'ref', 'Données*'] },
      { name: 'crm', mode: 'audit', onQuery: (sql) => queries.push(sql) },
    );
    const inventory = await connector.inventory();
    datasets = new Map(inventory.datasets.map((d) => [d.name, d]));
  });

  afterAll(async () => {
    await connector?.close();
    await admin?.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.destroy();
  });

  it('lists tables, views, materialized views and partitions with exact counts', () => {
    expect([...datasets.keys()].sort()).toEqual([
      'Données clients.fiche "client" été',
      'ref.country',
      'sales.customer',
      'sales.customer_count',
      'sales.customer_names',
      'sales.empty_table',
      'sales.measure',
      'sales.measure_2024',
      'sales.order',
      'sales.order_line',
      'sales.what?',
    ]);
    const counts = Object.fromEntries(
      [...datasets].map(([k, d]) => [k, [d.kind, d.rowCount, d.rowCountExact]]),
    );
    expect(counts).toMatchObject({
      'ref.country': ['table', 2, true],
      'sales.customer': ['table', 2, true],
      'sales.empty_table': ['table', 0, true],
      'sales.order_line': ['table', 3, true],
      'sales.measure': ['table', 1, true],
      'sales.customer_names': ['view', null, false],
      'sales.what?': ['table', 1, true],
    });
    expect(datasets.get('sales.customer_count')).toMatchObject({ kind: 'view', materialized: true });
    expect(datasets.get('sales.measure')).toMatchObject({ partitioned: true });
    expect(datasets.get('sales.measure_2024')).toMatchObject({ partitionOf: 'sales.measure' });
    expect(datasets.get('ref.country')).toMatchObject({ comment: 'ISO 3166 countries' });
    expect(datasets.get('sales.customer')!.sizeBytes).toBeGreaterThan(0);
    expect(datasets.get('sales.customer_names')!.definition).toContain('FROM sales.customer');
  });

  it('maps every column type with native type, nullability, defaults and identity', () => {
    const columns = Object.fromEntries(datasets.get('sales.customer')!.columns.map((c) => [c.name, c]));
    expect(columns.id).toMatchObject({
      type: 'integer',
      nativeType: 'integer',
      nullable: false,
      primaryKey: true,
      autoIncrement: true,
      position: 1,
    });
    expect(columns.external_ref).toMatchObject({
      type: 'string',
      nativeType: 'uuid',
      nullable: false,
      primaryKey: false,
    });
    expect(columns.name).toMatchObject({ comment: 'legal name' });
    expect(columns.country).toMatchObject({
      type: 'string',
      nativeType: 'character(2)',
      length: 2,
      nullable: true,
    });
    expect(columns.tags).toMatchObject({ type: 'json', nativeType: 'text[]', array: true });
    expect(columns.profile).toMatchObject({ type: 'json', nativeType: 'jsonb' });
    expect(columns.balance).toMatchObject({
      type: 'decimal',
      nativeType: 'numeric(12,3)',
      precision: 12,
      scale: 3,
      default: '0',
    });
    expect(columns.created_at).toMatchObject({
      type: 'timestamp',
      nativeType: 'timestamp with time zone',
      default: 'now()',
    });
    expect(columns.birth).toMatchObject({ type: 'date' });
    expect(columns.upper_name).toMatchObject({ generated: true });
    expect(columns.upper_name!.default).toBeUndefined();
    const order = Object.fromEntries(datasets.get('sales.order')!.columns.map((c) => [c.name, c]));
    expect(order.status).toMatchObject({
      type: 'string',
      nativeType: 'sales.status',
      enumValues: ['draft', 'sent', 'paid'],
    });
    expect(order.select).toMatchObject({ type: 'boolean' });
    expect(order.placed).toMatchObject({ nativeType: 'timestamp(3) without time zone' });
    expect(datasets.get('sales.empty_table')!.columns[0]).toMatchObject({ autoIncrement: true });
  });

  it('reads keys, composite and cross-schema foreign keys, unique constraints and indexes', () => {
    const line = datasets.get('sales.order_line')!;
    expect(line.primaryKey?.columns).toEqual(['customer_id', 'order_no', 'line_no']);
    expect(line.foreignKeys).toEqual([
      {
        name: 'line_order',
        columns: ['customer_id', 'order_no'],
        references: { dataset: 'sales.order', columns: ['customer_id', 'order_no'] },
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      },
    ]);
    expect(line.indexes.find((i) => i.name === 'order_line_qty')).toEqual({
      name: 'order_line_qty',
      columns: ['qty'],
      unique: false,
      method: 'btree',
      partial: true,
    });
    const customer = datasets.get('sales.customer')!;
    expect(customer.foreignKeys[0]).toMatchObject({
      columns: ['country'],
      references: { dataset: 'ref.country', columns: ['code'] },
      onDelete: 'SET NULL',
    });
    expect(customer.uniqueKeys?.map((u) => u.columns)).toEqual([['external_ref']]);
    expect(customer.indexes.find((i) => i.name === 'customer_country_name')?.columns).toEqual([
      'country',
      'lower(name)',
      'upper_name',
    ]);
    const odd = datasets.get('Données clients.fiche "client" été')!;
    expect(odd).toMatchObject({ schema: 'Données clients', table: 'fiche "client" été', rowCount: 1 });
    expect(odd.primaryKey?.columns).toEqual(['n° client']);
    expect(odd.indexes.find((i) => i.primary)?.columns).toEqual(['n° client']);
  });

  it('names the referenced columns of a foreign key whose table lies outside the scope', async () => {
    const sales = await createPostgresConnector(
      { kind: 'postgres', url: url(DB), schemas: ['sales'] },
      { name: 'crm', mode: 'audit' },
    );
    try {
      const inventory = await sales.inventory();
      const customer = inventory.datasets.find((d) => d.name === 'sales.customer')!;
      expect(inventory.datasets.some((d) => d.name === 'ref.country')).toBe(false);
      expect(customer.foreignKeys[0]).toMatchObject({
        columns: ['country'],
        references: { dataset: 'ref.country', columns: ['code'] },
      });
    } finally {
      await sales.close();
    }
  });

  it('reports the server facts', async () => {
    const inventory = await connector.inventory();
    expect(inventory.server).toMatchObject({
      product: 'PostgreSQL',
      database: DB,
      encoding: 'UTF8',
      timeZone: 'UTC',
    });
    expect(inventory.server!.version).toMatch(/^\d+\.\d+/);
  });

  it('opens read-only sessions for audits', async () => {
    const db = await (connector as SqlConnector).db();
    const setting = await db.raw('SHOW default_transaction_read_only');
    expect(setting.rows[0].default_transaction_read_only).toBe('on');
    await expect(db.raw("INSERT INTO ref.country VALUES ('DE', 'Deutschland')")).rejects.toThrow(
      /read-only transaction/,
    );
  });

  it('streams rows in batches with contract values', async () => {
    const batches: Row[][] = [];
    for await (const batch of connector.read({ name: 'sales.customer' }, { batchSize: 1 }))
      batches.push(batch);
    expect(batches.map((b) => b.length)).toEqual([1, 1]);
    const [first, second] = batches.flat();
    expect(first).toEqual([
      1,
      '6f1c0c33-6f57-4d3b-9a53-0d1f3f6b5a01',
      'Dupont SARL',
      'FR',
      ['a', 'b'],
      jsonDocument({ vip: true }),
      '1234.500',
      '2024-03-04T09:00:00.123456Z',
      '1980-02-29',
      'DUPONT SARL',
    ]);
    expect(second![6]).toBe('-0.001');
    const lines: Row[] = [];
    for await (const batch of connector.read({ name: 'order_line' }, { columns: ['qty'] }))
      lines.push(...batch);
    expect(lines.map((r) => r[0])).toEqual([9007199254740993n, 3, 1]);
    const orders: Row[] = [];
    for await (const batch of connector.read({ name: 'sales.order' }, { where: '"select" IS TRUE' }))
      orders.push(...batch);
    expect(orders).toEqual([[1, 1, 'paid', true, '2024-03-04T10:00:00.5']]);
  });

  it('keeps the catalog to a fixed number of queries whatever the table count', async () => {
    const setup = knexFactory({ client: 'pg', connection: url(DB), pool: { min: 0, max: 1 } });
    const countFor = async (tables: number) => {
      await setup.raw('DROP SCHEMA IF EXISTS many CASCADE; CREATE SCHEMA many');
      const ddl = Array.from(
        { length: tables },
        // One row each: an empty table (no pages) is known to hold 0 rows without a counting statement.
        (_, i) =>
          `CREATE TABLE many.t${i} (id int PRIMARY KEY, v text); INSERT INTO many.t${i} VALUES (${i}, 'x')`,
      );
      await setup.raw(ddl.join(';'));
      const c = await createPostgresConnector(
        { kind: 'postgres', url: url(DB), schemas: ['many'] },
        { name: 'm', mode: 'audit' },
      );
      const inventory = await c.inventory();
      await c.close();
      expect(inventory.datasets).toHaveLength(tables);
      expect(inventory.datasets.filter((d) => d.rowCount === 1 && d.rowCountExact)).toHaveLength(tables);
      return inventory.catalogQueries!;
    };
    const few = await countFor(5);
    const many = await countFor(250);
    await setup.raw('DROP SCHEMA many CASCADE');
    await setup.destroy();
    // 4 round trips whatever the table count: relations, columns, one script of server facts, enums,
    // constraints and indexes, and one script of every counting statement.
    expect(few).toBe(4);
    expect(many).toBe(4);
  });

  it('reads the same columns whether asked for by schema beside the relations or by the relations kept', async () => {
    const inventoryOf = async (filter: Record<string, unknown>) => {
      const sql: string[] = [];
      const c = await createPostgresConnector(
        { kind: 'postgres', url: url(DB), ...filter },
        { name: 'f', mode: 'audit', onQuery: (text) => sql.push(text) },
      );
      const inventory = await c.inventory();
      await c.close();
      return {
        datasets: inventory.datasets,
        bySchema: sql.some((text) =>
          text.includes(
            'FROM pg_class c\nJOIN pg_namespace n ON n.oid = c.relnamespace\nJOIN pg_attribute a',
          ),
        ),
      };
    };
    // Plain schema names: the columns are asked for by schema, at once; a glob or an include: by relation.
    const named = await inventoryOf({ schemas: ['sales', 'ref'], exclude: ['customer_count'] });
    const globbed = await inventoryOf({ schemas: ['sal*', 'ref'], exclude: ['customer_count'] });
    const included = await inventoryOf({
      schemas: ['sales', 'ref'],
      include: ['sales.*', 'ref.*'],
      exclude: ['customer_count'],
    });
    expect([named.bySchema, globbed.bySchema, included.bySchema]).toEqual([true, false, false]);
    expect(named.datasets.map((d) => d.name)).not.toContain('sales.customer_count');
    expect(named.datasets).toEqual(globbed.datasets);
    expect(named.datasets).toEqual(included.datasets);
    expect(named.datasets.find((d) => d.name === 'sales.customer')?.columns).toHaveLength(10);
  });

  it('counts small tables by copying one fixed-width column, the others with COUNT(*), to the same counts', async () => {
    const setup = knexFactory({ client: 'pg', connection: url(DB), pool: { min: 0, max: 1 } });
    const role = `stocktake_rls_${process.pid}`;
    await setup.raw(`DROP SCHEMA IF EXISTS counted CASCADE; CREATE SCHEMA counted;
      CREATE TABLE counted.small (id int, note text); INSERT INTO counted.small VALUES (1, 'a'), (2, NULL), (3, 'c');
      CREATE TABLE counted.texts (a text, b varchar(9)); INSERT INTO counted.texts VALUES ('x', 'y'), (NULL, NULL);
      CREATE TABLE counted.parent (id int); INSERT INTO counted.parent VALUES (1);
      CREATE TABLE counted.child (extra bigint) INHERITS (counted.parent);
      INSERT INTO counted.child VALUES (2, 20), (3, 30);
      CREATE TABLE counted.dropped (gone smallint, b boolean, t text, g int GENERATED ALWAYS AS (length(t)) STORED);
      ALTER TABLE counted.dropped DROP COLUMN gone; INSERT INTO counted.dropped (b, t) VALUES (true, 'long text');
      CREATE TABLE counted.big (id int PRIMARY KEY); INSERT INTO counted.big SELECT generate_series(1, 5000);
      ANALYZE counted.big;
      CREATE TABLE counted.secured (id int, owner text); ALTER TABLE counted.secured ENABLE ROW LEVEL SECURITY;
      CREATE POLICY own ON counted.secured USING (owner = current_user);
      INSERT INTO counted.secured VALUES (1, '${role}'), (2, 'someone else'), (3, 'someone else');
      DROP ROLE IF EXISTS ${role}; CREATE ROLE ${role} LOGIN;
      GRANT USAGE ON SCHEMA counted TO ${role}; GRANT SELECT ON counted.secured TO ${role}`);
    const inventoryAs = async (user?: string) => {
      const sql: string[] = [];
      const target = new URL(url(DB));
      if (user) target.username = user;
      const c = await createPostgresConnector(
        {
          kind: 'postgres',
          url: target.toString(),
          schemas: ['counted'],
          ...(user ? { include: ['secured'] } : {}),
        },
        { name: 'c', mode: 'audit', onQuery: (text) => sql.push(text) },
      );
      const inventory = await c.inventory();
      await c.close();
      return {
        counts: Object.fromEntries(inventory.datasets.map((d) => [d.table, [d.rowCount, d.rowCountExact]])),
        script: sql.find((text) => text.startsWith('BEGIN')) ?? '',
      };
    };
    try {
      const owner = await inventoryAs();
      expect(owner.counts).toEqual({
        big: [5000, true],
        child: [2, true],
        dropped: [1, true],
        parent: [3, true],
        secured: [3, true],
        small: [3, true],
        texts: [2, true],
      });
      // Copied: small plain tables, by their narrowest fixed-width stored column.
      expect(owner.script).toContain('COPY "counted"."small" ("id") TO STDOUT');
      expect(owner.script).toContain('COPY "counted"."child" ("id") TO STDOUT');
      expect(owner.script).toContain('COPY "counted"."dropped" ("b") TO STDOUT');
      // Counted: a parent (COPY would skip its children's rows), text columns only, a large table.
      for (const table of ['parent', 'texts', 'big']) {
        expect(owner.script).not.toContain(`COPY "counted"."${table}"`);
        expect(owner.script).toContain(`COUNT(*) AS n FROM "counted"."${table}"`);
      }
      // Row-level security: the copy sees the rows the policy lets the audit user see, as a query would.
      const reader = await inventoryAs(role);
      expect(reader.script).toContain('COPY "counted"."secured" ("id") TO STDOUT');
      expect(reader.counts).toEqual({ secured: [1, true] });
    } finally {
      await setup.raw(`DROP SCHEMA counted CASCADE; DROP ROLE IF EXISTS ${role}`);
      await setup.destroy();
    }
  });

  it('reads sizes from the catalog statistics, or measures them with sizes: exact', async () => {
    const setup = knexFactory({ client: 'pg', connection: url(DB), pool: { min: 0, max: 1 } });
    await setup.raw(`DROP SCHEMA IF EXISTS sized CASCADE; CREATE SCHEMA sized;
      CREATE TABLE sized.analyzed (id int PRIMARY KEY, note text); CREATE INDEX ON sized.analyzed (note);
      INSERT INTO sized.analyzed SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g;
      CREATE TABLE sized.fresh (id int PRIMARY KEY);
      INSERT INTO sized.fresh SELECT generate_series(1, 500)`);
    await setup.raw('VACUUM ANALYZE sized.analyzed');
    const measured = async (table: string) =>
      Number((await setup.raw(`SELECT pg_total_relation_size('sized.${table}')::bigint AS n`)).rows[0].n);
    const inventoryWith = async (sizes?: 'exact') => {
      const c = await createPostgresConnector(
        { kind: 'postgres', url: url(DB), schemas: ['sized'], ...(sizes ? { sizes } : {}) },
        { name: 's', mode: 'audit' },
      );
      const inventory = await c.inventory();
      await c.close();
      return new Map(inventory.datasets.map((d) => [d.table, [d.sizeBytes, d.sizeExact]]));
    };
    // The main forks of the table, its TOAST table and their indexes (the catalog records no free space
    // or visibility map).
    const mainForks = async (table: string) =>
      Number(
        (
          await setup.raw(`SELECT sum(pg_relation_size(r.oid, 'main'))::bigint AS n FROM pg_class r
            WHERE r.oid IN (SELECT c.oid FROM pg_class c WHERE c.oid = 'sized.${table}'::regclass
              UNION SELECT c.reltoastrelid FROM pg_class c WHERE c.oid = 'sized.${table}'::regclass
              UNION SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON i.indrelid IN (c.oid, c.reltoastrelid)
                WHERE c.oid = 'sized.${table}'::regclass)`)
        ).rows[0].n,
      );
    const analyzedBytes = await mainForks('analyzed');
    const freshBytes = await measured('fresh');
    expect(analyzedBytes).toBeGreaterThan(400_000);
    // Analyzed: as the catalog recorded it at the last VACUUM (equal to the files until they change).
    // Never analyzed: no record, so measured.
    const estimated = await inventoryWith();
    expect(estimated.get('analyzed')).toEqual([analyzedBytes, false]);
    expect(estimated.get('fresh')).toEqual([freshBytes, true]);
    // Rows added since the last VACUUM: the catalog still has the old size; sizes: exact sees them.
    await setup.raw(
      `INSERT INTO sized.analyzed SELECT g, repeat('y', 200) FROM generate_series(2001, 4000) g`,
    );
    expect((await inventoryWith()).get('analyzed')).toEqual([analyzedBytes, false]);
    expect((await inventoryWith('exact')).get('analyzed')).toEqual([await measured('analyzed'), true]);
    expect(await measured('analyzed')).toBeGreaterThan(analyzedBytes);
    await setup.raw('DROP SCHEMA sized CASCADE');
    await setup.destroy();
  });

  it('estimates row counts above the threshold', async () => {
    const c = await createPostgresConnector(
      {
        kind: 'postgres',
        url: url(DB),
        schemas: ['sales'],
        include: ['customer'],
        rowCounts: { exactBelow: 0 },
      },
      { name: 'e', mode: 'audit' },
    );
    const inventory = await c.inventory();
    await c.close();
    expect(inventory.datasets.map((d) => [d.name, d.rowCountExact])).toEqual([['sales.customer', false]]);
  });

  it('inventories on a pool of one connection, and side by side on one connector', async () => {
    // `include` makes the columns wait for the relations: the counting lane must not hold the only
    // connection while it waits for them.
    const single = await createPostgresConnector(
      {
        kind: 'postgres',
        url: url(DB),
        schemas: ['sales'],
        include: ['customer', 'order'],
        pool: { max: 1 },
      },
      { name: 'one', mode: 'audit' },
    );
    try {
      const inventory = await single.inventory();
      expect(inventory.datasets.map((d) => [d.name, d.rowCount, d.rowCountExact])).toEqual([
        ['sales.customer', 2, true],
        ['sales.order', 3, true],
      ]);
    } finally {
      await single.close();
    }
    // Two reads before any inventory, and an inventory beside them: one catalog pool, closed by the last.
    const shared = await createPostgresConnector(
      { kind: 'postgres', url: url(DB), schemas: ['sales', 'ref'] },
      { name: 'shared', mode: 'audit' },
    );
    try {
      const read = async (name: string) => {
        const rows: Row[] = [];
        for await (const batch of shared.read({ name })) rows.push(...batch);
        return rows.length;
      };
      const [countries, orders, inventory] = await Promise.all([
        read('ref.country'),
        read('sales.order'),
        shared.inventory(),
      ]);
      expect([countries, orders]).toEqual([2, 3]);
      expect(inventory.datasets.find((d) => d.name === 'sales.order')?.rowCount).toBe(3);
    } finally {
      await shared.close();
    }
  });

  it('fails the next statement, not the process, when the server ends a connection a lane holds', async () => {
    const pool = new pg.Pool({ connectionString: url(DB), max: 1, application_name: 'stocktake:ended' });
    const sessions = pgSessions(pool, () => {});
    const killer = new pg.Client({ connectionString: url(DB) });
    await killer.connect();
    try {
      const outcome = sessions.onOneConnection(async (query) => {
        await query('SELECT 1');
        await killer.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'stocktake:ended'",
        );
        // The server's goodbye reaches the idle connection while the lane still holds it.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return query('SELECT 2');
      });
      await expect(outcome).rejects.toThrow(/terminat|Connection|not queryable/i);
      // The ended connection was dropped, not handed back: the pool opens a fresh one.
      expect(await sessions.query('SELECT 3 AS n')).toEqual([{ n: 3 }]);
    } finally {
      await killer.end();
      await pool.end();
    }
  });

  it('fails clearly on a filter that matches nothing, a missing database and an unreachable server', async () => {
    const attempt = async (config: Record<string, unknown>) => {
      const c = await createPostgresConnector({ kind: 'postgres', ...config } as never, {
        name: 'bad',
        mode: 'audit',
      });
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
    expect(await attempt({ url: url(DB), include: ['nothing_like_this*'] })).toMatchObject({
      code: 'FILTER_MATCHED_NOTHING',
    });
    const missing = await attempt({ url: 'postgres://postgres:S3cretPass@127.0.0.1:5432/no_such_db' });
    expect(missing).toMatchObject({ code: 'SOURCE_DATABASE_MISSING' });
    expect(missing!.message).toContain('source bad');
    expect(missing!.message).not.toContain('S3cretPass');
    const unreachable = await attempt({
      host: '127.0.0.1',
      port: 1,
      user: 'x',
      password: 'S3cretPass',
      database: 'x',
    });
    expect(unreachable).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    expect(unreachable!.message).not.toContain('S3cretPass');
  });
});
