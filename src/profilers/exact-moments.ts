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

/** 2^53: integers below it in magnitude, and sums of them that stay below it, are exact doubles. */
const EXACT_INTEGERS = 2 ** 53;
/** Integers below 2^26 in magnitude have exact squares (below 2^52). */
const SMALL_INTEGER = 2 ** 26;

/** Running count, exact sum and exact sum of squares of numbers; mean and population stddev on demand. */
export class ExactMoments {
  n = 0;
  readonly #sum: number[] = [];
  readonly #squares: number[] = [];
  // Small integers add up in plain doubles while the totals stay exact (an id column's every value);
  // they join the expansions before a total would leave the exact range, and before any read.
  #smallSum = 0;
  #smallSquares = 0;

  /** The exact sum as an expansion (non-overlapping parts, increasing magnitude). */
  get sum(): number[] {
    this.#flush();
    return this.#sum;
  }

  /** The exact sum of squares as an expansion. */
  get squares(): number[] {
    this.#flush();
    return this.#squares;
  }

  /** Adds `count` copies of `x`. */
  add(x: number, count: number): void {
    this.n += count;
    if (Number.isInteger(x) && Math.abs(x) < SMALL_INTEGER && this.#addSmall(x, count)) return;
    twoProduct(x, x);
    const square = PRODUCT[0]!;
    const squareError = PRODUCT[1]!;
    if (count === 1) {
      grow(this.#sum, x);
      grow(this.#squares, square);
      if (squareError !== 0) grow(this.#squares, squareError);
      return;
    }
    addProduct(this.#sum, x, count);
    addProduct(this.#squares, square, count);
    addProduct(this.#squares, squareError, count);
  }

  /** Adds an integer whose square is exact to the plain totals; false when a product would not be exact. */
  #addSmall(x: number, count: number): boolean {
    const sum = x * count;
    const squares = x * x * count;
    // At 2^53 a rounded result can no longer be told from an exact one: stay strictly below.
    if (Math.abs(sum) >= EXACT_INTEGERS || squares >= EXACT_INTEGERS) return false;
    if (Math.abs(this.#smallSum + sum) >= EXACT_INTEGERS || this.#smallSquares + squares >= EXACT_INTEGERS)
      this.#flush();
    this.#smallSum += sum;
    this.#smallSquares += squares;
    return true;
  }

  #flush(): void {
    if (this.#smallSum !== 0) grow(this.#sum, this.#smallSum);
    if (this.#smallSquares !== 0) grow(this.#squares, this.#smallSquares);
    this.#smallSum = 0;
    this.#smallSquares = 0;
  }

  /** Adds another accumulator's values. */
  merge(other: ExactMoments): void {
    this.n += other.n;
    for (const x of other.sum) grow(this.#sum, x);
    for (const x of other.squares) grow(this.#squares, x);
  }

  /** Mean and population standard deviation, each from the exact sums with one final rounding. */
  result(): { mean: number; stddev: number } {
    const n = this.n;
    const sum = this.sum;
    const mean = rounded(sum) / n;
    // n·Σx² − (Σx)², exactly, then rounded once: n² times the variance.
    const spread = scaled(this.squares, n);
    for (const a of sum) for (const x of scaled(sum, -a)) grow(spread, x);
    const variance = Math.max(0, rounded(spread)) / n / n;
    return { mean, stddev: Math.sqrt(variance) };
  }

  /** Restores the state `{ n, sum, squares }` of another thread's accumulator. */
  static restore(state: { n: number; sum: number[]; squares: number[] }): ExactMoments {
    const moments = new ExactMoments();
    moments.n = state.n;
    moments.#sum.push(...state.sum);
    moments.#squares.push(...state.squares);
    return moments;
  }
}
