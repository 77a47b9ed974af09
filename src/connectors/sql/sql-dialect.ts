/**
 * What one SQL backend supplies to the shared SQL connector: its knex configuration (with the
 * read-only session for audits), its set-based catalog queries (over knex, or over the driver's own pool),
 * and its identifier quoting.
 * Each backend folder implements this once (`postgres/postgres-dialect.ts`, …).
 */
import type { Knex } from 'knex';
import type { NetworkDatabaseConfig, SourceConfig, TargetConfig } from '../../config/schema.ts';
import type { Column, SourceInventory } from '../../core/inventory.ts';
import type { OpenMode, Value } from '../types.ts';
import type { DatasetFilter } from './dataset-filter.ts';
import type { PushdownDialect } from './sql-pushdown.ts';

/**
 * How long an audit session waits for a lock (PostgreSQL `lock_timeout`, MySQL/MariaDB `lock_wait_timeout`)
 * before the statement fails: a table held by ALTER TABLE or LOCK TABLES gets its own finding instead of
 * hanging the audit.
 */
export const AUDIT_LOCK_TIMEOUT_MS = 30_000;

/**
 * How long a statement queued behind the pool's busy connections waits for one (knex's
 * `acquireConnectionTimeout`): as long as the statements before it run, which on large tables is minutes. A
 * server that does not answer fails sooner, by the driver's own connect timeout (`connectTimeoutMs`), whose
 * error reaches the queued statements at once.
 */
export const POOL_WAIT_MS = 24 * 60 * 60 * 1000;

/** The SQL source or target entries of the config. */
export type SqlEntryConfig =
  | Extract<SourceConfig, { kind: 'postgres' | 'mysql' | 'mariadb' | 'mssql' | 'sqlite' }>
  | Extract<TargetConfig, { kind: 'postgres' | 'mysql' | 'mariadb' | 'mssql' | 'sqlite' }>;

/** What the catalog must cover and how rows are counted. */
export interface CatalogScope {
  /** Which schemas and tables to list. */
  readonly filter: DatasetFilter;
  /** Count exactly when the catalog estimate is below this; 0 = never count. */
  readonly exactBelow: number;
  /** Count the rows of views too (runs their query). */
  readonly countViews: boolean;
  /** Measure sizes on disk instead of reading them from catalog statistics (where the dialect has both). */
  readonly exactSizes: boolean;
}

/** A table whose rows are counted exactly, by schema and name. */
export interface CountTarget {
  readonly key: string;
  readonly schema: string | undefined;
  readonly table: string;
}

/** A catalog read over the backend driver's own pool (`SqlDialect.openCatalog`). */
export interface CatalogSession {
  /** Runs `SELECT 1`: the connection check of `Connector.connect`. */
  ping(): Promise<void>;
  /** The inventory of the scope, in a bounded number of set-based queries. */
  catalog(scope: CatalogScope): Promise<SourceInventory>;
  close(): Promise<void>;
}

/** How a backend reads its catalog: over knex's pool, or over its driver's own (then knex is never loaded for it). */
export type SqlCatalogReader =
  | {
      /** The inventory of the scope, in a bounded number of set-based queries. */
      catalog(db: Knex, scope: CatalogScope): Promise<SourceInventory>;
      openCatalog?: never;
    }
  | {
      catalog?: never;
      /**
       * Opens the driver's pool for the connection check and the catalog (connections made on first use);
       * `onQuery` sees each statement. PostgreSQL: a command that only inventories then loads no knex.
       */
      openCatalog(
        config: SqlEntryConfig,
        mode: OpenMode,
        source: string,
        onQuery: (sql: string) => void,
      ): Promise<CatalogSession>;
    };

/** One SQL backend. */
export type SqlDialect = SqlCatalogReader & {
  /** The config kind this dialect serves (mysql also serves mariadb). */
  readonly kind: 'postgres' | 'mysql' | 'mssql' | 'sqlite';
  /** The product name used in messages: PostgreSQL, MySQL/MariaDB, SQL Server, SQLite. */
  readonly product: string;
  /** The knex configuration; in `audit` mode every session it opens is read-only. `source` names it in errors. */
  knexConfig(config: SqlEntryConfig, mode: OpenMode, source: string): Knex.Config | Promise<Knex.Config>;
  /** Quotes an identifier (`"a""b"`, `` `a``b` ``, `[a]]b]`). */
  quoteIdentifier(name: string): string;
  /** Converts one driver value of a column to the contract's plain value (dates as ISO strings…). */
  toValue(value: unknown, column: Column): Value;
  /**
   * The expression a read selects for a column, given its quoted name (default the column itself); SQL Server
   * reads exact numerics as text, which its driver would round to a JavaScript number.
   */
  selectColumn?(quoted: string, column: Column): string;
  /**
   * Streams the rows of a query in batches, each row its values in select-list order, with the driver's
   * own backpressure (knex's `.stream()` buffers SQLite results and hangs when a connection dies).
   */
  streamRowArrays(db: Knex, sql: string): AsyncIterable<unknown[][]>;
  /** The SQL fragments of push-down profiling (`<backend>-pushdown.ts`). */
  readonly pushdown?: PushdownDialect;
};

/** The connection fields of a network database, whether given as a URL or as fields. */
export type NetworkConfig = Pick<
  NetworkDatabaseConfig,
  'url' | 'host' | 'port' | 'database' | 'user' | 'password' | 'ssl' | 'connectTimeoutMs' | 'pool'
>;
