/**
 * SQL Server push-down fragments: space-exact `Latin1_General_BIN2` text keys, exact numerics returned as text,
 * COUNT_BIG, GROUPING SETS, PERCENTILE_CONT, TABLESAMPLE.
 */
import type { Column } from '../../core/inventory.ts';
import type { PushdownDialect } from '../sql/sql-pushdown.ts';
import { SAMPLE_SEED } from '../sql/sql-pushdown.ts';
import { mssqlTextKind, mssqlTypeName } from './mssql-types.ts';
import { mssqlClrText, mssqlNumericText } from './mssql-value-text.ts';

const BIN = 'Latin1_General_BIN2';
/** The edge characters a null-like word may carry besides spaces: tab, LF, CR, no-break and narrow no-break space. */
const EDGE_TO_SPACE = [9, 10, 13, 160, 8239];
// SQL Server pads the shorter text with spaces before comparing, BIN2 included: every text key ends with this
// character, code point 0, which sorts below all others under a binary collation.
const SENTINEL = 'NCHAR(0)';
// Below this length `x + NCHAR(0)` stays within nvarchar(4000); a longer text would lose its sentinel.
const SHORT_TEXT = 4000;
// COUNT refuses these types.
const LARGE_OBJECTS = new Set(['text', 'ntext', 'image']);
const MONEY = new Set(['money', 'smallmoney']);
/** Buckets of a row hash sample: a share of them is kept. */
const ROW_HASH_BUCKETS = 1_000_000;

