/**
 * Streams plain tables into an XLSX workbook: one sheet per table, a styled and frozen header row,
 * an autofilter over the data, column widths measured from the content, and text never read as a formula.
 *
 * Every text cell is a plain string (never an exceljs formula object), and text from the data that a
 * spreadsheet would run as a formula (`=HYPERLINK(…)`, `=cmd|' /C calc'!A0`, `@SUM(…)`, `+1+1`) is written
 * with a leading `'`. A string cell is not evaluated when the workbook opens, but it becomes a live
 * formula when someone edits it (F2, Enter), saves the sheet as CSV and reopens it, or pastes it
 * elsewhere; the apostrophe keeps it text through all of these. Numbers stay numbers.
 */

import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import ExcelJS from 'exceljs';
import { cutText } from '../core/cut-text.ts';
import { neutraliseFormula } from '../core/spreadsheet-safe.ts';

/** A cell: text, a number, or empty. */
export type CellValue = string | number | null;

/**
 * How a column's numbers are shown: `count` with thousands separators, `integer` as is, `decimal` with two
 * decimals, `percent` a 0–1 share as `12.5%`.
 */
export type ColumnFormat = 'text' | 'count' | 'integer' | 'decimal' | 'percent';

/** A colour for a row or a single cell: `error` red, `warning` amber, `info` blue, `good` green. */
export type CellTone = 'error' | 'warning' | 'info' | 'good';

/** One column of a table sheet. */
export interface TableColumn {
  readonly header: string;
  readonly format?: ColumnFormat;
  /** Widest the column may grow, in characters (default 60). */
  readonly maxWidth?: number;
}

/** One data row; `tone: 'error'` shows it in red (a failed source); `cellTones` colours single cells. */
export interface TableRow {
  readonly cells: readonly CellValue[];
  readonly tone?: CellTone;
  /** Per-cell tones by column index, applied after the row's tone (a severity cell, a score). */
  readonly cellTones?: readonly (CellTone | undefined)[];
}

/** A sheet to write; `rows` is called twice (widths first, then the data), so it must be repeatable. */
export interface TableSheet {
  readonly name: string;
  readonly columns: readonly TableColumn[];
  rows(): Iterable<TableRow>;
}

const NUMBER_FORMATS: Record<ColumnFormat, string | undefined> = {
  text: undefined,
  count: '#,##0',
  integer: '0',
  decimal: '#,##0.00',
  percent: '0.0%',
};

const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true, color: { argb: 'FF1F2937' } };
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } };
const HEADER_BORDER: Partial<ExcelJS.Borders> = { bottom: { style: 'thin', color: { argb: 'FF8EA9C1' } } };
const solid = (argb: string): ExcelJS.Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });
const TONES: Readonly<Record<CellTone, { font: Partial<ExcelJS.Font>; fill: ExcelJS.Fill }>> = {
  error: { font: { color: { argb: 'FFB91C1C' } }, fill: solid('FFFDE8E8') },
  warning: { font: { color: { argb: 'FFB45309' } }, fill: solid('FFFEF3C7') },
  info: { font: { color: { argb: 'FF1D4ED8' } }, fill: solid('FFE0ECFF') },
  good: { font: { color: { argb: 'FF15803D' } }, fill: solid('FFDCFCE7') },
};

// Excel refuses longer cells; XML 1.0 forbids these control characters.
const MAX_CELL_TEXT = 32_767;
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const MIN_WIDTH = 6;
const DEFAULT_MAX_WIDTH = 60;
// Room for the autofilter button beside a header.
const FILTER_BUTTON = 3;
const count = new Intl.NumberFormat('en-US');
let partialWrites = 0;

/**
 * Writes `sheets` to `file` with exceljs's streaming writer, so memory stays flat however many rows there are.
 * The file is written beside the target and renamed into place, so a failed write leaves no half workbook.
 */
