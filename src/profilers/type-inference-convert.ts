/**
 * Converts raw values (CSV text, sheet cells) to contract values for the type inference decided:
 * integers as numbers (bigint past 2^53), decimals as strings with a `.`, dates as `YYYY-MM-DD`,
 * timestamps as ISO strings (naive ones without a zone, zoned ones in UTC with `Z`).
 */
import type { LogicalType } from '../core/inventory.ts';
import {
  booleanWord,
  VALUE_CLASS as C,
  type DateOrder,
  DMY_DATE,
  DMY_TIMESTAMP,
  ISO_DATE,
  ISO_TIMESTAMP,
  isValidDate,
} from './type-inference-classify.ts';

/** Returned by `convertValue` when a value does not fit the column's type. */
export const INVALID: unique symbol = Symbol('invalid');

/** What `convertValue` needs to know about a column. */
export interface ConversionPlan {
  readonly type: LogicalType;
  readonly decimalSeparator: ',' | '.';
  readonly dateOrder: DateOrder;
}

/** A contract value, or INVALID. */
export type Converted = string | number | bigint | boolean | null | typeof INVALID;

const GROUPING = /[ \u00a0\u202f]/g;
const DOTS = /\./g;
const COMMAS = /,/g;
const EDGE_SPACES = /^[\u00a0\u202f]+|[\u00a0\u202f]+$/g;

/** True for an empty or whitespace-only value, which every column reads as null. */
function isBlank(value: string): boolean {
  if (value.length === 0) return true;
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  if (first > 32 && first !== 160 && first !== 0x202f && last > 32 && last !== 160 && last !== 0x202f)
    return false;
  return value.replace(EDGE_SPACES, '').trim() === '';
}

/** Converts one raw value to the column's logical type; blank values become null. */
export function convertValue(value: unknown, plan: ConversionPlan): Converted {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    if (plan.type === 'string') return isBlank(value) ? null : value;
    // Printable ASCII at both ends (the usual case) means there is nothing to trim: skip the regex.
    const text = hasPlainEdges(value) ? value : value.trim().replace(EDGE_SPACES, '');
    return text === '' ? null : convertText(text, plan);
  }
  if (typeof value === 'number') return convertNumber(value, plan.type);
  if (typeof value === 'boolean') {
    if (plan.type === 'boolean') return value;
    return plan.type === 'string' ? String(value) : INVALID;
  }
  if (value instanceof Date) return convertDate(value, plan.type);
  if (typeof value === 'bigint')
    return plan.type === 'integer' ? value : plan.type === 'string' ? String(value) : INVALID;
  return plan.type === 'string' ? String(value) : INVALID;
}

/**
 * `convertValue` of a text whose `classifyText` class is known (the scan has just counted it): the
 * shapes the class vouches for skip the checks `convertValue` would repeat; other texts convert as
 * `convertValue` converts them.
 */
export function convertClassified(text: string, valueClass: number, plan: ConversionPlan): Converted {
  switch (plan.type) {
    case 'integer':
      // Digits alone (a sign at most, no blank to trim): under 16 characters, a safe integer.
      if (
        (valueClass === C.DIGITS ||
          valueClass === C.ZERO_ONE ||
          valueClass === C.SIGNED_INT ||
          valueClass === C.DATE_COMPACT) &&
        text.length < 16 &&
        hasPlainEdges(text)
      )
        return smallInteger(text);
      break;
    case 'date':
      // A valid `yyyy-mm-dd` with nothing around it.
      if (valueClass === C.DATE_ISO && text.length === 10) return text;
      break;
    case 'timestamp':
      // A valid `yyyy-mm-ddThh:mm:ss` with nothing around it (no zone: both colons in place).
      if (
        valueClass === C.TIMESTAMP_ISO &&
        text.length === 19 &&
        text.charCodeAt(10) === 84 &&
        text.charCodeAt(13) === 58 &&
        text.charCodeAt(16) === 58
      )
        return text;
      break;
  }
  return convertValue(text, plan);
}

