/**
 * Finds where a UTF-8 CSV file can be cut so that a second thread reads the rest: the first line
 * break at or after a target offset that is outside quotes, counting quote characters from the start
 * of the file (RFC 4180's parity rule), with the records and lines before it. A relaxed quote (one
 * inside an unquoted field) can fool the parity: the reader of the first range checks the cut (its
 * tokenizer must be at a record boundary there, with the same counts) before the second range is used.
 */
import { createReadStream } from 'node:fs';

/** A record boundary of a file and what precedes it. */
export interface RecordSplit {
  /** Byte offset just past the line break. */
  readonly offset: number;
  /** Records (blank lines excluded, a header included) before the offset. */
  readonly records: number;
  /** Line breaks before the offset (CRLF counts once). */
  readonly lines: number;
}

const LF = 10;
const CR = 13;
const READ_BYTES = 1024 * 1024;

/** The first record boundary after a line feed at or past `target`; undefined when the file ends first. */
export async function findRecordSplit(
  path: string,
  quote: string,
  target: number,
  signal?: AbortSignal,
): Promise<RecordSplit | undefined> {
  const state: SplitState = {
    quote: quote === '' ? -1 : quote.charCodeAt(0),
    inQuote: false,
    content: false,
    afterCr: false,
    records: 0,
    lines: 0,
    offset: 0,
  };
  const stream = createReadStream(path, { highWaterMark: READ_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (signal?.aborted) return undefined;
      const found = scanChunk(chunk, state, target);
      if (found !== undefined) return found;
      state.offset += chunk.length;
    }
    return undefined;
  } finally {
    stream.destroy();
  }
}

/** Where the scan is between chunks. */
interface SplitState {
  readonly quote: number;
  inQuote: boolean;
  /** The current line has something on it (a blank line is no record). */
  content: boolean;
  afterCr: boolean;
  records: number;
  lines: number;
  offset: number;
}

/** Scans one chunk, hopping from one quote or line break to the next with native searches. */
function scanChunk(chunk: Buffer, state: SplitState, target: number): RecordSplit | undefined {
  const n = chunk.length;
  const q = state.quote;
  let { inQuote, content, afterCr, records, lines } = state;
  // A byte-order mark is not content: a file that starts with one and a line break starts blank.
  let i = state.offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
  let nextQuote = q < 0 ? -1 : chunk.indexOf(q, i);
  let nextLf = chunk.indexOf(LF, i);
  let nextCr = chunk.indexOf(CR, i);
  for (;;) {
    let at = n;
    if (nextQuote >= 0) at = nextQuote;
    if (nextLf >= 0 && nextLf < at) at = nextLf;
    if (nextCr >= 0 && nextCr < at) at = nextCr;
    if (at > i) {
      content = true;
      afterCr = false;
    }
    if (at === n) break;
    i = at + 1;
    if (at === nextLf) {
      nextLf = chunk.indexOf(LF, i);
      if (!afterCr) lines++;
      afterCr = false;
      if (inQuote) continue;
      if (content) records++;
      content = false;
      if (state.offset + i >= target) return { offset: state.offset + i, records, lines };
    } else if (at === nextCr) {
      nextCr = chunk.indexOf(CR, i);
      lines++;
      afterCr = true;
      if (inQuote) continue;
      if (content) records++;
      content = false;
    } else {
      nextQuote = chunk.indexOf(q, i);
      afterCr = false;
      inQuote = !inQuote;
      content = true;
    }
  }
  Object.assign(state, { inQuote, content, afterCr, records, lines });
  return undefined;
}
