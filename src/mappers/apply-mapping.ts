/**
 * Runs one mapping: the diff is computed as the plan computes it (source through the mapping against
 * the target as it is now), then only the differences are written in batches, each with its checkpoint,
 * and the target is verified against the mapped source.
 *
 * Resuming needs no ordered source read: a crashed run left whole batches committed, so recomputing the
 * diff finds exactly the rows still to write, whatever order either database returns rows in. The
 * checkpoint says where the run stood, ties it to the mapping's definition, and carries the run id on.
 */
import type { Connector } from '../connectors/types.ts';
import type { Checkpoint, Writer } from '../connectors/writer-types.ts';
import { StocktakeError } from '../core/errors.ts';
import type { MappingPlan, MappingRun } from '../core/plan.ts';
import { type ApplyProgress, BatchApplier, type RefusedDelete } from './apply-batches.ts';
import { sameFingerprint } from './canonical-hash.ts';
import { isFreshLoadRun } from './fresh-load.ts';
import type { PartitionDiff } from './plan-diff.ts';
import {
  type DiffOptions,
  type DiffSides,
  duplicateRejects,
  heldDeletesWarning,
  keyExistsReject,
  keyTupleOf,
  keyValuesOf,
  mirrorDeletes,
  readSides,
  softenedWarnings,
  walkPartitions,
} from './plan-mapping.ts';
import { checkPlanColumns } from './plan-staleness.ts';
import type { PreparedMapping } from './preflight.ts';
import { aggregatePlanOf, SideAggregates } from './reconcile-aggregates.ts';
import { type RejectSink, RejectTally } from './rejects.ts';
import { type PartitionRecords, rowAt } from './spill-partitions.ts';
import { verifyMapping } from './verify-mapping.ts';

/** Options of one mapping's run. */
export interface ApplyMappingOptions extends DiffOptions {
  readonly runId: string;
  /** Continue an interrupted run (its checkpoint) instead of refusing to start over it. */
  readonly resume?: boolean;
  /** With `resume`, the interrupted runs continued: a mapping one of them finished already applied its plan. */
  readonly resumedRuns?: ReadonlySet<string>;
  /** The saved plan of this mapping (`--plan`): the run refuses when the source or target changed since. */
  readonly plan?: MappingPlan;
  readonly sink?: RejectSink;
  readonly unmasked?: boolean;
  readonly onBatch?: (progress: ApplyProgress) => void;
  readonly onStep?: (message: string) => void;
  /** Takes the mirror deletes the database refuses, for a retry after the mappings that depend on this one. */
  readonly onRefusedDelete?: (refused: RefusedDelete) => void;
}

/** A mapping whose sides are read and checked, ready to write. */
export interface ReadMapping {
  readonly prepared: PreparedMapping;
  readonly sides: DiffSides;
  readonly tally: RejectTally;
  readonly checkpoint: Checkpoint | null;
  readonly resumed: boolean;
  readonly readMs: number;
}

/** A fresh run record for a mapping. */
export function newMappingRun(name: string, pass: 'rows' | 'references' = 'rows'): MappingRun {
  return {
    name,
    ...(pass === 'references' ? { pass } : {}),
    status: 'skipped',
    inserted: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    rejected: { mapping: 0, database: 0 },
    batches: 0,
    resumed: false,
    checkpoint: null,
    timings: { readMs: 0, diffAndWriteMs: 0, verifyMs: 0, totalMs: 0 },
    reconciliation: null,
  };
}

/**
 * First half of a run: reads the checkpoint (refusing to start over an interrupted run without
 * `resume`), reads both sides, and refuses a stale saved plan. Nothing is written.
 */
