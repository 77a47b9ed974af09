/**
 * The contract between the compiler and the transforms: a definition validates its arguments once and
 * returns a step function; the step runs per value and signals failure by returning FAILED, with the
 * reason written into a scratch object the compiler owns (no exception, no allocation on success).
 */
import type { TransformStepConfig } from '../../config/schema.ts';
import type { Row, Value } from '../../connectors/types.ts';
import type { Column, LogicalType } from '../../core/inventory.ts';
import type { RejectCode } from '../mapping-types.ts';
import type { ReferenceSlot } from './ref-transform.ts';

/** Returned by a step whose value cannot be transformed; the reason is in the StepFailure. */
export const FAILED: unique symbol = Symbol('stocktake.transform.failed');

/** The FAILED marker's type. */
export type Failed = typeof FAILED;

/** Scratch written by a failing step: one per compiled mapping, reused for every row. */
export interface StepFailure {
  /** Follows the value in the sentence: `is not a date in dd/MM/yyyy`. */
  reason: string;
  code: RejectCode;
}

/** One compiled step: the value in, the transformed value (or FAILED) out; `row` serves expressions. */
export type TransformFn = (value: Value, row: Row, failure: StepFailure) => Value | Failed;

/** What a transform factory may ask of the compiler. */
export interface TransformContext {
  readonly mappingName: string;
  /** The target dataset, e.g. for a default UUID namespace. */
  readonly targetDataset: string;
  /** Every column of the source dataset. */
  readonly sourceColumns: readonly Column[];
  /** Adds a source column to the read (when not yet there) and returns its position in `row`. */
  useColumn(name: string): number;
  /** The logical type of the value the step receives (the field's column, or what earlier steps made), when known. */
  readonly valueType?: LogicalType | undefined;
  /** Reads a lookup CSV once: `key` column → `value` column. Throws a readable error when it cannot. */
  loadLookup(file: string, key: string, value: string): ReadonlyMap<string, string>;
  /** Registers a `ref` step's slot, bound later to the referenced mapping's identity map. */
  addReference?(slot: ReferenceSlot): void;
}

/** A transform by name: its factory, and facts the compiler uses to check the pipeline. */
export interface TransformDefinition {
  readonly name: string;
  /** How to write it with arguments, for error messages: `{ prefix: "CRM-" }`. */
  readonly example?: string;
  /** True when it combines the list of values of a multi-column `from`. */
  readonly takesList?: boolean;
  /** The logical type it produces; undefined when the value's type passes through; 'any' when unknown. */
  readonly produces?: LogicalType | 'any';
  /** Builds the step once; throws TransformArgumentError when the arguments cannot work. */
  create(args: unknown, context: TransformContext): TransformFn;
}

/** Thrown by a factory at compile time; the compiler reports it as a config problem at the step's path. */
export class TransformArgumentError extends Error {
  /** `sub` extends the step's path, e.g. `.formats[1]`. */
  readonly sub: string;

  constructor(message: string, sub = '') {
    super(message);
    this.name = 'TransformArgumentError';
    this.sub = sub;
  }
}

/** Fails a step: writes the reason and code into the scratch and returns FAILED. */
export function fail(failure: StepFailure, reason: string, code: RejectCode = 'REJECT_TRANSFORM'): Failed {
  failure.reason = reason;
  failure.code = code;
  return FAILED;
}

/** A config step's transform name and arguments; `bare` when written as the name alone (`trim`). */
export function stepNameAndArgs(step: TransformStepConfig): { name: string; args: unknown; bare: boolean } {
  if (typeof step === 'string') return { name: step, args: undefined, bare: true };
  const [name, args] = Object.entries(step)[0] ?? ['', undefined];
  return { name, args: args ?? undefined, bare: false };
}
