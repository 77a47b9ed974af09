/**
 * Verification after a run: the target is read again and compared, key by key, with the mapped source
 * the run computed (same canonical hashing as the plan), and column aggregates of the expected rows are
 * compared with those of the target rows of the same keys. Rows rejected by the mapping or refused by
 * the database are not expected; in mirror mode no target row may be absent from the source.
 *
 * The source side is never decoded again: its keys and row hashes, kept from the diff, are compared
 * with the hashes of the target rows, which are streamed straight into hashing and into the target's
 * aggregates (the source's were computed while the run wrote). Only when some target row lies outside
 * the expected keys (a row of another origin, one the run did not write, a key it refused) are the
 * aggregates of the rows of expected keys computed by a second, row-keeping read.
 */
import type { Connector } from '../connectors/types.ts';
import { StocktakeError } from '../core/errors.ts';
import type { Fingerprint, Reconciliation } from '../core/plan.ts';
import { FingerprintAccumulator } from './canonical-hash.ts';
import type { PartitionDiff } from './plan-diff.ts';
import { keyValuesOf, walkPartitions } from './plan-mapping.ts';
import { collectTarget } from './plan-sides.ts';
import type { PreparedMapping } from './preflight.ts';
import { aggregatePlanOf, compareAggregates, SideAggregates } from './reconcile-aggregates.ts';
import type { RejectTally } from './rejects.ts';
import { DEFAULT_MEMORY_ROWS, type PartitionRecords, PartitionStore, rowAt } from './spill-partitions.ts';

const EXAMPLES = 10;

/** Options of `verifyMapping`. */
export interface VerifyOptions {
  /** Key texts the run did not write or delete (refused by the database, key exists in insert mode). */
  readonly notExpected: ReadonlySet<string>;
  readonly tally: RejectTally;
  /**
   * The aggregates of every source row the run expects in the target (mapped, key unique), computed
   * while writing; without them, or when some rows were not written, they are computed here from rows.
   */
  readonly sourceAggregates?: SideAggregates | null;
  readonly memoryRows?: number;
  readonly batchSize?: number;
  /** False when a mirror held its deletes back (`mirrorDeletes`): target rows absent from the source may stay. */
  readonly mirror?: boolean;
  /** Stops the target's read: the verification ends with MIGRATE_INTERRUPTED. */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Throws MIGRATE_INTERRUPTED when `signal` stopped a verification's read: the rows are written and the
 * mapping's checkpoint says done, so a plain re-run finds nothing to write and verifies.
 */
export function stopIfAborted(signal: AbortSignal | undefined, mapping: string): void {
  if (!signal?.aborted) return;
  throw new StocktakeError(
    'MIGRATE_INTERRUPTED',
    `mapping ${mapping}: interrupted while verifying the rows written`,
    {
      hint: 'run `stocktake migrate` again: it finds nothing left to write, and verifies',
      context: { mapping },
    },
  );
}

/** Compares the mapped source (its partition store) with the target as it is now. */
export async function verifyMapping(
  prepared: PreparedMapping,
  source: PartitionStore,
  target: Connector,
  options: VerifyOptions,
): Promise<Reconciliation> {
  if (options.sourceAggregates && options.notExpected.size === 0 && !prepared.identity) {
    const reconciliation = await verifyByHashes(prepared, source, target, options.sourceAggregates, options);
    if (reconciliation) return reconciliation;
  }
  return verifyByRows(prepared, source, target, options);
}

/** The counts and checksums of a verification walk, and its examples. */
class Tally {
  readonly counts = { matched: 0, missing: 0, different: 0, unexpected: 0 };
  readonly expected = new FingerprintAccumulator();
  readonly examples: Reconciliation['examples'][number][] = [];
  readonly #prepared: PreparedMapping;
  readonly #options: VerifyOptions;

  constructor(prepared: PreparedMapping, options: VerifyOptions) {
    this.#prepared = prepared;
    this.#options = options;
  }

  /** Counts one partition. */
  add(s: PartitionRecords, diff: PartitionDiff): void {
    const { counts, expected } = this;
    const notExpected = this.#options.notExpected;
    counts.matched += diff.unchanged;
    // Unchanged pairs are not listed by the diff: their source hashes are counted from the rest below.
    const skip = new Uint8Array(s.keys.length);
    for (const i of diff.duplicates) skip[i] = 1;
    for (const i of diff.inserts) {
      skip[i] = 1;
      if (notExpected.has(s.keys[i]!)) continue;
      counts.missing++;
      expected.add(s.highs[i]!, s.lows[i]!);
      this.#example('missing', s, i);
    }
    for (let u = 0; u < diff.updates.length; u += 2) {
      const i = diff.updates[u]!;
      skip[i] = 1;
      if (notExpected.has(s.keys[i]!)) continue;
      counts.different++;
      expected.add(s.highs[i]!, s.lows[i]!);
      this.#example('different', s, i);
    }
    for (let i = 0; i < s.keys.length; i++)
      if (skip[i] === 0 && s.rows[i] !== null) expected.add(s.highs[i]!, s.lows[i]!);
  }

