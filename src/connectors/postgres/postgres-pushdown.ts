/** PostgreSQL's push-down fragments: GROUPING SETS frequencies, `COLLATE "C"` order, percentile_cont, TABLESAMPLE. */
import type { Column } from '../../core/inventory.ts';
import type { PushdownDialect } from '../sql/sql-pushdown.ts';
import { SAMPLE_SEED } from '../sql/sql-pushdown.ts';

const EDGE = "E' \\t\\n\\r\\u00a0\\u202f'";

/** PostgreSQL: text compared as `text COLLATE "C"` (byte order of UTF-8 = code point order). */
export const postgresPushdown: PushdownDialect = {
  frequencies: 'grouping-sets',
  // Without the fence the planner pulls the derived table up and evaluates its CASE once per use.
  fence: ' OFFSET 0',
  key: (expr, column) => (isText(column) ? `(${expr})::text COLLATE "C"` : expr),
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
  source: (table, fraction) =>
    fraction === undefined
      ? { from: `${table} t`, method: 'full' }
      : {
          from: `${table} t TABLESAMPLE BERNOULLI (${percent(fraction)}) REPEATABLE (${SAMPLE_SEED})`,
          method: 'TABLESAMPLE BERNOULLI',
        },
  // The whole inheritance tree's statistics first (a partitioned table's), then the table's own.
  distinctEstimates: () =>
    `SELECT DISTINCT ON (attname) attname AS name, n_distinct::float8 AS n FROM pg_stats WHERE schemaname = ? AND tablename = ? ORDER BY attname, inherited DESC`,
  randomOrder: 'random()',
  limit: (sql, n) => `${sql} LIMIT ${Math.floor(n)}`,
  quantileAggregate: (expr) =>
    `percentile_cont(ARRAY[0.05, 0.25, 0.5, 0.75, 0.95]) WITHIN GROUP (ORDER BY ${expr})`,
  // Reads only that share of the pages: the value sample costs a fraction of a scan.
  pageSample: (from, fraction) => `${from} TABLESAMPLE SYSTEM (${percent(Math.min(1, fraction))})`,
};

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
