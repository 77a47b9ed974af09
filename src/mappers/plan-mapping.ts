/**
 * The dry run of one mapping: read both sides into partition stores, diff partition by partition, and
 * count every insert, update, delete, unchanged row and reject exactly, keeping a few samples of each
 * with their field-level changes. `migrate` and the verification walk the same partitions.
 */
import type { Connector, Value } from '../connectors/types.ts';
import type { FieldChange, MappingPlan, PlanColumn, PlanSample } from '../core/plan.ts';
import { foldKeyText } from './canonical-key.ts';
import { NULL_TEXT } from './canonical-value.ts';
import { FOREIGN_KEY_LIMIT, type ForeignKeyChecks, type InsertedParents } from './foreign-key-check.ts';
import { IDENTITY_MAP_LIMIT, identityMapTooLarge } from './identity-map.ts';
import type { SoftenedCount } from './mapping-types.ts';
import { diffPartition, emptyDiff, type PartitionDiff } from './plan-diff.ts';
import { sampleValue, showValue } from './plan-masking.ts';
import { collectSource, collectTarget, type SideSummary, type SourceSummary } from './plan-sides.ts';
import { readTargetInThread, type TargetThreadSetting, threadable } from './plan-target-thread.ts';
import type { PreparedMapping } from './preflight.ts';
import { RejectTally, type RowReject } from './rejects.ts';
import type { SelfReferences } from './self-reference-check.ts';
import {
  DEFAULT_MEMORY_ROWS,
  type PartitionRecords,
  PartitionStore,
  partitionCountFor,
  rowAt,
} from './spill-partitions.ts';
import { isPendingReference, pendingReferenceText } from './transforms/ref-transform.ts';
import { UniqueValues } from './unique-values.ts';

/**
 * Rows per batch each side is read in, unless told otherwise (the connectors' default is 5,000): the
 * rows of a batch live until it is hashed, and smaller batches let fewer of them survive into V8's old
 * generation.
 */
const READ_BATCH_ROWS = 1000;

/** Options of a mapping's diff. */
export interface DiffOptions {
  /** Rows of both sides kept in memory before spilling to temporary files (default 200,000). */
  readonly memoryRows?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  /** Rows read so far on one side. */
  readonly onProgress?: (side: 'source' | 'target', rows: number) => void;
  /** The target's foreign keys to check mapped rows against (see `loadForeignKeyChecks`). */
  readonly foreignKeys?: ForeignKeyChecks;
  /** Reads the target side in a worker thread when the target qualifies (see `threadable`). */
  readonly targetThread?: TargetThreadSetting;
}

/** Both sides of a mapping read into partition stores. */
export interface DiffSides {
  readonly source: PartitionStore;
  readonly target: PartitionStore;
  readonly sourceSummary: SourceSummary;
  readonly targetSummary: SideSummary;
  /** Unique constraints of the target (not the key) whose values some source rows share (`MAP_UNIQUE_SHARED`). */
  readonly uniqueWarnings: readonly { path: string; code: string; message: string }[];
  /** Releases memory and temporary files. */
  close(): void;
}

