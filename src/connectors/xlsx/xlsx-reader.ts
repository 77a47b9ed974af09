/**
 * Streams the sheets of an .xlsx workbook with exceljs's streaming reader, as plain cell values:
 * formulas give their cached result, rich text and hyperlinks their text, date-formatted numbers a
 * Date (1900 or 1904 system). What the streaming reader leaves out is read from the XML here: the
 * `date1904` flag written as `true`, the merged ranges (after the sheet data), and a truncated sheet.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { StocktakeError } from '../../core/errors.ts';

/** A cell value once read: exceljs's objects are flattened to these. */
export type CellValue = string | number | boolean | Date | null;

/** How a cell was written, as the inventory's native type reports it. */
export type CellKind =
  | 'empty'
  | 'string'
  | 'number'
  | 'boolean'
  | 'date'
  | 'formula'
  | 'richText'
  | 'hyperlink'
  | 'error';

/** One row of a sheet: values and kinds by 0-based column, holes for empty cells. */
export interface SheetRow {
  /** 1-based row number in the sheet. */
  readonly number: number;
  readonly values: CellValue[];
  readonly kinds: CellKind[];
  /** The error text of error cells (`#N/A`), by 0-based column. */
  readonly errors?: Map<number, string>;
  /**
   * True for an Excel table's totals row: a cell computes `SUBTOTAL(109,[Montant])` over a column of the
   * table (what Excel writes there). It sums the data; it is none.
   */
  readonly totals?: true;
}

/** One sheet as the workbook streams by; `merges` is complete once `rows()` has been read to the end. */
export interface SheetStream {
  readonly name: string;
  readonly state: 'visible' | 'hidden' | 'veryHidden';
  readonly date1904: boolean;
  rows(): AsyncGenerator<SheetRow>;
  /** Merged ranges such as `C3:D3`, known after the rows (Excel writes them after the sheet data). */
  merges(): readonly string[];
}

/**
 * exceljs's formula value copies only truthy fields (`if (value) copy[name] = value`), so a cached result
 * of 0, "" or FALSE (`<f>SUM(B2:B9)</f><v>0</v>`) was lost and the formula read as one without a result: an
 * error, rejecting its row. Its copy keeps every defined field instead; patched once, on the class the
 * reader's cells use.
 */
function keepFalsyFormulaResults(): void {
  const cell = new ExcelJS.Workbook().addWorksheet('probe').getCell('A1');
  cell.value = { formula: '0', result: 0 } as ExcelJS.CellFormulaValue;
  const formulaValue = Object.getPrototypeOf((cell as unknown as { _value: object })._value) as {
    _copyModel(model: Record<string, unknown>): Record<string, unknown>;
  };
  formulaValue._copyModel = (model) => {
    const copy: Record<string, unknown> = {};
    for (const name of ['formula', 'result', 'ref', 'shareType', 'sharedFormula'])
      if (model[name] !== undefined && model[name] !== null) copy[name] = model[name];
    return copy;
  };
}
keepFalsyFormulaResults();

function isFileStream(source: unknown): source is NodeJS.ReadableStream & { destroy(): void } {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as { on?: unknown }).on === 'function' &&
    typeof (source as { destroy?: unknown }).destroy === 'function'
  );
}

/** Reads of a workbook begun again when its last entry, workbook.xml, was not delivered (see `streamWorkbook`). */
const WORKBOOK_ATTEMPTS = 4;

/**
 * Streams a workbook's sheets in order; skip a sheet by not reading its rows. exceljs reads the zip in one
 * streaming pass, which now and then ends without delivering its last entry (exceljs issue #3064; measured
 * here, between one read in 200 and one in 3,000 of a workbook exceljs wrote, which puts workbook.xml last): its parked sheets then come
 * without their names (`Sheet1`) nor the 1904 date system, and a read looking for `Data` found nothing and
 * returned no rows. Such a read is begun again before any sheet is handed out; a workbook whose
 * workbook.xml never comes is unreadable.
 */
export async function* streamWorkbook(path: string): AsyncGenerator<SheetStream> {
  for (let attempt = 1; ; attempt++) {
    const complete = yield* streamWorkbookOnce(path, attempt === WORKBOOK_ATTEMPTS);
    if (complete) return;
  }
}

