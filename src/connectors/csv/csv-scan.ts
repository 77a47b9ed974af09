/**
 * The inventory pass over one CSV file: sniff its dialect, stream every record once, count rows,
 * note ragged and oversized records, encoding problems and NUL characters, infer each column's type
 * from all of its values and, when a profile follows (`observe`), profile the rows in the same pass.
 * A large UTF-8 file is read as two byte ranges, the second by a worker thread, with the same result.
 */

import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StocktakeError } from '../../core/errors.ts';
import { frCount } from '../../core/french.ts';
import type { Dataset, Finding } from '../../core/inventory.ts';
import type { DatasetObservation } from '../../profilers/observation.ts';
import type { ConversionPlan } from '../../profilers/type-inference-convert.ts';
import { toColumn } from '../files/file-columns.ts';
import { type SourceFile, stampOf } from '../files/file-paths.ts';
import { decodeSample, isUtf8Encoding } from './csv-encoding.ts';
import { RangeThread } from './csv-range-thread.ts';
import { MAX_LISTED_LINES, RecordPass } from './csv-record-pass.ts';
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
  /** Byte ranges the file was read as: 2 when a worker thread read the second. */
  readonly ranges?: 1 | 2;
}

/**
 * With `threads: 2`, files from this size on are scanned as two byte ranges, the second in a worker
 * thread. Not the default: on a 2-core machine the two ranges cost about 40% more CPU in all (two
 * heaps, two sets of tables) and 150 MB more memory for a 118 MB file, for a wall time that gains only
 * when the second core is idle.
 */
export const RANGE_SCAN_BYTES = 16 * 1024 * 1024;
/** The share of the file the first range takes: the worker starts later, and first finds the cut. */
const FIRST_RANGE_SHARE = 0.5;

/** Options of `scanCsvFile`. */
export interface CsvScanOptions {
  /** Profile the rows in the same pass. */
  readonly observe?: boolean;
  /** Scan files from this size (in bytes) on as two ranges in two threads (default: never). */
  readonly rangeScanBytes?: number;
}

