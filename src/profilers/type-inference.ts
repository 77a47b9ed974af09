/**
 * Streaming type inference for one column: an accumulator (`add`, `merge`, `result`) that counts the
 * class of every value and decides the column's logical type at the end. A column is typed only when
 * every non-empty value conforms; otherwise it is text, with the dominant kind and its share kept.
 */
import type { InferredKind, LogicalType } from '../core/inventory.ts';
import {
  classifyText,
  classifyValue,
  type DateOrder,
  VALUE_CLASS,
  VALUE_CLASS_COUNT,
} from './type-inference-classify.ts';

/** Hints that the values alone cannot settle. */
export interface TypeInferenceOptions {
  /** The decimal separator to assume when a column only holds ambiguous numbers like `1.234` (default `.`). */
  readonly decimalHint?: ',' | '.';
  /** How to read `01/02/2024` (default day first). */
  readonly dateOrder?: DateOrder;
}

/** The decision for one column, with what a reader needs to convert its values. */
export interface TypeInferenceResult {
  readonly type: LogicalType;
  readonly dominant: InferredKind;
  /** Share of non-empty values that conform to `dominant`. */
  readonly conformance: number;
  readonly count: number;
  readonly nulls: number;
  readonly decimalSeparator: ',' | '.';
  readonly dateOrder: DateOrder;
  /** Date layouts seen in a date or timestamp column: iso, dmy, mdy, compact, native. */
  readonly dateLayouts: readonly string[];
  /** How many values each of those layouts wrote (a file's dates are converted before they are profiled). */
  readonly dateLayoutCounts?: Readonly<Record<string, number>>;
}

const C = VALUE_CLASS;

/** Counts value classes for one column; feed it every value, merge shards, then ask for the result. */
export class TypeInference {
  readonly counts = new Float64Array(VALUE_CLASS_COUNT);
  readonly #decimalHint: ',' | '.';
  readonly #dateOrder: DateOrder;

  constructor(options: TypeInferenceOptions = {}) {
    this.#decimalHint = options.decimalHint ?? '.';
    this.#dateOrder = options.dateOrder ?? 'dmy';
  }

  /** Adds one raw text value (a CSV field); the hot path. Returns its class (`VALUE_CLASS`). */
  addText(value: string): number {
    const valueClass = classifyText(value, this.#dateOrder);
    this.counts[valueClass]!++;
    return valueClass;
  }

  /** Adds one value of any kind: text, number, boolean, Date, null. */
  add(value: unknown): void {
    this.counts[classifyValue(value, this.#dateOrder)]!++;
  }

  /** Adds `count` empty values at once (the blank cells a sparse sheet does not store). */
  addNulls(count: number): void {
    this.counts[C.EMPTY]! += count;
  }

  /** Adds the counts of another accumulator (a shard of the same column). */
  merge(other: TypeInference): void {
    for (let i = 0; i < VALUE_CLASS_COUNT; i++) this.counts[i]! += other.counts[i]!;
  }

  /** Decides the column's type from everything added so far. */
  result(): TypeInferenceResult {
    const n = this.counts;
    let count = 0;
    for (let i = 0; i < VALUE_CLASS_COUNT; i++) count += n[i]!;
    const nulls = n[C.EMPTY]!;
    const nonNull = count - nulls;
    const dateOrder = this.#dateOrder;
    const commaEvidence = n[C.COMMA_DECIMAL]! + n[C.DOT_GROUPED_INT]!;
    const dotEvidence = n[C.DOT_DECIMAL]! + n[C.COMMA_GROUPED_INT]!;
    const decimalSeparator =
      commaEvidence > dotEvidence ? ',' : dotEvidence > commaEvidence ? '.' : this.#decimalHint;
    const base = { count, nulls, decimalSeparator, dateOrder } as const;
    if (nonNull === 0) return { ...base, type: 'string', dominant: 'empty', conformance: 1, dateLayouts: [] };

    const digits = n[C.ZERO_ONE]! + n[C.DIGITS]! + n[C.DATE_COMPACT]!;
    const plainInts = digits + n[C.SIGNED_INT]! + n[C.SPACE_GROUPED_INT]! + n[C.NATIVE_INT]!;
    const commaDecimal = decimalSeparator === ',';
    const groupedInts = commaDecimal
      ? n[C.DOT_GROUPED_INT]! + n[C.DOT_AMBIGUOUS]!
      : n[C.COMMA_GROUPED_INT]! + n[C.COMMA_AMBIGUOUS]!;
    const decimals = commaDecimal
      ? n[C.COMMA_DECIMAL]! + n[C.COMMA_AMBIGUOUS]!
      : n[C.DOT_DECIMAL]! + n[C.DOT_AMBIGUOUS]!;
    const booleanWords = n[C.BOOL_WORD]! + n[C.NATIVE_BOOL]!;
    const dates = n[C.DATE_ISO]! + n[C.DATE_DMY]! + n[C.DATE_COMPACT]! + n[C.NATIVE_DATE]!;

    // Most specific first; a kind wins outright only when every non-empty value conforms.
    const candidates: [InferredKind, LogicalType, number][] = [
      ['boolean', 'boolean', booleanWords > 0 ? booleanWords + n[C.ZERO_ONE]! : 0],
      ['code', 'string', n[C.CODE]! > 0 ? n[C.CODE]! + digits : 0],
      ['date', 'date', dates],
      ['integer', 'integer', plainInts + groupedInts],
      ['decimal', 'decimal', plainInts + groupedInts + decimals + n[C.NATIVE_DECIMAL]!],
      ['timestamp', 'timestamp', dates + n[C.TIMESTAMP_ISO]! + n[C.TIMESTAMP_DMY]! + n[C.NATIVE_TIMESTAMP]!],
    ];
    const dateLayouts = this.#dateLayouts();
    const dateLayoutCounts = this.#dateLayoutCounts();
    let best: [InferredKind, LogicalType, number] = ['text', 'string', n[C.TEXT]!];
    for (const candidate of candidates) {
      if (candidate[2] === nonNull) {
        return {
          ...base,
          type: candidate[1],
          dominant: candidate[0],
          conformance: 1,
          dateLayouts,
          dateLayoutCounts,
        };
      }
      if (candidate[2] > best[2]) best = candidate;
    }
    return { ...base, type: 'string', dominant: best[0], conformance: best[2] / nonNull, dateLayouts };
  }

  #dateLayoutCounts(): Record<string, number> {
    const n = this.counts;
    const counts: Record<string, number> = {};
    const iso = n[C.DATE_ISO]! + n[C.TIMESTAMP_ISO]!;
    const slashed = n[C.DATE_DMY]! + n[C.TIMESTAMP_DMY]!;
    if (iso > 0) counts.iso = iso;
    if (slashed > 0) counts[this.#dateOrder] = slashed;
    if (n[C.DATE_COMPACT]! > 0) counts.compact = n[C.DATE_COMPACT]!;
    return counts;
  }

  #dateLayouts(): string[] {
    const n = this.counts;
    const layouts: string[] = [];
    if (n[C.DATE_ISO]! + n[C.TIMESTAMP_ISO]! > 0) layouts.push('iso');
    if (n[C.DATE_DMY]! + n[C.TIMESTAMP_DMY]! > 0) layouts.push(this.#dateOrder);
    if (n[C.DATE_COMPACT]! > 0) layouts.push('compact');
    if (n[C.NATIVE_DATE]! + n[C.NATIVE_TIMESTAMP]! > 0) layouts.push('native');
    return layouts;
  }
}
