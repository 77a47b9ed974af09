/**
 * The rejects a fresh load wrote before handing over to the diff path are not written again by it: a
 * row the read rejected is known by its number, one the database refused by its code and key.
 */
import { describe, expect, it } from 'vitest';
import { RecordedRejects, type RejectRecord } from '../../src/mappers/rejects.ts';

const record = (row: number | null, code: RejectRecord['code'], key: string): RejectRecord => ({
  mapping: 'm',
  row,
  key: { code: key },
  sourceKey: null,
  field: null,
  value: null,
  reason: 'r',
  code,
});

describe('RecordedRejects', () => {
  it('forwards at once, then lets through only the records it has not forwarded', () => {
    const written: RejectRecord[] = [];
    const recorded = new RecordedRejects({ write: (r) => written.push(r) });
    recorded.write(record(3, 'REJECT_REQUIRED', 'K3'));
    recorded.write(record(null, 'REJECT_DATABASE', 'K7'));
    expect(written).toHaveLength(2);
    const unseen = recorded.unseen();
    unseen.write(record(3, 'REJECT_REQUIRED', 'K3'));
    unseen.write(record(null, 'REJECT_DATABASE', 'K7'));
    unseen.write(record(4, 'REJECT_REQUIRED', 'K4'));
    unseen.write(record(null, 'REJECT_DATABASE', 'K8'));
    unseen.write(record(null, 'REJECT_DUPLICATE_KEY', 'K7'));
    expect(written.map((r) => [r.row, r.code, r.key])).toEqual([
      [3, 'REJECT_REQUIRED', { code: 'K3' }],
      [null, 'REJECT_DATABASE', { code: 'K7' }],
      [4, 'REJECT_REQUIRED', { code: 'K4' }],
      [null, 'REJECT_DATABASE', { code: 'K8' }],
      [null, 'REJECT_DUPLICATE_KEY', { code: 'K7' }],
    ]);
  });
});
