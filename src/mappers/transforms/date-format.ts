/**
 * Date formats compiled once into parsers. Formats of numeric tokens (`yyyy MM M dd d HH H mm ss SSS`)
 * get a hand-written parser that checks the calendar strictly (31/02 is no date); any other token
 * (`MMM`, `EEEE`, `yy`…) is parsed by luxon's `fromFormat`, which is also strict but about 10 times slower.
 * `iso` names ISO 8601 dates and date-times with an optional offset; `excel` and `excel1904` name a
 * spreadsheet's serial day numbers (`45292`, `45292,5`), as a CSV export of a workbook often writes dates.
 */
import { DateTime } from 'luxon';
import { excelSerialToDate, isCalendarSerial } from '../../connectors/xlsx/xlsx-reader.ts';
import { TransformArgumentError } from './transform-types.ts';

/** What a parse yields; one object per step, overwritten by every parse. */
export interface DateFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** The offset written in the value, in minutes east of UTC; NaN when the value has none. */
  offset: number;
  /** The instant, when luxon parsed the value in the step's zone; NaN otherwise. */
  instant: number;
  /**
   * The fraction digits past the millisecond (`456` of `.123456`), trailing zeros dropped: dates compute
   * in milliseconds, and these are written back after them, so microseconds cross a zone change exactly.
   */
  subMillisecond: string;
}

/** Parses `text` into `fields`; false when the text does not match or names no real day or time. */
export type DateParser = (text: string, fields: DateFields) => boolean;

/** A fresh DateFields. */
export function newDateFields(): DateFields {
  return {
    year: 0,
    month: 0,
    day: 0,
    hour: 0,
    minute: 0,
    second: 0,
    millisecond: 0,
    offset: Number.NaN,
    instant: Number.NaN,
    subMillisecond: '',
  };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for a real calendar day (proleptic Gregorian, years 1–9999). */
export function isRealDay(year: number, month: number, day: number): boolean {
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return false;
  if (month === 2 && day === 29) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1]!;
}

function isRealTime(fields: DateFields): boolean {
  return fields.hour < 24 && fields.minute < 60 && fields.second < 60;
}

type Token =
  | { kind: 'literal'; text: string }
  | {
      kind: 'field';
      field: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond';
      min: number;
      max: number;
    };

const NUMERIC_TOKENS: Readonly<Record<string, Token>> = {
  yyyy: { kind: 'field', field: 'year', min: 4, max: 4 },
  MM: { kind: 'field', field: 'month', min: 2, max: 2 },
  M: { kind: 'field', field: 'month', min: 1, max: 2 },
  dd: { kind: 'field', field: 'day', min: 2, max: 2 },
  d: { kind: 'field', field: 'day', min: 1, max: 2 },
  HH: { kind: 'field', field: 'hour', min: 2, max: 2 },
  H: { kind: 'field', field: 'hour', min: 1, max: 2 },
  mm: { kind: 'field', field: 'minute', min: 2, max: 2 },
  ss: { kind: 'field', field: 'second', min: 2, max: 2 },
  SSS: { kind: 'field', field: 'millisecond', min: 3, max: 3 },
};

