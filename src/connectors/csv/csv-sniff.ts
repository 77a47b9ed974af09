/**
 * Sniffs how a CSV file is written from its first bytes: encoding, delimiter, quote, line ending,
 * header presence and decimal separator. Options given in the config always win; what was sniffed
 * is listed so the inventory can say so.
 */
import { parse } from 'csv-parse/sync';
import type { SourceConfig } from '../../config/schema.ts';
import { StocktakeError } from '../../core/errors.ts';
import { classifyText, type DateOrder, VALUE_CLASS } from '../../profilers/type-inference-classify.ts';
import { type CsvEncoding, decodeSample, detectEncoding, normaliseEncoding } from './csv-encoding.ts';

/** The csv entry of the config. */
export type CsvSourceConfig = Extract<SourceConfig, { kind: 'csv' }>;

/** How one CSV file is written, settled once per file before it is parsed. */
export interface CsvDialect {
  readonly encoding: CsvEncoding;
  readonly delimiter: string;
  readonly quote: string;
  readonly lineEnding: 'LF' | 'CRLF' | 'CR';
  readonly header: boolean;
  readonly decimalHint: ',' | '.';
  readonly dateOrder: DateOrder;
  /** Settings that were sniffed rather than configured. */
  readonly sniffed: readonly string[];
  /** Records before the header that are no data: Excel's `sep=;` line (1), else 0 or absent. */
  readonly preamble?: number;
}

/** Excel's first line naming the delimiter (`sep=;`), which it writes in CSV exports and hides on opening. */
const SEP_LINE = /^\ufeff?sep=(.)[ \t]*(?:\r\n|\r|\n|$)/i;

/** Bytes read from the start of a file to sniff it. */
export const SNIFF_BYTES = 64 * 1024;

const DELIMITERS = [',', ';', '\t', '|'];
const SAMPLE_LINES = 200;

/** Bytes at the start of the sample that the binary test looks at. */
const BINARY_WINDOW = 8192;

/**
 * Throws CSV_BINARY when the sample is not text: a known binary signature (ZIP, OLE, PDF, gzip, PNG,
 * JPEG, ELF), or, outside UTF-16 (whose ASCII characters are half NUL bytes), too many control bytes
 * in the first 8 KB.
 *
 * Text holds no control bytes but tab, line feed, form feed and carriage return, so more than 2% of
 * other ones (NUL aside) means binary. A NUL, though, is a known stray in exported text (a C string's
 * terminator, a padded field), and the README promises such values are read and listed
 * (CSV_NUL_BYTES): NULs are tolerated while, with the other control bytes, they stay under 1 in 100
 * bytes of the window. Binary files are far above that: executables, images and archives are
 * NUL-heavy from their headers on, and random or compressed bytes are 11% control bytes (checked on
 * some 100 000 binaries of a Linux system: none that the old any-NUL rule caught passes, .pyc and
 * .beam files included, but a MariaDB log that is 0xFF bytes after its header). For a tiny
 * file, where one stray NUL is already more than 1%, up to 8 are tolerated, never more than a quarter
 * of the bytes (a file of zeros stays binary). A NUL that passes is counted and listed by the read,
 * by its line, as one past the window is.
 */
