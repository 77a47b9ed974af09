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
const FETCH_ROWS = 2000;

/**
 * Yields the rows of `sql` in batches, each row an array of its values in select-list order; throws the
 * driver's error when the query or its connection fails. The next batch is asked for before this one is
 * yielded, so the server produces it while the caller works.
 */
export async function* streamPostgresRowArrays(db: Knex, sql: string): AsyncIterable<unknown[][]> {
  const { default: QueryStream } = await import('pg-query-stream');
  const client = db.client as unknown as {
    acquireConnection(): Promise<Client & { __knex__disposed?: unknown }>;
    releaseConnection(c: Client): Promise<unknown>;
  };
  db.emit('query', { sql });
  const connection = await client.acquireConnection();
  const carrier = new QueryStream(sql, [], { rowMode: 'array' });
  connection.query(carrier);
  const cursor = carrier.cursor as RawCursor;
  let failure: Error | undefined;
  const abandons = new Set<(error: Error) => void>();
  const fail = (error: Error) => {
    failure ??= error;
    for (const abandon of abandons) abandon(failure);
  };
  const lost = () => fail(Object.assign(new Error('Connection terminated unexpectedly'), { code: '08006' }));
  connection.on('error', fail);
  connection.on('end', lost);
  const fetch = () =>
    new Promise<unknown[][]>((resolve, reject) => {
      if (failure) return reject(failure);
      const abandon = (error: Error) => reject(error);
      abandons.add(abandon);
      cursor.read(FETCH_ROWS, (error, rows) => {
        abandons.delete(abandon);
        if (error) reject(error);
        else resolve(rows);
      });
    });
  let finished = false;
  let failed = false;
  let pending: Promise<unknown[][]> | undefined = fetch();
  // A fetch asked for ahead and never awaited must not surface as an unhandled rejection.
  pending.catch(() => {});
  try {
    for (;;) {
      let rows: unknown[][];
      try {
        rows = await pending!;
      } catch (error) {
        failed = true;
        throw error;
      }
      if (rows.length === 0) break;
      // A short batch ends the portal: nothing more to ask for.
      if (rows.length === FETCH_ROWS) {
        pending = fetch();
        pending.catch(() => {});
      } else {
        pending = Promise.resolve([]);
      }
      yield rows;
    }
    finished = true;
  } finally {
    // Stopped early: the fetch asked for ahead is answered (or fails) before the portal is closed.
    if (!finished && !failed) {
      try {
        await pending;
      } catch {
        failed = true;
      }
    }
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
  read(rows: number, callback: (error: Error | undefined, rows: unknown[][]) => void): void;
  close(callback: () => void): void;
}
