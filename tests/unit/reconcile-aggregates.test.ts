/**
 * The reconciliation aggregates on their own: exact sums whatever the scale and size of the values
 * (checked against a plain BigInt sum), timestamps ordered as instants across zones, nulls, distinct
 * references, the comparison of two sides, and sides merged.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Value } from '../../src/connectors/types.ts';
import type { Column, LogicalType } from '../../src/core/inventory.ts';
import { canonicalizerFor } from '../../src/mappers/canonical-value.ts';
import type { PreparedMapping } from '../../src/mappers/preflight.ts';
import {
  aggregatePlanOf,
  compareAggregates,
  SideAggregates,
} from '../../src/mappers/reconcile-aggregates.ts';

function col(name: string, type: LogicalType, nativeType: string): Column {
  return { name, type, nativeType, nullable: true, primaryKey: false, position: 1 };
}

const COLUMNS = [
  col('amount', 'decimal', 'numeric(30,10)'),
  col('at', 'timestamp', 'timestamp with time zone'),
  col('day', 'date', 'date'),
  col('customer_id', 'integer', 'integer'),
  col('note', 'string', 'text'),
];

const prepared = {
  config: { name: 'm', fields: Object.fromEntries(COLUMNS.map((c) => [c.name, {}])) },
  compiled: { targetFields: COLUMNS.map((c) => c.name) },
  target: {
    kind: 'postgres',
    dataset: {
      name: 't',
      columns: COLUMNS,
      foreignKeys: [{ columns: ['customer_id'], references: { dataset: 'c', columns: ['id'] } }],
    },
  },
  personal: COLUMNS.map(() => undefined),
  canonicalizers: COLUMNS.map((c) => canonicalizerFor(c, 'postgres')),
  fieldFoldings: null,
} as unknown as PreparedMapping;

const plan = aggregatePlanOf(prepared);

function sideOf(rows: Value[][]): SideAggregates {
  const side = new SideAggregates(plan);
  for (const row of rows) side.add(row);
  return side;
}

function table(source: Value[][], target: Value[][]): string[] {
  return compareAggregates(plan, sideOf(source), sideOf(target)).map(
    (a) => `${a.field} ${a.aggregate} ${a.source} ${a.target} ${a.ok}`,
  );
}

/** A canonical decimal text from digits and a scale. */
function decimalText(digits: bigint, scale: number): string {
  const negative = digits < 0n;
  const body = (negative ? -digits : digits).toString().padStart(scale + 1, '0');
  const int = body.slice(0, body.length - scale);
  const frac = body.slice(body.length - scale).replace(/0+$/, '');
  const text = frac ? `${int}.${frac}` : int;
  return negative && text !== '0' ? `-${text}` : text;
}

