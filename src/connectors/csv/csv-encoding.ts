/**
 * Text encodings of CSV files: detection from the first bytes (byte-order marks, UTF-16 without a
 * mark, a UTF-8 validity check, else Windows-1252 or, when its bytes say so, ISO-8859-15), names
 * normalised, and decoders from iconv-lite.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { StocktakeError } from '../../core/errors.ts';

/** An encoding as stocktake names it; `utf-8-bom` decodes as UTF-8 and says the file starts with a BOM. */
export type CsvEncoding =
  | 'utf-8'
  | 'utf-8-bom'
  | 'utf-16le'
  | 'utf-16be'
  | 'windows-1252'
  | 'iso-8859-15'
  | (string & {});

/** Turns bytes into text chunk by chunk, keeping split characters for the next chunk. */
export interface ChunkDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

const ALIASES: Record<string, CsvEncoding> = {
  utf8: 'utf-8',
  'utf-8': 'utf-8',
  'utf-8-bom': 'utf-8-bom',
  'utf-8-sig': 'utf-8-bom',
  utf16le: 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16': 'utf-16le',
  utf16be: 'utf-16be',
  'utf-16be': 'utf-16be',
  cp1252: 'windows-1252',
  win1252: 'windows-1252',
  'windows-1252': 'windows-1252',
  ansi: 'windows-1252',
  'iso-8859-15': 'iso-8859-15',
  iso885915: 'iso-8859-15',
  latin9: 'iso-8859-15',
  'latin-9': 'iso-8859-15',
};

/** Normalises a configured encoding name; throws CSV_OPTION_INVALID for one iconv-lite does not know. */
export function normaliseEncoding(name: string, source: string): CsvEncoding {
  const key = name.trim().toLowerCase();
  const known = ALIASES[key];
  if (known) return known;
  if (iconv.encodingExists(key)) return key;
  throw new StocktakeError('CSV_OPTION_INVALID', `source ${source}: unknown encoding "${name}"`, {
    hint: 'use utf-8, utf-16le, utf-16be, windows-1252, latin1 or another encoding iconv-lite knows',
    context: { source, option: 'encoding', value: name },
  });
}

/** Detects the encoding of a file from its first bytes (`complete` when the sample is the whole file). */
export function detectEncoding(sample: Buffer, complete: boolean): CsvEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8-bom';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  const utf16 = utf16WithoutBom(sample);
  if (utf16) return utf16;
  if (isValidUtf8Prefix(sample, complete) || hasUtf8Text(sample)) return 'utf-8';
  // A whole file cut inside its last character is still UTF-8; the read reports the cut.
  if (complete && isValidUtf8Prefix(sample, false)) return 'utf-8';
  return latin9Tells(sample) ? 'iso-8859-15' : 'windows-1252';
}

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;
const isLower = (byte: number | undefined) => byte !== undefined && byte >= 0x61 && byte <= 0x7a;
const isSpace = (byte: number | undefined) => byte === 0x20 || byte === 0xa0;

/**
 * True when a single-byte sample reads as ISO-8859-15 (Latin-9), not Windows-1252: it holds no byte of
 * 0x80–0x9F (where Windows-1252 has €, œ, ’ and ISO-8859-15 only control codes) and bytes that only make
 * sense as Latin-9's: 0xA4 beside an amount (`12,50 €`, Windows-1252's `¤`), or 0xBC/0xBD before a
 * lowercase letter (`cœur`, `Œuvre`, Windows-1252's `c½ur`).
 */
export function latin9Tells(sample: Buffer): boolean {
  let tells = false;
  for (let i = 0; i < sample.length; i++) {
    const byte = sample[i]!;
    if (byte < 0x80) continue;
    if (byte <= 0x9f) return false;
    if (tells) continue;
    if (byte === 0xa4) {
      const before = isSpace(sample[i - 1]) ? sample[i - 2] : sample[i - 1];
      const after = isSpace(sample[i + 1]) ? sample[i + 2] : sample[i + 1];
      tells = isDigit(before) || isDigit(after);
    } else if (byte === 0xbc || byte === 0xbd) tells = isLower(sample[i + 1]);
  }
  return tells;
}

