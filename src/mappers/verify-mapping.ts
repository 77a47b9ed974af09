/**
 * Verification after a run: the target is read again and compared, key by key, with the mapped source
 * the run computed (same canonical hashing as the plan), and column aggregates of the expected rows are
 * compared with those of the target rows of the same keys, in the same walk. Rows rejected by the
 * mapping or refused by the database are not expected; in mirror mode no target row may be absent from
 * the source.
 */
import type { Connector } from '../connectors/types.ts';
import type { Reconciliation } from '../core/plan.ts';
import { FingerprintAccumulator } from './canonical-hash.ts';
import { keyValuesOf, walkPartitions } from './plan-mapping.ts';
import { collectTarget } from './plan-sides.ts';
import type { PreparedMapping } from './preflight.ts';
import { aggregatePlanOf, compareAggregates, SideAggregates } from './reconcile-aggregates.ts';
import type { RejectTally } from './rejects.ts';
import { DEFAULT_MEMORY_ROWS, PartitionStore, rowAt } from './spill-partitions.ts';

const EXAMPLES = 10;

/** Compares the mapped source (its partition store) with the target as it is now. */
export async function verifyMapping(
  prepared: PreparedMapping,
  source: PartitionStore,
  target: Connector,
  options: {
    /** Key texts the run did not write (refused by the database, key exists in insert mode). */
    readonly notExpected: ReadonlySet<string>;
    readonly tally: RejectTally;
    readonly memoryRows?: number;
    readonly batchSize?: number;
  },
): Promise<Reconciliation> {
  const sideRows = Math.max(1, Math.floor((options.memoryRows ?? DEFAULT_MEMORY_ROWS) / 2));
  const store = new PartitionStore(source.partitions, sideRows, `${prepared.config.name}-verify`);
  try {
    const targetSummary = await collectTarget(prepared, target, store, {
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
    const expected = new FingerprintAccumulator();
    const counts = { matched: 0, missing: 0, different: 0, unexpected: 0 };
    const examples: Reconciliation['examples'][number][] = [];
    const example = (
      problem: 'missing' | 'different' | 'unexpected',
      row: Parameters<typeof keyValuesOf>[1],
    ) => {
      if (examples.length < EXAMPLES)
        examples.push({ problem, key: options.tally.showKey(keyValuesOf(prepared, row)) });
    };
    const mirror = prepared.config.to.mode === 'mirror';
    const aggregatePlan = aggregatePlanOf(prepared);
    const sourceAggregates = new SideAggregates(aggregatePlan);
    const targetAggregates = new SideAggregates(aggregatePlan);
    await walkPartitions(source, store, (s, t, diff) => {
      counts.matched += diff.unchanged;
      // Unchanged pairs are not listed by the diff: count their source hashes from the matched rows below.
      const skip = new Set<number>();
      for (const i of diff.duplicates) skip.add(i);
      for (const i of diff.inserts) {
        skip.add(i);
        if (options.notExpected.has(s.keys[i]!)) continue;
        counts.missing++;
        expected.add(s.highs[i]!, s.lows[i]!);
        if (examples.length < EXAMPLES) example('missing', rowAt(s, i)!);
      }
      for (let u = 0; u < diff.updates.length; u += 2) {
        const i = diff.updates[u]!;
        skip.add(i);
        if (options.notExpected.has(s.keys[i]!)) continue;
        counts.different++;
        expected.add(s.highs[i]!, s.lows[i]!);
        if (examples.length < EXAMPLES) example('different', rowAt(s, i)!);
      }
      for (let i = 0; i < s.keys.length; i++) {
        if (s.rows[i] === null || skip.has(i)) continue;
        expected.add(s.highs[i]!, s.lows[i]!);
      }
      // The aggregates: every expected source row, and the target rows that hold the same keys.
      const expectedKeys = new Set<string>();
      const duplicates = new Set(diff.duplicates);
      for (let i = 0; i < s.keys.length; i++) {
        if (s.rows[i] === null || duplicates.has(i) || options.notExpected.has(s.keys[i]!)) continue;
        expectedKeys.add(s.keys[i]!);
        sourceAggregates.add(rowAt(s, i)!);
      }
      for (let j = 0; j < t.keys.length; j++) {
        if (expectedKeys.has(t.keys[j]!)) targetAggregates.add(rowAt(t, j)!);
      }
      if (mirror) {
        for (const j of diff.targetOnly) {
          counts.unexpected++;
          if (examples.length < EXAMPLES) example('unexpected', rowAt(t, j)!);
        }
      }
    });
    const aggregates = compareAggregates(aggregatePlan, sourceAggregates, targetAggregates);
    return {
      ok:
        counts.missing === 0 &&
        counts.different === 0 &&
        counts.unexpected === 0 &&
        aggregates.every((a) => a.ok),
      expectedRows: expected.rows,
      targetRows: targetSummary.rows,
      ...counts,
      examples,
      expectedFingerprint: expected.result(),
      targetFingerprint: targetSummary.fingerprint,
      aggregates,
    };
  } finally {
    store.close();
  }
}
