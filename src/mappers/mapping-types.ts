/**
 * What the mapping compiler produces: a mapping turned once into a row function. The planner and the
 * writers only see this shape; they never read the mapping's YAML again.
 */
import type { Row, Value } from '../connectors/types.ts';
import type { ReferenceSlot } from './transforms/ref-transform.ts';

/** Every stable code a rejected value carries; rejects files and tests use the code, people read the reason. */
export const REJECT_CODES = [
  'REJECT_REQUIRED',
  'REJECT_FORMAT',
  'REJECT_TOO_LONG',
  'REJECT_TYPE',
  'REJECT_NOT_ALLOWED',
  'REJECT_OUT_OF_RANGE',
  'REJECT_PRECISION',
  'REJECT_ENCODING',
  'REJECT_TRANSFORM',
  'REJECT_LOOKUP_MISSING',
  'REJECT_REFERENCE_MISSING',
  'REJECT_FOREIGN_KEY',
  'REJECT_SOURCE_ROW',
] as const;

/** A stable reason code for a rejected row. */
export type RejectCode = (typeof REJECT_CODES)[number];

/**
 * Why a row cannot be written: the first field that failed. `reason` never repeats the value, so that a
 * rejects file can show `value` masked; `formatRejection` writes the sentence with the value put back.
 */
export interface Rejection {
  /** The target field that failed; null when the source row itself was read only in part (`REJECT_SOURCE_ROW`). */
  readonly field: string | null;
  /** The value that failed: the input of the failing transform, or the value that failed validation. */
  readonly value: Value;
  /** What failed: a transform name (`date`), `validate`, `required` or the target column (`target`). */
  readonly step: string;
  /** Follows the value: `is not a date in dd/MM/yyyy`. */
  readonly reason: string;
  readonly code: RejectCode;
  /** A row read only in part: what it loses, part by part (each masked on its own), and their separator. */
  readonly parts?: { readonly values: readonly string[]; readonly separator: string };
}

/** How a mapping writes its target (DESIGN.md): insert only, upsert, or upsert then delete the absent keys. */
export type MappingMode = 'insert' | 'upsert' | 'mirror';

/**
 * A mapping compiled once into a row function.
 *
 * Reading: ask the source for `sourceColumns`, in that order (`ReadOptions.columns`); `row[i]` is the
 * value of `sourceColumns[i]`. Writing: `map(row, out)` fills `out[j]` with the value of `targetFields[j]`
 * and returns null, or returns the first Rejection of the row. `out` is any array the caller owns (its
 * length grows to `targetFields.length` when shorter); after a rejection its content is unspecified.
 * `map` allocates nothing per row beyond the values it produces (new strings) and a Rejection when it
 * rejects; it never throws on data, and is safe to call on any number of rows in any order. Output values
 * are in the target's logical representation when a target dataset was given (decimals as canonical
 * strings, dates `YYYY-MM-DD`, timestamps ISO 8601 UTC, integers as numbers or bigint beyond 2^53).
 */
export interface CompiledMapping {
  readonly name: string;
  readonly from: { readonly source: string; readonly dataset: string; readonly where?: string };
  readonly to: {
    readonly target: string;
    readonly dataset: string;
    /** The business key; absent when the target generates its keys (`identity`). */
    readonly key?: readonly string[];
    readonly mode: MappingMode;
    readonly identity?: { readonly sourceKey?: readonly string[] };
  };
  /** The source columns to read, in the order `map` expects them in `row`. */
  readonly sourceColumns: readonly string[];
  /**
   * Positions in `sourceColumns` read as the source's own text where it has one (`ReadOptions.asText`): the
   * columns of a non-text type that fields into text columns take through steps that work on text (a CSV's
   * `Oui` stays `Oui`, not `true`). A column other fields read typed is listed twice, once each way.
   */
  readonly textPositions: readonly number[];
  /** The target fields `map` produces, in the order of the mapping's `fields` (the config order). */
  readonly targetFields: readonly string[];
  /** The target's business key, as in `to.key` (empty with `identity`: rows match through the identity map). */
  readonly keyFields: readonly string[];
  /** The position of each key field in `targetFields` (and so in `out`). */
  readonly keyIndexes: readonly number[];
  /** The `ref` steps of the fields, in field order, bound by preflight and the stage before rows are read. */
  readonly references: readonly ReferenceSlot[];
  /** Transforms one source row into `out`; null when the row is valid, else its first rejection. */
  map(row: Row, out: Value[]): Rejection | null;
  /**
   * Per field, the values of rows `map` accepted that failed a step or a check and were written as null
   * (`onInvalid: null`) or as they were (`keep`) instead of rejecting the row; counted since the compile.
   */
  softened(): readonly SoftenedCount[];
}

/** Values a field wrote as null or unchanged because they failed (`onInvalid`), and the first reason. */
export interface SoftenedCount {
  readonly field: string;
  readonly action: 'null' | 'keep';
  readonly count: number;
  /** The first failure, as `step: reason` (no value: it may be personal). */
  readonly reason: string;
}
