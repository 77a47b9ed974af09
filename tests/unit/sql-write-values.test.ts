/** The UTC wall clock of instants written to zone-less columns: zones applied, texts already in form kept. */
import { describe, expect, test } from 'vitest';
import { utcWallClock } from '../../src/connectors/sql/sql-write-values.ts';

describe('utcWallClock', () => {
  test.each([
    ['2024-03-04T10:00:00', 'T', '2024-03-04T10:00:00'],
    ['2024-03-04T10:00:00.123456', 'T', '2024-03-04T10:00:00.123456'],
    ['2024-03-04 10:00:00', 'T', '2024-03-04T10:00:00'],
    ['2024-03-04T10:00:00', ' ', '2024-03-04 10:00:00'],
    ['2024-03-04 10:00:00.5', ' ', '2024-03-04 10:00:00.5'],
    ['2024-03-04T10:00', 'T', '2024-03-04T10:00:00'],
    ['2024-03-04T10:00:00Z', 'T', '2024-03-04T10:00:00'],
    ['2024-03-04T10:00:00.123456+01:00', 'T', '2024-03-04T09:00:00.123456'],
    ['2024-03-01T00:30:00-0100', 'T', '2024-03-01T01:30:00'],
    ['2024-03-01T00:30:00+02', ' ', '2024-02-29 22:30:00'],
    ['2024-03-04T10:00:0012', 'T', '2024-03-04T10:00:0012'],
    ['not a timestamp at all', 'T', 'not a timestamp at all'],
  ] as const)('%s with separator "%s" is %s', (text, separator, expected) => {
    expect(utcWallClock(text, separator)).toBe(expected);
  });
});
