/**
 * The rejects a fresh load wrote before handing over to the diff path are not written again by it: a
 * row is known by the identity its tally gives (unmasked source key, row number, or code and key), never
 * by its masked, shown values, so that two keys masked alike stay two rows.
 */
import { describe, expect, it } from 'vitest';
import { RecordedRejects, type RejectRecord } from '../../src/mappers/rejects.ts';

const record = (row: number | null, code: RejectRecord['code'], shownKey: string): RejectRecord => ({
  mapping: 'm',
  row,
  key: { email: shownKey },
  sourceKey: null,
  field: null,
  value: null,
  reason: 'r',
  code,
});

describe('RecordedRejects', () => {
  it('forwards at once, then lets through only the rows it has not forwarded, by identity', () => {
    const written: RejectRecord[] = [];
    const recorded = new RecordedRejects({ write: (r) => written.push(r) });
    // Two database refusals whose keys mask alike, and a mapping reject known by its source key.
    recorded.write(
      record(null, 'REJECT_DATABASE', 'a***@e***.com'),
      'REJECT_DATABASE|k{"email":"ann@example.com"}',
    );
    recorded.write(record(3, 'REJECT_REQUIRED', 'x'), 'REJECT_REQUIRED|s{"id":7}');
    expect(written).toHaveLength(2);
    const unseen = recorded.unseen();
    unseen.write(
      record(null, 'REJECT_DATABASE', 'a***@e***.com'),
      'REJECT_DATABASE|k{"email":"ann@example.com"}',
    );
    unseen.write(
      record(null, 'REJECT_DATABASE', 'a***@e***.com'),
      'REJECT_DATABASE|k{"email":"abe@example.com"}',
    );
    // The same source row read at another position (a scan that started elsewhere) is the same row.
    unseen.write(record(9, 'REJECT_REQUIRED', 'x'), 'REJECT_REQUIRED|s{"id":7}');
    unseen.write(record(4, 'REJECT_REQUIRED', 'y'), 'REJECT_REQUIRED|s{"id":8}');
    expect(written.map((r) => [r.row, r.code])).toEqual([
      [null, 'REJECT_DATABASE'],
      [3, 'REJECT_REQUIRED'],
      [null, 'REJECT_DATABASE'],
      [4, 'REJECT_REQUIRED'],
    ]);
  });
});
