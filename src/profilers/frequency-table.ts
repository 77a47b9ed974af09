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

/** Bytes of one probe slot: entry index + 1 and high hash half (2 × 4 bytes), the count (8 bytes). */
const SLOT_BYTES = 16;

/** A growable frequency table; `toMap()` gives the `ReadonlyMap` an observation carries. */
export class FrequencyTable {
  // A probe reads one slot holding the entry, the high hash half and the count side by side: in a
  // table past the cache, one memory access where parallel arrays cost one each (the stored key is
  // compared on a high half's match; the low halves are kept by entry, for rehashing and `state`).
  /** Per slot `s`: entry index + 1 at `4s` (0 for an empty slot), the high half at `4s + 1`. */
  #words: Uint32Array;
  /** Per slot `s`: the count at `2s + 1` (the same memory as `#words`). */
  #counts: Float64Array;
  #mask: number;
  readonly #keys: FrequencyKey[] = [];
  /** The low hash half of each entry. */
  #lows = new Uint32Array(8);

  constructor() {
    // Small at first: a dataset of 100,000 columns holds 100,000 tables, most of them tiny.
    const buffer = new ArrayBuffer(16 * SLOT_BYTES);
    this.#words = new Uint32Array(buffer);
    this.#counts = new Float64Array(buffer);
    this.#mask = 15;
  }

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
    const words = this.#words;
    const keys = this.#keys;
    let at = (low ^ Math.imul(high, 0x9e3779b1)) & this.#mask;
    for (;;) {
      const entry = words[at * 4]!;
      if (entry === 0) break;
      if (words[at * 4 + 1] === high) {
        const known = keys[entry - 1]!;
        // NaN is one key, as in a Map.
        if (known === key || Object.is(known, key)) {
          this.#counts[at * 2 + 1]! += count;
          return known;
        }
      }
      at = (at + 1) & this.#mask;
    }
    const index = keys.length;
    if (index === this.#lows.length) {
      const grown = new Uint32Array(index * 2);
      grown.set(this.#lows);
      this.#lows = grown;
    }
    keys.push(key);
    this.#lows[index] = low;
    words[at * 4] = index + 1;
    words[at * 4 + 1] = high;
    this.#counts[at * 2 + 1] = count;
    if (keys.length * 2 > this.#mask + 1) this.#grow();
    return key;
  }

  /** Calls `visit` with every key and its count, in first-seen order. */
  forEach(visit: (key: FrequencyKey, count: number) => void): void {
    const keys = this.#keys;
    const { counts } = this.#byEntry();
    for (let i = 0; i < keys.length; i++) visit(keys[i]!, counts[i]!);
  }

  /** Calls `visit` with every key, its count and its hash halves, in first-seen order. */
  forEachHashed(visit: (key: FrequencyKey, count: number, low: number, high: number) => void): void {
    const keys = this.#keys;
    const { counts, lows, highs } = this.#byEntry();
    for (let i = 0; i < keys.length; i++) visit(keys[i]!, counts[i]!, lows[i]!, highs[i]!);
  }

  /** Adds every key of another table, in its first-seen order, without hashing them again. */
  addAll(other: FrequencyTable): void {
    const keys = other.#keys;
    const { counts, lows, highs } = other.#byEntry();
    for (let i = 0; i < keys.length; i++) this.addHashed(keys[i]!, lows[i]!, highs[i]!, counts[i]!);
  }

  /** The table as plain data (`restore` rebuilds it). */
  state(): FrequencyTableState {
    return { keys: packValues(this.#keys), ...this.#byEntry() };
  }

  /** Counts and hash halves by entry, in first-seen order. */
  #byEntry(): { counts: Float64Array; lows: Uint32Array; highs: Uint32Array } {
    const size = this.#keys.length;
    const counts = new Float64Array(size);
    const highs = new Uint32Array(size);
    const words = this.#words;
    for (let at = 0; at <= this.#mask; at++) {
      const entry = words[at * 4]!;
      if (entry === 0) continue;
      counts[entry - 1] = this.#counts[at * 2 + 1]!;
      highs[entry - 1] = words[at * 4 + 1]!;
    }
    return { counts, lows: this.#lows.slice(0, size), highs };
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
    const words = this.#words;
    for (let at = 0; at <= this.#mask; at++) {
      if (words[at * 4] !== 0 && this.#counts[at * 2 + 1]! > 1) return false;
    }
    return true;
  }

  /** The table as a Map of counts. */
  toMap(): Map<FrequencyKey, number> {
    const map = new Map<FrequencyKey, number>();
    const keys = this.#keys;
    const { counts } = this.#byEntry();
    for (let i = 0; i < keys.length; i++) map.set(keys[i]!, counts[i]!);
    return map;
  }

  #grow(): void {
    const words = this.#words;
    const counts = this.#counts;
    const lows = this.#lows;
    const slots = this.#mask + 1;
    const size = slots * 2;
    const buffer = new ArrayBuffer(size * SLOT_BYTES);
    const grownWords = new Uint32Array(buffer);
    const grownCounts = new Float64Array(buffer);
    const mask = size - 1;
    for (let i = 0; i < slots; i++) {
      const entry = words[i * 4]!;
      if (entry === 0) continue;
      const high = words[i * 4 + 1]!;
      let at = (lows[entry - 1]! ^ Math.imul(high, 0x9e3779b1)) & mask;
      while (grownWords[at * 4] !== 0) at = (at + 1) & mask;
      grownWords[at * 4] = entry;
      grownWords[at * 4 + 1] = high;
      grownCounts[at * 2 + 1] = counts[i * 2 + 1]!;
    }
    this.#words = grownWords;
    this.#counts = grownCounts;
    this.#mask = mask;
  }
}
