/**
 * What a date, time or timestamp column keeps: its fractional-second precision (PostgreSQL
 * `timestamp(p)`, default 6; MySQL `datetime(p)`, default 0; SQL Server `datetime2(p)`, default 7, its
 * `datetime` in 1/300 s ticks and `smalldatetime` in minutes) and its range (MySQL `DATETIME`/`DATE`
 * 1000–9999, `TIMESTAMP` 1970-01-01 00:00:01 – 2038-01-19 03:14:07 UTC; SQL Server `datetime` from
 * 1753, `smalldatetime` 1900-01-01 – 2079-06-06; PostgreSQL from year 1). SQLite stores text: no limit.
 */
import type { Column } from '../core/inventory.ts';

/** How a temporal column keeps fractions of a second. */
export type FractionRule =
  | { readonly kind: 'digits'; readonly digits: number }
  /** SQL Server `datetime`: 1/300 s, written back as .000, .003 or .007. */
  | { readonly kind: 'ticks300' }
  /** SQL Server `smalldatetime`: whole minutes. */
  | { readonly kind: 'minutes' };

/** The inclusive range of a temporal column, as UTC texts `YYYY-MM-DDTHH:mm:ss.fffffffff` (9 digits). */
export interface TemporalRange {
  readonly min: string;
  readonly max: string;
  /** How a reason shows it: `1000-01-01 to 9999-12-31`. */
  readonly label: string;
}

const TEMPORAL_DIGITS = /\((\d)\)/;
const MAX_DIGITS = 9;

/** The fraction rule of a timestamp or time column; undefined when nothing is cut (SQLite, unknown targets). */
export function fractionRule(column: Column, targetKind?: string): FractionRule | undefined {
  const native = column.nativeType.toLowerCase();
  if (targetKind === 'mssql') {
    if (/^datetime\b(?!2|offset)/.test(native)) return { kind: 'ticks300' };
    if (native.startsWith('smalldatetime')) return { kind: 'minutes' };
  }
  const declared = TEMPORAL_DIGITS.exec(native);
  if (declared) return { kind: 'digits', digits: Number(declared[1]) };
  // Catalogs report the temporal precision as `precision` (MySQL, PostgreSQL) or `scale` (SQL Server).
  const reported = column.type === 'timestamp' || column.type === 'time' ? column.precision : undefined;
  if (reported !== undefined) return { kind: 'digits', digits: reported };
  switch (targetKind) {
    case 'mysql':
    case 'mariadb':
      return { kind: 'digits', digits: 0 };
    case 'postgres':
      return { kind: 'digits', digits: 6 };
    case 'mssql':
      return { kind: 'digits', digits: column.scale ?? 7 };
    default:
      return undefined;
  }
}

const range = (min: string, max: string, label: string): TemporalRange => ({
  min: pad(min),
  max: pad(max),
  label,
});

function pad(text: string): string {
  const full = text.length === 10 ? `${text}T00:00:00` : text;
  const dot = full.indexOf('.');
  const fraction = dot === -1 ? '' : full.slice(dot + 1);
  return `${dot === -1 ? full : full.slice(0, dot)}.${fraction.padEnd(MAX_DIGITS, fraction === '' ? '0' : '9')}`;
}

const MYSQL_DATETIME = range('1000-01-01', '9999-12-31T23:59:59.999999', '1000-01-01 to 9999-12-31');
const MYSQL_TIMESTAMP = range(
  '1970-01-01T00:00:01',
  '2038-01-19T03:14:07.999999',
  '1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC',
);
const MSSQL_DATETIME = range('1753-01-01', '9999-12-31T23:59:59.997', '1753-01-01 to 9999-12-31');
const MSSQL_SMALL = range('1900-01-01', '2079-06-06T23:59:00', '1900-01-01 to 2079-06-06 23:59');
// Four-digit years from 1: PostgreSQL has no year zero and SQL Server's date/datetime2 start at 0001.
const FROM_YEAR_ONE = range('0001-01-01', '9999-12-31T23:59:59.999999999', '0001-01-01 to 9999-12-31');

/** The range of a date or timestamp column; undefined when the target takes every 4-digit year. */
export function temporalRange(column: Column, targetKind?: string): TemporalRange | undefined {
  const native = column.nativeType.toLowerCase();
  switch (targetKind) {
    case 'mysql':
    case 'mariadb':
      return native.startsWith('timestamp') ? MYSQL_TIMESTAMP : MYSQL_DATETIME;
    case 'mssql':
      if (/^datetime\b(?!2|offset)/.test(native)) return MSSQL_DATETIME;
      if (native.startsWith('smalldatetime')) return MSSQL_SMALL;
      return FROM_YEAR_ONE;
    case 'postgres':
      return FROM_YEAR_ONE;
    default:
      return undefined;
  }
}

/** The parts of an ISO 8601 date, date-time or time as the column checks see them. */
export interface TemporalParts {
  /** Everything before the fraction: `2024-03-12T10:00:05`, `2024-03-12` or `10:00:05`. */
  readonly head: string;
  /** Fraction digits without the separator; empty when none. */
  readonly fraction: string;
  /** The zone suffix as written (`Z`, `+02:00`) or empty. */
  readonly zone: string;
}

