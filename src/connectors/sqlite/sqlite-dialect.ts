import type { Knex } from 'knex';
import type { SqlDialect } from '../sql/sql-dialect.ts';
import { toPlainValue } from '../sql/sql-values.ts';
import { quoteSqlite, sqliteCatalog } from './sqlite-catalog.ts';
import { type SqliteClient, sqliteKnexConfig } from './sqlite-connection.ts';
import { sqlitePushdown } from './sqlite-pushdown.ts';

/** SQLite: better-sqlite3, pragma-based inventory, statement iteration for reads. */
export const sqliteDialect: SqlDialect = {
  kind: 'sqlite',
  product: 'SQLite',
  knexConfig: (config, mode) => sqliteKnexConfig(config as { path: string }, mode),
  catalog: sqliteCatalog,
  quoteIdentifier: quoteSqlite,
  toValue: toPlainValue,
  streamRowArrays: iterateRows,
  pushdown: sqlitePushdown,
};

// knex's SQLite stream collects every row first; iterating the prepared statement keeps memory flat.
// Rows come as arrays in select-list order, handed over a batch at a time.
const BATCH_ROWS = 2000;
/** The longest a read keeps the event loop from turning. */
const LOOP_TURN_MS = 50;

async function* iterateRows(db: Knex, sql: string): AsyncIterable<unknown[][]> {
  const client = db.client as SqliteClient;
  db.emit('query', { sql });
  const connection = await client.acquireConnection();
  try {
    const statement = connection.prepare(sql).safeIntegers(true).raw(true);
    let batch: unknown[][] = [];
    let turned = performance.now();
    for (const row of statement.iterate()) {
      batch.push(row as unknown[]);
      if (batch.length === BATCH_ROWS) {
        yield batch;
        batch = [];
        // Batches handed over through promises alone never let the event loop turn: a long read would hold
        // off signals (Ctrl-C), timers and other connections' I/O until it ends.
        if (performance.now() - turned > LOOP_TURN_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          turned = performance.now();
        }
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await client.releaseConnection(connection);
  }
}