/** Splits a format into tokens; undefined when a token is not one of the numeric ones. */
function tokenize(format: string): Token[] | undefined {
  const tokens: Token[] = [];
  let i = 0;
  while (i < format.length) {
    const c = format[i]!;
    if (c === "'") {
      const end = format.indexOf("'", i + 1);
      if (end === -1) return undefined;
      tokens.push({ kind: 'literal', text: end === i + 1 ? "'" : format.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (j < format.length && format[j] === c) j++;
      const token = NUMERIC_TOKENS[format.slice(i, j)];
      if (!token) return undefined;
      tokens.push(token);
      i = j;
    } else {
      tokens.push({ kind: 'literal', text: c });
      i++;
    }
  }
  return tokens;
}

function numericParser(tokens: readonly Token[]): DateParser {
  return (text, fields) => {
    fields.hour = 0;
    fields.minute = 0;
    fields.second = 0;
    fields.millisecond = 0;
    fields.offset = Number.NaN;
    fields.instant = Number.NaN;
    let at = 0;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t]!;
      if (token.kind === 'literal') {
        if (!text.startsWith(token.text, at)) return false;
        at += token.text.length;
        continue;
      }
      let value = 0;
      let n = 0;
      while (n < token.max && at < text.length) {
        const digit = text.charCodeAt(at) - 48;
        if (digit < 0 || digit > 9) break;
        value = value * 10 + digit;
        at++;
        n++;
      }
      if (n < token.min) return false;
      fields[token.field] = value;
    }
    return at === text.length && isRealDay(fields.year, fields.month, fields.day) && isRealTime(fields);
  };
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** ISO 8601: `2024-03-12`, `2024-03-12T14:05`, `2024-03-12 14:05:09.123+01:00`, `…Z`. */
const isoParser: DateParser = (text, fields) => {
  const m = ISO.exec(text);
  if (!m) return false;
  fields.year = Number(m[1]);
  fields.month = Number(m[2]);
  fields.day = Number(m[3]);
  fields.hour = m[4] === undefined ? 0 : Number(m[4]);
  fields.minute = m[5] === undefined ? 0 : Number(m[5]);
  fields.second = m[6] === undefined ? 0 : Number(m[6]);
  const fraction = m[7] ?? '';
  fields.millisecond = fraction === '' ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  fields.subMillisecond = fraction.slice(3).replace(/0+$/, '');
  fields.instant = Number.NaN;
  const zone = m[8];
  if (zone === undefined) fields.offset = Number.NaN;
  else if (zone === 'Z') fields.offset = 0;
  else {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    fields.offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  return isRealDay(fields.year, fields.month, fields.day) && isRealTime(fields);
};

function luxonParser(format: string, zone: string, locale: string): DateParser {
  // A format that reads an offset or a zone (`ZZ`, `z`) gives the instant itself. Otherwise the text is
  // read as a wall-clock time (in UTC, which skips no hour) and the step's zone places it, as it places the
  // digit formats': in a zone, luxon would move a time the clocks skip (31/03/24 02:30 in Europe/Paris)
  // forward instead of refusing it.
  const bare = format.replace(/'[^']*'/g, '');
  const zoned = /(^|[^'])[Zz]/.test(bare);
  // A two-digit year reads as 1961–2060 (luxon's rule): a longer number where `yy` stands (`01/01/202`)
  // would be taken as that year (0202), so it is refused.
  const twoDigitYear = /(^|[^y])yy([^y]|$)/.test(bare);
  // luxon reads an hour of 24 (`24:00`) as the next day's midnight; the digit formats refuse it.
  const hours = /H/.test(bare);
  const options = { zone: zoned ? zone : 'UTC', locale };
  return (text, fields) => {
    const parsed = DateTime.fromFormat(text, format, options);
    if (!parsed.isValid) return false;
    if (twoDigitYear && (parsed.year < 1961 || parsed.year > 2060)) return false;
    if (hours && /(^|\D)24:\d\d/.test(text)) return false;
    fields.year = parsed.year;
    fields.month = parsed.month;
    fields.day = parsed.day;
    fields.hour = parsed.hour;
    fields.minute = parsed.minute;
    fields.second = parsed.second;
    fields.millisecond = parsed.millisecond;
    fields.offset = Number.NaN;
    fields.instant = zoned ? parsed.toMillis() : Number.NaN;
    return true;
  };
}

/** The formats that read numbers: a value of a number column is given to them as its text. */
export const SERIAL_FORMATS: ReadonlySet<string> = new Set(['excel', 'excel1904']);

/**
 * A serial day number of a workbook (1900 or 1904 system), with its fraction of a day, read as a wall-clock
 * date and time (a spreadsheet has no zone). 60 in the 1900 system is the 29 February 1900 that never was.
 */
function serialParser(date1904: boolean): DateParser {
  return (text, fields) => {
    if (!/^\d{1,7}(?:[.,]\d+)?$/.test(text)) return false;
    const serial = Number(text.replace(',', '.'));
    if (!isCalendarSerial(serial, date1904)) return false;
    const wall = excelSerialToDate(serial, date1904);
    fields.year = wall.getUTCFullYear();
    fields.month = wall.getUTCMonth() + 1;
    fields.day = wall.getUTCDate();
    fields.hour = wall.getUTCHours();
    fields.minute = wall.getUTCMinutes();
    fields.second = wall.getUTCSeconds();
    fields.millisecond = wall.getUTCMilliseconds();
    fields.offset = Number.NaN;
    fields.instant = Number.NaN;
    return isRealDay(fields.year, fields.month, fields.day);
  };
}

/** Compiles one format; throws TransformArgumentError when it cannot name a day. */
export function compileDateFormat(format: string, zone: string, locale: string): DateParser {
  if (format === 'iso') return isoParser;
  if (SERIAL_FORMATS.has(format)) return serialParser(format === 'excel1904');
  const letters = format.replace(/'[^']*'/g, '');
  if (!/y/.test(letters) || !/[ML]/.test(letters) || !/d/.test(letters)) {
    throw new TransformArgumentError(`format "${format}" needs a year (yyyy), a month (MM) and a day (dd)`);
  }
  const tokens = tokenize(format);
  return tokens ? numericParser(tokens) : luxonParser(format, zone, locale);
}
