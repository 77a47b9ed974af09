/**
 * Hostile schemas: schemas, tables, columns, constraints, indexes and views named with quotes,
 * semicolons, backticks, brackets, driver placeholders (`?`, `$1`, `:name`, `@p`), LIKE wildcards,
 * newlines, tabs, Unicode, reserved words, edge spaces, maximum-length names and
 * `x"; DROP TABLE y; --` in PostgreSQL, MariaDB and SQLite. The inventory, the push-down and the
 * streaming profiles, the plan and the migration between two such tables run through the stages; the
 * results are checked value by value, table `y` still exists, and the server's own statement log holds
 * no statement outside the expected set. SQL Server (no server here): the SQL text generated for the
 * same names, as the driver would receive it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config, MappingConfig, SourceConfig } from '../../src/config/schema.ts';
import { quoteMssql } from '../../src/connectors/mssql/mssql-catalog.ts';
import { mssqlPushdown } from '../../src/connectors/mssql/mssql-pushdown.ts';
import { mssqlWriteColumn, mssqlWriteStatements } from '../../src/connectors/mssql/mssql-writer.ts';
import { quoteMysql } from '../../src/connectors/mysql/mysql-catalog.ts';
import { openConnector } from '../../src/connectors/registry.ts';
import { quoteDoubleQuoted } from '../../src/connectors/sql/quote-identifier.ts';
import { countRowsExactly, rawSql } from '../../src/connectors/sql/row-counts.ts';
import { pushdownProfile } from '../../src/connectors/sql/sql-pushdown.ts';
import type { Connector } from '../../src/connectors/types.ts';
import type { Column, Dataset, Inventory } from '../../src/core/inventory.ts';
import type { Profile } from '../../src/core/profile.ts';
import { profileRows } from '../../src/profilers/dataset-accumulator.ts';
import type { DatasetObservation } from '../../src/profilers/observation.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';
import {
  type LoggedStatement,
  openMariaDbLog,
  openPostgresLog,
  type Quoting,
  readMariaDbLog,
  readPostgresLog,
  statementProblems,
  stripQuoted,
} from './statement-log.ts';

type Backend = 'postgres' | 'mysql' | 'sqlite';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');

/** The login (PostgreSQL role, MariaDB user) whose statements the servers log. */
const LOGIN = 'st_hostile_schemas';
/** The schema (PostgreSQL) or database (MariaDB) of the suite; quoted names everywhere. */
const SCHEMA = 'st_hostile_schemas "s\'`]; DROP TABLE y; --';

// MariaDB refuses names ending with a space and characters outside the BMP; PostgreSQL cuts at 63 bytes.
const EMOJI: Record<Backend, string> = { postgres: '😀', mysql: '☃', sqlite: '😀' };
const LONG: Record<Backend, number> = { postgres: 63, mysql: 64, sqlite: 200 };
const SPACED: Record<Backend, string> = { postgres: ' padded ', mysql: ' padded', sqlite: ' padded ' };

/** The hostile tables; the first is the FK parent and the migration's source, the second its child. */
function hostileTables(b: Backend): string[] {
  return [
    'x"; DROP TABLE y; --',
    'x`; DROP TABLE y; --',
    'x]; DROP TABLE y; --',
    "it's'; DROP TABLE y; --",
    'what? $1 :name @p %_\\',
    `naïve ${EMOJI[b]} שלום`,
    'select',
    SPACED[b],
    'line\nbreak\ttab',
    'T'.repeat(LONG[b]),
  ];
}

/** Columns of every hostile table after `id`, `select`, `order`, `group`, `user`. */
function hostileColumns(b: Backend): string[] {
  return [
    'a"b',
    "a'b",
    'a]b',
    'a`b',
    '?',
    '$1',
    ':name',
    '@p0',
    '%_',
    'a;b',
    'new\nline',
    'tab\there',
    `é${EMOJI[b]} שלום`,
    b === 'mysql' ? ' sp' : ' sp ',
    'c'.repeat(LONG[b]),
    // Names that are special as keys of a JavaScript object (mysql2 refuses a `__proto__` field outright).
    'constructor',
    '__proto__',
  ];
}

