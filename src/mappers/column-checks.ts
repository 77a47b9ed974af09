/**
 * What a target column demands of a value, compiled once per field: NOT NULL, the logical type (values
 * are brought to the target's representation: decimals canonical, integers as numbers or bigint), the
 * length of text, the precision and scale of decimals, the range of the native integer type, and the
 * values of an enum or set, the characters the column's charset holds, the digits a float keeps, and the
 * fractional seconds and range of dates and timestamps. Lossless by default: a value that would not come
 * back as written is rejected with a stable code, whether the database would refuse it or silently cut
 * it; a field's `lossy` list names the losses it accepts instead (truncate, round, replace).
 */

import { canonicalJsonNumber, isJsonText, JsonText } from '../connectors/json-text.ts';
import { sqliteAffinity } from '../connectors/sqlite/sqlite-types.ts';
import type { Value } from '../connectors/types.ts';
import { FLOAT32_MAX, isSinglePrecision, shortestFloat32 } from '../core/float32.ts';
import type { Column, LogicalType } from '../core/inventory.ts';
import { isIsoDateFormat, isIsoDateTimeFormat } from '../profilers/formats/dates.ts';
import {
  decimalDigits,
  isCanonicalDecimal,
  numberToDecimal,
  parseDecimalText,
  plainDecimalText,
  roundDecimal,
  trimFraction,
} from './decimal-text.ts';
import {
  describeRule,
  fitFraction,
  fractionFits,
  fractionRule,
  type TemporalParts,
  temporalParts,
  temporalRange,
  utcRangeText,
} from './temporal-checks.ts';
import {
  byteLength,
  codePointName,
  firstUnencodable,
  mssqlCodePage,
  type Repertoire,
  repertoireOf,
  replaceUnencodable,
  truncateBytes,
  wholeGraphemes,
} from './text-encoding.ts';
import { type FAILED, fail, type StepFailure, type TransformFn } from './transforms/transform-types.ts';
import { zeroDateReason } from './zero-date.ts';

/** A loss a field accepts (`lossy: [truncate, round]`): cut text, round numbers and times, replace characters. */
export const LOSSES = ['truncate', 'round', 'replace'] as const;

/** One accepted loss. */
export type Loss = (typeof LOSSES)[number];

/** Options of the column checks. */
export interface ColumnCheckOptions {
  /** `schema.table` of the target, for messages. */
  readonly dataset: string;
  /** The target's kind (sqlite, mssql…), which decides what `integer` and `tinyint` hold. */
  readonly targetKind?: string;
  /** The type of the values the field produces, when known (text into a JSON column is parsed as JSON). */
  readonly valueType?: LogicalType;
  /** The field copies a PostgreSQL bit string (`00000010`): into an integer column, it is read as bits. */
  readonly bitString?: boolean;
  /**
   * The losses the field accepts instead of a reject: `truncate` (text cut to the column, fractions of a
   * second cut), `round` (decimals, floats and fractions of a second rounded), `replace` (characters the
   * column's charset cannot hold become `?`). `true` accepts all three (the former boolean form).
   */
  readonly lossy?: boolean | readonly Loss[];
}

/** The accepted losses as flags. */
interface Accepted {
  readonly truncate: boolean;
  readonly round: boolean;
  readonly replace: boolean;
}

function acceptedLosses(lossy: ColumnCheckOptions['lossy']): Accepted {
  if (lossy === true) return { truncate: true, round: true, replace: true };
  const list = Array.isArray(lossy) ? lossy : [];
  return {
    truncate: list.includes('truncate'),
    round: list.includes('round'),
    replace: list.includes('replace'),
  };
}

const INTEGER_TEXT = /^[+-]?\d+$/;
/** Text whose digits begin with a zero the number drops: `007`, `01000`, `-05.5` (not `0`, `0.5`). */
const LEADING_ZERO = /^\s*[+-]?0\d/;

/** Why a text with a leading zero is refused by a number column: a code (postal code, SIRET) is text. */
function leadingZeroReason(where: string, native: string, transform: 'integer' | 'number'): string {
  return `has a leading zero that ${where} (${native}) would drop, as a code such as a postal code or a SIRET is text: map it into a text column, or convert it with the ${transform} transform to store the number`;
}
const HAS_SECONDS = /:\d\d:\d\d$/;
const TIME_TEXT = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/;
/** A bit string: `00000010`. */
const BIT_TEXT = /^[01]+$/;
/** PostgreSQL `bit(n)` (fixed width, padded) or `bit varying(n)` / `varbit(n)`. */
const PG_BIT_TYPE = /^(bit|varbit)(\s+varying)?(?:\s*\((\d+)\))?$/i;