/** Reads the source (through the mapping, rejects into `tally`) and the target into partition stores. */
export async function readSides(
  prepared: PreparedMapping,
  source: Connector,
  target: Connector,
  tally: RejectTally,
  options: DiffOptions = {},
): Promise<DiffSides> {
  // The budget covers both sides: each keeps half in memory before spilling.
  const sideRows = Math.max(1, Math.floor((options.memoryRows ?? DEFAULT_MEMORY_ROWS) / 2));
  const expected = Math.max(prepared.source.dataset.rowCount ?? 0, prepared.target.dataset.rowCount ?? 0);
  const partitions = partitionCountFor(expected, sideRows);
  const sourceStore = new PartitionStore(partitions, sideRows, `${prepared.config.name}-source`);
  const targetLabel = `${prepared.config.name}-target`;
  let targetStore = new PartitionStore(partitions, sideRows, targetLabel);
  const close = () => {
    sourceStore.close();
    targetStore.close();
  };
  // Both sides are read at once, each on its own connection: one database streams while the other side's
  // rows are hashed. A side that fails stops the other before the error is thrown.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const unique = UniqueValues.for(prepared);
  const read = (side: 'source' | 'target') => ({
    signal,
    batchSize: options.batchSize ?? READ_BATCH_ROWS,
    ...(options.onProgress ? { onProgress: (rows: number) => options.onProgress!(side, rows) } : {}),
  });
  const stopOnError = <T>(promise: Promise<T>) =>
    promise.catch((error: unknown) => {
      stop.abort();
      throw error;
    });
  const [sourceRead, targetRead] = await Promise.allSettled([
    stopOnError(
      collectSource(
        prepared,
        source,
        sourceStore,
        (r) => tally.addMapped(r.row, r.key, r.sourceKey, r.rejection),
        {
          ...read('source'),
          ...(options.foreignKeys ? { foreignKeys: options.foreignKeys } : {}),
          ...(unique
            ? {
                onMappedTexts: (texts: readonly string[], _values: unknown, key: string) =>
                  unique.add(texts, key),
              }
            : {}),
        },
      ),
    ),
    stopOnError(
      threadable(prepared, options.targetThread)
        ? readTargetInThread(prepared, options.targetThread!.entry, {
            partitions,
            budgetRows: sideRows,
            label: targetLabel,
            ...read('target'),
          }).then(({ summary, store }) => {
            targetStore = store;
            return summary;
          })
        : collectTarget(prepared, target, targetStore, read('target')),
    ),
  ]);
  if (sourceRead.status === 'rejected' || targetRead.status === 'rejected') {
    close();
    throw sourceRead.status === 'rejected' ? sourceRead.reason : (targetRead as PromiseRejectedResult).reason;
  }
  const selfReferences = options.foreignKeys?.selfReferences;
  if (unique) {
    const keys = unique.rejectShared(sourceStore, (row, rejection) =>
      tally.addRow({ ...rejection, key: keyValuesOf(prepared, row) }),
    );
    sourceStore.reject(keys);
    selfReferences?.exclude(keys);
  }
  if (selfReferences) {
    if (selfReferences.overflow)
      options.foreignKeys!.warnings.push({
        path: `mappings[${prepared.index}]`,
        code: 'MAP_FOREIGN_KEY_UNCHECKED',
        message: `${selfReferences.foreignKeys.map((k) => `foreign key (${k.field}) → ${k.parent}`).join(', ')} is not checked before writing: the source has more than ${FOREIGN_KEY_LIMIT.toLocaleString('en-US')} rows`,
      });
    else resolveSelfReferences(prepared, selfReferences, sourceStore, targetStore, tally);
  }
  return {
    source: sourceStore,
    target: targetStore,
    sourceSummary: sourceRead.value,
    targetSummary: targetRead.value,
    uniqueWarnings: unique?.warnings() ?? [],
    close,
  };
}

/** The round in which each row of a self-referencing table is written, for the sides it was resolved on. */
interface WriteOrder {
  readonly target: PartitionStore;
  readonly rounds: ReadonlyMap<string, number>;
  readonly lastRound: number;
}

const writeOrders = new WeakMap<PartitionStore, WriteOrder>();

/**
 * Checks the self-references of the rows read (see `SelfReferences`): rejects the rows whose parent will
 * not be there, in `tally` and in the source store, and records the rounds that write parents first.
 */
function resolveSelfReferences(
  prepared: PreparedMapping,
  references: SelfReferences,
  source: PartitionStore,
  target: PartitionStore,
  tally: RejectTally,
): void {
  const { rejected, rounds, lastRound } = references.resolve();
  if (rejected.length > 0) {
    const byKey = new Map(rejected.map((r) => [r.key, r]));
    const found: { reject: (typeof rejected)[number]; row: Value[] }[] = [];
    const partitions = [...new Set(rejected.map((r) => source.partitionOf(r.key)))].sort((a, b) => a - b);
    for (const p of partitions) {
      const s = source.load(p);
      for (let i = 0; i < s.keys.length; i++) {
        const reject = byKey.get(s.keys[i]!);
        if (reject && s.rows[i] !== null) found.push({ reject, row: rowAt(s, i)! });
      }
    }
    found.sort((a, b) => a.reject.row - b.reject.row);
    for (const { reject, row } of found)
      tally.addMapped(reject.row, keyValuesOf(prepared, row), null, references.rejectionOf(reject, row));
    source.reject(new Set(byKey.keys()));
  }
  if (lastRound > 0) writeOrders.set(source, { target, rounds, lastRound });
}

