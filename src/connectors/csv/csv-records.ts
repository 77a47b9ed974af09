/**
 * Streams the records of a CSV file, chunk by chunk, through stocktake's tokenizer: no record ever
 * waits in a stream buffer, and each record comes with the line it ends on (exact, even for quoted
 * fields spanning lines). Bytes are checked as UTF-8 a chunk at a time; a line that is not UTF-8 is
 * read as windows-1252 and counted, so that nothing is replaced silently, and the scan reports it.
 * A UTF-8 file can be read as byte ranges split at record boundaries: from `start` (lines counted
 * from there), and up to a `stop` offset once it proves to be a record boundary.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import iconv from 'iconv-lite';
import { StocktakeError } from '../../core/errors.ts';
import { accidentalUtf8, createChunkDecoder, isUtf8Encoding } from './csv-encoding.ts';
import type { CsvDialect } from './csv-sniff.ts';
import { CsvSyntaxError, CsvTokenizer } from './csv-tokenizer.ts';

/** The records parsed from one chunk of the file, and the line each one ends on. */
export interface RecordChunk {
  readonly records: string[][];
  readonly endLines: number[];
}

/** Options of `csvRecordChunks`. */
export interface RecordStreamOptions {
  readonly signal?: AbortSignal;
  /** Largest record, in bytes, before the file is declared unreadable (default 64 Mi). */
  readonly maxRecordSize?: number;
  /** Look for NUL characters in values (the scan reports their lines). */
  readonly findNul?: boolean;
  /** A record boundary to start at (UTF-8 files only). */
  readonly start?: number;
  /** The line number of the first byte read (default 1). */
  readonly firstLine?: number;
  /**
   * Where to stop: once the bytes read pass `after`, `at` says the offset (≥ `after`) of a record
   * boundary that another reader starts at. The stream stops there when the tokenizer agrees it is
   * a boundary, and reads on to the end of the file otherwise (or when `at` is undefined).
   */
  readonly stop?: { readonly after: number; readonly at: () => Promise<number | undefined> };
}

/** Line numbers kept per problem; the count covers them all. */
const LISTED_LINES = 20;

/** What the stream noticed besides the records, for the scan's findings. */
export interface RecordStreamReport {
  /** Lines with nothing on them, skipped. */
  readonly emptyLines: number;
  /** Lines of a UTF-8 file that are not UTF-8, read as windows-1252 (the first 20, and the count). */
  readonly notUtf8: { readonly count: number; readonly lines: number[] };
  /** True when some non-ASCII text of the file is valid UTF-8. */
  readonly utf8Text: boolean;
  /** The line whose last bytes are a UTF-8 character cut by the end of the file. */
  readonly truncatedLine: number | undefined;
  /** Records holding a NUL character, by the line they end on (with `findNul`). */
  readonly nul: { readonly count: number; readonly lines: number[] };
  /** The line the next record would start on (line breaks read + 1). */
  readonly nextLine: number;
  /**
   * Bytes a single-byte encoding leaves undefined (0x81, 0x8D, 0x8F, 0x90 and 0x9D in Windows-1252), read as
   * U+FFFD: their count and the line of the first. A sign the file is in another encoding (Mac Roman…).
   */
  readonly undefinedBytes?: { readonly count: number; readonly line: number };
  /**
   * A Windows-1252 file's `¤` (byte 0xA4, which ISO-8859-15 reads as `€`) when it holds none of the
   * characters only Windows-1252 has (0x80–0x9F: `€`, `œ`, `’`…): their count and the line of the first.
   */
  readonly currencySigns?: { readonly count: number; readonly line: number };
  /**
   * A file read as ISO-8859-15 holding bytes 0x80–0x9F, control codes there and `€`, `œ`, `’`… in
   * Windows-1252 (the sniffed sample had none): their count and the line of the first.
   */
  readonly controlBytes?: { readonly count: number; readonly line: number };
  /** The offset the stream stopped at (`stop`); undefined when it read to the end of the file. */
  readonly stoppedAt?: number;
}

const CHUNK_BYTES = 256 * 1024;

/** How many times something was seen in a file, and the line of the first. */
interface Tally {
  count: number;
  readonly line: number;
}

/** A decoded chunk's U+FFFD: a byte the encoding does not define (no single-byte text holds one). */
const UNDEFINED_BYTE = /\ufffd/g;

/** Windows-1252's `¤` (byte 0xA4), which ISO-8859-15 reads as `€`. */
const CURRENCY_SIGN = /\u00a4/g;

/** ISO-8859-15's control codes at bytes 0x80–0x9F, where Windows-1252 has `€`, `œ`, `’`… */
const C1_CONTROLS = /[\u0080-\u009f]/g;

/** The characters Windows-1252 puts at bytes 0x80–0x9F, where ISO-8859-15 has control codes. */
const CP1252_ONLY =
  /[\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178]/;
const MAX_RECORD = 64 * 1024 * 1024;

