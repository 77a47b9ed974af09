/**
 * Streams the records of a CSV file, chunk by chunk, through csv-parse's push-based core: no record
 * ever waits in a stream buffer, and each record comes with the line it ends on (exact, even for
 * quoted fields spanning lines), which the stream front-end cannot give without an object per record.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { Parser } from 'csv-parse';
import { StocktakeError } from '../../core/errors.ts';
import { createChunkDecoder, isUtf8Encoding } from './csv-encoding.ts';
import type { CsvDialect } from './csv-sniff.ts';

/** The records parsed from one chunk of the file, and the line each one ends on. */
export interface RecordChunk {
  readonly records: string[][];
  readonly endLines: number[];
}

/** Options of `csvRecordChunks`. */
export interface RecordStreamOptions {
  readonly signal?: AbortSignal;
  /** Throw `NotUtf8Error` at the first bytes that are not UTF-8 (when UTF-8 was only sniffed). */
  readonly checkUtf8?: boolean;
  /** Largest record, in characters, before the file is declared unreadable (default 64 Mi). */
  readonly maxRecordSize?: number;
}

/** Thrown when a file sniffed as UTF-8 turns out not to be, further than the sniffed sample. */
export class NotUtf8Error extends Error {
  readonly line: number;
  constructor(line: number) {
    super(`bytes that are not UTF-8 near line ${line}`);
    this.line = line;
  }
}

const CHUNK_BYTES = 256 * 1024;
const MAX_RECORD = 64 * 1024 * 1024;

// csv-parse's push core (`Parser#api`): used by its own front-ends, not in its typings.
interface RawParserApi {
  readonly info: { readonly lines: number; readonly empty_lines: number };
  parse(
    chunk: Buffer | undefined,
    end: boolean,
    push: (record: string[]) => void,
    close: () => void,
  ): RawCsvError | undefined;
}

interface RawCsvError extends Error {
  readonly code: string;
  readonly lines?: number;
}

/** Streams a file's records in chunks; throws StocktakeError naming the file and line on bad input. */
export async function* csvRecordChunks(
  path: string,
  dialect: CsvDialect,
  options: RecordStreamOptions = {},
): AsyncGenerator<RecordChunk, { emptyLines: number }> {
  const parser = new Parser({
    delimiter: dialect.delimiter,
    quote: dialect.quote,
    escape: dialect.quote,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    // Every line ending, not the first line's only: exports that mix them must not merge rows.
    record_delimiter: ['\r\n', '\n', '\r'],
    bom: true,
    max_record_size: options.maxRecordSize ?? MAX_RECORD,
  });
  const api = (parser as unknown as { api: RawParserApi }).api;
  const decoder = isUtf8Encoding(dialect.encoding) ? undefined : createChunkDecoder(dialect.encoding);
  let records: string[][] = [];
  let endLines: number[] = [];
  const push = (record: string[]): void => {
    records.push(record);
    endLines.push(api.info.lines);
  };
  const close = (): void => {};
  let lastLine = 0;
  let utf8Tail: Buffer | undefined;
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const bytes of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) return { emptyLines: api.info.empty_lines };
      if (options.checkUtf8) utf8Tail = checkUtf8(bytes, utf8Tail, api.info.lines);
      const chunk = decoder ? Buffer.from(decoder.write(bytes), 'utf8') : bytes;
      const error = api.parse(chunk, false, push, close);
      if (error) throw describeParseError(error, path, endLines.at(-1) ?? lastLine);
      if (records.length > 0) {
        lastLine = endLines[endLines.length - 1]!;
        yield { records, endLines };
        records = [];
        endLines = [];
      }
    }
    if (utf8Tail !== undefined && utf8Tail.length > 0) throw new NotUtf8Error(api.info.lines);
    if (decoder) {
      const rest = decoder.end();
      if (rest !== '') {
        const error = api.parse(Buffer.from(rest, 'utf8'), false, push, close);
        if (error) throw describeParseError(error, path, endLines.at(-1) ?? lastLine);
      }
    }
    const error = api.parse(undefined, true, push, close);
    if (error) throw describeParseError(error, path, endLines.at(-1) ?? lastLine);
    if (records.length > 0) yield { records, endLines };
    return { emptyLines: api.info.empty_lines };
  } catch (error) {
    if (error instanceof StocktakeError || error instanceof NotUtf8Error) throw error;
    throw new StocktakeError('CSV_UNREADABLE', `${path}: cannot be read (${(error as Error).message})`, {
      context: { file: path },
      cause: error,
    });
  } finally {
    stream.destroy();
  }
}

/** Checks a chunk is UTF-8, carrying a character split across chunks; returns the bytes to carry. */
function checkUtf8(bytes: Buffer, carried: Buffer | undefined, line: number): Buffer {
  const whole = carried && carried.length > 0 ? Buffer.concat([carried, bytes]) : bytes;
  const tail = incompleteTail(whole);
  if (!isUtf8(whole.subarray(0, whole.length - tail))) throw new NotUtf8Error(line);
  return Buffer.from(whole.subarray(whole.length - tail));
}

/** How many bytes at the end start a UTF-8 character that the next chunk completes (0 to 3). */
function incompleteTail(bytes: Buffer): number {
  for (let back = 1; back <= 3 && back <= bytes.length; back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}

function describeParseError(error: RawCsvError, path: string, lastRecordLine: number): StocktakeError {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
    const line = lastRecordLine + 1;
    return new StocktakeError(
      'CSV_QUOTE_NOT_CLOSED',
      `${path}: a quote opened at line ${line} is never closed (the file ends inside a quoted field)`,
      {
        hint: 'fix the quoting of that line, or set `quote` if the file uses another quote character',
        context: { file: path, line },
      },
    );
  }
  if (error.code === 'CSV_MAX_RECORD_SIZE') {
    const line = lastRecordLine + 1;
    return new StocktakeError(
      'CSV_UNREADABLE',
      `${path}: the record starting at line ${line} is longer than ${MAX_RECORD} characters (an unclosed quote?)`,
      { context: { file: path, line } },
    );
  }
  const line = error.lines ?? lastRecordLine + 1;
  return new StocktakeError('CSV_UNREADABLE', `${path}: line ${line}: ${error.message}`, {
    context: { file: path, line, csvCode: error.code },
    cause: error,
  });
}
