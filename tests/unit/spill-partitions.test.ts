import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/connectors/types.ts';
import {
  makeSpillDirectory,
  PartitionStore,
  partitionCountFor,
  rowAt,
} from '../../src/mappers/spill-partitions.ts';

/** Every record of every partition, by key. */
function everything(store: PartitionStore): Map<string, { high: number; low: number; row: Value[] | null }> {
  const out = new Map<string, { high: number; low: number; row: Value[] | null }>();
  for (let p = 0; p < store.partitions; p++) {
    const part = store.load(p);
    for (let i = 0; i < part.keys.length; i++) {
      expect(out.has(part.keys[i]!)).toBe(false);
      out.set(part.keys[i]!, { high: part.highs[i]!, low: part.lows[i]!, row: rowAt(part, i) });
    }
  }
  return out;
}

describe('partition store', () => {
  it('spills by bytes before the row budget when rows are wide, and restores every record', () => {
    const wide = 'x'.repeat(2000);
    const store = new PartitionStore(8, 1_000_000, 'wide', 64 * 1024);
    for (let i = 0; i < 200; i++) store.add(`k${i}`, i, 4_000_000_000 - i, [i, wide, null]);
    // 200 rows of about 2 KB against a 64 KB budget: spilled every 30 rows or so, not once at the end.
    expect(store.spills).toBeGreaterThanOrEqual(5);
    const all = everything(store);
    expect(all.size).toBe(200);
    expect(all.get('k7')).toEqual({ high: 7, low: 4_000_000_000 - 7, row: [7, wide, null] });
    store.close();
  });

  it('gives back the buffers of partitions filled past their share when rows come partition by partition', () => {
    // A table this diff loaded reads back in the order of the partitions it was written in.
    const partitions = 64;
    const store = new PartitionStore(partitions, 1000, 'clustered', 64 * 1024);
    const byPartition: string[][] = Array.from({ length: partitions }, () => []);
    for (let i = 0; byPartition.some((keys) => keys.length < 3000); i++) {
      const key = `key-${i}`;
      const keys = byPartition[store.partitionOf(key)]!;
      if (keys.length < 3000) keys.push(key);
    }
    let peak = 0;
    let added = 0;
    for (const keys of byPartition)
      for (const key of keys) {
        store.add(key, 1, 2, null);
        if (++added % 100 === 99) peak = Math.max(peak, store.bufferBytes);
      }
    // Each partition takes 1,000 records (about 24 KB) between two spills; kept, 64 such buffers would
    // hold 2 MB. Given back, one filling buffer and the 4 KB ones of partitions never past their share remain.
    expect(store.spills).toBeGreaterThanOrEqual(190);
    expect(peak).toBeLessThan(2 * 64 * 1024 + partitions * 4096);
    expect(everything(store).size).toBe(partitions * 3000);
    store.close();
  });

  it('keeps narrow rows in memory while under both budgets', () => {
    const store = new PartitionStore(4, 1000, 'narrow', 1 << 20);
    for (let i = 0; i < 500; i++) store.add(`k${i}`, 0, 0, [i]);
    expect(store.spilled).toBe(false);
    expect(everything(store).get('k499')!.row).toEqual([499]);
    store.close();
  });

  it('round-trips keys with tabs, line breaks, quotes, control characters and lone surrogates, and values JSON lacks', () => {
    const keys = [
      '"quoted',
      'tab\there',
      'line\nbreak',
      'cr\rlf',
      '\u0000',
      'a\u0001b',
      '',
      'plain',
      'é—𝄞',
      'lone \ud800 high',
      'lone \udc00 low',
    ];
    const rows: Value[][] = keys.map((_k, i) => [
      i,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -Number.POSITIVE_INFINITY,
      12345678901234567890n,
      new Uint8Array([0, 9, 10, 255]),
      { nested: ['x\ty', null] },
      'text with \t and \n',
      'lone \udfff in a value',
      -0,
    ]);
    const store = new PartitionStore(16, 2, 'odd');
    for (let i = 0; i < keys.length; i++) store.add(keys[i]!, i, i, rows[i]!);
    store.add('rejected', 0, 0, null);
    store.add('nested bigint', 0, 0, [{ list: [1n, 2] }]);
    expect(store.spilled).toBe(true);
    const all = everything(store);
    expect([...all.keys()].sort()).toEqual([...keys, 'rejected', 'nested bigint'].sort());
    expect(all.get('nested bigint')!.row).toEqual([{ list: ['1', 2] }]);
    for (let i = 0; i < keys.length; i++) expect(all.get(keys[i]!)!.row).toEqual(rows[i]);
    expect(all.get('rejected')!.row).toBeNull();
    store.close();
  });

  it('round-trips strings on both sides of the one-byte length, in UTF-8 and UTF-16', () => {
    // 85 three-byte characters fill a one-byte length exactly; 86 take the four-byte one.
    const values: Value[] = [
      '€'.repeat(85),
      '€'.repeat(86),
      `${'\ud800'.repeat(85)}`,
      `${'\ud800'.repeat(86)}`,
      'x'.repeat(85),
      'x'.repeat(86),
      '',
      '𝄞'.repeat(42),
      `${'𝄞'.repeat(42)}\udc00`,
    ];
    const store = new PartitionStore(2, 1, 'lengths');
    store.add('short and long', 1, 2, values);
    store.add('after', 3, 4, ['next']);
    expect(store.spilled).toBe(true);
    const all = everything(store);
    expect(all.get('short and long')!.row).toEqual(values);
    expect(all.get('after')!.row).toEqual(['next']);
    store.close();
  });

  it('uses one spill file whatever the partition count, and removes it on close', () => {
    // A temporary directory of this test's own (os.tmpdir() follows TMPDIR), so other runs do not count.
    const own = mkdtempSync(join(tmpdir(), 'st-spill-test-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = own;
    const files = () => readdirSync(own, { recursive: true }).map(String);
    try {
      const store = new PartitionStore(partitionCountFor(1_000_000, 1000), 1000, 'many');
      expect(store.partitions).toBe(4096);
      for (let i = 0; i < 5000; i++) store.add(`key-${i}`, i, i, [i, `v${i}`]);
      expect(store.spills).toBe(5);
      expect(files().filter((f) => f.endsWith('.spill'))).toHaveLength(1);
      const all = everything(store);
      expect(all.size).toBe(5000);
      expect(all.get('key-4321')!.row).toEqual([4321, 'v4321']);
      store.close();
      store.close();
      expect(files()).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('hands its records, spilled and in memory, to a store in another thread, which then owns the directory', () => {
    const directory = makeSpillDirectory();
    const store = new PartitionStore(4, 100, 'handed');
    store.spillInto(directory);
    for (let i = 0; i < 250; i++) store.add(`k${i}`, i, i + 1, [i, `v${i}`]);
    expect(store.spills).toBe(2);
    const state = store.handOff();
    // As a worker posts it: the buffers of the records in memory move instead of being copied.
    const moved = structuredClone(state, { transfer: state.buffers.filter((b) => b !== null) });
    expect(state.buffers.every((b) => b === null || b.byteLength === 0)).toBe(true);
    const adopted = PartitionStore.adopt(moved);
    expect(adopted.size).toBe(250);
    const all = everything(adopted);
    expect(all.size).toBe(250);
    expect(all.get('k0')).toEqual({ high: 0, low: 1, row: [0, 'v0'] });
    expect(all.get('k249')).toEqual({ high: 249, low: 250, row: [249, 'v249'] });
    adopted.close();
    expect(existsSync(directory)).toBe(false);
  });
});
