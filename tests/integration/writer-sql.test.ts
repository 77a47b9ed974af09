/**
 * The SQL writers on real databases: every test runs on each backend of WRITER_BACKENDS (SQLite always,
 * PostgreSQL and MariaDB when their servers answer, all of them under CI=true).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import { createSqlWriter, type WriterKind } from '../../src/connectors/sql/sql-writer.ts';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';
import type { Row, Value } from '../../src/connectors/types.ts';
import type { Checkpoint, Writer } from '../../src/connectors/writer-types.ts';
import { jsonDocument } from '../helpers/json-document.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

type Backend = Exclude<WriterKind, 'mssql'>;
const DB = 'stocktake_it_writer';
const ODD = 'x"; DROP TABLE y; --';
const ODD_COLUMNS = ['id', 'a?b', 'c"d', 'e`f', '$1'];

const withDatabase = (server: string, database: string) => {
  const u = new URL(server);
  u.pathname = `/${database}`;
  return u.toString();
};

// The same tables on every backend; `y` must survive the odd table name.
const DDL: Record<Backend, (q: (id: string) => string) => string[]> = {
  postgres: (q) => [
    'CREATE TABLE parent (id integer PRIMARY KEY)',
    `CREATE TABLE item (id integer PRIMARY KEY, code varchar(10) NOT NULL UNIQUE, qty integer CHECK (qty >= 0),
      parent_id integer REFERENCES parent (id), note text)`,
    `CREATE TABLE types (id integer PRIMARY KEY, s varchar(50), i bigint, d numeric(12,3), f float8, b boolean,
      dt date, tm time, ts timestamp(6), tz timestamptz, bin bytea, j jsonb, tags text[])`,
    'CREATE TABLE y (id integer)',
    `CREATE TABLE ${q(ODD)} (${ODD_COLUMNS.map((c, i) => `${q(c)} ${i === 0 ? 'integer PRIMARY KEY' : 'text'}`).join(', ')})`,
  ],
  mysql: (q) => [
    'CREATE TABLE parent (id int PRIMARY KEY)',
    `CREATE TABLE item (id int PRIMARY KEY, code varchar(10) NOT NULL UNIQUE, qty int CHECK (qty >= 0),
      parent_id int, note text, FOREIGN KEY (parent_id) REFERENCES parent (id))`,
    `CREATE TABLE types (id int PRIMARY KEY, s varchar(50), i bigint, d decimal(12,3), f double, b tinyint(1),
      dt date, tm time, ts datetime(6), tz timestamp(6) NULL, bin varbinary(64), j json)`,
    'CREATE TABLE y (id int)',
    `CREATE TABLE ${q(ODD)} (${ODD_COLUMNS.map((c, i) => `${q(c)} ${i === 0 ? 'int PRIMARY KEY' : 'text'}`).join(', ')})`,
  ],
  sqlite: (q) => [
    'CREATE TABLE parent (id INTEGER PRIMARY KEY)',
    `CREATE TABLE item (id INTEGER PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE, qty INTEGER CHECK (qty >= 0),
      parent_id INTEGER REFERENCES parent (id), note TEXT)`,
    `CREATE TABLE types (id INTEGER PRIMARY KEY, s VARCHAR(50), i INTEGER, d DECIMAL(12,3), f REAL, b BOOLEAN,
      dt DATE, tm TIME, ts DATETIME, tz TIMESTAMP, bin BLOB, j JSON)`,
    'CREATE TABLE y (id INTEGER)',
    `CREATE TABLE ${q(ODD)} (${ODD_COLUMNS.map((c, i) => `${q(c)} ${i === 0 ? 'INTEGER PRIMARY KEY' : 'TEXT'}`).join(', ')})`,
  ],
};

const dq = (id: string) => `"${id.replaceAll('"', '""')}"`;
const bq = (id: string) => `\`${id.replaceAll('`', '``')}\``;

/** A backend's fresh database, its write-mode connector, and a way to run setup SQL. */
interface Harness {
  readonly connector: SqlConnector;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

const BACKENDS: Record<Backend, { up: boolean; open(): Promise<Harness> }> = {
  postgres: {
    up: await serverAvailable('postgres'),
    async open() {
      const admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
      await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
      await admin.raw(`CREATE DATABASE ${DB}`);
      const url = withDatabase(SERVERS.postgres, DB);
      const setup = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
      await setup.raw('CREATE SCHEMA app; SET search_path = app');
      for (const sql of DDL.postgres(dq))
        await setup.raw(`SET search_path = app; ${sql.replaceAll('?', '\\?')}`);
      const connector = (await createPostgresConnector(
        { kind: 'postgres', url, schemas: ['app'] },
        { name: 'target', mode: 'write' },
      )) as SqlConnector;
      return {
        connector,
        exec: async (sql) => void (await setup.raw(`SET search_path = app; ${sql}`)),
        async close() {
          await connector.close();
          await setup.destroy();
          await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
          await admin.destroy();
        },
      };
    },
  },
  mysql: {
    up: await serverAvailable('mysql'),
    async open() {
      const admin = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
      await admin.raw(`DROP DATABASE IF EXISTS ${DB}`);
      await admin.raw(`CREATE DATABASE ${DB} CHARACTER SET utf8mb4`);
      const url = withDatabase(SERVERS.mysql, DB);
      const setup = knexFactory({
        client: 'mysql2',
        connection: {
          host: new URL(url).hostname,
          port: Number(new URL(url).port),
          user: 'root',
          database: DB,
        },
        pool: { min: 0, max: 1 },
      });
      // Straight to the driver: knex would read the ? of the odd names as placeholders.
      const run = async (sql: string) => {
        const c: RawMysqlConnection = await setup.client.acquireConnection();
        try {
          await new Promise<void>((resolve, reject) => c.query(sql, (e) => (e ? reject(e) : resolve())));
        } finally {
          await setup.client.releaseConnection(c);
        }
      };
      for (const sql of DDL.mysql(bq)) await run(sql);
      const connector = (await createMysqlConnector(
        { kind: 'mysql', url, schemas: [DB] },
        { name: 'target', mode: 'write' },
      )) as SqlConnector;
      return {
        connector,
        exec: run,
        async close() {
          await connector.close();
          await setup.destroy();
          await admin.raw(`DROP DATABASE IF EXISTS ${DB}`);
          await admin.destroy();
        },
      };
    },
  },
  sqlite: {
    up: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'stocktake-writer-'));
      const file = join(dir, 'target.sqlite');
      const setup = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: file },
        useNullAsDefault: true,
      });
      const run = async (sql: string) => {
        const c = await setup.client.acquireConnection();
        try {
          c.exec(sql);
        } finally {
          await setup.client.releaseConnection(c);
        }
      };
      for (const sql of DDL.sqlite(dq)) await run(sql);
      const connector = (await createSqliteConnector(
        { kind: 'sqlite', path: file },
        { name: 'target', mode: 'write' },
      )) as SqlConnector;
      return {
        connector,
        exec: run,
        async close() {
          await connector.close();
          await setup.destroy();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
};

const selected = (process.env.STOCKTAKE_WRITER_BACKENDS ?? 'postgres,mysql,sqlite').split(',') as Backend[];

const checkpoint = (batches: number, extra: Partial<Checkpoint> = {}): Checkpoint => ({
  mapping: 'items',
  runId: 'run-1',
  batches,
  sourceRows: batches * 10,
  done: false,
  fingerprint: 'sha256:abc',
  updatedAt: `2024-05-01T10:00:0${batches % 10}.000Z`,
  ...extra,
});

for (const kind of selected) {
  const backend = BACKENDS[kind];
  describe.skipIf(!backend.up)(`${kind} writer`, () => {
    let h: Harness;

    beforeAll(async () => {
      h = await backend.open();
      await h.exec('INSERT INTO parent (id) VALUES (1), (2)');
    });
    afterAll(async () => {
      await h?.close();
    });

    const datasetOf = async (table: string) => {
      const inventory = await h.connector.inventory();
      const dataset = inventory.datasets.find((d) => (d.table ?? d.name) === table);
      if (!dataset) throw new Error(`no ${table}`);
      return dataset;
    };

    const writerFor = async (table: string, columns: string[], key: string[], db?: Knex): Promise<Writer> => {
      const dataset = await datasetOf(table);
      return createSqlWriter(
        kind,
        db ?? (await h.connector.db()),
        { dataset: dataset.name, columns, key },
        {
          columns: dataset.columns,
          schema: dataset.schema,
          table: dataset.table ?? dataset.name,
          name: 'target',
        },
      );
    };

    const readAll = async (table: string, columns: string[]): Promise<Row[]> => {
      const dataset = await datasetOf(table);
      const rows: Row[] = [];
      for await (const batch of h.connector.read({ name: dataset.name }, { columns })) rows.push(...batch);
      return rows.sort((a, b) => Number(a[0]) - Number(b[0]));
    };

    const ITEM = ['id', 'code', 'qty', 'parent_id', 'note'];

    it('upserts with exact inserted and updated counts, leaves unchanged rows alone, and re-applies to no change', async () => {
      await h.exec('DELETE FROM item');
      const writer = await writerFor('item', ITEM, ['id']);
      const first = await writer.applyBatch({
        upserts: [
          [1, 'A', 1, 1, null],
          [2, 'B', 2, null, 'two'],
          [3, 'C', 3, 2, 'three'],
        ],
        checkpoint: checkpoint(1),
      });
      expect(first).toEqual({ inserted: 3, updated: 0, deleted: 0, rejected: [] });
      const second = {
        upserts: [
          [1, 'A', 1, 1, null],
          [2, 'B', 20, null, 'two'],
          [3, 'C', 3, 2, null],
          [4, 'D', 4, 1, 'four'],
        ],
        checkpoint: checkpoint(2),
      };
      expect(await writer.applyBatch(second)).toEqual({ inserted: 1, updated: 2, deleted: 0, rejected: [] });
      expect(await writer.applyBatch(second)).toEqual({ inserted: 0, updated: 0, deleted: 0, rejected: [] });
      expect(await readAll('item', ITEM)).toEqual([
        [1, 'A', 1, 1, null],
        [2, 'B', 20, null, 'two'],
        [3, 'C', 3, 2, null],
        [4, 'D', 4, 1, 'four'],
      ]);
    });

    it('refuses an existing key in insert mode as a rejection and deletes by key', async () => {
      await h.exec('DELETE FROM item');
      const writer = await writerFor('item', ITEM, ['id']);
      await writer.applyBatch({
        upserts: [
          [1, 'A', 1, null, null],
          [2, 'B', 2, null, null],
        ],
        checkpoint: checkpoint(1),
      });
      const result = await writer.applyBatch({
        upserts: [],
        inserts: [
          [1, 'Z', 9, null, null],
          [5, 'E', 5, null, null],
        ],
        deletes: [[2], [99]],
        checkpoint: checkpoint(2),
      });
      expect(result).toMatchObject({ inserted: 1, updated: 0, deleted: 1 });
      expect(result.rejected).toHaveLength(1);
      expect(result.rejected[0]).toMatchObject({ list: 'inserts', index: 0 });
      expect(result.rejected[0]!.reason).toMatch(/duplicate|unique/i);
      expect(await readAll('item', ITEM)).toEqual([
        [1, 'A', 1, null, null],
        [5, 'E', 5, null, null],
      ]);
    });

    it("rejects each row that breaks a constraint with the database's reason and applies the others", async () => {
      await h.exec('DELETE FROM item');
      const writer = await writerFor('item', ITEM, ['id']);
      await writer.applyBatch({ upserts: [[1, 'TAKEN', 1, null, null]], checkpoint: checkpoint(1) });
      const rows: Value[][] = [];
      for (let i = 10; i < 1010; i++) rows.push([i, `K${i}`, i, 1, null]);
      rows[100] = [110, 'K110', -5, 1, null]; // CHECK
      rows[200] = [210, null, 1, 1, null]; // NOT NULL
      rows[300] = [310, 'K310', 1, 999, null]; // FOREIGN KEY
      rows[400] = [410, 'TAKEN', 1, 1, null]; // UNIQUE on another key
      rows[500] = [510, 'much too long for ten', 1, 1, null]; // value too long (SQLite does not enforce lengths)
      const result = await writer.applyBatch({ upserts: rows, checkpoint: checkpoint(2) });
      const refused = result.rejected.map((r) => [r.index, r.reason]);
      const expected: [number, RegExp][] = [
        [100, /check|constraint/i],
        [200, /null/i],
        [300, /foreign key/i],
        [400, /duplicate|unique/i],
        ...(kind === 'sqlite' ? [] : ([[500, /too long/i]] as [number, RegExp][])),
      ];
      expect(refused.map((r) => r[0])).toEqual(expected.map((e) => e[0]));
      for (let i = 0; i < expected.length; i++) expect(refused[i]![1]).toMatch(expected[i]![1]);
      expect(result.inserted).toBe(1000 - expected.length);
      expect((await readAll('item', ['id'])).length).toBe(1 + 1000 - expected.length);
      expect(await writer.readCheckpoint('items')).toMatchObject({ batches: 2 });
    });

    it('lists each delete the database refuses (a row still referenced) and applies the others', async () => {
      await h.exec('DELETE FROM item');
      await h.exec('DELETE FROM parent');
      await h.exec('INSERT INTO parent (id) VALUES (1), (2), (3), (4), (5), (6), (7)');
      await h.exec("INSERT INTO item (id, code, qty, parent_id) VALUES (1, 'A', 1, 2), (2, 'B', 1, 6)");
      const writer = await writerFor('parent', ['id'], ['id']);
      const result = await writer.applyBatch({
        upserts: [[8]],
        deletes: [[1], [2], [3], [4], [5], [6], [99]],
        checkpoint: checkpoint(1),
      });
      expect(result).toMatchObject({ inserted: 1, updated: 0, deleted: 4 });
      expect(result.rejected.map((r) => [r.list, r.index])).toEqual([
        ['deletes', 1],
        ['deletes', 5],
      ]);
      for (const r of result.rejected) expect(r.reason).toMatch(/foreign key/i);
      expect((await readAll('parent', ['id'])).map((r) => r[0])).toEqual([2, 6, 7, 8]);
      expect(await writer.readCheckpoint('items')).toMatchObject({ batches: 1 });
      await h.exec('DELETE FROM item');
      await h.exec('DELETE FROM parent');
      await h.exec('INSERT INTO parent (id) VALUES (1), (2)');
    });

    it('upserts a batch announced as new rows all the same when a key exists after all', async () => {
      await h.exec('DELETE FROM item');
      const writer = await writerFor('item', ITEM, ['id']);
      await writer.applyBatch({
        upserts: [
          [1, 'A', 1, null, null],
          [2, 'TAKEN', 2, null, null],
        ],
        checkpoint: checkpoint(1),
      });
      const rows: Value[][] = [];
      for (let i = 10; i < 110; i++) rows.push([i, `K${i}`, i, null, null]);
      rows[30] = [1, 'A2', 7, null, null]; // the key exists: updated
      rows[60] = [70, 'TAKEN', 1, null, null]; // UNIQUE on another key: refused
      const result = await writer.applyBatch({ upserts: rows, upsertsNew: true, checkpoint: checkpoint(2) });
      expect(result.rejected.map((r) => r.index)).toEqual([60]);
      expect(result).toMatchObject({ inserted: 98, updated: 1 });
      const all = await readAll('item', ITEM);
      expect(all).toHaveLength(100);
      expect(all.find((r) => r[0] === 1)).toEqual([1, 'A2', 7, null, null]);
    });

    it('writes the checkpoint in the same transaction as the rows', async () => {
      await h.exec('DELETE FROM item');
      const writer = await writerFor('item', ITEM, ['id']);
      await writer.clearCheckpoint('items');
      expect(await writer.readCheckpoint('items')).toBeNull();
      await writer.applyBatch({
        upserts: [[1, 'A', 1, null, null]],
        checkpoint: checkpoint(1, { done: true }),
      });
      expect(await writer.readCheckpoint('items')).toEqual(checkpoint(1, { done: true }));
      // The checkpoint row fails after the rows were written: neither the rows nor the checkpoint remain.
      const failing = { ...checkpoint(2), fingerprint: null as unknown as string };
      await expect(
        writer.applyBatch({ upserts: [[2, 'B', 2, null, null]], deletes: [[1]], checkpoint: failing }),
      ).rejects.toThrow();
      expect(await readAll('item', ['id'])).toEqual([[1]]);
      expect(await writer.readCheckpoint('items')).toEqual(checkpoint(1, { done: true }));
      await writer.clearCheckpoint('items');
      expect(await writer.readCheckpoint('items')).toBeNull();
    });

    it('round-trips every logical type through the connector', async () => {
      await h.exec('DELETE FROM types');
      const columns = ['id', 's', 'i', 'd', 'f', 'b', 'dt', 'tm', 'ts', 'tz', 'bin', 'j'];
      const writer = await writerFor('types', columns, ['id']);
      const bytes = new Uint8Array([0, 1, 2, 92, 9, 10, 255]);
      const json = { a: 1, b: ['x', null], c: 'tab\there "quoted" \\ back' };
      const rows: Value[][] = [
        [
          1,
          'Ça va\t"ok"\n\\ 🎉',
          9007199254740993n,
          '1234.500',
          0.1,
          true,
          '2024-02-29',
          '13:45:10',
          '2024-03-04T10:00:00.123456',
          '2024-03-04T10:00:00.123456Z',
          bytes,
          json,
        ],
        [2, null, null, null, null, null, null, null, null, null, null, null],
        [
          3,
          '',
          -42,
          '-0.001',
          -1.5e300,
          false,
          '1999-12-31',
          '00:00:00',
          '2024-03-04T10:00:00',
          '2024-03-04T23:30:00.5Z',
          new Uint8Array(),
          [1, 'two'],
        ],
      ];
      expect(await writer.applyBatch({ upserts: rows, checkpoint: checkpoint(1) })).toMatchObject({
        inserted: 3,
        rejected: [],
      });
      const back = await readAll('types', columns);
      const decimal: Record<Backend, string[]> = {
        postgres: ['1234.500', '-0.001'],
        mysql: ['1234.500', '-0.001'],
        sqlite: ['1234.5', '-0.001'],
      };
      expect(back[0]).toEqual([
        1,
        'Ça va\t"ok"\n\\ 🎉',
        9007199254740993n,
        decimal[kind][0],
        0.1,
        true,
        '2024-02-29',
        '13:45:10',
        '2024-03-04T10:00:00.123456',
        '2024-03-04T10:00:00.123456Z',
        bytes,
        jsonDocument(json),
      ]);
      expect(back[1]).toEqual([2, null, null, null, null, null, null, null, null, null, null, null]);
      // How each backend spells the zone-less and zoned timestamps of row 3 (MariaDB: datetime(6) digits).
      const clocks: Record<Backend, [string, string]> = {
        postgres: ['2024-03-04T10:00:00', '2024-03-04T23:30:00.5Z'],
        mysql: ['2024-03-04T10:00:00.000000', '2024-03-04T23:30:00.500000Z'],
        sqlite: ['2024-03-04T10:00:00', '2024-03-04T23:30:00.5Z'],
      };
      expect(back[2]).toEqual([
        3,
        '',
        -42,
        decimal[kind][1],
        -1.5e300,
        false,
        '1999-12-31',
        '00:00:00',
        ...clocks[kind],
        new Uint8Array(),
        jsonDocument([1, 'two']),
      ]);
      expect(await writer.applyBatch({ upserts: rows, checkpoint: checkpoint(2) })).toMatchObject({
        inserted: 0,
        updated: 0,
      });
    });

    it('writes an instant into a column without a zone as its UTC wall clock', async () => {
      await h.exec('DELETE FROM types');
      const writer = await writerFor('types', ['id', 'ts', 'tz'], ['id']);
      await writer.applyBatch({
        upserts: [[1, '2024-03-04T00:30:00.25+01:00', '2024-03-04T00:30:00+01:00']],
        checkpoint: checkpoint(1),
      });
      const expected: Record<Backend, Value[]> = {
        postgres: [1, '2024-03-03T23:30:00.25', '2024-03-03T23:30:00Z'],
        mysql: [1, '2024-03-03T23:30:00.250000', '2024-03-03T23:30:00.000000Z'],
        // SQLite has no time type: the text is kept as written.
        sqlite: [1, '2024-03-04T00:30:00.25+01:00', '2024-03-04T00:30:00+01:00'],
      };
      expect((await readAll('types', ['id', 'ts', 'tz']))[0]).toEqual(expected[kind]);
    });

    it('quotes odd identifiers everywhere', async () => {
      const writer = await writerFor(ODD, ODD_COLUMNS, ['id']);
      const result = await writer.applyBatch({
        upserts: [
          [1, "'; DROP TABLE y; --", 'b', 'c', '$1'],
          [2, '?', '??', null, 'x'],
        ],
        checkpoint: checkpoint(1, { mapping: ODD }),
      });
      expect(result).toEqual({ inserted: 2, updated: 0, deleted: 0, rejected: [] });
      expect(
        await writer.applyBatch({
          upserts: [[1, "'; DROP TABLE y; --", 'B', 'c', '$1']],
          deletes: [[2]],
          checkpoint: checkpoint(2, { mapping: ODD }),
        }),
      ).toEqual({ inserted: 0, updated: 1, deleted: 1, rejected: [] });
      expect(await readAll(ODD, ODD_COLUMNS)).toEqual([[1, "'; DROP TABLE y; --", 'B', 'c', '$1']]);
      expect(await writer.readCheckpoint(ODD)).toMatchObject({ mapping: ODD, batches: 2 });
      expect(await readAll('y', ['id'])).toEqual([]);
    });

    // MariaDB/MySQL only: the other backends have no non-strict mode to guard against.
    if (kind === 'mysql') {
      it('refuses a value too long even when the server is not in strict mode', async () => {
        await h.exec('DELETE FROM item');
        const lax = knexFactory({
          client: 'mysql2',
          connection: {
            host: '127.0.0.1',
            port: Number(new URL(SERVERS.mysql).port),
            user: 'root',
            database: DB,
          },
          pool: {
            min: 0,
            max: 1,
            afterCreate: (
              c: { query(s: string, cb: (e: Error | null) => void): void },
              done: (e: Error | null, c: unknown) => void,
            ) => c.query("SET SESSION sql_mode = ''", (e) => done(e, c)),
          },
        });
        try {
          const writer = await writerFor('item', ITEM, ['id'], lax);
          const result = await writer.applyBatch({
            upserts: [
              [1, 'far too long for it', 1, null, null],
              [2, 'OK', 2, null, null],
            ],
            checkpoint: checkpoint(1),
          });
          expect(result.inserted).toBe(1);
          expect(result.rejected).toEqual([
            { list: 'upserts', index: 0, reason: expect.stringMatching(/too long/i) },
          ]);
          expect(await readAll('item', ['id', 'code'])).toEqual([[2, 'OK']]);
        } finally {
          await lax.destroy();
        }
      });
    }
  });
}

interface RawMysqlConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
}
