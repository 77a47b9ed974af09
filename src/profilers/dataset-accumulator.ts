/**
 * The streaming accumulator of a dataset: one pass over `Row[]` batches feeds every column's
 * accumulator and, from the same per-value hashes, finds exact duplicate rows, duplicates on the
 * declared keys, and one- and two-column candidate keys. `profileRows` drives it over a read, with
 * optional row sampling. Shards of the rows (a file profiled by byte ranges in several threads) are
 * profiled apart, carried across threads by `state()` / `restore()`, and merged in row order.
 */

import type { Row } from '../connectors/types.ts';
import type { LogicalType } from '../core/inventory.ts';
import type { ProfileValue } from '../core/profile.ts';
import { canonicalKey } from './canonical-key.ts';
import { ColumnAccumulator, type ColumnAccumulatorState, VALUE_SAMPLE_SIZE } from './column-accumulator.ts';
import { HashLog } from './hash-log.ts';
import { HashSet64 } from './hash-set64.ts';
import type { DatasetObservation, DuplicateCount, FrequencyKey, ProfileOptions } from './observation.ts';
import { HASH, hashKey } from './value-hash.ts';
import { RowSample, type RowSampleState, samplePriority } from './value-sample.ts';

/** Columns paired for two-column keys at most: 10 columns make the 45 pairs we afford. */
const PAIR_COLUMNS = 10;
const KEY_EXAMPLES = 5;
/**
 * Values a batch is added by column at a time (a tile of rows): a batch of 5,000 rows of up to 13
 * columns in one tile, and a wide dataset's scratch bounded (1 MB).
 */
const TILE_CELLS = 65_536;
/** Sampled values a dataset keeps at most (20,000 a column up to 100 columns, fewer for wider ones). */
const SAMPLE_CELLS = 2_000_000;

/** Options of a dataset accumulator and of `profileRows`. */
export interface DatasetAccumulatorOptions extends ProfileOptions {
  /** The dataset's name in the observation. */
  readonly dataset?: string;
  /** Declared primary and unique keys, checked for duplicates. */
  readonly keys?: readonly (readonly string[])[];
  /** The position (0-based row number) of the first row added: a shard's first row. */
  readonly firstRow?: number;
  /** Rows expected (an estimate), to size the row hashes and a key column's hashes once. */
  readonly expectedRows?: number;
  /** Values sampled per column past the distinct limit (default 20,000, fewer past 100 columns). */
  readonly sampleSize?: number;
  /**
   * The columns paired for two-column keys, as the first shard chose them from its first batch;
   * without it they are chosen from the first batch added.
   */
  readonly pairColumns?: readonly number[];
}

/** A dataset accumulator as plain data, for `postMessage`; `DatasetAccumulator.restore` reads it back. */
export interface DatasetAccumulatorState {
  readonly rowCount: number;
  readonly columns: ColumnAccumulatorState[];
  readonly rows: Uint32Array;
  readonly keys: {
    duplicates: number;
    examples: ProfileValue[][];
    seen: ReturnType<HashSet64['state']>;
  }[];
  readonly pairColumns: number[] | undefined;
  readonly pairs: (ReturnType<HashSet64['state']> | undefined)[] | undefined;
  readonly sample: RowSampleState;
}

/** A declared key being checked for repeats. */
interface KeyCheck {
  readonly columns: readonly string[];
  readonly positions: readonly number[];
  seen: HashSet64;
  duplicates: number;
  readonly examples: ProfileValue[][];
  readonly exampleTexts: Set<string>;
}

/** A pair of columns still possibly unique; `seen` is dropped at its first repeat or null. */
interface PairCheck {
  readonly a: number;
  readonly b: number;
  seen: HashSet64 | undefined;
}

function mix(h: number, v: number, multiplier: number): number {
  return Math.imul(((h << 5) | (h >>> 27)) ^ v, multiplier);
}

