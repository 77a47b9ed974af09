/**
 * The fresh load's key registry: every key seen again is found with its first entry, key values come
 * back as they were given, and a matching hash is never enough: the stored values' key text decides.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/connectors/types.ts';
import { KeyRegistry, REGISTRY_FULL, registryBytesFor } from '../../src/mappers/fresh-key-set.ts';

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

  it('refuses a new key that would grow its tables past the budget, changing nothing, and still finds the rest', () => {
    const budget = registryBytesFor(10_000, 10);
    const registry = new KeyRegistry(textOf, budget);
    let added = 0;
    while (registry.add(`${added}`, [added]) === added) added++;
    // Tables sized for 10,000 keys hold at least that many before the next growth would pass the budget.
    expect(added).toBeGreaterThanOrEqual(10_000);
    expect(registry.size).toBe(added);
    expect(registry.bytes).toBeLessThanOrEqual(budget);
    expect(registry.add(`${added}`, [added])).toBe(REGISTRY_FULL);
    expect(registry.add('another', ['another'])).toBe(REGISTRY_FULL);
    expect(registry.size).toBe(added);
    // A key already held is still found: only new keys need room.
    expect(registry.add('7', [7])).toBe(~7);
    expect(registry.values(added - 1)).toEqual([added - 1]);
  });

  it('sizes its tables as registryBytesFor says', () => {
    for (const n of [1, 4096, 5000, 100_000, 300_000]) {
      const registry = new KeyRegistry(textOf);
      // 0…n-1 as texts of up to 6 digits encode to at most 8 bytes each.
      for (let i = 0; i < n; i++) registry.add(String(i), [String(i)]);
      expect(registry.bytes).toBeLessThanOrEqual(registryBytesFor(n, 8));
      expect(registry.bytes).toBeGreaterThan(registryBytesFor(n, 8) / 2);
    }
  });
});
