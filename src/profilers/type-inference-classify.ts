/**
 * Classifies one raw value (a CSV field, a sheet cell) into a value class, without allocating for
 * the common cases: the class says which logical types the value could belong to, and the
 * accumulator in `type-inference.ts` decides the column's type from the counts.
 */

/** The classes a single value falls into; numbers index the accumulator's count array. */
export const VALUE_CLASS = {
  /** Empty or blank. */
  EMPTY: 0,
  /** Anything that is nothing else. */
  TEXT: 1,
  /** true/false, yes/no, oui/non, vrai/faux, in any case. */
  BOOL_WORD: 2,
  /** Exactly `0` or `1`: an integer, or a boolean when the column has other boolean evidence. */
  ZERO_ONE: 3,
  /** Unsigned digits without a leading zero: `42`, `1999`. */
  DIGITS: 4,
  /** A signed integer: `-42`, `+7`. */
  SIGNED_INT: 5,
  /** Digits with a leading zero (`01000`) or a Corsican INSEE code (`2A004`): always text. */
  CODE: 6,
  /** An integer grouped by spaces, NBSP or narrow NBSP: `1 234 567`. */
  SPACE_GROUPED_INT: 7,
  /** An integer grouped by dots, unambiguous: `1.234.567`. */
  DOT_GROUPED_INT: 8,
  /** An integer grouped by commas, unambiguous: `1,234,567`. */
  COMMA_GROUPED_INT: 9,
  /** `1.234`: a dot decimal, or an integer grouped by dots. */
  DOT_AMBIGUOUS: 10,
  /** `1,234`: a comma decimal, or an integer grouped by commas. */
  COMMA_AMBIGUOUS: 11,
  /** A decimal with a dot: `12.5`, `1 234.56`, `1,234.56`. */
  DOT_DECIMAL: 12,
  /** A decimal with a comma: `12,5`, `1 234,56`, `1.234,56`. */
  COMMA_DECIMAL: 13,
  /** `2024-01-31`. */
  DATE_ISO: 14,
  /** `31/01/2024`, `31.01.2024`, `31-01-2024` (or month first when so configured). */
  DATE_DMY: 15,
  /** `20240131`, a valid date between 1900 and 2199 (also counted as digits). */
  DATE_COMPACT: 16,
  /** `2024-01-31T10:20`, `2024-01-31 10:20:30.5Z`. */
  TIMESTAMP_ISO: 17,
  /** `31/01/2024 10:20`, `31/01/2024 10:20:30`. */
  TIMESTAMP_DMY: 18,
  /** A number from a typed source (a spreadsheet cell) with no fractional part. */
  NATIVE_INT: 19,
  /** A number from a typed source with a fractional part. */
  NATIVE_DECIMAL: 20,
  /** A boolean from a typed source. */
  NATIVE_BOOL: 21,
  /** A date-formatted cell at midnight. */
  NATIVE_DATE: 22,
  /** A date-formatted cell with a time of day. */
  NATIVE_TIMESTAMP: 23,
} as const;

/** How many value classes exist (the length of a count array). */
export const VALUE_CLASS_COUNT = 24;

/** Whether `dd/mm/yyyy` or `mm/dd/yyyy` is meant by a slashed date. */
export type DateOrder = 'dmy' | 'mdy';

const C = VALUE_CLASS;

// A grouped number never starts with 0 (a group is never `012`): `012 345 678` or `01 000` is a code written
// in groups (a SIREN, a postal code), and reading it as a number would drop the zero.
const SPACE_GROUPED = /^[-+]?[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+$/;
const DOT_AMBIGUOUS = /^[-+]?[1-9]\d{0,2}\.\d{3}$/;
const COMMA_AMBIGUOUS = /^[-+]?[1-9]\d{0,2},\d{3}$/;
const DOT_GROUPED = /^[-+]?[1-9]\d{0,2}(?:\.\d{3}){2,}$/;
const COMMA_GROUPED = /^[-+]?[1-9]\d{0,2}(?:,\d{3}){2,}$/;
const DOT_DECIMAL = /^[-+]?(?:\d+|[1-9]\d{0,2}(?:[ \u00a0\u202f,]\d{3})+)\.\d+$/;
const COMMA_DECIMAL = /^[-+]?(?:\d+|[1-9]\d{0,2}(?:[ \u00a0\u202f.]\d{3})+),\d+$/;
/** `yyyy-mm-dd`. */
export const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** `dd/mm/yyyy` with `/`, `.` or `-`. */
export const DMY_DATE = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$/;
/** An ISO timestamp, `T` or space, optional seconds, fraction and zone. */
export const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;
/** `dd/mm/yyyy hh:mm[:ss]`. */
export const DMY_TIMESTAMP = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const INSEE_CORSICA = /^2[AaBb]\d{3}$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when year, month and day name a real calendar day. */
export function isValidDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]!) return false;
  if (month === 2 && day === 29) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return true;
}

