/**
 * Reads a lookup table from a CSV file (with a header, its delimiter sniffed as a source file's), once per mapping
 * compile. Its encoding is detected as a source file's is (BOM, UTF-16, UTF-8, else Windows-1252), so
 * `Société` in a legacy export matches `Société` in the data.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { decodeSample, detectEncoding, isUtf8Encoding } from '../connectors/csv/csv-encoding.ts';
import { SNIFF_BYTES, sniffDialect } from '../connectors/csv/csv-sniff.ts';

/** Reads `file` (relative to `baseDir`) and maps its `key` column to its `value` column; throws a readable Error. */
export function loadCsvLookup(
  file: string,
  key: string,
  value: string,
  baseDir = process.cwd(),
): Map<string, string> {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Error(`cannot read ${file} (looked for ${path})`);
  }
  const text = decodeLookup(bytes, file);
  let records: Record<string, string>[];
  try {
    // One delimiter and quote, as a source file's are sniffed (Excel's `sep=;` line included): `,`, `;` and
    // tab all at once would cut `Société anonyme, au capital` in a `;` file.
    const dialect = sniffDialect(
      bytes.subarray(0, SNIFF_BYTES),
      bytes.length <= SNIFF_BYTES,
      { kind: 'csv', path },
      file,
    );
    records = parse(text, {
      columns: true,
      bom: true,
      delimiter: dialect.delimiter,
      quote: dialect.quote,
      from_line: 1 + (dialect.preamble ?? 0),
      skip_empty_lines: true,
    });
  } catch (error) {
    throw new Error(`${file} is not a readable CSV: ${(error as Error).message}`);
  }
  const header = records.length > 0 ? Object.keys(records[0]!) : [];
  for (const column of [key, value]) {
    if (records.length > 0 && !header.includes(column)) {
      throw new Error(`${file} has no column "${column}"; its columns: ${header.join(', ')}`);
    }
  }
  const table = new Map<string, string>();
  records.forEach((record, i) => {
    const k = record[key]!;
    const v = record[value]!;
    const previous = table.get(k);
    if (previous !== undefined && previous !== v) {
      // Line numbers count the header as line 1.
      throw new Error(`${file} gives key "${k}" two values ("${previous}" and "${v}", line ${i + 2})`);
    }
    table.set(k, v);
  });
  return table;
}

/**
 * Decodes the whole file. A file mixing UTF-8 lines and legacy ones would turn some keys into U+FFFD
 * and miss them silently, so it is refused with the first line that is not UTF-8.
 */
function decodeLookup(bytes: Buffer, file: string): string {
  const encoding = detectEncoding(bytes, true);
  if (isUtf8Encoding(encoding) && !isUtf8(bytes)) {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 10) continue;
      if (!isUtf8(bytes.subarray(start, i))) break;
      line++;
      start = i + 1;
    }
    throw new Error(
      `${file} mixes encodings: line ${line} is not UTF-8 while other lines are; save the file in one encoding (UTF-8)`,
    );
  }
  return decodeSample(bytes, encoding);
}