/** PostgreSQL's `time` also holds the end of the day, `24:00:00`. */
const END_OF_DAY = /^24:00(:00(\.0{1,9})?)?$/;
/** MySQL/MariaDB TIME is a duration too: -838:59:59 to 838:59:59. */
const MYSQL_TIME_TEXT = /^-?(\d{1,3}):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/;

/*
 * Values only PostgreSQL holds, accepted into PostgreSQL only as PostgreSQL writes them (what a PostgreSQL
 * source gives): another spelling would be stored as PostgreSQL's own and differ from the mapped value on
 * every later plan and verification. `time with time zone`: `12:34:56+02`, `08:00:00.5-05:30`.
 */
const PG_TIMETZ_TEXT =
  /^(?:([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d*[1-9])?|24:00:00)[+-](?:1[0-5]|0\d)(?::(?:0[1-9]|[1-5]\d))?$/;
/** numeric's NaN; without a precision, ±Infinity too. */
const PG_NUMERIC_NAN = /^NaN$/;
const PG_NUMERIC_SPECIAL = /^(NaN|-?Infinity)$/;
/** Dates beyond ISO 8601: ±infinity, and a date before Christ (`0044-03-15 BC`, `0044-03-15T12:00:00 BC`). */
const PG_DATE_SPECIAL = /^(-?infinity|\d{4,}-\d\d-\d\d BC)$/;
const PG_TIMESTAMP_SPECIAL =
  /^(-?infinity|\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d*[1-9])?(?:Z|[+-]\d\d(?::\d\d)?)? BC)$/;

/** The time texts a target's time column holds (`zoned`: a PostgreSQL `time with time zone`). */
function timeTextTest(targetKind: string | undefined, zoned: boolean): (text: string) => boolean {
  if (targetKind === 'mysql' || targetKind === 'mariadb') {
    return (text) => {
      const match = MYSQL_TIME_TEXT.exec(text);
      return match !== null && Number(match[1]) <= 838 && !/^-?838:59:59\.0*[1-9]/.test(text);
    };
  }
  if (zoned) return (text) => PG_TIMETZ_TEXT.test(text);
  if (targetKind === 'postgres') return (text) => TIME_TEXT.test(text) || END_OF_DAY.test(text);
  return (text) => TIME_TEXT.test(text);
}

/** The inclusive range of a native integer type. */
export function integerRange(column: Column, targetKind?: string): readonly [bigint, bigint] {
  const type = column.nativeType.toLowerCase();
  const bits = (n: number, unsigned = column.unsigned === true): readonly [bigint, bigint] =>
    unsigned ? [0n, 2n ** BigInt(n) - 1n] : [-(2n ** BigInt(n - 1)), 2n ** BigInt(n - 1) - 1n];
  // MySQL's bit(n) holds n unsigned bits.
  const bitField = /^bit\s*\((\d+)\)/.exec(type);
  if (bitField) return bits(Number(bitField[1]), true);
  // MySQL's YEAR: 0 (the zero year) and 1901 to 2155.
  if (/^year\b/.test(type)) return [0n, 2155n];
  if (type.includes('tinyint')) return targetKind === 'mssql' ? bits(8, true) : bits(8);
  if (type.includes('smallint') || type.includes('int2') || type.includes('smallserial')) return bits(16);
  if (type.includes('mediumint')) return bits(24);
  if (type.includes('bigint') || type.includes('int8') || type.includes('bigserial')) return bits(64);
  // SQLite's INTEGER is 64-bit; everywhere else `int`/`integer` is 32-bit.
  if (targetKind !== 'sqlite' && /\b(int|integer|int4|serial)\b/.test(type)) return bits(32);
  return bits(64);
}

const SQLITE_NUMBER_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
// SQLite's INTEGER range: a whole number inside it is stored exactly in a NUMERIC column.
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * The text of the number SQLite stores for a text written into a column of numeric affinity, as it reads
 * back; undefined when the text is no number literal and stays text.
 */
function sqliteNumberOf(text: string): string | undefined {
  if (!SQLITE_NUMBER_TEXT.test(text)) return undefined;
  const trimmed = text.trim();
  if (/^[+-]?\d+$/.test(trimmed)) {
    const integer = BigInt(trimmed);
    if (integer >= INT64_MIN && integer <= INT64_MAX) return integer.toString();
  }
  const real = Number(trimmed);
  return numberToDecimal(real) ?? String(real);
}