/**
 * True when some line of the sample is valid UTF-8 with non-ASCII text: a file mixing UTF-8 lines
 * and legacy lines is read as UTF-8, its other lines one by one as windows-1252 (and reported).
 */
function hasUtf8Text(sample: Buffer): boolean {
  let start = 0;
  for (let i = 0; i <= sample.length; i++) {
    if (i < sample.length && sample[i] !== 10 && sample[i] !== 13) continue;
    const line = sample.subarray(start, i);
    if (!isAscii(line) && isUtf8(line) && !accidentalUtf8(line)) return true;
    start = i + 1;
  }
  return false;
}

/**
 * True when a line that is valid UTF-8 is more likely windows-1252 text whose bytes happen to form UTF-8:
 * each of its non-ASCII characters is a two-byte sequence beyond Latin-1 and Latin Extended-A (U+0180–U+07FF),
 * as an uppercase accented letter followed by a no-break space, `»`, `’` or `–` forms (`É` + NBSP is C9 A0,
 * U+0260 `ɠ`). Real UTF-8 French text writes `é` as C3 A9 (U+00E9), `œ` as C5 93, `’` in three bytes.
 */
export function accidentalUtf8(line: Uint8Array): boolean {
  let seen = false;
  for (let i = 0; i < line.length; i++) {
    const byte = line[i]!;
    if (byte < 0x80) continue;
    // A two-byte sequence from C6 on decodes to U+0180 or above; C2–C5 are Latin-1 and Latin Extended-A.
    if (byte < 0xc6 || byte > 0xdf) return false;
    seen = true;
    i++;
  }
  return seen;
}

/** UTF-16 text without a BOM shows NUL bytes at every other position when most characters are ASCII. */
function utf16WithoutBom(sample: Buffer): CsvEncoding | undefined {
  const length = Math.min(sample.length, 4096) & ~1;
  if (length < 4) return undefined;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < length; i += 2) {
    if (sample[i] === 0) evenZeros++;
    if (sample[i + 1] === 0) oddZeros++;
  }
  const pairs = length / 2;
  if (oddZeros > pairs * 0.6 && evenZeros < pairs * 0.05) return 'utf-16le';
  if (evenZeros > pairs * 0.6 && oddZeros < pairs * 0.05) return 'utf-16be';
  return undefined;
}

/** True when the bytes are UTF-8, allowing a character cut at the end of an incomplete sample. */
export function isValidUtf8Prefix(bytes: Buffer, complete: boolean): boolean {
  if (isUtf8(bytes)) return true;
  if (complete) return false;
  for (let cut = 1; cut <= 3 && cut < bytes.length; cut++) {
    if (isUtf8(bytes.subarray(0, bytes.length - cut))) return true;
  }
  return false;
}

/** The iconv-lite name of an encoding. */
function iconvName(encoding: CsvEncoding): string {
  if (encoding === 'utf-8-bom') return 'utf-8';
  if (encoding === 'windows-1252') return 'win1252';
  return encoding;
}

/** True when the bytes can go to the tokenizer as they are (it skips a UTF-8 BOM itself). */
export function isUtf8Encoding(encoding: CsvEncoding): boolean {
  return encoding === 'utf-8' || encoding === 'utf-8-bom';
}

/** A streaming decoder for an encoding; it drops a leading BOM. */
export function createChunkDecoder(encoding: CsvEncoding): ChunkDecoder {
  const decoder = iconv.getDecoder(iconvName(encoding), { stripBOM: true });
  return {
    write: (chunk) => decoder.write(chunk),
    end: () => decoder.end() ?? '',
  };
}

/** Decodes a whole sample (the first bytes of a file) to text. */
export function decodeSample(sample: Buffer, encoding: CsvEncoding): string {
  const decoder = createChunkDecoder(encoding);
  return decoder.write(sample);
}
