/**
 * Reads a scanned CSV file as batches of rows of contract values: the header line is skipped,
 * ragged records are padded with nulls or cut (as the inventory reported; a cut row carries what it
 * lost as its `RowProblem`, which a migration rejects it with), and every value is
 * converted with the type inferred from all values (but the columns `asText` names), so a value that
 * does not convert means the file changed under us and is reported with its line.
 */
import { StocktakeError } from '../../core/errors.ts';
import { convertValue, INVALID } from '../../profilers/type-inference-convert.ts';
import { DEFAULT_BATCH_SIZE, markRowProblem, type ReadOptions, type Row } from '../types.ts';
import { csvRecordChunks } from './csv-records.ts';
import type { CsvFileScan } from './csv-scan.ts';

/** Streams the rows of a scanned file, keeping only the columns at `positions`. */
export async function* readCsvRows(
  scan: CsvFileScan,
  positions: readonly number[],
  options: ReadOptions,
): AsyncGenerator<Row[]> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const asText = new Set(options.asText ?? []);
  const plans = positions.map((i, c) =>
    asText.has(c) ? { ...scan.plans[i]!, type: 'string' as const } : scan.plans[i]!,
  );
  const width = positions.length;
  const fields = scan.dataset.columns.length;
  const delimiter = scan.dialect.delimiter;
  // The header and what precedes it (`sep=;`) are skipped, however the first chunks cut the records.
  let skip = (scan.dialect.header ? 1 : 0) + (scan.dialect.preamble ?? 0);
  let count = 0;
  let batch: Row[] = [];
  if (limit <= 0 || scan.dataset.columns.length === 0) return;
  for await (const chunk of csvRecordChunks(scan.file.path, scan.dialect, { signal: options.signal })) {
    const records = chunk.records;
    const first = Math.min(skip, records.length);
    skip -= first;
    for (let r = first; r < records.length; r++) {
      const record = records[r]!;
      const row: Row = new Array(width);
      for (let c = 0; c < width; c++) {
        const raw = record[positions[c]!];
        const value = raw === undefined ? null : convertValue(raw, plans[c]!);
        if (value === INVALID) throw invalidValue(scan, chunk.endLines[r]!, positions[c]!, raw!);
        row[c] = value;
      }
      // Extra fields that are all empty (a trailing delimiter) lose nothing.
      if (record.length > fields && record.slice(fields).some((field) => field !== '')) {
        const extra = record.length - fields;
        const values = record.slice(fields);
        markRowProblem(row, {
          value: values.join(delimiter),
          parts: { values, separator: delimiter },
          reason: `${extra === 1 ? 'is a field' : `are ${extra} fields`} past the header's ${fields} (line ${chunk.endLines[r]!}): writing the row would lose ${extra === 1 ? 'it' : 'them'}`,
        });
      }
      batch.push(row);
      if (++count >= limit) {
        yield batch;
        return;
      }
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

function invalidValue(scan: CsvFileScan, line: number, position: number, raw: string): StocktakeError {
  const column = scan.dataset.columns[position]!;
  const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return new StocktakeError(
    'CSV_VALUE_INVALID',
    `${scan.file.path}: line ${line}, column ${column.name}: "${shown}" is not a ${column.type}`,
    {
      hint: 'run the inventory again: the file changed since it was scanned',
      context: { file: scan.file.path, line, column: column.name },
    },
  );
}
