/**
 * A uniform sample of rows, for the columns whose frequency table stops being exact: the values of
 * the `size` rows whose position (0-based row number) hashes lowest. A row's priority depends on its
 * position only, so the sample is the same whatever the order rows arrive in, and two samples of
 * shards merge into exactly the sample of one pass; a row costs one hash and one comparison.
 */
import type { ProfileValue } from '../core/profile.ts';
import { type PackedValues, packValues, unpackValues } from './packed-values.ts';

/** The priority of a row position: murmur3's finaliser, a bijection on 32-bit positions (no ties). */
export function samplePriority(position: number): number {
  let h = (position >>> 0) ^ Math.imul((position / 4294967296) >>> 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** What `RowSample.state()` returns, to rebuild the sample in another thread. */
export interface RowSampleState {
  readonly size: number;
  readonly priorities: Uint32Array;
  readonly positions: Float64Array;
  /** Each column's values in the sampled rows (null: no value). */
  readonly columns: PackedValues[];
  readonly nulls: Uint8Array[];
}

/**
 * The values of the `size` rows of lowest priority offered, column by column. Candidates below a
 * threshold are appended; when 1.5 times `size` are held, the lowest `size` are kept and the threshold
 * drops to the highest of them: a row costs a comparison, and the selection runs a few times a pass.
 */
export class RowSample {
  readonly size: number;
  /** Candidates held before a selection: fewer rows, but a few more selections a pass. */
  readonly #capacity: number;
  /** Candidate rows held (up to `capacity`; `frequencies` keeps the lowest `size`). */
  length = 0;
  #priorities: Uint32Array;
  #positions: Float64Array;
  readonly #columns: (ProfileValue | null)[][];
  /** Priority and position of the highest row kept by the last selection: higher ones are refused. */
  #maxPriority = 2 ** 32;
  #maxPosition = 0;
  /** Indexes of the rows held in row order, once asked for; cleared by every change. */
  #order: number[] | undefined;

  constructor(size: number, width: number) {
    this.size = size;
    this.#columns = Array.from({ length: width }, () => []);
    // Small at first: most samples are never used, as most columns keep their exact table.
    this.#capacity = Math.max(size + 1, Math.ceil(size * 1.5));
    const capacity = Math.min(this.#capacity, 64);
    this.#priorities = new Uint32Array(capacity);
    this.#positions = new Float64Array(capacity);
  }

  /** True when the row of this priority and position may be among the lowest: `add` it then. */
  wants(priority: number, position: number): boolean {
    return priority < this.#maxPriority || (priority === this.#maxPriority && position < this.#maxPosition);
  }

  /** Adds a row that `wants` accepted: its value in each column (null for none). */
  add(priority: number, position: number, values: readonly (ProfileValue | null)[]): void {
    let length = this.length;
    if (length === this.#priorities.length) {
      if (length >= this.#capacity) {
        this.#select();
        if (!this.wants(priority, position)) return;
        length = this.length;
      } else this.#grow();
    }
    this.#order = undefined;
    this.#priorities[length] = priority;
    this.#positions[length] = position;
    const columns = this.#columns;
    for (let c = 0; c < columns.length; c++) columns[c]![length] = values[c]!;
    this.length = length + 1;
  }

  /** Adds the rows of another sample (a shard of the same rows). */
  merge(other: RowSample): void {
    const row: (ProfileValue | null)[] = new Array(this.#columns.length);
    for (let i = 0; i < other.length; i++) {
      const priority = other.#priorities[i]!;
      const position = other.#positions[i]!;
      if (!this.wants(priority, position)) continue;
      for (let c = 0; c < row.length; c++) row[c] = other.#columns[c]![i]!;
      this.add(priority, position, row);
    }
  }

  /** A column's sampled values as a frequency table, in row order. */
  frequencies(column: number): Map<ProfileValue, number> {
    this.#select();
    const positions = this.#positions;
    this.#order ??= Array.from({ length: this.length }, (_, i) => i).sort(
      (a, b) => positions[a]! - positions[b]!,
    );
    const order = this.#order;
    const values = this.#columns[column]!;
    const table = new Map<ProfileValue, number>();
    for (const i of order) {
      const value = values[i]!;
      if (value !== null) table.set(value, (table.get(value) ?? 0) + 1);
    }
    return table;
  }

  /** The sample's content, for `restore` in another thread. */
  state(): RowSampleState {
    this.#select();
    const length = this.length;
    const columns = this.#columns.map((values) => values.slice(0, length));
    return {
      size: this.size,
      priorities: this.#priorities.slice(0, length),
      positions: this.#positions.slice(0, length),
      columns: columns.map((values) => packValues(values.map((v) => v ?? ''))),
      nulls: columns.map((values) => Uint8Array.from(values, (v) => (v === null ? 1 : 0))),
    };
  }

  /** Rebuilds a sample from `state()`. */
  static restore(state: RowSampleState): RowSample {
    const width = state.columns.length;
    const sample = new RowSample(state.size, width);
    const columns = state.columns.map((packed, c) => {
      const nulls = state.nulls[c]!;
      return unpackValues(packed).map((v, i) => (nulls[i] === 1 ? null : v));
    });
    const row: (ProfileValue | null)[] = new Array(width);
    for (let i = 0; i < state.priorities.length; i++) {
      for (let c = 0; c < width; c++) row[c] = columns[c]![i]!;
      sample.add(state.priorities[i]!, state.positions[i]!, row);
    }
    return sample;
  }

  /** Keeps the `size` lowest rows (by priority, then position) and lowers the threshold to them. */
  #select(): void {
    const length = this.length;
    if (length <= this.size) return;
    const priorities = this.#priorities;
    const positions = this.#positions;
    const cut = select(priorities.slice(0, length), this.size - 1);
    // Ties at the cut (positions past 2^32 only) are broken by position.
    const tied: number[] = [];
    let below = 0;
    for (let i = 0; i < length; i++) {
      const p = priorities[i]!;
      if (p < cut) below++;
      else if (p === cut) tied.push(positions[i]!);
    }
    tied.sort((a, b) => a - b);
    const lastTied = tied[this.size - below - 1]!;
    const columns = this.#columns;
    let kept = 0;
    for (let i = 0; i < length; i++) {
      const p = priorities[i]!;
      const position = positions[i]!;
      if (p > cut || (p === cut && position > lastTied)) continue;
      priorities[kept] = p;
      positions[kept] = position;
      for (let c = 0; c < columns.length; c++) columns[c]![kept] = columns[c]![i]!;
      kept++;
    }
    // The columns keep their length (values past `length` are stale): shrinking an array costs its regrowth.
    this.length = kept;
    this.#order = undefined;
    this.#maxPriority = cut;
    this.#maxPosition = lastTied;
  }

  #grow(): void {
    const capacity = Math.min(this.#capacity, Math.max(64, this.#priorities.length * 2));
    const priorities = new Uint32Array(capacity);
    priorities.set(this.#priorities);
    const positions = new Float64Array(capacity);
    positions.set(this.#positions);
    this.#priorities = priorities;
    this.#positions = positions;
  }
}

/** The value of rank `k` (0-based) of `values` (Hoare's quickselect; reorders `values`). */
function select(values: Uint32Array, k: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const pivot = values[(low + high) >>> 1]!;
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) high = j;
    else if (k >= i) low = i;
    else return values[k]!;
  }
  return values[k]!;
}
