/**
 * The keys a fresh load has written, held compactly so that a key seen a second time is caught while
 * streaming: an open-addressing table of 64-bit key hashes over typed arrays, and each key's values
 * (the key fields of its row) encoded into one byte arena with the diff store's lossless row codec.
 * A hash that matches is confirmed by decoding the stored values and comparing their key text exactly,
 * so two keys sharing a hash are never taken for one. Entries are numbered in the order they are added.
 * About 44 bytes per short key (1,000,000 integer keys: 41 MB), outside V8's heap, within a byte budget:
 * a key that would grow the tables past it is refused (`REGISTRY_FULL`), and the registry is left as it was.
 */
import type { Value } from '../connectors/types.ts';
import { StocktakeError } from '../core/errors.ts';
import { hashTexts, ROW_HASH } from './canonical-hash.ts';
import { type CodecBuffer, RowEncoder, readRow } from './spill-row-codec.ts';

const EMPTY = -1;
// Small first tables: a budget counts from a few kilobytes, and the doublings to a million keys are few.
const FIRST_CAPACITY = 1 << 6;
const FIRST_ARENA = 1 << 10;

/** What `add` returns for a key that does not fit in the budget (no entry number or `~entry` is this). */
export const REGISTRY_FULL = Number.MIN_SAFE_INTEGER;

/**
 * The bytes the registry's tables take for `keys` keys whose values encode to `valueBytes` each on
 * average (the arena doubles as it fills): what `KeyRegistry.bytes` reads once they are added.
 */
export function registryBytesFor(keys: number, valueBytes: number): number {
  const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));
  const entries = Math.max(FIRST_CAPACITY, pow2(keys));
  const slots = Math.max(FIRST_CAPACITY * 2, pow2(2 * keys));
  const arena = Math.max(FIRST_ARENA, pow2(keys * valueBytes));
  return 4 * 4 * entries + 4 * slots + arena;
}

/** Key texts to entries (0, 1, 2… in the order added); each entry keeps its key values. */
export class KeyRegistry {
  readonly #keyText: (values: readonly Value[]) => string;
  readonly #encoder = new RowEncoder();
  /** Open addressing: the entry in each slot, EMPTY when free. Load factor at most one half. */
  #slots = new Int32Array(FIRST_CAPACITY * 2).fill(EMPTY);
  #highs = new Uint32Array(FIRST_CAPACITY);
  #lows = new Uint32Array(FIRST_CAPACITY);
  /** Where each entry's encoded key values start in the arena; they end where the next entry's start. */
  #starts = new Uint32Array(FIRST_CAPACITY);
  /** The number (in the read) of the row that brought each entry, 0 when not given. */
  #numbers = new Uint32Array(FIRST_CAPACITY);
  #arena = Buffer.allocUnsafe(FIRST_ARENA) as CodecBuffer;
  #used = 0;
  #size = 0;
  readonly #scratch: string[] = [''];
  #high = 0;
  #low = 0;
  readonly #budget: number;

  /**
   * `keyText` computes the key text of key values (in key order), as the rows' own key texts are
   * computed; `budget` bounds the bytes of the tables (`bytes`).
   */
  constructor(keyText: (values: readonly Value[]) => string, budget = Number.POSITIVE_INFINITY) {
    this.#keyText = keyText;
    this.#budget = budget;
  }

  /** The bytes the tables take now: slots, per-entry hashes, starts and row numbers, and the arena. */
  get bytes(): number {
    return this.#slots.byteLength + 4 * this.#highs.byteLength + this.#arena.length;
  }

  /** Keys registered. */
  get size(): number {
    return this.#size;
  }

  /**
   * Registers the key `key` (its text) with its `values` and the number of its row in the read; returns
   * the new entry, `~entry` (a negative number) of the entry that already holds this exact key text, or
   * `REGISTRY_FULL` when a new key would grow the tables past the budget (nothing is changed then).
   */
  add(key: string, values: readonly Value[], number = 0): number {
    const s = this.#probe(key);
    const slots = this.#slots;
    if (slots[s] !== EMPTY) return ~slots[s]!;
    const high = this.#high;
    const low = this.#low;
    const room = this.#encoder.measure(values);
    if (this.#growth(room) > this.#budget) return REGISTRY_FULL;
    const entry = this.#size++;
    if (entry >= this.#highs.length) this.#growEntries();
    this.#highs[entry] = high;
    this.#lows[entry] = low;
    this.#numbers[entry] = number;
    this.#store(entry, values, room);
    slots[s] = entry;
    if (this.#size * 2 > slots.length) this.#rehash();
    return entry;
  }

  /** The entry that holds the exact key text `key`, or -1. */
  find(key: string): number {
    return this.#slots[this.#probe(key)]!;
  }

  // The slot of `key`: the one holding its entry, else the free slot it would take. Leaves the key's
  // hash in #high and #low (`keyText` may hash too, over ROW_HASH).
  #probe(key: string): number {
    this.#scratch[0] = key;
    hashTexts(this.#scratch, 1);
    const high = ROW_HASH[0]!;
    const low = ROW_HASH[1]!;
    this.#high = high;
    this.#low = low;
    const slots = this.#slots;
    const mask = slots.length - 1;
    let s = low & mask;
    for (;;) {
      const entry = slots[s]!;
      if (entry === EMPTY) return s;
      if (
        this.#highs[entry] === high &&
        this.#lows[entry] === low &&
        this.#keyText(this.values(entry)) === key
      )
        return s;
      s = (s + 1) & mask;
    }
  }

  /** The number of the row that brought an entry (0 when not given). */
  number(entry: number): number {
    return this.#numbers[entry]!;
  }

  /** The key values of an entry, decoded from the arena. */
  values(entry: number): Value[] {
    const end = entry + 1 < this.#size ? this.#starts[entry + 1]! : this.#used;
    return readRow(this.#arena, this.#starts[entry]!, end);
  }

  /** The bytes the tables would take once one more key, of `room` encoded bytes, is added. */
  #growth(room: number): number {
    let bytes = this.bytes;
    if (this.#size >= this.#highs.length) bytes += 4 * this.#highs.byteLength;
    if ((this.#size + 1) * 2 > this.#slots.length) bytes += this.#slots.byteLength;
    if (this.#used + room > this.#arena.length)
      bytes += Math.max(this.#arena.length * 2, this.#used + room) - this.#arena.length;
    return bytes;
  }

  #store(entry: number, values: readonly Value[], room: number): void {
    if (this.#used + room > 0xffffffff)
      throw new StocktakeError('INTERNAL', 'more than 4 GB of keys in one fresh load');
    if (this.#used + room > this.#arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.#arena.length * 2, this.#used + room)) as CodecBuffer;
      this.#arena.copy(bigger, 0, 0, this.#used);
      this.#arena = bigger;
    }
    this.#starts[entry] = this.#used;
    this.#used += this.#encoder.write(this.#arena, this.#used, values);
  }

  #growEntries(): void {
    const n = this.#highs.length * 2;
    const grow = (from: Uint32Array): Uint32Array<ArrayBuffer> => {
      const to = new Uint32Array(n);
      to.set(from);
      return to;
    };
    this.#highs = grow(this.#highs);
    this.#lows = grow(this.#lows);
    this.#starts = grow(this.#starts);
    this.#numbers = grow(this.#numbers);
  }

  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 2).fill(EMPTY);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.#size; entry++) {
      let s = this.#lows[entry]! & mask;
      while (slots[s] !== EMPTY) s = (s + 1) & mask;
      slots[s] = entry;
    }
    this.#slots = slots;
  }
}
