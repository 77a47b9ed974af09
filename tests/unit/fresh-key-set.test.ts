/**
 * The fresh load's key registry: every key seen again is found with its first entry, key values come
 * back as they were given, and a matching hash is never enough: the stored values' key text decides.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/connectors/types.ts';
import { KeyRegistry } from '../../src/mappers/fresh-key-set.ts';

const textOf = (values: readonly Value[]) => values.map((v) => String(v)).join('\u0001');

describe('KeyRegistry', () => {
  it('numbers new keys in order and finds each again, across growth of its tables', () => {
    const registry = new KeyRegistry(textOf);
    const n = 50_000;
    for (let i = 0; i < n; i++) expect(registry.add(`${i}\u0001x${i}`, [i, `x${i}`])).toBe(i);
    expect(registry.size).toBe(n);
    for (let i = n - 1; i >= 0; i -= 7) expect(registry.add(`${i}\u0001x${i}`, [i, `x${i}`])).toBe(~i);
    expect(registry.size).toBe(n);
    expect(registry.values(12_345)).toEqual([12_345, 'x12345']);
  });

  it('keeps key values losslessly: a lone surrogate, a bigint, bytes, null', () => {
    const registry = new KeyRegistry(textOf);
    const values: Value[] = ['a\ud800b', 12345678901234567890n, new Uint8Array([1, 2, 3]), null, -0];
    const entry = registry.add('k', values);
    expect(registry.values(entry)).toEqual(values);
  });

  it('confirms a matching hash by the key text of the stored values', () => {
    const registry = new KeyRegistry(textOf);
    // The same key text with values whose own key text differs: the hash matches, the key does not.
    expect(registry.add('same', ['other'])).toBe(0);
    expect(registry.add('same', ['same'])).toBe(1);
    expect(registry.add('same', ['same'])).toBe(~1);
  });
});
