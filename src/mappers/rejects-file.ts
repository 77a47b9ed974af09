/**
 * The rejects files of a run: `rejects.csv` for people (spreadsheet-safe: a value starting with `=`,
 * `+`, `-`, `@`, a tab or a carriage return is prefixed with `'` so that no formula runs; plain numbers stay) and
 * `rejects.jsonl` for tools. Both are written as rows arrive, so memory stays flat.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { redact } from '../core/secrets.ts';
import { neutraliseFormula } from '../core/spreadsheet-safe.ts';
import type { RejectRecord, RejectSink } from './rejects.ts';

const HEADER = ['mapping', 'row', 'key', 'source_key', 'field', 'value', 'reason', 'code'];

/** Neutralises a CSV cell that a spreadsheet would run as a formula; a plain number such as `-3` stays one. */
export const neutraliseCell = neutraliseFormula;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = neutraliseCell(typeof value === 'string' ? value : JSON.stringify(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Writes rejects.csv and rejects.jsonl in a folder; `close` ends both. */
export class RejectsFiles implements RejectSink {
  readonly files: readonly string[];
  #csv: number | undefined;
  #jsonl: number | undefined;
  count = 0;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.files = [join(dir, 'rejects.csv'), join(dir, 'rejects.jsonl')];
    this.#csv = openSync(this.files[0]!, 'w');
    this.#jsonl = openSync(this.files[1]!, 'w');
    // A BOM lets spreadsheets open the UTF-8 file with its accents.
    writeSync(this.#csv, `\ufeff${HEADER.join(',')}\r\n`);
  }

  /** Appends one rejected row to both files. */
  write(record: RejectRecord): void {
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
    writeSync(this.#csv, `${redact(cells.map(csvCell).join(','))}\r\n`);
    writeSync(this.#jsonl, `${redact(JSON.stringify(record))}\n`);
  }

  /** Closes the files. Safe to call twice. */
  close(): void {
    if (this.#csv !== undefined) closeSync(this.#csv);
    if (this.#jsonl !== undefined) closeSync(this.#jsonl);
    this.#csv = undefined;
    this.#jsonl = undefined;
  }
}