/**
 * Diffs the stores partition by partition, handing each partition's records and diff to `visit`. When a
 * self-referencing foreign key makes rows wait for parents the same diff inserts, those rows are held
 * back and visited in later rounds (each a walk of the partitions that hold some), after their parents.
 */
export async function walkPartitions(
  source: PartitionStore,
  target: PartitionStore,
  visit: (source: PartitionRecords, target: PartitionRecords, diff: PartitionDiff) => void | Promise<void>,
): Promise<void> {
  const order = writeOrders.get(source);
  const rounds = order?.target === target ? order : undefined;
  for (let round = 0; round <= (rounds?.lastRound ?? 0); round++) {
    for (let p = 0; p < source.partitions; p++) {
      const s = source.load(p);
      const t = target.load(p);
      if (s.keys.length === 0 && t.keys.length === 0) continue;
      const diff = emptyDiff();
      diffPartition(s, t, diff);
      if (!rounds) await visit(s, t, diff);
      else {
        const part = roundOf(s, diff, round, rounds.rounds);
        if (part) await visit(part.records, t, part.diff);
      }
    }
  }
}

// The rows of one partition written in `round` (0: every other row too), as records and a diff; null when none.
function roundOf(
  s: PartitionRecords,
  diff: PartitionDiff,
  round: number,
  rounds: ReadonlyMap<string, number>,
): { records: PartitionRecords; diff: PartitionDiff } | null {
  const inRound = (i: number) => (rounds.get(s.keys[i]!) ?? 0) === round;
  const inserts = diff.inserts.filter(inRound);
  const updates: number[] = [];
  for (let u = 0; u < diff.updates.length; u += 2)
    if (inRound(diff.updates[u]!)) updates.push(diff.updates[u]!, diff.updates[u + 1]!);
  if (round > 0 && inserts.length === 0 && updates.length === 0) return null;
  // The rows of other rounds are hidden, so that a visitor counting every row of `s` counts each once.
  const rows: PartitionRecords['rows'] = round === 0 ? s.rows.slice() : new Array(s.rows.length).fill(null);
  const moved = (i: number) => {
    rows[i] = round === 0 ? null : s.rows[i]!;
  };
  const held = round === 0 ? (i: number) => !inRound(i) : inRound;
  for (const i of diff.inserts) if (held(i)) moved(i);
  for (let u = 0; u < diff.updates.length; u += 2) if (held(diff.updates[u]!)) moved(diff.updates[u]!);
  const records = { ...s, rows };
  if (round === 0) return { records, diff: { ...diff, inserts, updates } };
  return {
    records,
    diff: { inserts, updates, targetOnly: [], duplicates: [], twins: null, kept: 0, unchanged: 0 },
  };
}

function allNull(row: readonly Value[], width: number): boolean {
  for (let f = 0; f < width; f++) if (row[f] !== null && row[f] !== undefined) return false;
  return true;
}

/** The keys of the source rows the diff of `sides` would insert (an identity mapping's: old keys). */
export async function insertedKeys(sides: DiffSides, mapping: string): Promise<Set<string>> {
  const keys = new Set<string>();
  await walkPartitions(sides.source, sides.target, (s, _t, diff) => {
    for (const i of diff.inserts) {
      if (keys.size >= IDENTITY_MAP_LIMIT) throw identityMapTooLarge(mapping);
      keys.add(s.keys[i]!);
    }
  });
  return keys;
}

/** Records in `parents` the rows the diff of `sides` would insert, for the foreign keys that reference them. */
export async function collectInsertedParents(sides: DiffSides, parents: InsertedParents): Promise<void> {
  if (!parents.needed) return;
  await walkPartitions(sides.source, sides.target, (s, _t, diff) => {
    for (const i of diff.inserts) parents.add(rowAt(s, i)!);
  });
}

/** The reject of a row an insert-only mapping finds under a key the target holds with other values. */
export function keyExistsReject(prepared: PreparedMapping, row: readonly Value[]): RowReject {
  return {
    key: keyValuesOf(prepared, row),
    reason: 'the key already exists in the target with other values, and the mapping only inserts',
    code: 'REJECT_KEY_EXISTS',
  };
}

