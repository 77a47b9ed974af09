/**
 * Rows partitioned by the hash of their key, in memory up to a budget and then spilled to a temporary
 * file (in `os.tmpdir()`, removed on close; each spill appends one segment per partition and notes where
 * it lies). A diff then loads one partition of each side at a time, so memory is bounded by the budget and
 * the largest partition, whatever the order the sides were read in.
 *
 * A record is encoded into its partition's byte buffer the moment it is added: a 20-byte header (key
 * length, the two hash lanes, row length, row number), the key in UTF-8 and the row's values (`spill-row-codec.ts`),
 * padded to a multiple of 4 bytes so that headers are read as 32-bit words. Records in memory are
 * therefore bytes outside the JavaScript heap (nothing for the garbage collector to trace or promote), the
 * byte budget is exact, spilling a partition is one write of its buffer, and loading one is a read. Keys
 * are decoded on load; rows only when used (`rowAt`): a plan with few changes never decodes most of them.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Value } from '../connectors/types.ts';
import { spillPrefix } from '../core/temp-files.ts';
import { hashKeyText } from './canonical-hash.ts';
import {
  type CodecBuffer,
  RowEncoder,
  readRow,
  TEXT_BYTES,
  UTF16_TEXT,
  writeTextLossless,
} from './spill-row-codec.ts';

/** Rows of a diff (both sides) kept in memory before spilling, by default. */
export const DEFAULT_MEMORY_ROWS = 200_000;

/**
 * Bytes of encoded records one store keeps in memory before spilling, whatever the row count: wide rows
 * spill sooner, so that a plan or a migration stays within a few hundred megabytes at any size.
 */
export const DEFAULT_MEMORY_BYTES = 16 << 20;

/** The records of one partition, in the order they were added: parallel arrays, one entry per row. */
export interface PartitionRecords {
  readonly keys: string[];
  readonly highs: number[];
  readonly lows: number[];
  /** The row's number in its side's read (from 1), or 0 when not given. */
  readonly numbers: number[];
  /**
   * Where the row's record starts in `bytes` (decoded by `rowAt` only when needed: a diff with few
   * changes never decodes most rows), or its values once decoded; null marks a key kept without a row
   * (a rejected source row whose key is known).
   */
  readonly rows: (Value[] | number | null)[];
  /** The encoded records the `rows` offsets point into, and the same memory as 32-bit words. */
  readonly bytes: Buffer;
  readonly words: Uint32Array;
}

/**
 * A store handed to another thread (`handOff`, then `PartitionStore.adopt`): where its spill file lies
 * and the records it held in memory, whose buffers move rather than copy.
 */
export interface StoreHandOff {
  readonly partitions: number;
  readonly size: number;
  readonly spills: number;
  /** The store's directory, which passes to the adopting store, and its spill file (when rows went to disk). */
  readonly directory: string | undefined;
  readonly file: string | undefined;
  readonly written: number;
  readonly segments: number[][];
  /** Per partition, the buffer of its records in memory (null when empty) and the bytes they fill. */
  readonly buffers: (ArrayBuffer | null)[];
  readonly used: number[];
}

/** The values of record `i`, decoded from its bytes on first use; null for a key kept without a row. */
export function rowAt(records: PartitionRecords, i: number): Value[] | null {
  const row = records.rows[i];
  if (typeof row !== 'number') return row ?? null;
  const words = records.words;
  const start = row + HEADER + (words[(row >> 2) + KEY_LENGTH]! & TEXT_BYTES);
  const decoded = readRow(records.bytes as CodecBuffer, start, start + words[(row >> 2) + ROW_LENGTH]!);
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

// A record's header: five 32-bit words (in the machine's byte order, as a spill file never leaves it).
const KEY_LENGTH = 0;
const HIGH = 1;
const LOW = 2;
const ROW_LENGTH = 3;
const NUMBER = 4;
const HEADER = 20;
/** The row length of a key kept without a row. */
const NO_ROW = 0xffffffff;
/** A partition's first buffer; it doubles as needed and is reused after each spill. */
const FIRST_BUFFER = 4096;

const liveDirectories = new Set<string>();
let exitHookInstalled = false;

/** A new temporary directory for spill files, removed at exit unless `removeSpillDirectory` removed it first. */
export function makeSpillDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), spillPrefix()));
  removeAtExit(directory);
  return directory;
}

