/**
 * Reads one scanned sheet as batches of rows of contract values: from the rows the scan kept (while its
 * source's kept cells stayed within KEPT_CELLS), else by streaming the workbook again, other sheets
 * skipped unread. Rows above the data and empty rows are left out, and cells are converted with the types
 * the scan inferred from every cell. A cell holding an error (or a formula without a cached result) reads
 * as null, and its row carries the error as its `RowProblem`.
 */
import { StocktakeError } from '../../core/errors.ts';
import { convertValue, INVALID } from '../../profilers/type-inference-convert.ts';
import { DEFAULT_BATCH_SIZE, markRowProblem, type ReadOptions, type Row } from '../types.ts';
import { columnLetters, isBlankRow } from './xlsx-header.ts';
import { type SheetRow, streamWorkbook } from './xlsx-reader.ts';
import type { SheetScan } from './xlsx-scan.ts';

/** Streams the rows of a scanned sheet, keeping only the columns at `positions`. */
export async function* readSheetRows(
  scan: SheetScan,
  positions: readonly number[],
  options: ReadOptions,
): AsyncGenerator<Row[]> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  // A column read `asText` keeps its text cells as written (a number or date cell as its value's text).
  const asText = new Set(options.asText ?? []);
  const plans = positions.map((i, c) =>
    asText.has(c) ? { ...scan.plans[i]!, type: 'string' as const } : scan.plans[i]!,
  );
  if (limit <= 0 || scan.dataset.columns.length === 0) return;
  let count = 0;
  let batch: Row[] = [];
  let found = false;
  for await (const sheet of scan.rows ? keptSheet(scan.sheet, scan.rows) : streamWorkbook(scan.file.path)) {
    if (sheet.name !== scan.sheet) continue;
    found = true;
    for await (const sheetRow of sheet.rows()) {
      if (options.signal?.aborted) return;
      if (sheetRow.number < scan.dataRow || isBlankRow(sheetRow) || sheetRow.totals) continue;
      const row: Row = new Array(positions.length);
      for (let c = 0; c < positions.length; c++) {
        const value = convertValue(sheetRow.values[positions[c]!] ?? null, plans[c]!);
        if (value === INVALID)
          throw invalidCell(scan, sheetRow.number, positions[c]!, sheetRow.values[positions[c]!]);
        row[c] = value;
      }
      if (sheetRow.errors) {
        for (let c = 0; c < positions.length; c++) {
          const error = sheetRow.errors.get(positions[c]!);
          if (error === undefined) continue;
          const cell = `${columnLetters(positions[c]! + 1)}${sheetRow.number}`;
          markRowProblem(row, {
            value: error,
            reason: `is what cell ${cell} holds: writing the row would leave it empty`,
          });
          break;
        }
      }
      batch.push(row);
      if (++count >= limit) break;
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    break;
  }
  // A sheet gone since the scan would otherwise read as no rows at all.
  if (!found) {
    throw new StocktakeError(
      'XLSX_UNREADABLE',
      `${scan.file.path}: sheet ${scan.sheet} is no longer in the workbook`,
      {
        hint: 'run the inventory again: the workbook changed since it was scanned',
        context: { file: scan.file.path, sheet: scan.sheet },
      },
    );
  }
  if (batch.length > 0) yield batch;
}

/** The rows a scan kept, as the one sheet of a workbook stream: read without opening the file again. */
async function* keptSheet(
  name: string,
  rows: readonly SheetRow[],
): AsyncGenerator<{ name: string; rows: () => AsyncIterable<SheetRow> }> {
  yield {
    name,
    rows: async function* () {
      yield* rows;
    },
  };
}

function invalidCell(scan: SheetScan, row: number, position: number, value: unknown): StocktakeError {
  const column = scan.dataset.columns[position]!;
  const cell = `${columnLetters(position + 1)}${row}`;
  return new StocktakeError(
    'XLSX_UNREADABLE',
    `${scan.file.path}: sheet ${scan.sheet}, cell ${cell}: ${JSON.stringify(value)} is not a ${column.type} (column ${column.name})`,
    {
      hint: 'run the inventory again: the workbook changed since it was scanned',
      context: { file: scan.file.path, sheet: scan.sheet, cell },
    },
  );
}
