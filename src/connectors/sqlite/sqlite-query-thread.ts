/**
 * An SQLite source's push-down statements run in a worker thread (`sqlite-query-worker.ts`) on a
 * read-only connection of their own. better-sqlite3 runs a statement synchronously: on the main thread, a
 * statement of a large table would hold the event loop for its whole run, and a PostgreSQL or MySQL
 * connection being opened meanwhile would time out although its server answered. In the thread, the other
 * sources go on, on the other core. One thread per knex instance of a read-only file, stopped when the
 * connector closes.
 */
import type { Worker } from 'node:worker_threads';
import type { Knex } from 'knex';
import { startModuleWorker } from '../../core/module-worker.ts';

/** What the worker is started with. */
export interface QueryThreadData {
  readonly path: string;
}

/** A statement to run. */
export interface QueryRequest {
  readonly id: number;
  readonly sql: string;
}

/** Its rows, or the error SQLite raised (message and code, as the driver's error carries them). */
export type QueryReply =
  | { readonly id: number; readonly rows: Record<string, unknown>[] }
  | { readonly id: number; readonly error: { readonly message: string; readonly code?: string } };

/** The main thread's side: statements sent in order, each answered by its id. */
export class SqliteQueryThread {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve(rows: Record<string, unknown>[]): void; reject(e: Error): void }
  >();
  #next = 0;
  #failure: Error | undefined;

  constructor(path: string) {
    this.#worker = startModuleWorker('sqlite-query-worker', 'src/connectors/sqlite/sqlite-query-worker.ts', {
      path,
    } satisfies QueryThreadData);
    // Idle between statements, it keeps no process alive.
    this.#worker.unref();
    this.#worker.on('message', (reply: QueryReply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if ('rows' in reply) pending.resolve(reply.rows.map(withBuffers));
      else pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) =>
      this.#fail(new Error(`the SQLite query thread stopped (exit ${code})`)),
    );
  }

  /** The rows of `sql`, read with exact integers. */
  query(sql: string): Promise<Record<string, unknown>[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Busy, it keeps the process alive until the answer comes.
      this.#worker.ref();
      this.#worker.postMessage({ id, sql } satisfies QueryRequest);
    });
  }

  async stop(): Promise<void> {
    this.#failure ??= new Error('the SQLite query thread was stopped');
    await this.#worker.terminate();
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/** Bytes come back from the thread as Uint8Array: as Buffers, as the driver gives them on the main thread. */
function withBuffers(row: Record<string, unknown>): Record<string, unknown> {
  for (const key in row) {
    const value = row[key];
    if (value instanceof Uint8Array && !Buffer.isBuffer(value))
      row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  }
  return row;
}

const threads = new WeakMap<Knex, SqliteQueryThread>();

/** Starts the thread of a knex instance of a read-only SQLite file (an audit's); none for a writable one. */
export function startQueryThread(db: Knex): void {
  if (threads.has(db)) return;
  const connection = db.client.config.connection as { filename?: string; options?: { readonly?: boolean } };
  if (!connection?.filename || connection.options?.readonly !== true) return;
  threads.set(db, new SqliteQueryThread(connection.filename));
}

/** The thread of a knex instance, if it has one. */
export function queryThreadOf(db: Knex): SqliteQueryThread | undefined {
  return threads.get(db);
}

/** Stops the thread of a knex instance (its connector closes). */
export async function stopQueryThread(db: Knex): Promise<void> {
  const thread = threads.get(db);
  threads.delete(db);
  await thread?.stop();
}
