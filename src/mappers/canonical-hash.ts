/**
 * 64-bit hashes of canonical rows (two 32-bit lanes, cyrb53's mixing) and the order-independent
 * fingerprint of a set of rows: their count, the sum modulo 2^64 and the XOR of the row hashes. A sum
 * rather than a XOR alone keeps two identical rows from cancelling out.
 */
import type { Fingerprint } from '../core/plan.ts';

/** The hash of the last `hashTexts` call: `[high, low]`; read it before the next call. */
export const ROW_HASH = new Uint32Array(2);

/** Hashes a list of canonical texts (fields are separated, so `ab|c` ≠ `a|bc`) into `ROW_HASH`. */
export function hashTexts(texts: readonly string[], count: number = texts.length): void {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let f = 0; f < count; f++) {
    const text = texts[f]!;
    const n = text.length;
    let i = 0;
    // Two UTF-16 units make one 32-bit word: half the multiplications of a unit at a time.
    for (; i + 1 < n; i += 2) {
      const word = text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16);
      h1 = Math.imul(h1 ^ word, 2654435761);
      h2 = Math.imul(h2 ^ word, 1597334677);
    }
    if (i < n) {
      const ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    // A field separator that no UTF-16 unit equals.
    h1 = Math.imul(h1 ^ 0x10001, 2654435761);
    h2 = Math.imul(h2 ^ (text.length + 0x10001), 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  ROW_HASH[0] = h1 >>> 0;
  ROW_HASH[1] = h2 >>> 0;
}

/** A 32-bit hash of a key text, to pick its partition. */
export function hashKeyText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}

/** Accumulates row hashes into an order-independent fingerprint. */
export class FingerprintAccumulator {
  rows = 0;
  #sumHigh = 0;
  #sumLow = 0;
  #xorHigh = 0;
  #xorLow = 0;

  /** Adds one row hash. */
  add(high: number, low: number): void {
    this.rows++;
    const low32 = this.#sumLow + low;
    this.#sumLow = low32 >>> 0;
    this.#sumHigh = (this.#sumHigh + high + (low32 > 0xffffffff ? 1 : 0)) >>> 0;
    this.#xorHigh = (this.#xorHigh ^ high) >>> 0;
    this.#xorLow = (this.#xorLow ^ low) >>> 0;
  }

  /** The fingerprint so far. */
  result(): Fingerprint {
    const hex = (high: number, low: number) =>
      high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
    return { rows: this.rows, sum: hex(this.#sumHigh, this.#sumLow), xor: hex(this.#xorHigh, this.#xorLow) };
  }
}

/** True when two fingerprints describe the same rows. */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return a.rows === b.rows && a.sum === b.sum && a.xor === b.xor;
}