const VIEW = 'v"; DROP TABLE y; --';
/** A column of JSON values (all null) whose name holds a backtick. */
const JSON_COLUMN = 'a`b';
const JSON_TYPE: Record<Backend, string> = { postgres: 'jsonb', mysql: 'json', sqlite: 'JSON' };
const TARGET = 't?"; DROP TABLE y; -- $1';
const TARGET_COLUMNS = ['k"?', "v'$1", 'select', 'n;%'] as const;

/** Rows of hostile table `i`: each a different count (no count can pass for another's), the FK parent the most. */
const rowsOf = (i: number) => 30 - i;

/** The values of row `id` (1-based) of a hostile table, in column order. */
function rowValues(id: number, extra: number): (string | number | null)[] {
  const values: (string | number | null)[] = [
    id,
    `v${id}?'"; DROP TABLE y; --`,
    `o${id % 5}`,
    id / 4,
    id % 3 === 0 ? null : `u$1%_${id % 4}`,
  ];
  for (let k = 0; k < extra; k++) values.push(k % 2 === 0 ? `${k}-${id % 7}` : null);
  return values;
}

/** What a backend needs from the suite: how to quote, create, connect and read its statement log. */
interface Setup {
  readonly quote: (name: string) => string;
  readonly quoting: Quoting;
  readonly source: SourceConfig;
  readonly exec: (sql: string, values?: unknown[]) => Promise<void>;
  /** The names of tables that exist, to prove `y` is still there. */
  readonly tables: () => Promise<string[]>;
  /** The target table's rows as text tuples, ordered by key. */
  readonly targetRows: () => Promise<string[][]>;
  /** Starts logging the suite's statements on the server; `close` stops it (call it in `finally`). */
  readonly openLog?: () => Promise<StatementLog>;
  /** Dataset name of a table in the inventory. */
  readonly dataset: (table: string) => string;
  readonly close: () => Promise<void>;
}

function createSql(b: Backend, q: (n: string) => string, qualified: (t: string) => string): string[] {
  const tables = hostileTables(b);
  const columns = hostileColumns(b);
  const text = b === 'mysql' ? 'varchar(60)' : 'text';
  const num = b === 'sqlite' ? 'DECIMAL(10,2)' : 'numeric(10,2)';
  const statements: string[] = [];
  tables.forEach((table, i) => {
    const defs = [
      `${q('id')} integer NOT NULL`,
      `${q('select')} ${text} NOT NULL`,
      `${q('order')} ${text}`,
      `${q('group')} ${num}`,
      `${q('user')} ${text}`,
      // A JSON column named with a backtick: MariaDB's json_valid() check quotes it in its clause.
      ...columns.map((c) => `${q(c)} ${c === JSON_COLUMN ? JSON_TYPE[b] : text}`),
      `CONSTRAINT ${q(`pk"; DROP TABLE y; -- ${i}`)} PRIMARY KEY (${q('id')})`,
      `CONSTRAINT ${q(`u'?; DROP TABLE y; -- ${i}`)} UNIQUE (${q('select')})`,
    ];
    if (i === 1) {
      defs.push(
        `CONSTRAINT ${q('fk"; DROP TABLE y; --')} FOREIGN KEY (${q('id')}) REFERENCES ${qualified(tables[0]!)} (${q('id')})`,
      );
    }
    statements.push(`CREATE TABLE ${qualified(table)} (${defs.join(', ')})`);
    statements.push(`CREATE INDEX ${q(`ix?$1 ${i}`)} ON ${qualified(table)} (${q('a"b')}, ${q('?')})`);
  });
  statements.push(`CREATE TABLE ${qualified('y')} (id integer)`);
  statements.push(`CREATE VIEW ${qualified(VIEW)} AS SELECT * FROM ${qualified(tables[4]!)}`);
  statements.push(
    `CREATE TABLE ${qualified(TARGET)} (${q(TARGET_COLUMNS[0])} ${text} PRIMARY KEY, ${q(TARGET_COLUMNS[1])} ${text}, ${q(TARGET_COLUMNS[2])} ${text}, ${q(TARGET_COLUMNS[3])} ${num})`,
  );
  return statements;
}

async function fill(b: Backend, setup: Setup, qualified: (t: string) => string): Promise<void> {
  const tables = hostileTables(b);
  const extra = hostileColumns(b).length;
  for (const [i, table] of tables.entries()) {
    const rows = Array.from({ length: rowsOf(i) }, (_, r) => rowValues(r + 1, extra));
    const width = rows[0]!.length;
    const placeholders = (n: number) =>
      b === 'postgres'
        ? Array.from({ length: n }, (_, k) => `$${k + 1}`).join(', ')
        : new Array(n).fill('?').join(', ');
    for (const row of rows)
      await setup.exec(`INSERT INTO ${qualified(table)} VALUES (${placeholders(width)})`, row);
  }
}