export function assertText(sample: Buffer, encoding: CsvEncoding, file: string): void {
  const what = knownBinary(sample);
  if (what === undefined && encoding.startsWith('utf-16')) return;
  let control = 0;
  let nul = 0;
  let firstNul = -1;
  const length = Math.min(sample.length, BINARY_WINDOW);
  for (let i = 0; i < length; i++) {
    const byte = sample[i]!;
    if (byte === 0) {
      if (nul++ === 0) firstNul = i;
    } else if (byte < 32 && byte !== 9 && byte !== 10 && byte !== 13 && byte !== 12) control++;
  }
  const tooManyControl = control > length * 0.02;
  const tooManyNul = nul > 0 && nul + control > Math.min(Math.max(8, length / 100), length / 4);
  if (what !== undefined || tooManyControl || tooManyNul) {
    const detail =
      what ??
      (tooManyControl
        ? `${control} control bytes in the first ${length}`
        : `${nul} NUL byte(s), the first at offset ${firstNul}, and ${control} other control byte(s) in the first ${length}`);
    throw new StocktakeError('CSV_BINARY', `${file}: not a text file (${detail}); it cannot be read as CSV`, {
      hint: 'check the file: it may be misnamed, compressed or corrupt',
      context: { file, line: 1 },
    });
  }
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function knownBinary(sample: Buffer): string | undefined {
  if (sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04) {
    return 'it is a ZIP archive, perhaps an .xlsx workbook';
  }
  if (sample[0] === 0xd0 && sample[1] === 0xcf && sample[2] === 0x11 && sample[3] === 0xe0) {
    return 'it is an OLE compound file, perhaps an old .xls workbook';
  }
  if (sample.subarray(0, 5).toString('latin1') === '%PDF-') return 'it is a PDF document';
  if (sample[0] === 0x1f && sample[1] === 0x8b) return 'it is gzip-compressed';
  if (sample.subarray(0, PNG.length).equals(PNG)) return 'it is a PNG image';
  if (sample[0] === 0xff && sample[1] === 0xd8 && sample[2] === 0xff) return 'it is a JPEG image';
  if (sample[0] === 0x7f && sample.subarray(1, 4).toString('latin1') === 'ELF') return 'it is an executable';
  return undefined;
}

/** Settles the dialect of one file: the configured options, then what the sample shows. */
export function sniffDialect(
  sample: Buffer,
  complete: boolean,
  config: CsvSourceConfig,
  file: string,
): CsvDialect {
  const sniffed: string[] = [];
  const source = file;
  let encoding: CsvEncoding;
  if (config.encoding) encoding = normaliseEncoding(config.encoding, source);
  else {
    encoding = detectEncoding(sample, complete);
    sniffed.push('encoding');
  }
  assertText(sample, encoding, file);
  let text = cutAtLastLine(decodeSample(sample, encoding), complete);
  // `sep=;` names the delimiter and is no header: the header is the line after it.
  const sepLine = SEP_LINE.exec(text);
  if (sepLine) text = text.slice(sepLine[0].length);
  const lineEnding = detectLineEnding(text);
  if (!config.delimiter && !sepLine) sniffed.push('delimiter');
  if (!config.quote) sniffed.push('quote');
  const delimiter = config.delimiter ? unescapeDelimiter(config.delimiter) : sepLine?.[1];
  const chosen = chooseDelimiterAndQuote(text, delimiter, config.quote);
  const records = chosen.records;
  let header = config.header;
  if (header === undefined) {
    header = detectHeader(records);
    sniffed.push('header');
  }
  let decimalHint = config.decimal;
  if (decimalHint === undefined) {
    decimalHint = detectDecimal(header ? records.slice(1) : records, chosen.delimiter);
    sniffed.push('decimal');
  }
  return {
    encoding,
    delimiter: chosen.delimiter,
    quote: chosen.quote,
    lineEnding,
    header,
    decimalHint,
    dateOrder: dateOrderOf(config.dateFormat, source),
    sniffed,
    ...(sepLine ? { preamble: 1 } : {}),
  };
}

/** `\t` and `tab` in a YAML file mean the tab character. */
function unescapeDelimiter(delimiter: string): string {
  if (delimiter === '\\t' || delimiter.toLowerCase() === 'tab') return '\t';
  return delimiter;
}

/** Reads the order of day and month from a `dateFormat` such as `dd/MM/yyyy` or `MM/dd/yyyy`. */
export function dateOrderOf(dateFormat: string | undefined, source: string): DateOrder {
  if (dateFormat === undefined) return 'dmy';
  const format = dateFormat.trim();
  if (/^d{1,2}[/.-]M{1,2}[/.-]y{4}/.test(format) || /^y{4}-?M{2}-?d{2}/.test(format)) return 'dmy';
  if (/^M{1,2}[/.-]d{1,2}[/.-]y{4}/.test(format)) return 'mdy';
  throw new StocktakeError('CSV_OPTION_INVALID', `source ${source}: unsupported dateFormat "${dateFormat}"`, {
    hint: 'use dd/MM/yyyy, MM/dd/yyyy, dd.MM.yyyy, yyyy-MM-dd or yyyyMMdd',
    context: { source, option: 'dateFormat', value: dateFormat },
  });
}

/** Drops a last line that the sample cut in the middle (unless the sample is the whole file). */
function cutAtLastLine(text: string, complete: boolean): string {
  if (complete) return text;
  const end = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
  return end > 0 ? text.slice(0, end + 1) : text;
}

/** The most frequent line ending in the sample (LF when there is a single line). */
export function detectLineEnding(text: string): 'LF' | 'CRLF' | 'CR' {
  let crlf = 0;
  let lf = 0;
  let cr = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 13) {
      if (text.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      } else cr++;
    } else if (code === 10) lf++;
  }
  if (crlf >= lf && crlf >= cr && crlf > 0) return 'CRLF';
  return cr > lf ? 'CR' : 'LF';
}