export async function readMappingForRun(
  prepared: PreparedMapping,
  source: Connector,
  target: Connector,
  writer: Writer,
  options: ApplyMappingOptions,
): Promise<ReadMapping> {
  const name = prepared.config.name;
  const checkpoint = await writer.readCheckpoint(name);
  const interrupted = checkpoint !== null && !checkpoint.done;
  if (interrupted && !options.resume) {
    throw new StocktakeError(
      'MIGRATE_RESUME_REQUIRED',
      `mapping ${name}: an interrupted run (${checkpoint.runId}) stopped after batch ${checkpoint.batches} (${checkpoint.sourceRows} rows applied)`,
      { hint: 'run `stocktake migrate --resume` to continue it', context: { mapping: name } },
    );
  }
  if (interrupted && checkpoint.fingerprint !== prepared.fingerprint) {
    throw new StocktakeError(
      'PLAN_STALE',
      `mapping ${name}: the interrupted run applied another definition of the mapping; it changed in the config since`,
      {
        hint: 'restore the mapping as it was to resume, or finish with the new one by running migrate without --resume after clearing the checkpoint',
        context: { mapping: name },
      },
    );
  }
  if (options.plan) checkPlanColumns(prepared, options.plan);
  const started = performance.now();
  const tally = new RejectTally(prepared, { samples: 0, unmasked: options.unmasked, sink: options.sink });
  const sides = await readSides(prepared, source, target, tally, options);
  try {
    // A read cut short by the signal is incomplete: diffing it would delete or insert wrongly.
    if (options.signal?.aborted) {
      throw new StocktakeError(
        'MIGRATE_INTERRUPTED',
        `mapping ${name}: interrupted while reading, before any write`,
        {
          hint: 'run `stocktake migrate` again (with --resume if an earlier run was interrupted)',
          context: { mapping: name },
        },
      );
    }
    if (options.plan) {
      // A mapping the resumed run finished changed its target as planned: only its source must still match.
      const applied =
        interrupted ||
        (options.resume === true &&
          checkpoint?.done === true &&
          options.resumedRuns?.has(checkpoint.runId) === true);
      checkPlanData(prepared, options.plan, sides, applied);
    }
  } catch (error) {
    sides.close();
    throw error;
  }
  return {
    prepared,
    sides,
    tally,
    checkpoint,
    resumed: interrupted,
    readMs: Math.round(performance.now() - started),
  };
}

