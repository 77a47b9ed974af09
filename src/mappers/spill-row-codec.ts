/**
 * The bytes a partition store keeps a row as: one tagged value after another, written straight into the
 * store's buffer (no intermediate JSON text per row) and read back only for the rows a diff uses. Strings
 * are UTF-8, or UTF-16 when they hold a lone surrogate (which UTF-8 would replace), after a one-byte
 * length when they are short; numbers are 64-bit floats (NaN, infinities and -0 included); bigints and
 * bytes keep their type; a JSON value (object or array) is kept as its JSON text, a bigint nested in it
 * as its digits; a JSON document's text (`JsonText`) is kept as that text, exactly.
 */
import { JsonText } from '../connectors/json-text.ts';
import type { Value } from '../connectors/types.ts';
import { type Utf8Buffer, writeUtf8 } from '../core/utf8-write.ts';

const NULL = 0;
const FALSE = 1;
const TRUE = 2;
const NUMBER = 3;
const TEXT = 4;
const TEXT_UTF16 = 5;
const BIGINT = 6;
const BYTES = 7;
const JSON_TEXT = 8;
const SHORT_TEXT_UTF8 = 9;
const SHORT_TEXT_UTF16 = 10;
/** A JSON document kept as its text (`JsonText`): read back as the same text, not parsed. */
const JSON_DOCUMENT = 11;

/** A tag and a 32-bit length: what precedes the bytes of a string, bigint, binary or JSON value. */
const PREFIX = 5;
/** A tag and an 8-bit length: what precedes the bytes of a string of up to `SHORT_UNITS` UTF-16 units. */
const SHORT_PREFIX = 2;
/** The longest string whose bytes (3 per unit in UTF-8, 2 in UTF-16) a one-byte length always counts. */
const SHORT_UNITS = 85;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Buffer's own encoders, which `write` and `toString` call after normalising their arguments: called
 * directly, they halve the cost of encoding a record (the hot path of a diff).
 */
export interface CodecBuffer extends Utf8Buffer {
  ucs2Write(text: string, offset: number): number;
  utf8Slice(start: number, end: number): string;
}

/** The top bit of what `writeTextLossless` returns: the text was written in UTF-16, not UTF-8. */
export const UTF16_TEXT = 0x80000000;
/** The byte length in what `writeTextLossless` returns. */
export const TEXT_BYTES = 0x7fffffff;

/**
 * Writes `text` at `at` of `buffer` (room for 3 bytes per UTF-16 unit) in UTF-8, or in UTF-16 when it holds
 * a lone surrogate, which UTF-8 would replace. Returns the bytes written, with `UTF16_TEXT` set for UTF-16.
 */
export function writeTextLossless(buffer: CodecBuffer, text: string, at: number): number {
  const bytes = writeUtf8(buffer, text, at);
  if (bytes === text.length || !LONE_SURROGATE.test(text)) return bytes;
  return (buffer.ucs2Write(text, at) | UTF16_TEXT) >>> 0;
}

/** Encodes rows into a buffer: `measure` a row (an upper bound of its bytes), make room, then `write` it. */
export class RowEncoder {
  /** The texts `measure` computed for the bigint and JSON values of the row, by position. */
  readonly #texts: (string | undefined)[] = [];

