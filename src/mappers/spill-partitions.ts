/**
 * Rows partitioned by the hash of their key, in memory up to a budget and then spilled to temporary
 * JSON-lines files (one per partition, in `os.tmpdir()`, removed on close). A diff then loads one
 * partition of each side at a time, so memory is bounded by the budget and the largest partition,
 * whatever the order the sides were read in.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Value } from '../connectors/types.ts';
import { hashKeyText } from './canonical-hash.ts';

/** Rows of a diff (both sides) kept in memory before spilling, by default. */
export const DEFAULT_MEMORY_ROWS = 200_000;

/** The records of one partition, in the order they were added: parallel arrays, one entry per row. */
export interface PartitionRecords {
  readonly keys: string[];
  readonly highs: number[];
  readonly lows: number[];
  /**
   * The row's values, or their JSON text when the row came back from disk (decoded by `rowAt` only when
   * needed: a diff with few changes never decodes most rows); null marks a key kept without a row (a
   * rejected source row whose key is known).
   */
  readonly rows: (Value[] | string | null)[];
}

/** The values of record `i`, decoded from disk on first use; null for a key kept without a row. */
export function rowAt(records: PartitionRecords, i: number): Value[] | null {
  const row = records.rows[i];
  if (typeof row !== 'string') return row ?? null;
  const decoded = decodeRow(JSON.parse(row) as Value[]);
  records.rows[i] = decoded;
  return decoded;
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
const liveDirectories = new Set<string>();
let exitHookInstalled = false;

/** One side of a diff (source or target), partitioned by key hash. */
export class PartitionStore {
  readonly partitions: number;
  readonly #budget: number;
  readonly #memory: PartitionRecords[];
  readonly #files: (string | undefined)[];
  #inMemory = 0;
  #size = 0;
  #directory: string | undefined;
  #label: string;

  constructor(partitions: number, budgetRows = DEFAULT_MEMORY_ROWS, label = 'rows') {
    this.partitions = partitions;
    this.#budget = budgetRows;
    this.#label = label.replace(/[^A-Za-z0-9_-]/g, '_');
    this.#memory = [];
    for (let p = 0; p < partitions; p++) this.#memory.push(emptyRecords());
    this.#files = new Array(partitions).fill(undefined);
  }

  /** Rows added. */
  get size(): number {
    return this.#size;
  }

  /** True when some rows went to disk. */
  get spilled(): boolean {
    return this.#directory !== undefined;
  }

  /** The partition of a key. */
  partitionOf(key: string): number {
    return hashKeyText(key) & (this.partitions - 1);
  }

  /** Adds one record; spills every partition to disk when the memory budget is reached. */
  add(key: string, high: number, low: number, row: Value[] | string | null): void {
    const records = this.#memory[hashKeyText(key) & (this.partitions - 1)]!;
    records.keys.push(key);
    records.highs.push(high);
    records.lows.push(low);
    records.rows.push(row);
    this.#size++;
    if (++this.#inMemory >= this.#budget) this.spill();
  }

  /** Writes the rows held in memory to the partition files. */
  spill(): void {
    if (this.#inMemory === 0) return;
    const directory = this.#ensureDirectory();
    for (let p = 0; p < this.partitions; p++) {
      const records = this.#memory[p]!;
      if (records.keys.length === 0) continue;
      let file = this.#files[p];
      if (file === undefined) {
        file = join(directory, `${this.#label}-${p}.jsonl`);
        this.#files[p] = file;
      }
      const lines: string[] = new Array(records.keys.length);
      for (let i = 0; i < records.keys.length; i++) {
        const row = records.rows[i]!;
        const text = row === null ? 'null' : typeof row === 'string' ? row : JSON.stringify(encodeRow(row));
        lines[i] = `${JSON.stringify(records.keys[i])}\t${records.highs[i]}\t${records.lows[i]}\t${text}`;
      }
      const fd = openSync(file, 'a');
      try {
        writeSync(fd, `${lines.join('\n')}\n`);
      } finally {
        closeSync(fd);
      }
      this.#memory[p] = emptyRecords();
    }
    this.#inMemory = 0;
  }

  /** The records of partition `p`: spilled ones first, then those in memory, in the order added. */
  load(p: number): PartitionRecords {
    const memory = this.#memory[p]!;
    const file = this.#files[p];
    if (file === undefined) return memory;
    const out = emptyRecords();
    const text = readFileSync(file, 'utf8');
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (end > start) {
        // A JSON string holds no raw tab, so the first tab ends the key.
        const a = text.indexOf('\t', start);
        const b = text.indexOf('\t', a + 1);
        const c = text.indexOf('\t', b + 1);
        const quoted = text.slice(start, a);
        out.keys.push(quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1));
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

  /** Drops the rows and removes the temporary files. Safe to call twice. */
  close(): void {
    for (let p = 0; p < this.partitions; p++) this.#memory[p] = emptyRecords();
    this.#inMemory = 0;
    if (this.#directory) {
      rmSync(this.#directory, { recursive: true, force: true });
      liveDirectories.delete(this.#directory);
      this.#directory = undefined;
    }
  }

  #ensureDirectory(): string {
    if (!this.#directory) {
      this.#directory = mkdtempSync(join(tmpdir(), 'stocktake-diff-'));
      liveDirectories.add(this.#directory);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        // A run that exits early (error, interruption) still removes its spill files.
        process.once('exit', () => {
          for (const directory of liveDirectories) rmSync(directory, { recursive: true, force: true });
        });
      }
    }
    return this.#directory;
  }
}

function emptyRecords(): PartitionRecords {
  return { keys: [], highs: [], lows: [], rows: [] };
}

// JSON has no bigint or bytes: they are written as tagged objects and restored on load.
function encodeRow(row: Value[]): unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (typeof value === 'bigint' || value instanceof Uint8Array) {
      out ??= row.slice();
      out[i] =
        typeof value === 'bigint'
          ? { [BIGINT_TAG]: value.toString() }
          : { [BYTES_TAG]: Buffer.from(value).toString('base64') };
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
  }
  return row;
}
