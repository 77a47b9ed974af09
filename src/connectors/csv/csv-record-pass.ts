/**
 * What the inventory pass learns from a CSV file's records, record by record: the header, each
 * column's type inference and longest value, ragged and oversized records, the row count and (when
 * observed) the profile. The hot loop of the inventory. A file read as two byte ranges has one pass
 * per range; the second starts from the first one's `continuation()`, travels between threads as
 * `state()`, and `merge` gives what one pass over the whole file gives.
 */
import { frCount } from '../../core/french.ts';
import type { Finding } from '../../core/inventory.ts';
import type { TypeInferenceOptions } from '../../profilers/type-inference.ts';
import { TypeInference } from '../../profilers/type-inference.ts';
import type { ConversionPlan } from '../../profilers/type-inference-convert.ts';
import { headerNameFindings } from '../files/file-columns.ts';
import { uniqueHeaderNames } from '../files/file-headers.ts';
import type { SourceFile } from '../files/file-paths.ts';
import { ScanProfile, type ScanProfileState } from './csv-observe.ts';
import type { RecordChunk } from './csv-records.ts';

/** Line numbers listed in a finding; the count covers them all. */
export const MAX_LISTED_LINES = 20;
/** A field longer than this (in characters) is reported. */
export const OVERSIZED_FIELD = 1024 * 1024;

/** What the pass over a second byte range needs from the first range's pass. */
export interface PassContinuation {
  readonly names: string[];
  readonly width: number;
  /** The profile's plans and pairs; undefined when the rows are not profiled. */
  readonly profile: { readonly plans: ConversionPlan[]; readonly pairColumns: number[] } | undefined;
  /** The rows the whole file is expected to hold (an estimate from its first rows). */
  readonly expectedRows?: number;
}

/** A field longer than `OVERSIZED_FIELD` that was the longest of its column so far. */
interface OversizedField {
  readonly line: number;
  readonly column: number;
  readonly length: number;
}

/** A pass as plain data, for `postMessage`. */
export interface RecordPassState {
  readonly names: string[];
  readonly width: number;
  readonly counts: Float64Array[];
  readonly maxLengths: number[];
  readonly rows: number;
  readonly ragged: { count: number; tooFew: number; tooMany: number; lines: number[] };
  readonly oversized: OversizedField[];
  readonly profile: ScanProfileState | undefined;
}

/** Accumulates everything the scan learns from the records of one file (or of one byte range of it). */
export class RecordPass {
  names: string[] = [];
  inferences: TypeInference[] = [];
  maxLengths: number[] = [];
  width = -1;
  rows = 0;
  headerLine: number | undefined;
  headerFindings: Finding[] = [];
  profile: ScanProfile | undefined;
  readonly #ragged = { count: 0, tooFew: 0, tooMany: 0, lines: [] as number[] };
  /** Every new longest value past the limit, in order (a second range's are checked again at merge). */
  readonly #oversized: OversizedField[] = [];
  readonly #options: TypeInferenceOptions;
  #estimatedRows = 0;
  #classes = new Uint8Array(0);
  #preamble = 0;

  constructor(
    readonly source: string,
    readonly file: SourceFile,
    readonly header: boolean,
    options: TypeInferenceOptions,
    readonly observe: boolean,
    /** Bytes the pass will read, to estimate its rows from the first ones. */
    readonly bytes = 0,
    /** Records before the header that are skipped (Excel's `sep=;` line). */
    preamble = 0,
  ) {
    this.#options = options;
    this.#preamble = preamble;
  }

  /** The pass of the records that follow a first range's, with that range's columns, plans and pairs. */
  static continuing(
    base: RecordPass | { source: string; file: SourceFile; options: TypeInferenceOptions },
    continuation: PassContinuation,
    firstRow: number,
  ): RecordPass {
    const options = base instanceof RecordPass ? base.#options : base.options;
    const pass = new RecordPass(base.source, base.file, false, options, continuation.profile !== undefined);
    pass.#begin(continuation.names, continuation.width);
    const profile = continuation.profile;
    if (profile !== undefined) {
      pass.profile = new ScanProfile(pass.names, profile.plans, {
        firstRow,
        pairColumns: profile.pairColumns,
        ...(continuation.expectedRows === undefined
          ? {}
          : { expectedRows: Math.max(0, continuation.expectedRows - firstRow) }),
      });
    }
    return pass;
  }

