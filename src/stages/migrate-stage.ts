/**
 * The migrate stage: preflight, then every mapping diffed against its target and the differences
 * written in checkpointed batches, independent mappings in parallel and dependent ones in foreign-key
 * order, each verified after its run. Always returns the `run.json` document, with the first error
 * that stopped a mapping; with a saved plan every mapping is read and checked before anything is written.
 */
import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Config } from '../config/schema.ts';
import { SqlConnector } from '../connectors/sql/sql-connector.ts';
import { createSqlWriter, type WriterKind } from '../connectors/sql/sql-writer.ts';
import type { Connector } from '../connectors/types.ts';
import type { Writer, WriteTarget } from '../connectors/writer-types.ts';
import { isStocktakeError, StocktakeError } from '../core/errors.ts';
import type { MappingPlan, MappingRun, PlanDocument, RunDocument } from '../core/plan.ts';
import { redact } from '../core/secrets.ts';
import { TOOL_VERSION } from '../core/version.ts';
import {
  type ApplyProgress,
  deleteKeyOf,
  interruption,
  type RefusedDelete,
} from '../mappers/apply-batches.ts';
import {
  type ApplyMappingOptions,
  newMappingRun,
  type ReadMapping,
  readMappingForRun,
  writeMapping,
} from '../mappers/apply-mapping.ts';
import type { MappingProblem } from '../mappers/compile-mapping.ts';
import {
  type ForeignKeyChecks,
  InsertedParents,
  loadForeignKeyChecks,
} from '../mappers/foreign-key-check.ts';
import { freshLoadMapping } from '../mappers/fresh-load.ts';
import {
  bindIdentity,
  hasPendingReferences,
  type IdentityBindingContext,
} from '../mappers/identity-binding.ts';
import { collectInsertedParents, insertedKeys } from '../mappers/plan-mapping.ts';
import { columnChanges } from '../mappers/plan-staleness.ts';
import {
  checkSourceFilters,
  type OpenedSide,
  type PreparedMapping,
  preflight,
  resolveDataset,
} from '../mappers/preflight.ts';
import { RecordedRejects, RejectTally } from '../mappers/rejects.ts';
import { RejectsFiles } from '../mappers/rejects-file.ts';
import { LOCKING_KINDS, type LockedTarget, lockRuns } from '../mappers/run-lock.ts';
import { type MappingConnectors, openMappingConnectors, selectedMappings } from './plan-stage.ts';

/** Options of `runMigrate`. */
export interface MigrateRunOptions {
  /** Mapping names to run; default all. */
  readonly only?: readonly string[];
  readonly baseDir?: string;
  /** Where rejects.csv and rejects.jsonl go. */
  readonly rejectsDir: string;
  /** Continue interrupted runs. */
  readonly resume?: boolean;
  /** A saved plan to apply exactly (refused when stale), and its file name for run.json. */
  readonly plan?: { readonly file: string; readonly document: PlanDocument };
  readonly memoryRows?: number;
  /** Mappings run at once when independent (default 2). */
  readonly concurrency?: number;
  /** Rows per batch when the mapping does not say (default 1000). */
  readonly batchSize?: number;
  /** Stops between batches (SIGINT/SIGTERM). */
  readonly signal?: AbortSignal;
  readonly showSamples?: boolean;
  readonly onStep?: (message: string) => void;
  readonly onBatch?: (mapping: string, progress: ApplyProgress) => void;
  /**
   * Stream a mapping whose target table is empty straight into it, without a diff (default true; false
   * always takes the diff path). See `freshLoadMapping`.
   */
  readonly freshLoad?: boolean;
  /** Bytes a fresh load's key registry may take before the diff path takes over (see `FRESH_LOAD_KEY_BYTES`). */
  readonly freshLoadKeyBytes?: number;
  /** Opens the writer of a target table (default: the target connector's `writer`). */
  readonly openWriter?: (connector: Connector, target: WriteTarget) => Promise<Writer>;
  readonly now?: () => Date;
  /** Connectors already open, targets in write mode (tests, library users); they are left open. */
  readonly connectors?: MappingConnectors;
}

/** What a migration did, and the error that stopped it (null when it ran to the end). */
export interface MigrateOutcome {
  readonly run: RunDocument;
  readonly error: unknown;
}

