import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TypeInference, type TypeInferenceOptions } from '../../src/profilers/type-inference.ts';
import {
  VALUE_CLASS as C,
  classifyText,
  classifyValue,
} from '../../src/profilers/type-inference-classify.ts';
import {
  type ConversionPlan,
  convertClassified,
  convertValue,
  INVALID,
} from '../../src/profilers/type-inference-convert.ts';

function infer(values: readonly unknown[], options: TypeInferenceOptions = {}) {
  const inference = new TypeInference(options);
  for (const value of values) inference.add(value);
  return inference.result();
}

describe('classifyText', () => {
  it.each([
    ['', C.EMPTY],
    ['  ', C.EMPTY],
    ['Dupont', C.TEXT],
    ['OUI', C.BOOL_WORD],
    ['faux', C.BOOL_WORD],
    ['1', C.ZERO_ONE],
    ['42', C.DIGITS],
    ['-42', C.SIGNED_INT],
    ['01000', C.CODE],
    ['2A004', C.CODE],
    ['2b033', C.CODE],
    ['-007', C.TEXT],
    ['+42', C.SIGNED_INT],
    ['+1234567', C.SIGNED_INT],
    ['+33612345678', C.TEXT],
    ['+590690123456', C.TEXT],
    ['-33612345678', C.SIGNED_INT],
    ['1 234 567', C.SPACE_GROUPED_INT],
    ['1\u00a0234', C.SPACE_GROUPED_INT],
    ['1\u202f234\u202f567', C.SPACE_GROUPED_INT],
    // Codes written in groups keep their leading zero: a SIREN, a postal code.
    ['012 345 678', C.TEXT],
    ['01 000', C.TEXT],
    ['01\u00a0000', C.TEXT],
    ['01.234.567', C.TEXT],
    ['01 234,56', C.TEXT],
    ['0 234', C.TEXT],
    ['1.234.567', C.DOT_GROUPED_INT],
    ['1,234,567', C.COMMA_GROUPED_INT],
    ['1.234', C.DOT_AMBIGUOUS],
    ['1,234', C.COMMA_AMBIGUOUS],
    ['12.5', C.DOT_DECIMAL],
    ['-12.5', C.DOT_DECIMAL],
    ['12,5', C.COMMA_DECIMAL],
    ['1 234,56', C.COMMA_DECIMAL],
    ['1.234,56', C.COMMA_DECIMAL],
    ['1,234.56', C.DOT_DECIMAL],
    ['2024-01-31', C.DATE_ISO],
    ['2024-02-30', C.TEXT],
    ['31/01/2024', C.DATE_DMY],
    ['31.01.2024', C.DATE_DMY],
    ['01/31/2024', C.TEXT],
    ['20240131', C.DATE_COMPACT],
    ['20241331', C.DIGITS],
    ['2024-01-31T10:20', C.TIMESTAMP_ISO],
    ['2024-01-31 10:20:30', C.TIMESTAMP_ISO],
    ['2024-01-31T10:20:30.123+02:00', C.TIMESTAMP_ISO],
    ['31/01/2024 10:20', C.TIMESTAMP_DMY],
    ['12:30', C.TEXT],
  ])('%j is class %i', (text, expected) => {
    expect(classifyText(text)).toBe(expected);
  });

  it('reads month first when told', () => {
    expect(classifyText('01/31/2024', 'mdy')).toBe(C.DATE_DMY);
    expect(classifyText('31/01/2024', 'mdy')).toBe(C.TEXT);
  });

  it('classifies typed cell values', () => {
    expect(classifyValue(3)).toBe(C.NATIVE_INT);
    expect(classifyValue(3.5)).toBe(C.NATIVE_DECIMAL);
    expect(classifyValue(true)).toBe(C.NATIVE_BOOL);
    expect(classifyValue(new Date(Date.UTC(2024, 0, 31)))).toBe(C.NATIVE_DATE);
    expect(classifyValue(new Date(Date.UTC(2024, 0, 31, 10)))).toBe(C.NATIVE_TIMESTAMP);
    expect(classifyValue(null)).toBe(C.EMPTY);
  });
});

