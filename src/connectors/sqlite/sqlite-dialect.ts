/** The SQLite backend of the shared SQL connector. */
import type { Database } from 'better-sqlite3';
import type { Knex } from 'knex';
import type { SqlDialect } from '../sql/sql-dialect.ts';
import { toPlainValue } from '../sql/sql-values.ts';
import { quoteSqlite, sqliteCatalog } from './sqlite-catalog.ts';
import { sqliteKnexConfig } from './sqlite-connection.ts';
import { sqlitePushdown } from './sqlite-pushdown.ts';

/** SQLite: better-sqlite3, pragma-based inventory, statement iteration for reads. */
export const sqliteDialect: SqlDialect = {
  kind: 'sqlite',
  product: 'SQLite',
  knexConfig: (config, mode) => sqliteKnexConfig(config as { path: string }, mode),
  catalog: sqliteCatalog,
  quoteIdentifier: quoteSqlite,
  toValue: toPlainValue,
  streamRows: iterateRows,
  pushdown: sqlitePushdown,
};

// knex's SQLite stream collects every row first; iterating the prepared statement keeps memory flat.
async function* iterateRows(db: Knex, sql: string): AsyncIterable<Record<string, unknown>> {
  const client = db.client as {
    acquireConnection(): Promise<Database>;
    releaseConnection(c: Database): Promise<void>;
  };
  db.emit('query', { sql });
  const connection = await client.acquireConnection();
  try {
    const statement = connection.prepare(sql).safeIntegers(true);
    for (const record of statement.iterate()) yield record as Record<string, unknown>;
  } finally {
    await client.releaseConnection(connection);
  }
}
