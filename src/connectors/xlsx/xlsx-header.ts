/**
 * Finds the header row of a sheet (below any title rows) and names its columns, merged header
 * cells included: `Prix` merged over two columns becomes `Prix` and `Prix_2`, or `Prix HT` and
 * `Prix TTC` when the row below names the parts.
 */
import type { CellValue, SheetRow } from './xlsx-reader.ts';

/** Rows looked at to find the header. */
export const HEADER_SEARCH_ROWS = 30;

/**
 * The header row among the first rows: the first one mostly filled with text and holding no other number than
 * years (`Compte | Libellé | 2023 | 2024`). A half-filled row followed by a blank line (`Dossier : | SARL
 * BOIS` above the table) is a title when the first row past the blank line is a fuller header row.
 */
export function chooseHeaderRow(rows: readonly SheetRow[]): SheetRow | undefined {
  let widest = 0;
  for (const row of rows) widest = Math.max(widest, filled(row.values));
  const needed = Math.max(2, Math.ceil(widest * 0.5));
  const full = Math.max(2, Math.ceil(widest * 0.75));
  const names = rows.map(headerNames);
  for (let i = 0; i < rows.length; i++) {
    if (names[i]! < needed) continue;
    if (names[i]! >= full) return rows[i];
    const blankAfter =
      i + 1 >= rows.length || rows[i + 1]!.number > rows[i]!.number + 1 || isBlankRow(rows[i + 1]!);
    if (!blankAfter) return rows[i];
    // The fuller header must be the first row past the blank line: a wider row further down is data
    // (`Durand | Nice | rappeler` under a `Nom | Ville` header).
    const next = rows.findIndex((row, j) => j > i && !isBlankRow(row));
    if (next < 0 || names[next]! < full) return rows[i];
  }
  return rows.find((row) => filled(row.values) > 0);
}

/** Header-like cells of a row (texts, and years beside texts), or -1 when it holds another value: data. */
function headerNames(row: SheetRow): number {
  let text = 0;
  let years = 0;
  for (const value of row.values) {
    if (value === null || value === '') continue;
    if (typeof value === 'string') text++;
    else if (typeof value === 'number' && Number.isInteger(value) && value >= 1900 && value <= 2100) years++;
    else return -1;
  }
  return text > 0 ? text + years : 0;
}

/** True for a row with no value and no error cell: a blank line, not data (an error-only row is data). */
export function isBlankRow(row: SheetRow): boolean {
  return filled(row.values) === 0 && row.errors === undefined;
}

/** Non-empty cells of a row. */
export function filled(values: readonly CellValue[]): number {
  let count = 0;
  for (const value of values) if (value !== null && value !== '') count++;
  return count;
}

/** A merged range as 1-based row and column bounds. */
export interface MergeRange {
  readonly top: number;
  readonly left: number;
  readonly bottom: number;
  readonly right: number;
}

/** Parses `C3:D4` (or a single `C3`) into bounds. */
export function parseRange(ref: string): MergeRange {
  const [from, to = from] = ref.split(':') as [string, string?];
  const a = parseAddress(from);
  const b = parseAddress(to!);
  return {
    top: Math.min(a.row, b.row),
    left: Math.min(a.col, b.col),
    bottom: Math.max(a.row, b.row),
    right: Math.max(a.col, b.col),
  };
}

/** `AB12` → column 28, row 12. */
export function parseAddress(address: string): { col: number; row: number } {
  const match = /^([A-Z]+)(\d+)$/.exec(address);
  if (!match) return { col: 0, row: 0 };
  let col = 0;
  for (const letter of match[1]!) col = col * 26 + (letter.charCodeAt(0) - 64);
  return { col, row: Number(match[2]) };
}

/** Column 28 → `AB`. */
export function columnLetters(col: number): string {
  let letters = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** The header texts of a sheet, and whether the row below the header was taken as a sub-header. */
export interface HeaderTexts {
  readonly texts: (string | null)[];
  readonly subHeader: boolean;
}

/**
 * Header texts for `width` columns: merged header cells lend their text to the columns they span,
 * and a text-only row right below a horizontally merged header names the parts.
 */
export function headerTexts(
  header: SheetRow,
  below: SheetRow | undefined,
  merges: readonly MergeRange[],
  width: number,
): HeaderTexts {
  const texts: (string | null)[] = [];
  for (let c = 0; c < width; c++) texts.push(cellText(header.values[c] ?? null));
  const spans = merges.filter((m) => m.top <= header.number && m.bottom >= header.number && m.right > m.left);
  const subHeader =
    below !== undefined &&
    below.number === header.number + 1 &&
    spans.some((m) => m.bottom === header.number) &&
    below.values.every((v) => v === null || typeof v === 'string') &&
    spans.some((m) => inSpan(below, m)) &&
    onlyUnderSpansOrBlanks(below, spans, texts);
  const names: (string | null)[] = [...texts];
  for (const span of spans) {
    const master = texts[span.left - 1] ?? null;
    for (let c = span.left + 1; c <= span.right && c <= width; c++) {
      if (texts[c - 1] === null && master !== null && !subHeader)
        names[c - 1] = `${master}_${c - span.left + 1}`;
      else if (texts[c - 1] === null) names[c - 1] = master;
    }
  }
  if (subHeader) {
    for (let c = 0; c < width; c++) {
      const part = cellText(below!.values[c] ?? null);
      if (part !== null) names[c] = names[c] === null ? part : `${names[c]} ${part}`;
    }
  }
  return { texts: names, subHeader };
}

/** A sub-header names parts of merged cells: it leaves empty the columns whose header stands alone. */
function onlyUnderSpansOrBlanks(
  row: SheetRow,
  spans: readonly MergeRange[],
  texts: readonly (string | null)[],
): boolean {
  for (let c = 1; c <= row.values.length; c++) {
    const value = row.values[c - 1];
    if (value === null || value === undefined || value === '') continue;
    if (texts[c - 1] !== null && !spans.some((m) => m.left <= c && c <= m.right)) return false;
  }
  return true;
}

function inSpan(row: SheetRow, span: MergeRange): boolean {
  for (let c = span.left; c <= span.right; c++) if (typeof row.values[c - 1] === 'string') return true;
  return false;
}

/** A header cell's text: numbers and dates as written, blanks as null. */
export function cellText(value: CellValue): string | null {
  if (value === null) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const text = String(value).trim();
  return text === '' ? null : text;
}
