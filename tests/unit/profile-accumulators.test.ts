import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/connectors/types.ts';
import { canonicalDecimal, canonicalTimestamp } from '../../src/profilers/canonical-key.ts';
import { ColumnAccumulator } from '../../src/profilers/column-accumulator.ts';
import { buildColumnProfile } from '../../src/profilers/column-profile.ts';
import { DatasetAccumulator, profileRows } from '../../src/profilers/dataset-accumulator.ts';
import { HYPERLOGLOG_ERROR } from '../../src/profilers/hyperloglog.ts';
import { inclusion, normaliseEntityName, overlap } from '../../src/profilers/inclusion.ts';
import type { ColumnObservation, DatasetObservation } from '../../src/profilers/observation.ts';

const COLUMNS = [
  { name: 'id', type: 'integer' },
  { name: 'city', type: 'string' },
  { name: 'amount', type: 'decimal' },
] as const;

async function* batches(rows: Row[], size: number): AsyncGenerator<Row[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/** What must be the same after a merge as after one pass (pairs depend on the first batch, so left out). */
function comparable(observation: DatasetObservation) {
  return {
    rowCount: observation.rowCount,
    duplicateRows: observation.duplicateRows,
    keyDuplicates: observation.keyDuplicates.map((k) => k.duplicates),
    singleKeys: observation.candidateKeys.filter((k) => k.length === 1),
    columns: observation.columns.map((c) => ({
      count: c.count,
      nulls: c.nulls,
      complete: c.complete,
      frequencies: [...c.frequencies].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    })),
  };
}

describe('canonical keys', () => {
  it('trims decimal and timestamp zeros', () => {
    expect(['12.50', '12.0', '-0.0', '+3', '007.5', '0.50', '-12.500', '100'].map(canonicalDecimal)).toEqual([
      '12.5',
      '12',
      '0',
      '3',
      '7.5',
      '0.5',
      '-12.5',
      '100',
    ]);
    expect(canonicalTimestamp('2024-01-31T10:00:00.500')).toBe('2024-01-31T10:00:00.5');
    expect(canonicalTimestamp('2024-01-31T10:00:00.000Z')).toBe('2024-01-31T10:00:00Z');
    expect(canonicalTimestamp('2024-01-31T10:00:00')).toBe('2024-01-31T10:00:00');
  });
});

describe('dataset accumulator', () => {
  it('finds duplicate rows, key duplicates and candidate keys on a small table', async () => {
    const rows: Row[] = [
      [1, 'Paris', 'A', '10.50'],
      [2, 'Lyon', 'A', '10.5'],
      [3, 'Paris', 'B', '3'],
      [3, 'Paris', 'B', '3.0'],
      [4, 'Nice', 'B', null],
      [5, 'Lyon', 'C', '7'],
    ];
    const observation = await profileRows(
      [
        { name: 'id', type: 'integer' },
        { name: 'city', type: 'string' },
        { name: 'grade', type: 'string' },
        { name: 'amount', type: 'decimal' },
      ],
      batches(rows, 2),
      { keys: [['id'], ['city', 'grade']], dataset: 'clients' },
    );
    expect(observation.dataset).toBe('clients');
    expect(observation.method).toBe('stream');
    expect(observation.rowCount).toBe(6);
    // Rows 3 and 4 are the same once 3 and 3.0 are the same decimal.
    expect(observation.duplicateRows).toBe(1);
    expect(observation.keyDuplicates).toEqual([
      { columns: ['id'], duplicates: 1, examples: [[3]] },
      { columns: ['city', 'grade'], duplicates: 1, examples: [['Paris', 'B']] },
    ]);
    // No single column is unique; city and grade repeat in the first batch? No: the first batch is
    // rows 1–2, where only grade repeats, so only grade is paired, and no pair is found.
    expect(observation.candidateKeys).toEqual([]);
    const amount = observation.columns[3]!;
    expect([...amount.frequencies]).toEqual([
      ['10.5', 2],
      ['3', 2],
      ['7', 1],
    ]);
  });

  it('finds single and pair candidate keys', async () => {
    const rows: Row[] = [
      [1, 'Paris', 'A'],
      [2, 'Paris', 'B'],
      [3, 'Lyon', 'A'],
      [4, 'Lyon', 'B'],
    ];
    const observation = await profileRows(
      [
        { name: 'id', type: 'integer' },
        { name: 'city', type: 'string' },
        { name: 'grade', type: 'string' },
      ],
      batches(rows, 10),
      {},
    );
    expect(observation.candidateKeys).toEqual([['id'], ['city', 'grade']]);
    const withRepeat = await profileRows(
      [
        { name: 'id', type: 'integer' },
        { name: 'city', type: 'string' },
        { name: 'grade', type: 'string' },
      ],
      batches([...rows, [5, 'Lyon', 'B']], 10),
      {},
    );
    expect(withRepeat.candidateKeys).toEqual([['id']]);
    const withNull = await profileRows(
      [
        { name: 'id', type: 'integer' },
        { name: 'city', type: 'string' },
      ],
      batches(
        [
          [1, 'a'],
          [null, 'b'],
        ],
        10,
      ),
      {},
    );
    expect(withNull.candidateKeys).toEqual([['city']]);
  });

  it('measures binary values among nulls, row duplicates included', () => {
    const bytes = (...values: number[]) => new Uint8Array(values);
    const rows: Row[] = [
      [1, bytes(1, 2, 3), 'a'],
      [2, null, 'b'],
      [3, bytes(9), null],
      [1, bytes(1, 2, 3), 'a'],
      [5, null, 'b'],
    ];
    const accumulator = new DatasetAccumulator([
      { name: 'id', type: 'integer' },
      { name: 'blob', type: 'binary' },
      { name: 'label', type: 'string' },
    ]);
    accumulator.addBatch(rows.slice(0, 4));
    accumulator.addBatch(rows.slice(4));
    const observation = accumulator.result();
    const blob = observation.columns[1]!;
    expect({ count: blob.count, nulls: blob.nulls, complete: blob.complete }).toEqual({
      count: 5,
      nulls: 2,
      complete: false,
    });
    expect(blob.aggregates?.length).toEqual({ min: 1, max: 3, mean: 7 / 3 });
    expect(observation.columns[2]!.nulls).toBe(1);
    expect(observation.duplicateRows).toBe(1);
  });

  it('adds a wide batch in tiles of rows, as if row by row', () => {
    const width = 20_000;
    const columns = Array.from({ length: width }, (_, c) => ({ name: `c${c}`, type: 'integer' as const }));
    const rows: Row[] = Array.from({ length: 25 }, (_, r) =>
      Array.from({ length: width }, (_, c) => (c % 3 === 0 ? r % 4 : c === 1 && r === 7 ? null : r * c)),
    );
    rows.push([...rows[3]!]);
    const whole = new DatasetAccumulator(columns);
    whole.addBatch(rows);
    const byRow = new DatasetAccumulator(columns);
    for (const row of rows) byRow.addBatch([row]);
    expect(comparable(whole.result())).toEqual(comparable(byRow.result()));
    expect(whole.result().duplicateRows).toBe(1);
  });

  it('merge equals a single pass (property), also across a structured clone of the state', () => {
    const value = fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 6 }));
    const text = fc.oneof(fc.constant(null), fc.constantFrom('Paris', 'paris', ' Lyon', 'N/A', ''));
    const decimal = fc.oneof(fc.constant(null), fc.constantFrom('1.5', '1.50', '2', '-0.0', '0', '0.1'));
    const row = fc.tuple(value, text, decimal).map((r) => [...r] as Row);
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 60 }),
        fc.nat(60),
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        (rows, cut, limit, sampleSize, viaState) => {
          const options = { keys: [['id'], ['id', 'city']], distinctLimit: limit, sampleSize };
          // The same batches as the shards: pairs are chosen from the first batch.
          const single = new DatasetAccumulator(COLUMNS, options);
          single.addBatch(rows.slice(0, cut));
          single.addBatch(rows.slice(cut));
          const left = new DatasetAccumulator(COLUMNS, options);
          left.addBatch(rows.slice(0, cut));
          const first = Math.min(cut, rows.length);
          const pairColumns = left.pairColumns;
          const rightOptions = { ...options, firstRow: first, ...(pairColumns ? { pairColumns } : {}) };
          let right = new DatasetAccumulator(COLUMNS, rightOptions);
          right.addBatch(rows.slice(cut));
          if (viaState)
            right = DatasetAccumulator.restore(COLUMNS, structuredClone(right.state()), rightOptions);
          left.merge(right);
          const a = single.result();
          const b = left.result();
          // Key examples are the first ones each shard saw; everything else is the single pass's.
          const withoutExamples = (o: DatasetObservation) => ({
            ...o,
            keyDuplicates: o.keyDuplicates.map((k) => k.duplicates),
          });
          expect(withoutExamples(b)).toEqual(withoutExamples(a));
          expect(comparable(b)).toEqual(comparable(a));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('column accumulator past the distinct limit', () => {
  it('switches to aggregates, a sketch within its stated error and a value sample', () => {
    const column = new ColumnAccumulator('n', 'integer', { distinctLimit: 1000 });
    let sum = 0;
    for (let i = 0; i < 200_000; i++) {
      column.add(i);
      sum += i;
    }
    column.add(null);
    const observation = column.result();
    expect(observation.complete).toBe(false);
    expect(observation.count).toBe(200_001);
    expect(observation.nulls).toBe(1);
    const aggregates = observation.aggregates!;
    expect(aggregates.distinctExact).toBe(false);
    expect(aggregates.distinctError).toBeCloseTo(0.0081, 4);
    // Three standard errors: a failure here is a bug, not bad luck (the hash is fixed).
    expect(Math.abs(aggregates.distinct - 200_000) / 200_000).toBeLessThan(3 * HYPERLOGLOG_ERROR);
    expect(aggregates.min).toBe(0);
    expect(aggregates.max).toBe(199_999);
    expect(aggregates.numeric!.mean).toBeCloseTo(sum / 200_000, 6);
    expect(aggregates.numeric!.stddev).toBeCloseTo(Math.sqrt((200_000 ** 2 - 1) / 12), 3);
    const sampleSize = [...observation.frequencies.values()].reduce((a, b) => a + b, 0);
    expect(sampleSize).toBe(20_000);
    const profile = buildColumnProfile(observation);
    expect(profile.valuesSampled).toBe(true);
    expect(profile.distinct).toBe(aggregates.distinct);
    // The sample is uniform: its median is near the true one.
    expect(Math.abs(profile.numeric!.quantiles.p50 - 100_000)).toBeLessThan(3_000);
  });

  it('keeps uniqueness exact past the limit, and drops it at the first repeat', () => {
    const unique = new ColumnAccumulator('code', 'string', { distinctLimit: 10 });
    for (let i = 0; i < 1000; i++) unique.add(`C${i}`);
    expect(unique.isUnique()).toBe(true);
    unique.add('C5');
    expect(unique.isUnique()).toBe(false);
  });

  it('counts text aggregates exactly past the limit', () => {
    const column = new ColumnAccumulator('v', 'string', { distinctLimit: 3 });
    for (const v of ['a', ' b', 'c ', 'N/A', '', 'dd', 'a', ' e ']) column.add(v);
    const aggregates = column.result().aggregates!;
    // ` e ` starts and ends with a space: one value, counted in each and once in `both`.
    expect(aggregates.whitespace).toEqual({ leading: 2, trailing: 2, both: 1 });
    expect(aggregates.nullLike).toEqual({ empty: 1, blank: 0, na: 1, nullText: 0, dash: 0, zeroDate: 0 });
    expect(aggregates.length).toEqual({ min: 0, max: 3, mean: 14 / 8 });
    expect(aggregates.min).toBe('');
    expect(aggregates.max).toBe('dd');
  });
});

describe('inclusion and overlap', () => {
  const column = (name: string, entries: [string | number, number][]): ColumnObservation => ({
    name,
    type: 'string',
    count: entries.reduce((s, [, c]) => s + c, 0),
    nulls: 0,
    frequencies: new Map(entries),
    complete: true,
  });

  it('counts orphan rows of a single-column key', () => {
    const child = column('customer_id', [
      [1, 3],
      [2, 1],
      [9, 2],
      ['3', 1],
    ]);
    const parent = column('id', [
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    expect(inclusion(child, parent)).toEqual({ checked: 7, orphans: 2, inclusion: 5 / 7, examples: [9] });
  });

  it('matches entities on a normalised name', () => {
    expect(normaliseEntityName('S.A.R.L. Dupont & Fils')).toBe('dupontfils');
    expect(normaliseEntityName('DUPONT et FILS SAS')).toBe('dupontfils');
    expect(normaliseEntityName('Société Générale')).toBe('societegenerale');
    const result = overlap(
      column('nom', [
        ['Dupont & Fils SARL', 1],
        ['Martin SA', 1],
        ['Zed', 1],
      ]),
      column('raison_sociale', [
        ['DUPONT ET FILS', 2],
        ['martin', 1],
      ]),
    );
    expect(result).toEqual({
      leftValues: 3,
      rightValues: 2,
      matched: 2,
      examples: ['Dupont & Fils SARL ↔ DUPONT ET FILS', 'Martin SA ↔ martin'],
    });
  });
});