/** Runs the selected mappings. Errors before any mapping starts (config, preflight, stale plan) are thrown. */
export async function runMigrate(config: Config, options: MigrateRunOptions): Promise<MigrateOutcome> {
  const runId = randomUUID();
  const startedAt = (options.now?.() ?? new Date()).toISOString();
  const connectors =
    options.connectors ??
    (await openMappingConnectors(config, {
      ...(options.only ? { only: options.only } : {}),
      targetMode: 'write',
      ...(options.onStep ? { onStep: options.onStep } : {}),
    }));
  let rejects: RejectsFiles | undefined;
  let unlock: (() => Promise<void>) | undefined;
  try {
    if (options.plan) checkPlanCoversMappings(config, options.plan, connectors, options.only);
    const prepared = preflight({
      config,
      ...(options.baseDir ? { baseDir: options.baseDir } : {}),
      ...(options.only ? { only: options.only } : {}),
      sources: connectors.sources,
      targets: connectors.targets,
      writable: (side) => options.openWriter !== undefined || canWrite(side.connector),
    });
    await checkSourceFilters(prepared, connectors.sources, config);
    const writers = new Map<string, Writer>();
    for (const p of prepared) {
      const connector = connectors.targets.get(p.target.name)!.connector;
      // With an identity map, the writer updates by the generated key (last column) and inserts without it.
      const generated = p.identity?.generated.name;
      const supplied = (p.identity?.supplied ?? -1) >= 0;
      const target: WriteTarget = generated
        ? {
            dataset: p.target.dataset.name,
            // A key the mapping supplies is among its fields, written as given.
            columns: supplied ? p.compiled.targetFields : [...p.compiled.targetFields, generated],
            key: [generated],
            identity: { mapping: p.mappingName, ...(supplied ? { supplied: true } : {}) },
          }
        : {
            dataset: p.target.dataset.name,
            columns: p.compiled.targetFields,
            key: p.compiled.keyFields,
          };
      const open = options.openWriter ?? ((c: Connector, t: WriteTarget) => openWriter(c, t, p));
      writers.set(p.config.name, await open(connector, target));
    }
    // A run still writing a mapping holds its lock: this one stops before reading its checkpoint.
    unlock = await lockRuns(await lockedTargets(prepared, connectors));
    const resumedRuns = options.resume ? await interruptedRuns(prepared, writers) : new Set<string>();
    if (!options.resume) await refuseOverInterruptedRuns(prepared, writers);
    rejects = new RejectsFiles(options.rejectsDir);
    const runs = new Map(prepared.map((p) => [p.config.name, newMappingRun(p.config.name, p.pass)]));
    const run: RunDocument = {
      formatVersion: 1,
      kind: 'run',
      runId,
      startedAt,
      finishedAt: startedAt,
      status: 'ok',
      plan: options.plan?.file ?? null,
      mappings: [...runs.values()],
      rejectsFiles: rejects.files,
      tool: { name: 'stocktake', version: TOOL_VERSION },
    };
    const binding: IdentityBindingContext = {
      prepared,
      targetOf: (p) => connectors.targets.get(p.target.name)!.connector,
    };
    const context: RunContext = {
      connectors,
      writers,
      runs,
      options,
      runId,
      sink: rejects,
      binding,
      refusedDeletes: new Map(),
      resumedRuns,
      parents: new Set(prepared.flatMap((p) => p.dependsOn)),
    };
    const error = options.plan ? await runPlanned(prepared, context) : await runScheduled(prepared, context);
    const retried = await retryRefusedDeletes(prepared, context, error === null);
    const outcome = error ?? retried;
    // A run that started has its rejects files, empty when nothing was rejected; a saved plan refused as
    // stale wrote nothing and leaves the last run's files as they were.
    if (!isStocktakeError(outcome, 'PLAN_STALE')) rejects.open();
    run.finishedAt = (options.now?.() ?? new Date()).toISOString();
    run.status = runStatus(run.mappings, outcome);
    return { run: rejects.created ? run : { ...run, rejectsFiles: [] }, error: outcome };
  } finally {
    rejects?.close();
    await unlock?.();
    if (!options.connectors) await connectors.close();
  }
}

