/**
 * PostgreSQL's push-down fragments: GROUPING SETS frequencies, `COLLATE "C"` order, percentile_cont, TABLESAMPLE
 * (a row hash where it does not apply), column privileges.
 */
import type { Knex } from 'knex';
import type { Column } from '../../core/inventory.ts';
import { normaliseRows } from '../sql/row-counts.ts';
import type { PushdownDialect } from '../sql/sql-pushdown.ts';
import { SAMPLE_SEED } from '../sql/sql-pushdown.ts';

const EDGE = "E' \\t\\n\\r\\u00a0\\u202f'";
/** Buckets of the row hash that samples relations TABLESAMPLE does not apply to (2^20). */
const HASH_BUCKETS = 1_048_576;
/** Relation kinds TABLESAMPLE applies to: tables, partitioned tables, materialized views (not views nor foreign tables). */
const SAMPLED_KINDS = new Set(['r', 'p', 'm']);

/** PostgreSQL: text compared as `text COLLATE "C"` (byte order of UTF-8 = code point order). */
export const postgresPushdown: PushdownDialect = {
  frequencies: 'grouping-sets',
  // Without the fence the planner pulls the derived table up and evaluates its CASE once per use.
  fence: ' OFFSET 0',
  key: (expr, column) => (isText(column) ? `(${expr})::text COLLATE "C"` : expr),
  // `json` (and `json[]`) has no equality operator: grouped by its text, as written.
  rowKey: (expr, column) =>
    column.type === 'json' ? `(${expr})::text COLLATE "C"` : postgresPushdown.key(expr, column),
  number: (expr, column) => {
    // `infinity` cannot be subtracted from (22008): such a date has no number, as a text would not.
    if (column.type === 'date') return finiteDays(expr);
    // date_part is float8 (EXTRACT is numeric since PostgreSQL 14: 3× slower to average and to sort).
    if (column.type === 'timestamp') return `(date_part('epoch', ${expr}) / 86400)`;
    // oid has no avg() nor percentile_cont(): it is an unsigned 32-bit integer.
    if (column.nativeType === 'oid') return `(${expr})::int8`;
    return column.type === 'integer' || column.type === 'decimal' || column.type === 'float'
      ? expr
      : undefined;
  },
  packable: (expr, column) => {
    if (column.type === 'date') return `${finiteDays(expr)}::int8`;
    return column.type === 'integer' ? `(${expr})::int8` : undefined;
  },
  // float8 sums of squares overflow past 1.3e154: numeric holds them, at a cost paid only then.
  wideNumber: (expr, column) => (column.type === 'float' ? `(${expr})::numeric` : undefined),
  stddevPop: (expr) => `stddev_pop(${expr})`,
  mean: (expr) => `avg(${expr})`,
  length: (expr, column) =>
    column.type === 'binary' ? `octet_length(${expr})` : `char_length((${expr})::text)`,
  // Text of any type read as a string (uuid, inet, interval, xml, money, enums): ascii() takes text only.
  firstCodePoint: (expr) => `ascii((${expr})::text)`,
  lastCodePoint: (expr) => `ascii(right((${expr})::text, 1))`,
  trimmedLower: (expr) => `lower(btrim((${expr})::text, ${EDGE}))`,
  literal: (text) => `'${text.replaceAll("'", "''")}'`,
  countDistinctTuple: (keys, _columns, allNotNull) =>
    keys.length === 1
      ? `COUNT(DISTINCT CASE WHEN ${allNotNull} THEN ${keys[0]} END)`
      : `COUNT(DISTINCT CASE WHEN ${allNotNull} THEN ROW(${keys.join(', ')}) END)`,
  source: async (table, fraction, dataset, quote, db) => {
    if (fraction === undefined) return { from: `${table} t`, method: 'full' };
    if (await takesTableSample(db, table)) {
      return {
        from: `${table} t TABLESAMPLE BERNOULLI (${percent(fraction)}) REPEATABLE (${SAMPLE_SEED})`,
        method: 'TABLESAMPLE BERNOULLI',
      };
    }
    // A view or a foreign table: a seeded hash of the text of each row's key (or of its columns) draws the same
    // rows in every statement. The dataset's columns, not `t.*`: column grants may hide the others.
    const columns = dataset.primaryKey?.columns ?? dataset.columns.map((c) => c.name);
    const row = `ROW(${columns.map((name) => `t.${quote(name)}`).join(', ')})`;
    return {
      from: `${table} t`,
      where: `(hashtextextended(${row}::text, ${SAMPLE_SEED}) & ${HASH_BUCKETS - 1}) < ${Math.round(fraction * HASH_BUCKETS)}`,
      method: 'row hash',
    };
  },
  // The whole inheritance tree's statistics first (a partitioned table's), then the table's own.
  distinctEstimates: () =>
    `SELECT DISTINCT ON (attname) attname AS name, n_distinct::float8 AS n FROM pg_stats WHERE schemaname = ? AND tablename = ? ORDER BY attname, inherited DESC`,
  randomOrder: 'random()',
  limit: (sql, n) => `${sql} LIMIT ${Math.floor(n)}`,
  quantileAggregate: (expr) =>
    `percentile_cont(ARRAY[0.05, 0.25, 0.5, 0.75, 0.95]) WITHIN GROUP (ORDER BY ${expr})`,
  // Reads only that share of the pages: the value sample costs a fraction of a scan.
  pageSample: async (db, table, fraction) =>
    (await takesTableSample(db, table))
      ? `${table} t TABLESAMPLE SYSTEM (${percent(Math.min(1, fraction))})`
      : undefined,
  privilegeDenied: (error) => (error as { code?: unknown } | null)?.code === '42501',
  unreadableColumns: (count) =>
    `SELECT n.nspname AS schema, c.relname AS "table", a.attname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE (n.nspname, c.relname) IN (${Array.from({ length: count }, () => '(?, ?)').join(', ')}) AND a.attnum > 0 AND NOT a.attisdropped AND NOT (has_schema_privilege(n.oid, 'USAGE') AND has_column_privilege(c.oid, a.attnum, 'SELECT'))`,
};

/** True when TABLESAMPLE applies to the relation named by the quoted reference `table`. */
async function takesTableSample(db: Knex, table: string): Promise<boolean> {
  const rows = normaliseRows(
    await db.raw('SELECT relkind FROM pg_class WHERE oid = to_regclass(?)', [table]),
  );
  return SAMPLED_KINDS.has(String(rows[0]?.relkind));
}

/** Days since 1970-01-01 of a date, NULL for `infinity` and `-infinity`. */
function finiteDays(expr: string): string {
  return `(CASE WHEN isfinite(${expr}) THEN ${expr} - DATE '1970-01-01' END)`;
}

function isText(column: Column): boolean {
  return column.type === 'string' || column.type === 'json';
}

/** A percentage literal from a fraction stocktake validated (0 < fraction < 1). */
export function percent(fraction: number): string {
  return String(Number((fraction * 100).toPrecision(12)));
}