/** `Number(text)` of a sign at most and fewer than 16 digits (exact: below 2^53), without a native call. */
function smallInteger(text: string): number {
  const first = text.charCodeAt(0);
  let value = 0;
  for (let i = first === 45 || first === 43 ? 1 : 0; i < text.length; i++)
    value = value * 10 + (text.charCodeAt(i) - 48);
  return first === 45 ? -value : value;
}

function convertText(text: string, plan: ConversionPlan): Converted {
  switch (plan.type) {
    case 'integer': {
      if (isPlainNumber(text, 0)) {
        const number = Number(text);
        if (Number.isSafeInteger(number)) return number;
      }
      const digits = stripGroups(text, plan.decimalSeparator);
      if (!/^[-+]?\d+$/.test(digits)) return INVALID;
      const number = Number(digits);
      return Number.isSafeInteger(number) ? number : BigInt(digits);
    }
    case 'decimal':
    case 'float': {
      if (isPlainNumber(text, plan.decimalSeparator === '.' ? 46 : 44)) {
        const dotted = plan.decimalSeparator === '.' ? text : text.replace(',', '.');
        return dotted.charCodeAt(0) === 43 ? dotted.slice(1) : dotted;
      }
      let digits = stripGroups(text, plan.decimalSeparator);
      if (plan.decimalSeparator === ',') digits = digits.replace(',', '.');
      if (!/^[-+]?\d+(?:\.\d+)?$/.test(digits)) return INVALID;
      return digits.charCodeAt(0) === 43 ? digits.slice(1) : digits;
    }
    case 'boolean': {
      if (text === '1') return true;
      if (text === '0') return false;
      return booleanWord(text) ?? INVALID;
    }
    case 'date':
      return isIsoDate(text) ? text : (parseDate(text, plan.dateOrder) ?? INVALID);
    case 'timestamp': {
      if (text.length === 19 && text.charCodeAt(10) === 84 && isIsoDateAt(text, 0) && isIsoTime(text, 11))
        return text;
      const date = parseDate(text, plan.dateOrder);
      return date === undefined ? (parseTimestamp(text, plan.dateOrder) ?? INVALID) : `${date}T00:00:00`;
    }
    default:
      return text;
  }
}

/** Digits with an optional sign and at most one `separator` (0 for none) between digits. */
function isPlainNumber(text: string, separator: number): boolean {
  let i = text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43 ? 1 : 0;
  let digits = 0;
  let separators = 0;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) digits++;
    else if (code === separator && separators === 0 && digits > 0 && i + 1 < text.length) separators++;
    else return false;
  }
  return digits > 0;
}

function isIsoDate(text: string): boolean {
  return text.length === 10 && isIsoDateAt(text, 0);
}

/** `yyyy-mm-dd` at `at` (ten characters), a real calendar day; read from char codes, no regex or slice. */
function isIsoDateAt(text: string, at: number): boolean {
  if (text.charCodeAt(at + 4) !== 45 || text.charCodeAt(at + 7) !== 45) return false;
  const year = digitsAt(text, at, 4);
  const month = digitsAt(text, at + 5, 2);
  const day = digitsAt(text, at + 8, 2);
  return year >= 0 && month >= 0 && day >= 0 && isValidDate(year, month, day);
}

/** The value of `count` ASCII digits at `at`, or -1 when one of them is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** True when the first and last characters are printable ASCII, so trimming would change nothing. */
function hasPlainEdges(value: string): boolean {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return first > 32 && first < 127 && last > 32 && last < 127;
}

function isIsoTime(text: string, at: number): boolean {
  if (text.charCodeAt(at + 2) !== 58 || text.charCodeAt(at + 5) !== 58) return false;
  const hours = digitsAt(text, at, 2);
  const minutes = digitsAt(text, at + 3, 2);
  const seconds = digitsAt(text, at + 6, 2);
  // Two digits each (the usual case) are checked without slicing; other text keeps the Number() reading.
  if (hours >= 0 && minutes >= 0 && seconds >= 0) return hours < 24 && minutes < 60 && seconds < 60;
  const h = Number(text.slice(at, at + 2));
  const m = Number(text.slice(at + 3, at + 5));
  const s = Number(text.slice(at + 6, at + 8));
  return h < 24 && m < 60 && s < 60;
}