/** The mappings' PostgreSQL and MySQL/MariaDB targets, each mapping once (its passes share the lock). */
async function lockedTargets(
  prepared: readonly PreparedMapping[],
  connectors: MappingConnectors,
): Promise<LockedTarget[]> {
  const targets = new Map<string, LockedTarget>();
  for (const p of prepared) {
    const connector = connectors.targets.get(p.target.name)!.connector;
    if (!(connector instanceof SqlConnector) || !LOCKING_KINDS.has(connector.kind)) continue;
    const key = `${p.target.name}\u0000${p.target.dataset.name}\u0000${p.mappingName}`;
    if (targets.has(key)) continue;
    targets.set(key, {
      mapping: p.mappingName,
      target: p.target.name,
      table: p.target.dataset.name,
      kind: connector.kind,
      db: await connector.db(),
    });
  }
  return [...targets.values()];
}

/** The runs that stopped before every mapping was done: `--resume` continues them. */
async function interruptedRuns(
  prepared: readonly PreparedMapping[],
  writers: ReadonlyMap<string, Writer>,
): Promise<Set<string>> {
  const runs = new Set<string>();
  for (const p of prepared) {
    const checkpoint = await writers.get(p.config.name)!.readCheckpoint(p.config.name);
    if (checkpoint && !checkpoint.done) runs.add(checkpoint.runId);
  }
  return runs;
}

/**
 * Refuses to start over interrupted runs before anything is written: their run.json and rejects files
 * (which `--resume` needs, and which list what was refused) stay as they were. Every such mapping is named.
 */
async function refuseOverInterruptedRuns(
  prepared: readonly PreparedMapping[],
  writers: ReadonlyMap<string, Writer>,
): Promise<void> {
  const interrupted: string[] = [];
  for (const p of prepared) {
    const checkpoint = await writers.get(p.config.name)!.readCheckpoint(p.config.name);
    if (checkpoint && !checkpoint.done)
      interrupted.push(
        `mapping ${p.config.name}: an interrupted run (${checkpoint.runId}) stopped after batch ${checkpoint.batches} (${checkpoint.sourceRows} rows applied)`,
      );
  }
  if (interrupted.length === 0) return;
  throw new StocktakeError('MIGRATE_RESUME_REQUIRED', interrupted.join('; '), {
    hint: 'run `stocktake migrate --resume` to continue; nothing was written, the last run.json and rejects files are kept',
    context: { mappings: interrupted.length },
  });
}

const WRITER_KINDS: Readonly<Record<string, WriterKind>> = {
  postgres: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
  sqlite: 'sqlite',
  mssql: 'mssql',
};

function canWrite(connector: Connector): boolean {
  return (
    connector.writer !== undefined || (connector instanceof SqlConnector && connector.kind in WRITER_KINDS)
  );
}

// The connector's own writer when it offers one; else the SQL writer of its backend over its pool.
async function openWriter(connector: Connector, target: WriteTarget, p: PreparedMapping): Promise<Writer> {
  if (connector.writer) return connector.writer(target);
  const db = await (connector as SqlConnector).db();
  return createSqlWriter(WRITER_KINDS[connector.kind]!, db, target, {
    columns: p.target.dataset.columns,
    ...(p.target.dataset.schema !== undefined ? { schema: p.target.dataset.schema } : {}),
    table: p.target.dataset.table ?? p.target.dataset.name,
    name: p.target.name,
  });
}

interface RunContext {
  readonly connectors: MappingConnectors;
  readonly writers: ReadonlyMap<string, Writer>;
  readonly runs: ReadonlyMap<string, MappingRun>;
  readonly options: MigrateRunOptions;
  readonly runId: string;
  readonly sink: RejectsFiles;
  readonly binding: IdentityBindingContext;
  /** Per mapping, the mirror deletes the database refused, held for `retryRefusedDeletes`. */
  readonly refusedDeletes: Map<string, RefusedDelete[]>;
  /** `--resume`: the interrupted runs it continues (a mapping one of them finished is part of it). */
  readonly resumedRuns: ReadonlySet<string>;
  /** Mappings others depend on: their refused deletes wait for the dependents' own deletes. */
  readonly parents: ReadonlySet<string>;
}

/**
 * A mirror's deletes run in its own pass, before the mappings that depend on it: a row another target table
 * still references is refused then, though a dependent mirror may delete the referencing rows later in the
 * run. Such refusals are tried again once every mapping is done, dependents first; only those refused
 * again are rejects (`REJECT_DATABASE`), and the rows deleted count as the mapping's deletes.
 */