  /** An upper bound of the bytes `write` takes for `row`. */
  measure(row: readonly Value[]): number {
    let room = 0;
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (typeof value === 'string') room += PREFIX + 3 * value.length;
      else if (typeof value === 'number') room += 9;
      else if (value === null || value === undefined || typeof value === 'boolean') room += 1;
      else if (value instanceof Uint8Array) room += PREFIX + value.byteLength;
      else {
        const text =
          typeof value === 'bigint'
            ? value.toString()
            : value instanceof JsonText
              ? value.text
              : jsonText(value);
        this.#texts[i] = text;
        room += PREFIX + 3 * text.length;
      }
    }
    return room;
  }

  /** Writes `row` (just measured) at `at` of `buffer`, which has room for it; returns the bytes written. */
  write(buffer: CodecBuffer, at: number, row: readonly Value[]): number {
    const start = at;
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      if (typeof value === 'string') {
        if (value.length <= SHORT_UNITS) {
          // Most strings are short: one length byte instead of four (fewer bytes to spill and read back).
          const written = writeTextLossless(buffer, value, at + SHORT_PREFIX);
          const length = written & TEXT_BYTES;
          buffer[at] = written === length ? SHORT_TEXT_UTF8 : SHORT_TEXT_UTF16;
          buffer[at + 1] = length;
          at += SHORT_PREFIX + length;
          continue;
        }
        const written = writeTextLossless(buffer, value, at + PREFIX);
        const length = written & TEXT_BYTES;
        buffer[at] = written === length ? TEXT : TEXT_UTF16;
        writeLength(buffer, at + 1, length);
        at += PREFIX + length;
      } else if (typeof value === 'number') {
        buffer[at] = NUMBER;
        buffer.writeDoubleLE(value, at + 1);
        at += 9;
      } else if (value === null || value === undefined) buffer[at++] = NULL;
      else if (typeof value === 'boolean') buffer[at++] = value ? TRUE : FALSE;
      else if (value instanceof Uint8Array) {
        buffer[at] = BYTES;
        writeLength(buffer, at + 1, value.byteLength);
        buffer.set(value, at + PREFIX);
        at += PREFIX + value.byteLength;
      } else {
        const length = buffer.utf8Write(this.#texts[i]!, at + PREFIX);
        this.#texts[i] = undefined;
        buffer[at] =
          typeof value === 'bigint' ? BIGINT : value instanceof JsonText ? JSON_DOCUMENT : JSON_TEXT;
        writeLength(buffer, at + 1, length);
        at += PREFIX + length;
      }
    }
    return at - start;
  }
}

/** The row encoded in `bytes` from `start` to `end`. */
export function readRow(bytes: CodecBuffer, start: number, end: number): Value[] {
  const row: Value[] = [];
  let at = start;
  while (at < end) {
    const tag = bytes[at]!;
    if (tag === NULL || tag === FALSE || tag === TRUE) {
      row.push(tag === NULL ? null : tag === TRUE);
      at++;
    } else if (tag === NUMBER) {
      row.push(bytes.readDoubleLE(at + 1));
      at += 9;
    } else if (tag === SHORT_TEXT_UTF8 || tag === SHORT_TEXT_UTF16) {
      const from = at + SHORT_PREFIX;
      const to = from + bytes[at + 1]!;
      row.push(tag === SHORT_TEXT_UTF8 ? bytes.utf8Slice(from, to) : bytes.toString('utf16le', from, to));
      at = to;
    } else {
      const from = at + PREFIX;
      const to = from + readLength(bytes, at + 1);
      if (tag === TEXT) row.push(bytes.utf8Slice(from, to));
      else if (tag === TEXT_UTF16) row.push(bytes.toString('utf16le', from, to));
      else if (tag === BIGINT) row.push(BigInt(bytes.utf8Slice(from, to)));
      else if (tag === BYTES) row.push(new Uint8Array(bytes.subarray(from, to)));
      else if (tag === JSON_DOCUMENT) row.push(new JsonText(bytes.utf8Slice(from, to)));
      else row.push(JSON.parse(bytes.utf8Slice(from, to)) as Value);
      at = to;
    }
  }
  return row;
}

function writeLength(buffer: Buffer, at: number, length: number): void {
  buffer[at] = length;
  buffer[at + 1] = length >>> 8;
  buffer[at + 2] = length >>> 16;
  buffer[at + 3] = length >>> 24;
}

function readLength(buffer: Buffer, at: number): number {
  return (buffer[at]! | (buffer[at + 1]! << 8) | (buffer[at + 2]! << 16) | (buffer[at + 3]! << 24)) >>> 0;
}

// JSON.stringify refuses a nested bigint: it is kept as its digits.
function jsonText(value: object): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}
