/** Reads frequency keys as numbers: numbers as they are, decimal text, and dates/timestamps as days since 1970-01-01. */
import type { LogicalType } from '../core/inventory.ts';
import type { ProfileValue } from '../core/profile.ts';
import { isValidDate } from './type-inference-classify.ts';

const DAY_MS = 86_400_000;
/** 400 Gregorian years, a whole number of days: `Date.UTC` reads years 0–99 as 1900–1999, years 400–499 as they are. */
const FOUR_CENTURIES_MS = 146_097 * DAY_MS;

/** True for the types whose values get a numeric summary. */
export function isNumericType(type: LogicalType): boolean {
  return (
    type === 'integer' || type === 'float' || type === 'decimal' || type === 'date' || type === 'timestamp'
  );
}

/** The value of the ASCII digits from `from` to `to`, or -1 when one of them is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Milliseconds since 1970 of `YYYY-MM-DD` at the start of `key` and the time `hours:minutes:seconds`, or NaN
 * when the text is not such a date or names no calendar day (an SQLite DATE column may hold `15/02/2024` or
 * `2024-02-30`, which are no dates, not 1489 or 1 March).
 */
function isoInstant(key: string, hours: number, minutes: number, seconds: number): number {
  if (key.charCodeAt(4) !== 45 || key.charCodeAt(7) !== 45) return Number.NaN;
  const year = digits(key, 0, 4);
  const month = digits(key, 5, 7);
  const day = digits(key, 8, 10);
  if (year < 0 || !isValidDate(year, month, day)) return Number.NaN;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || seconds < 0 || seconds > 59)
    return Number.NaN;
  return utc(year, month - 1, day, hours, minutes, seconds);
}

/** Milliseconds since 1970 of a UTC date and time, years 0–99 included. */
function utc(year: number, month: number, day: number, hours = 0, minutes = 0, seconds = 0): number {
  return year < 100
    ? Date.UTC(year + 400, month, day, hours, minutes, seconds) - FOUR_CENTURIES_MS
    : Date.UTC(year, month, day, hours, minutes, seconds);
}

/**
 * The number a key stands for in a column of `type`, or NaN: dates and timestamps count days since
 * 1970-01-01 (a naive timestamp is read as UTC, so every backend agrees).
 */
export function numericValue(key: ProfileValue, type: LogicalType): number {
  if (typeof key === 'number') return key;
  if (typeof key !== 'string') return Number.NaN;
  if (type === 'date' && key.length === 10) return isoInstant(key, 0, 0, 0) / DAY_MS;
  if (type === 'timestamp') {
    // `YYYY-MM-DDTHH:MM:SS`, the usual naive key, read without a parse (as Date.parse reads it, in UTC).
    if (key.length === 19 && key.charCodeAt(10) === 84) {
      if (key.charCodeAt(13) !== 58 || key.charCodeAt(16) !== 58) return Number.NaN;
      return isoInstant(key, digits(key, 11, 13), digits(key, 14, 16), digits(key, 17, 19)) / DAY_MS;
    }
    const zoned = key.endsWith('Z') || /[+-]\d{2}:?\d{2}$/.test(key.slice(19));
    return Date.parse(zoned ? key : `${key}Z`) / DAY_MS;
  }
  if (type === 'date') return Date.parse(`${key}T00:00:00Z`) / DAY_MS;
  return Number(key);
}
