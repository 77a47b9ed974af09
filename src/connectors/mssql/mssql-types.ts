/** SQL Server type mapping, both ways: native → logical for reading, logical → native for writing. */
import type { LogicalType } from '../../core/inventory.ts';

const NATIVE_TO_LOGICAL: Readonly<Record<string, LogicalType>> = {
  bit: 'boolean',
  tinyint: 'integer',
  smallint: 'integer',
  int: 'integer',
  bigint: 'integer',
  decimal: 'decimal',
  numeric: 'decimal',
  money: 'decimal',
  smallmoney: 'decimal',
  float: 'float',
  real: 'float',
  date: 'date',
  time: 'time',
  datetime: 'timestamp',
  datetime2: 'timestamp',
  smalldatetime: 'timestamp',
  datetimeoffset: 'timestamp',
  binary: 'binary',
  varbinary: 'binary',
  image: 'binary',
  rowversion: 'binary',
  timestamp: 'binary',
  // Read as their text form (`mssqlClrText`): a path, WKT.
  hierarchyid: 'string',
  geography: 'string',
  geometry: 'string',
};

/** The logical type of a SQL Server system type name (`sys.types.name`); text, GUIDs, xml and CLR types read as string. */
export function mssqlLogicalType(typeName: string): LogicalType {
  // uniqueidentifier, (n)char, (n)varchar, (n)text, xml, sql_variant, sysname, user CLR types.
  return NATIVE_TO_LOGICAL[typeName.toLowerCase()] ?? 'string';
}

/** The SQL Server column type a migration creates for a logical type. */
export const MSSQL_NATIVE_TYPES: Readonly<Record<LogicalType, string>> = {
  string: 'nvarchar(max)',
  integer: 'bigint',
  decimal: 'decimal(38,10)',
  float: 'float',
  boolean: 'bit',
  date: 'date',
  time: 'time(7)',
  timestamp: 'datetime2(7)',
  binary: 'varbinary(max)',
  json: 'nvarchar(max)',
};

/** The size facts `sys.columns` stores for a column; `maxLength` is in bytes, -1 for `max`. */
export interface MssqlTypeSize {
  readonly maxLength: number;
  readonly precision: number;
  readonly scale: number;
}

const UNICODE_TEXT = new Set(['nchar', 'nvarchar']);
const SIZED_TEXT = new Set(['char', 'varchar', 'nchar', 'nvarchar', 'binary', 'varbinary']);
const FRACTIONAL_SECONDS = new Set(['time', 'datetime2', 'datetimeoffset']);
const EXACT_NUMERIC = new Set(['decimal', 'numeric']);

/** Length, precision and scale of a column as the inventory reports them (characters, not bytes). */
export function mssqlTypeModifiers(
  typeName: string,
  size: MssqlTypeSize,
): { length?: number; precision?: number; scale?: number } {
  const name = typeName.toLowerCase();
  if (SIZED_TEXT.has(name)) {
    if (size.maxLength < 0) return {};
    return { length: UNICODE_TEXT.has(name) ? size.maxLength / 2 : size.maxLength };
  }
  if (EXACT_NUMERIC.has(name)) return { precision: size.precision, scale: size.scale };
  if (FRACTIONAL_SECONDS.has(name)) return { scale: size.scale };
  return {};
}

/** The type as SSMS shows it: `nvarchar(80)`, `nvarchar(max)`, `decimal(12,3)`, `datetime2(7)`, `int`. */
export function formatMssqlType(typeName: string, size: MssqlTypeSize): string {
  const name = typeName.toLowerCase();
  if (SIZED_TEXT.has(name)) {
    if (size.maxLength < 0) return `${name}(max)`;
    return `${name}(${UNICODE_TEXT.has(name) ? size.maxLength / 2 : size.maxLength})`;
  }
  if (EXACT_NUMERIC.has(name)) return `${name}(${size.precision},${size.scale})`;
  if (FRACTIONAL_SECONDS.has(name)) return `${name}(${size.scale})`;
  // float(n) with n ≤ 24 is stored as real; SSMS shows plain `float` for float(53).
  return name;
}

/** The system type name of an inventory native type: `nvarchar(80)` → `nvarchar`. */
export function mssqlTypeName(nativeType: string): string {
  const open = nativeType.indexOf('(');
  return (open < 0 ? nativeType : nativeType.slice(0, open)).trim().toLowerCase();
}

/**
 * How a column read as a string holds its text: character data (`char`, `nvarchar`, `sysname`…), the old large
 * types (`text`, `ntext`), a type with a text form (`uniqueidentifier`, `xml`, `sql_variant`), a system CLR type
 * read through its text method (`hierarchyid`, `geography`, `geometry`), or a user CLR type read as its bytes.
 */
export type MssqlTextKind = 'character' | 'large' | 'convertible' | 'clr' | 'clr-bytes';

const TEXT_KINDS: Readonly<Record<string, MssqlTextKind>> = {
  char: 'character',
  varchar: 'character',
  nchar: 'character',
  nvarchar: 'character',
  sysname: 'character',
  text: 'large',
  ntext: 'large',
  uniqueidentifier: 'convertible',
  xml: 'convertible',
  sql_variant: 'convertible',
  hierarchyid: 'clr',
  geography: 'clr',
  geometry: 'clr',
};

/** The text kind of a native type; any other type read as a string is a user CLR type. */
export function mssqlTextKind(nativeType: string): MssqlTextKind {
  return TEXT_KINDS[mssqlTypeName(nativeType)] ?? 'clr-bytes';
}