/**
 * One pass; false (nothing handed out) when a sheet came, or the pass failed, before workbook.xml was read,
 * and `last` is false.
 */
async function* streamWorkbookOnce(path: string, last: boolean): AsyncGenerator<SheetStream, boolean> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  }) as unknown as RawWorkbookReader;
  const flags = { date1904: false, workbook: false };
  patchWorkbookParsing(reader, flags);
  guardSharedStrings(reader);
  parkSheetsBeforeWorkbook(reader);
  let current = '';
  try {
    for await (const sheet of reader) {
      if (!flags.workbook) {
        if (!last) return false;
        throw new Error('xl/workbook.xml, which names the sheets, is missing or was not read');
      }
      current = sheet.name;
      const merges: string[] = [];
      const ending = { seen: false };
      // A sheet that precedes the shared strings in the zip is parked in a temporary file, read back
      // through a stream exceljs opens asynchronously and deletes as soon as the next sheet is asked
      // for: a sheet skipped unread may then fail to open (ENOENT) with nobody listening, an uncaught
      // exception. Its stream is listened to, and closed when it was not read.
      const parked = isFileStream(sheet.iterator) ? sheet.iterator : undefined;
      parked?.on('error', () => {});
      let read = false;
      sheet.iterator = tapSheetXml(normaliseSheetXml(sheet.iterator), merges, ending);
      const name = sheet.name;
      const stream: SheetStream = {
        name,
        state: sheet.state ?? 'visible',
        date1904: flags.date1904,
        merges: () => merges,
        rows: () => {
          read = true;
          return sheetRows(sheet, path, flags.date1904, ending);
        },
      };
      yield stream;
      if (!read) parked?.destroy();
    }
    return true;
  } catch (error) {
    if (error instanceof StocktakeError) throw error;
    // The same race may instead give a sheet the relationships but no sheet list ("reading 'sheets'").
    if (!flags.workbook && current === '' && !last) return false;
    throw unreadable(path, current, 0, error);
  } finally {
    reader.stream?.destroy();
  }
}

/** Rows wider than this many cells are walked by their cells' indexes. */
const SPARSE_ROW = 256;

/** The index of the last cell of `cells` (at `indexes`, ascending) holding a value, or -1. */
function lastValueIndex(cells: readonly (RawCell | undefined)[], indexes: readonly number[]): number {
  for (let k = indexes.length - 1; k >= 0; k--) {
    const value = cells[indexes[k]!]?.value;
    if (value !== null && value !== undefined) return indexes[k]!;
  }
  return -1;
}

async function* sheetRows(
  sheet: RawWorksheetReader,
  path: string,
  date1904: boolean,
  ending: { seen: boolean },
): AsyncGenerator<SheetRow> {
  let last = 0;
  try {
    for await (const row of sheet) {
      last = row.number;
      const cells = row._cells;
      // A row whose cells reach far right (a styled empty cell at XFD, column 16,384) is walked by the cells it
      // has, not by its width, and ends at its last value: not 16,384 slots a row.
      const indexes = cells.length > SPARSE_ROW ? Object.keys(cells).map(Number) : undefined;
      const width = indexes ? lastValueIndex(cells, indexes) + 1 : cells.length;
      const values: CellValue[] = new Array(width).fill(null);
      const kinds: CellKind[] = new Array(width).fill('empty');
      let errors: Map<number, string> | undefined;
      let totals = false;
      const count = indexes ? indexes.length : width;
      for (let k = 0; k < count; k++) {
        const i = indexes ? indexes[k]! : k;
        if (i >= width) break;
        const cell = cells[i];
        if (cell === undefined) continue;
        const raw = cell.value;
        const kind = kindOf(raw);
        kinds[i] = kind;
        if (kind === 'formula' && isTableTotal(raw)) totals = true;
        values[i] = flatten(raw, cell.numFmt, date1904);
        if (kind === 'error' || (kind === 'formula' && isErrorResult(raw))) {
          errors ??= new Map();
          errors.set(i, errorText(raw));
        } else if (isBrokenValue(raw)) {
          // `<v>NaN</v>`, `<v>1e999</v>` or a date cell that is no date: reported like an error cell.
          values[i] = null;
          errors ??= new Map();
          errors.set(i, `not a ${typeof raw === 'number' ? 'finite number' : 'date'}`);
        }
      }
      yield {
        number: row.number,
        values,
        kinds,
        ...(errors ? { errors } : {}),
        ...(totals ? { totals: true as const } : {}),
      };
    }
  } catch (error) {
    throw unreadable(path, sheet.name, last, error);
  }
  if (!ending.seen) throw unreadable(path, sheet.name, last, new Error('the sheet ends early'));
}

