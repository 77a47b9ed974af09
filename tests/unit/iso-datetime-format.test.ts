/**
 * The character-by-character ISO 8601 date-time check agrees with the grammar written as a regular
 * expression (the specification it replaced), on generated near-misses as much as on real timestamps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIsoDateTimeFormat } from '../../src/profilers/formats/dates.ts';
import { isValidDate } from '../../src/profilers/type-inference-classify.ts';

const GRAMMAR =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

function byGrammar(text: string): boolean {
  const m = GRAMMAR.exec(text);
  if (!m) return false;
  const seconds = m[6] === undefined ? 0 : Number(m[6]);
  return (
    isValidDate(Number(m[1]), Number(m[2]), Number(m[3])) &&
    Number(m[4]) < 24 &&
    Number(m[5]) < 60 &&
    seconds < 60
  );
}

// Pieces of timestamps, valid and not, glued in any order: most strings land near the grammar.
const piece = fc.constantFrom(
  '2024',
  '0000',
  '-',
  '02',
  '29',
  '30',
  '13',
  '00',
  '59',
  '60',
  'T',
  ' ',
  ':',
  '.',
  ',',
  '5',
  '123456',
  '1234567890',
  'Z',
  '+',
  '+01',
  '-05:30',
  '0530',
  'x',
  '',
  '24',
  '9',
);

describe('isIsoDateTimeFormat', () => {
  it('accepts and refuses as the grammar does', () => {
    for (const [text, expected] of [
      ['2024-02-29T23:59:59.123456789Z', true],
      ['2024-02-29 23:59', true],
      ['2023-02-29T10:00', false],
      ['2024-01-01T24:00', false],
      ['2024-01-01T10:00:60', false],
      ['2024-01-01T10:00:00.', false],
      ['2024-01-01T10:00:00.1234567890', false],
      ['2024-01-01T10:00+01', true],
      ['2024-01-01T10:00+0130', true],
      ['2024-01-01T10:00+01:30', true],
      ['2024-01-01T10:00+01:', false],
      ['2024-01-01T10:00+1', false],
      ['2024-01-01T10:00:00,5-05:00', true],
      ['2024-01-01T10:00.5', false],
      ['2024-01-01T10:00Zx', false],
    ] as const) {
      expect([text, isIsoDateTimeFormat(text)]).toEqual([text, expected]);
      expect(byGrammar(text)).toBe(expected);
    }
  });

  it('agrees with the grammar on generated strings', () => {
    const near = fc.array(piece, { maxLength: 14 }).map((parts) => parts.join(''));
    const shaped = fc
      .tuple(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 25 }),
        fc.integer({ min: 0, max: 61 }),
        fc.array(piece, { maxLength: 4 }),
      )
      .map(
        ([y, mo, d, h, mi, tail]) =>
          `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}${tail.join('')}`,
      );
    fc.assert(
      fc.property(fc.oneof(near, shaped, fc.string()), (text) => {
        expect(isIsoDateTimeFormat(text)).toBe(byGrammar(text));
      }),
      { numRuns: 20_000 },
    );
  });
});
