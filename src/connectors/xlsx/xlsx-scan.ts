/**
 * The inventory pass over one workbook: every sheet (or those the config names) streamed once, its
 * header row found below any title rows, its columns named and typed from every cell, and its
 * problems (hidden sheet, error cells, blank or repeated headers) reported as findings.
 */

import { stat } from 'node:fs/promises';
import picomatch from 'picomatch';
import type { SourceConfig } from '../../config/schema.ts';
import { frCount } from '../../core/french.ts';
import type { Dataset, Finding } from '../../core/inventory.ts';
import { TypeInference } from '../../profilers/type-inference.ts';
import type { ConversionPlan } from '../../profilers/type-inference-convert.ts';
import { headerNameFindings, toColumn } from '../files/file-columns.ts';
import { uniqueHeaderNames } from '../files/file-headers.ts';
import { type SourceFile, stampOf } from '../files/file-paths.ts';
import {
  cellText,
  chooseHeaderRow,
  columnLetters,
  HEADER_SEARCH_ROWS,
  headerTexts,
  isBlankRow,
  type MergeRange,
  parseRange,
} from './xlsx-header.ts';
import { readDocumentProperties } from './xlsx-properties.ts';
import {
  type CellKind,
  type CellValue,
  type SheetRow,
  type SheetStream,
  streamWorkbook,
} from './xlsx-reader.ts';
import { assertWorkbookFile } from './xlsx-signature.ts';

/** The xlsx entry of the config. */
export type XlsxSourceConfig = Extract<SourceConfig, { kind: 'xlsx' }>;

/** One scanned sheet and what a read needs: where its data starts and how to convert each column. */
export interface SheetScan {
  readonly file: SourceFile;
  readonly dataset: Dataset;
  readonly stamp: string;
  readonly sheet: string;
  readonly dataRow: number;
  readonly plans: ConversionPlan[];
  /**
   * The sheet's rows as the scan streamed them, kept while the source's kept cells stay within
   * KEPT_CELLS: a read of such a sheet (the profile's, a migration's) takes them instead of streaming
   * the whole workbook again, which for a workbook of many sheets cost a pass per sheet.
   */
  readonly rows?: readonly SheetRow[];
}

/** Cells whose rows the scans of one source keep for the reads that follow (about 100 bytes each). */
export const KEPT_CELLS = 500_000;