/** Streams a file's records in chunks; throws StocktakeError naming the file and line on bad input. */
export async function* csvRecordChunks(
  path: string,
  dialect: CsvDialect,
  options: RecordStreamOptions = {},
): AsyncGenerator<RecordChunk, RecordStreamReport> {
  const start = options.start ?? 0;
  const tokenizer = new CsvTokenizer(
    dialect.delimiter,
    dialect.quote,
    options.maxRecordSize ?? MAX_RECORD,
    start === 0,
  );
  tokenizer.line = options.firstLine ?? 1;
  const utf8 = isUtf8Encoding(dialect.encoding);
  if (!utf8 && (start > 0 || options.stop)) throw new Error('byte ranges are read from UTF-8 files only');
  const decoder = utf8 ? undefined : createChunkDecoder(dialect.encoding);
  let undefinedBytes: Tally | undefined;
  let currencySigns: Tally | undefined;
  let controlBytes: Tally | undefined;
  const latin9 = dialect.encoding === 'iso-8859-15';
  // Windows-1252's own characters (bytes 0x80–0x9F) prove the file is not ISO-8859-15.
  let cp1252Only = dialect.encoding !== 'windows-1252';
  const report = {
    emptyLines: 0,
    notUtf8: { count: 0, lines: [] as number[] },
    utf8Text: false,
    truncatedLine: undefined as number | undefined,
    nul: { count: 0, lines: [] as number[] },
  };
  // Bytes not yet given to the tokenizer: a UTF-8 character or a line cut by the chunk's end.
  let held: Buffer | undefined;
  let sink: RecordChunk = { records: [], endLines: [] };
  // A NUL pushed into a record that the push did not end: the records of the next pushes are checked.
  let nulPending = false;
  const feed = (bytes: Buffer | undefined, end: boolean): void => {
    const before = sink.records.length;
    tokenizer.push(bytes, end, sink);
    if (!options.findNul) return;
    const nul = nulPending || (bytes !== undefined && bytes.indexOf(0) >= 0);
    if (nul) noteNul(sink, before, report.nul);
    nulPending = nul && tokenizer.pending > 0;
  };
  const done = (stoppedAt?: number): RecordStreamReport => ({
    ...report,
    emptyLines: tokenizer.emptyLines,
    nextLine: tokenizer.lineAfterInput(),
    ...(stoppedAt === undefined ? {} : { stoppedAt }),
    ...(undefinedBytes ? { undefinedBytes } : {}),
    ...(currencySigns && !cp1252Only ? { currencySigns } : {}),
    ...(controlBytes ? { controlBytes } : {}),
  });
  const lineOf = (text: string, at: number): number => {
    let line = tokenizer.lineAfterInput();
    for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
    return line;
  };
  // Counts `pattern`'s matches in a decoded chunk into `found`, which notes the line of the first.
  const tally = (text: string, pattern: RegExp, found: Tally | undefined): Tally | undefined => {
    pattern.lastIndex = 0;
    let match = pattern.exec(text);
    if (match === null) return found;
    const noted = found ?? { count: 0, line: lineOf(text, match.index) };
    for (; match !== null; match = pattern.exec(text)) noted.count++;
    return noted;
  };
  const feedDecoded = (text: string): void => {
    undefinedBytes = tally(text, UNDEFINED_BYTE, undefinedBytes);
    if (latin9) controlBytes = tally(text, C1_CONTROLS, controlBytes);
    if (!cp1252Only) {
      cp1252Only = CP1252_ONLY.test(text);
      currencySigns = tally(text, CURRENCY_SIGN, currencySigns);
    }
    feed(Buffer.from(text, 'utf8'), false);
  };
  const feedChunk = (chunk: Buffer): void => {
    if (decoder) feedDecoded(decoder.write(chunk));
    else {
      const bytes = held !== undefined && held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
      held = feedUtf8(bytes, tokenizer, report, feed);
    }
  };
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES, start });
  let offset = start;
  let stopAt: number | undefined;
  let stopAsked = options.stop === undefined;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) return done();
      if (!stopAsked && offset + chunk.length > options.stop!.after) {
        stopAsked = true;
        stopAt = await options.stop!.at();
      }
      if (stopAt !== undefined && offset + chunk.length >= stopAt) {
        feedChunk(chunk.subarray(0, stopAt - offset));
        if (tokenizer.pending === 0 && (held === undefined || held.length === 0)) {
          if (sink.records.length > 0) yield sink;
          return done(stopAt);
        }
        feedChunk(chunk.subarray(stopAt - offset));
        stopAt = undefined;
      } else feedChunk(chunk);
      offset += chunk.length;
      if (sink.records.length > 0) {
        yield sink;
        sink = { records: [], endLines: [] };
      }
    }
    if (decoder) {
      const rest = decoder.end();
      if (rest !== '') feedDecoded(rest);
    } else if (held !== undefined && held.length > 0) feedLastUtf8(held, tokenizer, report, feed);
    feed(undefined, true);
    if (sink.records.length > 0) yield sink;
    return done();
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw describeSyntaxError(error, path);
    if (error instanceof StocktakeError) throw error;
    throw new StocktakeError('CSV_UNREADABLE', `${path}: cannot be read (${(error as Error).message})`, {
      context: { file: path },
      cause: error,
    });
  } finally {
    stream.destroy();
  }
}

