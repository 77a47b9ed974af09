/**
 * The fresh-load path of a mapping: when its target table is empty, there is nothing to diff against,
 * so the source is streamed through the compiled mapping straight into the writer, batch by batch (one
 * transaction each, with its checkpoint), the next batch read while the previous one is written. No
 * diff store is built and no row is decoded again.
 *
 * The end state is the diff path's:
 * - a key seen twice is caught while streaming (`KeyRegistry`); no row of a duplicated key is written:
 *   a first row still queued is dropped, one already committed is deleted by a later batch, and every
 *   occurrence is rejected as the diff rejects it (`duplicateRejects`);
 * - rows the database refuses become rejects with its reason (`BatchApplier`);
 * - the checkpoints carry a mark (`FRESH_LOAD_MARK` in the run id), so that `--resume` after a crash,
 *   which takes the diff path, also deletes the rows of keys it finds duplicated: the target was empty
 *   when the run began, so such a row was written by this run before its duplicate was read.
 *
 * Verification, on PostgreSQL and MySQL/MariaDB targets, is one aggregate query inside the target: its
 * count, row digest and column aggregates must equal those of the rows the run committed (`RowDigest`).
 * Otherwise, or when they differ, the target is read once: the order-independent fingerprint (count, sum
 * and XOR of the row hashes) and the column aggregates of the rows committed must equal the target's.
 * When they do not, or when a committed row had to be deleted (its aggregates cannot be taken back), the
 * source is read again into a diff store for the detailed verification that names keys.
 */
import type { Connector, Value } from '../connectors/types.ts';
import type { Checkpoint, Writer } from '../connectors/writer-types.ts';
import { isStocktakeError, StocktakeError } from '../core/errors.ts';
import type { Fingerprint, MappingRun, Reconciliation } from '../core/plan.ts';
import { BatchApplier, type BatchLists, emptyLists } from './apply-batches.ts';
import type { ApplyMappingOptions } from './apply-mapping.ts';
import { FingerprintAccumulator, sameFingerprint } from './canonical-hash.ts';
import { KeyRegistry, REGISTRY_FULL, registryBytesFor } from './fresh-key-set.ts';
import { hasPendingReferences } from './identity-binding.ts';
import type { SoftenedCount } from './mapping-types.ts';
import { duplicateRejects, softenedWarnings } from './plan-mapping.ts';
import { collectSource, collectTarget, keyTextOf } from './plan-sides.ts';
import type { PreparedMapping } from './preflight.ts';
import {
  type AggregatePlan,
  aggregatePlanOf,
  compareAggregates,
  SideAggregates,
} from './reconcile-aggregates.ts';
import { RejectTally } from './rejects.ts';
import {
  DEFAULT_MEMORY_ROWS,
  type PartitionRecords,
  PartitionStore,
  partitionCountFor,
} from './spill-partitions.ts';
import { RowDigest } from './target-digest.ts';
import { UniqueValues } from './unique-values.ts';
import { stopIfAborted, verifyMapping } from './verify-mapping.ts';

/** Appended to the run id of a fresh-load run's checkpoints: a resume then knows the target began empty. */
export const FRESH_LOAD_MARK = '+fresh-load';

/** True when a checkpoint was written by a fresh-load run (or by a resume of one). */
export function isFreshLoadRun(checkpoint: Checkpoint | null): boolean {
  return checkpoint?.runId.endsWith(FRESH_LOAD_MARK) === true;
}

/** Rows per source batch: small enough that the rows of a batch die young. */
const READ_BATCH_ROWS = 1000;
/** Batches handed to the writer and not yet committed, past which the source waits. */
const MAX_IN_FLIGHT = 2;

/**
 * Bytes the key registry may take by default: about 2,000,000 short keys (`registryBytesFor`). A source
 * with more rows takes the diff path, whose store spills to disk, so that memory stays bounded.
 */
export const FRESH_LOAD_KEY_BYTES = 96 * 1024 * 1024;
/** Encoded bytes of a key's values assumed when sizing the registry for a row count before reading. */
const ASSUMED_KEY_BYTES = 10;

