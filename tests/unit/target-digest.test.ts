/**
 * The row hash of the verification inside the target: `lookup3` must be PostgreSQL's
 * `hashtextextended(text, 0)` bit for bit (values taken from PostgreSQL 15), for every length of the
 * last block and for multi-byte text.
 */
import { describe, expect, it } from 'vitest';
import { lookup3, writeScaled } from '../../src/mappers/target-digest.ts';

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

describe('writeScaled', () => {
  const scaled = (text: string, scale: number) => {
    const out = Buffer.alloc(text.length + scale + 1);
    const end = writeScaled(out, text, 0, scale);
    return end < 0 ? undefined : out.toString('latin1', 0, end);
  };

  it('pads a canonical decimal to its column scale, as the database prints it', () => {
    expect(scaled('12', 2)).toBe('12.00');
    expect(scaled('-0.5', 2)).toBe('-0.50');
    expect(scaled('1.25', 2)).toBe('1.25');
    expect(scaled('42', 0)).toBe('42');
  });

  it('refuses a longer fraction (the database rounded it) and any text that is not a plain decimal', () => {
    for (const text of ['1.234', '1.5', '', '-', '-.5', '.5', '1.', '+1', '1e3', '1,5', '--1'])
      expect(scaled(text, text === '1.5' ? 0 : 2)).toBeUndefined();
  });
});
