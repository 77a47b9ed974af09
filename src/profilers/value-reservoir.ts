/**
 * A uniform sample of a column's values past the distinct limit (Li's Algorithm L): the random
 * draws happen only at replacements, so a row costs one comparison. Seeded, so that profiling the
 * same file twice gives the same profile.
 */
import type { ProfileValue } from '../core/profile.ts';

/** A small seeded generator (mulberry32): uniform in (0, 1). */
function random(state: { seed: number }): number {
  state.seed = (state.seed + 0x6d2b79f5) | 0;
  let t = state.seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  // Half a step off zero: log(0) would stall the skips.
  return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
}

/** A reservoir of `size` values, uniform over every value offered. */
export class ValueReservoir {
  readonly values: ProfileValue[] = [];
  /** Values offered so far. */
  seen = 0;
  readonly #size: number;
  readonly #rng = { seed: 0x5eed };
  #w = 1;
  #next = 0;

  constructor(size: number) {
    this.#size = size;
  }

  /** Offers `count` copies of one value (a frequency-table entry), skipping through them in O(replacements). */
  offer(value: ProfileValue, count = 1): void {
    let remaining = count;
    while (remaining > 0 && this.values.length < this.#size) {
      this.values.push(value);
      this.seen++;
      remaining--;
      if (this.values.length === this.#size) this.#skip();
    }
    const end = this.seen + remaining;
    while (remaining > 0 && this.#next <= end) {
      this.values[Math.floor(random(this.#rng) * this.#size)] = value;
      this.#skip();
    }
    this.seen = end;
  }

  /** Offers one value: the hot path, a comparison unless this position was drawn. */
  offerOne(value: ProfileValue): void {
    if (this.values.length < this.#size || this.seen + 1 >= this.#next) this.offer(value, 1);
    else this.seen++;
  }

  /** The sample as a frequency table. */
  frequencies(): Map<ProfileValue, number> {
    const table = new Map<ProfileValue, number>();
    for (const value of this.values) table.set(value, (table.get(value) ?? 0) + 1);
    return table;
  }

  /** Merges another reservoir: each slot drawn from one side with probability proportional to what it saw. */
  merge(other: ValueReservoir): void {
    const total = this.seen + other.seen;
    if (other.seen === 0) return;
    const size = Math.min(this.#size, this.values.length + other.values.length);
    const merged: ProfileValue[] = [];
    const mine = this.values.slice();
    const theirs = other.values.slice();
    for (let i = 0; i < size; i++) {
      const fromMine = theirs.length === 0 || (mine.length > 0 && random(this.#rng) * total < this.seen);
      const pool = fromMine ? mine : theirs;
      const at = Math.floor(random(this.#rng) * pool.length);
      merged.push(pool[at]!);
      pool[at] = pool[pool.length - 1]!;
      pool.pop();
    }
    this.values.length = 0;
    this.values.push(...merged);
    this.seen = total;
    if (this.values.length === this.#size) this.#skip();
  }

  /** Draws the position of the next replacement (Algorithm L). */
  #skip(): void {
    this.#w *= Math.exp(Math.log(random(this.#rng)) / this.#size);
    const gap = Math.floor(Math.log(random(this.#rng)) / Math.log(1 - this.#w)) + 1;
    this.#next = Math.max(this.#next, this.seen) + gap;
  }
}
