/**
 * The exact number of repeated values of one column, for a `unique` rule on a column past the
 * distinct-value limit: its profile's distinct count is then a sketch's (±0.8%), which can pass a column
 * with repeats or fail a key, so the rule reads the column once more and counts on 64-bit hashes.
 */
import type { Row } from '../connectors/types.ts';
import type { LogicalType } from '../core/inventory.ts';
import { canonicalKey } from './canonical-key.ts';
import { HashLog } from './hash-log.ts';
import { HASH, hashBytes, hashKey } from './value-hash.ts';

/**
 * Every non-null value beyond the first of its kind, over the first column of the rows read; values are
 * compared as the profile compares them (`canonicalKey`: the decimals `7.50` and `7.5` are one value).
 */
export async function countRepeats(
  batches: AsyncIterable<readonly Row[]>,
  type: LogicalType,
  expected = 0,
): Promise<number> {
  const log = new HashLog(Math.max(1024, expected));
  for await (const batch of batches) {
    for (const row of batch) {
      const value = row[0];
      if (value === null || value === undefined) continue;
      if (value instanceof Uint8Array) hashBytes(value);
      else hashKey(canonicalKey(value, type));
      log.add(HASH[0]!, HASH[1]!);
    }
  }
  return log.repeats();
}