/** SQL Server 2016+: text compared with a BIN2 collation (code unit order). */
export const mssqlPushdown: PushdownDialect = {
  frequencies: 'grouping-sets',
  key: (expr, column) => {
    if (column.type === 'string') return textKey(expr, column);
    // image, like text and ntext, can be neither compared nor counted DISTINCT.
    return mssqlTypeName(column.nativeType) === 'image' ? `CAST(${expr} AS varbinary(max))` : expr;
  },
  // Bytes grouped by their digest (HASHBYTES takes any length from SQL Server 2016).
  rowKey: (expr, column) =>
    column.type === 'binary'
      ? `HASHBYTES('SHA2_256', CAST(${expr} AS varbinary(max)))`
      : mssqlPushdown.key(expr, column),
  // Exact numerics are grouped and ordered as numbers, and returned as their exact text.
  keyResult: (expr, column) => exactText(expr, column),
  // Sampled text carries the sentinel too, so that `driverValue` strips it from every text it sees.
  sampleValue: (expr, column) => (column.type === 'string' ? textKey(expr, column) : exactText(expr, column)),
  // UNION ALL branches carry text: an untyped NULL would make SQL Server convert every value to int.
  transport: (expr, column) => textOf(expr, column),
  nullOf: () => 'CAST(NULL AS nvarchar(max))',
  driverValue: (raw, column) => {
    if (column.type === 'boolean' && typeof raw === 'string') return raw === '1';
    if (column.type === 'binary' && typeof raw === 'string' && /^0x[0-9A-Fa-f]*$/.test(raw))
      return Buffer.from(raw.slice(2), 'hex');
    return column.type === 'string' && typeof raw === 'string' && raw.endsWith('\0') ? raw.slice(0, -1) : raw;
  },
  count: (argument, column) =>
    column && LARGE_OBJECTS.has(mssqlTypeName(column.nativeType))
      ? `COUNT_BIG(CASE WHEN ${argument} IS NOT NULL THEN 1 END)`
      : `COUNT_BIG(${argument})`,
  countWhere: (condition) => `COUNT_BIG(CASE WHEN ${condition} THEN 1 END)`,
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
  length: (expr, column) =>
    column.type === 'binary' ? `DATALENGTH(${expr})` : `(LEN(${wholeText(expr, column)} + N'.') - 1)`,
  firstCodePoint: (expr, column) => `UNICODE(${asText(expr, column)})`,
  lastCodePoint: (expr, column) => `UNICODE(RIGHT(${asText(expr, column)}, 1))`,
  // TRIM(chars FROM …) needs SQL Server 2017: the edge characters become spaces, which LTRIM and RTRIM take
  // off (inside the text too, which a null-like word matches only for `0000-00-00 00:00:00` written with a tab
  // or no-break space between its halves).
  trimmedLower: (expr, column) =>
    `LOWER(LTRIM(RTRIM(${EDGE_TO_SPACE.reduce((text, code) => `REPLACE(${text}, NCHAR(${code}), N' ')`, column ? wholeText(expr, column) : expr)}))) COLLATE ${BIN}`,
  literal: (text) => `N'${text.replaceAll("'", "''")}'`,
  // One text per tuple: each part prefixed with its length, so that no two tuples join to the same text.
  countDistinctTuple: (keys, columns, allNotNull) => {
    if (keys.length === 1) return `COUNT_BIG(DISTINCT CASE WHEN ${allNotNull} THEN ${keys[0]} END)`;
    const parts = keys.map((key, i) => {
      const text = textOf(key, columns[i]!);
      return `LEN(${text} + N'.') - 1, N':', ${text}`;
    });
    return `COUNT_BIG(DISTINCT CASE WHEN ${allNotNull} THEN CONCAT(${parts.join(", N'|', ")}) COLLATE ${BIN} END)`;
  },
  source: (table, fraction, dataset) => {
    if (fraction === undefined) return { from: `${table} t`, method: 'full' };
    // TABLESAMPLE reads a table's pages; a view has none (error 494): a hash of each row's values draws the
    // same rows in every statement (BINARY_CHECKSUM(*) leaves out the types it cannot compare).
    if (dataset.kind === 'view')
      return {
        from: `${table} t`,
        where: `ABS(BINARY_CHECKSUM(*) % ${ROW_HASH_BUCKETS}) < ${Math.round(fraction * ROW_HASH_BUCKETS)}`,
        method: 'row hash',
      };
    return {
      from: `${table} t TABLESAMPLE (${Number((fraction * 100).toPrecision(12))} PERCENT) REPEATABLE (${SAMPLE_SEED})`,
      method: 'TABLESAMPLE (pages)',
    };
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

/** Exact text of a value: ISO dates and times, 17 significant digits for floats, 4 decimals for money (lossless). */
function textOf(expr: string, column: Column): string {
  switch (column.type) {
    case 'decimal':
      return `CONVERT(nvarchar(max), ${expr}${MONEY.has(mssqlTypeName(column.nativeType)) ? ', 2' : ''})`;
    case 'date':
      return `CONVERT(nvarchar(max), ${expr}, 23)`;
    case 'timestamp':
      return `CONVERT(nvarchar(max), ${expr}, ${column.nativeType.startsWith('datetimeoffset') ? 127 : 126})`;
    case 'float':
      return `CONVERT(nvarchar(max), ${expr}, 3)`;
    // Bytes as `0x…` hex (style 1), which `driverValue` turns back into bytes; style 0 would read them as UTF-16.
    case 'binary':
      return `CONVERT(nvarchar(max), CAST(${expr} AS varbinary(max)), 1)`;
    default:
      return `CONVERT(nvarchar(max), ${expr})`;
  }
}

/** A decimal, numeric or money value as its exact text (tedious rounds them to a JavaScript number); others as they are. */
function exactText(expr: string, column: Column): string {
  return column.type === 'decimal' ? (mssqlNumericText(expr, column.nativeType) ?? expr) : expr;
}

/**
 * The text of a string column as nvarchar: character types as they are, (n)text and the types with a text form
 * (GUID, xml, sql_variant) converted, hierarchyid, geography and geometry through their text method, user CLR
 * types as their `0x…` bytes, as reads select them. COLLATE, concatenation, LEN and TRIM accept no other type.
 */
function asText(expr: string, column: Column | undefined): string {
  if (column?.type !== 'string') return expr;
  switch (mssqlTextKind(column.nativeType)) {
    case 'character':
      return expr;
    case 'large':
      return `CAST(${expr} AS nvarchar(max))`;
    case 'convertible':
      return `CONVERT(nvarchar(max), ${expr})`;
    case 'clr':
      // hierarchyid's text is an nvarchar(4000), which would drop the sentinel of a 4,000-character path.
      return `CAST(${mssqlClrText(expr, column.nativeType)} AS nvarchar(max))`;
    case 'clr-bytes':
      return `CONVERT(nvarchar(max), CAST(${expr} AS varbinary(max)), 1)`;
  }
}

/**
 * The text of a string column that a character appended to it does not cut: a concatenation of types other than
 * `max` stops at 4,000 characters (8,000 bytes), so a longer column is cast to nvarchar(max) first.
 */
function wholeText(expr: string, column: Column): string {
  const short = column.length !== undefined && column.length < SHORT_TEXT;
  return mssqlTextKind(column.nativeType) === 'character' && !short
    ? `CAST(${expr} AS nvarchar(max))`
    : asText(expr, column);
}

/** The key of a string column: its text and the sentinel under BIN2 (code point order, case- and space-exact). */
function textKey(expr: string, column: Column): string {
  return `(${wholeText(expr, column)} + ${SENTINEL}) COLLATE ${BIN}`;
}
