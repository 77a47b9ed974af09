/**
 * The unique-value check on its own: a NULL never conflicts but on SQL Server, whose unique constraints
 * take one NULL; a value repeated under one key only is a duplicate key, not a shared value.
 */
import { describe, expect, it } from 'vitest';
import type { Value } from '../../src/connectors/types.ts';
import { NULL_TEXT } from '../../src/mappers/canonical-value.ts';
import type { PreparedMapping } from '../../src/mappers/preflight.ts';
import { PartitionStore } from '../../src/mappers/spill-partitions.ts';
import { type UniqueReject, UniqueValues } from '../../src/mappers/unique-values.ts';

function prepared(kind: string): PreparedMapping {
  return {
    index: 0,
    target: {
      kind,
      dataset: {
        name: 'accounts',
        columns: [
          { name: 'code', type: 'string', nativeType: 'text' },
          { name: 'siret', type: 'string', nativeType: 'text' },
        ],
        primaryKey: { name: 'pk', columns: ['code'] },
        uniqueKeys: [{ name: 'uq_siret', columns: ['siret'] }],
      },
    },
    compiled: { targetFields: ['code', 'siret'], keyFields: ['code'] },
    canonicalizers: [(v: Value) => String(v), (v: Value) => (v === null ? NULL_TEXT : String(v))],
  } as unknown as PreparedMapping;
}

/** A store that counts the partitions loaded: the check walks the rows again only for a shared value. */
class CountingStore extends PartitionStore {
  loads = 0;
  override load(p: number) {
    this.loads++;
    return super.load(p);
  }
}

/** The keys rejected for the rows given, as the plan runs the check, and the partitions it loaded. */
function rejected(
  kind: string,
  rows: [string, string | null][],
): { keys: string[]; reasons: UniqueReject[]; loads: number } {
  const p = prepared(kind);
  const unique = UniqueValues.for(p)!;
  const store = new CountingStore(4);
  for (const [code, siret] of rows) {
    unique.add([code, siret === null ? NULL_TEXT : siret], code);
    store.add(code, 0, 0, [code, siret]);
  }
  const reasons: UniqueReject[] = [];
  const keys = [...unique.rejectShared(store, (_row, r) => reasons.push(r))].sort();
  store.close();
  return { keys, reasons, loads: store.loads };
}

describe('unique values shared by source rows', () => {
  it('lets NULLs repeat, but on SQL Server', () => {
    const rows: [string, string | null][] = [
      ['A', null],
      ['B', null],
      ['C', '44306184100047'],
    ];
    expect(rejected('postgres', rows).keys).toEqual([]);
    expect(rejected('mssql', rows).keys).toEqual(['A', 'B']);
  });

  it('takes a value repeated under one key for a duplicate key, and walks nothing again', () => {
    const result = rejected('postgres', [
      ['A', 'x'],
      ['A', 'x'],
      ['B', 'y'],
    ]);
    expect(result).toEqual({ keys: [], reasons: [], loads: 0 });
  });
});
