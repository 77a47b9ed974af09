/**
 * The 64-bit value hashes of a column that may still be a key, or of every row, appended as they
 * come and checked for repeats by sorting when asked: an append is a sequential write where a hash
 * set's probe is a cache miss (the largest cost of profiling a unique column), and it holds 8 bytes
 * a value where a half-full set holds 16. The sort is a radix sort on the top 22 bits of the high
 * half (two linear passes beat a comparison sort on a million hashes); pairs that share them are few,
 * and compared whole.
 */

const RADIX_BITS = 11;
const RADIX = 1 << RADIX_BITS;
const RADIX_MASK = RADIX - 1;
/** The sort orders pairs by the bits of their high half from this one up (22 bits). */
const SORTED_FROM = 32 - 2 * RADIX_BITS;

/** How many of the pairs `[start, end)` (sharing their sorted bits) repeat an earlier one among them. */
function repeatsAmong(words: Uint32Array, start: number, end: number): number {
  // The bits left to tell them apart (10 of the high half, 32 of the low) fit a double exactly.
  const rest = new Float64Array(end - start);
  for (let i = start; i < end; i++)
    rest[i - start] = (words[i * 2 + 1]! & ((1 << SORTED_FROM) - 1)) * 4_294_967_296 + words[i * 2]!;
  rest.sort();
  let repeats = 0;
  for (let i = 1; i < rest.length; i++) if (rest[i] === rest[i - 1]) repeats++;
  return repeats;
}

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
    const size = this.size + other.size;
    if (size * 2 > this.#words.length) {
      const words = new Uint32Array(size * 2);
      words.set(this.#words.subarray(0, this.size * 2));
      this.#words = words;
    }
    this.#words.set(other.#words.subarray(0, other.size * 2), this.size * 2);
    this.size = size;
  }

  /** The pairs held, low and high halves side by side (`restore` rebuilds the log). */
  state(): Uint32Array {
    return this.#words.subarray(0, this.size * 2);
  }

  /** Rebuilds a log from `state()`, taking its array over. */
  static restore(words: Uint32Array): HashLog {
    const log = new HashLog(0);
    log.#words = words;
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
    const words = this.#sortedByTop();
    let repeats = 0;
    for (let start = 0; start < size; ) {
      const top = words[start * 2 + 1]! >>> SORTED_FROM;
      let end = start + 1;
      while (end < size && words[end * 2 + 1]! >>> SORTED_FROM === top) end++;
      // Pairs sharing the sorted bits: a few at most; equal pairs among them are the repeats.
      if (end - start === 2) {
        if (words[start * 2] === words[start * 2 + 2] && words[start * 2 + 1] === words[start * 2 + 3])
          repeats++;
      } else if (end - start > 2) repeats += repeatsAmong(words, start, end);
      start = end;
    }
    if (repeats === 0) this.#distinctUpTo = size;
    return repeats;
  }

  /**
   * Sorts the pairs in place by the top 22 bits of their high half: two 11-bit counting passes, whose
   * 2,048 buckets stay in cache where 16-bit ones scatter over 65,536 (pairs sharing those bits are
   * compared whole by `repeats`).
   */
  #sortedByTop(): Uint32Array {
    const size = this.size;
    let from: Uint32Array = this.#words;
    let to: Uint32Array = new Uint32Array(size * 2);
    const counts = new Uint32Array(2 * RADIX);
    for (let i = 0; i < size; i++) {
      const high = from[i * 2 + 1]!;
      counts[(high >>> SORTED_FROM) & RADIX_MASK]!++;
      counts[RADIX + (high >>> (SORTED_FROM + RADIX_BITS))]!++;
    }
    for (let pass = 0; pass < 2; pass++) {
      const offset = pass * RADIX;
      const shift = SORTED_FROM + pass * RADIX_BITS;
      let sum = 0;
      for (let b = offset; b < offset + RADIX; b++) {
        const count = counts[b]!;
        counts[b] = sum;
        sum += count;
      }
      for (let i = 0; i < size; i++) {
        const low = from[i * 2]!;
        const high = from[i * 2 + 1]!;
        const at = counts[offset + ((high >>> shift) & RADIX_MASK)]!++ * 2;
        to[at] = low;
        to[at + 1] = high;
      }
      const swap = from;
      from = to;
      to = swap;
    }
    // Two passes: the sorted pairs are back in the array they started in.
    return from;
  }

  #grow(): void {
    const words = new Uint32Array(Math.max(32, this.#words.length * 2));
    words.set(this.#words);
    this.#words = words;
  }
}
