/**
 * Exact sums of doubles (Shewchuk's non-overlapping expansions, as Python's `math.fsum` keeps them), for
 * the mean and standard deviation of a column past its distinct limit: the result is the correctly
 * rounded value of the exact sum, so it does not depend on the order the values came in, and shards of
 * the rows merged give the very figures one pass gives.
 */

/** 2^27 + 1: Veltkamp's constant, splitting a double into two 26-bit halves. */
const SPLITTER = 134_217_729;
const PRODUCT = new Float64Array(2);

/** Sets `PRODUCT` to [p, e] with p = fl(a·b) and p + e = a·b exactly (Dekker's TwoProduct). */
function twoProduct(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  PRODUCT[0] = p;
  PRODUCT[1] = al * bl - (p - ah * bh - al * bh - ah * bl);
}

/** Adds `x` exactly to the expansion `partials` (increasing magnitude, non-overlapping), in place. */
function grow(partials: number[], x: number): void {
  let i = 0;
  for (let j = 0; j < partials.length; j++) {
    let y = partials[j]!;
    if (Math.abs(x) < Math.abs(y)) {
      const swap = x;
      x = y;
      y = swap;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) partials[i++] = lo;
    x = hi;
  }
  partials.length = i;
  partials.push(x);
}

/** The correctly rounded value of an expansion (fsum's last step, with its half-way correction). */
function rounded(partials: readonly number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  if (n > 0 && ((lo < 0 && partials[n - 1]! < 0) || (lo > 0 && partials[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** Adds a·b exactly to the expansion. */
function addProduct(partials: number[], a: number, b: number): void {
  if (a === 0) return;
  twoProduct(a, b);
  const e = PRODUCT[1]!;
  grow(partials, PRODUCT[0]!);
  if (e !== 0) grow(partials, e);
}

/** The exact product of an expansion and a double, as a new expansion. */
function scaled(partials: readonly number[], b: number): number[] {
  const out: number[] = [];
  for (const a of partials) addProduct(out, a, b);
  return out;
}

/** Running count, exact sum and exact sum of squares of numbers; mean and population stddev on demand. */
export class ExactMoments {
  n = 0;
  readonly sum: number[] = [];
  readonly squares: number[] = [];

  /** Adds `count` copies of `x`. */
  add(x: number, count: number): void {
    this.n += count;
    twoProduct(x, x);
    const square = PRODUCT[0]!;
    const squareError = PRODUCT[1]!;
    if (count === 1) {
      grow(this.sum, x);
      grow(this.squares, square);
      if (squareError !== 0) grow(this.squares, squareError);
      return;
    }
    addProduct(this.sum, x, count);
    addProduct(this.squares, square, count);
    addProduct(this.squares, squareError, count);
  }

  /** Adds another accumulator's values. */
  merge(other: ExactMoments): void {
    this.n += other.n;
    for (const x of other.sum) grow(this.sum, x);
    for (const x of other.squares) grow(this.squares, x);
  }

  /** Mean and population standard deviation, each from the exact sums with one final rounding. */
  result(): { mean: number; stddev: number } {
    const n = this.n;
    const mean = rounded(this.sum) / n;
    // n·Σx² − (Σx)², exactly, then rounded once: n² times the variance.
    const spread = scaled(this.squares, n);
    for (const a of this.sum) for (const x of scaled(this.sum, -a)) grow(spread, x);
    const variance = Math.max(0, rounded(spread)) / n / n;
    return { mean, stddev: Math.sqrt(variance) };
  }

  /** Restores the state `{ n, sum, squares }` of another thread's accumulator. */
  static restore(state: { n: number; sum: number[]; squares: number[] }): ExactMoments {
    const moments = new ExactMoments();
    moments.n = state.n;
    moments.sum.push(...state.sum);
    moments.squares.push(...state.squares);
    return moments;
  }
}
