/**
 * The streaming accumulator of one column (`add`, `merge`, `result`): counts, nulls and an exact
 * value → count table up to `distinctLimit` distinct values; past it, the table is folded into exact
 * running aggregates and a HyperLogLog sketch, and the row loop continues on those, with a uniform
 * value sample kept from the first row. Every part merges exactly: shards of the rows merged in row
 * order give the observation of one pass. `state()` and `restore()` carry an accumulator across threads.
 */
import type { LogicalType } from '../core/inventory.ts';
import type { NullLikeCounts, ProfileValue } from '../core/profile.ts';
import { canonicalKey } from './canonical-key.ts';
import { isEdgeSpace } from './column-profile.ts';
import { ExactMoments } from './exact-moments.ts';
import { FrequencyTable, type FrequencyTableState } from './frequency-table.ts';
import { HashLog } from './hash-log.ts';
import { HYPERLOGLOG_ERROR, HyperLogLog } from './hyperloglog.ts';
import { classifyNullLike, emptyNullLikeCounts, isZeroDate } from './null-like.ts';
import { isNumericType, numericValue } from './numeric-values.ts';
import type { ColumnAggregates, ColumnObservation, FrequencyKey } from './observation.ts';
import { HASH, hashBytes, hashKey } from './value-hash.ts';
import { compareDecimalTexts, compareValues } from './value-order.ts';
import { RowSample, type RowSampleState, samplePriority } from './value-sample.ts';

/** Distinct values listed exactly before switching to aggregates (ProfileOptions.distinctLimit). */
export const DEFAULT_DISTINCT_LIMIT = 100_000;
/** Values between two looks at whether a column past its distinct limit still looks unique. */
const UNIQUE_CHECK_EVERY = 65_536;
/** Values kept in the sample that stands for the table once it is no longer exact. */
export const VALUE_SAMPLE_SIZE = 20_000;

/** Options of a column accumulator. */
export interface ColumnAccumulatorOptions {
  readonly distinctLimit?: number;
  readonly sampleSize?: number;
  /** The position (0-based row number) of the first value added: a shard's first row. */
  readonly firstRow?: number;
  /** Keep a value sample (default true; a dataset accumulator keeps one for all its columns). */
  readonly sampled?: boolean;
  /** Values expected in all, to size the hashes kept past the distinct limit once. */
  readonly expectedCount?: number;
}

/** Running figures of a column past its distinct limit; every field is exact except `sketch` and `sample`. */
class ColumnAggregator {
  sketch = new HyperLogLog();
  /** Hashes of every value while the column may still be a key (no null, no repeat found yet). */
  unique: HashLog | undefined;
  /** Values added since the sketch was last asked whether the column still looks unique. */
  #sinceCheck = 0;
  min: ProfileValue | null = null;
  max: ProfileValue | null = null;
  /** Exact sums of numbers and days since epoch, for the mean and standard deviation. */
  moments = new ExactMoments();
  lengthMin = Number.POSITIVE_INFINITY;
  lengthMax = 0;
  lengthSum = 0;
  lengthCount = 0;
  leading = 0;
  /** Values that both start and end with a space (counted in `leading` and `trailing` too). */
  both = 0;
  trailing = 0;
  nullLike: { -readonly [K in keyof NullLikeCounts]: number } = emptyNullLikeCounts();

  /** Whether `min` / `max` (text) hold no surrogate, so that `<` orders them by code point. */
  #minPlain = false;
  #maxPlain = false;
  readonly #compare: (a: ProfileValue, b: ProfileValue) => number;
  readonly #numeric: boolean;
  readonly #textual: boolean;
  readonly #dated: boolean;