function unreadable(path: string, sheet: string, lastRow: number, error: unknown): StocktakeError {
  const where =
    sheet === ''
      ? 'before the first sheet'
      : lastRow > 0
        ? `sheet ${sheet}, after row ${lastRow}`
        : `sheet ${sheet}`;
  const reason = error instanceof Error ? error.message : String(error);
  return new StocktakeError(
    'XLSX_UNREADABLE',
    `${path}: ${where}: the workbook is corrupt or truncated (${reason})`,
    {
      hint: 'open the workbook in Excel to repair it, or export it again',
      context: { file: path, sheet, row: lastRow + 1 },
      cause: error,
    },
  );
}

function kindOf(value: unknown): CellKind {
  if (value === null || value === undefined) return 'empty';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
  }
  if (value instanceof Date) return 'date';
  const object = value as Record<string, unknown>;
  if ('formula' in object || 'sharedFormula' in object) return 'formula';
  if ('richText' in object) return 'richText';
  if ('error' in object) return 'error';
  if ('text' in object) return 'hyperlink';
  return 'string';
}

/** A formula Excel writes in a table's totals row: SUBTOTAL over a structured column reference. */
function isTableTotal(value: unknown): boolean {
  const formula = (value as { formula?: unknown }).formula;
  return typeof formula === 'string' && /^(?:_xlfn\.)?SUBTOTAL\(\s*\d{1,3}\s*,[^)]*\[/i.test(formula);
}

/** A number that is not finite or a date that is invalid, as a corrupt cell gives them. */
function isBrokenValue(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  return value instanceof Date && Number.isNaN(value.getTime());
}

/** A formula whose cached result is missing: the streaming reader drops error results (`t="e"`). */
function isErrorResult(value: unknown): boolean {
  const result = (value as { result?: unknown }).result;
  return (
    result === undefined ||
    Number.isNaN(result) ||
    (typeof result === 'string' && result.startsWith(ERROR_MARK)) ||
    (typeof result === 'object' && result !== null && 'error' in result)
  );
}

function errorText(value: unknown): string {
  const object = value as { error?: string; result?: unknown };
  const result = object.result;
  if (typeof result === 'string' && result.startsWith(ERROR_MARK)) return result.slice(ERROR_MARK.length);
  return object.error ?? (result as { error?: string } | undefined)?.error ?? 'an error or no cached value';
}

/** Flattens an exceljs cell value: formula → cached result, rich text → text, errors → null. */
function flatten(value: unknown, numFmt: string | undefined, date1904: boolean): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return decodeEscapes(value);
  if (typeof value === 'boolean') return value;
  if (value instanceof Date) {
    // exceljs's own test reads the escaped letters of `0\ \h` (8 h) or `0.0\ \k\m` as date parts: such a
    // number, turned into a date, is turned back.
    if (!isDateFormat(numFmt)) return serialOf(value, date1904);
    const time = timeOf(value, numFmt!, date1904);
    if (time !== undefined) return time;
    // A serial no calendar day has stays the number the cell holds (exceljs dates 0 and below in 1899).
    const serial = serialOf(value, date1904);
    if (!isCalendarSerial(serial, date1904)) return serial;
    return date1904 ? value : withPhantomDay(value);
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return null;
    // Excel's "Code postal" (`00000`) and "Numéro de téléphone" (`0#" "##" "##" "##" "##`) formats show
    // leading zeros the number has not: the cell reads as the code it shows, `01000` or `06 12 34 56 78`,
    // not the number 1000 or 612345678.
    if (numFmt !== undefined && Number.isInteger(value) && value >= 0)
      return shownCode(value, numFmt) ?? value;
    return value;
  }
  const object = value as Record<string, unknown>;
  if ('formula' in object || 'sharedFormula' in object) {
    const result = object.result;
    if (typeof result === 'string' && result.startsWith(ERROR_MARK)) return null;
    // The streaming reader leaves a date-formatted formula result as its serial number.
    if (typeof result === 'number' && isDateFormat(numFmt))
      return timeText(result, numFmt!) ?? excelSerialToDate(result, date1904);
    // A formula's number shows in its cell's format too (`=C5` under `00000`).
    return flatten(result, numFmt, date1904);
  }
  if ('richText' in object)
    return decodeEscapes((object.richText as { text?: string }[]).map((run) => run.text ?? '').join(''));
  if ('error' in object) return null;
  if ('text' in object) return flatten(object.text, numFmt, date1904);
  return String(value);
}

