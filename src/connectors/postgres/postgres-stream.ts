/**
 * Streams the rows of a query through a server-side cursor on a raw pg client. knex's own stream
 * (pg-query-stream) hangs for ever when the server ends the session between two fetches
 * (pg_terminate_backend, a restart): destroying the stream waits to close a portal on a connection that
 * is gone. Here the stream is only the query's carrier: each fetch is a plain read of its cursor, whose
 * error (or the client's `error` and `end`) fails the read at once.
 */
import type { Knex } from 'knex';
import type { Client } from 'pg';

/** Rows fetched per round trip of the cursor. */
const FETCH_ROWS = 1000;

/** Yields the records of `sql`; throws the driver's error when the query or its connection fails. */
export async function* streamPostgresRows(db: Knex, sql: string): AsyncIterable<Record<string, unknown>> {
  const { default: QueryStream } = await import('pg-query-stream');
  const client = db.client as unknown as {
    acquireConnection(): Promise<Client & { __knex__disposed?: unknown }>;
    releaseConnection(c: Client): Promise<unknown>;
  };
  db.emit('query', { sql });
  const connection = await client.acquireConnection();
  const carrier = new QueryStream(sql, []);
  connection.query(carrier);
  const cursor = carrier.cursor as RawCursor;
  let failure: Error | undefined;
  let abandon: ((error: Error) => void) | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    abandon?.(failure);
  };
  const lost = () => fail(Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' }));
  connection.on('error', fail);
  connection.on('end', lost);
  const fetch = () =>
    new Promise<Record<string, unknown>[]>((resolve, reject) => {
      if (failure) return reject(failure);
      abandon = reject;
      cursor.read(FETCH_ROWS, (error, rows) => (error ? reject(error) : resolve(rows)));
    });
  let finished = false;
  let failed = false;
  try {
    for (;;) {
      let rows: Record<string, unknown>[];
      try {
        rows = await fetch();
      } catch (error) {
        failed = true;
        throw error;
      }
      if (rows.length === 0) break;
      for (const row of rows) yield row;
    }
    finished = true;
  } finally {
    abandon = undefined;
    connection.off('error', fail);
    connection.off('end', lost);
    if (failed) {
      // Closing the portal would wait for an answer that never comes: the pool drops the client instead.
      connection.__knex__disposed = 'a streamed read lost its connection';
    } else if (!finished) {
      await new Promise<void>((resolve) => cursor.close(() => resolve()));
    }
    await client.releaseConnection(connection);
  }
}

interface RawCursor {
  read(rows: number, callback: (error: Error | undefined, rows: Record<string, unknown>[]) => void): void;
  close(callback: () => void): void;
}
