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
  // Oracle's NUMBER(p,s), as databases converted from Oracle declare it: NUMERIC affinity.
  [/NUMERIC|DECIMAL|MONEY|NUMBER/i, 'decimal'],
];

/** The logical type of an SQLite declared type; a column without a type reads as text. */
export function sqliteLogicalType(declared: string): LogicalType {
  for (const [pattern, type] of DECLARED_TYPE_RULES) if (pattern.test(declared)) return type;
  return 'string';
}

/** SQLite's column affinity, by its five rules in order (https://sqlite.org/datatype3.html, 3.1). */
export type SqliteAffinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/** The affinity of a declared type: `STRING`, `UUID`, `ENUM` or `LONG` are NUMERIC, not TEXT. */
export function sqliteAffinity(declared: string): SqliteAffinity {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'INTEGER';
  if (/CHAR|CLOB|TEXT/.test(type)) return 'TEXT';
  // The inventory writes `(none)` for a column declared without a type.
  if (type.includes('BLOB') || type.trim() === '' || type === '(NONE)') return 'BLOB';
  if (/REAL|FLOA|DOUB/.test(type)) return 'REAL';
  return 'NUMERIC';
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
  if (/NUMERIC|DECIMAL|NUMBER/i.test(declared))
    return { precision: first, scale: match[2] === undefined ? 0 : Number(match[2]) };
  return {};
}
