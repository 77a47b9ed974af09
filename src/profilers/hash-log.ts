/**
 * The 64-bit value hashes of a column that may still be a key, or of every row, appended as they
 * come and checked for repeats by sorting when asked: an append is a sequential write where a hash
 * set's probe is a cache miss (the largest cost of profiling a unique column), and it holds 8 bytes
 * a value where a half-full set holds 16. The sort is a radix sort on the two 32-bit halves: no
 * BigInt is made, and four linear passes beat a comparison sort on a million hashes.
 */

/** An append-only list of (low, high) hash pairs that can say whether, and how often, pairs repeat. */
export class HashLog {
  /** Pairs side by side: low half at 2i, high half at 2i + 1. */
  #words: Uint32Array;
  /** Pairs held. */
  size = 0;
  /** The size when the pairs were last found distinct; -1 when never checked. */
  #distinctUpTo = -1;

  constructor(capacity = 1024) {
    this.#words = new Uint32Array(Math.max(16, capacity) * 2);
  }

  /** Appends one pair. */
  add(low: number, high: number): void {
    if (this.size * 2 === this.#words.length) this.#grow();
    const at = this.size++ * 2;
    this.#words[at] = low;
    this.#words[at + 1] = high;
  }

  /** Appends every pair of another log. */
  addAll(other: HashLog): void {
    for (let i = 0; i < other.size * 2; i += 2) this.add(other.#words[i]!, other.#words[i + 1]!);
  }

  /** The pairs held, low and high halves side by side (`restore` rebuilds the log). */
  state(): Uint32Array {
    return this.#words.subarray(0, this.size * 2);
  }

  /** Rebuilds a log from `state()`. */
  static restore(words: Uint32Array): HashLog {
    const log = new HashLog(words.length / 2);
    log.#words.set(words);
    log.size = words.length / 2;
    return log;
  }

  /** True when no pair appears twice (sorts the pairs; repeated calls without adds are free). */
  distinct(): boolean {
    if (this.#distinctUpTo === this.size) return true;
    return this.repeats() === 0;
  }

  /** How many pairs repeat an earlier one (a pair held k times counts k - 1); sorts the pairs. */
  repeats(): number {
    const size = this.size;
    const words = this.#sorted();
    let repeats = 0;
    for (let i = 2; i < size * 2; i += 2)
      if (words[i] === words[i - 2] && words[i + 1] === words[i - 1]) repeats++;
    if (repeats === 0) this.#distinctUpTo = size;
    return repeats;
  }

  /** Sorts the pairs in place by (high, low): four 16-bit counting passes, least significant first. */
  #sorted(): Uint32Array {
    const size = this.size;
    let from: Uint32Array = this.#words;
    let to: Uint32Array = new Uint32Array(size * 2);
    const counts = new Uint32Array(65_536);
    for (let pass = 0; pass < 4; pass++) {
      const half = pass >> 1;
      const shift = (pass & 1) * 16;
      counts.fill(0);
      for (let i = 0; i < size; i++) counts[(from[i * 2 + half]! >>> shift) & 0xffff]!++;
      let sum = 0;
      for (let b = 0; b < 65_536; b++) {
        const count = counts[b]!;
        counts[b] = sum;
        sum += count;
      }
      for (let i = 0; i < size; i++) {
        const low = from[i * 2]!;
        const high = from[i * 2 + 1]!;
        const at = counts[((half === 0 ? low : high) >>> shift) & 0xffff]!++ * 2;
        to[at] = low;
        to[at + 1] = high;
      }
      const swap = from;
      from = to;
      to = swap;
    }
    // Four passes: the sorted pairs are back in the array they started in.
    return from;
  }

  #grow(): void {
    const words = new Uint32Array(this.#words.length * 2);
    words.set(this.#words);
    this.#words = words;
  }
}
