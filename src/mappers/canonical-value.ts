/**
 * Canonical text of a value per target column type, so that a mapped source value and the value a
 * database returns compare equal when the database would store them alike: decimals by value (`1.50` =
 * `1.5`), timestamps as instants at the column's precision (equal instants in other zones are equal),
 * CHAR(n) padding ignored, booleans by truth, JSON deep-equal (keys sorted), bytes as hex.
 */
import type { Value } from '../connectors/types.ts';
import type { Column } from '../core/inventory.ts';
import { isCanonicalDecimal, numberToDecimal, parseDecimalText } from './decimal-text.ts';

/** The canonical text of null (no value of any type canonicalises to it). */
export const NULL_TEXT = '\u0000';

/** Turns one value of a column into its canonical text. */
export type Canonicalizer = (value: Value | undefined) => string;

const CHAR_TYPE = /^(n?char|character|bpchar|nchar)\b(?!\s+varying)/i;
const INTEGER_TEXT = /^[-+]?\d+$/;
const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const TIME_TEXT = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/;

/** The canonicalizer of a target column; `targetKind` decides the default fractional precision of timestamps. */
export function canonicalizerFor(column: Column, targetKind?: string): Canonicalizer {
  switch (column.type) {
    case 'string':
      return CHAR_TYPE.test(column.nativeType) ? canonicalChar : canonicalString;
    case 'integer':
      return canonicalInteger;
    case 'decimal':
      return canonicalDecimal;
    case 'float':
      return canonicalFloat;
    case 'boolean':
      return canonicalBoolean;
    case 'date':
      return canonicalDate;
    case 'timestamp':
      return timestampCanonicalizer(timestampDigits(column, targetKind));
    case 'time':
      return canonicalTime;
    case 'binary':
      return canonicalBinary;
    case 'json':
      return canonicalJson;
    default:
      return canonicalString;
  }
}

/** Fraction digits a timestamp column keeps: its declared precision, else MySQL's 0 or the others' 6. */
function timestampDigits(column: Column, targetKind?: string): number {
  if (column.precision !== undefined) return Math.min(6, Math.max(0, column.precision));
  return targetKind === 'mysql' || targetKind === 'mariadb' ? 0 : 6;
}

function asText(value: Value): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberToDecimal(value) ?? String(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return stableJson(value);
}

function canonicalString(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  return asText(value);
}

function canonicalChar(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  return asText(value).replace(/ +$/, '');
}

function canonicalInteger(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string') {
    const text = value.trim();
    return INTEGER_TEXT.test(text) ? BigInt(text).toString() : canonicalDecimal(text);
  }
  return asText(value);
}

function canonicalDecimal(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (typeof value === 'string') {
    if (isCanonicalDecimal(value)) return value;
    return parseDecimalText(value.trim(), '.') ?? value;
  }
  if (typeof value === 'number') return numberToDecimal(value) ?? String(value);
  if (typeof value === 'bigint') return value.toString();
  return asText(value);
}

function canonicalFloat(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' || typeof value === 'bigint') {
    const n = Number(value);
    return Number.isNaN(n) ? String(value) : String(n);
  }
  return asText(value);
}

function canonicalBoolean(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number' || typeof value === 'bigint') return Number(value) !== 0 ? 't' : 'f';
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 't' || text === 'true' || text === '1' || text === 'y' || text === 'yes') return 't';
    if (text === 'f' || text === 'false' || text === '0' || text === 'n' || text === 'no') return 'f';
  }
  return asText(value);
}

function canonicalDate(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  const text = asText(value);
  return /^\d{4}-\d{2}-\d{2}/.test(text) ? text.slice(0, 10) : text;
}

/** Timestamps as microseconds since the epoch, rounded to the column's fraction digits. */
function timestampCanonicalizer(digits: number): Canonicalizer {
  const unit = 10 ** (6 - digits);
  return (value) => {
    if (value === null || value === undefined) return NULL_TEXT;
    const text = asText(value);
    const m = TIMESTAMP_TEXT.exec(text.trim());
    if (!m) return text;
    const seconds =
      Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)) / 1000 +
      Number(m[6] ?? 0) -
      offsetSeconds(m[8]);
    // Seven or more fraction digits are rounded to the microsecond first, as the databases do.
    const fraction = Math.round(Number(`0.${m[7] ?? '0'}`) * 1e6);
    let micros = seconds * 1e6 + fraction;
    if (unit > 1) micros = Math.round(micros / unit) * unit;
    return String(micros);
  };
}

function offsetSeconds(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60);
}

function canonicalTime(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  const text = asText(value);
  const m = TIME_TEXT.exec(text);
  if (!m) return text;
  const fraction = (m[4] ?? '').replace(/0+$/, '');
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}${fraction ? `.${fraction}` : ''}`;
}

function canonicalBinary(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return asText(value);
}

function canonicalJson(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (typeof value === 'string') {
    try {
      return stableJson(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return stableJson(value);
}

/** JSON with object keys sorted at every level, so that deep-equal values give the same text. */
export function stableJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys)
    parts.push(`${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
  return `{${parts.join(',')}}`;
}