const PARTS =
  /^(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?|\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Splits a text the type checks accepted into head, fraction and zone. */
export function temporalParts(text: string): TemporalParts | undefined {
  const m = PARTS.exec(text);
  if (!m) return undefined;
  return { head: m[1]!, fraction: m[2] ?? '', zone: m[3] ?? '' };
}

/** True when the fraction keeps no more than the rule allows (trailing zeros are no loss). */
export function fractionFits(parts: TemporalParts, rule: FractionRule, hasSeconds: boolean): boolean {
  const fraction = parts.fraction.replace(/0+$/, '');
  switch (rule.kind) {
    case 'digits':
      return fraction.length <= rule.digits;
    case 'ticks300': {
      if (fraction.length > 3) return false;
      const last = fraction.length === 3 ? fraction.charCodeAt(2) - 48 : 0;
      return last === 0 || last === 3 || last === 7;
    }
    case 'minutes':
      return fraction.length === 0 && (!hasSeconds || parts.head.endsWith(':00'));
  }
}

/** The fraction digits the rule keeps, for a reason: `keeps 0 fraction digits`. */
export function describeRule(rule: FractionRule): string {
  switch (rule.kind) {
    case 'digits':
      return rule.digits === 0 ? 'keeps whole seconds' : `keeps ${rule.digits} fraction digits`;
    case 'ticks300':
      return 'keeps 1/300 s (.000, .003, .007)';
    case 'minutes':
      return 'keeps whole minutes';
  }
}

/**
 * The text cut (`round` false) or rounded to what the rule keeps, with a carry into the seconds (and so
 * the date) when rounding up reaches the next unit. The zone suffix is kept as written.
 */
export function fitFraction(parts: TemporalParts, rule: FractionRule, round: boolean): string {
  const seconds = Number(`0.${parts.fraction || '0'}`);
  let kept: number; // fraction kept, in units of 1/scale s
  let scale: number;
  let digits: number;
  switch (rule.kind) {
    case 'digits':
      digits = rule.digits;
      scale = 10 ** digits;
      kept = fractionUnits(parts.fraction, digits, round);
      break;
    case 'ticks300': {
      digits = 3;
      scale = 1000;
      const ticks = round ? Math.round(seconds * 300) : Math.floor(seconds * 300 + 1e-9);
      kept = Math.round((ticks * 1000) / 300);
      break;
    }
    case 'minutes': {
      const head = parts.head;
      const secondText = head.length >= 3 && head[head.length - 3] === ':' ? head.slice(-2) : '00';
      const total = Number(secondText) + seconds;
      const base = head.length >= 3 && head[head.length - 3] === ':' ? head.slice(0, -3) : head;
      const up = round && total >= 30;
      const minute = `${base}:00`;
      return (up ? addSeconds(minute, 60) : minute) + parts.zone;
    }
  }
  let head = parts.head;
  if (kept >= scale) {
    head = addSeconds(head, 1);
    kept -= scale;
  }
  const fraction = digits === 0 ? '' : String(kept).padStart(digits, '0').replace(/0+$/, '');
  return `${head}${fraction ? `.${fraction}` : ''}${parts.zone}`;
}

// The first `digits` digits of a fraction as an integer, rounded half up on the next digit when asked.
function fractionUnits(fraction: string, digits: number, round: boolean): number {
  const head = fraction.slice(0, digits).padEnd(digits, '0');
  let units = digits === 0 ? 0 : Number(head);
  if (round && fraction.length > digits && fraction.charCodeAt(digits) >= 53) units++;
  return units;
}

// Adds seconds to `YYYY-MM-DDTHH:mm:ss` (or `HH:mm:ss`, wrapping at midnight) without touching its zone.
function addSeconds(head: string, seconds: number): string {
  const time = /^(\d{2}):(\d{2}):(\d{2})$/.exec(head);
  if (time) {
    const total = (Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[3]) + seconds) % 86400;
    const two = (n: number) => String(n).padStart(2, '0');
    return `${two(Math.floor(total / 3600))}:${two(Math.floor(total / 60) % 60)}:${two(total % 60)}`;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/.exec(head);
  if (!m) return head;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]) + seconds);
  const iso = date.toISOString();
  return `${iso.slice(0, 10)}${head[10]}${iso.slice(11, 19)}`;
}

/**
 * The UTC text of a date or date-time in the range's layout (`YYYY-MM-DDTHH:mm:ss.fffffffff`), to compare
 * with a range; undefined when the year is not four digits (the type checks reject those first).
 */
export function utcRangeText(parts: TemporalParts): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(parts.head);
  if (!m) return undefined;
  let head = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}`;
  const zone = parts.zone;
  if (zone !== '' && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || 0) * 60);
    head = addSeconds(head, -offset);
  }
  return `${head}.${parts.fraction.slice(0, MAX_DIGITS).padEnd(MAX_DIGITS, '0')}`;
}
