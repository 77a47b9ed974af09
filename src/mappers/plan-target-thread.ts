/**
 * Reads the target side of a diff in a worker thread (plan-target-worker.ts), so that the target's rows
 * are converted, canonicalised, hashed and encoded on a second core while this thread maps the source.
 * The worker opens its own read-only connection from the target's config entry, fills a partition store
 * whose spill file lies in a directory this thread made, and hands the store over when done (its spill
 * file by name, its records in memory by transferring their buffers): nothing is sent per row.
 */
import type { TargetConfig } from '../config/schema.ts';
import { StocktakeError } from '../core/errors.ts';
import type { Column } from '../core/inventory.ts';
import { startModuleWorker } from '../core/module-worker.ts';
import type { KeyFolding } from './canonical-key.ts';
import { canonicalizerFor } from './canonical-value.ts';
import type { SideSummary, TargetReading } from './plan-sides.ts';
import type { PreparedMapping } from './preflight.ts';
import {
  makeSpillDirectory,
  PartitionStore,
  removeSpillDirectory,
  type StoreHandOff,
} from './spill-partitions.ts';

/** Target kinds read in a thread: network databases, which a second connection reaches as the first does. */
const THREAD_KINDS: ReadonlySet<string> = new Set(['postgres', 'mysql', 'mariadb', 'mssql']);

/**
 * The worker's young generation, in MB: its rows die young, and by default its new space grows to 32 MB
 * (a plan of 3,000,000 rows peaked at 236 MB with this bound, 265 MB without, one run each).
 */
const WORKER_YOUNG_MB = 12;

/** What the worker is started with: the target's entry and what it needs to rebuild a `TargetReading`. */
export interface TargetThreadRequest {
  readonly target: string;
  readonly entry: TargetConfig;
  readonly mapping: string;
  readonly dataset: string;
  readonly fields: readonly string[];
  readonly keyIndexes: readonly number[];
  /** The target column of each field, for its canonicalizer. */
  readonly columns: readonly Column[];
  readonly targetKind: string;
  readonly keyFoldings: readonly KeyFolding[];
  readonly fieldFoldings: readonly KeyFolding[] | null;
  readonly partitions: number;
  readonly budgetRows: number;
  readonly label: string;
  /** Where the worker's store spills: made and, unless handed over, removed by this thread. */
  readonly directory: string;
  readonly batchSize: number;
}

/** What the worker posts. */
export type TargetThreadMessage =
  | { readonly kind: 'progress'; readonly rows: number }
  | { readonly kind: 'done'; readonly summary: SideSummary; readonly store: StoreHandOff }
  | { readonly kind: 'error'; readonly error: ThreadError };

/** An error as it crosses threads: a StocktakeError keeps its code, hint and context. */
export interface ThreadError {
  readonly message: string;
  readonly code?: string;
  readonly hint?: string;
  readonly context?: Record<string, unknown>;
}

/**
 * Targets of at least this many rows (the inventory's estimate) are read in a thread: the worker's start
 * (its module, a connection, an inventory) costs a few hundred milliseconds.
 */
export const TARGET_THREAD_MIN_ROWS = 100_000;

/** When a mapping's target may be read in a thread: its config entry, and the rows from which it is. */
export interface TargetThreadSetting {
  readonly entry: TargetConfig;
  readonly minRows: number;
}

/** True when the target of `prepared` is read in a thread under `setting`. */
export function threadable(prepared: PreparedMapping, setting: TargetThreadSetting | undefined): boolean {
  if (!setting || !THREAD_KINDS.has(setting.entry.kind)) return false;
  // An identity mapping's target rows are matched through the identity map, which this thread holds.
  if (prepared.identity !== null) return false;
  return (prepared.target.dataset.rowCount ?? 0) >= setting.minRows;
}

/** The `TargetReading` a request describes (the worker's half of `readTargetInThread`). */
export function targetReadingOf(request: TargetThreadRequest): TargetReading {
  return {
    config: { name: request.mapping },
    compiled: { targetFields: request.fields, keyIndexes: request.keyIndexes },
    target: { dataset: { name: request.dataset } },
    canonicalizers: request.columns.map((c) => canonicalizerFor(c, request.targetKind)),
    keyFoldings: request.keyFoldings,
    fieldFoldings: request.fieldFoldings,
    identity: null,
  };
}

/** Options of `readTargetInThread`. */
export interface TargetThreadOptions {
  readonly partitions: number;
  readonly budgetRows: number;
  readonly label: string;
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (rows: number) => void;
}

/**
 * Reads the target of `prepared` in a worker thread, into a partition store handed back when done. The
 * signal ends the worker (and removes what it spilled).
 */
export function readTargetInThread(
  prepared: PreparedMapping,
  entry: TargetConfig,
  options: TargetThreadOptions,
): Promise<{ summary: SideSummary; store: PartitionStore }> {
  const columnOf = (field: string) => prepared.target.dataset.columns.find((c) => c.name === field)!;
  const directory = makeSpillDirectory();
  const request: TargetThreadRequest = {
    target: prepared.target.name,
    entry,
    mapping: prepared.config.name,
    dataset: prepared.target.dataset.name,
    fields: prepared.compiled.targetFields,
    keyIndexes: prepared.compiled.keyIndexes,
    columns: prepared.compiled.targetFields.map(columnOf),
    targetKind: prepared.target.kind,
    keyFoldings: prepared.keyFoldings,
    fieldFoldings: prepared.fieldFoldings,
    partitions: options.partitions,
    budgetRows: options.budgetRows,
    label: options.label,
    directory,
    batchSize: options.batchSize,
  };
  return new Promise((resolve, reject) => {
    const worker = startModuleWorker('plan-target-worker', 'src/mappers/plan-target-worker.ts', request, {
      maxYoungGenerationSizeMb: WORKER_YOUNG_MB,
    });
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      void worker.terminate();
      removeSpillDirectory(directory);
      reject(error);
    };
    const abort = () => fail(options.signal!.reason);
    if (options.signal?.aborted) return abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    worker.on('message', (message: TargetThreadMessage) => {
      if (settled) return;
      if (message.kind === 'progress') options.onProgress?.(message.rows);
      else if (message.kind === 'error') fail(threadError(message.error));
      else {
        settled = true;
        options.signal?.removeEventListener('abort', abort);
        resolve({ summary: message.summary, store: PartitionStore.adopt(message.store) });
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) =>
      fail(
        new StocktakeError('INTERNAL', `the thread reading target ${request.target} ended (exit ${code})`),
      ),
    );
  });
}

/** An error posted by the worker, as a StocktakeError again when it was one. */
function threadError(error: ThreadError): Error {
  if (error.code === undefined) return new Error(error.message);
  return new StocktakeError(error.code as StocktakeError['code'], error.message, {
    ...(error.hint !== undefined ? { hint: error.hint } : {}),
    ...(error.context !== undefined ? { context: error.context } : {}),
  });
}