  constructor(readonly type: LogicalType) {
    this.#compare = (type === 'decimal' ? compareDecimalTexts : compareValues) as (
      a: ProfileValue,
      b: ProfileValue,
    ) => number;
    this.#numeric = isNumericType(type);
    this.#textual = type === 'string' || type === 'json';
    this.#dated = type === 'date' || type === 'timestamp';
  }

  /** Adds `count` copies of a key whose 64-bit hash is in `HASH`. */
  add(key: ProfileValue, count: number): void {
    this.sketch.add(HASH[0]!, HASH[1]!);
    if (this.unique !== undefined) {
      if (count > 1) this.unique = undefined;
      else {
        this.unique.add(HASH[0]!, HASH[1]!);
        if (++this.#sinceCheck === UNIQUE_CHECK_EVERY) this.#checkUnique();
      }
    }
    if (this.#textual && typeof key === 'string') {
      this.#addTextBounds(key, this.#addText(key, count));
      return;
    }
    // A zero date (`0000-00-00`) stands for a missing date: counted null-like, never a bound nor a number.
    if (this.#dated && typeof key === 'string' && isZeroDate(key)) {
      this.nullLike.zeroDate += count;
      return;
    }
    if (this.min === null || this.#compare(key, this.min) < 0) {
      this.min = key;
      this.#minPlain = false;
    }
    if (this.max === null || this.#compare(key, this.max) > 0) {
      this.max = key;
      this.#maxPlain = false;
    }
    if (this.#numeric) {
      const x = numericValue(key, this.type);
      if (!Number.isNaN(x)) this.moments.add(x, count);
    }
  }

  /**
   * Min and max of text: `<` on UTF-16 units is code point order when neither string holds a
   * surrogate (`plain`, found by the length count); a bound that is not such a string compares in full.
   */
  #addTextBounds(text: string, plain: boolean): void {
    const min = this.min;
    if (min === null) {
      this.min = text;
      this.#minPlain = plain;
    } else if (plain && this.#minPlain ? text < (min as string) : this.#compare(text, min) < 0) {
      this.min = text;
      this.#minPlain = plain;
    }
    const max = this.max;
    if (max === null) {
      this.max = text;
      this.#maxPlain = plain;
    } else if (plain && this.#maxPlain ? text > (max as string) : this.#compare(text, max) > 0) {
      this.max = text;
      this.#maxPlain = plain;
    }
  }

  /** Adds a binary value's byte length (binary values are not listed, only measured). */
  addBinary(bytes: Uint8Array): void {
    hashBytes(bytes);
    this.sketch.add(HASH[0]!, HASH[1]!);
    if (this.unique !== undefined) {
      this.unique.add(HASH[0]!, HASH[1]!);
      if (++this.#sinceCheck === UNIQUE_CHECK_EVERY) this.#checkUnique();
    }
    this.#addLength(bytes.length, 1);
  }

  /**
   * Drops the hash log once the column has a repeat, so that a column that is not a key stops
   * costing memory: the sketch says when repeats are likely, and the sorted log decides exactly.
   */
  #checkUnique(): void {
    this.#sinceCheck = 0;
    const unique = this.unique!;
    if (this.sketch.estimate() > unique.size * (1 - 4 * HYPERLOGLOG_ERROR)) return;
    if (!unique.distinct()) this.unique = undefined;
  }

  #addLength(length: number, count: number): void {
    if (length < this.lengthMin) this.lengthMin = length;
    if (length > this.lengthMax) this.lengthMax = length;
    this.lengthSum += length * count;
    this.lengthCount += count;
  }

  /** Adds a text's length, edge blanks and null-like kind; true when it holds no surrogate. */
  #addText(text: string, count: number): boolean {
    let length = text.length;
    let plain = true;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0xd800 && code <= 0xdfff) {
        plain = false;
        if (code >= 0xdc00) length--;
      }
    }
    this.#addLength(length, count);
    if (text.length === 0) {
      this.nullLike.empty += count;
      return plain;
    }
    const first = text.charCodeAt(0);
    const last = text.charCodeAt(text.length - 1);
    if (isEdgeSpace(first)) {
      this.leading += count;
      if (isEdgeSpace(last)) this.both += count;
    }
    if (isEdgeSpace(last)) this.trailing += count;
    // Only short values or values with edge blanks can be null-like: skip the lookup for the rest.
    if (text.length <= 21 || isEdgeSpace(first) || isEdgeSpace(last)) {
      const kind = classifyNullLike(text);
      if (kind !== undefined) this.nullLike[kind] += count;
    }
    return plain;
  }

  /** Folds another aggregator of the same column into this one. */
  merge(other: ColumnAggregator): void {
    this.sketch.merge(other.sketch);
    if (this.unique !== undefined && other.unique !== undefined) {
      this.unique.addAll(other.unique);
      if (!this.unique.distinct()) this.unique = undefined;
    } else this.unique = undefined;
    const compare = this.#compare;
    if (other.min !== null && (this.min === null || compare(other.min, this.min) < 0)) this.min = other.min;
    if (other.max !== null && (this.max === null || compare(other.max, this.max) > 0)) this.max = other.max;
    this.#minPlain = false;
    this.#maxPlain = false;
    this.moments.merge(other.moments);
    if (other.lengthCount > 0) {
      this.lengthMin = Math.min(this.lengthMin, other.lengthMin);
      this.lengthMax = Math.max(this.lengthMax, other.lengthMax);
      this.lengthSum += other.lengthSum;
      this.lengthCount += other.lengthCount;
    }
    this.leading += other.leading;
    this.trailing += other.trailing;
    this.both += other.both;
    for (const kind of Object.keys(this.nullLike) as (keyof NullLikeCounts)[]) {
      this.nullLike[kind] += other.nullLike[kind];
    }
  }

  /** The exact aggregates (distinct from the sketch); null-likes of text, and of dates (zero dates). */
  result(textual: boolean): ColumnAggregates {
    return {
      distinct: this.sketch.estimate(),
      distinctExact: false,
      distinctError: HYPERLOGLOG_ERROR,
      min: this.min,
      max: this.max,
      ...(this.lengthCount > 0
        ? { length: { min: this.lengthMin, max: this.lengthMax, mean: this.lengthSum / this.lengthCount } }
        : {}),
      ...(this.moments.n > 0 ? { numeric: this.moments.result() } : {}),
      ...(textual
        ? {
            whitespace: { leading: this.leading, trailing: this.trailing, both: this.both },
            nullLike: { ...this.nullLike },
          }
        : {}),
      ...(this.#dated ? { nullLike: { ...this.nullLike } } : {}),
    };
  }

  /** Plain data for `restore` in another thread. */
  state(): AggregatorState {
    return {
      registers: this.sketch.registers,
      unique: this.unique?.state(),
      min: this.min,
      max: this.max,
      moments: { n: this.moments.n, sum: this.moments.sum, squares: this.moments.squares },
      lengths: [this.lengthMin, this.lengthMax, this.lengthSum, this.lengthCount],
      leading: this.leading,
      trailing: this.trailing,
      both: this.both,
      nullLike: this.nullLike,
    };
  }

  static restore(type: LogicalType, state: AggregatorState): ColumnAggregator {
    const aggregator = new ColumnAggregator(type);
    aggregator.sketch = HyperLogLog.restore(state.registers);
    aggregator.unique = state.unique === undefined ? undefined : HashLog.restore(state.unique);
    aggregator.min = state.min;
    aggregator.max = state.max;
    aggregator.moments = ExactMoments.restore(state.moments);
    [aggregator.lengthMin, aggregator.lengthMax, aggregator.lengthSum, aggregator.lengthCount] =
      state.lengths;
    aggregator.leading = state.leading;
    aggregator.trailing = state.trailing;
    aggregator.both = state.both;
    aggregator.nullLike = { ...state.nullLike };
    return aggregator;
  }
}

