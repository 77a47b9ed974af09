/**
 * A set of 64-bit hashes in two typed arrays with open addressing: about 16 bytes a row at most,
 * where a `Set<number>` holds a boxed number and an entry per row (about 50 bytes).
 */

const EMPTY_MARK = 0;

/** A growable set of (low, high) 32-bit pairs; `add` says whether the pair was new. */
export class HashSet64 {
  #low: Uint32Array;
  #high: Uint32Array;
  #mask: number;
  /** Pairs held. */
  size = 0;

  constructor(capacity = 1024) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#low = new Uint32Array(slots);
    this.#high = new Uint32Array(slots);
    this.#mask = slots - 1;
  }

  /** Adds a pair; false when it was already there (a duplicate). */
  add(low: number, high: number): boolean {
    // (0, 0) marks an empty slot, so the one real (0, 0) hash is stored as (1, 0).
    if (low === EMPTY_MARK && high === 0) low = 1;
    low >>>= 0;
    high >>>= 0;
    const lows = this.#low;
    const highs = this.#high;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & this.#mask;
    while (true) {
      const l = lows[slot]!;
      const h = highs[slot]!;
      if (l === EMPTY_MARK && h === 0) break;
      if (l === low && h === high) return false;
      slot = (slot + 1) & this.#mask;
    }
    lows[slot] = low;
    highs[slot] = high;
    if (++this.size * 2 > lows.length) this.#grow();
    return true;
  }

  /** True when the pair is in the set. */
  has(low: number, high: number): boolean {
    if (low === EMPTY_MARK && high === 0) low = 1;
    low >>>= 0;
    high >>>= 0;
    const lows = this.#low;
    const highs = this.#high;
    let slot = (low ^ Math.imul(high, 0x9e3779b1)) & this.#mask;
    while (true) {
      const l = lows[slot]!;
      const h = highs[slot]!;
      if (l === EMPTY_MARK && h === 0) return false;
      if (l === low && h === high) return true;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** Calls `visit` with every pair (for merging one set into another). */
  forEach(visit: (low: number, high: number) => void): void {
    const lows = this.#low;
    const highs = this.#high;
    for (let i = 0; i < lows.length; i++)
      if (lows[i] !== EMPTY_MARK || highs[i] !== 0) visit(lows[i]!, highs[i]!);
  }

  /** The set as plain data (`restore` rebuilds it). */
  state(): { low: Uint32Array; high: Uint32Array; size: number } {
    return { low: this.#low, high: this.#high, size: this.size };
  }

  /** Rebuilds a set from `state()`. */
  static restore(state: { low: Uint32Array; high: Uint32Array; size: number }): HashSet64 {
    const set = new HashSet64(16);
    set.#low = state.low;
    set.#high = state.high;
    set.#mask = state.low.length - 1;
    set.size = state.size;
    return set;
  }

  /** Bytes held by the arrays. */
  get bytes(): number {
    return this.#low.byteLength * 2;
  }

  #grow(): void {
    const lows = this.#low;
    const highs = this.#high;
    this.#low = new Uint32Array(lows.length * 2);
    this.#high = new Uint32Array(lows.length * 2);
    this.#mask = this.#low.length - 1;
    this.size = 0;
    for (let i = 0; i < lows.length; i++)
      if (lows[i] !== EMPTY_MARK || highs[i] !== 0) this.add(lows[i]!, highs[i]!);
  }
}