/** The key of a stored row, by field name (an identity mapping's: the old key, by source column). */
export function keyValuesOf(prepared: PreparedMapping, row: readonly Value[]): Record<string, Value> {
  const key: Record<string, Value> = {};
  if (prepared.identity) {
    const width = prepared.compiled.targetFields.length;
    prepared.identity.sourceKey.forEach((k, i) => {
      key[k.name] = row[width + i] ?? null;
    });
    return key;
  }
  const { keyFields, keyIndexes } = prepared.compiled;
  for (let k = 0; k < keyFields.length; k++) key[keyFields[k]!] = row[keyIndexes[k]!] ?? null;
  return key;
}

/** The key values of a stored target row in key order, as a writer's delete expects them (identity: the generated key). */
export function keyTupleOf(prepared: PreparedMapping, row: readonly Value[]): Value[] {
  if (prepared.identity) {
    const at = prepared.compiled.targetFields.length + prepared.identity.sourceKey.length;
    return [row[at] ?? null];
  }
  return prepared.compiled.keyIndexes.map((i) => row[i] ?? null);
}

/** The fields whose canonical values differ between a new and an old row (every field of an insert). */
export function fieldChanges(
  prepared: PreparedMapping,
  next: readonly Value[] | null,
  old: readonly Value[] | null,
  unmasked: boolean,
): FieldChange[] {
  const changes: FieldChange[] = [];
  const fields = prepared.compiled.targetFields;
  for (let f = 0; f < fields.length; f++) {
    const canonical = prepared.canonicalizers[f]!;
    const folding = prepared.fieldFoldings?.[f] ?? 'exact';
    const a = foldKeyText(next ? canonical(next[f]) : NULL_TEXT, folding);
    const b = foldKeyText(old ? canonical(old[f]) : NULL_TEXT, folding);
    if (a === b && next && old) continue;
    const kind = prepared.personal[f];
    const shown = next?.[f];
    changes.push({
      field: fields[f]!,
      old: old ? sampleValue(showValue(old[f], kind, unmasked)) : null,
      new: next
        ? isPendingReference(shown)
          ? pendingReferenceText(shown)
          : sampleValue(showValue(shown, kind, unmasked))
        : null,
    });
  }
  return changes;
}

/**
 * The rejects of source rows whose key is not unique: all rows of a key are rejected (which one is right
 * cannot be known, and read order is not stable), as a duplicate when their keys are equal, as a
 * collision when they differ only as the target's case-insensitive collation folds them.
 */
export function duplicateRejects(
  prepared: PreparedMapping,
  records: PartitionRecords,
  indexes: readonly number[],
  twins: ReadonlyMap<string, number> | null = null,
): RowReject[] {
  const groups = new Map<string, number[]>();
  for (const i of indexes) {
    const key = records.keys[i]!;
    const group = groups.get(key);
    if (group) group.push(i);
    else groups.set(key, [i]);
  }
  const rejects: RowReject[] = [];
  const { keyIndexes } = prepared.compiled;
  const exactKey = (row: readonly Value[]) =>
    prepared.identity
      ? JSON.stringify(keyValuesOf(prepared, row))
      : keyIndexes.map((k) => prepared.canonicalizers[k]!(row[k])).join('\u0001');
  for (const [key, group] of groups) {
    const rows = group.map((i) => rowAt(records, i)!);
    const exact = new Set(rows.map(exactKey));
    const collision = exact.size > 1;
    const rejected = twins?.get(key) ?? 0;
    const times = group.length + rejected;
    const besides =
      rejected === 0
        ? ''
        : ` (${rejected} of them rejected for another reason, so the right one cannot be known)`;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const number = records.numbers[group[r]!] ?? 0;
      rejects.push({
        ...(number > 0 ? { row: number } : {}),
        key: keyValuesOf(prepared, row),
        reason: collision
          ? `the key equals ${exact.size - 1} other key(s) of the source as the target compares keys (its collation or type folds case, accents or trailing spaces), so the database would keep one row for ${group.length}; none is written`
          : `the key appears ${times} times in the source${besides}; none of these rows is written`,
        code: collision ? 'REJECT_KEY_COLLISION' : 'REJECT_DUPLICATE_KEY',
      });
    }
  }
  return rejects;
}

