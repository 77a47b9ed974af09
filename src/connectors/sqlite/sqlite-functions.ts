/**
 * What the SQLite push-down runs on a connection of its own: the functions stocktake registers (a standard
 * deviation, the row hash that samples what has no rowid, the fold null-like words are compared by) and
 * statements read with exact integers. The main thread and the query worker (`sqlite-query-worker.ts`)
 * share them.
 */
import type { Database } from 'better-sqlite3';
import { foldNullLike } from '../../profilers/null-like.ts';
import { HASH, hashString } from '../../profilers/value-hash.ts';
import { SAMPLE_SEED } from '../sql/sql-pushdown.ts';

/** The aggregate stocktake registers on the connection: SQLite has no standard deviation. */
export const SQLITE_STDDEV_FUNCTION = 'stocktake_stddev_pop';
/** The row hash stocktake registers on the connection, to sample what has no rowid (views, WITHOUT ROWID tables). */
export const SQLITE_ROW_BUCKET_FUNCTION = 'stocktake_row_bucket';
/** A text trimmed of edge blanks, lowered and composed (NFC), as null-like words are compared. */
export const SQLITE_FOLD_FUNCTION = 'stocktake_fold';
/** The prime the row samples take their buckets modulo. */
export const PRIME = 2_147_483_647;

/**
 * Runs a statement with exact integers: an integer past 2^53 comes back as a bigint (as the reads give
 * it) instead of a rounded number that would merge 9007199254740993 into 9007199254740992; every other
 * integer, counts included, stays a plain number.
 */
export function exactRows(connection: Database, sql: string): Record<string, unknown>[] {
  const rows = connection.prepare(sql).safeIntegers(true).all() as Record<string, unknown>[];
  for (const row of rows) {
    for (const key in row) {
      const value = row[key];
      if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) row[key] = Number(value);
    }
  }
  return rows;
}

// A Welford accumulator: numerically stable where sum-of-squares formulas cancel; and the row hash.
export function registerStocktakeFunctions(connection: Database): void {
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