/** A column aggregator as plain data (typed arrays, arrays and numbers), for `postMessage`. */
interface AggregatorState {
  readonly registers: Uint8Array;
  readonly unique: Uint32Array | undefined;
  readonly min: ProfileValue | null;
  readonly max: ProfileValue | null;
  readonly moments: { n: number; sum: number[]; squares: number[] };
  readonly lengths: [number, number, number, number];
  readonly leading: number;
  readonly trailing: number;
  readonly both: number;
  readonly nullLike: NullLikeCounts;
}

/** A column accumulator as plain data, for `postMessage`; `ColumnAccumulator.restore` reads it back. */
export interface ColumnAccumulatorState {
  readonly count: number;
  readonly nulls: number;
  readonly firstRow: number;
  readonly frequencies: FrequencyTableState | undefined;
  readonly aggregator: AggregatorState | undefined;
  readonly sample: RowSampleState | undefined;
}

/** Streams one column's values; `result()` gives the `ColumnObservation` that `buildColumnProfile` reads. */
export class ColumnAccumulator {
  /** Values added, nulls included. */
  count = 0;
  nulls = 0;
  #frequencies: FrequencyTable | undefined = new FrequencyTable();
  #aggregator: ColumnAggregator | undefined;
  #sample: RowSample | undefined;
  readonly #sampleRow: (FrequencyKey | null)[] = [null];
  readonly #distinctLimit: number;
  readonly #firstRow: number;
  readonly #expectedCount: number;