/** Options of `planMapping`. */
export interface PlanMappingOptions extends DiffOptions {
  /** Samples kept per kind of change (default 5). */
  readonly samples?: number;
  /** Show personal values unmasked in samples. */
  readonly unmasked?: boolean;
  /** Identity mappings: receives the old key of every row the plan would insert (refs to them are pending). */
  readonly onInsert?: (oldKey: string) => void;
  /** A second pass (references): the old keys its first pass would insert; their references are set after. */
  readonly firstPassInserts?: ReadonlySet<string>;
  /** Receives the rows the plan would insert that foreign keys of later mappings reference. */
  readonly insertedParents?: InsertedParents;
  /**
   * The run to resume was a fresh load (the target began empty): the target rows of keys the source holds
   * more than once were written by it before the duplicate was read, and the resume deletes them.
   */
  readonly retractDuplicates?: boolean;
}

/** Plans one mapping: exact counts and samples; writes nothing. */
export async function planMapping(
  prepared: PreparedMapping,
  source: Connector,
  target: Connector,
  options: PlanMappingOptions = {},
): Promise<MappingPlan> {
  const started = performance.now();
  const limit = options.samples ?? 5;
  const unmasked = options.unmasked === true;
  const tally = new RejectTally(prepared, { samples: limit, unmasked });
  const parents = options.insertedParents?.needed ? options.insertedParents : null;
  const sides = await readSides(prepared, source, target, tally, options);
  const mode = prepared.config.to.mode;
  const counts = { inserts: 0, updates: 0, deletes: 0, unchanged: 0, targetOnly: 0 };
  const samples: Record<'insert' | 'update' | 'delete', PlanSample[]> = {
    insert: [],
    update: [],
    delete: [],
  };
  const sample = (
    kind: 'insert' | 'update' | 'delete',
    source: PartitionRecords | null,
    i: number,
    target: PartitionRecords | null,
    j: number,
  ) => {
    if (samples[kind].length >= limit) return;
    // Rows back from disk are decoded only for the few samples kept.
    const next = source && rowAt(source, i);
    const old = target && rowAt(target, j);
    const keyRow = (next ?? old)!;
    samples[kind].push({
      kind,
      key: tally.showKey(keyValuesOf(prepared, keyRow)),
      changes:
        kind === 'delete'
          ? fieldChanges(prepared, null, old, unmasked)
          : fieldChanges(prepared, next, old, unmasked),
    });
  };
  const deletes = mirrorDeletes(prepared, sides.sourceSummary.unkeyed);
  const warnings = [
    ...(options.foreignKeys?.warnings ?? []),
    ...heldDeletesWarning(prepared, sides.sourceSummary.unkeyed),
    ...softenedWarnings(prepared, sides.sourceSummary.softened),
    ...sides.uniqueWarnings,
  ];
  try {
    await walkPartitions(sides.source, sides.target, (s, t, diff) => {
      counts.unchanged += diff.unchanged;
      for (const i of diff.inserts) {
        if (prepared.pass === 'references') {
          // The first pass inserts the row with these fields NULL; this pass then sets them.
          if (!options.firstPassInserts?.has(s.keys[i]!)) continue;
          if (allNull(rowAt(s, i)!, prepared.compiled.targetFields.length)) {
            counts.unchanged++;
            continue;
          }
          counts.updates++;
          sample('update', s, i, null, 0);
          continue;
        }
        counts.inserts++;
        options.onInsert?.(s.keys[i]!);
        if (parents) parents.add(rowAt(s, i)!);
        sample('insert', s, i, null, 0);
      }
      for (let u = 0; u < diff.updates.length; u += 2) {
        const i = diff.updates[u]!;
        if (mode === 'insert') {
          tally.addRow(keyExistsReject(prepared, rowAt(s, i)!));
          continue;
        }
        counts.updates++;
        sample('update', s, i, t, diff.updates[u + 1]!);
      }
      for (const j of diff.targetOnly) {
        if (!deletes) {
          counts.targetOnly++;
          continue;
        }
        counts.deletes++;
        sample('delete', null, 0, t, j);
      }
      for (const reject of duplicateRejects(prepared, s, diff.duplicates, diff.twins)) tally.addRow(reject);
      if (options.retractDuplicates && diff.duplicates.length > 0) {
        const duplicated = new Set(diff.duplicates.map((i) => s.keys[i]!));
        for (let j = 0; j < t.keys.length; j++) {
          if (!duplicated.has(t.keys[j]!)) continue;
          counts.deletes++;
          sample('delete', null, 0, t, j);
        }
      }
    });
  } finally {
    sides.close();
  }
  const maxRejects = prepared.config.maxRejects ?? null;
  return {
    name: prepared.config.name,
    inserts: counts.inserts,
    updates: counts.updates,
    deletes: counts.deletes,
    unchanged: counts.unchanged,
    rejects: tally.total,
    samples: [...samples.insert, ...samples.update, ...samples.delete, ...tally.samples],
    mode,
    source: {
      name: prepared.source.name,
      dataset: prepared.source.dataset.name,
      columns: planColumns(prepared.source.dataset.columns),
      fingerprint: sides.sourceSummary.fingerprint,
    },
    target: {
      name: prepared.target.name,
      dataset: prepared.target.dataset.name,
      columns: planColumns(prepared.target.dataset.columns),
      fingerprint: sides.targetSummary.fingerprint,
    },
    mappingFingerprint: prepared.fingerprint,
    targetOnly: counts.targetOnly,
    rejectsByCode: { ...tally.byCode },
    maxRejects,
    maxRejectsExceeded: maxRejects !== null && tally.total > maxRejects,
    dependsOn: prepared.dependsOn,
    keyComparison: prepared.keyFoldings.some((f) => f !== 'exact') ? 'folded' : 'exact',
    durationMs: Math.round(performance.now() - started),
    ...(warnings.length > 0 ? { warnings } : {}),
    ...planIdentity(prepared),
  };
}