async function retryRefusedDeletes(
  prepared: readonly PreparedMapping[],
  context: RunContext,
  retry: boolean,
): Promise<unknown> {
  let firstError: unknown = null;
  for (const p of [...prepared].reverse()) {
    const refused = context.refusedDeletes.get(p.config.name);
    if (!refused || refused.length === 0) continue;
    const run = context.runs.get(p.config.name)!;
    const tally = new RejectTally(p, {
      samples: 0,
      unmasked: context.options.showSamples === true,
      sink: context.sink,
    });
    let still: readonly { readonly index: number; readonly reason: string }[] = refused.map((r, index) => ({
      index,
      reason: r.reason,
    }));
    if (retry && run.status === 'done' && run.checkpoint) {
      context.options.onStep?.(
        `${p.config.name}: deleting again ${refused.length} row(s) the database refused`,
      );
      let result: Awaited<ReturnType<typeof retryBatch>>;
      try {
        result = await retryBatch(p, context, refused, run, tally);
      } catch (error) {
        // The mapping's own batches are committed: the run record stays, with the error on this mapping.
        const stopped = interruption(error, p.config.name, run.checkpoint.batches);
        failRun(run, stopped);
        firstError ??= stopped;
        continue;
      }
      run.deleted += result.deleted;
      still = result.rejected.filter((r) => r.list === 'deletes');
      // An identity mapping's deleted rows leave its map, in the database (the batch forgot them) and here.
      const map = p.identity?.map;
      if (map) {
        const kept = new Set(still.map((r) => r.index));
        refused.forEach((r, i) => {
          if (!kept.has(i)) map.forget(r.keyText);
        });
      }
    }
    for (const { index, reason } of still) {
      const r = refused[index]!;
      tally.addRow({
        key: deleteKeyOf(p, r.key, r.keyText),
        reason: `the database refused to delete the row, absent from the source: ${reason}`,
        code: 'REJECT_DATABASE',
      });
    }
    run.rejected = { ...run.rejected, database: run.rejected.database + still.length };
    // The deletes held back did not count against maxRejects while the mapping ran: they do now.
    const max = p.config.maxRejects;
    const total = run.rejected.mapping + run.rejected.database;
    if (max !== undefined && total > max && run.status === 'done') {
      const exceeded = new StocktakeError(
        'MIGRATE_REJECTS_EXCEEDED',
        `mapping ${p.config.name}: ${total} rejected rows exceed maxRejects (${max}), with the deletes the database still refused at the end of the run`,
        {
          hint: 'read rejects.csv: the rows still referenced from other tables stay; remove the references or raise maxRejects',
          context: { mapping: p.config.name },
        },
      );
      failRun(run, exceeded);
      firstError ??= exceeded;
    }
  }
  return firstError;
}

// The refused deletes again, in one batch with the mapping's last checkpoint; a failure lists them all as
// refused before it stops the run.
async function retryBatch(
  p: PreparedMapping,
  context: RunContext,
  refused: readonly RefusedDelete[],
  run: MappingRun,
  tally: RejectTally,
) {
  const checkpoint = run.checkpoint!;
  try {
    return await context.writers.get(p.config.name)!.applyBatch({
      upserts: [],
      deletes: refused.map((r) => r.key),
      ...(p.identity ? { identity: { insertKeys: [], forget: refused.map((r) => r.keyText) } } : {}),
      checkpoint: {
        mapping: p.config.name,
        runId: checkpoint.runId,
        batches: checkpoint.batches,
        sourceRows: checkpoint.rows,
        done: true,
        fingerprint: p.fingerprint,
        updatedAt: (context.options.now?.() ?? new Date()).toISOString(),
      },
    });
  } catch (error) {
    for (const r of refused) {
      tally.addRow({
        key: deleteKeyOf(p, r.key, r.keyText),
        reason: `the database refused to delete the row, absent from the source: ${r.reason}`,
        code: 'REJECT_DATABASE',
      });
    }
    run.rejected = { ...run.rejected, database: run.rejected.database + refused.length };
    throw error;
  }
}

