/**
 * Conversions every SQL writer shares when a contract value becomes a driver parameter: instants
 * for zone-less columns, JSON text, binary Buffers. Each backend picks the ones its columns need.
 */

import { JsonText } from '../json-text.ts';
import type { Value } from '../types.ts';

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The UTC wall clock of an ISO timestamp (`2024-03-04T10:00:00.123456+01:00` → `2024-03-04T09:00:00.123456`),
 * for columns without a zone in a UTC session; a value without a zone, or not a timestamp, is returned as is.
 */
export function utcWallClock(text: string, separator: 'T' | ' ' = 'T'): string {
  if (isWallClock(text, separator === 'T' ? T_CODE : SPACE_CODE)) return text;
  const m = ISO_TIMESTAMP.exec(text);
  if (!m) return text;
  const zone = m[8];
  const fraction = m[7] ?? '';
  const seconds = m[6] ?? '00';
  if (zone === undefined) return `${m[1]}-${m[2]}-${m[3]}${separator}${m[4]}:${m[5]}:${seconds}${fraction}`;
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  // Whole seconds go through Date (leap days, month ends); the fraction is kept as written (microseconds).
  const ms = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(seconds),
  );
  const d = new Date(ms - offsetMinutes * 60_000);
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${day}${separator}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction}`;
}

const T_CODE = 0x54;
const SPACE_CODE = 0x20;
const COLON_CODE = 0x3a;
const DOT_CODE = 0x2e;

/**
 * True when `utcWallClock` would return the text as it is, known without the regular expression: the
 * separator in place, seconds present, and nothing but digits and dots after them (no zone).
 */
function isWallClock(text: string, separator: number): boolean {
  const n = text.length;
  if (n < 19 || text.charCodeAt(10) !== separator || text.charCodeAt(16) !== COLON_CODE) return false;
  for (let i = 19; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c !== DOT_CODE && (c < 0x30 || c > 0x39)) return false;
  }
  return true;
}

/**
 * The text of a JSON column: every value, a string included, is written as JSON; a document kept as its
 * source text (`JsonText`) is written as that text.
 */
export function jsonText(value: Value): string {
  if (value instanceof JsonText) return value.text;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** A Buffer over the same bytes (no copy), as the drivers want binary parameters. */
export function binaryBuffer(value: Uint8Array): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/** An ISO instant with milliseconds (`2024-03-04T10:00:00.000Z`) from the text or Date a driver returns. */
export function isoInstant(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const text = String(value).trim().replace(' ', 'T');
  // Drivers return up to microseconds; Date parsing wants at most milliseconds.
  const trimmed = text.replace(/(\.\d{3})\d+/, '$1');
  const withZone = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(trimmed) ? trimmed : `${trimmed}Z`;
  const date = new Date(withZone);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}