/** Scans every selected sheet of a workbook; throws StocktakeError naming the file (and sheet) when it cannot. */
export async function scanWorkbook(
  source: string,
  file: SourceFile,
  config: XlsxSourceConfig,
  kept: { cells: number } = { cells: 0 },
): Promise<{ datasets: SheetScan[]; findings: Finding[] }> {
  await assertWorkbookFile(file.path);
  const info = await stat(file.path);
  const document = await readDocumentProperties(file.path);
  const base = {
    path: file.path,
    sizeBytes: info.size,
    modifiedAt: info.mtime.toISOString(),
    ...(document ? { document } : {}),
  };
  const wanted = config.sheets?.length ? picomatch(config.sheets) : undefined;
  const datasets: SheetScan[] = [];
  const findings: Finding[] = [];
  for await (const sheet of streamWorkbook(file.path)) {
    if (wanted && !wanted(sheet.name)) continue;
    const scan = await scanSheet(source, file, sheet, config.headerRow, kept);
    const dataset: Dataset = {
      name: `${file.name}/${sheet.name}`,
      kind: 'sheet',
      rowCount: scan.rows,
      rowCountExact: true,
      columns: scan.columns,
      primaryKey: null,
      foreignKeys: [],
      indexes: [],
      sizeBytes: info.size,
      file: {
        ...base,
        headerRow: scan.headerRow,
        dataRow: scan.dataRow,
        sheet: sheet.name,
        sheetState: sheet.state,
        date1904: sheet.date1904,
      },
    };
    datasets.push({
      file,
      dataset,
      stamp: stampOf(info),
      sheet: sheet.name,
      dataRow: scan.dataRow,
      plans: scan.plans,
      ...(scan.kept ? { rows: scan.kept } : {}),
    });
    findings.push(...scan.findings.map((finding) => ({ ...finding, dataset: dataset.name })));
  }
  if (datasets.length === 0) {
    findings.push({
      code: 'WORKBOOK_NO_SHEET',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: no sheet to read${wanted ? ` (sheets: ${config.sheets!.join(', ')})` : ''}`,
      messageFr: `${file.path} : aucune feuille à lire${wanted ? ` (feuilles : ${config.sheets!.join(', ')})` : ''}`,
      evidence: { file: file.path },
    });
  }
  return { datasets, findings };
}

interface SheetResult {
  columns: Dataset['columns'][number][];
  plans: ConversionPlan[];
  rows: number;
  headerRow: number | null;
  dataRow: number;
  findings: Finding[];
  /** The sheet's rows, when the workbook's budget of kept cells held them all. */
  kept?: SheetRow[];
}

const KIND_ORDER: CellKind[] = [
  'string',
  'number',
  'date',
  'boolean',
  'formula',
  'richText',
  'hyperlink',
  'error',
];

/** `B2:B4` for a merged range. */
function rangeText(m: MergeRange): string {
  return `${columnLetters(m.left)}${m.top}:${columnLetters(m.right)}${m.bottom}`;
}

/** Columns up to the last cell holding more than blanks. */
function meaningfulWidth(values: readonly CellValue[]): number {
  for (let c = values.length - 1; c >= 0; c--) {
    const value = values[c];
    if (value !== null && value !== undefined && !(typeof value === 'string' && value.trim() === ''))
      return c + 1;
  }
  return 0;
}

/** Streams one sheet: buffers the first rows to find the header, then types every cell below it. */
async function scanSheet(
  source: string,
  file: SourceFile,
  sheet: SheetStream,
  configuredHeader: number | undefined,
  kept: { cells: number },
): Promise<SheetResult> {
  // The rows kept for later reads, until the workbook's kept cells pass the budget (then none of this sheet).
  let keptRows: SheetRow[] | undefined = kept.cells < KEPT_CELLS ? [] : undefined;
  const where = `sheet ${sheet.name}`;
  const whereFr = `feuille ${sheet.name}`;
  const inferences: TypeInference[] = [];
  const nonNull: number[] = [];
  const maxLengths: number[] = [];
  const kinds: Set<CellKind>[] = [];
  let rows = 0;
  let errorCells = 0;
  let firstError: string | undefined;
  let header: SheetRow | undefined;
  let below: SheetRow | undefined;
  let decided = false;
  const buffered: SheetRow[] = [];

  const addData = (row: SheetRow): void => {
    rows++;
    const values = row.values;
    for (let c = 0; c < values.length; c++) {
      const value = values[c]!;
      if (value === null) continue;
      if (inferences[c] === undefined) {
        // A blank cell out past every column (a stray space at XFD) makes no column of its own.
        if (typeof value === 'string' && value.trim() === '') continue;
        for (let k = inferences.length; k <= c; k++) {
          inferences.push(new TypeInference());
          nonNull.push(0);
          maxLengths.push(0);
          kinds.push(new Set());
        }
      }
      inferences[c]!.add(value);
      nonNull[c]!++;
      kinds[c]!.add(row.kinds[c]!);
      if (typeof value === 'string' && value.length > maxLengths[c]!) maxLengths[c] = value.length;
    }
    if (row.errors) {
      errorCells += row.errors.size;
      if (firstError === undefined) {
        const [column, text] = row.errors.entries().next().value!;
        firstError = `${columnLetters(column + 1)}${row.number} (${text})`;
      }
    }
  };
  const totalsRows: number[] = [];
  // Data rows that look like no data: the header again (a second table, a repeated page header) or a row
  // of totals typed by hand (`Total`, `Sous-total` in its first cell). Read as data, and named in a finding.
  const suspectRows: number[] = [];
  let headerKey: string | undefined;
  const take = (row: SheetRow): void => {
    if (header === undefined || row.number <= header.number || isBlankRow(row)) return;
    if (row.totals) {
      totalsRows.push(row.number);
      return;
    }
    headerKey ??= rowKey(header);
    const first = row.values.find((v) => v !== null && cellText(v) !== null);
    if (
      (headerKey !== '' && rowKey(row) === headerKey) ||
      (typeof first === 'string' && TOTAL_WORD.test(first.trim()))
    )
      suspectRows.push(row.number);
    if (below === undefined && rows === 0 && row.number === header.number + 1) below = row;
    else addData(row);
  };
  const decide = (): void => {
    decided = true;
    header = chooseHeaderRow(buffered);
    for (const row of buffered) take(row);
  };

  for await (const row of sheet.rows()) {
    if (keptRows) {
      kept.cells += row.values.length;
      if (kept.cells <= KEPT_CELLS) keptRows.push(row);
      else keptRows = undefined;
    }
    if (decided) take(row);
    else if (configuredHeader !== undefined) {
      if (row.number < configuredHeader) continue;
      decided = true;
      header = row.number === configuredHeader ? row : { number: configuredHeader, values: [], kinds: [] };
      take(row);
    } else {
      if (!isBlankRow(row)) buffered.push(row);
      if (buffered.length >= HEADER_SEARCH_ROWS) decide();
    }
  }
  if (!decided) decide();

  const findings: Finding[] = [];
  if (sheet.state !== 'visible') {
    findings.push({
      code: 'SHEET_HIDDEN',
      severity: 'info',
      source,
      message: `${file.path}: ${where} is ${sheet.state === 'veryHidden' ? 'very hidden' : 'hidden'} in Excel`,
      messageFr: `${file.path} : ${whereFr} est ${sheet.state === 'veryHidden' ? 'très masquée' : 'masquée'} dans Excel`,
      evidence: { file: file.path, sheet: sheet.name, state: sheet.state },
    });
  }
  if (header === undefined) {
    findings.push({
      code: 'SHEET_EMPTY',
      severity: 'info',
      source,
      message: `${file.path}: ${where} is empty`,
      messageFr: `${file.path} : ${whereFr} est vide`,
      evidence: { file: file.path, sheet: sheet.name },
    });
    return {
      columns: [],
      plans: [],
      rows: 0,
      headerRow: null,
      dataRow: 1,
      findings,
      ...(keptRows ? { kept: keptRows } : {}),
    };
  }
  const merges = sheet.merges().map(parseRange);
  let headerWidth = 0;
  for (let c = 0; c < header.values.length; c++)
    if (cellText(header.values[c] ?? null) !== null) headerWidth = c + 1;
  const belowWidth = below ? meaningfulWidth(below.values) : 0;
  const width = Math.max(headerWidth, inferences.length, belowWidth);
  const texts = headerTexts(header, below, merges, width);
  if (below && !texts.subHeader) addData(below);
  const finalWidth = Math.max(width, inferences.length);
  const names = uniqueHeaderNames([...texts.texts, ...new Array(finalWidth - texts.texts.length).fill(null)]);
  findings.push(
    ...headerNameFindings(source, file, names, header.number, {
      en: `${where}, row ${header.number}`,
      fr: `${whereFr}, ligne ${header.number}`,
    }),
  );
  if (header.number > 1 && configuredHeader === undefined) {
    findings.push({
      code: 'SHEET_TITLE_ROWS',
      severity: 'info',
      source,
      message: `${file.path}: ${where}: the header is on row ${header.number}; the rows above it are skipped as titles`,
      messageFr: `${file.path} : ${whereFr} : l’en-tête est à la ligne ${header.number} ; les lignes au-dessus sont ignorées comme titres`,
      evidence: { file: file.path, sheet: sheet.name, headerRow: header.number },
    });
  }
  if (totalsRows.length > 0) {
    findings.push({
      code: 'SHEET_TOTALS_ROW',
      severity: 'info',
      source,
      message: `${file.path}: ${where}: row ${totalsRows.join(', ')} ${totalsRows.length === 1 ? 'is' : 'are'} an Excel table's totals (SUBTOTAL over the table's columns): skipped, not data`,
      messageFr: `${file.path} : ${whereFr} : ${totalsRows.length === 1 ? 'la ligne' : 'les lignes'} ${totalsRows.join(', ')} ${totalsRows.length === 1 ? 'est la ligne' : 'sont les lignes'} de totaux d’un tableau Excel (SOUS.TOTAL sur ses colonnes) : ignorée(s), ce ne sont pas des données`,
      evidence: { file: file.path, sheet: sheet.name, rows: totalsRows },
    });
  }
  if (suspectRows.length > 0) {
    const listed = suspectRows.slice(0, LISTED_SUSPECT_ROWS);
    findings.push({
      code: 'SHEET_SUSPECT_ROWS',
      severity: 'warning',
      source,
      message: `${file.path}: ${where}: ${suspectRows.length} row(s) repeat the header or hold totals (rows ${listed.join(', ')}${suspectRows.length > listed.length ? ', …' : ''}): read as data (a second table or a totals row is no data: move it to a sheet of its own, or remove it)`,
      messageFr: `${file.path} : ${whereFr} : ${frCount(suspectRows.length)} ligne(s) répètent l’en-tête ou portent des totaux (lignes ${listed.join(', ')}${suspectRows.length > listed.length ? ', …' : ''}) : lues comme des données (un second tableau ou une ligne de totaux n’en sont pas : déplacez-les dans une feuille à part, ou supprimez-les)`,
      evidence: { file: file.path, sheet: sheet.name, rows: listed, count: suspectRows.length },
    });
  }
  if (errorCells > 0) {
    findings.push({
      code: 'XLSX_CELL_ERROR',
      severity: 'warning',
      source,
      message: `${file.path}: ${where}: ${errorCells} cell(s) hold an error value, read as empty (first: ${firstError})`,
      messageFr: `${file.path} : ${whereFr} : ${frCount(errorCells)} cellule(s) contiennent une valeur d’erreur, lue comme vide (première : ${firstError})`,
      evidence: { file: file.path, sheet: sheet.name, cells: errorCells, first: firstError },
    });
  }
  if (rows === 0) {
    findings.push({
      code: 'SHEET_HEADER_ONLY',
      severity: 'warning',
      source,
      message: `${file.path}: ${where}: only a header row (row ${header.number}), no data rows`,
      messageFr: `${file.path} : ${whereFr} : une ligne d’en-tête seulement (ligne ${header.number}), aucune ligne de données`,
      evidence: { file: file.path, sheet: sheet.name, headerRow: header.number },
    });
  }
  const columns = [];
  const plans: ConversionPlan[] = [];
  for (let c = 0; c < finalWidth; c++) {
    const inference = inferences[c] ?? new TypeInference();
    inference.addNulls(rows - (nonNull[c] ?? 0));
    const result = inference.result();
    const seen = KIND_ORDER.filter((kind) => kinds[c]?.has(kind));
    columns.push(
      toColumn(
        names.names[c]!,
        c,
        result,
        maxLengths[c] ?? 0,
        `xlsx ${seen.length > 0 ? seen.join('|') : 'empty'}`,
      ),
    );
    plans.push({ type: result.type, decimalSeparator: result.decimalSeparator, dateOrder: result.dateOrder });
  }
  const dataRow = header.number + (texts.subHeader ? 2 : 1);
  // A range merged over data rows (`Nord` over B2:B4) shows its value on every row, but only its first cell
  // holds it: the others read as empty.
  const mergedData = merges.filter((m) => m.bottom > m.top && m.bottom >= dataRow).map(rangeText);
  if (mergedData.length > 0) {
    findings.push({
      code: 'SHEET_MERGED_DATA',
      severity: 'warning',
      source,
      message: `${file.path}: ${where}: ${mergedData.length} merged range(s) span data rows (${mergedData.slice(0, 5).join(', ')}${mergedData.length > 5 ? ', …' : ''}): only the first cell of each holds the value, the others read as empty`,
      messageFr: `${file.path} : ${whereFr} : ${frCount(mergedData.length)} plage(s) fusionnée(s) couvrent des lignes de données (${mergedData.slice(0, 5).join(', ')}${mergedData.length > 5 ? ', …' : ''}) : seule la première cellule de chacune porte la valeur, les autres sont lues comme vides`,
      evidence: {
        file: file.path,
        sheet: sheet.name,
        ranges: mergedData.slice(0, 20),
        count: mergedData.length,
      },
    });
  }
  return {
    columns,
    plans,
    rows,
    headerRow: header.number,
    dataRow,
    findings,
    ...(keptRows ? { kept: keptRows } : {}),
  };
}

/** A first cell that names a row of totals typed by hand: `Total`, `TOTAL général`, `Sous-total`. */
const TOTAL_WORD = /^(sous[- ]?)?total\b/i;
/** Rows a SHEET_SUSPECT_ROWS finding lists. */
const LISTED_SUSPECT_ROWS = 20;

/** The texts of a row's cells, lower-cased and trimmed, as one key (empty cells count as empty). */
function rowKey(row: SheetRow): string {
  const texts = row.values.map((v) => (cellText(v ?? null) ?? '').trim().toLowerCase());
  while (texts.length > 0 && texts.at(-1) === '') texts.pop();
  return texts.filter((t) => t !== '').length >= 2 ? texts.join('\u0000') : '';
}
