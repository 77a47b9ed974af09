/**
 * Canonical text of a value per target column type, so that a mapped source value and the value a
 * database returns compare equal when the database would store them alike: decimals by value (`1.50` =
 * `1.5`), timestamps as instants at the column's precision (equal instants in other zones are equal),
 * CHAR(n) padding ignored, booleans by truth, JSON deep-equal (keys sorted), bytes as hex.
 */
import {
  canonicalJsonNumber,
  isJsonText,
  JsonNumber,
  JsonText,
  parseJsonExact,
} from '../connectors/json-text.ts';
import type { Value } from '../connectors/types.ts';
import { FLOAT32_MAX, isSinglePrecision } from '../core/float32.ts';
import type { Column } from '../core/inventory.ts';
import { timeMicros } from '../profilers/value-order.ts';
import { isCanonicalDecimal, numberToDecimal, parseDecimalText, plainDecimalText } from './decimal-text.ts';

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
      if (UUID_TYPE.test(column.nativeType)) return canonicalUuid;
      if (INTERVAL_TYPE.test(column.nativeType)) return canonicalInterval;
      return CHAR_TYPE.test(column.nativeType) ? canonicalChar : canonicalString;
    case 'integer':
      return canonicalInteger;
    case 'decimal':
      return canonicalDecimal;
    case 'float':
      return isSinglePrecision(column, targetKind) ? canonicalFloat32 : canonicalFloat;
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

/** PostgreSQL's and MariaDB's `uuid`, SQL Server's `uniqueidentifier`. */
const UUID_TYPE = /^(uuid|uniqueidentifier)$/i;
/**
 * The forms of a UUID the databases read: upper or lower case, in braces, with or without hyphens (PostgreSQL
 * also takes a hyphen after any group of four digits).
 */
const UUID_INPUT = /^\{?[0-9a-f]{4}(?:-?[0-9a-f]{4}){7}\}?$/i;

/**
 * A UUID as the databases store and compare it, lower case and hyphenated 8-4-4-4-12 (SQL Server's driver
 * reads it in upper case, PostgreSQL writes lower case whatever it was given); other text as it is.
 */
