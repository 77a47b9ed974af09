/**
 * The profile of a CSV file taken during its inventory scan, so that an audit reads each file once.
 * The scan infers types from every value and the profile needs typed values, so the profile guesses
 * the types from the first rows and converts as the typed read would; it is kept only when the
 * scan's final types are the guessed ones (the values converted are then exactly the read's, in
 * the same batches), and dropped at the first value the guess cannot convert. A dropped profile
 * costs nothing more than before: the profile stage reads the file again. A file scanned as two
 * byte ranges has one profile per range, the second made with the first one's plans and pairs, merged.
 */

import type { LogicalType } from '../../core/inventory.ts';
import {
  DatasetAccumulator,
  type DatasetAccumulatorOptions,
  type DatasetAccumulatorState,
} from '../../profilers/dataset-accumulator.ts';
import type { DatasetObservation } from '../../profilers/observation.ts';
import { TypeInference, type TypeInferenceOptions } from '../../profilers/type-inference.ts';
import { type ConversionPlan, convertClassified, INVALID } from '../../profilers/type-inference-convert.ts';
import { DEFAULT_BATCH_SIZE, type Row } from '../types.ts';

/** A scan profile as plain data, for `postMessage`. */
export interface ScanProfileState {
  readonly plans: ConversionPlan[];
  readonly accumulator: DatasetAccumulatorState | undefined;
  readonly options: DatasetAccumulatorOptions;
}

/** Accumulates the profile of a file's rows while the scan infers their types. */
export class ScanProfile {
  readonly #names: readonly string[];
  readonly #plans: ConversionPlan[];
  readonly #options: DatasetAccumulatorOptions;
  #accumulator: DatasetAccumulator | undefined;
  #batch: Row[] = [];

  /** Profiles with the given plans; `options` place a second range's rows (first row, pairs). */
  constructor(names: readonly string[], plans: ConversionPlan[], options: DatasetAccumulatorOptions = {}) {
    this.#names = names;
    this.#plans = plans;
    this.#options = options;
    this.#accumulator = new DatasetAccumulator(this.#columns(), options);
  }

  /** Guesses each column's type from `firstRecords` (data rows of the first chunk, header excluded). */
  static guess(
    names: readonly string[],
    firstRecords: readonly string[][],
    options: TypeInferenceOptions,
    expectedRows: number,
  ): ScanProfile {
    const inferences = names.map(() => new TypeInference(options));
    for (const record of firstRecords) {
      for (let c = 0; c < inferences.length; c++) inferences[c]!.addText(record[c] ?? '');
    }
    const plans = inferences.map((inference) => {
      const { type, decimalSeparator, dateOrder } = inference.result();
      return { type, decimalSeparator, dateOrder };
    });
    return new ScanProfile(names, plans, { expectedRows });
  }

  /** The conversion plans the profile assumes. */
  get plans(): readonly ConversionPlan[] {
    return this.#plans;
  }

  /** The columns paired for two-column keys, once the first batch chose them. */
  get pairColumns(): readonly number[] | undefined {
    return this.#accumulator?.pairColumns;
  }

  /** False once a value did not fit its guessed type. */
  get alive(): boolean {
    return this.#accumulator !== undefined;
  }

  /**
   * Adds one data record, converted as `readCsvRows` converts it (missing fields null, extra dropped);
   * `classes` holds each field's class, as the scan's type inference just counted it.
   */
  add(record: readonly string[], classes: Uint8Array): void {
    const plans = this.#plans;
    const width = plans.length;
    const row: Row = new Array(width);
    for (let c = 0; c < width; c++) {
      const raw = record[c];
      const value = raw === undefined ? null : convertClassified(raw, classes[c]!, plans[c]!);
      if (value === INVALID) {
        this.#accumulator = undefined;
        this.#batch = [];
        return;
      }
      row[c] = value;
    }
    this.#batch.push(row);
    if (this.#batch.length >= DEFAULT_BATCH_SIZE) {
      this.#accumulator!.addBatch(this.#batch);
      this.#batch = [];
    }
  }

  /** The observation, when the scan settled on the guessed plans; undefined otherwise. */
  finish(plans: readonly ConversionPlan[]): DatasetObservation | undefined {
    this.#flush();
    const accumulator = this.#accumulator;
    this.#accumulator = undefined;
    if (accumulator === undefined || !plans.every((plan, c) => samePlan(plan, this.#plans[c]!))) return;
    return accumulator.result();
  }

  /** Adds the profile of the rows that follow (a second range, made with this one's plans); `other` is spent. */
  merge(other: ScanProfile): void {
    this.#flush();
    other.#flush();
    if (this.#accumulator === undefined || other.#accumulator === undefined) this.#accumulator = undefined;
    else this.#accumulator.merge(other.#accumulator);
  }

  /** Plain data for `restore` in another thread (the profile is spent). */
  state(): ScanProfileState {
    this.#flush();
    return { plans: this.#plans, accumulator: this.#accumulator?.state(), options: this.#options };
  }

  /** Rebuilds a profile from `state()`. */
  static restore(names: readonly string[], state: ScanProfileState): ScanProfile {
    const profile = new ScanProfile(names, state.plans, {});
    profile.#accumulator =
      state.accumulator === undefined
        ? undefined
        : DatasetAccumulator.restore(profile.#columns(), state.accumulator, state.options);
    return profile;
  }

  #flush(): void {
    if (this.#accumulator !== undefined && this.#batch.length > 0) this.#accumulator.addBatch(this.#batch);
    this.#batch = [];
  }

  #columns(): { name: string; type: LogicalType }[] {
    return this.#names.map((name, c) => ({ name, type: this.#plans[c]!.type }));
  }
}

/** True when two plans convert every text alike. */
function samePlan(a: ConversionPlan, b: ConversionPlan): boolean {
  if (a.type !== b.type) return false;
  // Text and booleans convert without separators or day order.
  if (a.type === 'string' || a.type === 'boolean') return true;
  return a.decimalSeparator === b.decimalSeparator && a.dateOrder === b.dateOrder;
}
