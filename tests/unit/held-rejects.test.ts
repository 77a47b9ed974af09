/**
 * Rejects held back by a fresh load until it is known to stand: released, every record reaches the
 * sink once and in order, through the temporary file past the in-memory share, multi-byte text
 * included; dropped, none does and the file is gone.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HeldRejects, type RejectRecord, type RejectSink } from '../../src/mappers/rejects.ts';

function record(i: number): RejectRecord {
  return {
    mapping: 'people',
    row: i,
    key: { code: `K${i}` },
    sourceKey: null,
    field: 'name',
    // Accents, an emoji and a line break: characters cut by a read's end must come back whole.
    value: `Élodie ${i} 🙂 ${'é'.repeat(i % 300)}\nligne`,
    reason: `required: row ${i}`,
    code: 'REJECT_REQUIRED',
  };
}

class Collect implements RejectSink {
  readonly records: RejectRecord[] = [];
  write(record: RejectRecord): void {
    this.records.push(record);
  }
}

describe('HeldRejects', () => {
  it('forwards nothing until released, then every record once, in order, and later ones at once', () => {
    const sink = new Collect();
    const held = new HeldRejects(sink);
    const n = 20_000;
    for (let i = 1; i <= n; i++) held.write(record(i));
    expect(sink.records).toHaveLength(0);
    held.release();
    expect(sink.records).toHaveLength(n);
    expect(sink.records.map((r) => r.row)).toEqual(Array.from({ length: n }, (_v, i) => i + 1));
    expect(sink.records[12_345]).toEqual(record(12_346));
    held.write(record(n + 1));
    expect(sink.records).toHaveLength(n + 1);
    held.release();
    expect(sink.records).toHaveLength(n + 1);
  });

  it('forgets every record when dropped, and removes its temporary file', () => {
    const sink = new Collect();
    const held = new HeldRejects(sink);
    for (let i = 1; i <= 100; i++) held.write(record(i));
    // A few records stay in memory; past 4,096 they go to a file.
    expect(held.file).toBeUndefined();
    for (let i = 101; i <= 10_000; i++) held.write(record(i));
    const file = held.file!;
    expect(existsSync(file)).toBe(true);
    held.drop();
    expect(existsSync(file)).toBe(false);
    expect(held.file).toBeUndefined();
    held.release();
    expect(sink.records).toHaveLength(0);
  });
});