type Report = {
  notUtf8: { count: number; lines: number[] };
  utf8Text: boolean;
  truncatedLine: number | undefined;
};
type Feed = (bytes: Buffer | undefined, end: boolean) => void;

/**
 * Feeds the UTF-8 part of `bytes` and returns what to hold back: the common case is one validity
 * check of the chunk; a chunk that fails it is fed line by line, its bad lines read as windows-1252.
 */
function feedUtf8(bytes: Buffer, tokenizer: CsvTokenizer, report: Report, feed: Feed): Buffer | undefined {
  const cut = bytes.length - incompleteTail(bytes);
  const whole = bytes.subarray(0, cut);
  if (isUtf8(whole)) {
    if (!report.utf8Text && !isAscii(whole)) report.utf8Text = true;
    feed(whole, false);
    return cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : undefined;
  }
  const lastBreak = Math.max(bytes.lastIndexOf(10), bytes.lastIndexOf(13));
  if (lastBreak < 0) return bytes;
  feed(recodeLines(bytes.subarray(0, lastBreak + 1), tokenizer.lineAfterInput(), report), false);
  return lastBreak + 1 < bytes.length ? Buffer.from(bytes.subarray(lastBreak + 1)) : undefined;
}

/** Feeds the bytes held at the end of the file: a last line, or a character the end cut short. */
function feedLastUtf8(held: Buffer, tokenizer: CsvTokenizer, report: Report, feed: Feed): void {
  if (isUtf8(held)) {
    feed(held, false);
    return;
  }
  const cut = held.length - incompleteTail(held);
  const lastBreak = Math.max(held.lastIndexOf(10), held.lastIndexOf(13));
  if (cut < held.length && isUtf8(held.subarray(lastBreak + 1, cut))) {
    // Only the end is wrong: the file stops inside a character. Its bytes are kept as windows-1252.
    const start = lastBreak + 1;
    if (start > 0) feed(recodeLines(held.subarray(0, start), tokenizer.lineAfterInput(), report), false);
    report.truncatedLine = tokenizer.lineAfterInput();
    const tail = Buffer.from(iconv.decode(held.subarray(cut), 'win1252'), 'utf8');
    feed(Buffer.concat([held.subarray(start, cut), tail]), false);
    return;
  }
  feed(recodeLines(held, tokenizer.lineAfterInput(), report), false);
}

/** Keeps each UTF-8 line and reads the others as windows-1252, noting their line numbers. */
function recodeLines(block: Buffer, firstLine: number, report: Report): Buffer {
  const parts: Buffer[] = [];
  let line = firstLine;
  let start = 0;
  for (let i = 0; i <= block.length; i++) {
    const byte = block[i];
    if (i < block.length && byte !== 10 && byte !== 13) continue;
    const text = block.subarray(start, i);
    if (isUtf8(text) && !accidentalUtf8(text)) {
      if (!report.utf8Text && !isAscii(text)) report.utf8Text = true;
      parts.push(text);
    } else {
      parts.push(Buffer.from(iconv.decode(text, 'win1252'), 'utf8'));
      report.notUtf8.count++;
      if (report.notUtf8.lines.length < LISTED_LINES) report.notUtf8.lines.push(line);
    }
    if (i < block.length) {
      const end = byte === 13 && block[i + 1] === 10 ? i + 2 : i + 1;
      parts.push(block.subarray(i, end));
      i = end - 1;
      line++;
    }
    start = i + 1;
  }
  return Buffer.concat(parts);
}

/** Notes the records from `from` on that hold a NUL character. */
function noteNul(sink: RecordChunk, from: number, nul: { count: number; lines: number[] }): void {
  for (let r = from; r < sink.records.length; r++) {
    if (sink.records[r]!.some((value) => value.includes('\u0000'))) {
      nul.count++;
      if (nul.lines.length < LISTED_LINES) nul.lines.push(sink.endLines[r]!);
    }
  }
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

function describeSyntaxError(error: CsvSyntaxError, path: string): StocktakeError {
  const line = error.line;
  if (error.code === 'QUOTE_NOT_CLOSED') {
    return new StocktakeError('CSV_QUOTE_NOT_CLOSED', `${path}: ${error.message}`, {
      hint: 'fix the quoting of that line, or set `quote` if the file uses another quote character',
      context: { file: path, line },
    });
  }
  return new StocktakeError('CSV_UNREADABLE', `${path}: ${error.message}`, { context: { file: path, line } });
}
