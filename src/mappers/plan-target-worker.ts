/**
 * The worker thread that reads the target side of a diff (its protocol is in plan-target-thread.ts, the
 * only module that starts it): it opens the target read-only, reads the mapping's fields into a
 * partition store spilling into the directory it was given, closes the connection and hands the store
 * over, transferring the buffers of the records still in memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openConnector } from '../connectors/registry.ts';
import { isStocktakeError } from '../core/errors.ts';
import { collectTarget, type SideSummary } from './plan-sides.ts';
import {
  type TargetThreadMessage,
  type TargetThreadRequest,
  type ThreadError,
  targetReadingOf,
} from './plan-target-thread.ts';
import { PartitionStore } from './spill-partitions.ts';

const port = parentPort!;
const request = workerData as TargetThreadRequest;

function post(message: TargetThreadMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function run(): Promise<void> {
  const store = new PartitionStore(request.partitions, request.budgetRows, request.label);
  store.spillInto(request.directory);
  const connector = await openConnector(request.entry, { name: request.target, mode: 'audit' });
  let summary: SideSummary;
  try {
    await connector.connect();
    summary = await collectTarget(targetReadingOf(request), connector, store, {
      batchSize: request.batchSize,
      onProgress: (rows) => post({ kind: 'progress', rows }),
    });
  } finally {
    // Closed before the store is handed over: the connection is gone when the diff begins.
    await connector.close();
  }
  const state = store.handOff();
  post({ kind: 'done', summary, store: state }, [
    ...state.buffers.filter((b): b is ArrayBuffer => b !== null),
  ]);
}

function describe(error: unknown): ThreadError {
  if (isStocktakeError(error))
    return {
      message: error.message,
      code: error.code,
      ...(error.hint ? { hint: error.hint } : {}),
      context: { ...error.context },
    };
  return { message: error instanceof Error ? error.message : String(error) };
}

run().catch((error: unknown) => {
  try {
    post({ kind: 'error', error: describe(error) });
  } catch {
    // A context that cannot cross threads: the message alone.
    post({ kind: 'error', error: { message: describe(error).message } });
  }
});
