/**
 * The worker thread that scans the second byte range of a large CSV file: it finds the cut (a record
 * boundary past the target offset, with the records and lines before it), waits for the first range's
 * columns, plans and pairs, then runs the same record pass over the rest of the file and posts its
 * state. Its protocol is in csv-range-thread.ts, the only module that starts it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RangeRequest, RangeStart, WorkerMessage } from './csv-range-thread.ts';
import { RecordPass } from './csv-record-pass.ts';
import { csvRecordChunks } from './csv-records.ts';
import { findRecordSplit } from './csv-split.ts';

const port = parentPort!;
const request = workerData as RangeRequest;

/** Posts a message, moving its typed arrays' memory to the scan instead of copying it. */
function post(message: WorkerMessage): void {
  port.postMessage(message, [...buffersIn(message, new Set())]);
}

function buffersIn(value: unknown, found: Set<ArrayBuffer>): Set<ArrayBuffer> {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null) buffersIn(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) buffersIn(item, found);
  }
  return found;
}

async function run(): Promise<void> {
  const split = await findRecordSplit(request.path, request.dialect.quote, request.target);
  post({ kind: 'split', split });
  if (split === undefined) return;
  const start = await new Promise<RangeStart>((resolve) => port.once('message', resolve));
  const firstRow = split.records - (request.dialect.header ? 1 : 0) - (request.dialect.preamble ?? 0);
  const pass = RecordPass.continuing(request, start.continuation, firstRow);
  const records = csvRecordChunks(request.path, request.dialect, {
    start: split.offset,
    firstLine: split.lines + 1,
    findNul: true,
  });
  let next = await records.next();
  while (!next.done) {
    pass.add(next.value);
    next = await records.next();
  }
  const state = pass.state();
  post({ kind: 'done', pass: state, report: next.value });
}

run().catch((error: unknown) => {
  post({ kind: 'error', error });
});
