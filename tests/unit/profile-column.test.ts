import { describe, expect, it } from 'vitest';
import type { LogicalType } from '../../src/core/inventory.ts';
import type { ProfileValue } from '../../src/core/profile.ts';
import { buildColumnProfile, clipShown, SHOWN_VALUE_CHARS } from '../../src/profilers/column-profile.ts';
import { classifyNullLike } from '../../src/profilers/null-like.ts';
import type { ColumnObservation } from '../../src/profilers/observation.ts';
import { compareCodePoints } from '../../src/profilers/value-order.ts';
import { shapeOf } from '../../src/profilers/value-shape.ts';

function observe(
  name: string,
  type: LogicalType,
  entries: [ProfileValue, number][],
  nulls = 0,
): ColumnObservation {
  const count = entries.reduce((sum, [, c]) => sum + c, 0) + nulls;
  return { name, type, count, nulls, frequencies: new Map(entries), complete: true };
}

describe('null-like values', () => {
  it('classifies after trimming, case-insensitively, in the documented order', () => {
    expect(classifyNullLike('')).toBe('empty');
    expect(classifyNullLike(' \t\u00a0')).toBe('blank');
    expect(classifyNullLike(' N/A ')).toBe('na');
    expect(classifyNullLike('#n/a')).toBe('na');
    expect(classifyNullLike('Néant')).toBe('na');
    expect(classifyNullLike('nc')).toBe('na');
    expect(classifyNullLike('NULL')).toBe('nullText');
    expect(classifyNullLike('(null)')).toBe('nullText');
    expect(classifyNullLike('—')).toBe('dash');
    expect(classifyNullLike('?')).toBe('dash');
    expect(classifyNullLike('0000-00-00 00:00:00')).toBe('zeroDate');
    expect(classifyNullLike('00/00/0000')).toBe('zeroDate');
    expect(classifyNullLike('Nancy')).toBeUndefined();
    expect(classifyNullLike('0')).toBeUndefined();
  });

  it('counts them per kind, weighted', () => {
    const profile = buildColumnProfile(
      observe('ville', 'string', [
        ['N/A', 3],
        ['', 1],
        ['  ', 2],
        ['-', 1],
        ['Paris', 5],
      ]),
    );
    expect(profile.nullLike).toEqual({ empty: 1, blank: 2, na: 3, nullText: 0, dash: 1, zeroDate: 0 });
  });
});

describe('shapes', () => {
  it('maps letters, digits and collapses runs', () => {
    expect(shapeOf('Dupont SARL')).toBe('Aa A');
    expect(shapeOf('AB-123')).toBe('A-9');
    expect(shapeOf('Élodie')).toBe('Aa');
    expect(shapeOf('06 12 34')).toBe('9 9 9');
    expect(shapeOf('x'.repeat(200) + 'Y'.repeat(10))).toBe('aA');
    expect(shapeOf('a1'.repeat(100))).toHaveLength(65);
  });

  it('lists the top shapes weighted by counts', () => {
    const profile = buildColumnProfile(
      observe('code', 'string', [
        ['AB-1', 2],
        ['CD-22', 3],
        ['x', 1],
      ]),
    );
    expect(profile.patterns).toEqual([
      { pattern: 'A-9', count: 5 },
      { pattern: 'a', count: 1 },
    ]);
  });
});

describe('numeric summary', () => {
  it('quantiles are percentile_cont, weighted', () => {
    const numeric = buildColumnProfile(
      observe('n', 'integer', [
        [1, 2],
        [3, 1],
        [5, 1],
      ]),
    ).numeric!;
    // Expanded: 1, 1, 3, 5.
    expect(numeric.quantiles).toMatchObject({ p5: 1, p25: 1, p50: 2, p75: 3.5 });
    expect(numeric.quantiles.p95).toBeCloseTo(4.7, 12);
    expect(numeric.mean).toBe(2.5);
    expect(numeric.stddev).toBeCloseTo(Math.sqrt(11 / 4), 12);
  });

  it('interpolates between ranks and finds Tukey outliers', () => {
    const numeric = buildColumnProfile(
      observe(
        'n',
        'integer',
        [1, 2, 3, 4, 10].map((v) => [v, 1]),
      ),
    ).numeric!;
    expect(numeric.quantiles.p5).toBeCloseTo(1.2, 12);
    expect(numeric.quantiles.p95).toBeCloseTo(8.8, 12);
    expect(numeric.quantiles.p50).toBe(3);
    expect(numeric.outliers).toEqual({ count: 1, low: 0, high: 1, examples: [10] });
  });

  it('has ten equal-width bins, the last one holding max', () => {
    const histogram = buildColumnProfile(
      observe('n', 'integer', [
        [1, 2],
        [3, 1],
        [5, 1],
      ]),
    ).numeric!.histogram;
    expect(histogram).toHaveLength(10);
    expect(histogram.map((b) => b.count)).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(histogram[0]!.from).toBe(1);
    expect(histogram[9]!.to).toBe(5);
    const flat = buildColumnProfile(observe('n', 'integer', [[7, 4]])).numeric!.histogram;
    expect(flat.map((b) => b.count)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 4]);
  });

  it('reads decimals as text and dates as days since epoch', () => {
    const decimals = buildColumnProfile(
      observe('d', 'decimal', [
        ['10.5', 1],
        ['9', 1],
        ['-0.25', 1],
      ]),
    );
    expect(decimals.min).toBe('-0.25');
    expect(decimals.max).toBe('10.5');
    expect(decimals.numeric!.mean).toBeCloseTo(19.25 / 3, 12);
    const dates = buildColumnProfile(
      observe('d', 'date', [
        ['1970-01-02', 1],
        ['1970-01-04', 1],
      ]),
    );
    expect(dates.numeric!.mean).toBe(2);
    expect(dates.min).toBe('1970-01-02');
  });
});