/** A fresh load takes a mapping's run options; a saved plan (`--plan`) sends it to the diff path, which checks it. */
export interface FreshLoadOptions extends ApplyMappingOptions {
  /** Bytes the key registry may take (default `FRESH_LOAD_KEY_BYTES`). */
  readonly keyBytes?: number;
}

/**
 * How a fresh load ended: `loaded` (the run is complete and verified), `not-applicable` (nothing was
 * written: the diff path runs instead), or `handed-over`: its keys outgrew the registry's budget, the
 * batches committed so far stay, and the diff path finishes the run as it finishes an interrupted fresh
 * load (`--resume`); it finds every reject again, and writes those the fresh load has not (`RecordedRejects`).
 */
export type FreshLoadOutcome = 'loaded' | 'not-applicable' | 'handed-over';

/**
 * Runs the mapping by the fresh-load path when it applies (the target is empty, no interrupted run,
 * nothing that needs the whole source first, a source whose row count fits the key registry's budget)
 * and fills `run`; see `FreshLoadOutcome` for when the diff path runs instead.
 */
export async function freshLoadMapping(
  prepared: PreparedMapping,
  source: Connector,
  target: Connector,
  writer: Writer,
  run: MappingRun,
  options: FreshLoadOptions,
): Promise<FreshLoadOutcome> {
  if (!freshLoadApplies(prepared, options)) return 'not-applicable';
  const name = prepared.config.name;
  const keyBytes = options.keyBytes ?? FRESH_LOAD_KEY_BYTES;
  const expected = prepared.source.dataset.rowCount;
  if (expected !== null && registryBytesFor(expected, ASSUMED_KEY_BYTES) > keyBytes) {
    options.onStep?.(
      `${name}: ${expected} source rows are more keys than a fresh load holds in memory: the diff path, which spills to disk`,
    );
    return 'not-applicable';
  }
  const started = performance.now();
  const checkpoint = await writer.readCheckpoint(name);
  if (checkpoint !== null && !checkpoint.done) return 'not-applicable';
  if (!(await targetIsEmpty(prepared, target))) return 'not-applicable';
  await writer.clearCheckpoint(name);
  options.onStep?.(
    `${name}: the target is empty: fresh load, the source streamed straight into it (no diff)`,
  );
  run.path = 'fresh-load';
  run.resumed = false;
  run.timings.readMs = Math.round(performance.now() - started);
  const tally = new RejectTally(prepared, { samples: 0, unmasked: options.unmasked, sink: options.sink });
  const applier = new BatchApplier(prepared, writer, tally, {
    runId: options.runId + FRESH_LOAD_MARK,
    batchSize: options.batchSize,
    signal: options.signal,
    onBatch: options.onBatch,
  });
  const stream = new FreshLoadStream(prepared, applier, tally, target, keyBytes);
  const writeStarted = performance.now();
  let whole = false;
  try {
    whole = await stream.run(source, options);
  } finally {
    applier.recordInto(run);
    run.timings.diffAndWriteMs = Math.round(performance.now() - writeStarted);
  }
  if (!whole) {
    const { batches, rows } = applier.progress;
    options.onStep?.(
      `${name}: more keys than a fresh load holds in memory (${stream.keys} after ${rows} rows in ${batches} batches): the diff path continues, as a resumed fresh load`,
    );
    return 'handed-over';
  }
  const softened = softenedWarnings(prepared, stream.softened);
  for (const w of softened) options.onStep?.(`${name}: ${w.message}`);
  if (softened.length > 0) run.warnings = softened;
  options.onStep?.(`${name}: verifying the target against the rows written`);
  const verifyStarted = performance.now();
  const inTarget = await stream.verifyInTarget(target);
  // A signal stops the reads that follow when the target's own digest could not tell.
  if (!inTarget) stopIfAborted(options.signal, name);
  if (inTarget)
    options.onStep?.(`${name}: verified inside the target (its count, row digest and aggregates)`);
  run.reconciliation =
    inTarget ??
    (await stream.verifyByFingerprint(target, options)) ??
    (await verifyBySourceRead(prepared, source, target, applier, tally, options));
  run.timings.verifyMs = Math.round(performance.now() - verifyStarted);
  run.status = run.reconciliation.ok ? 'done' : 'verification-failed';
  return 'loaded';
}

