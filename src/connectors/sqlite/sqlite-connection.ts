/** The knex configuration of an SQLite file; audits open it read-only, so it is never created or changed. */
import type { Database } from 'better-sqlite3';
import type { Knex } from 'knex';
import type { OpenMode } from '../types.ts';

/** Knex config for better-sqlite3; `readonly` in audit mode. */
export function sqliteKnexConfig(config: { path: string }, mode: OpenMode): Knex.Config {
  return {
    client: 'better-sqlite3',
    connection: { filename: config.path, options: { readonly: mode === 'audit' } },
    useNullAsDefault: true,
    pool: { min: 0, max: 1 },
  };
}

/** knex's better-sqlite3 client, whose pooled connections are the driver's `Database`. */
export interface SqliteClient {
  acquireConnection(): Promise<Database>;
  releaseConnection(connection: Database): Promise<void>;
}

/** Runs `use` on a connection of knex's pool, given back however `use` ends. */
export async function withSqliteConnection<T>(db: Knex, use: (connection: Database) => T): Promise<T> {
  const client = db.client as SqliteClient;
  const connection = await client.acquireConnection();
  try {
    return await use(connection);
  } finally {
    await client.releaseConnection(connection);
  }
}
