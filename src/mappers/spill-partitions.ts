/**
 * Rows partitioned by the hash of their key, in memory up to a budget and then spilled to a temporary
 * file of tab-separated lines (in `os.tmpdir()`, removed on close; each spill appends one segment per
 * partition and notes where it lies). A diff then
 * loads one partition of each side at a time, so memory is bounded by the budget and the largest
 * partition, whatever the order the sides were read in.
 *
 * A row is kept as its JSON text from the moment it is added, in memory as on disk: one flat string
 * per row instead of an array of values weighs a third as much, costs the garbage collector one object
 * instead of seven, gives the byte budget an exact measure, and spilling a partition is a join. Rows are
 * decoded only when used (`rowAt`): a plan with few changes never decodes most of them.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Value } from '../connectors/types.ts';
import { hashKeyText } from './canonical-hash.ts';

/** Rows of a diff (both sides) kept in memory before spilling, by default. */
export const DEFAULT_MEMORY_ROWS = 200_000;

/**
 * Bytes of keys and row texts one store keeps in memory before spilling, whatever the row count: wide
 * rows spill sooner, so that a plan or a migration stays within a few hundred megabytes at any size.
 */
export const DEFAULT_MEMORY_BYTES = 16 << 20;

// What a record costs besides its key and row text: four array slots and two string headers.
const RECORD_OVERHEAD = 64;

/** The records of one partition, in the order they were added: parallel arrays, one entry per row. */
export interface PartitionRecords {
  readonly keys: string[];
  readonly highs: number[];
  readonly lows: number[];
  /**
   * The row's JSON text (decoded by `rowAt` only when needed: a diff with few changes never decodes most
   * rows), or its values once decoded; null marks a key kept without a row (a rejected source row whose
   * key is known).
   */
  readonly rows: (Value[] | string | null)[];
}

/** The values of record `i`, decoded from their text on first use; null for a key kept without a row. */
export function rowAt(records: PartitionRecords, i: number): Value[] | null {
  const row = records.rows[i];
  if (typeof row !== 'string') return row ?? null;
  const decoded = decodeRow(JSON.parse(row) as Value[]);
  records.rows[i] = decoded;
  return decoded;
}