interface Candidate {
  readonly delimiter: string;
  readonly quote: string;
  readonly records: string[][];
}

/** Tries every delimiter and quote; the pair giving the most consistent and widest records wins. */
function chooseDelimiterAndQuote(
  text: string,
  delimiter: string | undefined,
  quote: string | undefined,
): Candidate {
  let best: Candidate | undefined;
  let bestScore = -1;
  let bestWidth = 0;
  for (const d of delimiter ? [delimiter] : DELIMITERS) {
    // Single quotes count only in a file with no double quote, wrapping a field that holds the delimiter.
    const q = quote ?? (!text.includes('"') && singleQuoteWraps(text, d) ? "'" : '"');
    // An unclosed quote is reported when the file is read; the delimiter is still worth finding.
    const records = parseSample(text, d, q) ?? parseSample(text, d, false);
    if (records === undefined) continue;
    const { width, share } = modalWidth(records);
    // Consistency first, but more fields per line is stronger evidence: a `;` file whose
    // amounts hold one decimal comma each is consistent under `,` too, with two fields.
    const score = delimiter ? share : share * Math.log2(width);
    if (score > bestScore || (score === bestScore && width > bestWidth)) {
      best = { delimiter: d, quote: q, records };
      bestScore = score;
      bestWidth = width;
    }
  }
  return best ?? { delimiter: delimiter ?? ',', quote: quote ?? '"', records: [] };
}

/** True when single quotes wrap a field that holds the delimiter: `'Dupont, Jean',12`. */
function singleQuoteWraps(text: string, delimiter: string): boolean {
  const d = delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|${d})'[^'\\r\\n]*${d}[^'\\r\\n]*'(?:${d}|\\r|\\n|$)`, 'm').test(text);
}

function parseSample(text: string, delimiter: string, quote: string | false): string[][] | undefined {
  try {
    return parse(text, {
      delimiter,
      quote,
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      to_line: SAMPLE_LINES,
      bom: true,
    }) as string[][];
  } catch {
    return undefined;
  }
}

function modalWidth(records: readonly string[][]): { width: number; share: number } {
  const counts = new Map<number, number>();
  for (const record of records) counts.set(record.length, (counts.get(record.length) ?? 0) + 1);
  let width = 0;
  let times = 0;
  for (const [w, n] of counts) {
    if (n > times || (n === times && w > width)) {
      width = w;
      times = n;
    }
  }
  return { width, share: records.length === 0 ? 0 : times / records.length };
}

const C = VALUE_CLASS;

function isTextClass(kind: number): boolean {
  return kind === C.TEXT || kind === C.BOOL_WORD;
}

/**
 * A first line is a header unless it looks like data: a cell typed like the values below it (a
 * number above numbers) votes against; a text cell above typed values votes for.
 */
export function detectHeader(records: readonly string[][]): boolean {
  const first = records[0];
  if (!first) return true;
  let votes = 0;
  for (let column = 0; column < first.length; column++) {
    const head = classifyText(first[column]!);
    if (head === C.EMPTY) continue;
    let typed = 0;
    let seen = 0;
    for (let row = 1; row < records.length; row++) {
      const kind = classifyText(records[row]![column] ?? '');
      if (kind === C.EMPTY) continue;
      seen++;
      if (!isTextClass(kind)) typed++;
    }
    const dataTyped = seen > 0 && typed / seen >= 0.8;
    if (isTextClass(head) && dataTyped) votes++;
    else if (!isTextClass(head) && head !== C.CODE && (dataTyped || seen === 0)) votes--;
  }
  return votes >= 0;
}

/** Which decimal separator the numbers of the sample use; a `;`-separated file leans to the comma. */
function detectDecimal(records: readonly string[][], delimiter: string): ',' | '.' {
  let comma = 0;
  let dot = 0;
  for (const record of records) {
    for (const value of record) {
      const kind = classifyText(value);
      if (kind === C.COMMA_DECIMAL || kind === C.DOT_GROUPED_INT) comma++;
      else if (kind === C.DOT_DECIMAL || kind === C.COMMA_GROUPED_INT) dot++;
    }
  }
  if (comma !== dot) return comma > dot ? ',' : '.';
  return delimiter === ';' ? ',' : '.';
}
