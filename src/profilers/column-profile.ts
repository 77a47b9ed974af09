/**
 * Derives every value-level metric of a column from its observation (counts and a value → count
 * frequency table), weighted by counts: O(distinct), never O(rows). The push-down and streaming
 * paths both end here, so a table and the same rows in a file get the same profile.
 */

import { cutText } from '../core/cut-text.ts';
import {
  type ColumnProfile,
  type NullLikeCounts,
  type NumericSummary,
  type PersonalDataKind,
  type ProfileValue,
  VALUE_FORMATS,
  type ValueCount,
  type ValueFormat,
} from '../core/profile.ts';
import { countFormats } from './formats/recognise-formats.ts';
import { classifyNullLike, emptyNullLikeCounts, isZeroDate } from './null-like.ts';
import { summariseNumbers, weightedNumbers } from './numeric-summary.ts';
import { isNumericType, numericValue } from './numeric-values.ts';
import type { ColumnObservation } from './observation.ts';
import { classifyPersonalData } from './personal-data.ts';
import { inferFromFrequencies } from './value-inference.ts';
import { maskValue } from './value-masking.ts';
import { compareDecimalTexts, compareTimeKeys, compareValues } from './value-order.ts';
import { shapeOf } from './value-shape.ts';
import { findVariants } from './value-variants.ts';

const TOP = 10;
/** A text value listed in a profile (min, max, top values, variants) is cut to this many UTF-16 units, with `…`. */
export const SHOWN_VALUE_CHARS = 1000;

/** Options of `buildColumnProfile`. */
export interface ColumnProfileOptions {
  /** Show personal values unmasked (`--show-samples`). */
  readonly showSamples?: boolean;
}

/**
 * Builds the profile of one column. When the frequency table is a sample (`complete: false`), the
 * exact aggregates are used where given, value-level counts (top values, patterns, formats) are the
 * sample's scaled to the non-null count, and the profile says `valuesSampled`.
 */
