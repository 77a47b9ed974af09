/**
 * Streams the rows of a query on a raw mysql2 connection, with backpressure. knex's own stream hangs
 * for ever when the connection dies under it (the server KILLs the session, a restart, a fatal protocol
 * error): mysql2 reports such an error on the connection, which knex's stream never hears of. Here the
 * connection's `error` and `end` fail the read at once.
 */
import type { Knex } from 'knex';

// Rows buffered before the socket is paused, and the level at which it is resumed.
const HIGH_WATER = 2000;
const LOW_WATER = 500;

/** Yields the records of `sql`; throws the driver's error when the query or its connection fails. */
export async function* streamMysqlRows(db: Knex, sql: string): AsyncIterable<Record<string, unknown>> {
  const client = db.client as unknown as {
    acquireConnection(): Promise<RawConnection>;
    releaseConnection(c: RawConnection): Promise<unknown>;
  };
  db.emit('query', { sql });
  const connection = await client.acquireConnection();
  let rows: Record<string, unknown>[] = [];
  let next = 0;
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
  const query = connection.query(sql);
  query.on('result', (row: Record<string, unknown>) => {
    rows.push(row);
    if (!paused && rows.length - next >= HIGH_WATER) {
      paused = true;
      connection.pause();
    }
    notify();
  });
  query.on('error', fail);
  query.on('end', () => {
    ended = true;
    notify();
  });
  try {
    for (;;) {
      if (next < rows.length) {
        const row = rows[next]!;
        rows[next++] = undefined as never;
        if (next === rows.length) {
          rows = [];
          next = 0;
        }
        if (paused && rows.length - next <= LOW_WATER) {
          paused = false;
          connection.resume();
        }
        yield row;
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
  query(sql: string): QueryEvents;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'end', listener: () => void): void;
  off(event: 'error' | 'end', listener: (...args: never[]) => void): void;
  pause(): void;
  resume(): void;
  destroy(): void;
}

interface QueryEvents {
  on(event: 'result', listener: (row: Record<string, unknown>) => void): QueryEvents;
  on(event: 'error', listener: (error: Error) => void): QueryEvents;
  on(event: 'end', listener: () => void): QueryEvents;
}
