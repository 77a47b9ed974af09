import { describe, expect, it } from 'vitest';
import { canonicalizerFor, NULL_TEXT } from '../../src/mappers/canonical-value.ts';
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
