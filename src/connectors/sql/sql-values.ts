/** Conversions every SQL backend shares when a driver value crosses the contract. */
import { isUtf8 } from 'node:buffer';
import type { Column } from '../../core/inventory.ts';
import { plainNumberText } from '../../core/plain-number.ts';
import { isJsonText, JsonText } from '../json-text.ts';
import type { Value } from '../types.ts';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD` of a Date's UTC calendar day. */
export function isoDate(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** Converts values the drivers return as objects (Date, Buffer, big integers) to contract values. */
export function toPlainValue(input: unknown, column: Column): Value {
  if (input === null || input === undefined) return null;
  // Drivers asked for exact integers return bigint; small ones become plain numbers.
  const value = typeof input === 'bigint' && Number.isSafeInteger(Number(input)) ? Number(input) : input;
  switch (column.type) {
    case 'integer':
      if (typeof value === 'string') {
        // A non-integer text in an integer column (SQLite allows it) crosses unchanged for the profiler to flag.
        if (!/^-?\d+$/.test(value)) return value;
        const n = Number(value);
        return Number.isSafeInteger(n) ? n : BigInt(value);
      }
      if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
      if (typeof value === 'boolean') return value ? 1 : 0;
      return value as Value;
    case 'decimal':
      // A float held in a NUMERIC column (SQLite stores 0.0000001 as the REAL 1e-7) is written out in full.
      if (typeof value === 'string') return value;
      return typeof value === 'number' ? (plainNumberText(value) ?? String(value)) : String(value);
    case 'float':
      return typeof value === 'string' ? Number(value) : (value as Value);
    case 'boolean':
      // 0 and 1 are false and true; a `tinyint(1)` or SQLite BOOLEAN holding 2 or -1 keeps its number, for a
      // migration to refuse in a boolean column and copy into an integer one, never to turn into true.
      if (typeof value === 'number' || typeof value === 'bigint') {
        const n = Number(value);
        return n === 0 || n === 1 ? n === 1 : (value as Value);
      }
      if (Buffer.isBuffer(value)) return value[0] === 1;
      return value as Value;
    case 'date':
      return value instanceof Date ? isoDate(value) : dateText(String(value));
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : String(value);
    case 'binary':
      return Buffer.isBuffer(value) ? bytesOf(value) : (value as Value);
    case 'json':
      // Kept as the text the database holds (JsonText): a number past 2^53, `1.10`, key order and the JSON
      // document `null` cross exactly, as no parse into JavaScript values would let them.
      if (typeof value === 'string') return isJsonText(value) ? new JsonText(value) : value;
      return value as Value;
    default:
      if (value instanceof Date) return value.toISOString();
      // A blob in a column of another type (SQLite's storage classes): its text when it is UTF-8, else
      // the bytes, which a text column refuses (REJECT_TYPE) rather than receiving U+FFFD in their place.
      if (Buffer.isBuffer(value)) return isUtf8(value) ? value.toString('utf8') : bytesOf(value);
      return value as Value;
  }
}

/** A driver's Buffer as the contract's bytes: a plain Uint8Array over the same memory. */
function bytesOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/**
 * The date of a date text: `2024-01-31` from `2024-01-31 00:00:00`; a text that is no four-digit-year
 * date (`12345-06-07`, `0044-03-15 BC`, `infinity`) stays whole, for the profile to flag, never cut into
 * another date.
 */
function dateText(text: string): string {
  return /^\d{4}-\d\d-\d\d(?:$|[ T])/.test(text) && !text.endsWith(' BC') ? text.slice(0, 10) : text;
}