describe('TypeInference', () => {
  it('types uniform columns', () => {
    expect(infer(['1', '2', '', '300'])).toMatchObject({
      type: 'integer',
      dominant: 'integer',
      conformance: 1,
      count: 4,
      nulls: 1,
    });
    expect(infer(['12,5', '1 234,56', '3'])).toMatchObject({ type: 'decimal', decimalSeparator: ',' });
    expect(infer(['12.5', '3'])).toMatchObject({ type: 'decimal', decimalSeparator: '.' });
    expect(infer(['31/01/2024', '2024-02-01'])).toMatchObject({ type: 'date', dateLayouts: ['iso', 'dmy'] });
    expect(infer(['20240131', '20231201'])).toMatchObject({ type: 'date', dateLayouts: ['compact'] });
    expect(infer(['2024-01-31', '2024-01-31T10:00'])).toMatchObject({ type: 'timestamp' });
    expect(infer(['oui', 'non', 'Oui'])).toMatchObject({ type: 'boolean' });
  });

  it('takes 0/1 as booleans only with other evidence', () => {
    expect(infer(['0', '1', '1'])).toMatchObject({ type: 'integer' });
    expect(infer(['0', '1', 'yes'])).toMatchObject({ type: 'boolean' });
  });

  it('keeps codes with leading zeros as text', () => {
    expect(infer(['01000', '75001', '13055'])).toMatchObject({
      type: 'string',
      dominant: 'code',
      conformance: 1,
    });
    expect(infer(['2A004', '2B033', '75056'])).toMatchObject({
      type: 'string',
      dominant: 'code',
      conformance: 1,
    });
  });

  it('settles ambiguous thousands by the other values, then the hint', () => {
    expect(infer(['1.234', '12.345.678'])).toMatchObject({ type: 'integer', decimalSeparator: ',' });
    expect(infer(['1.234', '2.5'])).toMatchObject({ type: 'decimal', decimalSeparator: '.' });
    expect(infer(['1.234', '5.678'], { decimalHint: ',' })).toMatchObject({
      type: 'integer',
      decimalSeparator: ',',
    });
    expect(infer(['1.234', '5.678'])).toMatchObject({ type: 'decimal', decimalSeparator: '.' });
    // No grouping starts with 0: `0.750` is a decimal, and settles `1.500` as 1.5 whatever the hint.
    expect(infer(['1.500', '0.750', '2.125'], { decimalHint: ',' })).toMatchObject({
      type: 'decimal',
      decimalSeparator: '.',
    });
    expect(infer(['1,500', '-0,750'], { decimalHint: '.' })).toMatchObject({
      type: 'decimal',
      decimalSeparator: ',',
    });
  });

  it('makes a mixed column text and records the share of the dominant type', () => {
    const result = infer(['1', '2', '3', 'n/a', '', '5']);
    expect(result).toMatchObject({
      type: 'string',
      dominant: 'integer',
      conformance: 0.8,
      nulls: 1,
      count: 6,
    });
    expect(infer(['Paris', 'Lyon', '3'])).toMatchObject({
      type: 'string',
      dominant: 'text',
      conformance: 2 / 3,
    });
    expect(infer(['', ''])).toMatchObject({ type: 'string', dominant: 'empty', nulls: 2 });
  });

  it('merges shards into the same result as one pass', () => {
    const values = ['1', '2,5', '', 'x', '4'];
    const a = new TypeInference();
    const b = new TypeInference();
    for (const [i, value] of values.entries()) (i % 2 === 0 ? a : b).add(value);
    a.merge(b);
    expect(a.result()).toEqual(infer(values));
  });
});

describe('convertValue', () => {
  const plan = (
    type: 'integer' | 'decimal' | 'date' | 'timestamp' | 'boolean' | 'string',
    decimalSeparator: ',' | '.' = '.',
  ) => ({ type, decimalSeparator, dateOrder: 'dmy' }) as const;

  it('converts text to contract values', () => {
    expect(convertValue('1 234', plan('integer'))).toBe(1234);
    expect(convertValue('1.234.567', plan('integer', ','))).toBe(1234567);
    expect(convertValue('12345678901234567890', plan('integer'))).toBe(12345678901234567890n);
    expect(convertValue('1 234,50', plan('decimal', ','))).toBe('1234.50');
    expect(convertValue('+1,234.5', plan('decimal'))).toBe('1234.5');
    expect(convertValue('31/01/2024', plan('date'))).toBe('2024-01-31');
    expect(convertValue('20240131', plan('date'))).toBe('2024-01-31');
    expect(convertValue('1/2/2024 9:05', plan('timestamp'))).toBe('2024-02-01T09:05:00');
    expect(convertValue('2024-01-31T10:20:30+02:00', plan('timestamp'))).toBe('2024-01-31T08:20:30.000Z');
    expect(convertValue('2024-01-31', plan('timestamp'))).toBe('2024-01-31T00:00:00');
    // Every digit of a fraction is kept: microseconds (and a .NET export's seven digits) are not cut.
    expect(convertValue('2024-01-01 10:00:00.000001', plan('timestamp'))).toBe('2024-01-01T10:00:00.000001');
    expect(convertValue('2024-01-01T10:00:00.1234567', plan('timestamp'))).toBe(
      '2024-01-01T10:00:00.1234567',
    );
    expect(convertValue('2024-01-01T10:00:00.5', plan('timestamp'))).toBe('2024-01-01T10:00:00.500');
    expect(convertValue('2024-01-31T00:20:30.123456+02:00', plan('timestamp'))).toBe(
      '2024-01-30T22:20:30.123456Z',
    );
    expect(convertValue('Vrai', plan('boolean'))).toBe(true);
    expect(convertValue('0', plan('boolean'))).toBe(false);
    expect(convertValue('  ', plan('string'))).toBe(null);
    expect(convertValue(' a ', plan('string'))).toBe(' a ');
    expect(convertValue('', plan('integer'))).toBe(null);
  });

  it('converts cell values and flags what does not fit', () => {
    expect(convertValue(2.5, plan('decimal'))).toBe('2.5');
    expect(convertValue(new Date(Date.UTC(2024, 0, 31)), plan('date'))).toBe('2024-01-31');
    expect(convertValue(new Date(Date.UTC(2024, 0, 31, 10, 5)), plan('timestamp'))).toBe(
      '2024-01-31T10:05:00',
    );
    expect(convertValue(new Date(Date.UTC(2024, 0, 31)), plan('string'))).toBe('2024-01-31');
    expect(convertValue('abc', plan('integer'))).toBe(INVALID);
    expect(convertValue(2.5, plan('integer'))).toBe(INVALID);
  });
});

