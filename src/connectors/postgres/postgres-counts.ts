/**
 * Exact row counts for PostgreSQL, all in one round trip.
 *
 * A small plain table is counted by `COPY table (column) TO STDOUT` of one fixed-width column: COPY reads the
 * heap without planning a query, so the backend never opens the table's indexes (the planner opens every one
 * of them), and the command tag, `COPY n`, carries the count. The driver drops the copied rows unread. On a
 * fresh backend, where building each relation's cache entry is most of a count's cost, that is three times
 * cheaper than `SELECT count(*)` for tables of a few rows. It sees the same rows: the transaction's snapshot,
 * and row-level security, which turns such a COPY into a query under the same policies.
 *
 * Everything else is counted with COUNT(*) in UNION ALL chunks: tables expected to hold more rows (COPY
 * would send them all), tables with no fixed-width column (a text column may be TOASTed, and copying it
 * would fetch every value), inheritance parents (COPY reads only the parent's own rows), materialized views
 * and views. A partitioned table holds no rows of its own: it is the sum of its leaf partitions' counts when
 * those are all counted anyway, and counted with COUNT(*) only when they are not (`partitionLeaves`).
 */

import { groupBy } from '../../core/group-by.ts';
import { quoteDoubleQuoted } from '../sql/quote-identifier.ts';
import {
  type CountTarget,
  countChunks,
  countedTable,
  countStatement,
  fileCounts,
} from '../sql/row-counts.ts';

/** A table expected to hold at most this many rows (by statistics and the live-tuple counter) is copied. */
export const COPY_COUNT_MAX_ROWS = 1000;

export interface PostgresCountTarget extends CountTarget {
  /** A plain table, with no inheritance children, that the user may SELECT from as a whole. */
  readonly copyable: boolean;
  /** The larger of the catalog's estimate and the live-tuple counter; null when unknown. */
  readonly expectedRows: number | null;
}

/** Whether a table is small enough to be counted by copying one column of it. */
export function copyCandidate(target: PostgresCountTarget): boolean {
  return target.copyable && target.expectedRows !== null && target.expectedRows <= COPY_COUNT_MAX_ROWS;
}

/** What `copyColumns` reads of a column (the catalog's columns lane). */
export interface CopyColumnFacts {
  readonly name: string;
  readonly position: number;
  /** pg_attribute.attgenerated: null for a stored value, 's' for a generated column. */
  readonly generated: string | null;
}

/**
 * The column each copy candidate among `targets` is copied by, by key: its narrowest fixed-width stored
 * column (a `boolean` before an `integer`), the first declared of equal ones; `widthOf` gives a column's
 * byte width (pg_type.typlen, -1 or -2 for variable-width types). A table without one is counted with
 * COUNT(*).
 */
export function copyColumns<C extends CopyColumnFacts>(
  targets: readonly PostgresCountTarget[],
  columnsOf: (key: string) => readonly C[] | undefined,
  widthOf: (column: C) => number,
): Map<string, string> {
  const chosen = new Map<string, string>();
  for (const target of targets) {
    if (!copyCandidate(target)) continue;
    let best: C | undefined;
    let bestWidth = 0;
    for (const column of columnsOf(target.key) ?? []) {
      const width = widthOf(column);
      if (width <= 0 || column.generated !== null) continue;
      if (!best || width < bestWidth || (width === bestWidth && column.position < best.position)) {
        best = column;
        bestWidth = width;
      }
    }
    if (best) chosen.set(target.key, best.name);
  }
  return chosen;
}

/** One statement of a count script and how its result is read. */
type Step =
  | { readonly kind: 'control' }
  | { readonly kind: 'copy'; readonly target: PostgresCountTarget }
  | { readonly kind: 'select'; readonly targets: readonly PostgresCountTarget[] };

/** A script of counting statements, run in one round trip, and the reader of its results. */
export interface CountScript {
  readonly sql: string;
  /** Files the results of `sql` (one per statement, in order) into counts by `CountTarget.key`. */
  read(results: readonly PgResult[], counts: Map<string, number>): void;
}

/** The part of a pg `Result` the script reads. */
export interface PgResult {
  readonly command: string;
  readonly rowCount: number | null;
  readonly rows: readonly Record<string, unknown>[];
}

/**
 * The script that counts `targets`, given the copy column of each table that has one (by `key`). Targets
 * go in chunks (`countChunks`), each in its own transaction: its COMMIT releases the locks its statements
 * took before the next chunk takes more.
 */
export function countScript(
  targets: readonly PostgresCountTarget[],
  copyColumns: ReadonlyMap<string, string>,
): CountScript {
  const steps: Step[] = [];
  const statements: string[] = [];
  const push = (sql: string, step: Step) => {
    statements.push(sql);
    steps.push(step);
  };
  for (const chunk of countChunks(targets)) {
    const selected: PostgresCountTarget[] = [];
    push('BEGIN', { kind: 'control' });
    for (const target of chunk) {
      const column = copyCandidate(target) ? copyColumns.get(target.key) : undefined;
      if (column === undefined) {
        selected.push(target);
        continue;
      }
      const table = countedTable(target, quoteDoubleQuoted);
      push(`COPY ${table} (${quoteDoubleQuoted(column)}) TO STDOUT`, { kind: 'copy', target });
    }
    if (selected.length > 0) {
      push(countStatement(selected, quoteDoubleQuoted), { kind: 'select', targets: selected });
    }
    push('COMMIT', { kind: 'control' });
  }
  return {
    sql: statements.join(';\n'),
    read(results, counts) {
      if (results.length !== steps.length) {
        throw new Error(`the count script returned ${results.length} results for ${steps.length} statements`);
      }
      steps.forEach((step, i) => {
        const result = results[i]!;
        if (step.kind === 'copy') {
          if (result.command !== 'COPY' || result.rowCount === null) {
            throw new Error(`counting ${step.target.table}: expected a COPY result, got ${result.command}`);
          }
          counts.set(step.target.key, result.rowCount);
        } else if (step.kind === 'select') {
          fileCounts(counts, step.targets, result.rows);
        }
      });
    },
  };
}

/** A relation of the catalog as `partitionLeaves` reads the partition trees. */
export interface PartitionNode {
  readonly key: string;
  /** The partitioned table this relation is a partition of; null for any other relation. */
  readonly parentKey: string | null;
  /** A partitioned table: its rows are in its partitions. */
  readonly partitioned: boolean;
}

/**
 * The leaf partitions (the relations that hold the rows) under each partitioned table among `nodes`, at any
 * depth, by the partitioned table's key. A partitioned table without partitions has none, and holds no rows.
 */
export function partitionLeaves<N extends PartitionNode>(nodes: readonly N[]): Map<string, N[]> {
  const children = groupBy(
    nodes.filter((n) => n.parentKey !== null),
    (n) => n.parentKey!,
  );
  const leaves = new Map<string, N[]>();
  const leavesOf = (key: string): N[] => {
    let found = leaves.get(key);
    if (found) return found;
    found = [];
    for (const child of children.get(key) ?? []) {
      if (child.partitioned) found.push(...leavesOf(child.key));
      else found.push(child);
    }
    leaves.set(key, found);
    return found;
  };
  for (const node of nodes) if (node.partitioned) leavesOf(node.key);
  return leaves;
}

/** The sum of the counts of `keys`; undefined when one of them has none (its count failed). */
export function sumOfCounts(
  keys: readonly string[],
  counts: ReadonlyMap<string, number>,
): number | undefined {
  let sum = 0;
  for (const key of keys) {
    const count = counts.get(key);
    if (count === undefined) return undefined;
    sum += count;
  }
  return sum;
}
