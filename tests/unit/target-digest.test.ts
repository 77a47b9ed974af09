/**
 * The row hash of the verification inside the target: `lookup3` must be PostgreSQL's
 * `hashtextextended(text, 0)` bit for bit (values taken from PostgreSQL 15), for every length of the
 * last block and for multi-byte text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Column } from '../../src/core/inventory.ts';
import { canonicalizerFor } from '../../src/mappers/canonical-value.ts';
import { lookup3, writeInstant, writePlainInstant, writeScaled } from '../../src/mappers/target-digest.ts';

const POSTGRES = [
  ['', -6939563903564495251n],
  ['a', 3591986179850072241n],
  ['abcd', -1038429303365892052n],
  ['abcdefgh', -8882191227074733005n],
  ['abcdefghijk', 3112909444737856467n],
  ['abcdefghijkl', -7556637188122330412n],
  ['(1,C00000001,"Client 1 SARL, Lyon — entrepôt 1",0.37)', 4354678694295261415n],
] as const;

describe('lookup3', () => {
  it.each(POSTGRES)('hashes %j as hashtextextended does', (text, expected) => {
    const bytes = Buffer.from(text, 'utf8');
    const out = new Uint32Array(2);
    lookup3(bytes, bytes.length, out);
    expect(BigInt.asIntN(64, (BigInt(out[0]!) << 32n) | BigInt(out[1]!))).toBe(expected);
  });
});

describe('writeScaled', () => {
  const scaled = (text: string, scale: number) => {
    const out = Buffer.alloc(text.length + scale + 1);
    const end = writeScaled(out, text, 0, scale);
    return end < 0 ? undefined : out.toString('latin1', 0, end);
  };

  it('pads a canonical decimal to its column scale, as the database prints it', () => {
    expect(scaled('12', 2)).toBe('12.00');
    expect(scaled('-0.5', 2)).toBe('-0.50');
    expect(scaled('1.25', 2)).toBe('1.25');
    expect(scaled('42', 0)).toBe('42');
  });

  it('refuses a longer fraction (the database rounded it) and any text that is not a plain decimal', () => {
    for (const text of ['1.234', '1.5', '', '-', '-.5', '.5', '1.', '+1', '1e3', '1,5', '--1'])
      expect(scaled(text, text === '1.5' ? 0 : 2)).toBeUndefined();
  });
});

describe('writePlainInstant', () => {
  const column = { name: 'at', type: 'timestamp', nativeType: 'timestamp without time zone' } as Column;
  const canonical = canonicalizerFor(column, 'postgres');
  const written = (write: (out: Buffer) => number) => {
    const out = Buffer.alloc(64);
    const end = write(out);
    return end < 0 ? undefined : out.toString('latin1', 0, end);
  };
  const plain = (value: string) => written((out) => writePlainInstant(out, value, 0));
  const fromCanonical = (value: string) => written((out) => writeInstant(out, canonical(value), 0, false));
  const pad = (n: number, width: number) => String(n).padStart(width, '0');

  it('writes what the canonical path writes, for every date-time it takes and some it does not', () => {
    // Components past their ranges too (month 13, day 31 of a 30-day month, hour 24): those fall back.
    const parts = fc.tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
      fc.constantFrom('T', ' ', 't', '_'),
    );
    fc.assert(
      fc.property(parts, ([year, month, day, hour, minute, second, separator]) => {
        const value = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}${separator}${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
        const fast = plain(value);
        const valid =
          year >= 100 &&
          (separator === 'T' || separator === ' ') &&
          hour < 24 &&
          minute < 60 &&
          second < 60 &&
          month >= 1 &&
          month <= 12 &&
          day >= 1 &&
          day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
        expect(fast !== undefined).toBe(valid);
        if (fast !== undefined) expect(fast).toBe(fromCanonical(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('takes only the plain shape: a fraction, a zone or another length go the canonical way', () => {
    expect(plain('2024-02-29T12:34:56')).toBe('"2024-02-29 12:34:56"');
    expect(plain('2023-02-29T12:34:56')).toBeUndefined();
    expect(plain('2024-02-29T12:34:56.5')).toBeUndefined();
    expect(plain('2024-02-29T12:34:56Z')).toBeUndefined();
    expect(plain('2024-02-29T12:34')).toBeUndefined();
    expect(plain('0099-12-31T00:00:00')).toBeUndefined();
  });

  it('writes the edges of the calendar as the canonical path does', () => {
    for (const value of [
      '2000-02-29T00:00:00',
      '0100-01-01T00:00:00',
      '9999-12-31T23:59:59',
      '2024-12-31 23:59:59',
    ])
      expect(plain(value)).toBe(fromCanonical(value));
    // 1900 is not a leap year; 24:00 and a 60th second roll over in the database: all go the canonical way.
    for (const value of [
      '1900-02-29T00:00:00',
      '2023-04-31T00:00:00',
      '2024-01-01T24:00:00',
      '2024-01-01T23:59:60',
    ])
      expect(plain(value)).toBeUndefined();
  });

  it('refuses a text with any character out of place', () => {
    const valid = '2024-02-29T12:34:56';
    const characters = fc.constantFrom('0', '9', 'a', '-', ':', ' ', 'T', '/', '٣', '\u0000');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 18 }), characters, (i, c) => {
        const value = valid.slice(0, i) + c + valid.slice(i + 1);
        const fast = plain(value);
        if (fast !== undefined) expect(fast).toBe(fromCanonical(value));
        // Only the same character, a digit for a digit or a space for the T can be taken.
        const kept = c === valid[i] || (/\d/.test(valid[i]!) && /^[0-9]$/.test(c)) || (i === 10 && c === ' ');
        if (!kept) expect(fast).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});