// What needs the diff: a saved plan to check, an identity map, a second pass, references pending, a
// self-reference checked against the whole source, maxRejects (the diff path writes nothing past it), and
// a unique constraint beside the key (none of the rows sharing a value may be written, the first included).
function freshLoadApplies(prepared: PreparedMapping, options: FreshLoadOptions): boolean {
  return (
    options.plan === undefined &&
    UniqueValues.for(prepared) === null &&
    !prepared.identity &&
    prepared.pass === 'rows' &&
    prepared.config.maxRejects === undefined &&
    !hasPendingReferences(prepared) &&
    (options.foreignKeys?.selfReferences ?? null) === null
  );
}

/** True when the target table holds no row: one row asked for, on the target's own read path. */
async function targetIsEmpty(prepared: PreparedMapping, target: Connector): Promise<boolean> {
  const columns = [prepared.compiled.keyFields[0] ?? prepared.compiled.targetFields[0]!];
  for await (const batch of target.read(
    { name: prepared.target.dataset.name },
    { columns, limit: 1, batchSize: 1 },
  )) {
    if (batch.length > 0) return false;
  }
  return true;
}

/** The rows of the batch being filled; a row dropped as a duplicate leaves null. */
interface OpenBatch {
  readonly number: number;
  /** One slot a row added (null once dropped as a duplicate): its length is the batch's size so far. */
  readonly rows: (Value[] | null)[];
  readonly keys: string[];
  // Typed, sized for a whole batch once, filled up to `rows.length`: no array grown row by row, nothing for
  // the collector to copy.
  readonly highs: Uint32Array;
  readonly lows: Uint32Array;
  readonly entries: Float64Array;
  /** The row digests (`RowDigest`), two words a row, when the target computes its own. */
  readonly digests: Uint32Array;
  /**
   * The aggregates of the batch's rows, from the canonical texts the read computed; null when they must
   * be computed from the rows instead (a field compares folded, a row was dropped as a duplicate).
   */
  aggregates: SideAggregates | null;
  /** Entries whose row an earlier batch wrote and whose key turned out duplicated: deleted by this one. */
  retracts: number[];
}

/** Every valid occurrence of one duplicated key: the key values of each, as full-width rows. */
interface DuplicateGroup {
  readonly key: string;
  readonly rows: Value[][];
  /** Each row's number in the read (0 when not known), for its reject. */
  readonly numbers: number[];
}

/** The stream of one fresh load: source rows into batches, batches into the writer, one at a time. */
class FreshLoadStream {
  /** Values the whole read wrote as null or unchanged because they failed (`onInvalid`). */
  softened: readonly SoftenedCount[] = [];
  readonly #prepared: PreparedMapping;
  readonly #applier: BatchApplier;
  readonly #tally: RejectTally;
  readonly #registry: KeyRegistry;
  readonly #batchSize: number;
  readonly #width: number;
  readonly #insertMode: boolean;
  #open: OpenBatch;
  #retracts: number[] = [];
  readonly #duplicates = new Map<number, DuplicateGroup>();
  /** Key texts of rejected rows, with how many: a valid row sharing one is a duplicate, and is not written. */
  #rejectedKeys: Map<string, number> | null = null;
  /** Valid rows of keys that only rejected rows had before them: never written, rejected at the end. */
  readonly #unwritten = new Map<string, DuplicateGroup>();
  /** Entries whose row the database refused. */
  readonly #refused = new Set<number>();
  /** The batches handed to the writer and not settled yet, oldest first. */
  readonly #inFlight: Promise<void>[] = [];
  #tail: Promise<void> = Promise.resolve();
  #failure: { error: unknown } | null = null;
  /** The rows committed and kept: their hashes and their aggregates, for the verification. */
  readonly #written = new FingerprintAccumulator();
  readonly #aggregates: SideAggregates;
  /** A committed row was deleted again: the aggregates of the rows written no longer hold. */
  #retracted = false;
  /** The digest of each row read, as the target computes it; null when it cannot. */
  readonly #digest: RowDigest | null;
  /** The digests of the rows committed and kept. */
  readonly #digested = new FingerprintAccumulator();
  readonly #plan: AggregatePlan;
  /** The aggregates of each batch are taken from the canonical texts of its rows (no field compares folded). */
  readonly #textAggregates: boolean;
  /** The canonical texts of the row `#add` receives next (the read's scratch, valid until the next row). */
  #texts: readonly string[] = [];

