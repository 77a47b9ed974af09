/**
 * A value → count table keyed by the 64-bit value hash the dataset accumulator computes once per
 * value anyway: an open-addressing probe in typed arrays and one `===` against the stored key,
 * where a `Map` would hash the string again. Keys with equal hashes but different values get
 * their own entries, so the table stays exact.
 */
import type { FrequencyKey } from './observation.ts';
import { type PackedValues, packValues, unpackValues } from './packed-values.ts';
import { HASH, hashKey } from './value-hash.ts';

/** A frequency table as plain data, for `postMessage`: keys in first-seen order with counts and hashes. */
export interface FrequencyTableState {
  readonly keys: PackedValues;
  readonly counts: Float64Array;
  readonly lows: Uint32Array;
  readonly highs: Uint32Array;
}

/** A growable frequency table; `toMap()` gives the `ReadonlyMap` an observation carries. */
export class FrequencyTable {
  // Small at first: a dataset of 100,000 columns holds 100,000 tables, most of them tiny.
  #low = new Uint32Array(16);
  #high = new Uint32Array(16);
  /** Entry index + 1 of each probe slot; 0 for an empty slot. */
  #slots = new Int32Array(16);
  #mask = 15;
  readonly #keys: FrequencyKey[] = [];
  #counts = new Float64Array(8);

  /** Distinct keys held. */
  get size(): number {
    return this.#keys.length;
  }

  /** Adds `count` occurrences of `key`. */
  add(key: FrequencyKey, count = 1): void {
    hashKey(key);
    this.addHashed(key, HASH[0]!, HASH[1]!, count);
  }

  /**
   * Adds `count` occurrences of `key`, whose `hashKey` halves are `low` and `high`; returns the key as
   * the table holds it (the first copy added), so that a caller can keep it instead of another copy.
   */
  addHashed(key: FrequencyKey, low: number, high: number, count = 1): FrequencyKey {
    const lows = this.#low;
    const highs = this.#high;
    const slots = this.#slots;
    const keys = this.#keys;
    let at = (low ^ Math.imul(high, 0x9e3779b1)) & this.#mask;
    for (;;) {
      const entry = slots[at]!;
      if (entry === 0) break;
      if (lows[at] === low && highs[at] === high) {
        const known = keys[entry - 1]!;
        // NaN is one key, as in a Map.
        if (known === key || Object.is(known, key)) {
          this.#counts[entry - 1]! += count;
          return known;
        }
      }
      at = (at + 1) & this.#mask;
    }
    const index = keys.length;
    if (index === this.#counts.length) {
      const grown = new Float64Array(index * 2);
      grown.set(this.#counts);
      this.#counts = grown;
    }
    keys.push(key);
    this.#counts[index] = count;
    lows[at] = low;
    highs[at] = high;
    slots[at] = index + 1;
    if (keys.length * 2 > slots.length) this.#grow();
    return key;
  }

  /** Calls `visit` with every key and its count, in first-seen order. */
  forEach(visit: (key: FrequencyKey, count: number) => void): void {
    const counts = this.#counts;
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) visit(keys[i]!, counts[i]!);
  }

  /** Calls `visit` with every key, its count and its hash halves, in first-seen order. */
  forEachHashed(visit: (key: FrequencyKey, count: number, low: number, high: number) => void): void {
    const keys = this.#keys;
    const { counts, lows, highs } = this.#hashes();
    for (let i = 0; i < keys.length; i++) visit(keys[i]!, counts[i]!, lows[i]!, highs[i]!);
  }

  /** Adds every key of another table, in its first-seen order, without hashing them again. */
  addAll(other: FrequencyTable): void {
    const keys = other.#keys;
    const { counts, lows, highs } = other.#hashes();
    for (let i = 0; i < keys.length; i++) this.addHashed(keys[i]!, lows[i]!, highs[i]!, counts[i]!);
  }

  /** The table as plain data (`restore` rebuilds it). */
  state(): FrequencyTableState {
    return { keys: packValues(this.#keys), ...this.#hashes() };
  }

  /** Counts and hash halves by entry, in first-seen order. */
  #hashes(): { counts: Float64Array; lows: Uint32Array; highs: Uint32Array } {
    const size = this.#keys.length;
    const lows = new Uint32Array(size);
    const highs = new Uint32Array(size);
    const slots = this.#slots;
    for (let at = 0; at < slots.length; at++) {
      const entry = slots[at]!;
      if (entry === 0) continue;
      lows[entry - 1] = this.#low[at]!;
      highs[entry - 1] = this.#high[at]!;
    }
    return { counts: this.#counts.subarray(0, size), lows, highs };
  }

  /** Rebuilds a table from `state()`. */
  static restore(state: FrequencyTableState): FrequencyTable {
    const table = new FrequencyTable();
    const { counts, lows, highs } = state;
    const keys = unpackValues(state.keys);
    for (let i = 0; i < keys.length; i++) table.addHashed(keys[i]!, lows[i]!, highs[i]!, counts[i]!);
    return table;
  }

  /** True when no key was added more than once. */
  allOnce(): boolean {
    const counts = this.#counts;
    for (let i = 0; i < this.#keys.length; i++) if (counts[i]! > 1) return false;
    return true;
  }

  /** The table as a Map of counts. */
  toMap(): Map<FrequencyKey, number> {
    const map = new Map<FrequencyKey, number>();
    const counts = this.#counts;
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) map.set(keys[i]!, counts[i]!);
    return map;
  }

  #grow(): void {
    const lows = this.#low;
    const highs = this.#high;
    const slots = this.#slots;
    const size = slots.length * 2;
    this.#low = new Uint32Array(size);
    this.#high = new Uint32Array(size);
    this.#slots = new Int32Array(size);
    this.#mask = size - 1;
    for (let i = 0; i < slots.length; i++) {
      const entry = slots[i]!;
      if (entry === 0) continue;
      const low = lows[i]!;
      const high = highs[i]!;
      let at = (low ^ Math.imul(high, 0x9e3779b1)) & this.#mask;
      while (this.#slots[at] !== 0) at = (at + 1) & this.#mask;
      this.#low[at] = low;
      this.#high[at] = high;
      this.#slots[at] = entry;
    }
  }
}
