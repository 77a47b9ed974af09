/**
 * A value → count table with one Map lookup per repeated value: the Map holds each key's slot in a
 * typed array of counts, so a repeat is a `get` and an array increment, not a `get` and a `set`.
 */
import type { FrequencyKey } from './observation.ts';

/** A growable frequency table; `toMap()` gives the `ReadonlyMap` an observation carries. */
export class FrequencyTable {
  readonly #slots = new Map<FrequencyKey, number>();
  #counts = new Float64Array(1024);

  /** Distinct keys held. */
  get size(): number {
    return this.#slots.size;
  }

  /** Adds `count` occurrences of `key`. */
  add(key: FrequencyKey, count = 1): void {
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      this.#counts[slot]! += count;
      return;
    }
    const next = this.#slots.size;
    if (next === this.#counts.length) {
      const grown = new Float64Array(next * 2);
      grown.set(this.#counts);
      this.#counts = grown;
    }
    this.#slots.set(key, next);
    this.#counts[next] = count;
  }

  /** Calls `visit` with every key and its count, in first-seen order. */
  forEach(visit: (key: FrequencyKey, count: number) => void): void {
    const counts = this.#counts;
    for (const [key, slot] of this.#slots) visit(key, counts[slot]!);
  }

  /** True when no key was added more than once. */
  allOnce(): boolean {
    const counts = this.#counts;
    for (let i = 0; i < this.#slots.size; i++) if (counts[i]! > 1) return false;
    return true;
  }

  /** The table as a Map of counts. */
  toMap(): Map<FrequencyKey, number> {
    const map = new Map<FrequencyKey, number>();
    const counts = this.#counts;
    for (const [key, slot] of this.#slots) map.set(key, counts[slot]!);
    return map;
  }
}
