import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CIVIL,
  canonicalizerFor,
  civilFromDays,
  NULL_TEXT,
  SPLIT,
  splitMicros,
} from '../../src/mappers/canonical-value.ts';
import { col } from './plan-fixtures.ts';

const micros = (iso: string, extraMicros = 0) => String(Date.parse(iso) * 1000 + extraMicros);

describe('canonical timestamps', () => {
  const ts = canonicalizerFor(col('t', 'timestamp'), 'postgres');

  it('reads every shape drivers and files give as the same instant', () => {
    const instant = micros('2024-03-01T10:00:00.000Z', 123_456);
    for (const text of [
      '2024-03-01T10:00:00.123456',
      '2024-03-01 10:00:00.123456',
      '2024-03-01T10:00:00.123456Z',
      '2024-03-01T10:00:00.123456z',
      '2024-03-01T10:00:00,123456Z',
      '2024-03-01T11:00:00.123456+01:00',
      '2024-03-01T11:00:00.123456+0100',
      '2024-03-01T11:00:00.123456+01',
      '2024-03-01T04:30:00.123456-05:30',
      '2024-03-01 11:00:00.123456 +01:00',
      ' 2024-03-01T10:00:00.123456Z ',
      '2024-03-01T10:00:00.1234564Z',
    ])
      expect([text, ts(text)]).toEqual([text, instant]);
  });

  it('keeps every microsecond far from 1970, where a double no longer holds them', () => {
    const big = (iso: string, fraction: number) =>
      (BigInt(Date.parse(iso) / 1000) * 1_000_000n + BigInt(fraction)).toString();
    expect(ts('9999-12-31T23:59:59.999999')).toBe(big('9999-12-31T23:59:59Z', 999_999));
    expect(ts('9999-12-31 23:59:59.999998')).toBe(big('9999-12-31T23:59:59Z', 999_998));
    expect(ts('1000-01-01T00:00:00.000001')).toBe(big('1000-01-01T00:00:00Z', 1));
    expect(ts('1000-01-01T00:00:00')).not.toBe(ts('1000-01-01T00:00:00.000001'));
    // The same instant in other zones, and a 7th digit rounded, still read alike.
    expect(ts('9999-12-31T22:59:59.999990-01:00')).toBe(ts('9999-12-31T23:59:59.99999Z'));
    expect(ts('9999-12-31T23:59:59.9999984')).toBe(ts('9999-12-31T23:59:59.999998'));
    // Rounded to the column's fraction digits, half up, past 2^53 too.
    const ms = canonicalizerFor(
      col('t', 'timestamp', { nativeType: 'timestamp(3)', precision: 3 }),
      'postgres',
    );
    expect(ms('9999-12-31T23:59:59.123500')).toBe(big('9999-12-31T23:59:59Z', 124_000));
    expect(ms('1000-01-01T00:00:00.000400')).toBe(big('1000-01-01T00:00:00Z', 0));
  });

  it('crosses days, months and leap days with the offset', () => {
    expect(ts('2024-03-01T00:30:00+01:00')).toBe(micros('2024-02-29T23:30:00Z'));
    expect(ts('2023-12-31T23:00:00-02:00')).toBe(micros('2024-01-01T01:00:00Z'));
  });

  it('scales short fractions and rounds long ones to the microsecond', () => {
    expect(ts('2024-03-01T10:00:00.5')).toBe(micros('2024-03-01T10:00:00Z', 500_000));
    expect(ts('2024-03-01T10:00:00.000001')).toBe(micros('2024-03-01T10:00:00Z', 1));
    expect(ts('2024-03-01T10:00:00.0000005')).toBe(micros('2024-03-01T10:00:00Z', 1));
    expect(ts('2024-03-01T10:00:00.999999449')).toBe(micros('2024-03-01T10:00:00Z', 999_999));
  });

  it('reads dates and minutes without seconds, and keeps what is not a timestamp as it is', () => {
    expect(ts('2024-03-01')).toBe(micros('2024-03-01T00:00:00Z'));
    expect(ts('2024-03-01T10:00')).toBe(micros('2024-03-01T10:00:00Z'));
    for (const text of [
      '2024-03-01T10:00:00.',
      '2024-03-01T10:00:00+01:',
      '2024-03-01T10:00:00+1',
      'soon',
      '2024/03/01 10:00:00',
    ])
      expect(ts(text)).toBe(text);
    expect(ts(null)).toBe(NULL_TEXT);
  });

  it('rounds to the column precision', () => {
    const seconds = canonicalizerFor(col('t', 'timestamp'), 'mysql');
    expect(seconds('2024-03-01T10:00:00.5Z')).toBe(micros('2024-03-01T10:00:01Z'));
    expect(seconds('2024-03-01 10:00:00.4')).toBe(micros('2024-03-01T10:00:00Z'));
  });
});

describe('canonical integers', () => {
  const integer = canonicalizerFor(col('i', 'integer'));

  it('prints numbers, bigints and integer texts alike', () => {
    expect(integer(42)).toBe('42');
    expect(integer(-42)).toBe(integer('-042'));
    expect(integer(2 ** 53 + 2)).toBe('9007199254740994');
    expect(integer(1e21)).toBe('1000000000000000000000');
    expect(integer(12345678901234567890n)).toBe(integer('+12345678901234567890'));
  });
});

describe('instants as calendar parts', () => {
  // Days from year 1 to 9999, the range PostgreSQL and the digests print.
  const days = fc.integer({ min: -719_162, max: 2_932_896 });

  it('turns days since 1970 into the date Date gives, and back through the canonicalizer', () => {
    const ts = canonicalizerFor(col('t', 'timestamp'), 'postgres');
    fc.assert(
      fc.property(days, (d) => {
        civilFromDays(d);
        const date = new Date(d * 86_400_000);
        expect([...CIVIL]).toEqual([date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]);
        // The canonicalizer keeps Date.UTC's reading of years 0–99 as 1900–1999.
        if (CIVIL[0]! < 100) return;
        const [year, month, day] = [...CIVIL].map((n, i) => String(n).padStart(i === 0 ? 4 : 2, '0'));
        expect(ts(`${year}-${month}-${day}T00:00:00Z`)).toBe(String(d * 86_400_000_000));
      }),
      { numRuns: 5000 },
    );
  });

  it('splits epoch microseconds into floored seconds and the rest, exactly past 2^53', () => {
    const micros = fc.bigInt({ min: -62_135_596_800_000_000n, max: 253_402_300_799_999_999n });
    fc.assert(
      fc.property(micros, (m) => {
        expect(splitMicros(String(m))).toBe(true);
        const [seconds, rest] = SPLIT;
        expect(BigInt(seconds!) * 1_000_000n + BigInt(rest!)).toBe(m);
        expect(rest).toBeGreaterThanOrEqual(0);
        expect(rest).toBeLessThan(1_000_000);
      }),
      { numRuns: 5000 },
    );
    expect(splitMicros('1.5')).toBe(false);
    expect(splitMicros('')).toBe(false);
  });
});
