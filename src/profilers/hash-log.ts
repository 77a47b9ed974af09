/**
 * The 64-bit value hashes of a column that may still be a key, appended as they come and checked
 * for a repeat by sorting when asked: an append is a sequential write where a hash set's probe is
 * a cache miss (the largest cost of profiling a unique column), and it holds 8 bytes a value
 * where a half-full set holds 16.
 */

/** An append-only list of (low, high) hash pairs that can say whether any pair repeats. */
export class HashLog {
  #words: Uint32Array;
  #wide: BigUint64Array;
  /** Pairs held. */
  size = 0;
  /** The size when the pairs were last found distinct; -1 when never checked. */
  #distinctUpTo = -1;

  constructor(capacity = 1024) {
    this.#wide = new BigUint64Array(Math.max(16, capacity));
    this.#words = new Uint32Array(this.#wide.buffer);
  }

  /** Appends one pair. */
  add(low: number, high: number): void {
    if (this.size === this.#wide.length) this.#grow();
    const at = this.size++ * 2;
    // Low word first: on a little-endian machine the 64-bit lane reads as (high << 32) | low;
    // any fixed mapping of pairs to lanes serves, since only equality matters.
    this.#words[at] = low;
    this.#words[at + 1] = high;
  }

  /** Appends every pair of another log. */
  addAll(other: HashLog): void {
    for (let i = 0; i < other.size * 2; i += 2) this.add(other.#words[i]!, other.#words[i + 1]!);
  }

  /** True when no pair appears twice (sorts the pairs; repeated calls without adds are free). */
  distinct(): boolean {
    if (this.#distinctUpTo === this.size) return true;
    const sorted = this.#wide.subarray(0, this.size).sort();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return false;
    this.#distinctUpTo = this.size;
    return true;
  }

  /** How many pairs repeat an earlier one (a pair held k times counts k - 1); sorts the pairs. */
  repeats(): number {
    const sorted = this.#wide.subarray(0, this.size).sort();
    let repeats = 0;
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeats++;
    if (repeats === 0) this.#distinctUpTo = this.size;
    return repeats;
  }

  #grow(): void {
    const wide = new BigUint64Array(this.#wide.length * 2);
    wide.set(this.#wide);
    this.#wide = wide;
    this.#words = new Uint32Array(wide.buffer);
  }
}