function stripGroups(text: string, decimalSeparator: ',' | '.'): string {
  const grouped = text.replace(GROUPING, '');
  return grouped.replace(decimalSeparator === ',' ? DOTS : COMMAS, '');
}

function convertNumber(value: number, type: LogicalType): Converted {
  switch (type) {
    case 'integer':
      return Number.isInteger(value) ? value : INVALID;
    case 'decimal':
    case 'float':
      return Number.isFinite(value) ? String(value) : INVALID;
    case 'boolean':
      return value === 1 ? true : value === 0 ? false : INVALID;
    case 'string':
      return String(value);
    default:
      return INVALID;
  }
}

function convertDate(value: Date, type: LogicalType): Converted {
  if (Number.isNaN(value.getTime())) return INVALID;
  const iso = value.toISOString();
  if (type === 'date') return value.getTime() % 86_400_000 === 0 ? iso.slice(0, 10) : INVALID;
  if (type === 'timestamp' || type === 'string') return naiveTimestamp(iso, type);
  return INVALID;
}

/** `2024-01-31T00:00:00.000Z` → `2024-01-31T00:00:00` (a text column shows a midnight as a date). */
function naiveTimestamp(iso: string, type: LogicalType): string {
  if (type === 'string' && iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
}

function pad2(text: string): string {
  return text.length === 1 ? `0${text}` : text;
}

/** Parses the date layouts inference accepts; undefined when the text is not one of them. */
export function parseDate(text: string, order: DateOrder): string | undefined {
  let match = ISO_DATE.exec(text);
  if (match) return isValidDate(Number(match[1]), Number(match[2]), Number(match[3])) ? text : undefined;
  match = DMY_DATE.exec(text);
  if (match) {
    const [day, month] = order === 'dmy' ? [match[1]!, match[3]!] : [match[3]!, match[1]!];
    if (!isValidDate(Number(match[4]), Number(month), Number(day))) return undefined;
    return `${match[4]}-${pad2(month)}-${pad2(day)}`;
  }
  if (text.length === 8 && /^\d{8}$/.test(text)) {
    const [y, m, d] = [text.slice(0, 4), text.slice(4, 6), text.slice(6, 8)];
    return isValidDate(Number(y), Number(m), Number(d)) ? `${y}-${m}-${d}` : undefined;
  }
  return undefined;
}

/** Parses the timestamp layouts inference accepts; zoned values are returned in UTC. */
export function parseTimestamp(text: string, order: DateOrder): string | undefined {
  let match = ISO_TIMESTAMP.exec(text);
  if (match) {
    const [, y, mo, d, h, mi, s = '00', fraction, zone] = match;
    // Every digit of the fraction is kept (microseconds and beyond): a target that keeps fewer rejects or
    // rounds the value as the mapping says, nothing is cut here.
    const naive = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
    const digits = fraction === undefined ? '' : `.${fraction.padEnd(3, '0')}`;
    if (zone === undefined) return naive + digits;
    const offset =
      zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
    // The zone moves whole seconds only: the instant in UTC to the second, then the fraction as written.
    const date = new Date(naive + offset);
    return Number.isNaN(date.getTime())
      ? undefined
      : `${date.toISOString().slice(0, 19)}${digits || '.000'}Z`;
  }
  match = DMY_TIMESTAMP.exec(text);
  if (match) {
    const [day, month] = order === 'dmy' ? [match[1]!, match[3]!] : [match[3]!, match[1]!];
    if (!isValidDate(Number(match[4]), Number(month), Number(day))) return undefined;
    return `${match[4]}-${pad2(month)}-${pad2(day)}T${pad2(match[5]!)}:${match[6]}:${match[7] ?? '00'}`;
  }
  return undefined;
}
