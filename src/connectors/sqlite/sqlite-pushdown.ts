import type { Knex } from 'knex';
import { foldNullLike } from '../../profilers/null-like.ts';
import { HASH, hashString } from '../../profilers/value-hash.ts';
import type { PushdownDialect } from '../sql/sql-pushdown.ts';
import { SAMPLE_SEED } from '../sql/sql-pushdown.ts';
import { withSqliteConnection } from './sqlite-connection.ts';

/** The aggregate stocktake registers on the connection: SQLite has no standard deviation. */
export const SQLITE_STDDEV_FUNCTION = 'stocktake_stddev_pop';
/** The row hash stocktake registers on the connection, to sample what has no rowid (views, WITHOUT ROWID tables). */
export const SQLITE_ROW_BUCKET_FUNCTION = 'stocktake_row_bucket';
/** A text trimmed of edge blanks, lowered and composed (NFC), as null-like words are compared. */
export const SQLITE_FOLD_FUNCTION = 'stocktake_fold';
const PRIME = 2_147_483_647;
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
  prepare: registerFunctions,
  query: exactQuery,
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

/**
 * Runs a statement with exact integers: an integer past 2^53 comes back as a bigint (as the reads give
 * it) instead of a rounded number that would merge 9007199254740993 into 9007199254740992; every other
 * integer, counts included, stays a plain number.
 */
function exactQuery(db: Knex, sql: string): Promise<Record<string, unknown>[]> {
  db.emit('query', { sql });
  return withSqliteConnection(db, (connection) => {
    const rows = connection.prepare(sql).safeIntegers(true).all() as Record<string, unknown>[];
    for (const row of rows) {
      for (const key in row) {
        const value = row[key];
        if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) row[key] = Number(value);
      }
    }
    return rows;
  });
}

// A Welford accumulator: numerically stable where sum-of-squares formulas cancel; and the row hash.
function registerFunctions(db: Knex): Promise<void> {
  return withSqliteConnection(db, (connection) => {
    connection.function(SQLITE_ROW_BUCKET_FUNCTION, { deterministic: true, varargs: true }, rowBucket);
    connection.function(SQLITE_FOLD_FUNCTION, { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? foldNullLike(value) : value,
    );
    connection.aggregate(SQLITE_STDDEV_FUNCTION, {
      start: () => ({ n: 0, mean: 0, m2: 0 }),
      step: (state: Welford, value: unknown) => {
        if (value === null || value === undefined) return state;
        const x = Number(value);
        if (Number.isNaN(x)) return state;
        state.n++;
        const delta = x - state.mean;
        state.mean += delta / state.n;
        state.m2 += delta * (x - state.mean);
        return state;
      },
      result: (state: Welford) => (state.n === 0 ? null : Math.sqrt(state.m2 / state.n)),
      deterministic: true,
    });
  });
}

/** A value in [0, 2^31 − 1) from the values of a row: each part tagged with its type and length, then hashed. */
function rowBucket(...values: unknown[]): number {
  let text = '';
  for (const value of values) {
    const part = Buffer.isBuffer(value) ? value.toString('hex') : String(value);
    const tag = value === null ? 'n' : Buffer.isBuffer(value) ? 'b' : typeof value === 'string' ? 's' : 'x';
    text += `${tag}${part.length}:${part}`;
  }
  hashString(text, SAMPLE_SEED);
  return HASH[0]! % PRIME;
}

interface Welford {
  n: number;
  mean: number;
  m2: number;
}
