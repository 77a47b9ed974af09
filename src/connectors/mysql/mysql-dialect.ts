/** The MySQL/MariaDB backend of the shared SQL connector. */

import { shortestFloat32 } from '../../core/float32.ts';
import type { Column } from '../../core/inventory.ts';
import type { SqlDialect } from '../sql/sql-dialect.ts';
import { toPlainValue } from '../sql/sql-values.ts';
import type { Value } from '../types.ts';
import { mysqlCatalog, quoteMysql } from './mysql-catalog.ts';
import { mysqlKnexConfig } from './mysql-connection.ts';
import { mysqlPushdown } from './mysql-pushdown.ts';
import { streamMysqlRowArrays } from './mysql-stream.ts';
import { isMysqlFloat, isMysqlSpatial, mysqlDateTimeToIso } from './mysql-types.ts';

/** MySQL and MariaDB: mysql2 driver, information_schema inventory, backquoted identifiers. */
export const mysqlDialect: SqlDialect = {
  kind: 'mysql',
  product: 'MySQL/MariaDB',
  knexConfig: (config, mode, source) => mysqlKnexConfig(config as never, mode, source),
  catalog: mysqlCatalog,
  quoteIdentifier: quoteMysql,
  toValue: mysqlValue,
  selectColumn: mysqlSelectColumn,
  streamRowArrays: streamMysqlRowArrays,
  pushdown: mysqlPushdown,
};

/**
 * Reads spatial values as their WKT text (`POINT(1 1)`), as the push-down compares them, instead of the objects
 * mysql2 parses from their storage bytes.
 */
export function mysqlSelectColumn(quoted: string, column: Column): string {
  if (isMysqlSpatial(column.nativeType)) return `ST_AsText(${quoted})`;
  // The server prints a FLOAT with 6 significant digits (16777216 as 1.67772e7): read as a double, it is
  // turned back into the shortest decimal of the 4-byte float it holds (`mysqlValue`).
  return isMysqlFloat(column) ? `CAST(${quoted} AS DOUBLE)` : quoted;
}

/** Converts a mysql2 value (text dates, string big numbers, Buffers) to the contract's plain value. */
export function mysqlValue(value: unknown, column: Column): Value {
  if (value === null || value === undefined) return null;
  switch (column.type) {
    case 'timestamp':
      // TIMESTAMP values are stored in UTC and read in the UTC session; DATETIME has no zone.
      return typeof value === 'string'
        ? mysqlDateTimeToIso(value, /^timestamp/i.test(column.nativeType))
        : toPlainValue(value, column);
    case 'float':
      return typeof value === 'number' && isMysqlFloat(column)
        ? shortestFloat32(Math.fround(value))
        : toPlainValue(value, column);
    case 'integer':
      // bit(n) arrives as big-endian bytes.
      return Buffer.isBuffer(value) ? bitsToInteger(value) : toPlainValue(value, column);
    case 'string':
      // A spatial value selected without ST_AsText arrives parsed ({ x, y }, arrays of points): JSON text.
      return typeof value === 'object' && !Buffer.isBuffer(value)
        ? JSON.stringify(value)
        : toPlainValue(value, column);
    default:
      return toPlainValue(value, column);
  }
}

function bitsToInteger(bytes: Buffer): number | bigint {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return Number.isSafeInteger(Number(n)) ? Number(n) : n;
}
