/**
 * The rejects files of a run: `rejects.csv` for people (spreadsheet-safe: a value starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so that no formula runs; plain numbers stay;
 * a NUL character is shown as ␀) and
 * `rejects.jsonl` for tools. Both are written as rows arrive, so memory stays flat. A file that cannot be
 * written (disk full, permissions) stops the run with REJECTS_UNWRITABLE naming it: a resumed run writes
 * both files again from the start, every rejected row once, so nothing is lost.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StocktakeError } from '../core/errors.ts';
import { redact } from '../core/secrets.ts';
import { neutraliseFormula } from '../core/spreadsheet-safe.ts';
import type { RejectRecord, RejectSink } from './rejects.ts';

const HEADER = ['mapping', 'row', 'key', 'source_key', 'field', 'value', 'reason', 'code'];

/** Neutralises a CSV cell that a spreadsheet would run as a formula; a plain number such as `-3` stays one. */
export const neutraliseCell = neutraliseFormula;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  // A NUL character, which spreadsheets and CSV readers stop at, is shown as ␀ (rejects.jsonl keeps it).
  const text = neutraliseCell(typeof value === 'string' ? value : JSON.stringify(value)).replaceAll(
    '\u0000',
    '\u2400',
  );
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes rejects.csv and rejects.jsonl in a folder; `close` ends both. The files are created (an earlier
 * run's replaced) at the first reject or at `open`, so a run refused before it starts leaves the last
 * run's rejects as they were. While `hold` is in force (a saved plan checked against every mapping before
 * anything is written), rejects go to `.pending` files beside them: `release` puts those in the place of
 * the last run's, `discard` (or `close` still held: the run was refused) removes them.
 */
export class RejectsFiles implements RejectSink {
  readonly files: readonly string[];
  #csv: number | undefined;
  #jsonl: number | undefined;
  #closed = false;
  #created = false;
  #held = false;
  count = 0;

  constructor(dir: string) {
    this.files = [join(dir, 'rejects.csv'), join(dir, 'rejects.jsonl')];
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw unwritable(dir, error);
    }
  }

  /** True once the files are created (by a reject or by `open`). */
  get created(): boolean {
    return this.#created;
  }

  /** Sends the rejects to pending files until `release` or `discard`; see the class comment. */
  hold(): void {
    if (this.#csv === undefined) this.#held = true;
  }

  /** Ends `hold`: the pending files, if a reject came, replace the last run's. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    if (this.#csv === undefined) return;
    for (const file of this.files) {
      try {
        renameSync(pending(file), file);
      } catch (error) {
        throw unwritable(file, error);
      }
    }
    this.#created = true;
  }

  /** Ends `hold` and removes the pending files: the run was refused, the last run's rejects stay. */
  discard(): void {
    if (!this.#held) return;
    this.#closeFiles();
    for (const file of this.files) rmSync(pending(file), { force: true });
    this.count = 0;
    this.#held = false;
  }

  /** Creates both files (empty but for the CSV header) unless they are open already. */
  open(): void {
    if (this.#csv !== undefined || this.#closed) return;
    const [csv, jsonl] = this.#held ? this.files.map(pending) : this.files;
    this.#csv = openFile(csv!);
    this.#jsonl = openFile(jsonl!);
    if (!this.#held) this.#created = true;
    // A BOM lets spreadsheets open the UTF-8 file with its accents.
    writeAll(this.#csv, this.files[0]!, `\ufeff${HEADER.join(',')}\r\n`);
  }

  /** Appends one rejected row to both files. */
  write(record: RejectRecord): void {
    this.open();
    if (this.#csv === undefined || this.#jsonl === undefined) return;
    this.count++;
    const cells = [
      record.mapping,
      record.row,
      record.key,
      record.sourceKey,
      record.field,
      record.value,
      record.reason,
      record.code,
    ];
    writeAll(this.#csv, this.files[0]!, `${redact(cells.map(csvCell).join(','))}\r\n`);
    writeAll(this.#jsonl, this.files[1]!, `${redact(JSON.stringify(record))}\n`);
  }

  /** Closes the files (removing pending ones still held). Safe to call twice; nothing is written after. */
  close(): void {
    this.discard();
    this.#closed = true;
    this.#closeFiles();
  }

  #closeFiles(): void {
    if (this.#csv !== undefined) closeSync(this.#csv);
    if (this.#jsonl !== undefined) closeSync(this.#jsonl);
    this.#csv = undefined;
    this.#jsonl = undefined;
  }
}

/** Where a rejects file is written while held. */
function pending(file: string): string {
  return `${file}.pending`;
}

function openFile(file: string): number {
  try {
    return openSync(file, 'w');
  } catch (error) {
    throw unwritable(file, error);
  }
}

// writeSync may write part of a buffer: the rest is written until none is left.
function writeAll(fd: number, file: string, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (error) {
    throw unwritable(file, error);
  }
}

function unwritable(file: string, error: unknown): StocktakeError {
  const code = (error as { code?: string }).code ?? 'EIO';
  const reason = code === 'ENOSPC' ? 'the disk is full' : `the system refused the write (${code})`;
  return new StocktakeError('REJECTS_UNWRITABLE', `${file}: rejected rows cannot be written: ${reason}`, {
    hint: 'free some space or write the outputs elsewhere (-o), then run `stocktake migrate --resume`: the rejects files are written again in full',
    context: { file, systemCode: code },
    cause: error,
  });
}
