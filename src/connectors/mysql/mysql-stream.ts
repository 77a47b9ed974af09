/**
 * Streams the rows of a query on a raw mysql2 connection, with backpressure. knex's own stream hangs
 * for ever when the connection dies under it (the server KILLs the session, a restart, a fatal protocol
 * error): mysql2 reports such an error on the connection, which knex's stream never hears of. Here the
 * connection's `error` and `end` fail the read at once.
 */
import type { Knex } from 'knex';

// Rows buffered before the socket is paused; rows handed over at once unless the result has ended.
const HIGH_WATER = 4000;
const LOW_WATER = 1000;

/**
 * Yields the rows of `sql` in batches of what has arrived, each row an array of its values in select-list
 * order; throws the driver's error when the query or its connection fails.
 */
export async function* streamMysqlRowArrays(db: Knex, sql: string): AsyncIterable<unknown[][]> {
  const client = db.client as unknown as {
    acquireConnection(): Promise<RawConnection>;
    releaseConnection(c: RawConnection): Promise<unknown>;
  };
  db.emit('query', { sql });
  const connection = await client.acquireConnection();
  let rows: unknown[][] = [];
  let ended = false;
  let paused = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (error: Error) => {
    failure ??= error;
    notify();
  };
  const lost = () =>
    fail(
      Object.assign(new Error('Connection lost: the server closed the connection.'), {
        code: 'PROTOCOL_CONNECTION_LOST',
      }),
    );
  connection.on('error', fail);
  connection.on('end', lost);
  const query = connection.query({ sql, rowsAsArray: true });
  query.on('result', (row: unknown[]) => {
    rows.push(row);
    if (!paused && rows.length >= HIGH_WATER) {
      paused = true;
      connection.pause();
    }
    if (rows.length >= LOW_WATER) notify();
  });
  query.on('error', fail);
  query.on('end', () => {
    ended = true;
    notify();
  });
  try {
    for (;;) {
      if (rows.length > 0 && (rows.length >= LOW_WATER || ended || failure)) {
        const batch = rows;
        rows = [];
        if (paused) {
          paused = false;
          connection.resume();
        }
        yield batch;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    connection.off('error', fail);
    connection.off('end', lost);
    // A read stopped early or failed leaves the connection mid-result: it is not returned to the pool.
    if (!ended || failure) connection.destroy();
    await client.releaseConnection(connection);
  }
}

interface RawConnection {
  query(options: { sql: string; rowsAsArray: boolean }): QueryEvents;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'end', listener: () => void): void;
  off(event: 'error' | 'end', listener: (...args: never[]) => void): void;
  pause(): void;
  resume(): void;
  destroy(): void;
}

interface QueryEvents {
  on(event: 'result', listener: (row: unknown[]) => void): QueryEvents;
  on(event: 'error', listener: (error: Error) => void): QueryEvents;
  on(event: 'end', listener: () => void): QueryEvents;
}