  constructor(
    readonly name: string,
    readonly type: LogicalType,
    options: ColumnAccumulatorOptions = {},
  ) {
    this.#distinctLimit = options.distinctLimit ?? DEFAULT_DISTINCT_LIMIT;
    if (options.sampled !== false) this.#sample = new RowSample(options.sampleSize ?? VALUE_SAMPLE_SIZE, 1);
    this.#firstRow = options.firstRow ?? 0;
    this.#expectedCount = options.expectedCount ?? 0;
    // Binary values are never listed: the column is measured by aggregates from the start.
    if (type === 'binary') this.#frequencies = undefined;
  }

  /** True while the frequency table lists every distinct value. */
  get complete(): boolean {
    return this.#frequencies !== undefined;
  }

  /** Adds one contract value (as `Connector.read` yields it). */
  add(value: unknown): void {
    if (value instanceof Uint8Array) {
      this.count++;
      this.#aggregatorOrSwitch().addBinary(value);
      return;
    }
    const key = canonicalKey(value, this.type);
    if (key !== null) hashKey(key);
    this.addKey(key);
  }

  /**
   * Adds a canonical key (or null). The hot path: the caller has just hashed the key into `HASH`
   * (the dataset accumulator hashes every value once for rows, keys, this table and the sketch).
   * Returns the key as the frequency table holds it (the first copy seen), for a sample to keep.
   */
  addKey(key: FrequencyKey | null): FrequencyKey | null {
    const position = this.#firstRow + this.count++;
    if (key === null) {
      this.nulls++;
      if (this.#aggregator !== undefined) this.#aggregator.unique = undefined;
      return null;
    }
    const sample = this.#sample;
    if (sample !== undefined) {
      const priority = samplePriority(position);
      if (sample.wants(priority, position)) {
        this.#sampleRow[0] = key;
        sample.add(priority, position, this.#sampleRow);
      }
    }
    const table = this.#frequencies;
    if (table !== undefined) {
      const held = table.addHashed(key, HASH[0]!, HASH[1]!);
      if (table.size > this.#distinctLimit) this.#switch();
      return held;
    }
    this.#aggregator!.add(key, 1);
    return key;
  }

  /**
   * Adds the values of the accumulator of the rows that follow this one's (a shard); `other` is spent.
   * The result is the single pass's: the frequency table keeps first-seen order, the sample is by row.
   */
  merge(other: ColumnAccumulator): void {
    this.count += other.count;
    this.nulls += other.nulls;
    if (this.#sample !== undefined && other.#sample !== undefined) this.#sample.merge(other.#sample);
    const mine = this.#frequencies;
    const theirs = other.#frequencies;
    if (mine !== undefined && theirs !== undefined) {
      mine.addAll(theirs);
      if (mine.size > this.#distinctLimit) this.#switch();
      return;
    }
    const aggregator = this.#aggregatorOrSwitch();
    aggregator.merge(other.#aggregator ?? aggregateOf(this.type, theirs!, other.nulls));
    if (this.nulls > 0) aggregator.unique = undefined;
  }

  /** True when every value so far is present and different: a single-column candidate key. */
  isUnique(): boolean {
    if (this.count === 0 || this.nulls > 0) return false;
    const table = this.#frequencies;
    if (table !== undefined) return table.size === this.count;
    const unique = this.#aggregator?.unique;
    if (unique === undefined) return false;
    if (unique.distinct()) return true;
    this.#aggregator!.unique = undefined;
    return false;
  }

  /** The observation: the exact table, or the sample (`sampled`, or this column's own) with the aggregates. */
  result(sampled?: Map<FrequencyKey, number>): ColumnObservation {
    const base = { name: this.name, type: this.type, count: this.count, nulls: this.nulls };
    if (this.#frequencies !== undefined)
      return { ...base, frequencies: this.#frequencies.toMap(), complete: true };
    const aggregator = this.#aggregator ?? aggregateOf(this.type, new FrequencyTable(), this.nulls);
    const aggregates = aggregator.result(this.type === 'string' || this.type === 'json');
    // A column whose hash log still holds every value without a repeat is a key: its distinct count is
    // exact (its row count), not the sketch's estimate, so a `unique` rule on it cannot fail by chance.
    const { distinctError: _, ...exact } = aggregates;
    return {
      ...base,
      frequencies: sampled ?? this.#sample?.frequencies(0) ?? new Map(),
      complete: false,
      aggregates: this.isUnique() ? { ...exact, distinct: this.count, distinctExact: true } : aggregates,
    };
  }

  /** Plain data for `restore` in another thread (the accumulator is spent). */
  state(): ColumnAccumulatorState {
    return {
      count: this.count,
      nulls: this.nulls,
      firstRow: this.#firstRow,
      frequencies: this.#frequencies?.state(),
      aggregator: this.#aggregator?.state(),
      sample: this.#sample?.state(),
    };
  }

  /** Rebuilds an accumulator from `state()`, with the options it was made with. */
  static restore(
    name: string,
    type: LogicalType,
    state: ColumnAccumulatorState,
    options: ColumnAccumulatorOptions = {},
  ): ColumnAccumulator {
    const column = new ColumnAccumulator(name, type, { ...options, firstRow: state.firstRow });
    column.count = state.count;
    column.nulls = state.nulls;
    column.#frequencies =
      state.frequencies === undefined ? undefined : FrequencyTable.restore(state.frequencies);
    column.#aggregator =
      state.aggregator === undefined ? undefined : ColumnAggregator.restore(type, state.aggregator);
    column.#sample = state.sample === undefined ? undefined : RowSample.restore(state.sample);
    return column;
  }

  #aggregatorOrSwitch(): ColumnAggregator {
    if (this.#aggregator === undefined) this.#switch();
    return this.#aggregator!;
  }

  /** Folds the exact table into aggregates; from now on rows update them directly. */
  #switch(): void {
    this.#aggregator = aggregateOf(
      this.type,
      this.#frequencies ?? new FrequencyTable(),
      this.nulls,
      this.#expectedCount,
    );
    this.#frequencies = undefined;
  }
}

/** The aggregates of a frequency table's values (`nulls` > 0 rules the column out as a key). */
function aggregateOf(
  type: LogicalType,
  table: FrequencyTable,
  nulls: number,
  expectedCount = 0,
): ColumnAggregator {
  const aggregator = new ColumnAggregator(type);
  if (nulls === 0 && table.allOnce())
    aggregator.unique = new HashLog(Math.max(table.size * 2, expectedCount));
  table.forEachHashed((key, count, low, high) => {
    HASH[0] = low;
    HASH[1] = high;
    aggregator.add(key, count);
  });
  return aggregator;
}
