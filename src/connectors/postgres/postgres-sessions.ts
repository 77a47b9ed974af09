/**
 * The PostgreSQL catalog's connections: the pg driver's own pool rather than knex's, so that a command that
 * only inventories never loads knex (60–80 ms of start-up, a tenth of a 1,000-table inventory). Reads,
 * writes and push-down profiles keep knex. Same connection options (`postgresConnection`): read-only
 * sessions for audits, UTC, the source's application name.
 */
import type pg from 'pg';
import type { SqlOnConnection } from '../sql/row-counts.ts';
import type { CatalogScope, CatalogSession, NetworkConfig } from '../sql/sql-dialect.ts';
import type { OpenMode } from '../types.ts';
import { postgresCatalog } from './postgres-catalog.ts';
import { postgresConnection } from './postgres-connection.ts';
import type { PgResult } from './postgres-counts.ts';

/** Statements on the catalog's pooled connections, `$1`… bindings. */
export interface PgSessions {
  /** One statement on any pooled connection; its rows. */
  query(sql: string, values?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /**
   * Runs `work` on one connection, released afterwards: `query` runs one statement; `run` runs statements
   * separated by semicolons in one round trip (the simple query protocol, no bindings), the result of each.
   */
  onOneConnection<T>(
    work: (query: SqlOnConnection, run: (sql: string) => Promise<PgResult[]>) => Promise<T>,
  ): Promise<T>;
}

/** Opens the catalog's pool (connections are made on first use); `onQuery` sees every statement sent. */
export async function openPostgresCatalog(
  config: NetworkConfig,
  mode: OpenMode,
  source: string,
  onQuery: (sql: string) => void,
): Promise<CatalogSession> {
  const { pg, connection } = await postgresConnection(config, mode, source);
  const pool = new pg.Pool({ ...connection, max: config.pool?.max ?? 4, allowExitOnIdle: true });
  const sessions = pgSessions(pool, onQuery);
  return {
    async ping() {
      await sessions.query('SELECT 1');
    },
    catalog: (scope: CatalogScope) => postgresCatalog(sessions, scope),
    close: () => pool.end(),
  };
}

/** The statements of `PgSessions` on `pool`; `onQuery` sees each one. */
export function pgSessions(pool: pg.Pool, onQuery: (sql: string) => void): PgSessions {
  // A pooled connection the server ends while idle fails the next statement; it must not crash the process.
  pool.on('error', () => {});
  const send = async (client: pg.Pool | pg.PoolClient, sql: string, values?: readonly unknown[]) => {
    onQuery(sql);
    return (await client.query(sql, values as unknown[] | undefined)) as unknown as PgResult | PgResult[];
  };
  const rowsOf = (result: PgResult | PgResult[]) =>
    (Array.isArray(result) ? result.at(-1)!.rows : result.rows) as Record<string, unknown>[];
  return {
    query: async (sql, values) => rowsOf(await send(pool, sql, values)),
    async onOneConnection(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // While a connection is checked out, the pool no longer listens for its errors: a session the server
      // ends between two statements (pg_terminate_backend, a restart) would be an unhandled 'error' event
      // that ends the process. It fails the next statement instead.
      const onError = (error: Error) => {
        broken ??= error;
      };
      client.on('error', onError);
      try {
        return await work(
          async (sql, bindings) => rowsOf(await send(client, sql, bindings)),
          async (sql) => {
            const results = await send(client, sql);
            return Array.isArray(results) ? results : [results];
          },
        );
      } catch (error) {
        // A connection left inside a failed transaction is not handed to the next lane.
        broken ??= error as Error;
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
  };
}
