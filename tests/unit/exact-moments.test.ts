import { describe, expect, it } from 'vitest';
import { ExactMoments } from '../../src/profilers/exact-moments.ts';

/** Mean and population stddev from exact integer arithmetic, each rounded once as ExactMoments promises. */
function exactly(values: readonly [number, number][]): { mean: number; stddev: number } {
  let n = 0n;
  let sum = 0n;
  let squares = 0n;
  for (const [x, count] of values) {
    const c = BigInt(count);
    n += c;
    sum += BigInt(x) * c;
    squares += BigInt(x) * BigInt(x) * c;
  }
  const count = Number(n);
  return {
    mean: Number(sum) / count,
    stddev: Math.sqrt(Math.max(0, Number(n * squares - sum * sum)) / count / count),
  };
}

function moments(values: readonly [number, number][]): ExactMoments {
  const m = new ExactMoments();
  for (const [x, count] of values) m.add(x, count);
  return m;
}

describe('ExactMoments', () => {
  it('sums integers exactly across the limits of plain double sums', () => {
    const values: [number, number][] = [];
    // Squares near 2^52 and counts that take the totals past 2^53 many times over.
    for (let i = 0; i < 5_000; i++) values.push([2 ** 26 - 1 - i, 1 + (i % 7)]);
    for (let i = 0; i < 5_000; i++) values.push([-(2 ** 26) + 1 + i * 3, 1]);
    values.push([2 ** 26, 3], [2 ** 40 + 1, 1], [-(2 ** 45) - 7, 2], [5, 2 ** 40], [0, 4], [-0, 1]);
    expect(moments(values).result()).toEqual(exactly(values));
  });

  it('gives one pass the same figures in any order, merged or carried as state', () => {
    const values: [number, number][] = [];
    for (let i = 1; i <= 20_000; i++) values.push([(i * 7919) % 1_000_003, 1]);
    values.push([0.1, 3], [-2.5, 1], [1e300, 1], [-1e300, 1]);
    const whole = moments(values).result();
    const reversed = moments([...values].reverse()).result();
    const first = moments(values.slice(0, 7_000));
    first.merge(moments(values.slice(7_000)));
    const carried = ExactMoments.restore(moments(values.slice(0, 12_345)));
    carried.merge(ExactMoments.restore(moments(values.slice(12_345))));
    expect(reversed).toEqual(whole);
    expect(first.result()).toEqual(whole);
    expect(carried.result()).toEqual(whole);
  });

  it('matches exact arithmetic on an id column', () => {
    const values: [number, number][] = [];
    for (let i = 1; i <= 1_000_000; i++) values.push([i, 1]);
    expect(moments(values).result()).toEqual(exactly(values));
  });
});
