/**
 * Recognises date and timestamp layouts with a valid calendar day; our own checks because the date
 * libraries parse leniently (`31/02` rolls over) where a profile must count it as wrong.
 */
import { isValidDate } from '../type-inference-classify.ts';

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

/**
 * True for an ISO 8601 date-time at a real day and time: `yyyy-mm-dd`, `T` or a space, `hh:mm`, optional
 * `:ss` with an optional fraction of 1 to 9 digits (`.` or `,`), and an optional zone (`Z`, `±hh`,
 * `±hhmm`, `±hh:mm`). Read character by character: every timestamp a migration writes is checked.
 */
export function isIsoDateTimeFormat(text: string): boolean {
  const n = text.length;
  if (n < 16 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58)
    return false;
  const separator = text.charCodeAt(10);
  if (separator !== 84 && separator !== 32) return false;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hours = digits(text, 11, 13);
  const minutes = digits(text, 14, 16);
  if (year < 0 || month < 0 || day < 0 || hours < 0 || minutes < 0) return false;
  let i = 16;
  let seconds = 0;
  if (i < n && text.charCodeAt(i) === 58) {
    if (i + 3 > n) return false;
    seconds = digits(text, i + 1, i + 3);
    if (seconds < 0) return false;
    i += 3;
    const mark = text.charCodeAt(i);
    if (i < n && (mark === 46 || mark === 44)) {
      let end = i + 1;
      while (end < n && isDigit(text.charCodeAt(end))) end++;
      if (end === i + 1 || end - i - 1 > 9) return false;
      i = end;
    }
  }
  if (i < n) {
    const zone = text.charCodeAt(i);
    if (zone === 90) i++;
    else if (zone === 43 || zone === 45) {
      if (i + 3 > n || digits(text, i + 1, i + 3) < 0) return false;
      i += 3;
      if (i < n) {
        if (text.charCodeAt(i) === 58) i++;
        if (i + 2 > n || digits(text, i, i + 2) < 0) return false;
        i += 2;
      }
    } else return false;
  }
  return i === n && hours < 24 && minutes < 60 && seconds < 60 && isValidDate(year, month, day);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