/** Second half: writes the differences in batches, then verifies; fills `run` as it goes. */
export async function writeMapping(
  read: ReadMapping,
  target: Connector,
  writer: Writer,
  run: MappingRun,
  options: ApplyMappingOptions,
): Promise<void> {
  const { prepared, sides, tally } = read;
  const name = prepared.config.name;
  run.resumed = read.resumed;
  run.timings.readMs = read.readMs;
  run.rejected.mapping = tally.total;
  const maxRejects = prepared.config.maxRejects;
  if (maxRejects !== undefined && tally.total > maxRejects) {
    // Nothing is written, but every reject the plan lists is: duplicate keys, and keys an insert-only
    // mapping finds taken, come out of the diff, which is walked for them alone.
    await walkPartitions(sides.source, sides.target, (s, _t, diff) => {
      if (prepared.config.to.mode === 'insert' && !prepared.identity)
        for (let u = 0; u < diff.updates.length; u += 2)
          tally.addRow(keyExistsReject(prepared, rowAt(s, diff.updates[u]!)!));
      for (const reject of duplicateRejects(prepared, s, diff.duplicates, diff.twins)) tally.addRow(reject);
    });
    run.rejected.mapping = tally.total;
    run.status = 'rejects-exceeded';
    throw new StocktakeError(
      'MIGRATE_REJECTS_EXCEEDED',
      `mapping ${name}: ${tally.total} rejected rows exceed maxRejects (${maxRejects}); nothing written`,
      {
        hint: 'read rejects.csv, fix the data or the mapping, or raise maxRejects',
        context: { mapping: name },
      },
    );
  }
  if (!read.resumed) await writer.clearCheckpoint(name);
  const applier = new BatchApplier(prepared, writer, tally, {
    runId: read.resumed ? read.checkpoint!.runId : options.runId,
    batchSize: options.batchSize,
    signal: options.signal,
    resumedFrom: read.resumed ? read.checkpoint : null,
    onBatch: options.onBatch,
    onRefusedDelete: options.onRefusedDelete,
  });
  const notExpected = new Set<string>();
  const sourceAggregates = new SideAggregates(aggregatePlanOf(prepared));
  const mode = prepared.config.to.mode;
  const deletes = mirrorDeletes(prepared, sides.sourceSummary.unkeyed);
  const held = heldDeletesWarning(prepared, sides.sourceSummary.unkeyed);
  if (held.length > 0) options.onStep?.(`${name}: ${held[0]!.message}`);
  const softened = softenedWarnings(prepared, sides.sourceSummary.softened);
  for (const w of softened) options.onStep?.(`${name}: ${w.message}`);
  if (held.length + softened.length > 0) run.warnings = [...held, ...softened];
  // The target was empty when the interrupted fresh load began: a row under a key the source holds twice
  // was written by it before the duplicate was read, and goes, as that run would have deleted it.
  const retractDuplicates = read.resumed && isFreshLoadRun(read.checkpoint);
  run.path = 'diff';
  const started = performance.now();
  try {
    if (prepared.identity)
      await walkPartitions(sides.source, sides.target, (s, t, diff) =>
        writeIdentityPartition(prepared, applier, tally, notExpected, run, deletes, s, t, diff),
      );
    else
      await walkPartitions(sides.source, sides.target, async (s, t, diff) => {
        run.unchanged += diff.unchanged;
        for (const reject of duplicateRejects(prepared, s, diff.duplicates, diff.twins)) tally.addRow(reject);
        // Rows written are decoded anyway: the verification's source aggregates are computed from them.
        const counted = new Uint8Array(s.keys.length);
        for (const i of diff.duplicates) counted[i] = 1;
        for (const i of diff.inserts) {
          counted[i] = 1;
          // A second pass only updates: a row its first pass did not write (rejected) is not expected.
          if (prepared.pass === 'references') notExpected.add(s.keys[i]!);
          else {
            const row = rowAt(s, i)!;
            sourceAggregates.add(row);
            await applier.upsert(row, s.keys[i]!, true);
          }
        }
        for (let u = 0; u < diff.updates.length; u += 2) {
          const i = diff.updates[u]!;
          counted[i] = 1;
          if (mode === 'insert') {
            notExpected.add(s.keys[i]!);
            tally.addRow(keyExistsReject(prepared, rowAt(s, i)!));
            continue;
          }
          const row = rowAt(s, i)!;
          sourceAggregates.add(row);
          await applier.upsert(row, s.keys[i]!, false);
        }
        for (let i = 0; i < s.keys.length; i++)
          if (counted[i] === 0 && s.rows[i] !== null) sourceAggregates.add(rowAt(s, i)!);
        if (deletes)
          for (const j of diff.targetOnly)
            await applier.delete(keyTupleOf(prepared, rowAt(t, j)!), t.keys[j]!);
        if (retractDuplicates && diff.duplicates.length > 0)
          await retractDuplicateRows(prepared, applier, s, t, diff);
      });
    await applier.flush(true);
  } finally {
    applier.recordInto(run);
    run.timings.diffAndWriteMs = Math.round(performance.now() - started);
  }
  options.onStep?.(`${name}: verifying the target against the mapped source`);
  const verifyStarted = performance.now();
  for (const key of applier.refusedKeys) notExpected.add(key);
  run.reconciliation = await verifyMapping(prepared, sides.source, target, {
    notExpected,
    tally,
    mirror: deletes,
    ...(prepared.identity ? {} : { sourceAggregates }),
    ...(options.memoryRows ? { memoryRows: options.memoryRows } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    signal: options.signal,
  });
  run.timings.verifyMs = Math.round(performance.now() - verifyStarted);
  run.status = run.reconciliation.ok ? 'done' : 'verification-failed';
  if (prepared.identity?.map)
    run.identity = { generated: prepared.identity.generated.name, mapped: prepared.identity.map.size };
}

/** Deletes the target rows of keys the source holds more than once (see `retractDuplicates`). */
async function retractDuplicateRows(
  prepared: PreparedMapping,
  applier: BatchApplier,
  s: PartitionRecords,
  t: PartitionRecords,
  diff: PartitionDiff,
): Promise<void> {
  const duplicated = new Set<string>();
  for (const i of diff.duplicates) duplicated.add(s.keys[i]!);
  for (let j = 0; j < t.keys.length; j++)
    if (duplicated.has(t.keys[j]!)) await applier.delete(keyTupleOf(prepared, rowAt(t, j)!), t.keys[j]!);
}

/**
 * One partition of an identity mapping: new rows are inserted without their key (the database makes
 * it, the identity map records it), mapped rows are updated by their generated key, and in mirror mode
 * mapped rows whose old key left the source are deleted and forgotten. A second pass (references)
 * only updates: a row its first pass did not insert (rejected) is not expected.
 */
async function writeIdentityPartition(
  prepared: PreparedMapping,
  applier: BatchApplier,
  tally: RejectTally,
  notExpected: Set<string>,
  run: MappingRun,
  deletes: boolean,
  s: PartitionRecords,
  t: PartitionRecords,
  diff: PartitionDiff,
): Promise<void> {
  const width = prepared.compiled.targetFields.length;
  const mode = prepared.config.to.mode;
  run.unchanged += diff.unchanged;
  for (const reject of duplicateRejects(prepared, s, diff.duplicates, diff.twins)) tally.addRow(reject);
  for (const i of diff.inserts) {
    if (prepared.pass === 'references') {
      notExpected.add(s.keys[i]!);
      continue;
    }
    await applier.insertNew(rowAt(s, i)!.slice(0, width), s.keys[i]!);
  }
  for (let u = 0; u < diff.updates.length; u += 2) {
    const i = diff.updates[u]!;
    const source = rowAt(s, i)!;
    if (mode === 'insert' && prepared.pass === 'rows') {
      notExpected.add(s.keys[i]!);
      tally.addRow({
        key: keyValuesOf(prepared, source),
        reason: 'the row is already migrated (identity map) with other values, and the mapping only inserts',
        code: 'REJECT_KEY_EXISTS',
      });
      continue;
    }
    const row = source.slice(0, width);
    // A generated key follows the fields; a supplied one is among them.
    if (prepared.identity!.supplied < 0) row.push(keyTupleOf(prepared, rowAt(t, diff.updates[u + 1]!)!)[0]!);
    await applier.updateMapped(row, s.keys[i]!);
  }
  if (deletes && prepared.pass === 'rows')
    for (const j of diff.targetOnly)
      await applier.delete(keyTupleOf(prepared, rowAt(t, j)!), t.keys[j]!, true);
}

// A resumed run has changed the target since the plan by design: only the source must still match.
function checkPlanData(
  prepared: PreparedMapping,
  plan: MappingPlan,
  sides: DiffSides,
  applied: boolean,
): void {
  const changed: string[] = [];
  if (!sameFingerprint(plan.source.fingerprint, sides.sourceSummary.fingerprint)) {
    changed.push(
      `the source ${plan.source.name}.${plan.source.dataset} (${plan.source.fingerprint.rows} rows then, ${sides.sourceSummary.fingerprint.rows} now, or their content)`,
    );
  }
  if (!applied && !sameFingerprint(plan.target.fingerprint, sides.targetSummary.fingerprint)) {
    changed.push(
      `the target ${plan.target.name}.${plan.target.dataset} (${plan.target.fingerprint.rows} rows then, ${sides.targetSummary.fingerprint.rows} now, or their content)`,
    );
  }
  if (changed.length > 0) {
    throw new StocktakeError(
      'PLAN_STALE',
      `mapping ${prepared.config.name}: the plan is stale; since it was computed, ${changed.join(' and ')} changed`,
      {
        hint: 'run `stocktake plan` again, review it, then migrate with the new plan',
        context: { mapping: prepared.config.name },
      },
    );
  }
}
