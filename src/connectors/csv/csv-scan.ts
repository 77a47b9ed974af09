/**
 * The inventory pass over one CSV file: sniff its dialect, stream every record once, count rows,
 * note ragged and oversized records, encoding problems and NUL characters, infer each column's type
 * from all of its values and, when a profile follows (`observe`), profile the rows in the same pass.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StocktakeError } from '../../core/errors.ts';
import type { Dataset, Finding } from '../../core/inventory.ts';
import type { DatasetObservation } from '../../profilers/observation.ts';
import { TypeInference } from '../../profilers/type-inference.ts';
import type { ConversionPlan } from '../../profilers/type-inference-convert.ts';
import { headerNameFindings, toColumn } from '../files/file-columns.ts';
import { uniqueHeaderNames } from '../files/file-headers.ts';
import { type SourceFile, stampOf } from '../files/file-paths.ts';
import { decodeSample } from './csv-encoding.ts';
import { ScanProfile } from './csv-observe.ts';
import { csvRecordChunks, type RecordStreamReport } from './csv-records.ts';
import { type CsvDialect, type CsvSourceConfig, SNIFF_BYTES, sniffDialect } from './csv-sniff.ts';

/** What the inventory pass learnt about one file: its dataset, its problems, and how to read it. */
export interface CsvFileScan {
  readonly file: SourceFile;
  readonly dataset: Dataset;
  readonly findings: Finding[];
  readonly dialect: CsvDialect;
  readonly plans: ConversionPlan[];
  /** Size and modification time when scanned, to notice a file that changed before it is read. */
  readonly stamp: string;
  /** The profile taken during the scan (`observe`), when the scan's types confirmed it. */
  observation?: DatasetObservation;
}

/** Line numbers listed in a finding; the count covers them all. */
export const MAX_LISTED_LINES = 20;
/** A field longer than this (in characters) is reported. */
export const OVERSIZED_FIELD = 1024 * 1024;

