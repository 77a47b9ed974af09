import { describe, expect, it } from 'vitest';
import type { ColumnProfile, DatasetProfile } from '../../src/core/profile.ts';
import { readinessOf } from '../../src/profilers/readiness.ts';

/** A dataset of 30 clean rows but for `whitespace` on its one text column. */
function profileWith(whitespace: ColumnProfile['whitespace']): Omit<DatasetProfile, 'readiness'> {
  const column = {
    name: 'email',
    type: 'string',
    count: 30,
    nulls: 0,
    distinct: 30,
    conformance: 1,
    nullLike: { empty: 0, blank: 0, na: 0, nullText: 0, dash: 0, zeroDate: 0 },
    formats: [],
    variants: { groups: 0, values: 0, examples: [] },
    whitespace,
  } as unknown as ColumnProfile;
  return {
    source: 's',
    dataset: 't',
    rowCount: 30,
    duplicateRows: 0,
    keyDuplicates: [],
    orphans: [],
    candidateKeys: [],
    columns: [column],
  } as unknown as Omit<DatasetProfile, 'readiness'>;
}

describe('readiness', () => {
  it('counts a value with spaces at both ends once in the whitespace penalty', () => {
    // One value of thirty, `  nathan@example.fr `: 1/30 of the values, 3.3% → 5 × 0.33 = 1.7 points.
    const once = readinessOf(profileWith({ leading: 1, trailing: 1, both: 1 }), undefined);
    expect(once.penalties).toEqual([
      {
        reason: 'email: values with leading or trailing spaces',
        reasonFr: 'email : valeurs avec des espaces au début ou à la fin',
        points: 1.7,
      },
    ]);
    expect(once.score).toBe(98);
    // Two values, one at each end: 2/30.
    expect(
      readinessOf(profileWith({ leading: 1, trailing: 1, both: 0 }), undefined).penalties[0]!.points,
    ).toBe(3.3);
  });
});
