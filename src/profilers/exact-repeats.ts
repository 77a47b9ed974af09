/**
 * The exact number of repeated values of one column, for a `unique` rule on a column past the
 * distinct-value limit: its profile's distinct count is then a sketch's (±0.8%), which can pass a column
 * with repeats or fail a key, so the rule reads the column once more and counts on 64-bit hashes.
 */
import type { Row, Value } from '../connectors/types.ts';
import { HashLog } from './hash-log.ts';
import { HASH, hashBytes, hashKey, hashString } from './value-hash.ts';

/** Hashes one non-null value into `HASH`; values of different kinds that print alike stay apart. */
function hashValue(value: Exclude<Value, null>): void {
  if (typeof value === 'string') hashString(value);
  else if (typeof value === 'number' || typeof value === 'boolean') hashKey(value);
  else if (typeof value === 'bigint') hashString(`\u0000n${value}`);
  else if (value instanceof Uint8Array) hashBytes(value);
  else hashString(`\u0000j${JSON.stringify(value)}`);
}

/** Every non-null value beyond the first of its kind, over the first column of the rows read. */
export async function countRepeats(batches: AsyncIterable<readonly Row[]>, expected = 0): Promise<number> {
  const log = new HashLog(Math.max(1024, expected));
  for await (const batch of batches) {
    for (const row of batch) {
      const value = row[0];
      if (value === null || value === undefined) continue;
      hashValue(value);
      log.add(HASH[0]!, HASH[1]!);
    }
  }
  return log.repeats();
}