// --- backends ---------------------------------------------------------------------------------------

async function postgresSetup(): Promise<Setup> {
  const q = quoteDoubleQuoted;
  const url = new URL(SERVERS.postgres);
  url.username = LOGIN;
  url.password = '';
  const admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 2 } });
  // Raw driver calls: knex would number a `?` inside a quoted name as a parameter.
  const rawOn =
    (db: Knex) =>
    async (sql: string, values: unknown[] = []) => {
      const client = db.client as {
        acquireConnection(): Promise<PgClient>;
        releaseConnection(c: PgClient): Promise<void>;
      };
      const c = await client.acquireConnection();
      try {
        return await c.query(sql, values);
      } finally {
        await client.releaseConnection(c);
      }
    };
  const raw = rawOn(admin);
  await raw(`DROP SCHEMA IF EXISTS ${q(SCHEMA)} CASCADE`);
  await raw(`DROP ROLE IF EXISTS ${LOGIN}`);
  await raw(`CREATE ROLE ${LOGIN} LOGIN`);
  await raw(`CREATE SCHEMA ${q(SCHEMA)} AUTHORIZATION ${LOGIN}`);
  // An injected `DROP TABLE y` would resolve `y` through the search path: it points at the suite's `y`.
  await raw(`ALTER ROLE ${LOGIN} SET search_path = ${q(SCHEMA)}`);
  const owner = knexFactory({ client: 'pg', connection: url.toString(), pool: { min: 0, max: 1 } });
  const qualified = (t: string) => `${q(SCHEMA)}.${q(t)}`;
  const setup: Setup = {
    quote: q,
    quoting: 'postgres',
    source: { kind: 'postgres', url: url.toString(), schemas: [SCHEMA] } as SourceConfig,
    exec: async (sql, values) => {
      await rawOn(owner)(sql, values);
    },
    tables: async () =>
      (await raw('SELECT tablename FROM pg_tables WHERE schemaname = $1', [SCHEMA])).rows.map(
        (r: { tablename: string }) => r.tablename,
      ),
    targetRows: async () =>
      (
        await raw(
          `SELECT ${TARGET_COLUMNS.map((c) => `${q(c)}::text`).join(', ')} FROM ${qualified(TARGET)} ORDER BY ${q(TARGET_COLUMNS[0])} COLLATE "C"`,
        )
      ).rows.map((r: Record<string, string>) => Object.values(r)),
    openLog: async () => {
      // Statements of the suite's role only: every session it opens logs them, nothing else does.
      await raw(`ALTER ROLE ${LOGIN} SET log_statement = 'all'`);
      const window = await openPostgresLog(admin);
      return {
        read: () => readPostgresLog(admin, window, LOGIN),
        close: async () => {
          await raw(`ALTER ROLE ${LOGIN} RESET log_statement`);
        },
      };
    },
    dataset: (t) => `${SCHEMA}.${t}`,
    close: async () => {
      await owner.destroy();
      await raw(`DROP SCHEMA IF EXISTS ${q(SCHEMA)} CASCADE`);
      await raw(`DROP ROLE IF EXISTS ${LOGIN}`);
      await admin.destroy();
    },
  };
  for (const sql of createSql('postgres', q, qualified)) await setup.exec(sql);
  await fill('postgres', setup, qualified);
  return setup;
}

/** A server statement log opened for one test. */
interface StatementLog {
  read(): Promise<LoggedStatement[]>;
  close(): Promise<void>;
}

/** Runs `work` with the backend's statement log open (none for SQLite) and returns what it logged. */
async function withLog(setup: Setup, work: () => Promise<void>): Promise<LoggedStatement[] | undefined> {
  const log = await setup.openLog?.();
  try {
    await work();
    return await log?.read();
  } finally {
    await log?.close();
  }
}

interface PgClient {
  query(sql: string, values?: unknown[]): Promise<{ rows: never[] }>;
}

