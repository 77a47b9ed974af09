/**
 * A 64-bit hash of frequency keys (two 32-bit halves), for the sketches and sets that stand in for
 * values: row and key duplicates, uniqueness past the distinct limit, HyperLogLog. Pure JS (cyrb53's
 * mixing, public domain): a native or WASM hash costs more per call than it saves on short values.
 */
import type { ProfileValue } from '../core/profile.ts';

/** The last hash computed: `[low, high]`; read it right after `hashKey`, it is overwritten by the next call. */
export const HASH = new Uint32Array(2);

const FLOAT = new Float64Array(1);
const FLOAT_WORDS = new Uint32Array(FLOAT.buffer);

function finish(a: number, b: number): void {
  let h1 = Math.imul(a ^ (a >>> 16), 2246822507);
  h1 ^= Math.imul(b ^ (b >>> 13), 3266489909);
  let h2 = Math.imul(b ^ (b >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  HASH[0] = h1;
  HASH[1] = h2;
}

/** Hashes a string's UTF-16 units into `HASH`; `seed` tells kinds apart (`1` the number from `'1'` the text). */
export function hashString(text: string, seed = 0): void {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  finish(h1 ^ text.length, h2);
}

/** Hashes bytes (binary values) into `HASH`. */
export function hashBytes(bytes: Uint8Array): void {
  let h1 = 0xdeadbeef ^ 3;
  let h2 = 0x41c6ce57 ^ 3;
  for (let i = 0; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i]!, 2654435761);
    h2 = Math.imul(h2 ^ bytes[i]!, 1597334677);
  }
  finish(h1 ^ bytes.length, h2);
}

/** Hashes a frequency key (or null) into `HASH`: numbers by their IEEE bits, text by its units. */
export function hashKey(key: ProfileValue | null): void {
  if (typeof key === 'string') hashString(key);
  else if (typeof key === 'number') {
    // 0 and -0 are one value in a frequency table; give them one hash.
    FLOAT[0] = key === 0 ? 0 : key;
    finish(
      Math.imul(FLOAT_WORDS[0]! ^ 0x9e3779b9, 2654435761),
      Math.imul(FLOAT_WORDS[1]! ^ 0x85ebca6b, 1597334677),
    );
  } else if (key === true) finish(0x1234567, 0x7654321);
  else if (key === false) finish(0x2345678, 0x8765432);
  else finish(0x3456789, 0x9876543);
}
