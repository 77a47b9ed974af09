/**
 * One `migrate` at a time per mapping and target table. A second run started while the first still writes
 * would read the first one's checkpoint as an interrupted run and, told to resume, write beside it. Each
 * run takes a lock on the target server for each of its mappings (PostgreSQL's session advisory lock,
 * MySQL/MariaDB's GET_LOCK) on a connection of its own, outside the writers' pool, held until it ends; the
 * server lets it go with the connection, so a killed run never leaves one behind. SQLite and SQL Server
 * targets take none here.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { StocktakeError } from '../core/errors.ts';

/** A mapping's target, as the lock names it. */
export interface LockedTarget {
  readonly mapping: string;
  /** The target's name in the config, for the message. */
  readonly target: string;
  /** The target table, schema included. */
  readonly table: string;
  readonly kind: string;
  readonly db: Knex;
}

/** The target kinds whose servers take a run's lock. */
export const LOCKING_KINDS: ReadonlySet<string> = new Set(['postgres', 'mysql', 'mariadb']);

interface RawClient {
  acquireRawConnection(): Promise<unknown>;
  destroyRawConnection(connection: unknown): Promise<void>;
}

/** The lock's name: the same for every run of one mapping into one table, under 64 characters. */
export function runLockName(table: string, mapping: string): string {
  return `stocktake:${createHash('sha1').update(`${table}\u0000${mapping}`).digest('hex')}`;
}

/**
 * Takes the lock of every target (of `LOCKING_KINDS`); throws MIGRATE_RUNNING (having let go of those it took) when another run
 * holds one. Returns the function that lets them all go.
 */
export async function lockRuns(targets: readonly LockedTarget[]): Promise<() => Promise<void>> {
  const held: { client: RawClient; connection: unknown }[] = [];
  const release = async () => {
    for (const { client, connection } of held.splice(0))
      await client.destroyRawConnection(connection).catch(() => undefined);
  };
  try {
    for (const t of targets) {
      const client = t.db.client as unknown as RawClient;
      const connection = await client.acquireRawConnection();
      held.push({ client, connection });
      const name = runLockName(t.table, t.mapping);
      const taken =
        t.kind === 'postgres' ? await postgresLock(connection, name) : await mysqlLock(connection, name);
      if (!taken)
        throw new StocktakeError(
          'MIGRATE_RUNNING',
          `mapping ${t.mapping}: another stocktake migrate is writing it into ${t.target} (${t.table}) now`,
          {
            hint: 'wait for that run to end (or stop it), then run migrate again; --resume only once it has stopped',
            context: { mapping: t.mapping },
          },
        );
    }
  } catch (error) {
    await release();
    throw error;
  }
  return release;
}

async function postgresLock(connection: unknown, name: string): Promise<boolean> {
  const client = connection as {
    query(sql: string, params: unknown[]): Promise<{ rows: { ok: boolean }[] }>;
  };
  const { rows } = await client.query('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [name]);
  return rows[0]?.ok === true;
}

function mysqlLock(connection: unknown, name: string): Promise<boolean> {
  const client = connection as {
    query(sql: string, params: unknown[], done: (error: Error | null, rows: { ok: unknown }[]) => void): void;
  };
  return new Promise((resolve, reject) =>
    client.query('SELECT GET_LOCK(?, 0) AS ok', [name], (error, rows) =>
      error ? reject(error) : resolve(Number(rows[0]?.ok) === 1),
    ),
  );
}
