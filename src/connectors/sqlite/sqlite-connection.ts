/** The knex configuration of an SQLite file; audits open it read-only, so it is never created or changed. */
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
