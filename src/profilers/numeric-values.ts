/** Reads frequency keys as numbers: numbers as they are, decimal text, and dates/timestamps as days since 1970-01-01. */
import type { LogicalType } from '../core/inventory.ts';
import type { ProfileValue } from '../core/profile.ts';

const DAY_MS = 86_400_000;

/** True for the types whose values get a numeric summary. */
export function isNumericType(type: LogicalType): boolean {
  return (
    type === 'integer' || type === 'float' || type === 'decimal' || type === 'date' || type === 'timestamp'
  );
}

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

/**
 * The number a key stands for in a column of `type`, or NaN: dates and timestamps count days since
 * 1970-01-01 (a naive timestamp is read as UTC, so every backend agrees).
 */
export function numericValue(key: ProfileValue, type: LogicalType): number {
  if (typeof key === 'number') return key;
  if (typeof key !== 'string') return Number.NaN;
  if (type === 'date' && key.length === 10) {
    return Date.UTC(digits(key, 0, 4), digits(key, 5, 7) - 1, digits(key, 8, 10)) / DAY_MS;
  }
  if (type === 'timestamp') {
    // `YYYY-MM-DDTHH:MM:SS`, the usual naive key, read without a parse (as Date.parse reads it, in UTC).
    if (key.length === 19 && key.charCodeAt(10) === 84) {
      const time = Date.UTC(
        digits(key, 0, 4),
        digits(key, 5, 7) - 1,
        digits(key, 8, 10),
        digits(key, 11, 13),
        digits(key, 14, 16),
        digits(key, 17, 19),
      );
      return time / DAY_MS;
    }
    const zoned = key.endsWith('Z') || /[+-]\d{2}:?\d{2}$/.test(key.slice(19));
    return Date.parse(zoned ? key : `${key}Z`) / DAY_MS;
  }
  if (type === 'date') return Date.parse(`${key}T00:00:00Z`) / DAY_MS;
  return Number(key);
}
