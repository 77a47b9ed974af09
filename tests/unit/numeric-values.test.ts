import { describe, expect, it } from 'vitest';
import { numericValue } from '../../src/profilers/numeric-values.ts';

describe('dates and timestamps as days since 1970', () => {
  it('reads ISO dates and naive timestamps', () => {
    expect(numericValue('1970-01-02', 'date')).toBe(1);
    expect(numericValue('2024-01-05', 'date')).toBe(19727);
    expect(numericValue('2024-01-05T12:00:00', 'timestamp')).toBe(19727.5);
    expect(numericValue('0044-03-15', 'date')).toBe(Date.UTC(44 + 400, 2, 15) / 86_400_000 - 146_097);
  });

  it('gives no number for a text that is no date, rather than a made-up day', () => {
    // An SQLite DATE column holds whatever was written: `15/02/2024` is not 1489-04-24.
    for (const key of ['15/02/2024', '2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', 'n/a_______'])
      expect(numericValue(key, 'date'), key).toBeNaN();
    for (const key of [
      '15/02/2024 10:00',
      '2024-02-30T10:00:00',
      '2024-01-05T25:00:00',
      '2024-01-05T10:61:00',
    ])
      expect(numericValue(key, 'timestamp'), key).toBeNaN();
    expect(numericValue('2024-02-29', 'date')).toBe(19782);
  });
});