export async function writeTableWorkbook(file: string, sheets: readonly TableSheet[]): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  // Named per write: two runs (or two writes of one run) into the same folder each rename a whole workbook.
  const partial = `${file}.${process.pid}-${++partialWrites}.partial`;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: partial,
    useStyles: true,
    useSharedStrings: true,
  });
  workbook.creator = 'stocktake';
  try {
    for (const sheet of sheets) writeSheet(workbook, sheet);
    await workbook.commit();
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/** Text as a cell may hold it: XML-safe and no longer than Excel accepts. */
export function cellText(value: string): string {
  const clean = value.replace(XML_INVALID, '\uFFFD');
  return cutText(clean, MAX_CELL_TEXT);
}

function writeSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, sheet: TableSheet): void {
  const width = sheet.columns.length;
  // The streaming writer emits the views when the sheet is added and the column widths before the
  // first row, so both must be known up front.
  const worksheet = workbook.addWorksheet(sheet.name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
  });
  const widths = measureWidths(sheet);
  worksheet.columns = widths.map((w, i) => ({ key: `c${i}`, width: w }));

  const header = worksheet.addRow(sheet.columns.map((c) => c.header));
  header.eachCell((cell) => {
    cell.font = HEADER_FONT;
    cell.fill = HEADER_FILL;
    cell.border = HEADER_BORDER;
    cell.alignment = { vertical: 'middle' };
  });
  header.commit();

  const styleOf = sharedStyles(sheet.columns);
  let rows = 1;
  for (const row of sheet.rows()) {
    // A spreadsheet has no NaN or infinity: Excel repairs the file and drops such a cell. They are text
    // (`-Infinity` is written by stocktake, not taken from the data: no formula to neutralise).
    const cells = row.cells.map((v) =>
      typeof v === 'string'
        ? cellText(neutraliseFormula(v))
        : v !== null && !Number.isFinite(v)
          ? String(v)
          : v,
    );
    const written = worksheet.addRow(cells);
    (written as unknown as { style: Partial<ExcelJS.Style> }).style = PLAIN_ROW;
    for (let i = 0; i < width; i++) {
      const tone = row.cellTones?.[i] ?? row.tone;
      written.getCell(i + 1).style = styleOf(i, typeof cells[i] === 'number', tone);
    }
    written.commit();
    rows++;
  }
  worksheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: rows, column: width } };
  worksheet.commit();
}

// Data rows carry no style of their own; shared, exceljs looks it up once (see sharedStyles).
const PLAIN_ROW: Partial<ExcelJS.Style> = Object.freeze({});

/**
 * The style of a cell, one shared object per number format and tone: exceljs recognises a style
 * object it has seen and reuses its id, where a fresh object per cell costs a rendering of its XML.
 */
function sharedStyles(
  columns: readonly TableColumn[],
): (column: number, isNumber: boolean, tone: CellTone | undefined) => Partial<ExcelJS.Style> {
  const styles = new Map<string, Partial<ExcelJS.Style>>();
  return (column, isNumber, tone) => {
    const numFmt = isNumber ? NUMBER_FORMATS[columns[column]!.format ?? 'text'] : undefined;
    const key = `${numFmt ?? ''}\u0000${tone ?? ''}`;
    let style = styles.get(key);
    if (style === undefined) {
      style = {
        ...(numFmt !== undefined ? { numFmt } : {}),
        ...(tone !== undefined ? { font: TONES[tone].font, fill: TONES[tone].fill } : {}),
      };
      styles.set(key, style);
    }
    return style;
  };
}

/** Column widths in characters: the longest header or value, within [MIN_WIDTH, maxWidth]. */
function measureWidths(sheet: TableSheet): number[] {
  const widths = sheet.columns.map((c) => c.header.length + FILTER_BUTTON);
  for (const row of sheet.rows()) {
    for (let i = 0; i < widths.length; i++) {
      const value = row.cells[i];
      if (value === null || value === undefined) continue;
      const length =
        typeof value === 'number'
          ? Number.isFinite(value)
            ? count.format(value).length
            : String(value).length
          : longestLine(value);
      if (length > widths[i]!) widths[i] = length;
    }
  }
  return widths.map((w, i) =>
    Math.max(MIN_WIDTH, Math.min(w + 2, sheet.columns[i]!.maxWidth ?? DEFAULT_MAX_WIDTH)),
  );
}

function longestLine(text: string): number {
  if (!text.includes('\n')) return text.length;
  let longest = 0;
  for (const line of text.split('\n')) if (line.length > longest) longest = line.length;
  return longest;
}