describe('convertClassified', () => {
  const PLANS: ConversionPlan[] = (
    ['integer', 'decimal', 'date', 'timestamp', 'boolean', 'string'] as const
  ).flatMap((type) =>
    (['.', ','] as const).flatMap((decimalSeparator) =>
      (['dmy', 'mdy'] as const).map((dateOrder) => ({ type, decimalSeparator, dateOrder })),
    ),
  );
  const digit = fc.constantFrom(...'0123456789'.split(''));
  const digits = (min: number, max: number) =>
    fc.array(digit, { minLength: min, maxLength: max }).map((d) => d.join(''));
  const month = fc.constantFrom('01', '02', '12', '00', '13', '1');
  const day = fc.constantFrom('01', '28', '29', '31', '32', '00');
  const stamp = fc
    .tuple(
      fc.constantFrom('2024', '2023', '1900', '0000'),
      month,
      day,
      fc.constantFrom('T', ' '),
      fc.constantFrom('00', '23', '24', '7'),
      fc.constantFrom('00', '59', '60'),
      fc.constantFrom('', ':00', ':59', ':60', ':5'),
      fc.constantFrom('', 'Z', '+01', '+0100', '-05:00', '.5', '.123456'),
    )
    .map(([y, mo, d, t, h, mi, s, zone]) => `${y}-${mo}-${d}${t}${h}:${mi}${s}${zone}`);
  const shaped = fc.oneof(
    fc.string({ unit: fc.constantFrom(...'0123456789-+.,:T /Z a\u00a0\t'.split('')), maxLength: 24 }),
    fc
      .tuple(fc.constantFrom('', '-', '+', ' ', '\u00a0'), digits(1, 20), fc.constantFrom('', ' ', '\t'))
      .map(([a, b, c]) => a + b + c),
    fc.tuple(digits(4, 4), month, day).map(([y, m, d]) => `${y}-${m}-${d}`),
    stamp,
  );

  it('converts every text as convertValue does, given the class the scan counted', () => {
    fc.assert(
      fc.property(shaped, fc.constantFrom(...PLANS), (text, plan) => {
        const expected = convertValue(text, plan);
        const got = convertClassified(text, classifyText(text, plan.dateOrder), plan);
        expect(Object.is(got, expected) || got === expected).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('takes the shortcuts on the usual shapes', () => {
    const plan = (type: ConversionPlan['type']): ConversionPlan => ({
      type,
      decimalSeparator: '.',
      dateOrder: 'dmy',
    });
    expect(convertClassified('123456', C.DIGITS, plan('integer'))).toBe(123456);
    expect(convertClassified('-0', C.SIGNED_INT, plan('integer'))).toBe(-0);
    expect(convertClassified('2024-02-29', C.DATE_ISO, plan('date'))).toBe('2024-02-29');
    expect(convertClassified('2024-01-31T23:59:59', C.TIMESTAMP_ISO, plan('timestamp'))).toBe(
      '2024-01-31T23:59:59',
    );
    expect(convertClassified('2024-01-31T10:20+01', C.TIMESTAMP_ISO, plan('timestamp'))).toBe(
      '2024-01-31T09:20:00.000Z',
    );
  });
});
