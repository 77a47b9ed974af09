/**
 * The row hash of the verification inside the target: `lookup3` must be PostgreSQL's
 * `hashtextextended(text, 0)` bit for bit (values taken from PostgreSQL 15), for every length of the
 * last block and for multi-byte text.
 */
import { describe, expect, it } from 'vitest';
import { lookup3 } from '../../src/mappers/target-digest.ts';

const POSTGRES = [
  ['', -6939563903564495251n],
  ['a', 3591986179850072241n],
  ['abcd', -1038429303365892052n],
  ['abcdefgh', -8882191227074733005n],
  ['abcdefghijk', 3112909444737856467n],
  ['abcdefghijkl', -7556637188122330412n],
  ['(1,C00000001,"Client 1 SARL, Lyon — entrepôt 1",0.37)', 4354678694295261415n],
] as const;

describe('lookup3', () => {
  it.each(POSTGRES)('hashes %j as hashtextextended does', (text, expected) => {
    const bytes = Buffer.from(text, 'utf8');
    const out = new Uint32Array(2);
    lookup3(bytes, bytes.length, out);
    expect(BigInt.asIntN(64, (BigInt(out[0]!) << 32n) | BigInt(out[1]!))).toBe(expected);
  });
});
