/**
 * Starts and talks to the worker thread that scans the second byte range of a large UTF-8 CSV file
 * (csv-range-worker.ts), so that the scan and its profile use a second core. The protocol: the worker
 * posts the cut it found (`split`); the scan posts the columns, plans and pairs of its first range
 * (`start`) or ends the worker; the worker posts its pass (`done`) or what failed (`error`).
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../core/module-worker.ts';
import type { TypeInferenceOptions } from '../../profilers/type-inference.ts';
import type { SourceFile } from '../files/file-paths.ts';
import type { PassContinuation, RecordPassState } from './csv-record-pass.ts';
import type { RecordStreamReport } from './csv-records.ts';
import type { CsvDialect } from './csv-sniff.ts';
import type { RecordSplit } from './csv-split.ts';

/** What the worker is started with. */
export interface RangeRequest {
  readonly source: string;
  readonly file: SourceFile;
  readonly path: string;
  readonly dialect: CsvDialect;
  readonly options: TypeInferenceOptions;
  /** The offset to cut at or after. */
  readonly target: number;
}

/** What the scan posts once its first range knows its columns (and, when profiling, plans and pairs). */
export interface RangeStart {
  readonly continuation: PassContinuation;
}

/** What the worker posts. */
export type WorkerMessage =
  | { readonly kind: 'split'; readonly split: RecordSplit | undefined }
  | { readonly kind: 'done'; readonly pass: RecordPassState; readonly report: RecordStreamReport }
  | { readonly kind: 'error'; readonly error: unknown };

/** The second range's pass and stream report, or undefined when the worker failed or was ended. */
export type RangeResult = { pass: RecordPassState; report: RecordStreamReport } | undefined;

/** A running worker over the second range of one file. */
export class RangeThread {
  /** The cut, once the worker found it (undefined: none, or the worker failed). */
  readonly split: Promise<RecordSplit | undefined>;
  /** The worker's pass over the second range. */
  readonly result: Promise<RangeResult>;
  #started = false;
  readonly #worker: Worker;

  constructor(request: RangeRequest) {
    this.#worker = startWorker(request);
    let onSplit: (split: RecordSplit | undefined) => void = () => {};
    let onResult: (result: RangeResult) => void = () => {};
    this.split = new Promise((resolve) => {
      onSplit = resolve;
    });
    this.result = new Promise((resolve) => {
      onResult = resolve;
    });
    const fail = () => {
      onSplit(undefined);
      onResult(undefined);
    };
    this.#worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'split') onSplit(message.split);
      else if (message.kind === 'done') onResult({ pass: message.pass, report: message.report });
      else fail();
    });
    this.#worker.on('error', fail);
    this.#worker.on('exit', fail);
  }

  /** True once the worker was given the first range's continuation. */
  get started(): boolean {
    return this.#started;
  }

  /** Lets the worker scan its range with the first range's columns, plans and pairs. */
  start(continuation: PassContinuation): void {
    this.#started = true;
    this.#worker.postMessage({ continuation } satisfies RangeStart);
  }

  /** Ends the worker (its range is read by the scan itself, or not needed). */
  cancel(): void {
    void this.#worker.terminate();
  }
}

/** Starts the range worker (src/core/module-worker.ts finds it: bundled, or from the sources). */
function startWorker(request: RangeRequest): Worker {
  return startModuleWorker('csv-range-worker', 'src/connectors/csv/csv-range-worker.ts', request);
}