async function mysqlSetup(): Promise<Setup> {
  const admin = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 2 } });
  const q = quoteMysql;
  const client = admin.client as {
    acquireConnection(): Promise<MyConnection>;
    releaseConnection(c: MyConnection): Promise<void>;
  };
  // Raw driver calls: knex would take a `?` inside a quoted name for a placeholder.
  const raw = async (sql: string, values?: unknown[]): Promise<unknown[]> => {
    const c = await client.acquireConnection();
    try {
      return await new Promise((resolve, reject) => {
        const done = (error: Error | null, rows: unknown) =>
          error ? reject(error) : resolve(rows as unknown[]);
        if (values) c.execute(sql, values, done);
        else c.query(sql, done);
      });
    } finally {
      await client.releaseConnection(c);
    }
  };
  await raw(`DROP DATABASE IF EXISTS ${q(SCHEMA)}`);
  await raw(`DROP USER IF EXISTS '${LOGIN}'@'%'`);
  await raw(`CREATE DATABASE ${q(SCHEMA)} CHARACTER SET utf8mb4`);
  await raw(`CREATE USER '${LOGIN}'@'%'`);
  await raw(`GRANT ALL ON ${q(SCHEMA)}.* TO '${LOGIN}'@'%'`);
  const url = new URL(SERVERS.mysql);
  url.username = LOGIN;
  url.password = '';
  // The connection's database is the suite's: an injected `DROP TABLE y` would reach its `y`.
  url.pathname = `/${encodeURIComponent(SCHEMA)}`;
  const qualified = (t: string) => `${q(SCHEMA)}.${q(t)}`;
  const setup: Setup = {
    quote: q,
    quoting: 'mysql',
    source: { kind: 'mariadb', url: url.toString() } as SourceConfig,
    exec: async (sql, values) => {
      await raw(sql, values);
    },
    tables: async () =>
      (
        (await raw('SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?', [
          SCHEMA,
        ])) as { name: string }[]
      ).map((r) => r.name),
    targetRows: async () =>
      (
        (await raw(
          `SELECT ${TARGET_COLUMNS.map((c) => `CAST(${q(c)} AS CHAR)`).join(', ')} FROM ${qualified(TARGET)} ORDER BY BINARY ${q(TARGET_COLUMNS[0])}`,
        )) as Record<string, string>[]
      ).map((r) => Object.values(r)),
    openLog: async () => {
      const window = await openMariaDbLog(SERVERS.mysql);
      return { read: () => readMariaDbLog(admin, window, LOGIN), close: () => window.close() };
    },
    dataset: (t) => `${SCHEMA}.${t}`,
    close: async () => {
      await raw(`DROP DATABASE IF EXISTS ${q(SCHEMA)}`);
      await raw(`DROP USER IF EXISTS '${LOGIN}'@'%'`);
      await admin.destroy();
    },
  };
  for (const sql of createSql('mysql', q, qualified)) await raw(sql);
  await fill('mysql', setup, qualified);
  return setup;
}

interface MyConnection {
  query(sql: string, callback: (error: Error | null, rows: unknown) => void): void;
  execute(sql: string, values: unknown[], callback: (error: Error | null, rows: unknown) => void): void;
}

