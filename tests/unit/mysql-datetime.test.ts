/**
 * MySQL DATETIME/TIMESTAMP texts to ISO: the character reader must accept and refuse exactly what the
 * pattern `^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$` with a month and a day other than 00 does,
 * on generated texts near that shape.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mysqlDateTimeToIso } from '../../src/connectors/mysql/mysql-types.ts';

const SHAPE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

function byPattern(text: string, utc: boolean): string {
  const match = SHAPE.exec(text);
  if (!match || match[2] === '00' || match[3] === '00') return text;
  return `${match[1]}-${match[2]}-${match[3]}T${match[4]}${utc ? 'Z' : ''}`;
}

describe('mysqlDateTimeToIso', () => {
  it('converts dated values and keeps zero dates', () => {
    expect(mysqlDateTimeToIso('2021-03-04 10:00:00.5', true)).toBe('2021-03-04T10:00:00.5Z');
    expect(mysqlDateTimeToIso('2021-03-04 10:00:00', false)).toBe('2021-03-04T10:00:00');
    expect(mysqlDateTimeToIso('0000-00-00 00:00:00', false)).toBe('0000-00-00 00:00:00');
    expect(mysqlDateTimeToIso('2021-00-04 10:00:00', false)).toBe('2021-00-04 10:00:00');
    expect(mysqlDateTimeToIso('2021-03-04 10:00:00.', false)).toBe('2021-03-04 10:00:00.');
  });

  it('agrees with the pattern on texts near the shape', () => {
    const char = fc.constantFrom('0', '1', '9', '-', ' ', ':', '.', 'x', 'T');
    const near = fc
      .tuple(
        fc.constantFrom(
          '2021-03-04 10:00:00',
          '0000-00-00 00:00:00',
          '1999-12-00 23:59:59',
          '2021-03-04 10:00:00.123456',
        ),
        fc.array(fc.tuple(fc.nat(26), char), { maxLength: 3 }),
        fc.nat(3),
      )
      .map(([base, edits, cut]) => {
        const chars = [...base];
        for (const [at, c] of edits) chars[at % (chars.length + 1)] = c;
        return chars.join('').slice(0, chars.length - (cut === 3 ? 1 : 0));
      });
    fc.assert(
      fc.property(near, fc.boolean(), (text, utc) => {
        expect(mysqlDateTimeToIso(text, utc)).toBe(byPattern(text, utc));
      }),
      { numRuns: 2000 },
    );
  });
});
