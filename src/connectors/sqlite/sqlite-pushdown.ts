import type { Knex } from 'knex';
import type { PushdownDialect } from '../sql/sql-pushdown.ts';
import { SAMPLE_SEED } from '../sql/sql-pushdown.ts';
import { withSqliteConnection } from './sqlite-connection.ts';
import {
  exactRows,
  PRIME,
  registerStocktakeFunctions,
  SQLITE_FOLD_FUNCTION,
  SQLITE_ROW_BUCKET_FUNCTION,
  SQLITE_STDDEV_FUNCTION,
} from './sqlite-functions.ts';
import { queryThreadOf, startQueryThread, stopQueryThread } from './sqlite-query-thread.ts';

const GOLDEN_STEP = 1_327_217_885;

/** SQLite: dynamic types, so values come back as stored; text compares with the BINARY collation. */
export const sqlitePushdown: PushdownDialect = {
  frequencies: 'union',
  // SQLite never flattens a subquery with an OFFSET into its outer query: it runs it as a co-routine, and
  // each use of its null-like CASE reads the value computed once (1,000,000 rows: 11.1–11.8 s → 5.9–6.0 s).
  fence: ' LIMIT -1 OFFSET 0',
  key: (expr, column) =>
    column.type === 'string' || column.type === 'json' ? `${expr} COLLATE BINARY` : expr,
  driverValue: (raw, column) =>
    // SQLite keeps timestamps as written; `2024-01-31 10:00:00` and the ISO form are the same instant.
    column.type === 'timestamp' && typeof raw === 'string' && /^\d{4}-\d\d-\d\d \d/.test(raw)
      ? `${raw.slice(0, 10)}T${raw.slice(11)}`
      : raw,
  // As `isZeroDate`: a zero month or day in the first ten characters, then the end or the time.
  zeroDate: (expr, column) =>
    column.type === 'date' || column.type === 'timestamp'
      ? `((${expr} GLOB '[0-9][0-9][0-9][0-9]-00-[0-9][0-9]*' OR ${expr} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-00*') AND substr(${expr}, 11, 1) IN ('', ' ', 'T'))`
      : undefined,
  number: (expr, column) => {
    if (column.type === 'date' || column.type === 'timestamp') return `(julianday(${expr}) - 2440587.5)`;
    return column.type === 'integer' || column.type === 'decimal' || column.type === 'float'
      ? expr
      : undefined;
  },
  stddevPop: (expr) => `${SQLITE_STDDEV_FUNCTION}(${expr})`,
  mean: (expr) => `avg(${expr})`,
  length: (expr, column) => (column.type === 'binary' ? `length(CAST(${expr} AS BLOB))` : `length(${expr})`),
  firstCodePoint: (expr) => `unicode(${expr})`,
  lastCodePoint: (expr) => `unicode(substr(${expr}, -1))`,
  // lower() folds ASCII only: `NÉANT` is missed in summarised columns (listed columns are classified in JS).
  // SQLite's lower() folds A–Z alone: `NÉANT` stays upper. The function stocktake registers folds as the
  // file profile does (edge blanks trimmed, lower case, NFC), so both count the same null-like words.
  trimmedLower: (expr) => `${SQLITE_FOLD_FUNCTION}(${expr})`,
  literal: (text) => `'${text.replaceAll("'", "''")}'`,
  // quote() renders each part as an unambiguous SQL literal, so the joined text cannot collide.
  countDistinctTuple: (keys, _columns, allNotNull) =>
    `COUNT(DISTINCT CASE WHEN ${allNotNull} THEN ${keys.length === 1 ? keys[0] : keys.map((k) => `quote(${k})`).join(` || ',' || `)} END)`,
  source: async (table, fraction, dataset, quote, db) => {
    if (fraction === undefined) return { from: `${table} t`, method: 'full' };
    const cut = Math.round(fraction * PRIME);
    // A column named rowid (or _rowid_, oid) hides that name of the rowid: the first name no column takes.
    const names = new Set(dataset.columns.map((c) => c.name.toLowerCase()));
    const rowid = ROWID_NAMES.find((name) => !names.has(name));
    if (dataset.kind === 'table' && rowid !== undefined && (await hasRowid(db, table, rowid))) {
      // random() cannot be seeded: a golden-ratio (Weyl) step over the rowid draws the same, well-spread
      // rows in every statement; both factors stay below 2^31, so the product never leaves 64-bit integers.
      return {
        from: `${table} t`,
        where: `((t.${rowid} + ${SAMPLE_SEED}) % ${PRIME}) * ${GOLDEN_STEP} % ${PRIME} < ${cut}`,
        method: 'rowid hash',
      };
    }
    // No rowid: a hash of the key (WITHOUT ROWID tables have one) or of the whole row.
    const columns = dataset.primaryKey?.columns ?? dataset.columns.map((c) => c.name);
    const hashed = columns.map((name) => `t.${quote(name)}`).join(', ');
    return {
      from: `${table} t`,
      where: `${SQLITE_ROW_BUCKET_FUNCTION}(${hashed}) < ${cut}`,
      method: 'row hash',
    };
  },
  randomOrder: 'random()',
  limit: (sql, n) => `${sql} LIMIT ${Math.floor(n)}`,
  prepare: async (db) => {
    await withSqliteConnection(db, registerStocktakeFunctions);
    startQueryThread(db);
  },
  query: (db, sql) => {
    db.emit('query', { sql });
    // A read-only file's statements run in a thread of their own: a statement of minutes would otherwise
    // hold the event loop, and every other source's connections with it.
    const thread = queryThreadOf(db);
    return thread ? thread.query(sql) : withSqliteConnection(db, (connection) => exactRows(connection, sql));
  },
  release: (db) => stopQueryThread(db),
};

/** The names SQLite gives a table's rowid, each usable while no column takes it. */
const ROWID_NAMES = ['rowid', '_rowid_', 'oid'] as const;

/** True when the table has a rowid (not a WITHOUT ROWID table): preparing a statement that reads it tells. */
function hasRowid(db: Knex, table: string, rowid: string): Promise<boolean> {
  return withSqliteConnection(db, (connection) => {
    try {
      connection.prepare(`SELECT t.${rowid} FROM ${table} t`);
      return true;
    } catch {
      return false;
    }
  });
}
