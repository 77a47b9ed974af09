/**
 * The CSV tokenizer: UTF-8 bytes in, records of strings out, each with the line it ends on. It
 * reads csv-parse's dialect as stocktake configures it (one quote character doubled to escape,
 * relaxed quotes, ragged records, every line ending, blank lines skipped and counted) in one plain
 * loop over the bytes, and makes each field's string with one native call: a third of csv-parse's
 * cost on the benchmark file, which bounds the speed of every CSV scan, profile and load.
 */

/** Why the bytes are not a CSV file: a quote never closed, or a record past the size limit. */
export class CsvSyntaxError extends Error {
  readonly code: 'QUOTE_NOT_CLOSED' | 'RECORD_TOO_LARGE';
  /** The line the record starts on. */
  readonly line: number;
  constructor(code: CsvSyntaxError['code'], line: number, message: string) {
    super(message);
    this.code = code;
    this.line = line;
  }
}

/** Where the tokenizer appends the records it completes. */
export interface RecordSink {
  readonly records: string[][];
  readonly endLines: number[];
}

// Node's own string makers, without `toString`'s argument checks: one native call per field.
interface NativeSlices {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

const LF = 10;
const CR = 13;
/**
 * ASCII fields up to this many bytes are cut from the text of the whole buffer (one native call a
 * buffer) with `substring`, a third of the cost of a native call a field. V8 copies a substring
 * shorter than 13 characters into a string of its own (a longer one is a slice that keeps the whole
 * text alive as long as the value is kept, as a frequency table keeps it), so longer fields keep
 * their own native call.
 */
const SHORT_FIELD = 12;
/** A record left incomplete this long is parsed again only once its bytes have doubled. */
const REPARSE_FLOOR = 64 * 1024;

/** The ASCII field at bytes `[start, end)`, whose characters `text` holds at the same offsets. */
function asciiField(text: string, slices: NativeSlices, start: number, end: number): string {
  return end - start <= SHORT_FIELD ? text.substring(start, end) : slices.latin1Slice(start, end);
}

/** Splits UTF-8 bytes pushed chunk by chunk into records. */
export class CsvTokenizer {
  /** The line the bytes not yet consumed start on (1-based). */
  line = 1;
  /** Lines with nothing on them, skipped. */
  emptyLines = 0;
  readonly #delimiter: Buffer;
  readonly #d0: number;
  readonly #quote: number;
  readonly #quoteText: string;
  readonly #maxRecord: number;
  #parts: Buffer[] = [];
  #size = 0;
  #waitFor = 0;
  #bomChecked = false;

  /** `atFileStart` false: the bytes start inside the file, at a record boundary, with no BOM to skip. */
  constructor(delimiter: string, quote: string, maxRecord: number, atFileStart = true) {
    this.#delimiter = Buffer.from(delimiter, 'utf8');
    this.#d0 = this.#delimiter[0]!;
    this.#quote = quote === '' ? -1 : quote.charCodeAt(0);
    this.#quoteText = quote;
    this.#maxRecord = maxRecord;
    this.#bomChecked = !atFileStart;
  }

  /** Bytes pushed but not yet made into records: 0 exactly at a record boundary. */
  get pending(): number {
    return this.#size;
  }