  /** What a second range needs; undefined until the header is read and the profile chose its pairs. */
  continuation(): PassContinuation | undefined {
    if (this.width < 0) return undefined;
    const profile = this.profile;
    if (profile === undefined) return { names: this.names, width: this.width, profile: undefined };
    const pairColumns = profile.pairColumns;
    if (pairColumns === undefined) return undefined;
    return {
      names: this.names,
      width: this.width,
      profile: { plans: [...profile.plans], pairColumns: [...pairColumns] },
      expectedRows: this.#estimatedRows,
    };
  }

  /** Adds the records of one chunk (the first chunk of a file starts with its header). */
  add(chunk: RecordChunk): void {
    let start = 0;
    let list = chunk.records;
    let endLines = chunk.endLines;
    if (this.#preamble > 0) {
      const skipped = Math.min(this.#preamble, list.length);
      this.#preamble -= skipped;
      list = list.slice(skipped);
      endLines = endLines.slice(skipped);
      if (list.length === 0) return;
      chunk = { ...chunk, records: list, endLines };
    }
    if (this.width < 0) {
      const first = list[0]!;
      if (this.header) {
        const header = uniqueHeaderNames(first);
        this.headerLine = chunk.endLines[0]! - newlinesIn(first);
        this.headerFindings = headerNameFindings(this.source, this.file, header, this.headerLine);
        this.#begin(header.names, first.length);
        start = 1;
      } else {
        this.#begin(
          first.map((_, i) => `column_${i + 1}`),
          first.length,
        );
      }
      if (this.observe) {
        const records = list.slice(start);
        this.#estimatedRows = this.#expectedRows(records);
        this.profile = ScanProfile.guess(this.names, records, this.#options, this.#estimatedRows);
      }
    }
    const width = this.width;
    const inferences = this.inferences;
    const maxLengths = this.maxLengths;
    let profile = this.profile;
    // Each field's class, counted by the inference and read again by the profile's conversion.
    if (this.#classes.length !== width) this.#classes = new Uint8Array(width);
    const classes = this.#classes;
    for (let r = start; r < list.length; r++) {
      const record = list[r]!;
      const length = record.length;
      if (length !== width) this.#noteRagged(record, chunk.endLines[r]!);
      const n = Math.min(length, width);
      for (let c = 0; c < n; c++) {
        const value = record[c]!;
        classes[c] = inferences[c]!.addText(value);
        const size = value.length;
        if (size > maxLengths[c]!) {
          maxLengths[c] = size;
          if (size > OVERSIZED_FIELD)
            this.#oversized.push({ line: chunk.endLines[r]!, column: c, length: size });
        }
      }
      for (let c = n; c < width; c++) inferences[c]!.addText('');
      if (profile !== undefined) {
        profile.add(record, classes);
        if (!profile.alive) profile = this.profile = undefined;
      }
    }
    this.rows += list.length - start;
  }

  /** Adds the pass over the records that follow this one's (`other` is spent). */
  merge(other: RecordPass): void {
    for (let c = 0; c < this.width; c++) this.inferences[c]!.merge(other.inferences[c]!);
    // A second range's new longest values count only if longer than everything before them.
    for (const field of other.#oversized) {
      if (field.length <= this.maxLengths[field.column]!) continue;
      this.maxLengths[field.column] = field.length;
      this.#oversized.push(field);
    }
    const ragged = this.#ragged;
    const theirs = other.#ragged;
    ragged.count += theirs.count;
    ragged.tooFew += theirs.tooFew;
    ragged.tooMany += theirs.tooMany;
    for (const line of theirs.lines) if (ragged.lines.length < MAX_LISTED_LINES) ragged.lines.push(line);
    this.rows += other.rows;
    if (this.profile !== undefined && other.profile !== undefined) this.profile.merge(other.profile);
    else this.profile = undefined;
  }

  /** The findings about the records: header only, ragged rows, oversized fields. */
  findings(): Finding[] {
    const { source, file } = this;
    const findings = [...this.headerFindings];
    if (this.header && this.rows === 0 && this.width >= 0) {
      findings.push({
        code: 'FILE_HEADER_ONLY',
        severity: 'warning',
        source,
        dataset: file.name,
        message: `${file.path}: only a header line, no data rows`,
        messageFr: `${file.path} : une ligne d’en-tête seulement, aucune ligne de données`,
        evidence: { file: file.path, line: this.headerLine },
      });
    }
    const ragged = this.#ragged;
    if (ragged.count > 0) {
      const listed = ragged.lines.join(', ') + (ragged.count > ragged.lines.length ? ', …' : '');
      findings.push({
        code: 'CSV_RAGGED_ROW',
        severity: 'warning',
        source,
        dataset: file.name,
        message: `${file.path}: ${ragged.count} row(s) do not have ${this.width} fields (lines ${listed}); missing fields read as empty; extra fields are left out of the profile, and a migration rejects their rows (REJECT_SOURCE_ROW)`,
        messageFr: `${file.path} : ${frCount(ragged.count)} ligne(s) n’ont pas ${this.width} champs (lignes ${listed}) ; les champs manquants sont lus comme vides ; les champs en trop sont laissés hors du profil, et une migration rejette ces lignes (REJECT_SOURCE_ROW)`,
        evidence: {
          file: file.path,
          expected: this.width,
          rows: ragged.count,
          tooFew: ragged.tooFew,
          tooMany: ragged.tooMany,
          lines: ragged.lines,
        },
      });
    }
    if (this.#oversized.length > 0) {
      const fields = this.#oversized
        .slice(0, MAX_LISTED_LINES)
        .map((f) => ({ line: f.line, column: this.names[f.column]!, length: f.length }));
      const first = fields[0]!;
      findings.push({
        code: 'FIELD_OVERSIZED',
        severity: 'warning',
        source,
        dataset: file.name,
        column: first.column,
        message: `${file.path}: ${this.#oversized.length} field(s) longer than ${OVERSIZED_FIELD} characters, the first at line ${first.line} (column ${first.column}, ${first.length} characters)`,
        messageFr: `${file.path} : ${frCount(this.#oversized.length)} champ(s) de plus de ${frCount(OVERSIZED_FIELD)} caractères, le premier à la ligne ${first.line} (colonne ${first.column}, ${frCount(first.length)} caractères)`,
        evidence: { file: file.path, fields },
      });
    }
    return findings;
  }

  /** Plain data for `restore` in another thread (the pass is spent). */
  state(): RecordPassState {
    return {
      names: this.names,
      width: this.width,
      counts: this.inferences.map((inference) => inference.counts),
      maxLengths: this.maxLengths,
      rows: this.rows,
      ragged: this.#ragged,
      oversized: this.#oversized,
      profile: this.profile?.state(),
    };
  }

  /** Rebuilds a second range's pass from `state()`. */
  static restore(base: RecordPass, state: RecordPassState): RecordPass {
    const pass = new RecordPass(base.source, base.file, false, base.#options, state.profile !== undefined);
    pass.#begin(state.names, state.width);
    state.counts.forEach((counts, c) => {
      pass.inferences[c]!.counts.set(counts);
    });
    pass.maxLengths = state.maxLengths;
    pass.rows = state.rows;
    Object.assign(pass.#ragged, state.ragged);
    pass.#oversized.push(...state.oversized);
    if (state.profile !== undefined) pass.profile = ScanProfile.restore(state.names, state.profile);
    return pass;
  }

  #begin(names: string[], width: number): void {
    this.names = names;
    this.width = width;
    this.inferences = names.map(() => new TypeInference(this.#options));
    this.maxLengths = names.map(() => 0);
  }

  /** The rows a file of `bytes` holds if its records are as long as these (UTF-16 units as bytes). */
  #expectedRows(records: readonly string[][]): number {
    let size = 0;
    for (const record of records) for (const value of record) size += value.length + 1;
    return records.length === 0 || size === 0 ? 0 : Math.ceil((this.bytes / size) * records.length * 1.05);
  }

  #noteRagged(record: readonly string[], endLine: number): void {
    const ragged = this.#ragged;
    ragged.count++;
    if (record.length < this.width) ragged.tooFew++;
    else ragged.tooMany++;
    if (ragged.lines.length < MAX_LISTED_LINES) ragged.lines.push(endLine - newlinesIn(record));
  }
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