/** Scans one file; throws StocktakeError (with file and line) when it cannot be read at all. */
export async function scanCsvFile(
  source: string,
  file: SourceFile,
  config: CsvSourceConfig,
  signal?: AbortSignal,
  options: { readonly observe?: boolean } = {},
): Promise<CsvFileScan> {
  const info = await stat(file.path).catch((error: unknown) => {
    throw new StocktakeError(
      'FILE_NOT_FOUND',
      `${file.path}: cannot be opened (${(error as Error).message})`,
      {
        context: { source, file: file.path },
        cause: error,
      },
    );
  });
  const sample = await readSample(file.path);
  const facts = { path: file.path, sizeBytes: info.size, modifiedAt: info.mtime.toISOString() };
  const stamp = stampOf(info);
  if (info.size === 0) return emptyFileScan(source, file, facts, stamp);
  let dialect = sniffDialect(sample, sample.length >= info.size, config, file.path);
  if (await isBlankFile(file.path, sample, info.size, dialect.encoding)) {
    return emptyFileScan(source, file, facts, stamp, {
      code: 'FILE_BLANK',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: only blanks and line breaks (${info.size} bytes): no header, no data`,
      evidence: { file: file.path, bytes: info.size },
    });
  }
  const pass = await passOverRecords(source, file, dialect, signal, options.observe === true);
  const findings: Finding[] = [];
  const report = pass.report;
  if (report.notUtf8.count > 0) {
    const lines = report.notUtf8.lines;
    const listed = lines.join(', ') + (report.notUtf8.count > lines.length ? ', …' : '');
    if (!report.utf8Text && dialect.sniffed.includes('encoding')) {
      // No UTF-8 text at all past plain ASCII: the file is a legacy single-byte export.
      dialect = { ...dialect, encoding: 'windows-1252' };
      findings.push({
        code: 'CSV_ENCODING_FALLBACK',
        severity: 'info',
        source,
        dataset: file.name,
        message: `${file.path}: bytes that are not UTF-8 near line ${lines[0]}; read as windows-1252`,
        evidence: { file: file.path, line: lines[0], lines, count: report.notUtf8.count },
      });
    } else {
      findings.push({
        code: 'CSV_ENCODING_MIXED',
        severity: 'warning',
        source,
        dataset: file.name,
        message: `${file.path}: ${report.notUtf8.count} line(s) are not UTF-8 (lines ${listed}); those lines were read as windows-1252, the others as UTF-8`,
        evidence: { file: file.path, count: report.notUtf8.count, lines },
      });
    }
  }
  if (report.truncatedLine !== undefined) {
    findings.push({
      code: 'CSV_UTF8_TRUNCATED',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: the file ends inside a UTF-8 character at line ${report.truncatedLine} (a cut copy?); the incomplete bytes were read as windows-1252`,
      evidence: { file: file.path, line: report.truncatedLine },
    });
  }
  if (report.nul.count > 0) {
    const lines = report.nul.lines;
    const listed = lines.join(', ') + (report.nul.count > lines.length ? ', …' : '');
    findings.push({
      code: 'CSV_NUL_BYTES',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: ${report.nul.count} row(s) hold NUL characters (lines ${listed}); kept as they are, though many databases refuse them in text`,
      evidence: { file: file.path, count: report.nul.count, lines },
    });
  }
  findings.push(...pass.findings);
  const blankLines = report.emptyLines;
  if (blankLines > 0) {
    findings.push({
      code: 'CSV_BLANK_LINES',
      severity: 'info',
      source,
      dataset: file.name,
      message: `${file.path}: ${blankLines} blank line(s) skipped`,
      evidence: { file: file.path, lines: blankLines },
    });
  }
  const results = pass.inferences.map((inference) => inference.result());
  const columns = pass.names.map((name, i) => toColumn(name, i, results[i]!, pass.maxLengths[i]!));
  const headerRow = dialect.header ? (pass.headerLine ?? 1) : null;
  const dataset: Dataset = {
    name: file.name,
    kind: 'file',
    rowCount: pass.rows,
    rowCountExact: true,
    columns,
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
    sizeBytes: info.size,
    file: {
      ...facts,
      encoding: dialect.encoding,
      delimiter: dialect.delimiter,
      quote: dialect.quote,
      lineEnding: dialect.lineEnding,
      headerRow,
      dataRow: (headerRow ?? 0) + 1,
      sniffed: dialect.sniffed,
    },
  };
  const plans = results.map((r) => ({
    type: r.type,
    decimalSeparator: r.decimalSeparator,
    dateOrder: r.dateOrder,
  }));
  const observation = pass.profile?.finish(plans);
  return { file, dataset, findings, dialect, plans, stamp, ...(observation ? { observation } : {}) };
}

async function readBytes(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function readSample(path: string): Promise<Buffer> {
  return readBytes(path, 0, SNIFF_BYTES);
}

/** True when the file holds nothing but blanks and line breaks (its sample says so first). */
async function isBlankFile(path: string, sample: Buffer, size: number, encoding: string): Promise<boolean> {
  if (decodeSample(sample, encoding).trim() !== '') return false;
  if (sample.length >= size) return true;
  const wide = encoding.startsWith('utf-16');
  for await (const chunk of createReadStream(path, { start: sample.length }) as AsyncIterable<Buffer>) {
    for (const byte of chunk) {
      if (byte === 32 || (byte >= 9 && byte <= 13) || (wide && byte === 0)) continue;
      return false;
    }
  }
  return true;
}

function emptyFileScan(
  source: string,
  file: SourceFile,
  facts: { path: string; sizeBytes: number; modifiedAt: string },
  stamp: string,
  finding: Finding = {
    code: 'FILE_EMPTY',
    severity: 'warning',
    source,
    dataset: file.name,
    message: `${file.path}: the file is empty (0 bytes)`,
    evidence: { file: file.path },
  },
): CsvFileScan {
  const dialect: CsvDialect = {
    encoding: 'utf-8',
    delimiter: ',',
    quote: '"',
    lineEnding: 'LF',
    header: false,
    decimalHint: '.',
    dateOrder: 'dmy',
    sniffed: [],
  };
  const dataset: Dataset = {
    name: file.name,
    kind: 'file',
    rowCount: 0,
    rowCountExact: true,
    columns: [],
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
    sizeBytes: 0,
    file: { ...facts, headerRow: null, dataRow: 1 },
  };
  return { file, dataset, findings: [finding], dialect, plans: [], stamp };
}

interface RecordPass {
  names: string[];
  inferences: TypeInference[];
  maxLengths: number[];
  rows: number;
  headerLine: number | undefined;
  findings: Finding[];
  report: RecordStreamReport;
  profile: ScanProfile | undefined;
}

/** Streams every record once: the hot loop of the inventory. */
async function passOverRecords(
  source: string,
  file: SourceFile,
  dialect: CsvDialect,
  signal: AbortSignal | undefined,
  observe: boolean,
): Promise<RecordPass> {
  const options = { decimalHint: dialect.decimalHint, dateOrder: dialect.dateOrder };
  let names: string[] = [];
  let inferences: TypeInference[] = [];
  let maxLengths: number[] = [];
  let width = -1;
  let rows = 0;
  let headerLine: number | undefined;
  let headerFindings: Finding[] = [];
  let raggedCount = 0;
  let tooFew = 0;
  let tooMany = 0;
  const raggedLines: number[] = [];
  const oversized: { line: number; column: string; length: number }[] = [];
  let oversizedCount = 0;
  let profile: ScanProfile | undefined;
  const records = csvRecordChunks(file.path, dialect, { signal, findNul: true });
  let next = await records.next();
  while (!next.done) {
    const chunk = next.value;
    let start = 0;
    if (width < 0) {
      const first = chunk.records[0]!;
      width = first.length;
      if (dialect.header) {
        const header = uniqueHeaderNames(first);
        names = header.names;
        headerLine = chunk.endLines[0]! - newlinesIn(first);
        headerFindings = headerNameFindings(source, file, header, headerLine);
        start = 1;
      } else {
        names = first.map((_, i) => `column_${i + 1}`);
      }
      inferences = names.map(() => new TypeInference(options));
      maxLengths = names.map(() => 0);
      if (observe) profile = new ScanProfile(names, chunk.records.slice(start), options);
    }
    const list = chunk.records;
    for (let r = start; r < list.length; r++) {
      const record = list[r]!;
      const length = record.length;
      if (length !== width) {
        raggedCount++;
        if (length < width) tooFew++;
        else tooMany++;
        if (raggedLines.length < MAX_LISTED_LINES) raggedLines.push(chunk.endLines[r]! - newlinesIn(record));
      }
      const n = Math.min(length, width);
      for (let c = 0; c < n; c++) {
        const value = record[c]!;
        inferences[c]!.addText(value);
        const size = value.length;
        if (size > maxLengths[c]!) {
          maxLengths[c] = size;
          if (size > OVERSIZED_FIELD) {
            oversizedCount++;
            if (oversized.length < MAX_LISTED_LINES)
              oversized.push({ line: chunk.endLines[r]!, column: names[c]!, length: size });
          }
        }
      }
      for (let c = n; c < width; c++) inferences[c]!.addText('');
      if (profile !== undefined) {
        profile.add(record);
        if (!profile.alive) profile = undefined;
      }
    }
    rows += list.length - start;
    next = await records.next();
  }
  const findings = [...headerFindings];
  if (dialect.header && rows === 0 && width >= 0) {
    findings.push({
      code: 'FILE_HEADER_ONLY',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: only a header line, no data rows`,
      evidence: { file: file.path, line: headerLine },
    });
  }
  if (raggedCount > 0) {
    const listed = raggedLines.join(', ') + (raggedCount > raggedLines.length ? ', …' : '');
    findings.push({
      code: 'CSV_RAGGED_ROW',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: ${raggedCount} row(s) do not have ${width} fields (lines ${listed}); missing fields read as empty, extra fields are dropped`,
      evidence: { file: file.path, expected: width, rows: raggedCount, tooFew, tooMany, lines: raggedLines },
    });
  }
  if (oversizedCount > 0) {
    const first = oversized[0]!;
    findings.push({
      code: 'FIELD_OVERSIZED',
      severity: 'warning',
      source,
      dataset: file.name,
      column: first.column,
      message: `${file.path}: ${oversizedCount} field(s) longer than ${OVERSIZED_FIELD} characters, the first at line ${first.line} (column ${first.column}, ${first.length} characters)`,
      evidence: { file: file.path, fields: oversized },
    });
  }
  return { names, inferences, maxLengths, rows, headerLine, findings, report: next.value, profile };
}

/** How many line breaks the fields of a record hold (a record spans that many extra lines). */
export function newlinesIn(record: readonly string[]): number {
  let count = 0;
  for (const field of record) {
    for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) count++;
    if (field.includes('\r')) {
      for (let i = field.indexOf('\r'); i >= 0; i = field.indexOf('\r', i + 1))
        if (field[i + 1] !== '\n') count++;
    }
  }
  return count;
}