function applyOptions(p: PreparedMapping, context: RunContext, plan?: MappingPlan): ApplyMappingOptions {
  const { options } = context;
  return {
    runId: context.runId,
    resume: options.resume === true,
    resumedRuns: context.resumedRuns,
    sink: context.sink,
    unmasked: options.showSamples === true,
    ...(plan ? { plan } : {}),
    ...(options.memoryRows ? { memoryRows: options.memoryRows } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStep ? { onStep: options.onStep } : {}),
    ...(options.onBatch
      ? { onBatch: (progress: ApplyProgress) => options.onBatch!(p.config.name, progress) }
      : {}),
    ...(context.parents.has(p.config.name) && p.config.to.mode === 'mirror'
      ? {
          onRefusedDelete: (refused: RefusedDelete) => {
            const held = context.refusedDeletes.get(p.config.name);
            if (held) held.push(refused);
            else context.refusedDeletes.set(p.config.name, [refused]);
          },
        }
      : {}),
  };
}

function sidesOf(p: PreparedMapping, context: RunContext) {
  return {
    source: context.connectors.sources.get(p.source.name)!.connector,
    target: context.connectors.targets.get(p.target.name)!.connector,
    writer: context.writers.get(p.config.name)!,
  };
}

// Without a plan: each mapping reads and writes on its own, once the mappings it depends on are done.
async function runScheduled(prepared: readonly PreparedMapping[], context: RunContext): Promise<unknown> {
  const limit = pLimit(context.options.concurrency ?? 2);
  const done = new Map<string, Promise<boolean>>();
  let firstError: unknown = null;
  const record = (error: unknown) => {
    if (
      firstError === null ||
      (isStocktakeError(error, 'MIGRATE_INTERRUPTED') && !isStocktakeError(firstError, 'MIGRATE_INTERRUPTED'))
    )
      firstError = error;
  };
  for (const p of prepared) {
    const deps = p.dependsOn.map((name) => done.get(name)!).filter(Boolean);
    done.set(
      p.config.name,
      Promise.all(deps).then(async (results) => {
        const run = context.runs.get(p.config.name)!;
        if (results.some((ok) => !ok)) {
          run.status = 'skipped';
          run.error = {
            code: 'SKIPPED',
            message: `not run: a mapping it depends on (${p.dependsOn.join(', ')}) did not finish`,
          };
          return false;
        }
        return limit(async () => {
          if (context.options.signal?.aborted) {
            run.status = 'interrupted';
            return false;
          }
          try {
            await runOne(p, context, undefined);
            return run.status === 'done';
          } catch (error) {
            failRun(run, error);
            record(error);
            return false;
          }
        });
      }),
    );
  }
  await Promise.all(done.values());
  return firstError;
}

async function runOne(p: PreparedMapping, context: RunContext, read: ReadMapping | undefined): Promise<void> {
  const run = context.runs.get(p.config.name)!;
  const { source, target, writer } = sidesOf(p, context);
  const started = performance.now();
  const options = applyOptions(p, context);
  try {
    context.options.onStep?.(
      `${p.config.name}: reading ${p.source.name}.${p.source.dataset.name} and ${p.target.name}.${p.target.dataset.name}`,
    );
    if (!read) await bindIdentity(p, context.binding);
    const foreignKeys = read ? undefined : await foreignKeysOf(p, context);
    const fresh = context.options.freshLoad !== false && foreignKeys !== undefined;
    // Rejects a fresh load writes are recorded, for a hand-over not to write them again.
    const recorded = fresh && options.sink ? new RecordedRejects(options.sink) : undefined;
    const outcome = fresh
      ? await freshLoadMapping(p, source, target, writer, run, {
          ...options,
          foreignKeys,
          ...(recorded ? { sink: recorded } : {}),
          ...(context.options.freshLoadKeyBytes ? { keyBytes: context.options.freshLoadKeyBytes } : {}),
        })
      : 'not-applicable';
    if (outcome === 'loaded') {
      reportRun(p, run, context);
      return;
    }
    // A fresh load that outgrew its key budget is finished as an interrupted one is resumed.
    const handedOver = outcome === 'handed-over';
    const freshInserted = handedOver ? run.inserted : 0;
    // The diff path finds every reject again: those the fresh load wrote are not written twice.
    const diffOptions = handedOver && recorded ? { ...options, sink: recorded.unseen() } : options;
    const ready =
      read ??
      (await readMappingForRun(p, source, target, writer, {
        ...diffOptions,
        foreignKeys,
        ...(handedOver ? { resume: true } : {}),
      }));
    try {
      // Never reached by design (references are pending only before the mappings they name are written).
      if (hasPendingReferences(p))
        throw new StocktakeError('INTERNAL', `mapping ${p.config.name}: references to rows not inserted yet`);
      context.options.onStep?.(`${p.config.name}: writing the differences`);
      await writeMapping(ready, target, writer, run, diffOptions);
    } finally {
      ready.sides.close();
      // Interrupted or not, the counts are those of one run from the empty table.
      if (handedOver) countFromEmpty(run, freshInserted);
    }
    reportRun(p, run, context);
  } finally {
    run.timings.totalMs = Math.round(performance.now() - started);
  }
}