/** What a plan says of an identity mapping and of the references a mapping resolves. */
function planIdentity(prepared: PreparedMapping): Pick<MappingPlan, 'identity' | 'references' | 'pass'> {
  const slots = prepared.compiled.references;
  return {
    ...(prepared.identity
      ? {
          identity: {
            sourceKey: prepared.identity.sourceKey.map((k) => k.name),
            generated: prepared.identity.generated.name,
            mapped: prepared.identity.map?.size ?? 0,
          },
        }
      : {}),
    ...(slots.length > 0
      ? {
          references: slots.map((slot) => ({
            field: slot.field,
            mapping: slot.mapping,
            resolved: slot.resolvedSeen,
            pending: slot.pendingSeen,
          })),
        }
      : {}),
    ...(prepared.pass === 'references' ? { pass: 'references' as const } : {}),
  };
}

/** A dataset's columns as a plan records them. */
export function planColumns(
  columns: readonly { name: string; type: PlanColumn['type']; nativeType?: string }[],
): PlanColumn[] {
  return columns.map((c) => ({
    name: c.name,
    type: c.type,
    ...(c.nativeType !== undefined ? { nativeType: c.nativeType } : {}),
  }));
}

/**
 * Whether a mirror deletes the target rows the source lacks: not when some rejected row has no key (its key
 * fields failed too, a lookup that lost its entry): its target row cannot be told from a row gone from the
 * source, and a rejected row's target row is never deleted.
 */
export function mirrorDeletes(prepared: PreparedMapping, unkeyed: number): boolean {
  return prepared.config.to.mode === 'mirror' && unkeyed === 0;
}

/** The plan's warning when a mirror holds its deletes back (`mirrorDeletes`). */
export function heldDeletesWarning(
  prepared: PreparedMapping,
  unkeyed: number,
): { path: string; code: string; message: string }[] {
  if (prepared.config.to.mode !== 'mirror' || unkeyed === 0) return [];
  return [
    {
      path: `mappings[${prepared.index}]`,
      code: 'MAP_MIRROR_DELETES_HELD',
      message: `no target row is deleted: ${unkeyed} rejected source row(s) have no key (their key fields fail too), so their target rows cannot be told from rows gone from the source; fix the rejects (see the rejects file), then run again`,
    },
  ];
}

/**
 * `MAP_INVALID_NULLED` / `MAP_INVALID_KEPT`: values that failed a step or a check of a field whose
 * `onInvalid` is `null` or `keep` are written (as null, or as they were) instead of rejecting their rows;
 * each field says how many, and why the first failed, so that no value changes without a count.
 */
export function softenedWarnings(
  prepared: PreparedMapping,
  softened: readonly SoftenedCount[],
): { path: string; code: string; message: string }[] {
  return softened.map((s) => ({
    path: `mappings[${prepared.index}].fields.${s.field}`,
    code: s.action === 'null' ? 'MAP_INVALID_NULLED' : 'MAP_INVALID_KEPT',
    message: `${s.count} value(s) of ${s.field} failed and ${s.action === 'null' ? 'are written as null' : 'are written as they are'} (onInvalid: ${s.action}) instead of rejecting their rows; the first: ${s.reason}`,
  }));
}