function canonicalUuid(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  const text = asText(value);
  if (!UUID_INPUT.test(text)) return text;
  const hex = text.replace(/[{}-]/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function canonicalChar(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  return asText(value).replace(/ +$/, '');
}

function canonicalInteger(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (typeof value === 'number') {
    // Safe integers print the same through String as through BigInt, without allocating one.
    if (Number.isSafeInteger(value)) return integerText(value);
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
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
    const plain = plainDecimalText(value);
    if (plain !== undefined) return plain;
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

/**
 * A value of a 4-byte float column. Both sides hold floats as their shortest texts already (the column
 * check writes them so, the readers read them so), which compare as they are, but for the largest float:
 * its shortest text, 3.4028235e38, is a hair above it as a double, while MySQL is sent the float itself
 * (3.4028234663852886e38). Both are the one float. (Shortening every value here would cost a diff about
 * 9 µs a value.)
 */
function canonicalFloat32(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  const n = typeof value === 'number' ? value : Number(value);
  if (Math.abs(n) >= FLOAT32_MAX && Number.isFinite(Math.fround(n)))
    return n > 0 ? FLOAT32_MAX_TEXT : `-${FLOAT32_MAX_TEXT}`;
  return canonicalFloat(value);
}

const FLOAT32_MAX_TEXT = String(3.4028235e38);

function canonicalBoolean(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  // A MySQL tinyint(1) or an SQLite BOOLEAN may hold 2: that is no `true`, and a plan must see it differ.
  if (typeof value === 'number' || typeof value === 'bigint') {
    const n = Number(value);
    return n === 1 ? 't' : n === 0 ? 'f' : asText(value);
  }
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
  // A date before Christ (`0044-03-15 BC`) keeps its era: it is not the year 44 AD.
  return /^\d{4}-\d{2}-\d{2}/.test(text) && !text.endsWith(' BC') ? text.slice(0, 10) : text;
}

/** Timestamps as microseconds since the epoch, rounded to the column's fraction digits. */
function timestampCanonicalizer(digits: number): Canonicalizer {
  const unit = 10 ** (6 - digits);
  return (value) => {
    if (value === null || value === undefined) return NULL_TEXT;
    const text = asText(value);
    if (!isoInstant(text)) {
      const m = TIMESTAMP_TEXT.exec(text.trim());
      if (!m) return text;
      INSTANT[0] =
        Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)) / 1000 +
        Number(m[6] ?? 0) -
        offsetSeconds(m[8]);
      // Seven or more fraction digits are rounded to the microsecond first, as the databases do.
      INSTANT[1] = Math.round(Number(`0.${m[7] ?? '0'}`) * 1e6);
    }
    return microsText(INSTANT[0]!, INSTANT[1]!, unit);
  };
}

/** Whole seconds since the epoch and the microseconds past them, of the last `isoInstant`. */
const INSTANT = new Float64Array(2);

/**
 * Epoch microseconds as canonical text, rounded to a multiple of `unit`: in a double while it is exact,
 * else in a bigint (before 1685 and after 2255, where a double's microseconds are no longer whole).
 */
function microsText(seconds: number, fraction: number, unit: number): string {
  const micros = seconds * 1e6 + fraction;
  if (Math.abs(micros) <= Number.MAX_SAFE_INTEGER)
    return integerText(unit > 1 ? Math.round(micros / unit) * unit : micros);
  let big = BigInt(seconds) * 1_000_000n + BigInt(fraction);
  if (unit > 1) {
    // Half up, as Math.round.
    const u = BigInt(unit);
    let q = big / u;
    let r = big % u;
    if (r < 0n) {
      r += u;
      q -= 1n;
    }
    big = (2n * r >= u ? q + 1n : q) * u;
  }
  return big.toString();
}

/**
 * The instant of the ISO shape drivers return (`2024-03-01T10:00:00`, a ` ` instead of `T`, an optional
 * fraction, then nothing, `Z` or `±hh[:mm]`), written into `INSTANT` as seconds and microseconds, read
 * character by character: the hot path of a diff. False for any other shape, which the regular
 * expression then reads.
 */
function isoInstant(text: string): boolean {
  const n = text.length;
  if (n < 19) return false;
  const century = twoDigits(text, 0);
  const yy = twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  const hour = twoDigits(text, 11);
  const minute = twoDigits(text, 14);
  const second = twoDigits(text, 17);
  const sep = text.charCodeAt(10);
  if (
    century < 0 ||
    yy < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    (sep !== T_UPPER && sep !== SPACE) ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  )
    return false;
  let i = 19;
  let fraction = 0;
  const dot = i < n ? text.charCodeAt(i) : 0;
  if (dot === DOT || dot === COMMA) {
    const start = ++i;
    while (i < n && digitAt(text, i) >= 0) i++;
    if (i === start) return false;
    const count = i - start;
    if (count <= 6) {
      for (let k = start; k < i; k++) fraction = fraction * 10 + digitAt(text, k);
      fraction *= 10 ** (6 - count);
    } else fraction = Math.round(Number(`0.${text.slice(start, i)}`) * 1e6);
  }
  let offset = 0;
  if (i < n) {
    const zone = text.charCodeAt(i);
    if ((zone === Z_UPPER || zone === Z_LOWER) && i + 1 === n) offset = 0;
    else if (zone === PLUS || zone === DASH) {
      const hours = twoDigits(text, i + 1);
      if (hours < 0) return false;
      let at = i + 3;
      if (at < n && text.charCodeAt(at) === COLON) at++;
      let minutes = 0;
      if (at < n) {
        minutes = twoDigits(text, at);
        if (minutes < 0 || at + 2 !== n) return false;
      } else if (at !== n || text.charCodeAt(n - 1) === COLON) return false;
      offset = (zone === DASH ? -1 : 1) * (hours * 3600 + minutes * 60);
    } else return false;
  }
  const year = century * 100 + yy;
  // Date.UTC reads years 0–99 as 1900–1999 and rolls months over: those texts keep its reading.
  const days =
    year >= 100 && month >= 1 && month <= 12
      ? civilDays(year, month, day)
      : Date.UTC(year, month - 1, day) / 86_400_000;
  const seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset;
  INSTANT[0] = seconds;
  INSTANT[1] = fraction;
  return true;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (month 1–12; a day past the month's end runs on),
 * by integer arithmetic on years that begin in March: a call to Date.UTC per timestamp cost more.
 */
function civilDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * The proleptic Gregorian date `days` after 1970-01-01 (the inverse of civilDays), written into `CIVIL` as
 * year, month (1–12), day: a hot path (a timestamp per row of a digest) allocates nothing.
 */
export function civilFromDays(days: number): void {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  CIVIL[0] = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  CIVIL[1] = month;
  CIVIL[2] = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
}

/** Year, month and day of the last `civilFromDays`. */
export const CIVIL = new Float64Array(3);

/**
 * Epoch microseconds (the canonical text of an instant, an integer) split into whole seconds, floored, and
 * the microseconds past them (0–999,999), written into `SPLIT`; exact beyond 2^53 (past year 2255).
 * False when the text is not an integer.
 */
export function splitMicros(text: string): boolean {
  if (!CANONICAL_INTEGER.test(text)) return false;
  const micros = Number(text);
  if (Number.isSafeInteger(micros)) {
    const seconds = Math.floor(micros / 1e6);
    SPLIT[0] = seconds;
    SPLIT[1] = micros - seconds * 1e6;
    return true;
  }
  const big = BigInt(text);
  let whole = big / 1_000_000n;
  let part = big % 1_000_000n;
  if (part < 0n) {
    part += 1_000_000n;
    whole -= 1n;
  }
  SPLIT[0] = Number(whole);
  SPLIT[1] = Number(part);
  return true;
}

/** The canonical text of an integer, and of an instant (epoch microseconds): an optional minus, digits. */
export const CANONICAL_INTEGER = /^-?\d+$/;

/** Seconds and microseconds of the last `splitMicros`. */
export const SPLIT = new Float64Array(2);

// The digit at `i` of `text`, or -1.
function digitAt(text: string, i: number): number {
  const d = text.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

// The two-digit number at `i` of `text`, or -1.
export function twoDigits(text: string, i: number): number {
  const a = digitAt(text, i);
  const b = digitAt(text, i + 1);
  return a >= 0 && b >= 0 ? a * 10 + b : -1;
}

const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const COMMA = 0x2c;
const SPACE = 0x20;
const PLUS = 0x2b;
const T_UPPER = 0x54;
const Z_UPPER = 0x5a;
const Z_LOWER = 0x7a;

/**
 * `String(n)` of an integer. A 16-digit one (every microsecond timestamp of years 2001–2286) is built in
 * one piece from its digits; others below 10^16 print as two halves of at most 8 digits, which V8 prints
 * as small integers: both several times faster than V8 prints the double such a number is.
 */
function integerText(n: number): string {
  if (n < 0) return n > -1e16 ? `-${integerText(-n)}` : String(n);
  if (n < 1e8 || n >= 1e16) return String(n);
  const high = Math.floor(n / 1e8);
  const low = n - high * 1e8;
  if (n < 1e15) return `${high}${String(1e8 + low).slice(1)}`;
  return sixteenDigits(high, low);
}

/**
 * The text of `high * 10^8 + low` (high of 8 digits, low below 10^8), as one flat string: a string joined
 * from pieces is a chain that every later read (hashing, encoding) walks several times slower.
 */
function sixteenDigits(high: number, low: number): string {
  const a = Math.floor(high / 10_000);
  const b = high - a * 10_000;
  const c = Math.floor(low / 10_000);
  const d = low - c * 10_000;
  return String.fromCharCode(
    digitCode(a, 1000),
    digitCode(a, 100),
    digitCode(a, 10),
    digitCode(a, 1),
    digitCode(b, 1000),
    digitCode(b, 100),
    digitCode(b, 10),
    digitCode(b, 1),
    digitCode(c, 1000),
    digitCode(c, 100),
    digitCode(c, 10),
    digitCode(c, 1),
    digitCode(d, 1000),
    digitCode(d, 100),
    digitCode(d, 10),
    digitCode(d, 1),
  );
}

// The character code of the digit of `group` (below 10,000) at `place` (1000, 100, 10 or 1).
function digitCode(group: number, place: number): number {
  return 48 + (((group / place) | 0) % 10);
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

const INTERVAL_TYPE = /^interval\b/i;
const INTERVAL_UNIT = /^(-?\d+) (years?|mons?|days?)$/;
const UNIT_MONTHS: Readonly<Record<string, number>> = { year: 12, years: 12, mon: 1, mons: 1 };

/**
 * A PostgreSQL interval as months, days and microseconds, the three parts it stores: the server writes
 * `10:00:00.5` for the `10:00:00.500` a MySQL TIME(3) reads as, and `1 day 02:00:00` as it was given.
 * A text in another form is compared as it is.
 */
function canonicalInterval(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  const text = asText(value).trim();
  let months = 0;
  let days = 0;
  let micros = 0;
  const parts = text.split(/ (?=[-+]?\d)/);
  for (const part of parts) {
    const unit = INTERVAL_UNIT.exec(part);
    if (unit) {
      const n = Number(unit[1]);
      const months12 = UNIT_MONTHS[unit[2]!];
      if (months12 !== undefined) months += n * months12;
      else days += n;
      continue;
    }
    const clock = timeMicros(part);
    if (Number.isNaN(clock)) return text;
    micros += clock;
  }
  return `${months}|${days}|${micros}`;
}

function canonicalBinary(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  return asText(value);
}

// A string is a JSON string document (drivers parse JSON columns): `"{\"a\":1}"` is not `{"a":1}`, which a
// text mapped into the column arrives as (`JsonText`).
function canonicalJson(value: Value | undefined): string {
  if (value === null || value === undefined) return NULL_TEXT;
  return stableJson(value);
}

/**
 * JSON with object keys sorted at every level, so that deep-equal values give the same text; numbers in
 * their exact canonical form (`canonicalJsonNumber`), and a JSON document's text (`JsonText`) read with its
 * numbers as written, so that `12345678901234567891` and `…890` differ and `2.50` equals `2.5`.
 */
export function stableJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof JsonText) return stableJsonText(value.text);
  if (value instanceof JsonNumber) return canonicalJsonNumber(value.text);
  if (typeof value === 'bigint') return canonicalJsonNumber(value.toString());
  if (typeof value === 'number') return Number.isFinite(value) ? canonicalJsonNumber(String(value)) : 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const key of keys)
    parts.push(`${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
  return `{${parts.join(',')}}`;
}

/** A JSON value's text as `stableJson` writes the value, its numbers exact (no double in between). */
export function stableJsonText(text: string): string {
  // A column's text that is not JSON is compared as that text.
  if (!isJsonText(text)) return JSON.stringify(text);
  return stableJson(parseJsonExact(text));
}
