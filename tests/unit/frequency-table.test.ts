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
});