/** Scans one file; throws StocktakeError (with file and line) when it cannot be read at all. */
export async function scanCsvFile(
  source: string,
  file: SourceFile,
  config: CsvSourceConfig,
  signal?: AbortSignal,
  options: CsvScanOptions = {},
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
      messageFr: `${file.path} : rien que des blancs et des sauts de ligne (${frCount(info.size)} octets) : ni en-tête ni données`,
      evidence: { file: file.path, bytes: info.size },
    });
  }
  const { pass, report, ranges } = await passOverRecords(source, file, dialect, info.size, signal, options);
  const findings: Finding[] = [];
  if (report.undefinedBytes && !isUtf8Encoding(dialect.encoding)) {
    const { count, line } = report.undefinedBytes;
    findings.push({
      code: 'CSV_ENCODING_UNDEFINED',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: ${count} byte(s) that ${dialect.encoding} does not define (first near line ${line}), read as U+FFFD: the file may be in another encoding (Mac Roman, another code page); set \`encoding\` to read it`,
      messageFr: `${file.path} : ${frCount(count)} octet(s) que ${dialect.encoding} ne définit pas (le premier vers la ligne ${line}), lus comme U+FFFD : le fichier est peut-être dans un autre encodage (Mac Roman, une autre page de code) ; indiquez \`encoding\` pour le lire`,
      evidence: { file: file.path, line, count, encoding: dialect.encoding },
    });
  }
  if (report.currencySigns && dialect.sniffed.includes('encoding')) {
    const { count, line } = report.currencySigns;
    findings.push({
      code: 'CSV_ENCODING_AMBIGUOUS',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: ${count} byte(s) 0xA4 (first near line ${line}) read as Windows-1252's \`¤\`; an ISO-8859-15 (Latin-9) file means \`€\` by that byte: set \`encoding: iso-8859-15\` if the file is Latin-9`,
      messageFr: `${file.path} : ${frCount(count)} octet(s) 0xA4 (le premier vers la ligne ${line}) lus comme le \`¤\` de Windows-1252 ; dans un fichier ISO-8859-15 (Latin-9), cet octet est \`€\` : indiquez \`encoding: iso-8859-15\` si le fichier est en Latin-9`,
      evidence: { file: file.path, line, count, encoding: dialect.encoding },
    });
  }
  if (report.controlBytes && dialect.sniffed.includes('encoding')) {
    const { count, line } = report.controlBytes;
    findings.push({
      code: 'CSV_ENCODING_AMBIGUOUS',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: ${count} byte(s) 0x80–0x9F (first near line ${line}), control codes in ISO-8859-15, which the file was read as; Windows-1252 reads them as \`€\`, \`œ\`, \`’\`…: set \`encoding: windows-1252\` if the file is Windows-1252`,
      messageFr: `${file.path} : ${frCount(count)} octet(s) 0x80–0x9F (le premier vers la ligne ${line}), des caractères de contrôle en ISO-8859-15, encodage dans lequel le fichier a été lu ; Windows-1252 les lit comme \`€\`, \`œ\`, \`’\`… : indiquez \`encoding: windows-1252\` si le fichier est en Windows-1252`,
      evidence: { file: file.path, line, count, encoding: dialect.encoding },
    });
  }
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
        messageFr: `${file.path} : des octets qui ne sont pas de l’UTF-8 vers la ligne ${lines[0]} ; lu comme windows-1252`,
        evidence: { file: file.path, line: lines[0], lines, count: report.notUtf8.count },
      });
    } else {
      findings.push({
        code: 'CSV_ENCODING_MIXED',
        severity: 'warning',
        source,
        dataset: file.name,
        message: `${file.path}: ${report.notUtf8.count} line(s) are not UTF-8 (lines ${listed}); those lines were read as windows-1252, the others as UTF-8`,
        messageFr: `${file.path} : ${frCount(report.notUtf8.count)} ligne(s) ne sont pas en UTF-8 (lignes ${listed}) ; elles ont été lues comme windows-1252, les autres comme UTF-8`,
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
      messageFr: `${file.path} : le fichier s’arrête au milieu d’un caractère UTF-8 à la ligne ${report.truncatedLine} (une copie tronquée ?) ; les octets incomplets ont été lus comme windows-1252`,
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
      messageFr: `${file.path} : ${frCount(report.nul.count)} ligne(s) contiennent des caractères NUL (lignes ${listed}) ; gardés tels quels, bien que beaucoup de bases les refusent dans un texte`,
      evidence: { file: file.path, count: report.nul.count, lines },
    });
  }
  findings.push(...pass.findings());
  const blankLines = report.emptyLines;
  if (blankLines > 0) {
    findings.push({
      code: 'CSV_BLANK_LINES',
      severity: 'info',
      source,
      dataset: file.name,
      message: `${file.path}: ${blankLines} blank line(s) skipped`,
      messageFr: `${file.path} : ${frCount(blankLines)} ligne(s) vide(s) ignorée(s)`,
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
  return { file, dataset, findings, dialect, plans, stamp, ranges, ...(observation ? { observation } : {}) };
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
    messageFr: `${file.path} : le fichier est vide (0 octet)`,
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

/** Streams every record once, as two byte ranges in two threads when the file is large enough. */
async function passOverRecords(
  source: string,
  file: SourceFile,
  dialect: CsvDialect,
  size: number,
  signal: AbortSignal | undefined,
  options: CsvScanOptions,
): Promise<{ pass: RecordPass; report: RecordStreamReport; ranges: 1 | 2 }> {
  const inference = { decimalHint: dialect.decimalHint, dateOrder: dialect.dateOrder };
  const pass = new RecordPass(
    source,
    file,
    dialect.header,
    inference,
    options.observe === true,
    size,
    dialect.preamble ?? 0,
  );
  const ranged =
    isUtf8Encoding(dialect.encoding) && size >= (options.rangeScanBytes ?? Number.POSITIVE_INFINITY);
  const target = Math.floor(size * FIRST_RANGE_SHARE);
  const range = ranged
    ? new RangeThread({ source, file, path: file.path, dialect, options: inference, target })
    : undefined;
  const stop = range && {
    after: target,
    // The first range's columns (and pairs) must be known before the cut, or the worker is not used.
    at: async () => {
      const offset = range.started ? (await range.split)?.offset : undefined;
      if (offset === undefined) range.cancel();
      return offset;
    },
  };
  try {
    let report = await readRange(
      pass,
      csvRecordChunks(file.path, dialect, { signal, findNul: true, stop }),
      range,
    );
    if (report.stoppedAt === undefined) return { pass, report, ranges: 1 };
    const split = await range!.split;
    const result = await range!.result;
    const expected =
      split !== undefined && split.records - (dialect.header ? 1 : 0) - (dialect.preamble ?? 0) === pass.rows;
    let rest: RecordPass;
    let restReport: RecordStreamReport;
    let ranges: 1 | 2 = 2;
    if (result !== undefined && expected && split.lines + 1 === report.nextLine) {
      rest = RecordPass.restore(pass, result.pass);
      restReport = result.report;
    } else {
      // A cut the parity rule got wrong, or a worker that failed: this thread reads the rest.
      rest = RecordPass.continuing(pass, pass.continuation()!, pass.rows);
      const records = csvRecordChunks(file.path, dialect, {
        signal,
        findNul: true,
        start: report.stoppedAt,
        firstLine: report.nextLine,
      });
      restReport = await readRange(rest, records, undefined);
      ranges = 1;
    }
    pass.merge(rest);
    report = mergeReports(report, restReport);
    return { pass, report, ranges };
  } finally {
    range?.cancel();
  }
}

/** Feeds a record stream to a pass; hands the worker its start as soon as the pass can give it. */
async function readRange(
  pass: RecordPass,
  records: AsyncGenerator<{ records: string[][]; endLines: number[] }, RecordStreamReport>,
  range: RangeThread | undefined,
): Promise<RecordStreamReport> {
  let next = await records.next();
  while (!next.done) {
    pass.add(next.value);
    if (range !== undefined && !range.started) {
      const continuation = pass.continuation();
      if (continuation !== undefined) range.start(continuation);
    }
    next = await records.next();
  }
  return next.value;
}

/** The report of a file read as two ranges: the first range's, then the second's. */
function mergeReports(first: RecordStreamReport, second: RecordStreamReport): RecordStreamReport {
  const lines = (a: number[], b: number[]) => [...a, ...b].slice(0, MAX_LISTED_LINES);
  return {
    emptyLines: first.emptyLines + second.emptyLines,
    notUtf8: {
      count: first.notUtf8.count + second.notUtf8.count,
      lines: lines(first.notUtf8.lines, second.notUtf8.lines),
    },
    utf8Text: first.utf8Text || second.utf8Text,
    truncatedLine: second.truncatedLine,
    nul: { count: first.nul.count + second.nul.count, lines: lines(first.nul.lines, second.nul.lines) },
    nextLine: second.nextLine,
  };
}