/**
 * The counts of a fresh load the diff path finished, as one run from the empty table: the rows the fresh
 * load inserted are the diff's unchanged rows, but those of keys the diff found duplicated, which it
 * deleted (the table was empty at the start: its only deletes are those).
 */
function countFromEmpty(run: MappingRun, freshInserted: number): void {
  const kept = freshInserted - run.deleted;
  run.inserted += kept;
  // An interrupted diff part has walked only some of the fresh load's rows.
  run.unchanged = Math.max(0, run.unchanged - kept);
  run.deleted = 0;
  run.resumed = false;
}

/** A failed verification is the mapping's error in run.json, under its stable code. */
function recordVerification(run: MappingRun): void {
  const r = run.reconciliation;
  if (run.status !== 'verification-failed' || !r) return;
  run.error = {
    code: 'MIGRATE_VERIFY_FAILED',
    message: `the target does not match the mapped source: ${r.missing} missing, ${r.different} different, ${r.unexpected} unexpected, ${r.aggregates.filter((a) => !a.ok).length} aggregates differ`,
  };
}

function reportRun(p: PreparedMapping, run: MappingRun, context: RunContext): void {
  recordVerification(run);
  const r = run.reconciliation;
  context.options.onStep?.(
    `${p.config.name}: ${run.inserted} inserted, ${run.updated} updated, ${run.deleted} deleted, ${run.unchanged} unchanged, ${run.rejected.mapping + run.rejected.database} rejected${run.path === 'fresh-load' ? ' (fresh load)' : ''}; verification ${r?.ok ? 'passed' : `FAILED (${r?.missing} missing, ${r?.different} different, ${r?.unexpected} unexpected)`}`,
  );
}

// With a saved plan: every mapping is read and checked against the plan before the first write.
async function runPlanned(prepared: readonly PreparedMapping[], context: RunContext): Promise<unknown> {
  const plans = new Map(context.options.plan!.document.mappings.map((m) => [m.name, m]));
  const reads: ReadMapping[] = [];
  // Nothing is written yet: references to rows the run inserts first are pending, as in the plan.
  const pendingInserts = new Map<string, Set<string>>();
  const planned: IdentityBindingContext = { ...context.binding, pendingInserts };
  // Nor are the parents earlier mappings insert: foreign keys to them are not violations, as in the plan.
  const inserted = new Map<string, InsertedParents>();
  // The rejects found while checking are the run's, but the run may yet be refused (a later mapping's
  // plan is stale): until every mapping is checked they wait beside the last run's files.
  const files = context.sink;
  files.hold();
  // A mapping read again after the check (below) finds its rejects again: each is written once.
  const recorded = new Map<string, RecordedRejects>();
  try {
    for (const p of prepared) {
      const { source, target, writer } = sidesOf(p, context);
      context.options.onStep?.(
        `${p.config.name}: checking the plan against ${p.source.name} and ${p.target.name}`,
      );
      await bindIdentity(p, planned);
      const sink = new RecordedRejects(files);
      recorded.set(p.config.name, sink);
      const read = await readMappingForRun(p, source, target, writer, {
        ...applyOptions(p, context, plans.get(p.config.name)),
        sink,
        foreignKeys: await foreignKeysOf(p, context, inserted),
      });
      reads.push(read);
      if (p.identity && p.pass === 'rows')
        pendingInserts.set(p.mappingName, await insertedKeys(read.sides, p.mappingName));
      if (p.pass === 'rows') {
        const parents = new InsertedParents(
          p,
          prepared,
          context.connectors.targets.get(p.target.name)!.datasets,
        );
        await collectInsertedParents(read.sides, parents);
        inserted.set(p.config.name, parents);
      }
    }
  } catch (error) {
    for (const read of reads) read.sides.close();
    files.discard();
    throw error;
  }
  files.release();
  let firstError: unknown = null;
  for (let i = 0; i < prepared.length; i++) {
    const p = prepared[i]!;
    const run = context.runs.get(p.config.name)!;
    if (firstError !== null) {
      reads[i]!.sides.close();
      run.status = 'skipped';
      continue;
    }
    try {
      // Checked against the plan, but read before the rows it references were written: read again now
      // that their new keys are in the map (a second pass also finds the rows its first pass inserted).
      let read = reads[i]!;
      if (p.pass === 'references' || hasPendingReferences(p)) {
        read.sides.close();
        const { source, target, writer } = sidesOf(p, context);
        await bindIdentity(p, context.binding);
        read = await readMappingForRun(p, source, target, writer, {
          ...applyOptions(p, context),
          sink: recorded.get(p.config.name)!.unseen(),
          foreignKeys: await foreignKeysOf(p, context),
        });
      }
      await runOne(p, context, read);
    } catch (error) {
      failRun(run, error);
      firstError = error;
    }
  }
  return firstError;
}