export function buildColumnProfile(
  observation: ColumnObservation,
  options: ColumnProfileOptions = {},
): ColumnProfile {
  const { type, frequencies } = observation;
  const nonNull = observation.count - observation.nulls;
  const textual = type === 'string' || type === 'json';
  const numeric = isNumericType(type);
  const dated = type === 'date' || type === 'timestamp';
  const order =
    type === 'decimal' || type === 'integer'
      ? compareDecimalKeys
      : type === 'time'
        ? compareTimeKeys
        : compareValues;

  let sampleTotal = 0;
  let min: ProfileValue | null = null;
  let max: ProfileValue | null = null;
  let lengthMin = Number.POSITIVE_INFINITY;
  let lengthMax = 0;
  let lengthSum = 0;
  let leading = 0;
  let both = 0;
  let trailing = 0;
  const letterCase = { upper: 0, lower: 0, mixed: 0 };
  const scientific = { values: 0, large: 0 };
  const nullLike: { -readonly [K in keyof NullLikeCounts]: number } = emptyNullLikeCounts();
  const shapes = new Map<string, number>();
  const formatCounts = new Float64Array(VALUE_FORMATS.length);
  const texts: string[] = [];
  const numbers: number[] = [];
  const numberCounts: number[] = [];
  const top: ValueCount[] = [];

  for (const [key, count] of frequencies) {
    sampleTotal += count;
    // NaN and ±Infinity (a float column of PostgreSQL or SQLite, a PostgreSQL numeric) are listed by name;
    // they have no order and no number.
    const special =
      typeof key === 'number'
        ? !Number.isFinite(key)
        : type === 'decimal' && (key === 'NaN' || key === 'Infinity' || key === '-Infinity');
    const value = special ? String(key) : key;
    // A zero date (`0000-00-00`) stands for a missing date: listed and counted null-like, no bound, no number.
    const zeroDate = dated && typeof key === 'string' && isZeroDate(key);
    if (zeroDate) nullLike.zeroDate += count;
    const ordered = !special && !zeroDate;
    if (ordered && (min === null || order(value, min) < 0)) min = value;
    if (ordered && (max === null || order(value, max) > 0)) max = value;
    pushTop(top, value, count, order);
    if (!ordered) continue;
    if (typeof value === 'boolean') continue;
    const text = typeof value === 'string' ? value : String(value);
    const shape = shapeOf(text);
    shapes.set(shape, (shapes.get(shape) ?? 0) + count);
    if (typeof value === 'string' || Number.isInteger(value)) countFormats(text, count, formatCounts);
    if (numeric) {
      const number = numericValue(value, type);
      if (!Number.isNaN(number)) {
        numbers.push(number);
        numberCounts.push(count);
      }
    }
    if (!textual || typeof value !== 'string') continue;
    texts.push(value);
    const length = codePointLength(value);
    if (length < lengthMin) lengthMin = length;
    if (length > lengthMax) lengthMax = length;
    lengthSum += length * count;
    const starts = value.length > 0 && isEdgeSpace(value.charCodeAt(0));
    const ends = value.length > 0 && isEdgeSpace(value.charCodeAt(value.length - 1));
    if (starts) leading += count;
    if (ends) trailing += count;
    if (starts && ends) both += count;
    const exponent = scientificExponent(value);
    if (exponent !== undefined) {
      scientific.values += count;
      if (exponent >= 9) scientific.large += count;
    }
    const kind = classifyNullLike(value);
    // `N/A` or `NULL` stands for no value: it has no letter case worth counting.
    if (kind !== undefined) {
      nullLike[kind] += count;
      continue;
    }
    const hasUpper = value !== value.toLowerCase();
    const hasLower = value !== value.toUpperCase();
    if (hasUpper && hasLower) letterCase.mixed += count;
    else if (hasUpper) letterCase.upper += count;
    else if (hasLower) letterCase.lower += count;
  }

  const aggregates = observation.complete ? undefined : observation.aggregates;
  // Sample counts stand for the whole column: scale them to the non-null count.
  const scale = observation.complete || sampleTotal === 0 ? 1 : nonNull / sampleTotal;
  const scaled = (count: number) => (scale === 1 ? count : Math.round(count * scale));
  const formats: { format: ValueFormat; count: number }[] = [];
  for (let i = 0; i < VALUE_FORMATS.length; i++) {
    if (formatCounts[i]! > 0) formats.push({ format: VALUE_FORMATS[i]!, count: scaled(formatCounts[i]!) });
  }
  const personal = classifyPersonalData(observation.name, formats, nonNull);
  const mask = personal && !options.showSamples ? personal.kind : undefined;
  // A sketch's estimate may overshoot: a column holds no more distinct values than non-null ones.
  const distinct = aggregates
    ? aggregates.distinctExact
      ? aggregates.distinct
      : Math.min(aggregates.distinct, nonNull)
    : frequencies.size;
  const inference = inferFromFrequencies(frequencies, type, sampleTotal);
  const variants = textual ? findVariants(texts) : { groups: 0, values: 0, examples: [] };
  const lengthSummary =
    textual && texts.length > 0
      ? { min: lengthMin, max: lengthMax, mean: sampleTotal === 0 ? 0 : lengthSum / sampleTotal }
      : undefined;
  const numericSummary = numeric
    ? mergeNumeric(numbers, numberCounts, aggregates?.numeric, scaled)
    : undefined;
  const finalMin = aggregates ? aggregates.min : min;
  const finalMax = aggregates ? aggregates.max : max;

  const profile: ColumnProfile = {
    name: observation.name,
    count: observation.count,
    nulls: observation.nulls,
    distinct,
    distinctExact: aggregates ? aggregates.distinctExact : true,
    min: maskOrKeep(clipShown(finalMin), mask),
    max: maskOrKeep(clipShown(finalMax), mask),
    inferredType: inference.type,
    conformance: inference.conformance,
    patterns: topShapes(shapes).map((entry) => ({ pattern: entry.pattern, count: scaled(entry.count) })),
    // A value seen once in a sample says nothing of how often it occurs: a sampled column lists only the
    // values its sample repeats, with their estimated counts.
    topValues: top
      .filter((entry) => scale === 1 || entry.count > 1)
      .map((entry) => ({
        value: maskOrKeep(clipShown(entry.value), mask)!,
        count: scaled(entry.count),
      })),
    type,
    nullLike: aggregates?.nullLike ?? (scale === 1 ? nullLike : scaleCounts(nullLike, scaled)),
    uniqueness: nonNull > 0 ? distinct / nonNull : null,
    whitespace: aggregates?.whitespace ?? {
      leading: scaled(leading),
      trailing: scaled(trailing),
      both: scaled(both),
    },
    formats,
    variants: shownVariants(variants, mask),
  };
  return {
    ...profile,
    ...(aggregates?.distinctError !== undefined && !aggregates.distinctExact
      ? { distinctError: aggregates.distinctError }
      : {}),
    ...(aggregates?.length ? { length: aggregates.length } : lengthSummary ? { length: lengthSummary } : {}),
    // Quantiles, histogram bounds and outlier examples are values: a personal column's are not shown
    // unless samples are (a NIR read as a number, a birth date as days since 1970).
    ...(numericSummary && !mask ? { numeric: numericSummary } : {}),
    ...(textual && texts.length > 0
      ? {
          letterCase: {
            upper: scaled(letterCase.upper),
            lower: scaled(letterCase.lower),
            mixed: scaled(letterCase.mixed),
          },
        }
      : {}),
    ...(scientific.values > 0
      ? { scientific: { values: scaled(scientific.values), large: scaled(scientific.large) } }
      : {}),
    ...(personal ? { personal } : {}),
    ...(observation.complete ? {} : { valuesSampled: true }),
  };
}

