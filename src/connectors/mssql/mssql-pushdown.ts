/** SQL Server push-down fragments: `Latin1_General_BIN2`, GROUPING SETS, PERCENTILE_CONT, TABLESAMPLE. */
import type { Column } from '../../core/inventory.ts';
import type { PushdownDialect } from '../sql/sql-pushdown.ts';
import { SAMPLE_SEED } from '../sql/sql-pushdown.ts';

const BIN = 'Latin1_General_BIN2';
const EDGE = 'NCHAR(32) + NCHAR(9) + NCHAR(10) + NCHAR(13) + NCHAR(160) + NCHAR(8239)';

/** SQL Server 2017+: text compared with a BIN2 collation (code unit order), `TRIM(chars FROM …)`. */
export const mssqlPushdown: PushdownDialect = {
  frequencies: 'grouping-sets',
  key: (expr, column) => (column.type === 'string' ? `${expr} COLLATE ${BIN}` : expr),
  // UNION ALL branches carry text: an untyped NULL would make SQL Server convert every value to int.
  transport: (expr, column) => textOf(expr, column),
  nullOf: () => 'CAST(NULL AS nvarchar(max))',
  driverValue: (raw, column) => (column.type === 'boolean' && typeof raw === 'string' ? raw === '1' : raw),
  number: (expr, column) => {
    if (column.type === 'date') return `DATEDIFF(day, '19700101', ${expr})`;
    if (column.type === 'timestamp')
      return `(CAST(DATEDIFF_BIG(microsecond, '19700101', ${expr}) AS float) / 86400000000.0)`;
    return column.type === 'integer' || column.type === 'decimal' || column.type === 'float'
      ? expr
      : undefined;
  },
  stddevPop: (expr) => `STDEVP(CAST(${expr} AS float))`,
  mean: (expr) => `AVG(CAST(${expr} AS float))`,
  // LEN ignores trailing spaces; the appended character keeps them counted.
  length: (expr, column) => (column.type === 'binary' ? `DATALENGTH(${expr})` : `(LEN(${expr} + N'.') - 1)`),
  firstCodePoint: (expr) => `UNICODE(${expr})`,
  lastCodePoint: (expr) => `UNICODE(RIGHT(${expr}, 1))`,
  trimmedLower: (expr) => `LOWER(TRIM(${EDGE} FROM ${expr})) COLLATE ${BIN}`,
  literal: (text) => `N'${text.replaceAll("'", "''")}'`,
  // One text per tuple: each part prefixed with its length, so that no two tuples join to the same text.
  countDistinctTuple: (keys, columns, allNotNull) => {
    if (keys.length === 1) return `COUNT(DISTINCT CASE WHEN ${allNotNull} THEN ${keys[0]} END)`;
    const parts = keys.map((key, i) => {
      const text = textOf(key, columns[i]!);
      return `LEN(${text} + N'.') - 1, N':', ${text}`;
    });
    return `COUNT(DISTINCT CASE WHEN ${allNotNull} THEN CONCAT(${parts.join(", N'|', ")}) COLLATE ${BIN} END)`;
  },
  source: (table, fraction) =>
    fraction === undefined
      ? { from: `${table} t`, method: 'full' }
      : {
          from: `${table} t TABLESAMPLE (${Number((fraction * 100).toPrecision(12))} PERCENT) REPEATABLE (${SAMPLE_SEED})`,
          method: 'TABLESAMPLE (pages)',
        },
  randomOrder: 'NEWID()',
  limit: (sql, n) => sql.replace(/^SELECT /, `SELECT TOP (${Math.floor(n)}) `),
  // PERCENTILE_CONT is a window function in SQL Server: every row carries the result, TOP (1) keeps one.
  quantiles: (numbers, source) => {
    const fractions = ['0.05', '0.25', '0.5', '0.75', '0.95'];
    const select = numbers.flatMap((expr, i) =>
      fractions.map((p, k) => `PERCENTILE_CONT(${p}) WITHIN GROUP (ORDER BY ${expr}) OVER () AS q${i}_${k}`),
    );
    return `SELECT TOP (1) ${select.join(', ')} FROM ${source.from}${source.where ? ` WHERE ${source.where}` : ''}`;
  },
};

/** Exact text of a value: ISO dates and times, 17 significant digits for floats (lossless). */
function textOf(expr: string, column: Column): string {
  switch (column.type) {
    case 'date':
      return `CONVERT(nvarchar(max), ${expr}, 23)`;
    case 'timestamp':
      return `CONVERT(nvarchar(max), ${expr}, ${column.nativeType.startsWith('datetimeoffset') ? 127 : 126})`;
    case 'float':
      return `CONVERT(nvarchar(max), ${expr}, 3)`;
    default:
      return `CONVERT(nvarchar(max), ${expr})`;
  }
}