  /** Tokenizes `bytes` after the bytes carried from earlier calls; `end` flushes the last record. */
  push(bytes: Buffer | undefined, end: boolean, sink: RecordSink): void {
    if (bytes !== undefined && bytes.length > 0) {
      this.#parts.push(bytes);
      this.#size += bytes.length;
    }
    if (!end && this.#size < this.#waitFor) return;
    const buffer = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#size);
    const consumed = this.#parse(buffer, end, sink);
    const rest = buffer.subarray(consumed);
    this.#parts = rest.length > 0 ? [rest] : [];
    this.#size = rest.length;
    this.#waitFor = rest.length > REPARSE_FLOOR ? rest.length * 2 : 0;
    if (rest.length > this.#maxRecord) throw this.#tooLarge(this.line);
  }

  /** The line the next pushed byte is on: the carried bytes' line breaks counted. */
  lineAfterInput(): number {
    let line = this.line;
    for (const part of this.#parts) {
      for (let i = 0; i < part.length; i++) {
        const byte = part[i]!;
        if (byte === LF || (byte === CR && part[i + 1] !== LF)) line++;
      }
    }
    return line;
  }

  /** Parses whole records from `buffer`; returns where the first incomplete one starts. */
  #parse(buffer: Buffer, end: boolean, sink: RecordSink): number {
    const slices = buffer as unknown as NativeSlices;
    const n = buffer.length;
    const d0 = this.#d0;
    const quote = this.#quote;
    const single = this.#delimiter.length === 1;
    let i = 0;
    if (!this.#bomChecked) {
      if (n < 3 && !end) return 0;
      if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) i = 3;
      this.#bomChecked = true;
    }
    // Latin-1 decoding maps byte i to character i: ASCII fields are cut from this text.
    const text = slices.latin1Slice(0, n);
    let line = this.line;
    while (i < n) {
      const start = i;
      const startLine = line;
      let record: string[] | undefined;
      for (;;) {
        let value: string;
        let j: number;
        let quoted = false;
        if (buffer[i] === quote) {
          quoted = true;
          let k = i + 1;
          let high = 0;
          let escapes = false;
          let breaks = 0;
          for (;;) {
            if (k >= n) {
              if (end) throw this.#quoteNotClosed(startLine);
              this.line = startLine;
              return start;
            }
            const byte = buffer[k]!;
            if (byte === quote) {
              if (k + 1 >= n && !end) {
                this.line = startLine;
                return start;
              }
              if (buffer[k + 1] === quote) {
                escapes = true;
                k += 2;
                continue;
              }
              break;
            }
            if (byte === LF) breaks++;
            else if (byte === CR) {
              if (k + 1 >= n && !end) {
                this.line = startLine;
                return start;
              }
              if (buffer[k + 1] !== LF) breaks++;
            }
            high |= byte;
            k++;
          }
          line += breaks;
          const inner = high & 0x80 ? slices.utf8Slice(i + 1, k) : asciiField(text, slices, i + 1, k);
          value = escapes ? inner.replaceAll(this.#quoteText + this.#quoteText, this.#quoteText) : inner;
          j = k + 1;
          if (j < n && !this.#isBoundary(buffer, j, single)) {
            // A quote that does not end the field is kept, with the rest of the field, as text.
            let m = j;
            let more = 0;
            while (m < n && !this.#isBoundary(buffer, m, single)) more |= buffer[m++]!;
            if (m >= n && !end) {
              this.line = startLine;
              return start;
            }
            const rest = more & 0x80 ? slices.utf8Slice(k, m) : slices.latin1Slice(k, m);
            value = this.#quoteText + value + rest;
            j = m;
          }
        } else {
          let k = i;
          let high = 0;
          if (single) {
            while (k < n) {
              const byte = buffer[k]!;
              if (byte === d0 || byte === LF || byte === CR) break;
              high |= byte;
              k++;
            }
          } else {
            while (k < n && !this.#isBoundary(buffer, k, false)) high |= buffer[k++]!;
          }
          if (k >= n && !end) {
            this.line = startLine;
            return start;
          }
          value = high & 0x80 ? slices.utf8Slice(i, k) : asciiField(text, slices, i, k);
          j = k;
        }
        if (j < n && buffer[j] === d0 && (single || this.#delimiterAt(buffer, j))) {
          if (record === undefined) record = [value];
          else record.push(value);
          i = j + this.#delimiter.length;
          continue;
        }
        // End of the record: a line break, or the end of the input.
        let next = j;
        if (j < n) {
          if (buffer[j] === CR) {
            if (j + 1 >= n && !end) {
              this.line = startLine;
              return start;
            }
            next = buffer[j + 1] === LF ? j + 2 : j + 1;
          } else next = j + 1;
        }
        if (record === undefined && !quoted && value === '') {
          if (j < n) this.emptyLines++;
        } else {
          if (record === undefined) record = [value];
          else record.push(value);
          sink.records.push(record);
          sink.endLines.push(line);
        }
        if (next - start > this.#maxRecord) throw this.#tooLarge(startLine);
        if (j < n) line++;
        i = next;
        break;
      }
    }
    this.line = line;
    return n;
  }

  #isBoundary(buffer: Buffer, at: number, single: boolean): boolean {
    const byte = buffer[at];
    if (byte === LF || byte === CR) return true;
    return byte === this.#d0 && (single || this.#delimiterAt(buffer, at));
  }

  #delimiterAt(buffer: Buffer, at: number): boolean {
    const delimiter = this.#delimiter;
    for (let i = 1; i < delimiter.length; i++) if (buffer[at + i] !== delimiter[i]) return false;
    return true;
  }

  #quoteNotClosed(line: number): CsvSyntaxError {
    return new CsvSyntaxError(
      'QUOTE_NOT_CLOSED',
      line,
      `a quote opened at line ${line} is never closed (the file ends inside a quoted field)`,
    );
  }

  #tooLarge(line: number): CsvSyntaxError {
    return new CsvSyntaxError(
      'RECORD_TOO_LARGE',
      line,
      `the record starting at line ${line} is longer than ${this.#maxRecord} bytes (an unclosed quote?)`,
    );
  }
}
