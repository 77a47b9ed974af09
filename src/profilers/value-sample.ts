/**
 * A uniform sample of a column's values for when its frequency table stops being exact: the values of
 * the `size` rows whose position (0-based row number) hashes lowest. A row's priority depends on its
 * position only, so the sample is the same whatever the order values arrive in, and two samples of
 * shards merge into exactly the sample of one pass; a row costs one hash and one comparison.
 */
import type { ProfileValue } from '../core/profile.ts';

/** The priority of a row position: murmur3's finaliser, a bijection on 32-bit positions (no ties). */
export function samplePriority(position: number): number {
  let h = (position >>> 0) ^ Math.imul((position / 4294967296) >>> 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** What `ValueSample.state()` returns, to rebuild the sample in another thread. */
export interface ValueSampleState {
  readonly size: number;
  readonly priorities: Uint32Array;
  readonly positions: Float64Array;
  readonly values: ProfileValue[];
}

/** The values of the `size` lowest-priority positions offered, kept in a max-heap on (priority, position). */
export class ValueSample {
  readonly size: number;
  /** Values held (at most `size`). */
  length = 0;
  #priorities: Uint32Array;
  #positions: Float64Array;
  readonly #values: ProfileValue[] = [];

  constructor(size: number) {
    this.size = size;
    // Small at first: most columns never need their sample, and a wide dataset has many columns.
    const capacity = Math.min(size, 64);
    this.#priorities = new Uint32Array(capacity);
    this.#positions = new Float64Array(capacity);
  }

  /** Offers the value of row `position`; kept when its priority is among the `size` lowest so far. */
  offer(value: ProfileValue, position: number): void {
    this.offerWith(value, position, samplePriority(position));
  }

  /** `offer` with the position's priority already computed. */
  offerWith(value: ProfileValue, position: number, priority: number): void {
    const length = this.length;
    if (length < this.size) {
      if (length === this.#priorities.length) this.#grow();
      this.#siftUp(length, value, position, priority);
      this.length = length + 1;
      return;
    }
    const top = this.#priorities[0]!;
    if (priority > top || (priority === top && position > this.#positions[0]!)) return;
    this.#siftDown(value, position, priority);
  }

  /** Adds the values of another sample (a shard of the same column). */
  merge(other: ValueSample): void {
    for (let i = 0; i < other.length; i++)
      this.offerWith(other.#values[i]!, other.#positions[i]!, other.#priorities[i]!);
  }

  /** The sample as a frequency table, values in row order. */
  frequencies(): Map<ProfileValue, number> {
    const order = Array.from({ length: this.length }, (_, i) => i).sort(
      (a, b) => this.#positions[a]! - this.#positions[b]!,
    );
    const table = new Map<ProfileValue, number>();
    for (const i of order) {
      const value = this.#values[i]!;
      table.set(value, (table.get(value) ?? 0) + 1);
    }
    return table;
  }

  /** The sample's content, for `restore` in another thread. */
  state(): ValueSampleState {
    return {
      size: this.size,
      priorities: this.#priorities.slice(0, this.length),
      positions: this.#positions.slice(0, this.length),
      values: this.#values.slice(0, this.length),
    };
  }

  /** Rebuilds a sample from `state()`. */
  static restore(state: ValueSampleState): ValueSample {
    const sample = new ValueSample(state.size);
    sample.#priorities = state.priorities;
    sample.#positions = state.positions;
    sample.#values.push(...state.values);
    sample.length = state.values.length;
    return sample;
  }

  #siftUp(at: number, value: ProfileValue, position: number, priority: number): void {
    const priorities = this.#priorities;
    const positions = this.#positions;
    const values = this.#values;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const p = priorities[parent]!;
      if (p > priority || (p === priority && positions[parent]! > position)) break;
      priorities[at] = p;
      positions[at] = positions[parent]!;
      values[at] = values[parent]!;
      at = parent;
    }
    priorities[at] = priority;
    positions[at] = position;
    values[at] = value;
  }

  /** Replaces the root (the highest priority held) and restores the heap. */
  #siftDown(value: ProfileValue, position: number, priority: number): void {
    const priorities = this.#priorities;
    const positions = this.#positions;
    const values = this.#values;
    const length = this.length;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= length) break;
      const right = child + 1;
      if (
        right < length &&
        (priorities[right]! > priorities[child]! ||
          (priorities[right] === priorities[child] && positions[right]! > positions[child]!))
      )
        child = right;
      const p = priorities[child]!;
      if (p < priority || (p === priority && positions[child]! < position)) break;
      priorities[at] = p;
      positions[at] = positions[child]!;
      values[at] = values[child]!;
      at = child;
    }
    priorities[at] = priority;
    positions[at] = position;
    values[at] = value;
  }

  #grow(): void {
    const capacity = Math.min(this.size, Math.max(64, this.#priorities.length * 2));
    const priorities = new Uint32Array(capacity);
    priorities.set(this.#priorities);
    const positions = new Float64Array(capacity);
    positions.set(this.#positions);
    this.#priorities = priorities;
    this.#positions = positions;
  }
}
