/**
 * MySQL/MariaDB push-down fragments: binary strings for exact comparison, spatial values as WKT, UNION ALL
 * frequencies, a hash sample.
 */
import type { Column } from '../../core/inventory.ts';
import type { PushdownDialect } from '../sql/sql-pushdown.ts';
import { SAMPLE_SEED } from '../sql/sql-pushdown.ts';
import { isMysqlFloat, isMysqlSpatial } from './mysql-types.ts';

const EDGE = '[ \\\\t\\\\n\\\\r\\\\x{a0}\\\\x{202f}]';
const SAMPLE_BUCKETS = 1_000_000;

/**
 * MySQL and MariaDB. Their default collations are case-, accent- and (PAD SPACE) trailing-space-insensitive,
 * even `utf8mb4_bin`; `BINARY` byte strings are exact, and UTF-8 byte order is code point order.
 */
export const mysqlPushdown: PushdownDialect = {
  frequencies: 'union',
  // A derived table with a LIMIT is filled once, never merged: merged, every use of its null-like CASE and
  // of its lengths computes them again (1,000,000 rows on MariaDB 10.11: 14.4–14.7 s → 10.7–10.8 s).
  fence: ' LIMIT 18446744073709551615',
  key: (expr, column) => {
    if (column.type === 'json') return `BINARY CAST(${expr} AS CHAR)`;
    // A FLOAT is sent as the 6 digits the server prints (16777216 as 16777200): as a double, it is sent
    // whole, and read back as the shortest decimal of the 4-byte float it holds, as reads give it.
    if (isMysqlFloat(column)) return `(${expr} * 1e0)`;
    // A date or date-time as the text a read gives: UNION ALL (the frequency statement) turns an invalid
    // one that ALLOW_INVALID_DATES let in (`2024-02-31`) into the zero date, which would count as missing.
    if (column.type === 'date' || column.type === 'timestamp') return `CAST(${expr} AS CHAR)`;
    // Converted so that the bytes read back are UTF-8 whatever the column's character set.
    return column.type === 'string' ? `BINARY CONVERT(${textOf(expr, column)} USING utf8mb4)` : expr;
  },
  // Blobs and JSON documents are grouped by their digest: grouped as they are, only their first
  // max_sort_length bytes would be compared.
  rowKey: (expr, column) =>
    column.type === 'binary' || column.type === 'json' ? `MD5(${expr})` : mysqlPushdown.key(expr, column),
  // Spatial values as reads select them (`mysqlSelectColumn`), not as the objects mysql2 parses.
  sampleValue: (expr, column) => textOf(expr, column),
  driverValue: (raw, column) =>
    Buffer.isBuffer(raw) && (column.type === 'string' || column.type === 'json') ? raw.toString('utf8') : raw,
  number: (expr, column) => {
    if (column.type === 'date') return `(TO_DAYS(${expr}) - 719528)`;
    if (column.type === 'timestamp')
      return `(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${expr}) / 8.64e10)`;
    return column.type === 'integer' || column.type === 'decimal' || column.type === 'float'
      ? expr
      : undefined;
  },
  // Zero dates (`0000-00-00`, `2020-00-15`) have a month or a day of 0; a NULL has neither, a real date both.
  zeroDate: (expr, column) =>
    column.type === 'date' || column.type === 'timestamp'
      ? `(MONTH(${expr}) = 0 OR DAYOFMONTH(${expr}) = 0)`
      : undefined,
  // `* 1e0` computes in double: AVG of integers and decimals would round to 4 more digits.
  stddevPop: (expr) => `STDDEV_POP(${expr} * 1e0)`,
  mean: (expr) => `AVG(${expr} * 1e0)`,
  length: (expr, column) =>
    column.type === 'binary' ? `LENGTH(${expr})` : `CHAR_LENGTH(${textOf(expr, column)})`,
  firstCodePoint: (expr, column) => `ORD(CONVERT(LEFT(${textOf(expr, column)}, 1) USING utf32))`,
  lastCodePoint: (expr, column) => `ORD(CONVERT(RIGHT(${textOf(expr, column)}, 1) USING utf32))`,
  trimmedLower: (expr, column) =>
    `CONVERT(LOWER(REGEXP_REPLACE(${textOf(expr, column)}, '^${EDGE}+|${EDGE}+$', '')) USING utf8mb4) COLLATE utf8mb4_bin`,
  literal: (text) => `'${text.replaceAll("'", "''")}'`,
  // COUNT(DISTINCT a, b) skips every row with a NULL part.
  countDistinctTuple: (keys) => `COUNT(DISTINCT ${keys.join(', ')})`,
  source: (table, fraction, dataset, quote) => {
    if (fraction === undefined) return { from: `${table} t`, method: 'full' };
    // rand() would draw another sample in every statement; a hash of the key (or the row) draws the same one.
    const columns =
      dataset.primaryKey?.columns ?? dataset.columns.filter((c) => c.type !== 'binary').map((c) => c.name);
    const hashed = columns.map((name) => `t.${quote(name)}`).join(', ');
    const cut = Math.round(fraction * SAMPLE_BUCKETS);
    return {
      from: `${table} t`,
      where: `MOD(CRC32(CONCAT_WS(',', ${SAMPLE_SEED}, ${hashed})), ${SAMPLE_BUCKETS}) < ${cut}`,
      method: 'CRC32 row hash',
    };
  },
  randomOrder: 'RAND()',
  limit: (sql, n) => `${sql} LIMIT ${Math.floor(n)}`,
  // No quantiles: MySQL has no PERCENTILE_CONT, and MariaDB's returns a DECIMAL that saturates (1e20 → 100000000),
  // so numeric columns above the distinct limit take their quantiles from the value sample.
};

/** A spatial value as its WKT text (its storage bytes are no text: invalid UTF-8 would read as `?`); others as they are. */
function textOf(expr: string, column: Column | undefined): string {
  return column && isMysqlSpatial(column.nativeType) ? `ST_AsText(${expr})` : expr;
}