describe('values', () => {
  it('top 10 by count, ties by binary order; min/max by code point', () => {
    const profile = buildColumnProfile(
      observe('v', 'string', [
        ['b', 2],
        ['a', 2],
        ['c', 1],
        ['é', 1],
        ['Z', 1],
      ]),
    );
    expect(profile.topValues.slice(0, 3)).toEqual([
      { value: 'a', count: 2 },
      { value: 'b', count: 2 },
      { value: 'Z', count: 1 },
    ]);
    expect(profile.min).toBe('Z');
    expect(profile.max).toBe('é');
    expect(profile.distinct).toBe(5);
    expect(profile.uniqueness).toBe(5 / 7);
    expect(profile.length).toEqual({ min: 1, max: 1, mean: 1 });
  });

  it('orders astral code points after the rest of the BMP', () => {
    expect(compareCodePoints('\u{1F600}', '\uFF01')).toBeGreaterThan(0);
    expect(compareCodePoints('a', 'b')).toBeLessThan(0);
    // Long texts, compared by the engine where that is the code point order, by the loop where not.
    const long = 'ab'.repeat(1000);
    expect(compareCodePoints(`${long}a`, `${long}b`)).toBeLessThan(0);
    expect(compareCodePoints(`${long}b`, `${long}a`)).toBeGreaterThan(0);
    expect(compareCodePoints(`${long}`, `${long}`)).toBe(0);
    expect(compareCodePoints(`${long}\u{1F600}`, `${long}\uFF01`)).toBeGreaterThan(0);
    expect(compareCodePoints(`${long}\uFF01`, `${long}\u{1F600}`)).toBeLessThan(0);
    expect(compareCodePoints(`${long}\uFF01`, `${long}a`)).toBeGreaterThan(0);
    expect(compareCodePoints(`${long}`, `${long}a`)).toBeLessThan(0);
  });

  it('groups case and accent variants, counts edge whitespace and code-point lengths', () => {
    const profile = buildColumnProfile(
      observe('v', 'string', [
        ['Société', 1],
        ['SOCIETE', 2],
        ['societe', 1],
        [' Paris', 1],
        ['Lyon ', 1],
        [' Nice ', 2],
        ['😀x', 1],
      ]),
    );
    expect(profile.variants).toEqual({ groups: 1, values: 3, examples: [['SOCIETE', 'Société', 'societe']] });
    expect(profile.whitespace).toEqual({ leading: 3, trailing: 3, both: 2 });
    expect(profile.length!.min).toBe(2);
    expect(profile.length!.max).toBe(7);
  });

  it('infers the type and its conformance, null-like values left out', () => {
    const profile = buildColumnProfile(
      observe('n', 'string', [
        ['12', 8],
        ['13', 1],
        ['abc', 1],
        ['N/A', 5],
      ]),
    );
    expect(profile.inferredType).toBe('integer');
    expect(profile.conformance).toBe(0.9);
    expect(buildColumnProfile(observe('n', 'integer', [[1, 1]])).conformance).toBe(1);
    expect(buildColumnProfile(observe('t', 'string', [['x', 1]])).inferredType).toBe('string');
  });

  it('recognises formats per distinct value, weighted', () => {
    const profile = buildColumnProfile(
      observe('cp', 'string', [
        ['75001', 3],
        ['2A004', 1],
      ]),
    );
    expect(profile.formats).toEqual([{ format: 'postal_code_fr', count: 3 }]);
  });
});

describe('personal data and masking', () => {
  const emails = observe('contact', 'string', [
    ['dupont@example.fr', 2],
    ['martin@exemple.com', 1],
    ['inconnu', 1],
  ]);

  it('masks top values, min and max of a personal column unless samples are shown', () => {
    const profile = buildColumnProfile(emails);
    expect(profile.personal).toEqual({
      kind: 'email',
      reason: '75% of values (3 of 4) are e-mail addresses',
      reasonFr: '75\u00a0% des valeurs (3 sur 4) sont des adresses e-mail',
    });
    expect(profile.topValues[0]).toEqual({ value: 'd***@e***.fr', count: 2 });
    expect(profile.min).toBe('d***@e***.fr');
    expect(profile.max).toBe('m***@e***.com');
    const shown = buildColumnProfile(emails, { showSamples: true });
    expect(shown.topValues[0]).toEqual({ value: 'dupont@example.fr', count: 2 });
  });

  it('masks phones and names', () => {
    const phones = buildColumnProfile(observe('tel', 'string', [['06 12 34 56 12', 1]]));
    expect(phones.topValues[0]!.value).toBe('06 ** ** ** 12');
    const names = buildColumnProfile(observe('nom', 'string', [['Dupont', 1]]));
    expect(names.personal!.kind).toBe('name');
    expect(names.topValues[0]!.value).toBe('D*****');
  });
});