// The target's foreign keys of `p`, with the parents earlier mappings insert when they are not written yet.
async function foreignKeysOf(
  p: PreparedMapping,
  context: RunContext,
  inserted?: ReadonlyMap<string, InsertedParents>,
): Promise<ForeignKeyChecks> {
  const target = context.connectors.targets.get(p.target.name)!;
  return loadForeignKeyChecks(p, target.connector, {
    prepared: context.binding.prepared,
    ...(inserted ? { inserted } : {}),
    targetDatasets: () => target.datasets,
  });
}

function failRun(run: MappingRun, error: unknown): void {
  if (isStocktakeError(error, 'MIGRATE_INTERRUPTED')) run.status = 'interrupted';
  else if (isStocktakeError(error, 'MIGRATE_REJECTS_EXCEEDED')) run.status = 'rejects-exceeded';
  else run.status = 'failed';
  const code = isStocktakeError(error) ? error.code : 'INTERNAL';
  run.error = { code, message: redact(error instanceof Error ? error.message : String(error)) };
}

function runStatus(mappings: readonly MappingRun[], error: unknown): RunDocument['status'] {
  if (mappings.some((m) => m.status === 'interrupted') || isStocktakeError(error, 'MIGRATE_INTERRUPTED'))
    return 'interrupted';
  if (mappings.some((m) => m.status === 'failed')) return 'failed';
  if (mappings.some((m) => m.status === 'rejects-exceeded')) return 'rejects-exceeded';
  if (mappings.some((m) => m.status === 'verification-failed')) return 'verification-failed';
  return error ? 'failed' : 'ok';
}

/**
 * Before preflight: every selected mapping is in the plan, and its source and target datasets still have
 * the plan's columns (a column removed since would otherwise surface as a compile problem, unexplained).
 */
function checkPlanCoversMappings(
  config: Config,
  plan: { file: string; document: PlanDocument },
  connectors: MappingConnectors,
  only: readonly string[] | undefined,
): void {
  const planned = new Map(plan.document.mappings.map((m) => [m.name, m]));
  const problems: string[] = [];
  for (const mapping of selectedMappings(config, only)) {
    const saved = planned.get(mapping.name);
    if (!saved) {
      problems.push(`mapping ${mapping.name} is not in ${plan.file}`);
      continue;
    }
    const sides: [string, OpenedSide | undefined, string, MappingPlan['source']][] = [
      ['source', connectors.sources.get(mapping.from.source), mapping.from.dataset, saved.source],
      ['target', connectors.targets.get(mapping.to.target), mapping.to.dataset, saved.target],
    ];
    for (const [label, side, dataset, before] of sides) {
      if (!side) continue;
      const ignored: MappingProblem[] = [];
      const now = resolveDataset(side, dataset, '', ignored);
      if (!now) {
        problems.push(
          `mapping ${mapping.name}: the ${label} dataset ${side.name}.${dataset} no longer exists`,
        );
        continue;
      }
      const changes = columnChanges(before.columns, now.columns);
      if (changes)
        problems.push(`mapping ${mapping.name}: ${label} dataset ${side.name}.${now.name} ${changes}`);
    }
  }
  if (problems.length > 0) {
    throw new StocktakeError(
      'PLAN_STALE',
      `${plan.file} is stale:\n${problems.map((p) => `  ! ${p}`).join('\n')}`,
      {
        hint: 'run `stocktake plan` again, review it, then migrate with the new plan',
        context: { problems },
      },
    );
  }
}
