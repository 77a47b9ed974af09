/** MySQL/MariaDB type mapping, both ways: native → logical for reading, logical → native for writing. */
import type { Column, LogicalType } from '../../core/inventory.ts';

// Keyed by information_schema DATA_TYPE; tinyint(1) and bit(1) are decided on COLUMN_TYPE below.
const NATIVE_TO_LOGICAL: Readonly<Record<string, LogicalType>> = {
  tinyint: 'integer',
  smallint: 'integer',
  mediumint: 'integer',
  int: 'integer',
  integer: 'integer',
  bigint: 'integer',
  year: 'integer',
  bit: 'integer',
  decimal: 'decimal',
  numeric: 'decimal',
  float: 'float',
  double: 'float',
  real: 'float',
  date: 'date',
  time: 'time',
  datetime: 'timestamp',
  timestamp: 'timestamp',
  binary: 'binary',
  varbinary: 'binary',
  tinyblob: 'binary',
  blob: 'binary',
  mediumblob: 'binary',
  longblob: 'binary',
  json: 'json',
};

/**
 * The logical type of a MySQL/MariaDB column from its `DATA_TYPE` and `COLUMN_TYPE`;
 * enum, set, text, uuid, inet6 and spatial types read as text.
 */
export function mysqlLogicalType(dataType: string, columnType: string): LogicalType {
  const type = dataType.toLowerCase();
  // tinyint(1) is how MySQL spells BOOLEAN; bit(1) is the other common flag column.
  if ((type === 'tinyint' || type === 'bit') && /^(tinyint|bit)\(1\)/i.test(columnType)) return 'boolean';
  return NATIVE_TO_LOGICAL[type] ?? 'string';
}

/** Spatial types (`DATA_TYPE`; `geomcollection` is MySQL 8's name of `geometrycollection`): read as WKT text. */
const SPATIAL_TYPES: ReadonlySet<string> = new Set([
  'geometry',
  'point',
  'linestring',
  'polygon',
  'multipoint',
  'multilinestring',
  'multipolygon',
  'geometrycollection',
  'geomcollection',
]);

/** True when a column's native type (`COLUMN_TYPE`: `point`, `geometry`, `multipolygon`…) is spatial. */
export function isMysqlSpatial(nativeType: string): boolean {
  return SPATIAL_TYPES.has(nativeType.trim().toLowerCase().split(/[\s(]/, 1)[0]!);
}

/** The MySQL/MariaDB column type a migration creates for a logical type. */
export const MYSQL_NATIVE_TYPES: Readonly<Record<LogicalType, string>> = {
  string: 'longtext',
  integer: 'bigint',
  // A bare DECIMAL is DECIMAL(10,0) in MySQL: the widest type keeps every fraction.
  decimal: 'decimal(65,30)',
  float: 'double',
  boolean: 'tinyint(1)',
  date: 'date',
  time: 'time(6)',
  timestamp: 'datetime(6)',
  binary: 'longblob',
  json: 'json',
};

/** The labels of an `enum('a','b''c')` or `set(...)` COLUMN_TYPE, unescaped. */
export function mysqlEnumValues(columnType: string): string[] {
  const open = columnType.indexOf('(');
  const values: string[] = [];
  const text = columnType.slice(open + 1, columnType.lastIndexOf(')'));
  const label = /'((?:[^'\\]|''|\\.)*)'/g;
  for (let match = label.exec(text); match !== null; match = label.exec(text)) {
    values.push(match[1]!.replace(/''|\\(.)/g, (_all, escaped: string | undefined) => escaped ?? "'"));
  }
  return values;
}

/**
 * `2021-03-04 10:00:00.5` → `2021-03-04T10:00:00.5` (with `Z` for TIMESTAMP columns, which the UTC
 * session returns in UTC); zero dates such as `0000-00-00 00:00:00` stay as they are, for the profiler.
 */
export function mysqlDateTimeToIso(text: string, utc: boolean): string {
  // Tested without captures, the space then replaced: no substrings to build for every value read.
  if (!DATED_DATETIME.test(text)) return text;
  const iso = text.replace(' ', 'T');
  return utc ? `${iso}Z` : iso;
}

/** `YYYY-MM-DD hh:mm:ss[.f…]` whose month and day are not `00`. */
const DATED_DATETIME = /^\d{4}-(?!00)\d{2}-(?!00)\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?$/;

/** A 4-byte MySQL/MariaDB FLOAT (FLOAT(p) with p ≤ 24, not DOUBLE). */
export function isMysqlFloat(column: Column): boolean {
  if (column.type !== 'float') return false;
  const native = column.nativeType.toLowerCase();
  const p = /^float\s*\((\d+)\s*\)/.exec(native);
  return p ? Number(p[1]) <= 24 : /^float\b/.test(native);
}