describe('sampled observations', () => {
  it('takes exact figures from the aggregates and scales sample counts', () => {
    const profile = buildColumnProfile({
      name: 'v',
      type: 'integer',
      count: 1000,
      nulls: 0,
      frequencies: new Map([
        [1, 5],
        [2, 5],
      ]),
      complete: false,
      aggregates: {
        distinct: 640,
        distinctExact: false,
        distinctError: 0.0081,
        min: 0,
        max: 999,
        numeric: { mean: 499.5, stddev: 288.7 },
      },
    });
    expect(profile.valuesSampled).toBe(true);
    expect(profile.distinct).toBe(640);
    expect(profile.distinctExact).toBe(false);
    expect(profile.distinctError).toBe(0.0081);
    expect(profile.min).toBe(0);
    expect(profile.numeric!.mean).toBe(499.5);
    expect(profile.topValues).toEqual([
      { value: 1, count: 500 },
      { value: 2, count: 500 },
    ]);
  });

  it('brings the histogram and outliers of a sample to the whole column, and lists only repeated values', () => {
    // 300,000 values, a sample of 20,000: 19,998 seen once, one seen twice; the sketch overshoots.
    const frequencies = new Map<ProfileValue, number>(Array.from({ length: 19_998 }, (_, i) => [i * 10, 1]));
    frequencies.set(1_000_000, 2);
    const profile = buildColumnProfile({
      name: 'id',
      type: 'integer',
      count: 300_000,
      nulls: 0,
      frequencies,
      complete: false,
      aggregates: { distinct: 301_000, distinctExact: false, distinctError: 0.0081, min: 0, max: 1_000_000 },
    });
    const histogram = profile.numeric!.histogram.map((bin) => bin.count);
    expect(histogram.reduce((a, b) => a + b, 0)).toBeGreaterThan(299_990);
    expect(histogram.reduce((a, b) => a + b, 0)).toBeLessThan(300_010);
    // The one outlier, seen twice in the sample: about 30 in the column.
    expect(profile.numeric!.outliers.count).toBe(30);
    expect(profile.topValues).toEqual([{ value: 1_000_000, count: 30 }]);
    expect([profile.distinct, profile.uniqueness]).toEqual([300_000, 1]);
  });
});

describe('very long values', () => {
  it('lists a 10 MB value cut to SHOWN_VALUE_CHARS, keeps its true length, and masks the cut value', () => {
    const big = `${'é'.repeat(5 * 1024 * 1024)}${'x'.repeat(5 * 1024 * 1024)}`;
    const profile = buildColumnProfile(
      observe('notes', 'string', [
        [big, 2],
        ['court', 1],
      ]),
    );
    expect(profile.length!.max).toBe(big.length);
    expect(profile.max).toBe(`${'é'.repeat(SHOWN_VALUE_CHARS - 1)}…`);
    expect(profile.topValues[0]).toEqual({ value: `${'é'.repeat(SHOWN_VALUE_CHARS - 1)}…`, count: 2 });
    expect(profile.min).toBe('court');
    expect(JSON.stringify(profile).length).toBeLessThan(20_000);

    // A cut never splits a surrogate pair; a personal column masks the cut value, not the whole one.
    const emoji = '😀'.repeat(SHOWN_VALUE_CHARS);
    const cut = clipShown(emoji) as string;
    expect(cut.endsWith('…')).toBe(true);
    expect(Array.from(cut.slice(0, -1)).every((c) => c === '😀')).toBe(true);
    const personal = buildColumnProfile(observe('email', 'string', [[`${'a'.repeat(2_000_000)}@x.fr`, 1]]));
    expect(personal.max).toBe(`a${'*'.repeat(SHOWN_VALUE_CHARS - 2)}…`);
  });
});

describe('integers past 2^53', () => {
  it('order by value among plain numbers: min, max and ties of the top values', () => {
    const profile = buildColumnProfile(
      observe('ref', 'integer', [
        ['9007199254741012', 1],
        ['900719925474099300', 1],
        ['-9223372036854775807', 1],
        [42, 1],
        ['9007199254740993', 1],
      ]),
    );
    expect(profile.min).toBe('-9223372036854775807');
    expect(profile.max).toBe('900719925474099300');
    expect(profile.topValues.map((t) => t.value)).toEqual([
      '-9223372036854775807',
      42,
      '9007199254740993',
      '9007199254741012',
      '900719925474099300',
    ]);
  });
});
