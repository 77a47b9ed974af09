/**
 * The numeric summary of a weighted, sorted list of distinct numbers (a frequency table): every
 * statistic is O(distinct), whatever the number of rows.
 */
import type { NumericSummary } from '../core/profile.ts';

const BINS = 10;
const OUTLIER_EXAMPLES = 5;

/** Distinct numbers in ascending order with their counts (same length, counts > 0). */
export interface WeightedNumbers {
  readonly values: Float64Array;
  readonly counts: Float64Array;
}

/** Sorts parallel value/count lists by value into typed arrays, counts of equal values summed. */
export function weightedNumbers(values: readonly number[], counts: readonly number[]): WeightedNumbers {
  // A typed array sorts numerically in native code; counts are then placed by binary search.
  const sorted = Float64Array.from(values).sort();
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[distinct - 1]) sorted[distinct++] = sorted[i]!;
  const sortedValues = sorted.subarray(0, distinct);
  const sortedCounts = new Float64Array(distinct);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let low = 0;
    let high = distinct - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (sortedValues[middle]! < value) low = middle + 1;
      else high = middle;
    }
    sortedCounts[low]! += counts[i]!;
  }
  return { values: sortedValues, counts: sortedCounts };
}

/**
 * The value at fraction `p` by SQL `percentile_cont`: position h = p·(n − 1) among the n sorted
 * values (0-based), interpolated linearly between the values at ⌊h⌋ and ⌊h⌋ + 1.
 */
export function percentileCont(numbers: WeightedNumbers, total: number, p: number): number {
  const h = p * (total - 1);
  const lowRank = Math.floor(h);
  const low = valueAtRank(numbers, lowRank);
  if (h === lowRank) return low;
  return low + (h - lowRank) * (valueAtRank(numbers, lowRank + 1) - low);
}

/** The value at 0-based rank `rank` of the expanded (count-weighted) list. */
function valueAtRank(numbers: WeightedNumbers, rank: number): number {
  const { values, counts } = numbers;
  let seen = 0;
  for (let i = 0; i < values.length; i++) {
    seen += counts[i]!;
    if (rank < seen) return values[i]!;
  }
  return values[values.length - 1]!;
}

/** Mean, population standard deviation, quantiles, 10-bin histogram and Tukey outliers; undefined when empty. */
export function summariseNumbers(numbers: WeightedNumbers): NumericSummary | undefined {
  const { values, counts } = numbers;
  if (values.length === 0) return undefined;
  let total = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    total += counts[i]!;
    sum += values[i]! * counts[i]!;
  }
  const mean = sum / total;
  // Two passes (mean first) keep the variance exact enough for large values such as epoch days.
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += counts[i]! * (values[i]! - mean) ** 2;
  const quantiles = {
    p5: percentileCont(numbers, total, 0.05),
    p25: percentileCont(numbers, total, 0.25),
    p50: percentileCont(numbers, total, 0.5),
    p75: percentileCont(numbers, total, 0.75),
    p95: percentileCont(numbers, total, 0.95),
  };
  return {
    mean,
    stddev: Math.sqrt(squares / total),
    quantiles,
    histogram: histogram(numbers),
    outliers: outliers(numbers, quantiles.p25, quantiles.p75),
  };
}

/** Ten equal-width bins [from, to) from min to max; the last bin is closed and holds max. */
export function histogram(numbers: WeightedNumbers): NumericSummary['histogram'] {
  const { values, counts } = numbers;
  const min = values[0]!;
  const max = values[values.length - 1]!;
  const width = (max - min) / BINS;
  const edges: number[] = [];
  for (let i = 0; i <= BINS; i++) edges.push(i === BINS ? max : min + i * width);
  const binCounts = new Array<number>(BINS).fill(0);
  let bin = 0;
  // Values are sorted, so one forward walk over the edges places them all.
  for (let i = 0; i < values.length; i++) {
    while (bin < BINS - 1 && values[i]! >= edges[bin + 1]!) bin++;
    binCounts[bin]! += counts[i]!;
  }
  return binCounts.map((count, i) => ({ from: edges[i]!, to: edges[i + 1]!, count }));
}

/** Values below p25 − 1.5·IQR or above p75 + 1.5·IQR, with up to five of the most extreme as examples. */
function outliers(numbers: WeightedNumbers, p25: number, p75: number): NumericSummary['outliers'] {
  const { values, counts } = numbers;
  const iqr = p75 - p25;
  const lowFence = p25 - 1.5 * iqr;
  const highFence = p75 + 1.5 * iqr;
  let low = 0;
  let high = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! < lowFence) low += counts[i]!;
    else if (values[i]! > highFence) high += counts[i]!;
  }
  const examples: number[] = [];
  // Alternate from both ends so that low and high outliers both show.
  for (let lo = 0, hi = values.length - 1; examples.length < OUTLIER_EXAMPLES && lo <= hi; lo++, hi--) {
    const lowOut = values[lo]! < lowFence;
    const highOut = values[hi]! > highFence;
    if (!lowOut && !highOut) break;
    if (lowOut) examples.push(values[lo]!);
    if (highOut && hi !== lo && examples.length < OUTLIER_EXAMPLES) examples.push(values[hi]!);
  }
  examples.sort((a, b) => a - b);
  return { count: low + high, low, high, examples };
}
