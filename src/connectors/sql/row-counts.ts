/**
 * Exact row counts in a bounded number of statements: tables are counted in chunks of
 * `UNION ALL` selects, one statement per chunk, instead of one query per table.
 */

import type { Knex } from 'knex';
import type { SourceFinding } from '../../core/inventory.ts';
import { redact } from '../../core/secrets.ts';
import type { CountTarget } from './sql-dialect.ts';
import { withoutQuery } from './sql-errors.ts';

export type { CountTarget };

/** Tables per counting statement: 1,000 tables cost 5 statements. */
export const COUNT_CHUNK = 200;

/** Runs one statement on a connection the caller holds; returns its rows. */
export type SqlOnConnection = (
  sql: string,
  bindings?: readonly Knex.RawBinding[],
) => Promise<Record<string, unknown>[]>;

/**
 * The statement that counts one chunk of targets (at most `COUNT_CHUNK`): one `(i, n)` row per target, `i`
 * its index in the chunk. The index, not the name, identifies each count: names never enter the SQL as
 * literals.
 */
export function countStatement(
  chunk: readonly CountTarget[],
  quote: (identifier: string) => string,
  countExpression = 'COUNT(*)',
): string {
  return chunk
    .map((t, i) => `SELECT ${i} AS i, ${countExpression} AS n FROM ${countedTable(t, quote)}`)
    .join(' UNION ALL ');
}

/** The table a count reads, quoted: `schema.table`, or `table` for a source without schemas. */
export function countedTable(t: CountTarget, quote: (identifier: string) => string): string {
  return t.schema === undefined ? quote(t.table) : `${quote(t.schema)}.${quote(t.table)}`;
}

/** `targets` in chunks of at most `COUNT_CHUNK`, one counting statement (or transaction) each. */
export function countChunks<T extends CountTarget>(targets: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < targets.length; start += COUNT_CHUNK)
    chunks.push(targets.slice(start, start + COUNT_CHUNK));
  return chunks;
}

/** Files the `(i, n)` rows of a chunk's `countStatement` by `CountTarget.key`. */
export function fileCounts(
  counts: Map<string, number>,
  chunk: readonly CountTarget[],
  rows: readonly Record<string, unknown>[],
): void {
  for (const row of rows) counts.set(chunk[Number(row.i)]!.key, Number(row.n));
}

/**
 * Counts rows exactly in chunks of `COUNT_CHUNK` tables, one statement each, side by side on the pool's
 * connections (the pool queues what it cannot take); returns counts by `CountTarget.key`.
 */
export async function countRowsExactly(
  db: Knex,
  targets: readonly CountTarget[],
  quote: (identifier: string) => string,
  countExpression = 'COUNT(*)',
  failures?: CountFailure[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const count = async (chunk: readonly CountTarget[]) => {
    const rows = normaliseRows(await db.raw(rawSql(db, countStatement(chunk, quote, countExpression))));
    fileCounts(counts, chunk, rows);
  };
  await Promise.all(
    countChunks(targets).map(async (chunk) => {
      try {
        await count(chunk);
      } catch (error) {
        if (!failures) throw error;
        // One object that cannot be counted (a view over a dropped table, a lock held past the timeout)
        // must not cost the others their counts: each is counted alone, and the failures are listed.
        for (const target of chunk) {
          try {
            await count([target]);
          } catch (alone) {
            failures.push({ target, error: alone as Error });
          }
        }
      }
    }),
  );
  return counts;
}

/** An object `countRowsExactly` could not count, and why. */
export interface CountFailure {
  readonly target: CountTarget;
  readonly error: Error;
}

/** The finding of an object that could not be counted: it keeps its estimate, if any. */
export function countFailureFinding(failure: CountFailure): SourceFinding {
  const { target, error } = failure;
  return {
    code: 'ROW_COUNT_FAILED',
    severity: 'warning',
    dataset: target.schema === undefined ? target.table : `${target.schema}.${target.table}`,
    message: `could not be counted (${redact(withoutQuery(error.message))}): its row count is the catalog's estimate, if any`,
    messageFr: `n’a pas pu être compté (${redact(withoutQuery(error.message))}) : son nombre de lignes est l’estimation du catalogue, s’il y en a une`,
  };
}

/**
 * SQL for `knex.raw` without bindings. The pg and mssql clients turn every `?` into `$1`/`@p0`,
 * even inside a quoted name such as `"what?"`; for them `\?` keeps a literal question mark.
 */
export function rawSql(db: Knex, sql: string): string {
  const client = db.client as { positionBindings(sql: string): string };
  return sql.includes('?') && client.positionBindings(sql) !== sql ? sql.replaceAll('?', '\\?') : sql;
}

/** knex.raw returns `{ rows }` (pg), `[rows, fields]` (mysql) or rows (sqlite, mssql). */
export function normaliseRows(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) {
    if (Array.isArray(result[0])) return result[0] as Record<string, unknown>[];
    return result as Record<string, unknown>[];
  }
  if (result && typeof result === 'object' && 'rows' in result)
    return (result as { rows: Record<string, unknown>[] }).rows;
  return [];
}
