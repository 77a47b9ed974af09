/**
 * Inferred type and conformance from a frequency table, with the colleague's streaming classifier
 * (type-inference*.ts) fed once per distinct value, weighted by its count.
 */
import type { InferredKind, LogicalType } from '../core/inventory.ts';
import type { ProfileValue } from '../core/profile.ts';
import { classifyNullLike, isZeroDate } from './null-like.ts';
import { TypeInference } from './type-inference.ts';
import { classifyValue, VALUE_CLASS } from './type-inference-classify.ts';

/** The type the values fit best and the share of them that fit it. */
export interface ValueInference {
  readonly type: LogicalType;
  /** Share (0–1) of non-null, non-null-like values conforming to `type`; 1 without values. */
  readonly conformance: number;
}

const KIND_TYPES: Readonly<Record<InferredKind, LogicalType>> = {
  empty: 'string',
  text: 'string',
  code: 'string',
  boolean: 'boolean',
  integer: 'integer',
  decimal: 'decimal',
  date: 'date',
  timestamp: 'timestamp',
};

/** Declared types whose values can be text only by being special (`infinity`, `NaN`, a BC date). */
const TYPED: ReadonlySet<LogicalType> = new Set(['integer', 'decimal', 'float', 'date', 'timestamp']);

/** Types the classifier has no class for: their values conform by construction. */
const OPAQUE: ReadonlySet<LogicalType> = new Set(['time', 'binary', 'json']);

/**
 * Infers from distinct values: the dominant kind's type (a column of 98% integers infers `integer`
 * with conformance 0.98), text conforming always; null-like values (`N/A`, `-`, a date column's zero
 * dates) are left out.
 */
export function inferFromFrequencies(
  frequencies: ReadonlyMap<ProfileValue, number>,
  declared: LogicalType,
  total: number,
): ValueInference {
  if (OPAQUE.has(declared) || total === 0) return { type: declared, conformance: 1 };
  const inference = new TypeInference();
  const counts = inference.counts;
  const dated = declared === 'date' || declared === 'timestamp';
  for (const [value, count] of frequencies) {
    if (typeof value === 'string' && (classifyNullLike(value) !== undefined || (dated && isZeroDate(value))))
      continue;
    counts[classifyValue(value)]! += count;
  }
  const result = inference.result();
  if (result.dominant === 'empty') return { type: declared, conformance: 1 };
  if (result.dominant === 'text') {
    // A date or number column of a database whose values are mostly `infinity`, `NaN` or years past 9999
    // is still that type: those values are the ones that do not conform, not the others.
    if (!TYPED.has(declared)) return { type: 'string', conformance: 1 };
    let classified = 0;
    for (let i = 0; i < counts.length; i++) if (i !== VALUE_CLASS.EMPTY) classified += counts[i]!;
    return { type: declared, conformance: classified === 0 ? 1 : 1 - counts[VALUE_CLASS.TEXT]! / classified };
  }
  let type = KIND_TYPES[result.dominant];
  // Codes (`00012`, leading zeros kept) infer text, which every value fits: the mixture is the shapes'
  // and formats' to report, not conformance to a type.
  if (type === 'string') return { type, conformance: 1 };
  // The classifier cannot tell a float from a decimal; a declared float stays one.
  if (declared === 'float' && (type === 'decimal' || type === 'integer')) type = 'float';
  return { type, conformance: result.conformance };
}