/** The text a row is kept as (JSON, with bigint, bytes and non-finite numbers tagged). */
export function rowText(row: readonly Value[]): string {
  const encoded = encodeRow(row);
  try {
    return JSON.stringify(encoded);
  } catch {
    // A bigint nested in a JSON value (JSON.stringify refuses them): kept as its digits.
    return JSON.stringify(encoded, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

/** The partition count for about `expectedRows` rows: each partition loads within a fraction of the budget. */
export function partitionCountFor(expectedRows: number, budgetRows: number): number {
  const wanted = Math.ceil((expectedRows * 8) / Math.max(1, budgetRows));
  let n = 16;
  while (n < wanted && n < 4096) n *= 2;
  return n;
}

const BIGINT_TAG = '\u0000n';
const BYTES_TAG = '\u0000b';
const NUMBER_TAG = '\u0000f';
const liveDirectories = new Set<string>();
let exitHookInstalled = false;

/** One side of a diff (source or target), partitioned by key hash. */
export class PartitionStore {
  readonly partitions: number;
  readonly #budget: number;
  readonly #budgetBytes: number;
  readonly #memory: PartitionRecords[];
  /** Per partition, the byte offset and length of each of its segments in the spill file. */
  readonly #segments: number[][];
  #inMemory = 0;
  #bytes = 0;
  #size = 0;
  #spills = 0;
  #directory: string | undefined;
  #fd: number | undefined;
  #written = 0;
  #label: string;

  /** `budgetRows` and `budgetBytes` bound what stays in memory: the first reached spills. */
  constructor(
    partitions: number,
    budgetRows = DEFAULT_MEMORY_ROWS,
    label = 'rows',
    budgetBytes = DEFAULT_MEMORY_BYTES,
  ) {
    this.partitions = partitions;
    this.#budget = budgetRows;
    this.#budgetBytes = budgetBytes;
    this.#label = label.replace(/[^A-Za-z0-9_-]/g, '_');
    this.#memory = [];
    this.#segments = [];
    for (let p = 0; p < partitions; p++) {
      this.#memory.push(emptyRecords());
      this.#segments.push([]);
    }
  }

  /** Rows added. */
  get size(): number {
    return this.#size;
  }

  /** True when some rows went to disk. */
  get spilled(): boolean {
    return this.#fd !== undefined;
  }

  /** How many times the rows in memory went to disk. */
  get spills(): number {
    return this.#spills;
  }

  /** The partition of a key. */
  partitionOf(key: string): number {
    return hashKeyText(key) & (this.partitions - 1);
  }

  /**
   * Adds one record (a row's values, or its text from `rowText`); spills every partition to disk when
   * the memory budget is reached.
   */
  add(key: string, high: number, low: number, row: readonly Value[] | string | null): void {
    const records = this.#memory[hashKeyText(key) & (this.partitions - 1)]!;
    const text = row === null || typeof row === 'string' ? row : rowText(row);
    records.keys.push(key);
    records.highs.push(high);
    records.lows.push(low);
    records.rows.push(text);
    this.#size++;
    this.#bytes += RECORD_OVERHEAD + key.length + (text === null ? 0 : text.length);
    if (++this.#inMemory >= this.#budget || this.#bytes >= this.#budgetBytes) this.spill();
  }

  /**
   * Appends the rows held in memory to the store's one spill file, a segment per partition: thousands
   * of partitions cost positioned writes to one open file, not a file each.
   */
  spill(): void {
    if (this.#inMemory === 0) return;
    const fd = this.#open();
    for (let p = 0; p < this.partitions; p++) {
      const { keys, highs, lows, rows } = this.#memory[p]!;
      if (keys.length === 0) continue;
      let text = '';
      for (let i = 0; i < keys.length; i++) {
        const row = rows[i]!;
        const json = row === null ? 'null' : typeof row === 'string' ? row : rowText(row);
        text += `${keyField(keys[i]!)}\t${highs[i]}\t${lows[i]}\t${json}\n`;
      }
      const bytes = Buffer.from(text, 'utf8');
      let done = 0;
      while (done < bytes.length)
        done += writeSync(fd, bytes, done, bytes.length - done, this.#written + done);
      this.#segments[p]!.push(this.#written, bytes.length);
      this.#written += bytes.length;
      this.#memory[p] = emptyRecords();
    }
    this.#inMemory = 0;
    this.#bytes = 0;
    this.#spills++;
  }

  /** The records of partition `p`: spilled ones first, then those in memory, in the order added. */
  load(p: number): PartitionRecords {
    const memory = this.#memory[p]!;
    const segments = this.#segments[p]!;
    if (segments.length === 0 || this.#fd === undefined) return memory;
    let total = 0;
    for (let s = 1; s < segments.length; s += 2) total += segments[s]!;
    const buffer = Buffer.allocUnsafe(total);
    let filled = 0;
    for (let s = 0; s < segments.length; s += 2) {
      const length = segments[s + 1]!;
      let read = 0;
      while (read < length)
        read += readSync(this.#fd, buffer, filled + read, length - read, segments[s]! + read);
      filled += length;
    }
    const text = buffer.toString('utf8');
    const out = emptyRecords();
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (end > start) {
        // Keys are written raw or as JSON strings, which hold no raw tab: the first tab ends the key.
        const a = text.indexOf('\t', start);
        const b = text.indexOf('\t', a + 1);
        const c = text.indexOf('\t', b + 1);
        const field = text.slice(start, a);
        out.keys.push(field.charCodeAt(0) === QUOTE ? (JSON.parse(field) as string) : field);
        out.highs.push(Number(text.slice(a + 1, b)));
        out.lows.push(Number(text.slice(b + 1, c)));
        const row = text.slice(c + 1, end);
        out.rows.push(row === 'null' ? null : row);
      }
      start = end + 1;
    }
    for (let i = 0; i < memory.keys.length; i++) {
      out.keys.push(memory.keys[i]!);
      out.highs.push(memory.highs[i]!);
      out.lows.push(memory.lows[i]!);
      out.rows.push(memory.rows[i]!);
    }
    return out;
  }

  /** Drops the rows and removes the temporary file. Safe to call twice. */
  close(): void {
    for (let p = 0; p < this.partitions; p++) {
      this.#memory[p] = emptyRecords();
      this.#segments[p] = [];
    }
    this.#inMemory = 0;
    this.#bytes = 0;
    if (this.#fd !== undefined) {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
    if (this.#directory) {
      rmSync(this.#directory, { recursive: true, force: true });
      liveDirectories.delete(this.#directory);
      this.#directory = undefined;
    }
  }

  #open(): number {
    if (this.#fd !== undefined) return this.#fd;
    const directory = mkdtempSync(join(tmpdir(), 'stocktake-diff-'));
    this.#directory = directory;
    liveDirectories.add(directory);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      // A run that exits early (error, interruption) still removes its spill files.
      process.once('exit', () => {
        for (const d of liveDirectories) rmSync(d, { recursive: true, force: true });
      });
    }
    this.#fd = openSync(join(directory, `${this.#label}.tsv`), 'w+');
    return this.#fd;
  }
}

function emptyRecords(): PartitionRecords {
  return { keys: [], highs: [], lows: [], rows: [] };
}

const QUOTE = 0x22;
const KEY_SPECIAL = /[\t\n\r]/;

// A key is written as is, unless a tab or line break would cut its line or a quote would read as JSON.
function keyField(key: string): string {
  return key.charCodeAt(0) === QUOTE || KEY_SPECIAL.test(key) ? JSON.stringify(key) : key;
}

// JSON has no bigint, bytes, NaN or infinities: they are written as tagged objects and restored on load.
function encodeRow(row: readonly Value[]): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (typeof value === 'bigint') {
      out ??= row.slice();
      out[i] = { [BIGINT_TAG]: value.toString() };
    } else if (value instanceof Uint8Array) {
      out ??= row.slice();
      out[i] = { [BYTES_TAG]: Buffer.from(value).toString('base64') };
    } else if (typeof value === 'number' && !Number.isFinite(value)) {
      out ??= row.slice();
      out[i] = { [NUMBER_TAG]: String(value) };
    }
  }
  return out ?? row;
}

function decodeRow(row: Value[]): Value[] {
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const record = value as Record<string, unknown>;
    if (typeof record[BIGINT_TAG] === 'string') row[i] = BigInt(record[BIGINT_TAG] as string);
    else if (typeof record[BYTES_TAG] === 'string')
      row[i] = new Uint8Array(Buffer.from(record[BYTES_TAG] as string, 'base64'));
    else if (typeof record[NUMBER_TAG] === 'string') row[i] = Number(record[NUMBER_TAG]);
  }
  return row;
}
