/**
 * Recognises date and timestamp layouts with a valid calendar day; our own checks because the date
 * libraries parse leniently (`31/02` rolls over) where a profile must count it as wrong.
 */
import { isValidDate } from '../type-inference-classify.ts';

const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

/** `dd?mm?yyyy` with `separator` at positions 2 and 5, a real day. */
function isDayMonthYear(text: string, separator: number): boolean {
  if (text.length !== 10 || text.charCodeAt(2) !== separator || text.charCodeAt(5) !== separator)
    return false;
  const day = digits(text, 0, 2);
  const month = digits(text, 3, 5);
  const year = digits(text, 6, 10);
  return day >= 0 && month >= 0 && year >= 0 && isValidDate(year, month, day);
}

/** True for `yyyy-mm-dd` naming a real day. */
export function isIsoDateFormat(text: string): boolean {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  return year >= 0 && month >= 0 && day >= 0 && isValidDate(year, month, day);
}

/** True for `dd/mm/yyyy` naming a real day (day first, as French exports write it). */
export function isDmyDateFormat(text: string): boolean {
  return isDayMonthYear(text, 47);
}

/** True for `dd.mm.yyyy` naming a real day. */
export function isDmyDotDateFormat(text: string): boolean {
  return isDayMonthYear(text, 46);
}

/** True for `yyyymmdd` naming a real day between 1900 and 2199 (other 8-digit numbers are not dates). */
export function isCompactDateFormat(text: string): boolean {
  if (text.length !== 8) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 4, 6);
  const day = digits(text, 6, 8);
  return year >= 1900 && year <= 2199 && month >= 0 && day >= 0 && isValidDate(year, month, day);
}

/** True for an ISO 8601 date-time (`T` or space, optional seconds, fraction and zone) at a real day and time. */
export function isIsoDateTimeFormat(text: string): boolean {
  if (text.length < 16 || text.charCodeAt(4) !== 45) return false;
  const match = ISO_DATETIME.exec(text);
  if (!match) return false;
  const hours = Number(match[4]);
  const minutes = Number(match[5]);
  const seconds = match[6] === undefined ? 0 : Number(match[6]);
  return (
    isValidDate(Number(match[1]), Number(match[2]), Number(match[3])) &&
    hours < 24 &&
    minutes < 60 &&
    seconds < 60
  );
}
