import type { Knex } from 'knex';
import type { PushdownDialect } from '../sql/sql-pushdown.ts';
import { SAMPLE_SEED } from '../sql/sql-pushdown.ts';
import { withSqliteConnection } from './sqlite-connection.ts';

/** The aggregate stocktake registers on the connection: SQLite has no standard deviation. */
export const SQLITE_STDDEV_FUNCTION = 'stocktake_stddev_pop';
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
  trimmedLower: (expr) => `lower(trim(${expr}, ' ' || char(9, 10, 13, 160, 8239)))`,
  literal: (text) => `'${text.replaceAll("'", "''")}'`,
  // quote() renders each part as an unambiguous SQL literal, so the joined text cannot collide.
  countDistinctTuple: (keys, _columns, allNotNull) =>
    `COUNT(DISTINCT CASE WHEN ${allNotNull} THEN ${keys.length === 1 ? keys[0] : keys.map((k) => `quote(${k})`).join(` || ',' || `)} END)`,
  source: (table, fraction) => {
    if (fraction === undefined) return { from: `${table} t`, method: 'full' };
    // random() cannot be seeded: a golden-ratio (Weyl) step over the rowid draws the same, well-spread
    // rows in every statement; both factors stay below 2^31, so the product never leaves 64-bit integers.
    const cut = Math.round(fraction * PRIME);
    return {
      from: `${table} t`,
      where: `((t.rowid + ${SAMPLE_SEED}) % ${PRIME}) * ${GOLDEN_STEP} % ${PRIME} < ${cut}`,
      method: 'rowid hash',
    };
  },
  randomOrder: 'random()',
  limit: (sql, n) => `${sql} LIMIT ${Math.floor(n)}`,
  prepare: registerStddev,
  query: exactQuery,
};

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

// A Welford accumulator: numerically stable where sum-of-squares formulas cancel.
function registerStddev(db: Knex): Promise<void> {
  return withSqliteConnection(db, (connection) => {
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

interface Welford {
  n: number;
  mean: number;
  m2: number;
}