async function sqliteSetup(dir: string): Promise<Setup> {
  const file = join(dir, 'hostile.sqlite');
  const db = new Database(file);
  const q = quoteDoubleQuoted;
  const setup: Setup = {
    quote: q,
    quoting: 'sqlite',
    source: { kind: 'sqlite', path: file } as SourceConfig,
    exec: async (sql, values) => {
      if (values) db.prepare(sql).run(...values);
      else db.exec(sql);
    },
    tables: async () =>
      (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map(
        (r) => r.name,
      ),
    targetRows: async () =>
      (
        db
          .prepare(
            `SELECT ${TARGET_COLUMNS.map((c) => `CAST(${q(c)} AS TEXT)`).join(', ')} FROM ${q(TARGET)} ORDER BY 1`,
          )
          .raw()
          .all() as string[][]
      ).map((r) => [...r]),
    dataset: (t) => t,
    close: async () => {
      db.close();
    },
  };
  for (const sql of createSql('sqlite', q, q)) await setup.exec(sql);
  await fill('sqlite', setup, q);
  return setup;
}

// --- the suite --------------------------------------------------------------------------------------

const MIGRATION: MappingConfig = {
  name: 'hostile',
  from: { source: 'hostile', dataset: 'x"; DROP TABLE y; --' },
  to: { target: 'back', dataset: TARGET, key: [TARGET_COLUMNS[0]], mode: 'upsert' },
  fields: {
    [TARGET_COLUMNS[0]]: { from: 'id', transform: ['text'] },
    [TARGET_COLUMNS[1]]: { from: 'user' },
    [TARGET_COLUMNS[2]]: { from: 'select' },
    [TARGET_COLUMNS[3]]: { from: 'group' },
  },
} as MappingConfig;

/** The migrated rows the source's first table must give, as text tuples ordered by key (binary). */
function expectedTarget(b: Backend): string[][] {
  const rows: string[][] = [];
  for (let id = 1; id <= rowsOf(0); id++) {
    const v = rowValues(id, 0);
    const decimal = (id / 4).toFixed(2);
    rows.push([
      String(id),
      v[4] === null ? (null as never) : String(v[4]),
      String(v[1]),
      b === 'sqlite' ? String(id / 4) : decimal,
    ]);
  }
  return rows.sort((a, b2) => (a[0]! < b2[0]! ? -1 : a[0]! > b2[0]! ? 1 : 0));
}

const WRITE_STARTS = ['INSERT', 'DELETE', 'CREATE', 'COPY', 'WITH'];

/** The statements a plan and a migration may send: reads, transactions, staging and the two written tables. */
function migrationCheck(setup: Setup) {
  const target = setup.quote(TARGET);
  return (body: string, sql: string): string | undefined => {
    const first = /^\(*\s*([A-Za-z]+)/.exec(body)?.[1]?.toUpperCase() ?? '';
    if (!WRITE_STARTS.includes(first) || (first === 'WITH' && !/\bINSERT\b/i.test(body))) return undefined;
    return sql.includes(target) || /stocktake_(checkpoint|stage_)/.test(sql)
      ? undefined
      : `writes outside the target and the checkpoint: ${sql}`;
  };
}

const AUDIT_FIRST = ['SELECT', 'WITH', 'SHOW', 'SET', 'BEGIN', 'COMMIT', 'ROLLBACK', 'START'];
const MIGRATE_FIRST = [
  ...AUDIT_FIRST,
  'SAVEPOINT',
  'RELEASE',
  'INSERT',
  'DELETE',
  'CREATE',
  'COPY',
  'PRAGMA',
];
const NEVER = ['DROP', 'ALTER', 'TRUNCATE', 'GRANT', 'REVOKE', 'RENAME'];

const BACKENDS: Record<Backend, { up: boolean; setup: (dir: string) => Promise<Setup> }> = {
  postgres: { up: pgUp, setup: () => postgresSetup() },
  mysql: { up: myUp, setup: () => mysqlSetup() },
  sqlite: { up: true, setup: (dir) => sqliteSetup(dir) },
};

for (const [backend, { up, setup: makeSetup }] of Object.entries(BACKENDS) as [
  Backend,
  (typeof BACKENDS)[Backend],
][]) {
  describe.skipIf(!up)(`hostile names in ${backend}`, () => {
    let dir: string;
    let setup: Setup;
    const tables = hostileTables(backend);
    const columns = ['id', 'select', 'order', 'group', 'user', ...hostileColumns(backend)];
    const config = () =>
      ({
        sources: { hostile: setup.source },
        targets: { back: setup.source },
        mappings: [MIGRATION],
      }) as unknown as Config;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `st-hostile-schemas-${backend}-`));
      setup = await makeSetup(dir);
    });
    afterAll(async () => {
      await setup?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('inventories and profiles every hostile table exactly, sending only reads', async () => {
      const sent: string[] = [];
      let inventory!: Inventory;
      let profile!: Profile;
      const serverLog = await withLog(setup, async () => {
        inventory = await runInventory(config(), { onQuery: (_source, sql) => sent.push(sql) });
        profile = await runProfile(config(), inventory);
      });
      const source = inventory.sources[0]!;
      expect(source.status, JSON.stringify(source.error)).toBe('ok');
      const byName = new Map(source.datasets.map((d) => [d.name, d]));
      expect([...byName.keys()].sort()).toEqual(
        [...tables, 'y', VIEW, TARGET].map((t) => setup.dataset(t)).sort(),
      );
      tables.forEach((table, i) => {
        const d = byName.get(setup.dataset(table))!;
        expect(d.table).toBe(table);
        expect(d.kind).toBe('table');
        expect([d.rowCount, d.rowCountExact]).toEqual([rowsOf(i), true]);
        expect(d.columns.map((c) => c.name)).toEqual(columns);
        expect(d.primaryKey?.columns).toEqual(['id']);
        expect(d.uniqueKeys?.map((k) => k.columns)).toEqual([['select']]);
        const index = d.indexes.find((x) => x.name === `ix?$1 ${i}`);
        expect(index?.columns).toEqual(['a"b', '?']);
        expect(d.columns.find((c) => c.name === JSON_COLUMN)?.type).toBe('json');
      });
      const child = byName.get(setup.dataset(tables[1]!))!;
      expect(child.foreignKeys).toMatchObject([
        { columns: ['id'], references: { dataset: setup.dataset(tables[0]!), columns: ['id'] } },
      ]);
      expect(byName.get(setup.dataset(VIEW))!.kind).toBe('view');

      expect(profile.findings.filter((f) => f.severity === 'error')).toEqual([]);
      tables.forEach((table, i) => {
        const p = profile.datasets.find((d) => d.dataset === setup.dataset(table))!;
        expect(p.rowCount).toBe(rowsOf(i));
        const col = (name: string) => p.columns.find((c) => c.name === name)!;
        expect([col('select').distinct, col('select').nulls]).toEqual([rowsOf(i), 0]);
        expect([col('group').min, col('group').max].map(Number)).toEqual([0.25, rowsOf(i) / 4]);
        expect(col('user').nulls).toBe(Math.floor(rowsOf(i) / 3));
        expect(col('order').distinct).toBe(5);
        expect([col('__proto__').distinct, col('__proto__').nulls, col('constructor').nulls]).toEqual([
          7,
          0,
          rowsOf(i),
        ]);
        expect(col('a"b').distinct).toBe(7);
        expect([col('?').distinct, col('$1').nulls]).toEqual([7, rowsOf(i)]);
        expect(p.candidateKeys).toContainEqual(['id']);
        expect(p.keyDuplicates.every((k) => k.duplicates === 0)).toBe(true);
      });
      const orphans = profile.datasets.find((d) => d.dataset === setup.dataset(tables[1]!))!.orphans;
      expect(orphans.map((o) => [o.orphans, o.inclusion])).toEqual([[0, 1]]);

      const logged = serverLog ?? sent.map((sql) => ({ user: undefined, sql }));
      expect(await setup.tables()).toContain('y');
      expect(
        statementProblems(logged, setup.quoting, {
          first: AUDIT_FIRST,
          forbidden: [...NEVER, 'INSERT', 'DELETE', 'UPDATE', 'CREATE'],
        }),
      ).toEqual([]);
      // The log is the server's record of this run: every hostile table was read through it.
      for (const table of tables)
        expect(
          logged.some((s) => s.sql.includes(setup.quote(table))),
          table,
        ).toBe(true);
      // The client's own record agrees: one statement each, nothing but reads.
      expect(
        statementProblems(
          sent.map((sql) => ({ user: undefined, sql })),
          setup.quoting,
          { first: AUDIT_FIRST, forbidden: NEVER },
        ),
      ).toEqual([]);
    });

    it('profiles each hostile table the same by push-down and by streaming its rows', async () => {
      const connector = (await openConnector(setup.source, {
        name: 'hostile',
        mode: 'audit',
      })) as Connector & {
        pushdownProfile(ref: { name: string }): Promise<DatasetObservation>;
      };
      try {
        const inventory = await connector.inventory();
        for (const table of [...tables, VIEW]) {
          const dataset = inventory.datasets.find((d) => d.name === setup.dataset(table))!;
          const pushed = await connector.pushdownProfile({ name: dataset.name });
          const streamed = await profileRows(
            dataset.columns.map((c) => ({ name: c.name, type: c.type })),
            connector.read({ name: dataset.name }, { batchSize: 7 }),
          );
          expect(streamed.rowCount, table).toBe(pushed.rowCount);
          for (const [i, column] of pushed.columns.entries()) {
            const other = streamed.columns[i]!;
            expect([other.name, other.nulls], `${table}.${column.name}`).toEqual([column.name, column.nulls]);
            expect(sortedEntries(other.frequencies), `${table}.${column.name}`).toEqual(
              sortedEntries(column.frequencies),
            );
          }
        }
      } finally {
        await connector.close();
      }
    });

    it('plans and migrates between two hostile tables, writing only the target and its checkpoint', async () => {
      const logged = await withLog(setup, async () => {
        const plan = await runPlan(config());
        const m = plan.mappings[0]!;
        expect([m.inserts, m.updates, m.deletes, m.rejects]).toEqual([rowsOf(0), 0, 0, 0]);
        const outcome = await runMigrate(config(), { rejectsDir: join(dir, 'run'), batchSize: 7 });
        expect(outcome.error).toBeNull();
        expect(outcome.run.mappings[0]).toMatchObject({
          status: 'done',
          inserted: rowsOf(0),
          reconciliation: { ok: true },
        });
        expect(await setup.targetRows()).toEqual(expectedTarget(backend));
        const again = await runMigrate(config(), { rejectsDir: join(dir, 'run2') });
        expect(again.run.mappings[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: rowsOf(0) });
        expect(await setup.tables()).toContain('y');
      });
      if (!logged) return;
      expect(logged.some((s) => s.sql.includes(setup.quote(TARGET)))).toBe(true);
      expect(
        statementProblems(logged, setup.quoting, {
          first: MIGRATE_FIRST,
          forbidden: NEVER,
          check: migrationCheck(setup),
        }),
      ).toEqual([]);
    });
  });
}