describe('reconciliation aggregates', () => {
  test('sums are exact for any mix of scales and sizes', () => {
    const value = fc.record({
      digits: fc.oneof(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.bigInt({ min: -999n, max: 999n }),
      ),
      scale: fc.integer({ min: 0, max: 10 }),
    });
    fc.assert(
      fc.property(fc.array(value, { maxLength: 60 }), (values) => {
        // The reference: every value in units of 10^-10.
        let expected = 0n;
        const rows: Value[][] = values.map(({ digits, scale }) => {
          expected += digits * 10n ** BigInt(10 - scale);
          return [decimalText(digits, scale), null, null, null, null];
        });
        const sum = compareAggregates(plan, sideOf(rows), sideOf(rows)).find((a) => a.aggregate === 'sum')!;
        expect(sum.source).toBe(decimalText(expected, 10));
      }),
      { numRuns: 300 },
    );
  });

  test('integers given as numbers sum as their digits do, among decimals of any scale', () => {
    const value = fc.oneof(
      fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }).map((n) => ({ number: n })),
      fc.integer({ min: -999_999, max: 999_999 }).map((n) => ({ number: n })),
      fc
        .record({
          digits: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
          scale: fc.integer({ min: 0, max: 8 }),
        })
        .map(({ digits, scale }) => ({ text: decimalText(digits, scale) })),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), (values) => {
        const asNumbers: Value[][] = values.map((v) => [
          'number' in v ? v.number : v.text,
          null,
          null,
          null,
          null,
        ]);
        const asTexts: Value[][] = values.map((v) => [
          'number' in v ? String(v.number) : v.text,
          null,
          null,
          null,
          null,
        ]);
        const sum = (rows: Value[][]) =>
          compareAggregates(plan, sideOf(rows), sideOf(rows)).find((a) => a.aggregate === 'sum')!.source;
        expect(sum(asNumbers)).toBe(sum(asTexts));
      }),
      { numRuns: 300 },
    );
  });

  test('no float drift: 0.1 + 0.2 is 0.3, and a sum beyond 2^53 stays exact', () => {
    const rows: Value[][] = ['0.1', '0.2', '9007199254740993', '-1.5'].map((a) => [
      a,
      null,
      null,
      null,
      null,
    ]);
    expect(table(rows, rows)).toContain('amount sum 9007199254740991.8 9007199254740991.8 true');
    // Many values near 2^50 each: their running sum passes 2^53 many times over.
    const many: Value[][] = Array.from({ length: 1000 }, () => ['99999999999999.9', null, null, null, null]);
    expect(table(many, many)).toContain('amount sum 99999999999999900 99999999999999900 true');
    // Two terms of 16 digits whose exact sum is an odd number past 2^53.
    const wide: Value[][] = ['4503599627370495', '9007199254740990'].map((a) => [a, null, null, null, null]);
    expect(table(wide, wide)).toContain('amount sum 13510798882111485 13510798882111485 true');
  });

  test('timestamps compare as instants, dates as days; nulls and distinct references are counted', () => {
    const source: Value[][] = [
      ['1', '2024-03-12T10:00:00Z', '2024-03-12', 1, 'a'],
      ['2', '2024-03-12T11:30:00+02:00', '1999-12-31', 2, null],
      [null, null, null, 2, null],
    ];
    // The same instants written in other zones; one reference changed.
    const target: Value[][] = [
      ['1.00', '2024-03-12T12:00:00+02:00', '2024-03-12', 1, 'a'],
      ['2', '2024-03-12T09:30:00Z', '1999-12-31', 1, null],
      [null, null, null, 1, null],
    ];
    expect(table(source, target)).toEqual([
      'amount nulls 1 1 true',
      'amount sum 3 3 true',
      'at nulls 1 1 true',
      'at min 2024-03-12T09:30:00.000000Z 2024-03-12T09:30:00.000000Z true',
      'at max 2024-03-12T10:00:00.000000Z 2024-03-12T10:00:00.000000Z true',
      'day nulls 1 1 true',
      'day min 1999-12-31 1999-12-31 true',
      'day max 2024-03-12 2024-03-12 true',
      'customer_id nulls 0 0 true',
      'customer_id sum 5 3 false',
      'customer_id distinct 2 1 false',
      'note nulls 2 2 true',
    ]);
  });

  test('sides merged, as a fresh load merges its batches, aggregate as one side of all their rows', () => {
    const row = fc.tuple(
      fc.option(
        fc
          .record({
            digits: fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
            scale: fc.integer({ min: 0, max: 8 }),
          })
          .map(({ digits, scale }) => decimalText(digits, scale)),
      ),
      fc.option(fc.integer({ min: -2e11, max: 2e11 }).map((s) => new Date(s * 1000).toISOString())),
      fc.option(fc.constantFrom('1999-12-31', '2024-03-12', '1970-01-01')),
      fc.option(fc.integer({ min: -50, max: 50 })),
      fc.option(fc.string()),
    );
    fc.assert(
      fc.property(fc.array(fc.array(row, { maxLength: 8 }), { maxLength: 6 }), (batches) => {
        const merged = new SideAggregates(plan);
        for (const batch of batches) merged.merge(sideOf(batch as Value[][]));
        const whole = sideOf(batches.flat() as Value[][]);
        expect(merged.rows).toBe(whole.rows);
        expect(compareAggregates(plan, merged, whole).every((a) => a.ok)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('timestamps before 1970 order as instants too', () => {
    const rows: Value[][] = ['1969-07-20T20:17:40Z', '1900-01-01T00:00:00Z', '2000-01-01T00:00:00Z'].map(
      (t) => [null, t, null, null, null],
    );
    expect(table(rows, rows).filter((line) => line.startsWith('at m'))).toEqual([
      'at min 1900-01-01T00:00:00.000000Z 1900-01-01T00:00:00.000000Z true',
      'at max 2000-01-01T00:00:00.000000Z 2000-01-01T00:00:00.000000Z true',
    ]);
  });
});
