/**
 * Local wall-clock times of one IANA zone to instants, with luxon doing the zone arithmetic. Luxon costs
 * microseconds per call, so the offset of each local hour is cached once it is known to hold for the
 * whole hour; hours that contain a clock change (and the rare historical odd offsets) go to luxon every
 * time.
 */
import { DateTime, IANAZone } from 'luxon';

const HOUR_MS = 3_600_000;
/** Days in 400 Gregorian years: shifting by it keeps Date.UTC away from its 0–99 → 1900s rule. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;
const MAX_CACHED_HOURS = 100_000;
const UNCACHEABLE = Number.NaN;

/** Milliseconds of a wall-clock time read as if it were UTC, for any year 1–9999. */
export function wallClockMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
): number {
  return Date.UTC(year + 400, month - 1, day, hour, minute, second, millisecond) - FOUR_CENTURIES_MS;
}

/** True when luxon knows the zone (`Europe/Paris`, `UTC`, `America/Cayenne`). */
export function isKnownZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Converts wall-clock times of one zone to instants. */
export class ZoneClock {
  readonly zone: string;
  private readonly offsets = new Map<number, number>();

  constructor(zone: string) {
    this.zone = zone;
  }

  /** The instant (ms since 1970 UTC) of a wall-clock time, or NaN when the clocks skip it (spring forward). */
  toInstant(
    year: number,
    month: number,
    day: number,
    hour: number,
    minute: number,
    second: number,
    millisecond: number,
  ): number {
    const wall = wallClockMs(year, month, day, hour, minute, second, millisecond);
    const hourKey = Math.floor(wall / HOUR_MS);
    let offset = this.offsets.get(hourKey);
    if (offset === undefined) {
      offset = this.hourOffset(year, month, day, hour);
      if (this.offsets.size >= MAX_CACHED_HOURS) this.offsets.clear();
      this.offsets.set(hourKey, offset);
    }
    if (!Number.isNaN(offset)) return wall - offset * 60_000;
    const exact = DateTime.fromObject(
      { year, month, day, hour, minute, second, millisecond },
      { zone: this.zone },
    );
    // Luxon moves a skipped time forward; a time that does not exist is no instant.
    if (exact.hour !== hour || exact.minute !== minute || exact.day !== day) return Number.NaN;
    return exact.toMillis();
  }

  /** The local date-time of an instant in this zone, ISO 8601 without an offset (`2024-07-01T14:30:00.000`). */
  localDateTime(instant: number): string {
    return DateTime.fromMillis(instant, { zone: this.zone }).toISO({ includeOffset: false })!;
  }

  /** The local date (`YYYY-MM-DD`) of an instant in this zone. */
  localDate(instant: number): string {
    return DateTime.fromMillis(instant, { zone: this.zone }).toISODate()!;
  }

  /** The offset (minutes) that holds for the whole local hour, or NaN when it changes within it. */
  private hourOffset(year: number, month: number, day: number, hour: number): number {
    const start = DateTime.fromObject({ year, month, day, hour }, { zone: this.zone });
    const end = DateTime.fromObject(
      { year, month, day, hour, minute: 59, second: 59, millisecond: 999 },
      { zone: this.zone },
    );
    const whole = start.hour === hour && start.minute === 0 && end.hour === hour && end.minute === 59;
    return whole && start.offset === end.offset ? start.offset : UNCACHEABLE;
  }
}
