/**
 * Writing short texts into a Buffer as UTF-8, the hot path of the diff store's records and of COPY lines:
 * most fields are short ASCII (numbers, codes, timestamps), which a byte loop copies faster than a call
 * to the encoder.
 */

/** Buffer's own UTF-8 encoder, which `write` calls after normalising its arguments. */
export interface Utf8Buffer extends Buffer {
  utf8Write(text: string, offset: number): number;
}

/** Strings up to this length are copied by a loop while they are ASCII, instead of a call to the encoder. */
const SHORT_TEXT = 32;

/** Writes `text` in UTF-8 at `at` of `buffer`, which has room for it; returns the bytes written. */
export function writeUtf8(buffer: Utf8Buffer, text: string, at: number): number {
  const n = text.length;
  if (n > SHORT_TEXT) return buffer.utf8Write(text, at);
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return buffer.utf8Write(text, at);
    buffer[at + i] = c;
  }
  return n;
}