/** Removes a spill directory and what it holds. */
export function removeSpillDirectory(directory: string): void {
  rmSync(directory, { recursive: true, force: true });
  liveDirectories.delete(directory);
}

function removeAtExit(directory: string): void {
  liveDirectories.add(directory);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A run that exits early (error, interruption) still removes its spill files.
  process.once('exit', () => {
    for (const d of liveDirectories) rmSync(d, { recursive: true, force: true });
  });
}

/** One side of a diff (source or target), partitioned by key hash. */
export class PartitionStore {
  readonly partitions: number;
  readonly #budget: number;
  readonly #budgetBytes: number;
  /** Per partition, the buffer its records in memory are encoded into, as bytes and as words, and how many bytes they fill. */
  readonly #buffers: CodecBuffer[];
  readonly #words: Uint32Array[];
  readonly #used: number[];
  readonly #encoder = new RowEncoder();
  /** Per partition, the byte offset and length of each of its segments in the spill file. */
  readonly #segments: number[][];
  #inMemory = 0;
  #bytes = 0;
  #size = 0;
  #spills = 0;
  #directory: string | undefined;
  /** True when the directory is the caller's (`spillInto`): the store neither makes nor removes it. */
  #lent = false;
  #fd: number | undefined;
  #written = 0;
  #label: string;
  /** Keys rejected after their rows were added: loaded without their rows. */
  #rejected: ReadonlySet<string> | null = null;

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
    this.#buffers = [];
    this.#words = [];
    this.#used = [];
    this.#segments = [];
    for (let p = 0; p < partitions; p++) {
      this.#buffers.push(EMPTY);
      this.#words.push(NO_WORDS);
      this.#used.push(0);
      this.#segments.push([]);
    }
  }

  /** Rows added. */
  get size(): number {
    return this.#size;
  }

  /** Bytes of the partition buffers held in memory (their capacity, records or not). */
  get bufferBytes(): number {
    let bytes = 0;
    for (const buffer of this.#buffers) bytes += buffer.length;
    return bytes;
  }

  /** True when some rows went to disk. */
  get spilled(): boolean {
    return this.#fd !== undefined;
  }

  /** How many times the rows in memory went to disk. */
  get spills(): number {
    return this.#spills;
  }

  /**
   * Spills into a file of `directory`, which the caller made and removes: a store filled in a worker
   * thread, whose own clean-up would not run if the thread were ended, then handed off.
   */
  spillInto(directory: string): void {
    this.#directory = directory;
    this.#lent = true;
  }

  /**
   * Gives up the records for another thread to `adopt`: the spill file is closed and left in place, the
   * buffers of records in memory are listed to be transferred. The store is empty afterwards.
   */
  handOff(): StoreHandOff {
    const buffers: (ArrayBuffer | null)[] = [];
    for (let p = 0; p < this.partitions; p++)
      buffers.push(this.#used[p]! > 0 ? (this.#buffers[p]!.buffer as ArrayBuffer) : null);
    const state: StoreHandOff = {
      partitions: this.partitions,
      size: this.#size,
      spills: this.#spills,
      directory: this.#directory,
      file: this.#fd === undefined ? undefined : this.#fileName(),
      written: this.#written,
      segments: this.#segments.slice(),
      buffers,
      used: this.#used.slice(),
    };
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
    // The directory is the adopter's now: this thread's exit must not remove it.
    if (this.#directory !== undefined) liveDirectories.delete(this.#directory);
    this.#directory = undefined;
    this.close();
    return state;
  }

  /**
   * The store another thread handed off. Its directory is now the adopting store's own: removed on close,
   * or at exit.
   */
  static adopt(state: StoreHandOff): PartitionStore {
    const store = new PartitionStore(state.partitions);
    if (state.directory !== undefined) {
      store.#own(state.directory);
      if (state.file !== undefined) store.#fd = openSync(join(state.directory, state.file), 'r+');
    }
    store.#size = state.size;
    store.#spills = state.spills;
    store.#written = state.written;
    for (let p = 0; p < state.partitions; p++) {
      store.#segments[p] = state.segments[p]!;
      const memory = state.buffers[p];
      if (!memory) continue;
      store.#buffers[p] = Buffer.from(memory) as CodecBuffer;
      store.#words[p] = new Uint32Array(memory, 0, memory.byteLength >> 2);
      store.#used[p] = state.used[p]!;
    }
    return store;
  }

  /** The partition of a key. */
  partitionOf(key: string): number {
    return hashKeyText(key) & (this.partitions - 1);
  }

  /**
   * Adds one record (null for a key kept without a row), with the row's number in its read when known
   * (for the rejects that name it); spills every partition to disk when the memory budget is reached.
   */
  add(key: string, high: number, low: number, row: readonly Value[] | null, number = 0): void {
    const p = hashKeyText(key) & (this.partitions - 1);
    let at = this.#used[p]!;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; 3 more for the padding.
    const room = at + HEADER + 3 * key.length + (row === null ? 0 : this.#encoder.measure(row)) + 3;
    let buffer = this.#buffers[p]!;
    if (room > buffer.length) buffer = this.#grow(p, room);
    const keyWord = writeTextLossless(buffer, key, at + HEADER);
    const keyBytes = keyWord & TEXT_BYTES;
    const rowBytes = row === null ? 0 : this.#encoder.write(buffer, at + HEADER + keyBytes, row);
    const words = this.#words[p]!;
    const w = at >> 2;
    words[w + KEY_LENGTH] = keyWord;
    words[w + HIGH] = high;
    words[w + LOW] = low;
    words[w + ROW_LENGTH] = row === null ? NO_ROW : rowBytes;
    words[w + NUMBER] = number;
    const length = HEADER + ((keyBytes + rowBytes + 3) & ~3);
    at += length;
    this.#used[p] = at;
    this.#size++;
    this.#bytes += length;
    if (++this.#inMemory >= this.#budget || this.#bytes >= this.#budgetBytes) this.spill();
  }

  /**
   * Appends the rows held in memory to the store's one spill file, a segment per partition: thousands
   * of partitions cost positioned writes to one open file, not a file each.
   */
  spill(): void {
    if (this.#inMemory === 0) return;
    const fd = this.#open();
    // A buffer past twice a partition's share of the budget is given back once spilled: a side read in the
    // order of its partitions (a table this diff loaded) fills a few partitions at a time, and buffers kept
    // at their peak would add up to the whole side.
    const keep = Math.max(FIRST_BUFFER, (2 * this.#budgetBytes) / this.partitions);
    for (let p = 0; p < this.partitions; p++) {
      const used = this.#used[p]!;
      if (used === 0) continue;
      const buffer = this.#buffers[p]!;
      let done = 0;
      while (done < used) done += writeSync(fd, buffer, done, used - done, this.#written + done);
      this.#segments[p]!.push(this.#written, used);
      this.#written += used;
      this.#used[p] = 0;
      if (buffer.length > keep) {
        this.#buffers[p] = EMPTY;
        this.#words[p] = NO_WORDS;
      }
    }
    this.#inMemory = 0;
    this.#bytes = 0;
    this.#spills++;
  }

  /**
   * Rejects the rows of `keys` after they were added (a check that needs the whole side first): they
   * load as keys without rows, as a row rejected while reading does. Keys rejected by several checks add up.
   */
  reject(keys: ReadonlySet<string>): void {
    if (keys.size === 0) return;
    this.#rejected = this.#rejected === null ? keys : new Set([...this.#rejected, ...keys]);
  }

  /** The records of partition `p`: spilled ones first, then those in memory, in the order added. */
  load(p: number): PartitionRecords {
    const segments = this.#segments[p]!;
    const used = this.#used[p]!;
    let total = used;
    for (let s = 1; s < segments.length; s += 2) total += segments[s]!;
    if (total === 0) return emptyRecords();
    // A copy, so that the records stay valid whatever is added to the store afterwards.
    const bytes = Buffer.allocUnsafeSlow(total) as CodecBuffer;
    let filled = 0;
    for (let s = 0; s < segments.length; s += 2) {
      const length = segments[s + 1]!;
      let read = 0;
      while (read < length)
        read += readSync(this.#fd!, bytes, filled + read, length - read, segments[s]! + read);
      filled += length;
    }
    this.#buffers[p]!.copy(bytes, filled, 0, used);
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, total >> 2);
    const out: PartitionRecords = { keys: [], highs: [], lows: [], numbers: [], rows: [], bytes, words };
    let at = 0;
    while (at < total) {
      const w = at >> 2;
      const keyWord = words[w + KEY_LENGTH]!;
      const keyStart = at + HEADER;
      const keyEnd = keyStart + (keyWord & TEXT_BYTES);
      const rowLength = words[w + ROW_LENGTH]!;
      out.keys.push(
        keyWord & UTF16_TEXT
          ? bytes.toString('utf16le', keyStart, keyEnd)
          : bytes.utf8Slice(keyStart, keyEnd),
      );
      out.highs.push(words[w + HIGH]!);
      out.lows.push(words[w + LOW]!);
      out.numbers.push(words[w + NUMBER]!);
      out.rows.push(rowLength === NO_ROW ? null : at);
      at = keyStart + ((keyEnd - keyStart + (rowLength === NO_ROW ? 0 : rowLength) + 3) & ~3);
    }
    const rejected = this.#rejected;
    if (rejected !== null)
      for (let i = 0; i < out.keys.length; i++) if (rejected.has(out.keys[i]!)) out.rows[i] = null;
    return out;
  }

  /** Drops the rows and removes the temporary file. Safe to call twice. */
  close(): void {
    for (let p = 0; p < this.partitions; p++) {
      this.#buffers[p] = EMPTY;
      this.#words[p] = NO_WORDS;
      this.#used[p] = 0;
      this.#segments[p] = [];
    }
    this.#inMemory = 0;
    this.#bytes = 0;
    if (this.#fd !== undefined) {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
    if (this.#directory && !this.#lent) {
      removeSpillDirectory(this.#directory);
      this.#directory = undefined;
    }
  }

  // A partition's buffer, doubled until `room` bytes fit, its records copied over.
  #grow(p: number, room: number): CodecBuffer {
    const old = this.#buffers[p]!;
    let size = Math.max(FIRST_BUFFER, old.length);
    while (size < room) size *= 2;
    const buffer = Buffer.allocUnsafeSlow(size) as CodecBuffer;
    old.copy(buffer, 0, 0, this.#used[p]!);
    this.#buffers[p] = buffer;
    this.#words[p] = new Uint32Array(buffer.buffer, buffer.byteOffset, size >> 2);
    return buffer;
  }

  #open(): number {
    if (this.#fd !== undefined) return this.#fd;
    if (!this.#directory) this.#own(makeSpillDirectory());
    this.#fd = openSync(join(this.#directory!, this.#fileName()), 'w+');
    return this.#fd;
  }

  #fileName(): string {
    return `${this.#label}.spill`;
  }

  // Takes `directory` as the store's own: removed on close, or when the process exits first.
  #own(directory: string): void {
    this.#directory = directory;
    this.#lent = false;
    removeAtExit(directory);
  }
}

const EMPTY = Buffer.alloc(0) as CodecBuffer;
const NO_WORDS = new Uint32Array(0);

function emptyRecords(): PartitionRecords {
  return { keys: [], highs: [], lows: [], numbers: [], rows: [], bytes: EMPTY, words: NO_WORDS };
}