function sortedEntries(map: ReadonlyMap<unknown, number>): [string, number][] {
  return [...map.entries()]
    .map(([k, n]): [string, number] => [JSON.stringify(k), n])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

describe('the statement check itself', () => {
  it('flags a name that escaped its quotes, and passes the same name quoted', () => {
    const table = 'x"; DROP TABLE y; --';
    const check = (sql: string, quoting: Quoting) =>
      statementProblems([{ user: undefined, sql }], quoting, { first: AUDIT_FIRST, forbidden: NEVER });
    expect(check(`SELECT * FROM ${quoteDoubleQuoted(table)}`, 'postgres')).toEqual([]);
    expect(check(`SELECT * FROM "${table}"`, 'postgres')).toHaveLength(2);
    expect(check(`SELECT * FROM ${quoteMysql('x`; DROP TABLE y; --')}`, 'mysql')).toEqual([]);
    expect(check('SELECT * FROM `x`; DROP TABLE y; --`', 'mysql').join('\n')).toMatch(
      /unexpected statement \(DROP\)/,
    );
    // A script of reads in one round trip passes statement by statement; copying to the client is a read,
    // copying from the client or to a server file is not.
    const copy = `COPY ${quoteDoubleQuoted('s; x')}.${quoteDoubleQuoted(table)} ("id")`;
    const audit = (sql: string) =>
      statementProblems([{ user: undefined, sql }], 'postgres', {
        first: AUDIT_FIRST,
        forbidden: [...NEVER, 'COPY'],
      });
    expect(audit(`BEGIN;\n${copy} TO STDOUT;\nSELECT 1;\nCOMMIT`)).toEqual([]);
    expect(audit(`BEGIN; ${copy} FROM STDIN; COMMIT`).join('\n')).toMatch(/unexpected statement \(COPY\)/);
    expect(audit(`${copy} TO '/tmp/out'`).join('\n')).toMatch(/COPY in/);
    expect(audit(`SELECT 1; ${copy} TO STDOUT; DELETE FROM x`).join('\n')).toMatch(
      /unexpected statement \(DELETE\)/,
    );
    expect(check(`SELECT 'it''s; DROP TABLE y', E'\\'; DROP TABLE y'`, 'postgres')).toEqual([]);
    expect(check(`SELECT 'a\\'; DROP TABLE y; --'`, 'mysql')).toEqual([]);
    expect(check('DROP TABLE y', 'sqlite').join('\n')).toMatch(/unexpected statement \(DROP\)/);
  });
});

// --- SQL Server: the text the driver would receive --------------------------------------------------

describe('hostile names in the SQL Server statements', () => {
  const mssql = knexFactory({ client: 'mssql' });
  afterAll(() => mssql.destroy());
  const tables = hostileTables('postgres');
  const columnNames = ['id', 'select', 'order', 'group', 'user', ...hostileColumns('postgres')];
  const column = (name: string, position: number): Column => ({
    name,
    type: name === 'id' ? 'integer' : name === 'group' ? 'decimal' : 'string',
    nativeType: name === 'id' ? 'int' : name === 'group' ? 'decimal(10,2)' : 'nvarchar(60)',
    nullable: name !== 'id',
    primaryKey: name === 'id',
    position,
  });
  const dataset = (table: string): Dataset => ({
    name: `${SCHEMA}.${table}`,
    kind: 'table',
    rowCount: 100,
    rowCountExact: true,
    columns: columnNames.map((n, i) => column(n, i + 1)),
    primaryKey: { columns: ['id'] },
    uniqueKeys: [{ columns: ['select'] }],
    foreignKeys: [{ columns: ['id'], references: { dataset: `${SCHEMA}.${tables[0]}`, columns: ['id'] } }],
    indexes: [],
    schema: SCHEMA,
    table,
  });

  /** A knex stand-in that records what tedious would receive (knex's own placeholder pass applied). */
  function recorder(answer: (sql: string) => Record<string, unknown>[]) {
    const sent: string[] = [];
    const db = {
      client: mssql.client,
      raw(sql: string) {
        const text = (mssql.client as { positionBindings(s: string): string }).positionBindings(
          mssql.raw(sql).toSQL().sql,
        );
        sent.push(text);
        return Promise.resolve(answer(text));
      },
    } as unknown as Knex;
    return { db, sent };
  }

  const bracketed = [...new Set([SCHEMA, ...tables, ...columnNames])].map(quoteMssql);

  it('keeps every name intact in the push-down statements, one statement each', async () => {
    for (const table of tables) {
      const { db, sent } = recorder((sql) =>
        sql.startsWith('SELECT COUNT')
          ? [
              Object.fromEntries([
                ['n', 100],
                ...columnNames.flatMap((_, i) => [
                  [`c${i}`, 100],
                  [`d${i}`, i === 0 ? 100 : 50],
                ]),
                ['fk0', 100],
              ]),
            ]
          : [],
      );
      const target = dataset(table);
      await pushdownProfile(
        {
          db,
          dataset: target,
          resolve: (n) => (n === `${SCHEMA}.${tables[0]}` ? dataset(tables[0]!) : undefined),
          quote: quoteMssql,
          toValue: (v) => v as never,
          dialect: mssqlPushdown,
        },
        { distinctLimit: 10 },
      );
      expect(sent.length).toBeGreaterThanOrEqual(4);
      const all = sent.join('\n');
      for (const name of [quoteMssql(SCHEMA), quoteMssql(table), ...columnNames.map(quoteMssql)])
        expect(all).toContain(name);
      // `?` stays a character of a name: knex would otherwise number it as a parameter (@p0).
      expect(stripQuoted(all, 'mssql')).not.toMatch(/@p\d/);
      expect(
        statementProblems(
          sent.map((sql) => ({ user: undefined, sql })),
          'mssql',
          { first: ['SELECT', 'WITH'], forbidden: NEVER },
        ),
      ).toEqual([]);
    }
  });

  it('counts rows and writes with every name bracketed, whatever it holds', async () => {
    const { db, sent } = recorder(() => []);
    await countRowsExactly(
      db,
      tables.map((t) => ({ key: t, schema: SCHEMA, table: t })),
      quoteMssql,
      'COUNT_BIG(*)',
    );
    expect(sent).toHaveLength(1);
    for (const table of tables) expect(sent[0]).toContain(`${quoteMssql(SCHEMA)}.${quoteMssql(table)}`);
    expect(stripQuoted(sent[0]!, 'mssql')).not.toMatch(/@p\d|DROP|;/);
    expect(rawSql(mssql, 'SELECT [what?]')).toBe('SELECT [what\\?]');

    const columns = columnNames.map((n, i) => mssqlWriteColumn(column(n, i + 1)));
    const qualified = `${quoteMssql(SCHEMA)}.${quoteMssql(tables[0]!)}`;
    const statements = mssqlWriteStatements(qualified, columns, [0], '#stocktake_stage_1');
    for (const sql of Object.values(statements).filter((s): s is string => typeof s === 'string')) {
      // The writer's batches are several statements by design; no name may add one.
      const stripped = stripQuoted(sql, 'mssql');
      expect(stripped).not.toMatch(/\bDROP\b/);
      expect(stripped).not.toContain('--');
    }
    expect(Object.values(statements).join('\n')).toContain(qualified);
    expect(bracketed.every((b) => !stripQuoted(b, 'mssql').includes(';'))).toBe(true);
  });
});
