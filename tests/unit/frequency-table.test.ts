import { describe, expect, it } from 'vitest';
import { FrequencyTable } from '../../src/profilers/frequency-table.ts';

describe('FrequencyTable', () => {
  it('counts keys exactly, in first-seen order, through growth', () => {
    const table = new FrequencyTable();
    for (let i = 0; i < 50_000; i++) table.add(`k${i % 20_000}`);
    table.add(0);
    table.add(-0);
    table.add(Number.NaN);
    table.add(Number.NaN);
    table.add(true);
    expect(table.size).toBe(20_003);
    const map = table.toMap();
    expect(map.get('k0')).toBe(3);
    expect(map.get('k19999')).toBe(2);
    expect(map.get(0)).toBe(2);
    expect(map.get(Number.NaN)).toBe(2);
    expect([...map.keys()].slice(0, 2)).toEqual(['k0', 'k1']);
    expect(table.allOnce()).toBe(false);
  });

  it('keeps keys apart when their 64-bit hashes collide', () => {
    const table = new FrequencyTable();
    table.addHashed('a', 7, 9);
    table.addHashed('b', 7, 9);
    table.addHashed('a', 7, 9, 2);
    expect([...table.toMap()]).toEqual([
      ['a', 3],
      ['b', 1],
    ]);
  });

  it('keeps the hash halves of every entry through growth and a round trip as state', () => {
    const table = new FrequencyTable();
    // High halves shared by pairs of keys, low halves apart.
    for (let i = 0; i < 5_000; i++) table.addHashed(`k${i}`, i * 2 + 1, i >> 1, 1 + (i % 3));
    table.addHashed('k7', 15, 3);
    const restored = FrequencyTable.restore(structuredClone(table.state()));
    const seen: [string, number, number, number][] = [];
    restored.forEachHashed((key, count, low, high) => seen.push([key as string, count, low, high]));
    expect(seen.length).toBe(5_000);
    expect(seen[7]).toEqual(['k7', 1 + (7 % 3) + 1, 15, 3]);
    expect(seen[4_999]).toEqual(['k4999', 1 + (4_999 % 3), 9_999, 2_499]);
    expect(restored.toMap()).toEqual(table.toMap());
  });
});
