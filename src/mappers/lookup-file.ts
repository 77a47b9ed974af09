/** Reads a lookup table from a CSV file (`,`, `;` or tab separated, with a header), once per mapping compile. */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

/** Reads `file` (relative to `baseDir`) and maps its `key` column to its `value` column; throws a readable Error. */
export function loadCsvLookup(
  file: string,
  key: string,
  value: string,
  baseDir = process.cwd(),
): Map<string, string> {
  const path = isAbsolute(file) ? file : resolve(baseDir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`cannot read ${file} (looked for ${path})`);
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, bom: true, delimiter: [',', ';', '\t'], skip_empty_lines: true });
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
