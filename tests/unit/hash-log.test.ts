import { describe, expect, it } from 'vitest';
import { ColumnAccumulator } from '../../src/profilers/column-accumulator.ts';
import { HashLog } from '../../src/profilers/hash-log.ts';
import { hashKey } from '../../src/profilers/value-hash.ts';

function accumulate(values: readonly (string | null)[]): ColumnAccumulator {
  const column = new ColumnAccumulator('c', 'string', { distinctLimit: 100 });
  for (const value of values) {
    if (value !== null) hashKey(value);
    column.addKey(value);
  }
  return column;
}

describe('HashLog', () => {
  it('finds a repeated pair among many, through growth and merges', () => {
    const log = new HashLog(4);
    for (let i = 0; i < 10_000; i++) log.add(i, i * 7);
    expect(log.distinct()).toBe(true);
    const other = new HashLog();
    other.add(0xffffffff, 0xffffffff);
    log.addAll(other);
    expect(log.distinct()).toBe(true);
    log.add(5000, 35_000);
    expect(log.distinct()).toBe(false);
    expect(log.size).toBe(10_002);
    log.add(5000, 35_000);
    log.add(1, 7);
    // (5000, 35000) three times and (1, 7) twice: three pairs repeat an earlier one.
    expect(log.repeats()).toBe(3);
  });

  it('compares the low halves of pairs that share a high half', () => {
    const log = new HashLog();
    for (const [low, high] of [
      [1, 5],
      [2, 5],
      [1, 5],
      [3, 5],
      [1, 5],
      [7, 9],
      [8, 9],
      [7, 9],
      [4, 6],
      [5, 6],
    ] as const)
      log.add(low, high);
    expect(log.repeats()).toBe(3);
    expect(log.distinct()).toBe(false);
  });
  it('tells apart pairs whose high halves differ only in their lowest bits', () => {
    const two = new HashLog();
    two.add(1, 0x400);
    two.add(1, 0x401);
    expect(two.repeats()).toBe(0);
    const three = new HashLog();
    for (const high of [0x7ff, 0x400, 0x5ff]) three.add(9, high);
    three.add(9, 0x400);
    expect(three.repeats()).toBe(1);
    const spread = new HashLog();
    for (let i = 0; i < 100_000; i++) spread.add(i & 0xff, (i >>> 8) * 0x9e3779b1);
    expect(spread.distinct()).toBe(true);
  });
});

describe('uniqueness past the distinct limit', () => {
  const many = Array.from({ length: 200_000 }, (_, i) => `v${i}`);

  it('a column of distinct values is a key', () => {
    expect(accumulate(many).isUnique()).toBe(true);
  });

  it('one repeat, however late, and it is not', () => {
    expect(accumulate([...many, 'v17']).isUnique()).toBe(false);
  });

  it('a column repeating everywhere is dropped early and is not', () => {
    const repeating = Array.from({ length: 300_000 }, (_, i) => `v${i % 150_000}`);
    expect(accumulate(repeating).isUnique()).toBe(false);
  });

  it('a null and it is not', () => {
    expect(accumulate([...many, null]).isUnique()).toBe(false);
  });
});