  /** Counts the target rows a mirror should not hold (but those the database refused to delete). */
  unexpected(t: PartitionRecords, diff: PartitionDiff): void {
    const notExpected = this.#options.notExpected;
    for (const j of diff.targetOnly) {
      if (notExpected.has(t.keys[j]!)) continue;
      this.counts.unexpected++;
      this.#example('unexpected', t, j);
    }
  }

  // Only the rows shown as examples are decoded.
  #example(problem: 'missing' | 'different' | 'unexpected', records: PartitionRecords, i: number): void {
    if (this.examples.length >= EXAMPLES) return;
    const key = keyValuesOf(this.#prepared, rowAt(records, i)!);
    this.examples.push({ problem, key: this.#options.tally.showKey(key) });
  }

  result(
    prepared: PreparedMapping,
    source: SideAggregates,
    target: SideAggregates,
    targetSummary: { rows: number; fingerprint: Fingerprint },
  ): Reconciliation {
    const { counts } = this;
    const aggregates = compareAggregates(aggregatePlanOf(prepared), source, target);
    return {
      ok:
        counts.missing === 0 &&
        counts.different === 0 &&
        counts.unexpected === 0 &&
        aggregates.every((a) => a.ok),
      expectedRows: this.expected.rows,
      targetRows: targetSummary.rows,
      ...counts,
      examples: this.examples,
      expectedFingerprint: this.expected.result(),
      targetFingerprint: targetSummary.fingerprint,
      aggregates,
    };
  }
}

/**
 * The target streamed into key texts, row hashes and its aggregates; only keys and hashes are kept,
 * partitioned as the source. Null when a target row lies outside the expected keys, so that the
 * target's aggregates are not those of the expected rows.
 */
async function verifyByHashes(
  prepared: PreparedMapping,
  source: PartitionStore,
  target: Connector,
  sourceAggregates: SideAggregates,
  options: VerifyOptions,
): Promise<Reconciliation | null> {
  const sideRows = Math.max(1, Math.floor((options.memoryRows ?? DEFAULT_MEMORY_ROWS) / 2));
  const store = new PartitionStore(source.partitions, sideRows, `${prepared.config.name}-verify`);
  try {
    const targetAggregates = new SideAggregates(aggregatePlanOf(prepared));
    const targetSummary = await collectTarget(prepared, target, store, {
      withoutRows: true,
      onTexts: (texts) => targetAggregates.addTexts(texts),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    stopIfAborted(options.signal, prepared.config.name);
    const tally = new Tally(prepared, options);
    let outside = false;
    await walkPartitions(source, store, (s, _t, diff) => {
      if (outside) return;
      if (diff.targetOnly.length > 0 || diff.kept > 0) outside = true;
      else tally.add(s, diff);
    });
    return outside ? null : tally.result(prepared, sourceAggregates, targetAggregates, targetSummary);
  } finally {
    store.close();
  }
}

/** The target read with its rows, the aggregates of both sides computed from the rows of expected keys. */
async function verifyByRows(
  prepared: PreparedMapping,
  source: PartitionStore,
  target: Connector,
  options: VerifyOptions,
): Promise<Reconciliation> {
  const sideRows = Math.max(1, Math.floor((options.memoryRows ?? DEFAULT_MEMORY_ROWS) / 2));
  const store = new PartitionStore(source.partitions, sideRows, `${prepared.config.name}-verify`);
  try {
    const targetSummary = await collectTarget(prepared, target, store, {
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    stopIfAborted(options.signal, prepared.config.name);
    const tally = new Tally(prepared, options);
    const mirror = options.mirror ?? prepared.config.to.mode === 'mirror';
    const plan = aggregatePlanOf(prepared);
    const sourceAggregates = new SideAggregates(plan);
    const targetAggregates = new SideAggregates(plan);
    await walkPartitions(source, store, (s, t, diff) => {
      tally.add(s, diff);
      // The aggregates: every expected source row, and the target rows that hold the same keys.
      const duplicate = new Uint8Array(s.keys.length);
      for (const i of diff.duplicates) duplicate[i] = 1;
      const expectedKeys = new Set<string>();
      for (let i = 0; i < s.keys.length; i++) {
        if (s.rows[i] === null || duplicate[i] === 1 || options.notExpected.has(s.keys[i]!)) continue;
        expectedKeys.add(s.keys[i]!);
        sourceAggregates.add(rowAt(s, i)!);
      }
      for (let j = 0; j < t.keys.length; j++) {
        if (expectedKeys.has(t.keys[j]!)) targetAggregates.add(rowAt(t, j)!);
      }
      if (mirror) tally.unexpected(t, diff);
    });
    return tally.result(prepared, sourceAggregates, targetAggregates, targetSummary);
  } finally {
    store.close();
  }
}
