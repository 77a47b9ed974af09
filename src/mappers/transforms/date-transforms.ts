/**
 * Date transforms: `date` (to `YYYY-MM-DD`) and `datetime` (local times of a zone to ISO 8601 UTC, or
 * instants to local times of a zone with `local: true`), with
 * explicit formats tried in order, then ISO 8601: a value already of the target's kind (a date from a
 * database, a file's date column the scan has typed) always passes.
 */

import type { Value } from '../../connectors/types.ts';
import { zeroDateReason } from '../zero-date.ts';
import { compileDateFormat, type DateParser, newDateFields, SERIAL_FORMATS } from './date-format.ts';
import {
  fail,
  type StepFailure,
  TransformArgumentError,
  type TransformDefinition,
  type TransformFn,
} from './transform-types.ts';
import { isKnownZone, wallClockMs, ZoneClock } from './zone-clock.ts';

interface DateArgs {
  readonly formats?: readonly string[];
  readonly zone?: string;
  readonly locale?: string;
  /** `datetime`: output the zone's local time without an offset, for a column without a time zone. */
  readonly local?: boolean;
}

const DEFAULT_LOCALE = 'fr';

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** `YYYY-MM-DD` of a real day. */
function isoDate(year: number, month: number, day: number): string {
  const y = year >= 1000 ? String(year) : String(year).padStart(4, '0');
  return `${y}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}`;
}

function normaliseArgs(args: unknown): DateArgs {
  if (typeof args === 'string') return { formats: [args] };
  if (args && typeof args === 'object') return args as DateArgs;
  return {};
}

/**
 * The parsers of `formats`, then ISO 8601 when they do not name it: a file's date column is typed by the scan
 * before any mapping sees it (`04/06/1993` arrives as `1993-06-04`), and an ISO date is never ambiguous.
 */
function compileFormats(formats: readonly string[], zone: string, locale: string): DateParser[] {
  const parsers = formats.map((format, i) => {
    try {
      return compileDateFormat(format, zone, locale);
    } catch (error) {
      throw new TransformArgumentError((error as Error).message, `.formats[${i}]`);
    }
  });
  if (!formats.includes('iso')) parsers.push(compileDateFormat('iso', zone, locale));
  return parsers;
}

/** Throws TransformArgumentError (at `.zone`) for a zone that is no IANA name. */
export function checkZone(zone: string | undefined): void {
  if (zone !== undefined && !isKnownZone(zone)) {
    throw new TransformArgumentError(
      `unknown time zone "${zone}" (an IANA name such as Europe/Paris)`,
      '.zone',
    );
  }
}

function formatList(formats: readonly string[]): string {
  return formats
    .map((f) => (f === 'iso' ? 'ISO 8601' : SERIAL_FORMATS.has(f) ? `${f} serial days` : f))
    .join(' or ');
}

/** The text a step parses: a number too when a serial format (`excel`) reads it; else undefined. */
function textOf(value: Value, serials: boolean): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (serials && typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function dateStep(args: DateArgs): TransformFn {
  const formats = args.formats ?? ['iso'];
  checkZone(args.zone);
  const clock = args.zone ? new ZoneClock(args.zone) : undefined;
  const parsers = compileFormats(formats, args.zone ?? 'UTC', args.locale ?? DEFAULT_LOCALE);
  const fields = newDateFields();
  const reason = `is not a date in ${formatList(formats)}`;
  const serials = formats.some((f) => SERIAL_FORMATS.has(f));
  return (value: Value, _row, failure: StepFailure) => {
    if (value === null || value === undefined) return null;
    const text = textOf(value, serials);
    if (text === undefined) return fail(failure, reason, 'REJECT_TYPE');
    if (text.length === 0) return null;
    for (let p = 0; p < parsers.length; p++) {
      if (!parsers[p]!(text, fields)) continue;
      // An instant written with its offset is placed in the zone before its day is taken.
      if (clock && !Number.isNaN(fields.offset)) {
        const instant =
          wallClockMs(fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second, 0) -
          fields.offset * 60_000;
        return clock.localDate(instant);
      }
      return isoDate(fields.year, fields.month, fields.day);
    }
    return fail(failure, zeroDateReason(text) ?? reason);
  };
}

function datetimeStep(args: DateArgs): TransformFn {
  if (!args.zone) {
    throw new TransformArgumentError(
      'needs the zone its local times are in: { datetime: { formats: [dd/MM/yyyy HH:mm], zone: Europe/Paris } }',
    );
  }
  checkZone(args.zone);
  const formats = args.formats ?? ['iso'];
  const clock = new ZoneClock(args.zone);
  const parsers = compileFormats(formats, args.zone, args.locale ?? DEFAULT_LOCALE);
  const fields = newDateFields();
  const reason = `is not a date-time in ${formatList(formats)}`;
  const skipped = `does not exist in ${args.zone} (the clocks skip that time)`;
  const serials = formats.some((f) => SERIAL_FORMATS.has(f));
  const local = args.local === true;
  return (value: Value, _row, failure: StepFailure) => {
    if (value === null || value === undefined) return null;
    const text = textOf(value, serials);
    if (text === undefined) return fail(failure, reason, 'REJECT_TYPE');
    if (text.length === 0) return null;
    for (let p = 0; p < parsers.length; p++) {
      fields.subMillisecond = '';
      if (!parsers[p]!(text, fields)) continue;
      let instant = fields.instant;
      if (Number.isNaN(instant)) {
        instant = Number.isNaN(fields.offset)
          ? clock.toInstant(
              fields.year,
              fields.month,
              fields.day,
              fields.hour,
              fields.minute,
              fields.second,
              fields.millisecond,
            )
          : wallClockMs(
              fields.year,
              fields.month,
              fields.day,
              fields.hour,
              fields.minute,
              fields.second,
              fields.millisecond,
            ) -
            fields.offset * 60_000;
        if (Number.isNaN(instant)) return fail(failure, skipped);
      }
      const written = local ? clock.localDateTime(instant) : new Date(instant).toISOString();
      return fields.subMillisecond === '' ? written : withSubMillisecond(written, fields.subMillisecond);
    }
    return fail(failure, zeroDateReason(text) ?? reason);
  };
}

/** `2024-07-01T10:00:00.123Z` with `456` after its milliseconds: `2024-07-01T10:00:00.123456Z`. */
function withSubMillisecond(iso: string, digits: string): string {
  const at = iso.search(/\.\d{3}/);
  return at < 0 ? iso : `${iso.slice(0, at + 4)}${digits}${iso.slice(at + 4)}`;
}

/** The date transforms by name. */
export const DATE_TRANSFORMS: readonly TransformDefinition[] = [
  {
    name: 'date',
    example: '{ date: { formats: [dd/MM/yyyy, yyyy-MM-dd] } }',
    produces: 'date',
    create: (args) => dateStep(normaliseArgs(args)),
  },
  {
    name: 'datetime',
    example: '{ datetime: { formats: [dd/MM/yyyy HH:mm], zone: Europe/Paris } }',
    produces: 'timestamp',
    create: (args) => datetimeStep(normaliseArgs(args)),
  },
];