/** Profiles rows batch by batch; merge shards, then take the `DatasetObservation`. */
export class DatasetAccumulator {
  columns: ColumnAccumulator[];
  rowCount = 0;
  readonly #types: LogicalType[];
  readonly #dataset: string;
  /** Every row's hash, counted for repeats at the end (appends cost no probe; 8 bytes a row). */
  #rows: HashLog;
  /** The rows sampled for the columns whose frequency table stops being exact. */
  #sample: RowSample;
  readonly #firstRow: number;
  readonly #keys: KeyCheck[];
  #pairs: PairCheck[] | undefined;
  #pairColumns: number[] | undefined;
  readonly #options: DatasetAccumulatorOptions;
  // Per-row scratch, reused: the key and hash halves of every column of the current row.
  readonly #rowKeys: (FrequencyKey | null)[];
  readonly #lows: Uint32Array;
  readonly #highs: Uint32Array;
  // Per-tile scratch, reused: every value's key (as its table holds it) and hash halves, column after
  // column (column c of the tile's row r at c × rows + r).
  #batchKeys: (FrequencyKey | null)[] = [];
  #batchLows = new Uint32Array(0);
  #batchHighs = new Uint32Array(0);

  constructor(
    columns: readonly { readonly name: string; readonly type: LogicalType }[],
    options: DatasetAccumulatorOptions = {},
  ) {
    this.#options = options;
    const columnOptions = this.#columnOptions(columns.length);
    this.columns = columns.map((c) => new ColumnAccumulator(c.name, c.type, columnOptions));
    this.#sample = new RowSample(columnOptions.sampleSize, columns.length);
    this.#rows = new HashLog(Math.max(4096, options.expectedRows ?? 0));
    this.#firstRow = columnOptions.firstRow;
    this.#types = columns.map((c) => c.type);
    this.#dataset = options.dataset ?? '';
    const names = columns.map((c) => c.name);
    this.#keys = (options.keys ?? [])
      .filter((key) => key.length > 0 && key.every((name) => names.includes(name)))
      .map((key) => ({
        columns: [...key],
        positions: key.map((name) => names.indexOf(name)),
        seen: new HashSet64(4096),
        duplicates: 0,
        examples: [],
        exampleTexts: new Set(),
      }));
    this.#rowKeys = new Array(columns.length).fill(null);
    this.#lows = new Uint32Array(columns.length);
    this.#highs = new Uint32Array(columns.length);
    if (options.pairColumns !== undefined) this.#startPairs(options.pairColumns, []);
  }

