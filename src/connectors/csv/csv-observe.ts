/**
 * The profile of a CSV file taken during its inventory scan, so that an audit reads each file once.
 * The scan infers types from every value and the profile needs typed values, so the profile guesses
 * the types from the first rows and converts as the typed read would; it is kept only when the
 * scan's final types are the guessed ones (the values converted are then exactly the read's, in
 * the same batches), and dropped at the first value the guess cannot convert. A dropped profile
 * costs nothing more than before: the profile stage reads the file again.
 */

import type { LogicalType } from '../../core/inventory.ts';
import { DatasetAccumulator } from '../../profilers/dataset-accumulator.ts';
import type { DatasetObservation } from '../../profilers/observation.ts';
import { TypeInference, type TypeInferenceOptions } from '../../profilers/type-inference.ts';
import { type ConversionPlan, convertValue, INVALID } from '../../profilers/type-inference-convert.ts';
import { DEFAULT_BATCH_SIZE, type Row } from '../types.ts';

/** Accumulates the profile of a file's rows while the scan infers their types. */
export class ScanProfile {
  readonly #plans: ConversionPlan[];
  readonly #types: LogicalType[];
  #accumulator: DatasetAccumulator | undefined;
  #batch: Row[] = [];

  /** Guesses each column's type from `firstRecords` (data rows of the first chunk, header excluded). */
  constructor(names: readonly string[], firstRecords: readonly string[][], options: TypeInferenceOptions) {
    const inferences = names.map(() => new TypeInference(options));
    for (const record of firstRecords) {
      for (let c = 0; c < inferences.length; c++) inferences[c]!.addText(record[c] ?? '');
    }
    this.#plans = inferences.map((inference) => {
      const { type, decimalSeparator, dateOrder } = inference.result();
      return { type, decimalSeparator, dateOrder };
    });
    this.#types = this.#plans.map((plan) => plan.type);
    this.#accumulator = new DatasetAccumulator(names.map((name, c) => ({ name, type: this.#types[c]! })));
  }

  /** False once a value did not fit its guessed type. */
  get alive(): boolean {
    return this.#accumulator !== undefined;
  }

  /** Adds one data record, converted as `readCsvRows` converts it (missing fields null, extra dropped). */
  add(record: readonly string[]): void {
    const plans = this.#plans;
    const width = plans.length;
    const row: Row = new Array(width);
    for (let c = 0; c < width; c++) {
      const raw = record[c];
      const value = raw === undefined ? null : convertValue(raw, plans[c]!);
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
    const accumulator = this.#accumulator;
    this.#accumulator = undefined;
    if (accumulator === undefined || !plans.every((plan, c) => samePlan(plan, this.#plans[c]!))) return;
    if (this.#batch.length > 0) accumulator.addBatch(this.#batch);
    this.#batch = [];
    return accumulator.result();
  }
}

/** True when two plans convert every text alike. */
function samePlan(a: ConversionPlan, b: ConversionPlan): boolean {
  if (a.type !== b.type) return false;
  // Text and booleans convert without separators or day order.
  if (a.type === 'string' || a.type === 'boolean') return true;
  return a.decimalSeparator === b.decimalSeparator && a.dateOrder === b.dateOrder;
}