  constructor(
    prepared: PreparedMapping,
    applier: BatchApplier,
    tally: RejectTally,
    target: Connector,
    keyBytes: number,
  ) {
    this.#prepared = prepared;
    this.#applier = applier;
    this.#tally = tally;
    this.#batchSize = applier.batchSize;
    this.#width = prepared.compiled.targetFields.length;
    this.#insertMode = prepared.config.to.mode === 'insert';
    this.#plan = aggregatePlanOf(prepared);
    this.#aggregates = new SideAggregates(this.#plan);
    this.#digest = RowDigest.for(prepared, target, this.#plan);
    this.#textAggregates = prepared.fieldFoldings === null;
    this.#open = this.#newBatch(0);
    const scratch: string[] = new Array(this.#width).fill('');
    const keyIndexes = prepared.compiled.keyIndexes;
    // The key text of stored key values, as `keyTextOf` computes a row's (canonical texts, folded).
    this.#registry = new KeyRegistry((values) => {
      for (let k = 0; k < keyIndexes.length; k++)
        scratch[keyIndexes[k]!] = prepared.canonicalizers[keyIndexes[k]!]!(values[k] ?? null);
      return keyTextOf(prepared, scratch);
    }, keyBytes);
  }

  /** Keys registered. */
  get keys(): number {
    return this.#registry.size;
  }

  /**
   * Streams the source into the target; returns true once the last batch (marked done) is committed, or
   * false when the keys outgrew the registry's budget: the batches committed stay, with their checkpoint
   * (not done), and the rows read since are left to the diff path, which reads the whole source again.
   */
  async run(source: Connector, options: FreshLoadOptions): Promise<boolean> {
    const store = new StreamedRows((key, high, low, row, number) => this.#add(key, high, low, row, number));
    try {
      const read = await collectSource(
        this.#prepared,
        paced(source, () => this.#wait()),
        store,
        (r) => this.#tally.addMapped(r.row, r.key, r.sourceKey, r.rejection),
        {
          batchSize: READ_BATCH_ROWS,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.foreignKeys ? { foreignKeys: options.foreignKeys } : {}),
          // Called just before the row reaches `#add`, which takes its texts and its digest (`last`).
          onMappedTexts: (texts, values) => {
            this.#texts = texts;
            this.#digest?.hashRow(texts, values);
          },
        },
      );
      this.softened = read.softened;
    } catch (error) {
      await this.#settle();
      if (this.#failure) throw this.#failure.error;
      if (error instanceof KeysPastBudget) return false;
      // The batches written before the file changed are committed: the run is resumed once it is whole.
      if (isStocktakeError(error, 'FILE_CHANGED')) {
        const { batches, rows } = this.#applier.progress;
        throw new StocktakeError(
          'MIGRATE_INTERRUPTED',
          `mapping ${this.#prepared.config.name}: ${error.message}, after batch ${batches} (${rows} rows applied)`,
          {
            hint: 'run `stocktake migrate --resume` once whatever writes the file has finished',
            context: { mapping: this.#prepared.config.name },
            cause: error,
          },
        );
      }
      throw error;
    }
    // A read cut short by the signal is not the whole source: the last batch is not marked done.
    const interrupted = options.signal?.aborted === true;
    if (!interrupted) this.#rejectDuplicates();
    if (!interrupted || this.#open.rows.length > 0 || this.#retracts.length > 0) this.#submit(!interrupted);
    await this.#settle();
    if (this.#failure) throw this.#failure.error;
    if (interrupted) {
      const name = this.#prepared.config.name;
      const { batches, rows } = this.#applier.progress;
      throw new StocktakeError(
        'MIGRATE_INTERRUPTED',
        `mapping ${name}: interrupted after batch ${batches} (${rows} rows applied)`,
        { hint: 'run `stocktake migrate --resume` to continue', context: { mapping: name } },
      );
    }
    return true;
  }

  /**
   * The verification by the target's own digest and aggregates, without reading its rows. Null when it
   * cannot tell (no digest, a field it cannot render, a committed row deleted again, the query failed)
   * or when they differ: the read then finds out what.
   */
  async verifyInTarget(target: Connector): Promise<Reconciliation | null> {
    const digest = this.#digest;
    if (digest === null || !digest.usable || this.#retracted) return null;
    const totals = await digest.query(target);
    if (totals === null) return null;
    const expected = this.#digested.result();
    const plan = this.#plan;
    const aggregates = compareAggregates(
      plan,
      this.#aggregates,
      SideAggregates.fromTotals(plan, totals.rows, totals.fields),
    );
    return matchedOrNull(expected, totals.rows, totals.fingerprint, aggregates);
  }

  /**
   * The verification from one read of the target: its fingerprint and aggregates against those of the
   * rows committed. Null when they differ or cannot be compared (a committed row was deleted again).
   */
  async verifyByFingerprint(target: Connector, options: FreshLoadOptions): Promise<Reconciliation | null> {
    if (this.#retracted) return null;
    const prepared = this.#prepared;
    const plan = this.#plan;
    const targetAggregates = new SideAggregates(plan);
    const summary = await collectTarget(prepared, target, new StreamedRows(() => undefined), {
      withoutRows: true,
      onTexts: (texts) => targetAggregates.addTexts(texts),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    stopIfAborted(options.signal, prepared.config.name);
    const expected = this.#written.result();
    const aggregates = compareAggregates(plan, this.#aggregates, targetAggregates);
    return matchedOrNull(expected, summary.rows, summary.fingerprint, aggregates);
  }

  // One mapped row (null: a rejected row's key, which makes a valid row of the same key a duplicate, as in the diff).
  #add(key: string, high: number, low: number, row: readonly Value[] | null, number: number): void {
    if (row === null) {
      this.#rejectedKey(key);
      return;
    }
    const values = row.slice(0, this.#width);
    if (this.#rejectedKeys?.has(key) && this.#registry.find(key) < 0) {
      const group = this.#unwritten.get(key);
      if (group) {
        group.rows.push(values);
        group.numbers.push(number);
      } else this.#unwritten.set(key, { key, rows: [values], numbers: [number] });
      return;
    }
    const keyIndexes = this.#prepared.compiled.keyIndexes;
    const keyValues: Value[] = new Array(keyIndexes.length);
    for (let k = 0; k < keyIndexes.length; k++) keyValues[k] = values[keyIndexes[k]!] ?? null;
    const entry = this.#registry.add(key, keyValues, number);
    if (entry === REGISTRY_FULL) throw new KeysPastBudget();
    if (entry < 0) {
      this.#duplicate(~entry, key, values, number);
      return;
    }
    // Every new key's row joins the open batch, and every batch but the last holds `#batchSize` of them:
    // entry e is row e % size of batch e / size.
    const open = this.#open;
    const at = open.rows.length;
    open.rows.push(values);
    open.keys.push(key);
    open.highs[at] = high;
    open.lows[at] = low;
    open.entries[at] = entry;
    if (this.#digest) {
      open.digests[2 * at] = this.#digest.last[0]!;
      open.digests[2 * at + 1] = this.#digest.last[1]!;
    }
    open.aggregates?.addTexts(this.#texts);
    if (open.rows.length >= this.#batchSize) this.#submit(false);
  }

  // The key of a rejected row: a row of that key already taken is taken back.
  #rejectedKey(key: string): void {
    this.#rejectedKeys ??= new Map();
    const keys = this.#rejectedKeys;
    keys.set(key, (keys.get(key) ?? 0) + 1);
    const entry = this.#registry.find(key);
    if (entry >= 0) this.#duplicate(entry, key, null, 0);
  }

  // A key seen again (`values`, or null for a rejected row): its first row is dropped when still queued,
  // or deleted by the next batch.
  #duplicate(entry: number, key: string, values: Value[] | null, number: number): void {
    let group = this.#duplicates.get(entry);
    if (!group) {
      group = {
        key,
        rows: [this.#keyRow(this.#registry.values(entry))],
        numbers: [this.#registry.number(entry)],
      };
      this.#duplicates.set(entry, group);
      if (Math.floor(entry / this.#batchSize) === this.#open.number) {
        this.#open.rows[entry % this.#batchSize] = null;
        this.#open.aggregates = null;
      } else this.#retracts.push(entry);
    }
    if (values) {
      group.rows.push(values);
      group.numbers.push(number);
    }
  }

  // A full-width row holding only the key values, which is all `duplicateRejects` reads of it.
  #keyRow(keyValues: readonly Value[]): Value[] {
    const row: Value[] = new Array(this.#width).fill(null);
    const keyIndexes = this.#prepared.compiled.keyIndexes;
    for (let k = 0; k < keyIndexes.length; k++) row[keyIndexes[k]!] = keyValues[k] ?? null;
    return row;
  }

  // Every occurrence of a duplicated key is rejected, with the diff's own reasons.
  #rejectDuplicates(): void {
    if (this.#duplicates.size === 0 && this.#unwritten.size === 0) return;
    const keys: string[] = [];
    const rows: Value[][] = [];
    const numbers: number[] = [];
    for (const group of [...this.#duplicates.values(), ...this.#unwritten.values()])
      for (let r = 0; r < group.rows.length; r++) {
        keys.push(group.key);
        rows.push(group.rows[r]!);
        numbers.push(group.numbers[r]!);
      }
    const records: PartitionRecords = {
      keys,
      highs: [],
      lows: [],
      numbers,
      rows,
      bytes: Buffer.alloc(0),
      words: new Uint32Array(0),
    };
    const indexes = keys.map((_k, i) => i);
    for (const reject of duplicateRejects(this.#prepared, records, indexes, this.#rejectedKeys))
      this.#tally.addRow(reject);
  }

  // Hands the open batch to the writer, behind the batches already handed over.
  #submit(done: boolean): void {
    const batch = this.#open;
    batch.retracts = this.#retracts;
    this.#retracts = [];
    this.#open = this.#newBatch(batch.number + 1);
    const applied = this.#tail.then(() => (this.#failure ? undefined : this.#apply(batch, done)));
    this.#tail = applied.catch((error: unknown) => {
      this.#failure ??= { error };
    });
    const settled = this.#tail.then(() => {
      this.#inFlight.shift();
    });
    this.#inFlight.push(settled);
  }

  async #apply(batch: OpenBatch, done: boolean): Promise<void> {
    const rows: Value[][] = [];
    const keys: string[] = [];
    const kept: number[] = [];
    for (let i = 0; i < batch.rows.length; i++) {
      const row = batch.rows[i];
      if (row === null || row === undefined) continue;
      rows.push(row);
      keys.push(batch.keys[i]!);
      kept.push(i);
    }
    // The earlier batches are committed: a row the database refused there is not in the target.
    const retracts = batch.retracts.filter((entry) => !this.#refused.has(entry));
    const lists: BatchLists = {
      ...emptyLists(),
      ...(this.#insertMode
        ? { inserts: rows, insertKeys: keys }
        : { upserts: rows, upsertKeys: keys, upsertIsInsert: new Array<boolean>(rows.length).fill(true) }),
      deletes: retracts.map((entry) => this.#registry.values(entry)),
      deleteKeys: retracts.map((entry) => this.#duplicates.get(entry)!.key),
    };
    const refused = await this.#applier.apply(lists, done, true);
    if (retracts.length > 0) this.#retracted = true;
    const refusedRows = this.#insertMode ? refused.inserts : refused.upserts;
    const merged = batch.aggregates !== null && refusedRows.size === 0;
    if (merged) this.#aggregates.merge(batch.aggregates!);
    for (let r = 0; r < rows.length; r++) {
      const i = kept[r]!;
      if (refusedRows.has(r)) {
        this.#refused.add(batch.entries[i]!);
        continue;
      }
      this.#written.add(batch.highs[i]!, batch.lows[i]!);
      if (this.#digest) this.#digested.add(batch.digests[2 * i]!, batch.digests[2 * i + 1]!);
      if (!merged) this.#aggregates.add(rows[r]!);
    }
  }

  #newBatch(number: number): OpenBatch {
    const aggregates = this.#textAggregates ? new SideAggregates(this.#plan) : null;
    const size = this.#batchSize;
    return {
      number,
      rows: [],
      keys: [],
      highs: new Uint32Array(size),
      lows: new Uint32Array(size),
      entries: new Float64Array(size),
      digests: new Uint32Array(this.#digest ? 2 * size : 0),
      aggregates,
      retracts: [],
    };
  }

  // The source waits while the writer has its fill of batches; a failed write stops the read.
  async #wait(): Promise<void> {
    while (this.#inFlight.length >= MAX_IN_FLIGHT && !this.#failure) await this.#inFlight[0];
    if (this.#failure) throw this.#failure.error;
  }

  async #settle(): Promise<void> {
    await this.#tail;
  }
}

/** Thrown out of the read when a new key does not fit in the registry's budget; `run` catches it. */
class KeysPastBudget extends Error {}

/** Where `StreamedRows` sends each record, with the row's number in the read. */
type RowSink = (key: string, high: number, low: number, row: readonly Value[] | null, number: number) => void;

/**
 * A partition store that keeps nothing: each record goes to `sink` as it is added (the side readers'
 * only use of a store), so that the fresh load shares the diff's source and target readers.
 */
class StreamedRows extends PartitionStore {
  readonly #sink: RowSink;

  constructor(sink: RowSink) {
    super(1, 1);
    this.#sink = sink;
  }

  override add(key: string, high: number, low: number, row: readonly Value[] | null, number = 0): void {
    this.#sink(key, high, low, row, number);
  }
}

/** The source, read no further ahead than `wait` allows after each batch. */
function paced(source: Connector, wait: () => Promise<void>): Connector {
  return {
    kind: source.kind,
    name: source.name,
    connect: () => source.connect(),
    inventory: (options) => source.inventory(options),
    shape: (dataset, options) => source.shape(dataset, options),
    async *read(dataset, options) {
      for await (const batch of source.read(dataset, options)) {
        yield batch;
        await wait();
      }
    },
    close: () => source.close(),
  };
}

/**
 * The reconciliation of a target whose fingerprint and column aggregates match those of the rows
 * committed; null when either differs (the detailed verification then names the keys).
 */
function matchedOrNull(
  expected: Fingerprint,
  targetRows: number,
  targetFingerprint: Fingerprint,
  aggregates: Reconciliation['aggregates'],
): Reconciliation | null {
  if (!sameFingerprint(expected, targetFingerprint) || !aggregates.every((a) => a.ok)) return null;
  return {
    ok: true,
    expectedRows: expected.rows,
    targetRows,
    matched: expected.rows,
    missing: 0,
    different: 0,
    unexpected: 0,
    examples: [],
    expectedFingerprint: expected,
    targetFingerprint,
    aggregates,
  };
}

/**
 * The detailed verification, when the fingerprints or aggregates differ: the source read again into a
 * diff store (its rejects are already counted), compared key by key with the target.
 */
async function verifyBySourceRead(
  prepared: PreparedMapping,
  source: Connector,
  target: Connector,
  applier: BatchApplier,
  tally: RejectTally,
  options: FreshLoadOptions,
): Promise<Reconciliation> {
  const sideRows = Math.max(1, Math.floor((options.memoryRows ?? DEFAULT_MEMORY_ROWS) / 2));
  const expected = prepared.source.dataset.rowCount ?? applier.progress.rows;
  const store = new PartitionStore(
    partitionCountFor(expected, sideRows),
    sideRows,
    `${prepared.config.name}-source`,
  );
  try {
    await collectSource(prepared, source, store, () => undefined, {
      batchSize: READ_BATCH_ROWS,
      ...(options.foreignKeys ? { foreignKeys: options.foreignKeys } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    stopIfAborted(options.signal, prepared.config.name);
    return await verifyMapping(prepared, store, target, {
      notExpected: applier.refusedKeys,
      tally,
      signal: options.signal,
      ...(options.memoryRows ? { memoryRows: options.memoryRows } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
  } finally {
    store.close();
  }
}
