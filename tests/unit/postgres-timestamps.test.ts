/**
 * PostgreSQL timestamp text as the reader hands it over: ISO 8601 with `T`, `Z` for a UTC session's
 * `+00`, `±HH:MM` offsets; special values unchanged. Checked against the rule written as regular
 * expressions, which the character checks replaced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postgresTimestampToIso } from '../../src/connectors/postgres/postgres-types.ts';

function byRule(text: string): string {
  if (!/^\d/.test(text)) return text;
  const iso = text.replace(' ', 'T');
  if (iso.endsWith('+00')) return `${iso.slice(0, -3)}Z`;
  return iso.replace(/([+-]\d{2})$/, '$1:00');
}

describe('postgresTimestampToIso', () => {
  it('converts the server texts', () => {
    expect(postgresTimestampToIso('2021-03-04 10:00:00.5+00')).toBe('2021-03-04T10:00:00.5Z');
    expect(postgresTimestampToIso('2021-03-04 10:00:00-03')).toBe('2021-03-04T10:00:00-03:00');
    expect(postgresTimestampToIso('2021-03-04 10:00:00+05:30')).toBe('2021-03-04T10:00:00+05:30');
    expect(postgresTimestampToIso('2021-03-04 10:00:00.123456')).toBe('2021-03-04T10:00:00.123456');
    expect(postgresTimestampToIso('12021-03-04 10:00:00+00')).toBe('12021-03-04T10:00:00Z');
    expect(postgresTimestampToIso('infinity')).toBe('infinity');
    expect(postgresTimestampToIso('-infinity')).toBe('-infinity');
  });

  it('agrees with the rule on generated texts', () => {
    const piece = fc.constantFrom(
      '2024-01-02',
      ' ',
      '10:00:00',
      '.5',
      '.123456',
      '+00',
      '+05',
      '-03',
      '+05:30',
      'infinity',
      '-',
      ' BC',
      '0',
      '+',
      '',
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(piece, { maxLength: 6 }).map((p) => p.join('')),
          fc.string(),
        ),
        (t) => {
          expect(postgresTimestampToIso(t)).toBe(byRule(t));
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