  #columnOptions(width: number) {
    const options = this.#options;
    return {
      ...(options.distinctLimit === undefined ? {} : { distinctLimit: options.distinctLimit }),
      sampleSize:
        options.sampleSize ??
        Math.min(VALUE_SAMPLE_SIZE, Math.max(1, Math.floor(SAMPLE_CELLS / Math.max(1, width)))),
      firstRow: options.firstRow ?? 0,
      sampled: false,
      expectedCount: options.expectedRows ?? 0,
    };
  }

  /** The columns paired for two-column keys; undefined until the first batch chose them. */
  get pairColumns(): readonly number[] | undefined {
    return this.#pairColumns;
  }

  /** Adds a batch of rows (values in column order, as `Connector.read` yields them). */
  addBatch(rows: readonly Row[]): void {
    const tile = Math.max(1, Math.floor(TILE_CELLS / this.columns.length));
    for (let start = 0; start < rows.length; start += tile)
      this.#addTile(rows, start, Math.min(rows.length, start + tile));
    if (this.#pairs === undefined && this.rowCount > 0) this.#startPairs(this.#choosePairColumns(), rows);
  }

  /**
   * Adds rows `[start, end)` column by column (a table probe past the cache waits on memory, and a
   * loop of probes alone keeps several of those waits in flight where a row's other columns would
   * stand between them), then row by row.
   */
  #addTile(rows: readonly Row[], start: number, end: number): void {
    const width = this.columns.length;
    const n = end - start;
    if (this.#batchLows.length < width * n) {
      this.#batchKeys = new Array(width * n).fill(null);
      this.#batchLows = new Uint32Array(width * n);
      this.#batchHighs = new Uint32Array(width * n);
    }
    for (let c = 0; c < width; c++) this.#addColumn(c, rows, start, end);
    const batchKeys = this.#batchKeys;
    const batchLows = this.#batchLows;
    const batchHighs = this.#batchHighs;
    const rowKeys = this.#rowKeys;
    const lows = this.#lows;
    const highs = this.#highs;
    for (let r = 0; r < n; r++) {
      let rowLow = 0x12345678;
      let rowHigh = 0x5bd1e995;
      for (let c = 0, at = r; c < width; c++, at += n) {
        const low = batchLows[at]!;
        const high = batchHighs[at]!;
        rowKeys[c] = batchKeys[at]!;
        lows[c] = low;
        highs[c] = high;
        rowLow = mix(rowLow, low, 0x9e3779b1);
        rowHigh = mix(rowHigh, high, 0x85ebca77);
      }
      this.#rows.add(rowLow, rowHigh);
      const position = this.#firstRow + this.rowCount + r;
      const priority = samplePriority(position);
      if (this.#sample.wants(priority, position)) this.#sample.add(priority, position, rowKeys);
      for (let k = 0; k < this.#keys.length; k++) this.#checkKey(this.#keys[k]!);
      if (this.#pairs !== undefined) this.#checkPairs(this.#pairs);
    }
    this.rowCount += n;
  }

  /** Adds column `c` of rows `[start, end)`, leaving each value's key and hash in the tile scratch. */
  #addColumn(c: number, rows: readonly Row[], start: number, end: number): void {
    const n = end - start;
    const column = this.columns[c]!;
    const type = this.#types[c]!;
    const keys = this.#batchKeys;
    const lows = this.#batchLows;
    const highs = this.#batchHighs;
    const from = c * n;
    // First every key and its hash.
    for (let r = start, at = from; r < end; r++, at++) {
      const value = rows[r]![c] ?? null;
      if (value instanceof Uint8Array) {
        this.#addColumnInOrder(c, rows, start, end);
        return;
      }
      const key = canonicalKey(value, type);
      hashKey(key);
      keys[at] = key;
      lows[at] = HASH[0]!;
      highs[at] = HASH[1]!;
    }
    // Then the probes; the table's copy of a repeated value is kept, so the sample holds no string of its own.
    for (let at = from; at < from + n; at++) {
      HASH[0] = lows[at]!;
      HASH[1] = highs[at]!;
      keys[at] = column.addKey(keys[at]!);
    }
  }

  /** `#addColumn` for a column holding binary values: each value added as it is hashed, in row order. */
  #addColumnInOrder(c: number, rows: readonly Row[], start: number, end: number): void {
    const column = this.columns[c]!;
    const type = this.#types[c]!;
    for (let r = start, at = c * (end - start); r < end; r++, at++) {
      const value = rows[r]![c] ?? null;
      if (value instanceof Uint8Array) {
        // Hashed by `add`; binary values are measured, never listed.
        column.add(value);
        this.#batchKeys[at] = '';
        this.#batchLows[at] = HASH[0]!;
        this.#batchHighs[at] = HASH[1]!;
      } else {
        const key = canonicalKey(value, type);
        hashKey(key);
        this.#batchLows[at] = HASH[0]!;
        this.#batchHighs[at] = HASH[1]!;
        this.#batchKeys[at] = column.addKey(key);
      }
    }
  }

  #checkKey(key: KeyCheck): void {
    let low = 0x2545f491;
    let high = 0x4f6cdd1d;
    const positions = key.positions;
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i]!;
      if (this.#rowKeys[p] === null) return;
      low = mix(low, this.#lows[p]!, 0x9e3779b1);
      high = mix(high, this.#highs[p]!, 0x85ebca77);
    }
    if (key.seen.add(low, high)) return;
    key.duplicates++;
    if (key.examples.length < KEY_EXAMPLES) {
      const values = positions.map((p) => this.#rowKeys[p] as ProfileValue);
      const text = JSON.stringify(values);
      if (!key.exampleTexts.has(text)) {
        key.exampleTexts.add(text);
        key.examples.push(values);
      }
    }
  }

  #checkPairs(pairs: PairCheck[]): void {
    const rowKeys = this.#rowKeys;
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i]!;
      const seen = pair.seen;
      if (seen === undefined) continue;
      const a = pair.a;
      const b = pair.b;
      if (rowKeys[a] === null || rowKeys[b] === null) {
        pair.seen = undefined;
        continue;
      }
      const low = mix(mix(0x3c6ef372, this.#lows[a]!, 0x9e3779b1), this.#lows[b]!, 0x9e3779b1);
      const high = mix(mix(0xa54ff53a, this.#highs[a]!, 0x85ebca77), this.#highs[b]!, 0x85ebca77);
      if (!seen.add(low, high)) pair.seen = undefined;
    }
  }

  /**
   * Picks the pair columns after the first batch: never null and already repeating (a column unique
   * so far is likely a key on its own, and pairs with it would be unique for nothing). A column whose
   * first repeat comes later is not paired.
   */
  #choosePairColumns(): number[] {
    const chosen: number[] = [];
    for (let c = 0; c < this.columns.length && chosen.length < PAIR_COLUMNS; c++) {
      const column = this.columns[c]!;
      const type = this.#types[c]!;
      if (type === 'binary' || type === 'json' || column.nulls > 0 || column.isUnique()) continue;
      chosen.push(c);
    }
    return chosen;
  }

  /** Starts checking the pairs of `chosen` columns, replaying the batch already added for them. */
  #startPairs(chosen: readonly number[], firstBatch: readonly Row[]): void {
    this.#pairColumns = [...chosen];
    const pairs: PairCheck[] = [];
    for (let i = 0; i < chosen.length; i++) {
      for (let j = i + 1; j < chosen.length; j++)
        pairs.push({ a: chosen[i]!, b: chosen[j]!, seen: new HashSet64(4096) });
    }
    this.#pairs = pairs;
    for (let r = 0; r < firstBatch.length && pairs.length > 0; r++) {
      const row = firstBatch[r]!;
      for (const c of chosen) {
        const key = canonicalKey(row[c] ?? null, this.#types[c]!);
        hashKey(key);
        this.#rowKeys[c] = key;
        this.#lows[c] = HASH[0]!;
        this.#highs[c] = HASH[1]!;
      }
      this.#checkPairs(pairs);
    }
  }

  /** Plain data for `restore` in another thread (the accumulator is spent). */
  state(): DatasetAccumulatorState {
    return {
      rowCount: this.rowCount,
      columns: this.columns.map((c) => c.state()),
      rows: this.#rows.state(),
      keys: this.#keys.map((k) => ({ duplicates: k.duplicates, examples: k.examples, seen: k.seen.state() })),
      pairColumns: this.#pairColumns,
      pairs: this.#pairs?.map((p) => p.seen?.state()),
      sample: this.#sample.state(),
    };
  }

  /** Rebuilds an accumulator from `state()`, made with the same columns and options. */
  static restore(
    columns: readonly { readonly name: string; readonly type: LogicalType }[],
    state: DatasetAccumulatorState,
    options: DatasetAccumulatorOptions = {},
  ): DatasetAccumulator {
    const { pairColumns: _, ...rest } = options;
    const accumulator = new DatasetAccumulator(columns, rest);
    const columnOptions = accumulator.#columnOptions(columns.length);
    accumulator.columns = columns.map((c, i) =>
      ColumnAccumulator.restore(c.name, c.type, state.columns[i]!, columnOptions),
    );
    accumulator.rowCount = state.rowCount;
    accumulator.#rows = HashLog.restore(state.rows);
    accumulator.#sample = RowSample.restore(state.sample);
    state.keys.forEach((k, i) => {
      const key = accumulator.#keys[i]!;
      key.duplicates = k.duplicates;
      key.examples.push(...k.examples);
      for (const example of k.examples) key.exampleTexts.add(JSON.stringify(example));
      key.seen = HashSet64.restore(k.seen);
    });
    if (state.pairColumns !== undefined) {
      accumulator.#startPairs(state.pairColumns, []);
      accumulator.#pairs!.forEach((pair, i) => {
        const seen = state.pairs![i];
        pair.seen = seen === undefined ? undefined : HashSet64.restore(seen);
      });
    }
    return accumulator;
  }

  /** Folds another accumulator of the same columns (a shard of the rows) into this one; `other` is spent. */
  merge(other: DatasetAccumulator): void {
    for (let c = 0; c < this.columns.length; c++) this.columns[c]!.merge(other.columns[c]!);
    this.rowCount += other.rowCount;
    this.#rows.addAll(other.#rows);
    this.#sample.merge(other.#sample);
    for (let k = 0; k < this.#keys.length; k++) {
      const mine = this.#keys[k]!;
      const theirs = other.#keys[k]!;
      mine.duplicates += theirs.duplicates;
      theirs.seen.forEach((low, high) => {
        if (!mine.seen.add(low, high)) mine.duplicates++;
      });
      for (const example of theirs.examples) {
        const text = JSON.stringify(example);
        if (mine.examples.length < KEY_EXAMPLES && !mine.exampleTexts.has(text)) {
          mine.exampleTexts.add(text);
          mine.examples.push(example);
        }
      }
    }
    this.#mergePairs(other.#pairs);
  }

  /** Keeps the pairs both sides tracked, as the union of their rows. */
  #mergePairs(theirs: PairCheck[] | undefined): void {
    if (theirs === undefined) return;
    if (this.#pairs === undefined) {
      this.#pairs = theirs;
      return;
    }
    const kept: PairCheck[] = [];
    for (const pair of this.#pairs) {
      const match = theirs.find((p) => p.a === pair.a && p.b === pair.b);
      if (match === undefined) continue;
      const mine = pair.seen;
      if (mine !== undefined && match.seen !== undefined) {
        let repeated = false;
        match.seen.forEach((low, high) => {
          if (!mine.add(low, high)) repeated = true;
        });
        if (repeated) pair.seen = undefined;
      } else pair.seen = undefined;
      kept.push(pair);
    }
    this.#pairs = kept;
  }

  /** The dataset's observation (`method: 'stream'`). */
  result(): DatasetObservation {
    const names = this.columns.map((c) => c.name);
    const unique = this.columns.map((c) => c.isUnique());
    const candidateKeys: string[][] = names.filter((_, i) => unique[i]).map((name) => [name]);
    for (const pair of this.#pairs ?? []) {
      if (pair.seen !== undefined && !unique[pair.a] && !unique[pair.b])
        candidateKeys.push([names[pair.a]!, names[pair.b]!]);
    }
    const keyDuplicates: DuplicateCount[] = this.#keys.map((k) => ({
      columns: k.columns,
      duplicates: k.duplicates,
      examples: k.examples,
    }));
    return {
      dataset: this.#dataset,
      rowCount: this.rowCount,
      // Binary values are measured, never listed.
      columns: this.columns.map((c, i) =>
        c.result(c.complete ? undefined : c.type === 'binary' ? new Map() : this.#sample.frequencies(i)),
      ),
      duplicateRows: this.#rows.repeats(),
      keyDuplicates,
      candidateKeys,
      orphans: [],
      method: 'stream',
    };
  }
}

/** A seeded generator (mulberry32), so that a sampled profile is the same from one run to the next. */
function sampler(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Reads every batch into a `DatasetAccumulator` and returns the observation; with `sample` (0–1) each
 * row is kept with that probability (Bernoulli), and the observation says so.
 */
export async function profileRows(
  columns: readonly { readonly name: string; readonly type: LogicalType }[],
  batches: AsyncIterable<Row[]>,
  options: DatasetAccumulatorOptions = {},
): Promise<DatasetObservation> {
  const accumulator = new DatasetAccumulator(columns, options);
  const fraction =
    options.sample !== undefined && options.sample > 0 && options.sample < 1 ? options.sample : 1;
  const draw = sampler(0x5eed);
  let read = 0;
  for await (const batch of batches) {
    options.signal?.throwIfAborted();
    read += batch.length;
    accumulator.addBatch(fraction === 1 ? batch : batch.filter(() => draw() < fraction));
    options.onProgress?.(read);
  }
  const observation = accumulator.result();
  return fraction === 1 ? observation : { ...observation, sample: { fraction, method: 'bernoulli' } };
}
