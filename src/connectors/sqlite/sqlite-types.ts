/** SQLite type mapping, both ways. SQLite types are affinities read from the declared type text. */
import type { LogicalType } from '../../core/inventory.ts';

// Checked in order: the first pattern found in the declared type wins (BOOLEAN before INT, DATETIME before DATE).
const DECLARED_TYPE_RULES: readonly (readonly [RegExp, LogicalType])[] = [
  [/BOOL/i, 'boolean'],
  [/DATETIME|TIMESTAMP/i, 'timestamp'],
  [/DATE/i, 'date'],
  [/^TIME/i, 'time'],
  [/JSON/i, 'json'],
  [/INT/i, 'integer'],
  [/CHAR|CLOB|TEXT|UUID/i, 'string'],
  [/BLOB|BINARY/i, 'binary'],
  [/REAL|FLOA|DOUB/i, 'float'],
  [/NUMERIC|DECIMAL|MONEY/i, 'decimal'],
];

/** The logical type of an SQLite declared type; a column without a type reads as text. */
export function sqliteLogicalType(declared: string): LogicalType {
  for (const [pattern, type] of DECLARED_TYPE_RULES) if (pattern.test(declared)) return type;
  return 'string';
}

/** The declared type a migration creates for a logical type. */
export const SQLITE_NATIVE_TYPES: Readonly<Record<LogicalType, string>> = {
  string: 'TEXT',
  integer: 'INTEGER',
  decimal: 'NUMERIC',
  float: 'REAL',
  boolean: 'BOOLEAN',
  date: 'DATE',
  time: 'TIME',
  timestamp: 'DATETIME',
  binary: 'BLOB',
  json: 'JSON',
};

/** Length, precision and scale written in a declared type: `VARCHAR(80)`, `DECIMAL(12,3)`. */
export function sqliteTypeModifiers(declared: string): {
  length?: number;
  precision?: number;
  scale?: number;
} {
  const match = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(declared);
  if (!match) return {};
  const first = Number(match[1]);
  if (/CHAR|TEXT|CLOB|BINARY/i.test(declared)) return { length: first };
  if (/NUMERIC|DECIMAL/i.test(declared))
    return { precision: first, scale: match[2] === undefined ? 0 : Number(match[2]) };
  return {};
}