/** True when `hh:mm[:ss]` are within a day. */
function isValidTime(hours: string, minutes: string, seconds: string | undefined): boolean {
  return Number(hours) < 24 && Number(minutes) < 60 && (seconds === undefined || Number(seconds) < 60);
}

function isBlank(code: number): boolean {
  return code === 32 || code === 9 || code === 160 || code === 0x202f;
}

/** True for the boolean words, compared without case: true/false, yes/no, oui/non, vrai/faux. */
export function booleanWord(text: string): boolean | undefined {
  switch (text.toLowerCase()) {
    case 'true':
    case 'yes':
    case 'oui':
    case 'vrai':
      return true;
    case 'false':
    case 'no':
    case 'non':
    case 'faux':
      return false;
    default:
      return undefined;
  }
}

/** Classifies a raw text value; `dateOrder` says how to read `01/02/2024`. */
export function classifyText(raw: string, dateOrder: DateOrder = 'dmy'): number {
  let start = 0;
  let end = raw.length;
  while (start < end && isBlank(raw.charCodeAt(start))) start++;
  while (end > start && isBlank(raw.charCodeAt(end - 1))) end--;
  if (start === end) return C.EMPTY;
  const first = raw.charCodeAt(start);
  const firstIsDigit = first >= 48 && first <= 57;
  // Fast path: a value starting with a letter is text unless it is a short boolean word.
  if (!firstIsDigit && first !== 45 && first !== 43) {
    if (
      end - start <= 5 &&
      booleanWord(start === 0 && end === raw.length ? raw : raw.slice(start, end)) !== undefined
    ) {
      return C.BOOL_WORD;
    }
    return C.TEXT;
  }
  // Count digits from the first non-sign character; a pure digit run is the common case.
  const signed = !firstIsDigit;
  let i = signed ? start + 1 : start;
  const digitsFrom = i;
  while (i < end) {
    const code = raw.charCodeAt(i);
    if (code < 48 || code > 57) break;
    i++;
  }
  const digitCount = i - digitsFrom;
  if (digitCount === 0) return C.TEXT;
  if (i === end) {
    const leadingZero = raw.charCodeAt(digitsFrom) === 48 && digitCount > 1;
    // `+33612345678`: a plus before eight digits or more is an international phone number (E.164), not a number.
    if (signed) return leadingZero || (first === 43 && digitCount >= 8) ? C.TEXT : C.SIGNED_INT;
    if (leadingZero) return C.CODE;
    if (digitCount === 1 && (first === 48 || first === 49)) return C.ZERO_ONE;
    if (digitCount === 8 && isCompactDate(raw, start)) return C.DATE_COMPACT;
    return C.DIGITS;
  }
  const separator = raw.charCodeAt(i);
  // Fast paths for the common shapes: `12.50`, `12,5` and ISO dates and timestamps.
  if ((separator === 46 || separator === 44) && i + 1 < end) {
    const fraction = digitRun(raw, i + 1, end);
    if (i + 1 + fraction === end && fraction > 0) {
      // `1.500` is 1.5 or 1500; `0.750` is no grouping (a group never starts a number with 0): a decimal.
      const ambiguous = digitCount <= 3 && fraction === 3 && raw.charCodeAt(digitsFrom) !== 48;
      if (separator === 46) return ambiguous ? C.DOT_AMBIGUOUS : C.DOT_DECIMAL;
      return ambiguous ? C.COMMA_AMBIGUOUS : C.COMMA_DECIMAL;
    }
  } else if (separator === 45 && !signed && digitCount === 4) {
    const iso = classifyIso(raw, start, end);
    if (iso >= 0) return iso;
  }
  const text = start === 0 && end === raw.length ? raw : raw.slice(start, end);
  return classifyShaped(text, separator, dateOrder);
}

/** The number of digits from `from`, stopping at `end` or the first non-digit. */
function digitRun(text: string, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) break;
    i++;
  }
  return i - from;
}

function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `yyyy-mm-dd`, `yyyy-mm-ddThh:mm` and `yyyy-mm-ddThh:mm:ss` checked without a regex; -1 sends
 * other shapes (fractions, zones) to the regular expressions.
 */