/** Length in characters (code points), as databases count `varchar(n)`. */
function characterLength(text: string, max: number): number {
  if (text.length <= max) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// Cuts after `max` code points, then back to a whole character (`e` and its combining accent together).
function truncateCharacters(text: string, max: number): string {
  let end = 0;
  let n = 0;
  for (const char of text) {
    if (n++ === max) break;
    end += char.length;
  }
  return wholeGraphemes(text, end);
}

// Cuts at `max` UTF-16 units without splitting a surrogate pair or a character from its marks.
function truncateUnits(text: string, max: number): string {
  const code = text.charCodeAt(max - 1);
  return wholeGraphemes(text, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** Compiles the checks of one target column into a single step. */
export function compileColumnCheck(column: Column, options: ColumnCheckOptions): TransformFn {
  const where = `${options.dataset}.${column.name}`;
  const typeCheck = typeConversion(column, options, where);
  const allowed = column.enumValues && column.enumValues.length > 0 ? new Set(column.enumValues) : undefined;
  // A MySQL SET holds any combination of its members, written `a,b`; the empty text is the empty set.
  const isSet = allowed !== undefined && /^set\s*\(/i.test(column.nativeType);
  const notAllowed = allowed
    ? `is not one of the values of ${where} (${column.enumValues!.slice(0, 10).join(', ')}${column.enumValues!.length > 10 ? ', …' : ''})`
    : '';
  const notNull = `is not allowed: ${where} is NOT NULL`;
  const nullable = column.nullable;
  return (value: Value, row, failure: StepFailure) => {
    if (value === null || value === undefined)
      return nullable ? null : fail(failure, notNull, 'REJECT_REQUIRED');
    const converted = typeCheck(value, row, failure);
    if (allowed && typeof converted === 'string' && !allowed.has(converted)) {
      if (!isSet || !setMembersAllowed(converted, allowed))
        return fail(failure, notAllowed, 'REJECT_NOT_ALLOWED');
    }
    return converted;
  };
}

function setMembersAllowed(text: string, allowed: ReadonlySet<string>): boolean {
  if (text === '') return true;
  for (const member of text.split(',')) if (!allowed.has(member)) return false;
  return true;
}

/** The conversion to the column's logical type, with its size limits. */
function typeConversion(column: Column, options: ColumnCheckOptions, where: string): TransformFn {
  const native = column.nativeType;
  const notType = (kind: string) => `is not ${kind} (${where} is ${native})`;
  const accepted = acceptedLosses(options.lossy);
  switch (column.type as LogicalType) {
    case 'string':
      return stringConversion(column, options.targetKind, accepted, where);
    case 'integer': {
      const [min, max] = integerRange(column, options.targetKind);
      const minN = Number(min);
      const maxN = Number(max);
      const outOfRange = `is out of the range of ${native} (${min} to ${max})`;
      const reason = notType('an integer');
      const leadingZero = leadingZeroReason(where, native, 'integer');
      // Only text can hold a meaningful zero: a number column's own text (a ZEROFILL decimal) is a number.
      const textIn = options.valueType === 'string';
      const bits = options.bitString === true;
      return (value, _row, failure) => {
        let n: number | bigint;
        if (bits && typeof value === 'string' && BIT_TEXT.test(value)) {
          // A PostgreSQL bit string (`00000010`) is the integer its bits spell (2), as MySQL's bit(n) holds it.
          const big = BigInt(`0b${value}`);
          n = Number.isSafeInteger(Number(big)) ? Number(big) : big;
        } else if (typeof value === 'number') {
          if (!Number.isInteger(value)) return fail(failure, reason, 'REJECT_TYPE');
          n = value;
        } else if (typeof value === 'bigint') {
          n = value;
        } else if (typeof value === 'boolean') {
          // A flag kept as 0/1 (SQLite's INTEGER, a legacy smallint): what WRITABLE_TO lets through.
          n = value ? 1 : 0;
        } else if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
          if (textIn && LEADING_ZERO.test(value)) return fail(failure, leadingZero, 'REJECT_TYPE');
          const asNumber = Number(value);
          n = Number.isSafeInteger(asNumber) ? asNumber : BigInt(value);
        } else {
          return fail(failure, reason, 'REJECT_TYPE');
        }
        // Past 2^53 a double's comparison rounds the bound (2^63 - 1 is 2^63 to it): such values compare exactly.
        if (typeof n === 'number' && !Number.isSafeInteger(n)) n = BigInt(n);
        const inRange = typeof n === 'number' ? n >= minN && n <= maxN : n >= min && n <= max;
        return inRange ? n : fail(failure, outOfRange, 'REJECT_OUT_OF_RANGE');
      };
    }
    case 'decimal': {
      const convert = decimalConversion(
        column,
        accepted,
        where,
        options.targetKind === 'sqlite',
        options.valueType === 'string',
      );
      if (options.targetKind !== 'postgres') return convert;
      // PostgreSQL's numeric holds NaN, and without a precision (PostgreSQL 14 on) ±Infinity.
      const special = column.precision === undefined ? PG_NUMERIC_SPECIAL : PG_NUMERIC_NAN;
      return (value, row, failure) =>
        typeof value === 'string' && special.test(value)
          ? value
          : typeof value === 'number' && !Number.isFinite(value) && special.test(String(value))
            ? String(value)
            : convert(value, row, failure);
    }
    case 'float':
      return floatConversion(column, options.targetKind, accepted, where);
    case 'boolean': {
      const reason = notType('true or false');
      // A PostgreSQL bit(1) is a flag: `1` and `0`.
      const bits = options.bitString === true;
      return (value, _row, failure) => {
        if (typeof value === 'boolean') return value;
        if (value === 0 || value === 1) return value === 1;
        if (bits && (value === '0' || value === '1')) return value === '1';
        return fail(failure, reason, 'REJECT_TYPE');
      };
    }
    case 'date': {
      const reason = notType('a date (YYYY-MM-DD); use the date transform');
      const fits = temporalFit(column, options.targetKind, accepted, where, false);
      // PostgreSQL's dates and timestamps also hold ±infinity and dates before Christ, as it writes them.
      const special = options.targetKind === 'postgres' ? PG_DATE_SPECIAL : undefined;
      return (value, _row, failure) =>
        typeof value === 'string' && isIsoDateFormat(value)
          ? fits(value, failure)
          : typeof value === 'string' && special?.test(value)
            ? value
            : (beyondYear9999(value, failure, where, native, options.targetKind, false) ??
              fail(failure, zeroDateReason(value, `${where} (${native})`) ?? reason, 'REJECT_TYPE'));
    }
    case 'timestamp': {
      const reason = notType('an ISO 8601 date-time; use the datetime transform');
      const fits = temporalFit(column, options.targetKind, accepted, where, true);
      const special = options.targetKind === 'postgres' ? PG_TIMESTAMP_SPECIAL : undefined;
      return (value, _row, failure) =>
        typeof value === 'string' && (isIsoDateTimeFormat(value) || isIsoDateFormat(value))
          ? fits(value, failure)
          : typeof value === 'string' && special?.test(value)
            ? value
            : (beyondYear9999(value, failure, where, native, options.targetKind, true) ??
              fail(failure, zeroDateReason(value, `${where} (${native})`) ?? reason, 'REJECT_TYPE'));
    }
    case 'time': {
      const mysql = options.targetKind === 'mysql' || options.targetKind === 'mariadb';
      const zoned = options.targetKind === 'postgres' && /with time zone|^timetz/i.test(native);
      const reason = notType(
        mysql
          ? 'a time (HH:mm:ss, -838:59:59 to 838:59:59)'
          : zoned
            ? 'a time with its offset as PostgreSQL writes it (12:34:56+02, 08:00:00.5-05:30)'
            : 'a time (HH:mm:ss)',
      );
      const fits = temporalFit(column, options.targetKind, accepted, where, true);
      const isTime = timeTextTest(options.targetKind, zoned);
      return (value, _row, failure) =>
        typeof value === 'string' && isTime(value)
          ? fits(value, failure)
          : fail(failure, reason, 'REJECT_TYPE');
    }
    case 'json': {
      // Text mapped into a JSON column is the document it spells (a CSV cell, a TEXT column of payloads),
      // kept as written; a value from a JSON column is a document already (a string there is a JSON string).
      // SQLite gives a column declared JSON numeric affinity: a document that is one number is stored as
      // an integer or a float, so one a double cannot hold (`12345678901234567891`) would change.
      const sqlite = options.targetKind === 'sqlite';
      const rounded = `is a number that ${where} (${native}, numeric affinity in SQLite) would store as a float, changing it`;
      const exact = (doc: JsonText, failure: StepFailure) =>
        sqlite && sqliteWouldRound(doc.text) ? fail(failure, rounded, 'REJECT_PRECISION') : doc;
      if (options.valueType !== 'string')
        return (value, _row, failure) => (value instanceof JsonText ? exact(value, failure) : value);
      const reason = notType('JSON text');
      return (value, _row, failure) => {
        if (typeof value !== 'string') return value;
        const text = value.trim();
        return isJsonText(text) ? exact(new JsonText(text), failure) : fail(failure, reason, 'REJECT_TYPE');
      };
    }
    case 'binary': {
      const reason = notType('binary data');
      const max = column.length;
      // MySQL's BINARY(n) pads with zero bytes: the value is written as the column gives it back.
      const fixed = /^binary\s*\(/i.test(native) ? max : undefined;
      const tooLong = `is longer than ${where} (${native}) holds: ${max} bytes`;
      return (value, _row, failure) => {
        if (!(value instanceof Uint8Array)) return fail(failure, reason, 'REJECT_TYPE');
        if (max === undefined || max <= 0 || value.length === max) return value;
        if (value.length > max) {
          if (!accepted.truncate) return fail(failure, tooLong, 'REJECT_TOO_LONG');
          return value.subarray(0, max);
        }
        if (fixed === undefined) return value;
        const padded = new Uint8Array(fixed);
        padded.set(value);
        return padded;
      };
    }
    default:
      return (value) => value;
  }
}

/** The charset of a text column: the catalog's, else what a SQL Server collation implies. */
export function columnCharset(column: Column, targetKind?: string): string | undefined {
  if (column.charset !== undefined) return column.charset;
  if (targetKind === 'mssql' && !/^n(var)?char|^ntext/i.test(column.nativeType))
    return mssqlCodePage(column.collation);
  return undefined;
}

// MySQL's TEXT types are limited in bytes, whatever the charset; LONGTEXT (4 GiB) is not checked.
const MYSQL_TEXT_BYTES: Readonly<Record<string, number>> = {
  tinytext: 255,
  text: 65_535,
  mediumtext: 16_777_215,
};

/** How a column limits the size of a text: in code points, UTF-16 units, or bytes of its charset. */
interface TextLimit {
  readonly max: number;
  readonly unit: 'characters' | 'units' | 'bytes';
}

/** `bytes` is undefined for a charset stocktake does not know: a limit in bytes is then checked in characters. */
function textLimit(
  column: Column,
  targetKind: string | undefined,
  bytes: Repertoire['bytes'] | undefined,
): TextLimit {
  const native = column.nativeType.toLowerCase();
  const declared = column.length !== undefined && column.length > 0 ? column.length : undefined;
  // A sql_variant holds a text as an nvarchar(4000) at most (stocktake writes it as one).
  if (targetKind === 'mssql' && /^sql_variant$/i.test(native)) return { max: 4000, unit: 'units' };
  if (targetKind === 'mssql' && declared !== undefined) {
    // nvarchar(n) counts UTF-16 units (an emoji takes two); varchar(n) counts bytes of its code page.
    if (/^n(var)?char/.test(native)) return { max: declared, unit: 'units' };
    return { max: declared, unit: bytes === 'single' || bytes === undefined ? 'characters' : 'bytes' };
  }
  if (declared !== undefined) return { max: declared, unit: 'characters' };
  if (targetKind === 'mysql' || targetKind === 'mariadb') {
    const bytesMax = MYSQL_TEXT_BYTES[native.replace(/\s.*$/, '')];
    if (bytesMax !== undefined) return { max: bytesMax, unit: bytes === 'single' ? 'characters' : 'bytes' };
  }
  return { max: Number.POSITIVE_INFINITY, unit: 'characters' };
}

function stringConversion(
  column: Column,
  targetKind: string | undefined,
  accepted: Accepted,
  where: string,
): TransformFn {
  const charset = columnCharset(column, targetKind);
  const repertoire = repertoireOf(charset);
  const encoding = repertoire?.kind === 'all' ? undefined : repertoire;
  const { max, unit } = textLimit(column, targetKind, repertoire?.bytes);
  const bytes = repertoire?.bytes ?? 'utf8';
  const notText = `is not text (${where} is ${column.nativeType})`;
  const holds = `${where} (${column.nativeType}) holds ${max}`;
  const noNul = targetKind === 'postgres';
  // A MySQL/MariaDB CHAR(n) drops trailing spaces when it stores a value: `a␠␠` comes back `a`.
  const dropsTrailing =
    (targetKind === 'mysql' || targetKind === 'mariadb') && /^char\b/i.test(column.nativeType);
  // An SQLite column whose declared type is not text (`STRING`, `UUID`, `ENUM`: NUMERIC affinity) stores a text
  // that reads as a number as that number: `01000` would come back as 1000.
  const numericAffinity = targetKind === 'sqlite' && !/^(TEXT|BLOB)$/.test(sqliteAffinity(column.nativeType));
  // A PostgreSQL bit(n) or bit varying column takes an integer (MySQL's bit(n)) as its bits, not its digits,
  // and a boolean (MySQL's bit(1)) as the bit 1 or 0.
  const bitColumn = targetKind === 'postgres' ? PG_BIT_TYPE.exec(column.nativeType) : null;
  const bitWidth =
    bitColumn && bitColumn[1]!.toLowerCase() === 'bit' && bitColumn[2] === undefined
      ? Number(bitColumn[3] ?? 1)
      : 0;
  return (value, _row, failure) => {
    let text: string;
    if (
      bitColumn &&
      (typeof value === 'number' || typeof value === 'bigint') &&
      value >= 0 &&
      Number.isInteger(Number(value))
    )
      text = BigInt(value).toString(2).padStart(bitWidth, '0');
    // A MySQL bit(1), read as a boolean, is one bit.
    else if (bitColumn && typeof value === 'boolean') text = (value ? '1' : '0').padStart(bitWidth, '0');
    else if (typeof value === 'string') text = value;
    else if (typeof value === 'number') text = numberToDecimal(value) ?? String(value);
    else if (typeof value === 'bigint' || typeof value === 'boolean') text = String(value);
    else if (value instanceof Uint8Array) return fail(failure, notText, 'REJECT_TYPE');
    else if (value instanceof JsonText) text = value.text;
    else text = JSON.stringify(value);
    // PostgreSQL text holds no NUL character, whatever the database encoding.
    if (noNul && text.indexOf('\u0000') !== -1) {
      if (!accepted.replace)
        return fail(
          failure,
          `holds U+0000, which ${where} (${column.nativeType}) cannot store`,
          'REJECT_ENCODING',
        );
      text = text.replaceAll('\u0000', '?');
    }
    if (dropsTrailing && text.endsWith(' ')) {
      if (!accepted.truncate)
        return fail(
          failure,
          `ends in spaces, which ${where} (${column.nativeType}) drops: a MySQL CHAR column keeps no trailing space (trim the field, or accept it with lossy: [truncate])`,
          'REJECT_TOO_LONG',
        );
      text = text.replace(/ +$/, '');
    }
    if (numericAffinity) {
      const stored = sqliteNumberOf(text);
      if (stored !== undefined && stored !== text)
        return fail(
          failure,
          `would be stored as the number ${stored} by ${where} (${column.nativeType}), whose SQLite affinity is ${sqliteAffinity(column.nativeType)}, not TEXT; declare the column TEXT`,
          'REJECT_TYPE',
        );
    }
    if (encoding !== undefined) {
      const bad = firstUnencodable(text, encoding);
      if (bad !== -1) {
        if (!accepted.replace) {
          return fail(
            failure,
            `holds ${codePointName(bad)}, which ${where} (${column.nativeType}, ${encoding.name}) cannot store`,
            'REJECT_ENCODING',
          );
        }
        text = replaceUnencodable(text, encoding);
      }
    }
    if (text.length <= max && unit !== 'bytes') return text;
    if (unit === 'units') {
      if (accepted.truncate) return truncateUnits(text, max);
      return fail(failure, `is ${text.length} UTF-16 units long; ${holds}`, 'REJECT_TOO_LONG');
    }
    if (unit === 'bytes') {
      // Every character takes at least one byte: a text of `max / 4` characters or fewer always fits.
      if (text.length * 4 <= max) return text;
      const size = byteLength(text, bytes);
      if (size <= max) return text;
      if (accepted.truncate) return truncateBytes(text, max, bytes);
      return fail(
        failure,
        `is ${size} bytes long in ${charset ?? 'utf8'}; ${holds} bytes`,
        'REJECT_TOO_LONG',
      );
    }
    const length = characterLength(text, max);
    if (length <= max) return text;
    if (accepted.truncate) return truncateCharacters(text, max);
    return fail(failure, `is ${length} characters long; ${holds}`, 'REJECT_TOO_LONG');
  };
}

/**
 * What SQLite stores for a canonical decimal text bound into a NUMERIC column: a whole number within 64
 * bits is an INTEGER (given without its zero fraction: `12345678901234567.00` would go through a float);
 * anything else becomes an 8-byte float. Returns the text to bind, or null when the float would not read
 * back as the same number (more digits than a double holds).
 */
export function sqliteNumericText(text: string): string | null {
  const at = text.indexOf('.');
  const whole = at === -1 ? text : /^-?\d+\.0*$/.test(text) ? text.slice(0, at) : null;
  if (whole !== null) {
    const n = BigInt(whole);
    if (n >= INT64_MIN && n <= INT64_MAX) return whole === '-0' ? '0' : whole;
  }
  const float = Number(text);
  const back = numberToDecimal(float);
  if (back === null) return null;
  return whole !== null
    ? BigInt(back) === BigInt(whole)
      ? text
      : null
    : back === trimFraction(text)
      ? text
      : null;
}

function decimalConversion(
  column: Column,
  accepted: Accepted,
  where: string,
  sqlite: boolean,
  textIn: boolean,
): TransformFn {
  const scale = column.scale ?? 0;
  const maxInteger = column.precision !== undefined ? column.precision - scale : Number.POSITIVE_INFINITY;
  const limitScale = column.precision !== undefined || column.scale !== undefined;
  const notDecimal = `is not a number (${where} is ${column.nativeType})`;
  const tooLarge = `is too large for ${where} (${column.nativeType})`;
  const leadingZero = leadingZeroReason(where, column.nativeType, 'number');
  return (value, _row, failure) => {
    let text: string | null;
    if (typeof value === 'string') {
      if (textIn && LEADING_ZERO.test(value)) return fail(failure, leadingZero, 'REJECT_TYPE');
      // Plain digits are read without a regular expression; zero goes the general way, which keeps `-0`.
      const plain = plainDecimalText(value);
      text =
        plain !== undefined && plain !== '0'
          ? plain
          : isCanonicalDecimal(value)
            ? value
            : parseDecimalText(value, '.');
    } else if (typeof value === 'number') text = numberToDecimal(value);
    else if (typeof value === 'bigint') text = value.toString();
    else text = null;
    if (text === null) return fail(failure, notDecimal, 'REJECT_TYPE');
    let digits = decimalDigits(text);
    if (limitScale && digits.fraction > scale) {
      if (!accepted.round) {
        return fail(
          failure,
          `has ${digits.fraction} decimals; ${where} (${column.nativeType}) keeps ${scale}`,
          'REJECT_PRECISION',
        );
      }
      text = roundDecimal(text, scale);
      digits = decimalDigits(text);
    }
    if (digits.integer > maxInteger) return fail(failure, tooLarge, 'REJECT_OUT_OF_RANGE');
    if (!sqlite) return text;
    const stored = sqliteNumericText(text);
    if (stored !== null) return stored;
    if (accepted.round) return numberToDecimal(Number(text)) ?? text;
    return fail(
      failure,
      `has more digits than SQLite keeps in ${where} (${column.nativeType}): a NUMERIC value is exact only as a whole number within 64 bits, otherwise an 8-byte float (about 15 to 17 significant digits)`,
      'REJECT_PRECISION',
    );
  };
}

/**
 * Floats: a value is lossless when the column reads it back as the same decimal: for an 8-byte double,
 * its shortest round-trip text equals the value's decimal (integers beyond 2^53, and decimals with more
 * significant digits than a double keeps, are not); for a 4-byte float, likewise with the shortest text
 * of the nearest float32 (MySQL/MariaDB FLOAT is read as a double, not as the 6 digits the server prints).
 * `lossy: [round]` writes the value the column gives back.
 */
function floatConversion(
  column: Column,
  targetKind: string | undefined,
  accepted: Accepted,
  where: string,
): TransformFn {
  const single = isSinglePrecision(column, targetKind);
  const postgres = targetKind === 'postgres';
  const reason = `is not a number (${where} is ${column.nativeType})`;
  const keeps = single ? 'a 4-byte float: about 7' : 'a double: about 15–17';
  const imprecise = `has more significant digits than ${where} (${column.nativeType}) keeps (${keeps})`;
  const outOfRange = `is out of the range of ${where} (${column.nativeType})`;
  return (value, _row, failure) => {
    let decimal: string | null;
    let n: number;
    if (typeof value === 'number') {
      // PostgreSQL's real and double precision hold NaN and ±Infinity; the other databases do not.
      if (!Number.isFinite(value)) return postgres ? value : fail(failure, reason, 'REJECT_TYPE');
      n = value;
      decimal = null; // already a double: nothing is lost on the way to an 8-byte column
    } else if (typeof value === 'bigint') {
      n = Number(value);
      decimal = value.toString();
    } else if (typeof value === 'string') {
      if (postgres && PG_NUMERIC_SPECIAL.test(value)) return Number(value);
      decimal = isCanonicalDecimal(value) ? value : parseDecimalText(value, '.');
      if (decimal === null) return fail(failure, reason, 'REJECT_TYPE');
      n = Number(decimal);
    } else {
      return fail(failure, reason, 'REJECT_TYPE');
    }
    if (!Number.isFinite(n)) return fail(failure, outOfRange, 'REJECT_OUT_OF_RANGE');
    if (decimal !== null && numberToDecimal(n) !== decimal && !accepted.round)
      return fail(failure, imprecise, 'REJECT_PRECISION');
    if (!single) return n;
    // 3.4028235e38, the shortest text of the largest float32, is a hair above it as a double: it rounds to
    // that float, as every value that does not round to infinity.
    const float = Math.fround(n);
    if (!Number.isFinite(float)) return fail(failure, outOfRange, 'REJECT_OUT_OF_RANGE');
    const stored = shortestFloat32(float);
    if (stored !== n && !accepted.round) return fail(failure, imprecise, 'REJECT_PRECISION');
    // MySQL/MariaDB read the text sent as a double and refuse one past the largest float: send the float.
    return Math.abs(stored) > FLOAT32_MAX ? float : stored;
  };
}

/** A date written with a year of five digits or more (`294276-01-01`, what PostgreSQL holds): past 9999. */
const LONG_YEAR = /^\d{5,}-\d{2}-\d{2}(?:$|[ T])/;

/** The last year of PostgreSQL's `date` and `timestamp` types. */
const PG_LAST_YEAR = { date: 5_874_897, timestamp: 294_276 };

// A date or date-time past the year 9999: written as it is into PostgreSQL while its type reaches that
// year, refused as out of range (not as a text of the wrong form) by the others.
function beyondYear9999(
  value: Value,
  failure: StepFailure,
  where: string,
  native: string,
  targetKind: string | undefined,
  timestamp: boolean,
): Value | typeof FAILED | undefined {
  if (typeof value !== 'string' || !LONG_YEAR.test(value)) return undefined;
  const year = Number(value.slice(0, value.indexOf('-')));
  if (targetKind === 'postgres' && year <= PG_LAST_YEAR[timestamp ? 'timestamp' : 'date']) return value;
  return fail(
    failure,
    `is past the year 9999, which ${where} (${native}) cannot hold`,
    'REJECT_OUT_OF_RANGE',
  );
}

// Digits after the decimal point of a time or timestamp text, trailing zeros included; 0 without a fraction.
function fractionDigits(text: string): number {
  let dot = text.indexOf('.', 8);
  if (dot === -1) dot = text.indexOf(',', 8);
  if (dot === -1) return 0;
  let end = dot + 1;
  while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
  return end - dot - 1;
}

// The year of a date or date-time text, read without a slice; -1 unless it begins with four digits.
function leadingYear(text: string): number {
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (!(digit >= 0 && digit <= 9)) return -1;
    year = year * 10 + digit;
  }
  return year;
}

/** The check of a date, time or timestamp against the column's fraction rule and range. */
function temporalFit(
  column: Column,
  targetKind: string | undefined,
  accepted: Accepted,
  where: string,
  timed: boolean,
): (text: string, failure: StepFailure) => Value | typeof FAILED {
  const rule = timed ? fractionRule(column, targetKind) : undefined;
  const limits = column.type === 'time' ? undefined : temporalRange(column, targetKind);
  if (rule === undefined && limits === undefined) return (text) => text;
  const precise = rule && `${where} (${column.nativeType}) ${describeRule(rule)}`;
  const outOfRange = limits && `is outside the range of ${where} (${column.nativeType}: ${limits.label})`;
  const lossy = accepted.round || accepted.truncate;
  const digits = rule?.kind === 'digits' ? rule.digits : -1;
  // Years strictly inside the range need no exact comparison: most values skip the parse.
  const safeFrom = limits ? Number(limits.min.slice(0, 4)) + 1 : 0;
  const safeTo = limits ? Number(limits.max.slice(0, 4)) - 1 : 0;
  return (text, failure) => {
    let fitted = text;
    let parts: TemporalParts | undefined;
    if (rule !== undefined && (digits < 0 || fractionDigits(text) > digits)) {
      parts = temporalParts(text);
      if (parts !== undefined && !fractionFits(parts, rule, HAS_SECONDS.test(parts.head))) {
        if (!lossy) {
          const count = parts.fraction.replace(/0+$/, '').length;
          const has = rule.kind === 'minutes' ? 'has seconds' : `has ${count} fraction digits`;
          return fail(failure, `${has}; ${precise}`, 'REJECT_PRECISION');
        }
        fitted = fitFraction(parts, rule, accepted.round);
        parts = temporalParts(fitted);
      }
    }
    if (limits !== undefined) {
      const year = leadingYear(fitted);
      if (year >= safeFrom && year <= safeTo) return fitted;
      parts ??= temporalParts(fitted);
      const utc = parts && utcRangeText(parts);
      if (utc !== undefined && (utc < limits.min || utc > limits.max))
        return fail(failure, outOfRange!, 'REJECT_OUT_OF_RANGE');
    }
    return fitted;
  };
}

/** True when a JSON document is one number that SQLite's numeric affinity would store changed (past a double). */
function sqliteWouldRound(text: string): boolean {
  const token = text.trim();
  if (!/^-?\d/.test(token)) return false;
  const number = Number(token);
  return !Number.isFinite(number) || canonicalJsonNumber(String(number)) !== canonicalJsonNumber(token);
}