/**
 * Decodes the escapes Excel writes for characters XML cannot carry in its strings (ECMA-376 ST_Xstring):
 * `_x000D_` is a carriage return, `_x0009_` a tab, and `_x005F_` the `_` of a text that spells an escape.
 */
export function decodeEscapes(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_whole, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** True for a number format that shows a date or time (as exceljs decides for plain cells). */
export function isDateFormat(format: string | undefined): boolean {
  if (!format) return false;
  // Not date parts: `[Red]`, `"text"`, an escaped character (`\h`), a padding (`_)`) or a fill (`*-`).
  const bare = format
    .replace(/\[[^\]]*]/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/[\\_*]./g, '');
  // A digit placeholder (`0`, `#`, `?`) other than a fraction of a second (`ss.000`) makes a number format
  // with a unit, `0\ \h` or `0.0\ \k\m`, which exceljs hands over unescaped (`0 h`): no date.
  if (/[0#?]/.test(bare.replace(/s\.0+/gi, ''))) return false;
  return /[ymdhMsb]+/.test(bare);
}

/**
 * Converts an Excel serial day number to a Date (UTC), in the 1900 or 1904 system. The 1900 system counts
 * a 29 February 1900 that never was (serial 60, kept from Lotus 1-2-3): serials 1–59 (1900-01-01 to
 * 1900-02-28) are one day later than the count from 1970 says; a time of day alone (below 1) is not moved.
 */
export function excelSerialToDate(serial: number, date1904: boolean): Date {
  const phantom = !date1904 && serial >= 1 && serial < 60 ? 1 : 0;
  return new Date(Math.round((serial - 25569 + phantom + (date1904 ? 1462 : 0)) * 86_400_000));
}

/**
 * The number exceljs turned into `date` (ms rounded from the serial day count): the shortest decimal that
 * gives the same ms, so `8` and `12.5` come back as written.
 */
function serialOf(date: Date, date1904: boolean): number {
  const ms = date.getTime();
  const offset = 25569 - (date1904 ? 1462 : 0);
  const serial = ms / 86_400_000 + offset;
  for (let p = 1; p <= 17; p++) {
    const candidate = Number(serial.toPrecision(p));
    if (Math.round((candidate - offset) * 86_400_000) === ms) return candidate;
  }
  return serial;
}

/** A format of digit placeholders (`0`, `#`) and literals (`" "`, `\-`, unquoted spaces and hyphens) alone. */
const CODE_FORMAT = /^(?:[0#]|"[^"]*"|\\.|[ -])+$/;

/**
 * The text a code format shows for a whole number: a format of two digit placeholders or more, the first a `0`
 * (`00000`, Excel's "Code postal": 1000 → `01000`; `0#" "##" "##" "##" "##`, its "Numéro de téléphone":
 * 612345678 → `06 12 34 56 78`), so that every value of such a column is the code it shows. Undefined for
 * other formats, whose numbers stay numbers (`0" h"` is 8 hours, `#,##0` a count). Digits fill the
 * placeholders from the right, the first placeholder taking any the others cannot hold, as Excel does.
 */
function shownCode(value: number, format: string): string | undefined {
  if (!CODE_FORMAT.test(format)) return undefined;
  const tokens = format.match(/"[^"]*"|\\.|[0#]|[ -]/g) ?? [];
  const placeholders = tokens.filter((t) => t === '0' || t === '#');
  if (placeholders.length < 2 || placeholders[0] !== '0') return undefined;
  let remaining = String(value);
  let left = placeholders.length;
  const out: string[] = new Array(tokens.length);
  for (let k = tokens.length - 1; k >= 0; k--) {
    const token = tokens[k]!;
    if (token === '0' || token === '#') {
      left--;
      const digit = left === 0 ? remaining : remaining.slice(-1);
      remaining = left === 0 ? '' : remaining.slice(0, -1);
      out[k] = digit !== '' ? digit : token === '0' ? '0' : '';
    } else out[k] = token.startsWith('"') ? token.slice(1, -1) : token.startsWith('\\') ? token[1]! : token;
  }
  return out.join('');
}

/**
 * A time of day (`hh:mm` on a serial below 1, which exceljs dates 1899-12-30) as `09:00:00`, and a duration
 * (`[h]:mm:ss`, 1.5 days) as `36:00:00`; undefined for a date, or a date-time shown as its time alone.
 */
function timeOf(date: Date, format: string, date1904: boolean): string | undefined {
  return timeText(serialOf(date, date1904), format);
}

/** `timeOf` for a serial day count. */
function timeText(serial: number, format: string): string | undefined {
  const bare = format.replace(/"[^"]*"/g, '').replace(/[\\_*]./g, '');
  const elapsed = /\[(h+|m+|s+)\]/i.test(bare);
  if (
    !elapsed &&
    (!/[hs]/i.test(bare.replace(/\[[^\]]*]/g, '')) || /[yd]/i.test(bare.replace(/\[[^\]]*]/g, '')))
  )
    return undefined;
  if (!elapsed && (serial < 0 || serial >= 1)) return undefined;
  const ms = Math.round(serial * 86_400_000);
  const seconds = Math.floor(ms / 1000);
  const fraction = ms % 1000;
  const hh = Math.floor(seconds / 3600);
  const text = `${String(hh).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  return fraction === 0 ? text : `${text}.${String(fraction).padStart(3, '0').replace(/0+$/, '')}`;
}

/** 2958465: 9999-12-31, the last day a workbook's serial days reach. */
const LAST_SERIAL = 2_958_465;

/**
 * True for a serial day number (with its fraction of a day) that names a calendar day: from 1 (the 1904
 * system: 0) to 9999-12-31, but 60 in the 1900 system, the 29 February 1900 that never was.
 */
export function isCalendarSerial(serial: number, date1904: boolean): boolean {
  return serial >= (date1904 ? 0 : 1) && serial <= LAST_SERIAL && (date1904 || Math.floor(serial) !== 60);
}

/** exceljs's date of serial 1 (1899-12-31) and of serial 60 (1900-02-28), in ms since 1970. */
const SERIAL_1 = Date.UTC(1899, 11, 31);
const SERIAL_60 = Date.UTC(1900, 1, 28);

/**
 * A plain date cell of serial 1 to 59 as exceljs converts it is a day early (it counts from 1970, without the
 * phantom 29 February 1900): it gets the day `excelSerialToDate` gives, 1900-01-01 for serial 1.
 */
function withPhantomDay(date: Date): Date {
  const time = date.getTime();
  return time >= SERIAL_1 && time < SERIAL_60 ? new Date(time + 86_400_000) : date;
}

/**
 * Reads `date1904` as written (`1` or `true`; exceljs only knows `1`), notes that workbook.xml came, and
 * hands the XML on to exceljs.
 */
function patchWorkbookParsing(
  reader: RawWorkbookReader,
  flags: { date1904: boolean; workbook: boolean },
): void {
  const original = reader._parseWorkbook.bind(reader);
  reader._parseWorkbook = async (entry: AsyncIterable<Buffer>) => {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk);
    const xml = Buffer.concat(chunks);
    flags.date1904 = /<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*["'](?:1|true)["']/.test(
      xml.toString('utf8'),
    );
    await original(Readable.from([xml]));
    flags.workbook = (reader as { model?: unknown }).model !== undefined;
    if (flags.date1904 && reader.properties?.model) reader.properties.model.date1904 = true;
  };
}

/**
 * exceljs streams a sheet at once when the shared strings and the workbook's relationships came before it in
 * the zip, and otherwise parks it in a temporary file, read after the last entry. A sheet that comes after
 * both but before workbook.xml then finds no sheet list and fails ("reading 'sheets'"), though the workbook
 * is sound: exceljs's own writer produces that order when its entries finish in that order. The
 * relationships are held back until workbook.xml is parsed, so such a sheet is parked too.
 */
function parkSheetsBeforeWorkbook(reader: RawWorkbookReader): void {
  let workbookParsed = false;
  let heldRels: unknown;
  const parseRels = reader._parseRels.bind(reader);
  reader._parseRels = async (entry: unknown) => {
    await parseRels(entry);
    if (workbookParsed) return;
    heldRels = reader.workbookRels;
    reader.workbookRels = undefined;
  };
  const parseWorkbook = reader._parseWorkbook.bind(reader);
  reader._parseWorkbook = async (entry: unknown) => {
    await parseWorkbook(entry);
    workbookParsed = true;
    if (heldRels !== undefined) reader.workbookRels = heldRels;
  };
}

/**
 * Makes a cell that points past the shared-string table fail instead of reading as empty: exceljs
 * gives such a cell no value, so a corrupt or emptied table would silently blank every text cell.
 */
function guardSharedStrings(reader: RawWorkbookReader): void {
  const original = reader._parseSharedStrings.bind(reader);
  reader._parseSharedStrings = async function* (entry: unknown) {
    yield* original(entry);
    const strings = reader.sharedStrings;
    if (!Array.isArray(strings)) return;
    reader.sharedStrings = new Proxy(strings, {
      get(target, key, receiver) {
        if (typeof key === 'string' && !(key in target) && /^(?:-?\d+|NaN)$/.test(key)) {
          throw new Error(`a cell refers to shared string ${key}, but the table holds ${target.length}`);
        }
        return Reflect.get(target, key, receiver);
      },
    });
  };
}

const MERGE_OPEN = Buffer.from('<mergeCells');
const SHEET_CLOSE = Buffer.from('</worksheet>');
const MERGE_REF = /<mergeCell\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"/g;

/**
 * Passes a sheet's XML chunks through unchanged, collecting the `<mergeCell ref>` ranges (which the
 * streaming reader skips) and noting whether the closing `</worksheet>` arrived.
 */
/**
 * A cell without a value (`<c r="XFD9" s="3"/>`, formatting alone): exceljs fills every column up to it, so
 * a styled empty cell at XFD on each row cost 16,384 cells a row. It holds nothing to read.
 */
const EMPTY_CELL = /<(?:\w+:)?c\b[^>]*\/>/g;

/**
 * A formula cell holding an error (`<c t="e"><f>1/0</f><v>#DIV/0!</v></c>`): exceljs parses its value as a
 * number, NaN, and the error's text is lost. It is rewritten as a text result marked with ERROR_MARK.
 */
const FORMULA_ERROR_CELL =
  /(<(?:\w+:)?c\b[^>]*?\st=)(["'])e\2([^>]*>)(\s*<(?:\w+:)?f\b(?:[^>]*\/>|[\s\S]*?<\/(?:\w+:)?f>)\s*)<(?:\w+:)?v>([^<]*)<\/(?:\w+:)?v>/g;
/** Marks a formula's error text (U+E000, a private-use character no cell text is expected to start with). */
const ERROR_MARK = '\ue000';
/** ERROR_MARK's UTF-8 bytes, as the latin1 text the sheet XML is rewritten in. */
const ERROR_MARK_UTF8 = Buffer.from(ERROR_MARK, 'utf8').toString('latin1');

/** An inline string (`<is>…</is>`), whose rich-text runs exceljs's reader reduces to the last one. */
const INLINE_STRING = /<is>([\s\S]*?)<\/is>/g;

/** An inline string's runs as one text (`Dupont ` and `SARL`: `Dupont SARL`), phonetic runs left out. */
function joinRuns(whole: string, body: string): string {
  if (!body.includes('<r')) return whole;
  // A run's text may be empty and self-closed (`<t/>`): it adds nothing, and must not swallow the next run.
  const texts = [
    ...body.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '').matchAll(/<t\b[^>]*?(?:\/>|>([\s\S]*?)<\/t>)/g),
  ];
  return `<is><t xml:space="preserve">${texts.map((m) => m[1] ?? '').join('')}</t></is>`;
}

/** A cell that holds an ISO 8601 date (`t="d"`), which exceljs parses as a float: `2024-03-02` read 2024. */
const ISO_DATE_CELL = /(<(?:\w+:)?c\b[^>]*?\st=)(["'])d\2/g;

/**
 * Drops the cells that hold nothing (see EMPTY_CELL) and rewrites ISO date cells (`<c t="d"><v>2024-03-02T10:30:00</v></c>`,
 * valid ECMA-376 that some tools write) as text cells, so their value is read as written (and typed as a date by inference) instead of as the number
 * 2024, or a 1905 date under a date style. The XML is passed on a whole tag at a time: an attribute cut by a
 * chunk boundary waits for the rest of its tag.
 */
export async function* normaliseSheetXml(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const item of chunks) {
    const chunk = typeof item === 'string' ? Buffer.from(item) : item;
    const buffer = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    let cut = buffer.lastIndexOf(62 /* > */) + 1;
    // A cell is passed whole (its inline string's runs are joined, its formula's error kept, below).
    const open = buffer.lastIndexOf('<c ', cut);
    if (open > buffer.lastIndexOf('</c>', cut)) {
      const end = buffer.indexOf(62, open);
      if (end < 0 || end >= cut || buffer[end - 1] !== 47 /* / */) cut = open;
    }
    carry = buffer.subarray(cut);
    if (cut === 0) continue;
    const head = buffer.subarray(0, cut);
    const isoDates = head.includes('t="d"') || head.includes("t='d'");
    // A rich-text run (`<r>`, which takes no attribute), wherever the writer put line breaks around it.
    const richInline = head.includes('<r>') && head.includes('<is>');
    const errors = head.includes('t="e"') || head.includes("t='e'");
    if (isoDates || richInline || errors || head.includes('/>')) {
      let text = head.toString('latin1');
      if (isoDates) text = text.replace(ISO_DATE_CELL, '$1$2str$2');
      if (richInline) text = text.replace(INLINE_STRING, joinRuns);
      if (errors) text = text.replace(FORMULA_ERROR_CELL, `$1$2str$2$3$4<v>${ERROR_MARK_UTF8}$5</v>`);
      yield Buffer.from(text.replace(EMPTY_CELL, ''), 'latin1');
    } else yield head;
  }
  if (carry.length > 0) yield carry;
}

async function* tapSheetXml(
  chunks: AsyncIterable<Buffer | string>,
  merges: string[],
  ending: { seen: boolean },
): AsyncGenerator<Buffer | string> {
  let previous: Buffer = Buffer.alloc(0);
  let tail: Buffer = Buffer.alloc(0);
  let collected: string | undefined;
  for await (const item of chunks) {
    const chunk = typeof item === 'string' ? Buffer.from(item) : item;
    if (collected === undefined) {
      const border = Buffer.concat([
        previous.subarray(Math.max(0, previous.length - 16)),
        chunk.subarray(0, 16),
      ]);
      const at = chunk.indexOf(MERGE_OPEN);
      if (at >= 0) collected = chunk.subarray(at).toString('utf8');
      else if (border.includes(MERGE_OPEN))
        collected = Buffer.concat([previous.subarray(-16), chunk]).toString('utf8');
    } else collected += chunk.toString('utf8');
    tail = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - 64))]).subarray(-64);
    previous = chunk;
    yield item;
  }
  ending.seen = tail.includes(SHEET_CLOSE);
  if (collected !== undefined) for (const match of collected.matchAll(MERGE_REF)) merges.push(match[1]!);
}

// The parts of exceljs's streaming reader used here (its typings do not declare them).
interface RawWorkbookReader extends AsyncIterable<RawWorksheetReader> {
  stream?: { destroy(): void };
  properties?: { model?: { date1904?: boolean } };
  _parseWorkbook(entry: unknown): Promise<void>;
  _parseRels(entry: unknown): Promise<void>;
  _parseSharedStrings(entry: unknown): AsyncGenerator<unknown>;
  sharedStrings?: unknown[];
  workbookRels?: unknown;
}

interface RawWorksheetReader extends AsyncIterable<RawRow> {
  name: string;
  state?: 'visible' | 'hidden' | 'veryHidden';
  iterator: AsyncIterable<Buffer | string>;
}

interface RawRow {
  readonly number: number;
  readonly _cells: (RawCell | undefined)[];
}

interface RawCell {
  readonly value: unknown;
  readonly numFmt?: string;
}