const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/;

/**
 * Decimal keys are text, and integers past 2^53 are text among numbers: they order by value, not by
 * characters (`900719925474099300` after `9007199254741012`, `-9223372036854775807` first).
 */
function compareDecimalKeys(a: ProfileValue, b: ProfileValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = typeof a === 'number' && Number.isFinite(a) ? String(a) : a;
  const y = typeof b === 'number' && Number.isFinite(b) ? String(b) : b;
  return typeof x === 'string' && typeof y === 'string' && DECIMAL_TEXT.test(x) && DECIMAL_TEXT.test(y)
    ? compareDecimalTexts(x, y)
    : compareValues(a, b);
}

/** Keeps the `TOP` most frequent values, ties by value order, with an insertion into a short sorted list. */
function pushTop(
  top: ValueCount[],
  value: ProfileValue,
  count: number,
  order: (a: ProfileValue, b: ProfileValue) => number,
): void {
  if (top.length === TOP) {
    const last = top[TOP - 1]!;
    if (count < last.count || (count === last.count && order(value, last.value) > 0)) return;
  }
  let at = top.length;
  while (at > 0) {
    const before = top[at - 1]!;
    if (before.count > count || (before.count === count && order(before.value, value) < 0)) break;
    at--;
  }
  top.splice(at, 0, { value, count });
  if (top.length > TOP) top.pop();
}

function topShapes(shapes: Map<string, number>): { pattern: string; count: number }[] {
  return Array.from(shapes, ([pattern, count]) => ({ pattern, count }))
    .sort((a, b) => b.count - a.count || (a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0))
    .slice(0, TOP);
}

/**
 * Exact mean and stddev (and quantiles, where the backend computes them) from the scan win over the sample's;
 * the rest comes from the values listed, whose histogram and outlier counts `scaled` brings to the whole
 * column when they are a sample.
 */
function mergeNumeric(
  numbers: number[],
  counts: number[],
  exact: Partial<NumericSummary> | undefined,
  scaled: (count: number) => number,
): NumericSummary | undefined {
  const listed = summariseNumbers(weightedNumbers(numbers, counts));
  if (!listed) return undefined;
  const whole: NumericSummary = {
    ...listed,
    histogram: listed.histogram.map((bin) => ({ ...bin, count: scaled(bin.count) })),
    outliers: { ...listed.outliers, count: scaled(listed.outliers.count) },
  };
  return exact ? { ...whole, ...exact } : whole;
}

function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A low surrogate is the second half of a code point already counted.
    if (code >= 0xdc00 && code <= 0xdfff) length--;
  }
  return length;
}

/** Space, tab, line breaks, NBSP and narrow NBSP count as edge whitespace. */
export function isEdgeSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === 160 || code === 0x202f;
}

function maskOrKeep(value: ProfileValue | null, mask: PersonalDataKind | undefined): ProfileValue | null {
  return value === null || mask === undefined ? value : maskValue(value, mask);
}

/** `3,31E+13`, `-1.5e-3`, `2E5`: a number in scientific notation, point or comma, spaces around it. */
const SCIENTIFIC = /^\s*[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d{1,3}\s*$/;

/** The decimal magnitude of a number written in scientific notation (`3,31E+13` → 13), or undefined. */
export function scientificExponent(text: string): number | undefined {
  if (text.length > 40 || !SCIENTIFIC.test(text)) return undefined;
  const magnitude = Math.abs(Number(text.trim().replace(',', '.')));
  return magnitude === 0 ? Number.NEGATIVE_INFINITY : Math.floor(Math.log10(magnitude));
}

/** A value as a profile lists it: text past `SHOWN_VALUE_CHARS` cut, with `…`, between two code points. */
export function clipShown<T extends ProfileValue | null>(value: T): T | string {
  return typeof value === 'string' ? cutText(value, SHOWN_VALUE_CHARS) : value;
}

function shownVariants(
  variants: ColumnProfile['variants'],
  mask: PersonalDataKind | undefined,
): ColumnProfile['variants'] {
  const shown = (v: string) => (mask ? maskValue(clipShown(v), mask) : clipShown(v));
  return { ...variants, examples: variants.examples.map((group) => group.map(shown)) };
}

function scaleCounts(counts: NullLikeCounts, scaled: (count: number) => number): NullLikeCounts {
  return {
    empty: scaled(counts.empty),
    blank: scaled(counts.blank),
    na: scaled(counts.na),
    nullText: scaled(counts.nullText),
    dash: scaled(counts.dash),
    zeroDate: scaled(counts.zeroDate),
  };
}