function classifyIso(text: string, start: number, end: number): number {
  const length = end - start;
  if (length < 10 || text.charCodeAt(start + 7) !== 45) return -1;
  const month = twoDigits(text, start + 5);
  const day = twoDigits(text, start + 8);
  if (month < 0 || day < 0) return -1;
  // The caller found four digits before the first hyphen.
  const year = twoDigits(text, start) * 100 + twoDigits(text, start + 2);
  if (!isValidDate(year, month, day)) return C.TEXT;
  if (length === 10) return C.DATE_ISO;
  const t = text.charCodeAt(start + 10);
  if ((t !== 84 && t !== 32) || (length !== 16 && length !== 19)) return -1;
  const hours = twoDigits(text, start + 11);
  const minutes = twoDigits(text, start + 14);
  if (text.charCodeAt(start + 13) !== 58 || hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return -1;
  if (length === 16) return C.TIMESTAMP_ISO;
  const seconds = twoDigits(text, start + 17);
  if (text.charCodeAt(start + 16) !== 58 || seconds < 0 || seconds > 59) return -1;
  return C.TIMESTAMP_ISO;
}

/** The slower path for values with separators: numbers with groups or decimals, dates, timestamps. */
function classifyShaped(text: string, separator: number, dateOrder: DateOrder): number {
  if (separator === 46 /* . */) {
    if (DOT_AMBIGUOUS.test(text)) return C.DOT_AMBIGUOUS;
    if (DOT_DECIMAL.test(text)) return C.DOT_DECIMAL;
    if (DOT_GROUPED.test(text)) return C.DOT_GROUPED_INT;
    if (COMMA_DECIMAL.test(text)) return C.COMMA_DECIMAL;
  } else if (separator === 44 /* , */) {
    if (COMMA_AMBIGUOUS.test(text)) return C.COMMA_AMBIGUOUS;
    if (COMMA_DECIMAL.test(text)) return C.COMMA_DECIMAL;
    if (COMMA_GROUPED.test(text)) return C.COMMA_GROUPED_INT;
    if (DOT_DECIMAL.test(text)) return C.DOT_DECIMAL;
  } else if (separator === 32 || separator === 160 || separator === 0x202f) {
    if (SPACE_GROUPED.test(text)) return C.SPACE_GROUPED_INT;
    if (COMMA_DECIMAL.test(text)) return C.COMMA_DECIMAL;
    if (DOT_DECIMAL.test(text)) return C.DOT_DECIMAL;
  }
  if (separator === 45 /* - */) {
    const date = ISO_DATE.exec(text);
    if (date) return isValidDate(Number(date[1]), Number(date[2]), Number(date[3])) ? C.DATE_ISO : C.TEXT;
    const stamp = ISO_TIMESTAMP.exec(text);
    if (
      stamp &&
      isValidDate(Number(stamp[1]), Number(stamp[2]), Number(stamp[3])) &&
      isValidTime(stamp[4]!, stamp[5]!, stamp[6])
    ) {
      return C.TIMESTAMP_ISO;
    }
  }
  if (separator === 47 || separator === 46 || separator === 45) {
    const date = DMY_DATE.exec(text);
    if (date) return isValidDayMonth(date[1]!, date[3]!, date[4]!, dateOrder) ? C.DATE_DMY : C.TEXT;
    const stamp = DMY_TIMESTAMP.exec(text);
    if (
      stamp &&
      isValidDayMonth(stamp[1]!, stamp[3]!, stamp[4]!, dateOrder) &&
      isValidTime(stamp[5]!, stamp[6]!, stamp[7])
    ) {
      return C.TIMESTAMP_DMY;
    }
  }
  if (INSEE_CORSICA.test(text)) return C.CODE;
  return C.TEXT;
}

function isValidDayMonth(a: string, b: string, year: string, order: DateOrder): boolean {
  return order === 'dmy'
    ? isValidDate(Number(year), Number(b), Number(a))
    : isValidDate(Number(year), Number(a), Number(b));
}

function digitAt(text: string, index: number): number {
  return text.charCodeAt(index) - 48;
}

function isCompactDate(text: string, start: number): boolean {
  const year =
    digitAt(text, start) * 1000 +
    digitAt(text, start + 1) * 100 +
    digitAt(text, start + 2) * 10 +
    digitAt(text, start + 3);
  if (year < 1900 || year > 2199) return false;
  const month = digitAt(text, start + 4) * 10 + digitAt(text, start + 5);
  const day = digitAt(text, start + 6) * 10 + digitAt(text, start + 7);
  return isValidDate(year, month, day);
}

/** Classifies a typed value from a spreadsheet or driver: numbers, booleans, dates, strings. */
export function classifyValue(value: unknown, dateOrder: DateOrder = 'dmy'): number {
  if (value === null || value === undefined) return C.EMPTY;
  if (typeof value === 'string') return classifyText(value, dateOrder);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return C.TEXT;
    return Number.isInteger(value) ? C.NATIVE_INT : C.NATIVE_DECIMAL;
  }
  if (typeof value === 'boolean') return C.NATIVE_BOOL;
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) return C.TEXT;
    return time % 86_400_000 === 0 ? C.NATIVE_DATE : C.NATIVE_TIMESTAMP;
  }
  if (typeof value === 'bigint') return C.NATIVE_INT;
  return C.TEXT;
}
