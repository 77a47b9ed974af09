/**
 * Turns contract values (what `Connector.read` yields) into canonical frequency keys, as defined in
 * observation.ts, so that a value counts once whichever backend produced it.
 */

import { JsonText } from '../connectors/json-text.ts';
import type { LogicalType } from '../core/inventory.ts';
import type { FrequencyKey } from './observation.ts';

/** `12.50` → `12.5`, `12.0` → `12`, `-0.0` → `0`, `+3` → `3`, `007.5` → `7.5`: decimal text without redundant zeros. */
export function canonicalDecimal(text: string): string {
  let start = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    start = 1;
  }
  let end = text.length;
  const dot = text.indexOf('.');
  if (dot >= 0) {
    while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
    if (end === dot + 1) end = dot;
  }
  while (start < end - 1 && text.charCodeAt(start) === 48 && text.charCodeAt(start + 1) !== 46) start++;
  const body = start === 0 && end === text.length ? text : text.slice(start, end);
  if (body === '0') return '0';
  return negative ? `-${body}` : body;
}

/** `2024-01-31T10:00:00.500` → `…:00.5`, `…:00.000Z` → `…:00Z`, `10:00:00.500000` → `10:00:00.5`: fractional zeros trimmed. */
export function canonicalTimestamp(text: string, from = 19): string {
  const dot = text.indexOf('.', from);
  if (dot < 0) return text;
  let end = dot + 1;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
  let cut = end;
  while (cut > dot + 1 && text.charCodeAt(cut - 1) === 48) cut--;
  if (cut === dot + 1) cut = dot;
  return cut === end ? text : text.slice(0, cut) + text.slice(end);
}

/** The canonical key of a non-binary value in a column of `type`; null for SQL NULL. */
export function canonicalKey(value: unknown, type: LogicalType): FrequencyKey | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      if (type === 'decimal') return canonicalDecimal(value);
      if (type === 'timestamp') return canonicalTimestamp(value);
      // A time's seconds end at position 8: `HH:MM:SS.ffffff`.
      if (type === 'time') return canonicalTimestamp(value, 8);
      return value;
    case 'number':
      if (type === 'decimal') return canonicalDecimal(String(value));
      return value;
    case 'boolean':
      return value;
    case 'bigint': {
      // Past 2^53 a number would merge neighbours; the exact digits stay text.
      const number = Number(value);
      return Number.isSafeInteger(number) ? number : value.toString();
    }
    default:
      if (value instanceof JsonText) return value.text;
      // Bytes in a column of text (an SQLite blob that is not UTF-8) are listed as the text they decode
      // to, U+FFFD where they are no UTF-8: what a person reads, not a JSON object of byte numbers.
      if (value instanceof Uint8Array && type !== 'binary')
        return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
      return JSON.stringify(value);
  }
}
