/**
 * Groups a mapping's changes into batches and sends each through the Writer, one transaction per batch
 * that also records the checkpoint. Rows the database refuses become rejects with its reason; an
 * interruption (signal, lost connection) stops between batches, leaving every committed batch and its
 * checkpoint in place.
 */
import type { Value } from '../connectors/types.ts';
import type { BatchResult, Checkpoint, WriteBatch, Writer } from '../connectors/writer-types.ts';
import { causeChain, StocktakeError } from '../core/errors.ts';
import type { MappingRun } from '../core/plan.ts';
import type { PreparedMapping } from './preflight.ts';
import type { RejectTally } from './rejects.ts';

/** Where a mapping's writing stands. */
export interface ApplyProgress {
  inserted: number;
  updated: number;
  deleted: number;
  databaseRejects: number;
  batches: number;
  /** Rows of all batches applied, counting an interrupted run's when resumed. */
  rows: number;
}

/** The rows of one batch, list by list, with the key text of each row (an identity mapping's: old keys). */
export interface BatchLists {
  readonly upserts: Value[][];
  readonly upsertKeys: string[];
  /** Per upsert, whether the diff found its key absent. */
  readonly upsertIsInsert: boolean[];
  readonly inserts: Value[][];
  readonly insertKeys: string[];
  readonly deletes: Value[][];
  /** The key text of each row in `deletes` (as the diff compares keys). */
  readonly deleteKeys: string[];
  /** Identity mode: old keys of the rows in `deletes`. */
  readonly forget: string[];
  /** Identity mode with a key the mapping supplies: the new key text of each `inserts` row. */
  readonly suppliedKeys: string[];
}

/** Empty batch lists. */
export function emptyLists(): BatchLists {
  return {
    upserts: [],
    upsertKeys: [],
    upsertIsInsert: [],
    inserts: [],
    insertKeys: [],
    deletes: [],
    deleteKeys: [],
    forget: [],
    suppliedKeys: [],
  };
}

/** The rows of a batch the database refused, by index in their list. */
export interface RefusedRows {
  readonly upserts: ReadonlySet<number>;
  readonly inserts: ReadonlySet<number>;
  readonly deletes: ReadonlySet<number>;
}

/** A mirror's delete the database refused (a row still referenced), held for a retry once the run's other mappings are done. */
export interface RefusedDelete {
  readonly key: readonly Value[];
  readonly keyText: string;
  readonly reason: string;
}

/** The batching of one mapping's changes. */
export class BatchApplier {
  readonly progress: ApplyProgress;
  /** Key texts of rows the database refused (the verification does not expect them). */
  readonly refusedKeys = new Set<string>();
  readonly #prepared: PreparedMapping;
  readonly #writer: Writer;
  readonly #tally: RejectTally;
  readonly #batchSize: number;
  readonly #runId: string;
  readonly #signal: AbortSignal | undefined;
  readonly #maxRejects: number | undefined;
  readonly #onBatch: ((progress: ApplyProgress) => void) | undefined;
  readonly #onRefusedDelete: ((refused: RefusedDelete) => void) | undefined;
  #lists: BatchLists = emptyLists();
  #lastCheckpoint: Checkpoint | null = null;

  constructor(
    prepared: PreparedMapping,
    writer: Writer,
    tally: RejectTally,
    options: {
      runId: string;
      /** The run's batch size, when the mapping says none (`--batch-size`); else the writer's, else 1,000. */
      batchSize?: number | undefined;
      signal?: AbortSignal | undefined;
      resumedFrom?: Checkpoint | null;
      onBatch?: ((progress: ApplyProgress) => void) | undefined;
      /**
       * Takes the mirror deletes the database refuses instead of the rejects: the run tries them again once
       * the mappings that depend on this one have deleted the rows that still referenced them.
       */
      onRefusedDelete?: ((refused: RefusedDelete) => void) | undefined;
    },
  ) {
    this.#prepared = prepared;
    this.#writer = writer;
    this.#tally = tally;
    this.#batchSize = prepared.config.batchSize ?? options.batchSize ?? writer.batchRows ?? 1000;
    this.#runId = options.runId;
    this.#signal = options.signal;
    this.#maxRejects = prepared.config.maxRejects;
    this.#onBatch = options.onBatch;
    this.#onRefusedDelete = options.onRefusedDelete;
    const from = options.resumedFrom;
    this.progress = {
      inserted: 0,
      updated: 0,
      deleted: 0,
      databaseRejects: 0,
      batches: from?.batches ?? 0,
      rows: from?.sourceRows ?? 0,
    };
  }

  /** Rows (and deletes) per batch. */
  get batchSize(): number {
    return this.#batchSize;
  }

  /** Copies where the writing stands into the mapping's run record (counts, rejects, checkpoint). */
  recordInto(run: MappingRun): void {
    const { progress } = this;
    run.inserted = progress.inserted;
    run.updated = progress.updated;
    run.deleted = progress.deleted;
    run.batches = progress.batches;
    run.rejected = {
      mapping: this.#tally.total - progress.databaseRejects,
      database: progress.databaseRejects,
    };
    const checkpoint = this.#lastCheckpoint;
    run.checkpoint = checkpoint && {
      runId: checkpoint.runId,
      batches: checkpoint.batches,
      rows: checkpoint.sourceRows,
      done: checkpoint.done,
    };
  }

  /** The checkpoint of the last batch applied. */
  get checkpoint(): Checkpoint | null {
    return this.#lastCheckpoint;
  }

  /** Queues a row to upsert (`insert` says whether the diff found its key absent). */
  async upsert(row: Value[], key: string, insert: boolean): Promise<void> {
    const lists = this.#lists;
    if (this.#prepared.config.to.mode === 'insert') {
      lists.inserts.push(row);
      lists.insertKeys.push(key);
    } else {
      lists.upserts.push(row);
      lists.upsertKeys.push(key);
      lists.upsertIsInsert.push(insert);
    }
    if (this.#pending() >= this.#batchSize) await this.flush(false);
  }

  /**
   * Queues a key tuple to delete (mirror mode), with its key text; an identity mapping gives the row's
   * old key as its key text, forgotten with it.
   */
  async delete(key: Value[], keyText: string, identity = false): Promise<void> {
    this.#lists.deletes.push(key);
    this.#lists.deleteKeys.push(keyText);
    if (identity) this.#lists.forget.push(keyText);
    if (this.#pending() >= this.#batchSize) await this.flush(false);
  }

  /** Identity mode: queues a new row (its fields, the generated key left to the database) and its old key. */
  async insertNew(fields: Value[], oldKey: string): Promise<void> {
    const identity = this.#prepared.identity!;
    if (identity.supplied < 0) fields.push(null);
    else this.#lists.suppliedKeys.push(identity.generatedCanonicalizer(fields[identity.supplied]));
    this.#lists.inserts.push(fields);
    this.#lists.insertKeys.push(oldKey);
    if (this.#pending() >= this.#batchSize) await this.flush(false);
  }

  /** Identity mode: queues an update of a mapped row (its fields, then its generated key). */
  async updateMapped(row: Value[], oldKey: string): Promise<void> {
    this.#lists.upserts.push(row);
    this.#lists.upsertKeys.push(oldKey);
    this.#lists.upsertIsInsert.push(false);
    if (this.#pending() >= this.#batchSize) await this.flush(false);
  }

  /** Applies the queued rows as one batch with its checkpoint; `done` marks the mapping finished. */
  async flush(done: boolean): Promise<void> {
    if (this.#pending() === 0 && !done) return;
    const lists = this.#lists;
    this.#lists = emptyLists();
    await this.apply(lists, done);
  }

  /**
   * Applies `lists` as one batch with its checkpoint (the fresh-load stream builds its own batches);
   * returns the rows the database refused. With `retract`, the deletes take back rows an earlier batch
   * of this run inserted: they are counted as inserts undone, not as deletes.
   */
  async apply(lists: BatchLists, done: boolean, retract = false): Promise<RefusedRows> {
    const { upserts, upsertKeys, upsertIsInsert, inserts, insertKeys, deletes, deleteKeys, forget } = lists;
    const rows = upserts.length + inserts.length + deletes.length;
    const checkpoint: Checkpoint = {
      mapping: this.#prepared.config.name,
      runId: this.#runId,
      batches: this.progress.batches + 1,
      sourceRows: this.progress.rows + rows,
      done,
      fingerprint: this.#prepared.fingerprint,
      updatedAt: new Date().toISOString(),
    };
    const identity = this.#prepared.identity;
    const batch: WriteBatch = {
      upserts,
      ...(upsertIsInsert.length > 0 && !upsertIsInsert.includes(false) ? { upsertsNew: true } : {}),
      ...(inserts.length > 0 ? { inserts } : {}),
      ...(deletes.length > 0 ? { deletes } : {}),
      ...(identity
        ? {
            identity: {
              insertKeys,
              forget,
              ...(identity.supplied >= 0 ? { newKeys: lists.suppliedKeys } : {}),
            },
          }
        : {}),
      checkpoint,
    };
    let result: BatchResult;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await this.#writer.applyBatch(batch);
        break;
      } catch (error) {
        // A deadlock's victim was rolled back whole: the same batch is sent again, after a pause that lets
        // the other transaction finish.
        if (isDeadlock(error) && attempt < DEADLOCK_ATTEMPTS && !this.#signal?.aborted) {
          await new Promise((resolve) =>
            setTimeout(resolve, DEADLOCK_PAUSE_MS * attempt * (0.5 + Math.random())),
          );
          continue;
        }
        throw interruption(error, this.#prepared.config.name, this.progress.batches);
      }
    }
    this.#lastCheckpoint = checkpoint;
    const refused = { upserts: new Set<number>(), inserts: new Set<number>(), deletes: new Set<number>() };
    for (const rejection of result.rejected) refused[rejection.list].add(rejection.index);
    // The batch and its identity rows are committed: the map in memory follows (a row the database
    // would not delete keeps its old key).
    if (identity?.map) {
      forget.forEach((oldKey, i) => {
        if (!refused.deletes.has(i)) identity.map!.forget(oldKey);
      });
      result.newKeys?.forEach((newKey, i) => {
        if (newKey !== null) identity.map!.set(insertKeys[i]!, newKey);
      });
    }
    for (const rejection of result.rejected) {
      if (rejection.list === 'deletes') {
        this.refusedKeys.add(deleteKeys[rejection.index]!);
        if (this.#onRefusedDelete && !retract) {
          this.#onRefusedDelete({
            key: deletes[rejection.index]!,
            keyText: deleteKeys[rejection.index]!,
            reason: rejection.reason,
          });
          continue;
        }
        this.progress.databaseRejects++;
        this.#tally.addRow({
          key: deleteKeyOf(this.#prepared, deletes[rejection.index]!, deleteKeys[rejection.index]!),
          reason: `the database refused to delete the row${retract ? ' (a duplicate key)' : ', absent from the source'}: ${rejection.reason}`,
          code: 'REJECT_DATABASE',
        });
        continue;
      }
      const list = rejection.list === 'upserts' ? upserts : inserts;
      const keys = rejection.list === 'upserts' ? upsertKeys : insertKeys;
      const row = list[rejection.index];
      this.refusedKeys.add(keys[rejection.index]!);
      this.#tally.addRow({
        key: row ? keyOf(this.#prepared, row, keys[rejection.index]!) : null,
        reason: `the database refused the row: ${rejection.reason}`,
        code: 'REJECT_DATABASE',
        values: row ?? undefined,
      });
    }
    this.progress.databaseRejects += result.rejected.length - refused.deletes.size;
    for (let i = 0; i < upserts.length; i++) {
      if (refused.upserts.has(i)) continue;
      if (upsertIsInsert[i]) this.progress.inserted++;
      else this.progress.updated++;
    }
    this.progress.inserted += inserts.length - refused.inserts.size;
    const removed = deletes.length - refused.deletes.size;
    if (retract) this.progress.inserted -= removed;
    else this.progress.deleted += removed;
    this.progress.batches = checkpoint.batches;
    this.progress.rows = checkpoint.sourceRows;
    this.#onBatch?.(this.progress);
    if (this.#maxRejects !== undefined && this.#tally.total > this.#maxRejects) {
      throw new StocktakeError(
        'MIGRATE_REJECTS_EXCEEDED',
        `mapping ${this.#prepared.config.name}: ${this.#tally.total} rejected rows exceed maxRejects (${this.#maxRejects}); stopped after batch ${checkpoint.batches}`,
        {
          hint: 'read rejects.csv, fix the data or the mapping, then run `stocktake migrate --resume` (applied batches are kept)',
          context: { mapping: this.#prepared.config.name },
        },
      );
    }
    if (this.#signal?.aborted && !done) {
      throw new StocktakeError(
        'MIGRATE_INTERRUPTED',
        `mapping ${this.#prepared.config.name}: interrupted after batch ${checkpoint.batches} (${checkpoint.sourceRows} rows applied)`,
        {
          hint: 'run `stocktake migrate --resume` to continue',
          context: { mapping: this.#prepared.config.name },
        },
      );
    }
    return refused;
  }

  #pending(): number {
    const lists = this.#lists;
    return lists.upserts.length + lists.inserts.length + lists.deletes.length;
  }
}

/** The key of a row to delete, by its key tuple (an identity mapping's: the generated key; its old key is the key text). */
export function deleteKeyOf(
  prepared: PreparedMapping,
  tuple: readonly Value[],
  keyText: string,
): Record<string, Value> {
  if (prepared.identity) return keyOf(prepared, tuple, keyText);
  const key: Record<string, Value> = {};
  prepared.compiled.keyFields.forEach((field, k) => {
    key[field] = tuple[k] ?? null;
  });
  return key;
}

function keyOf(prepared: PreparedMapping, row: readonly Value[], keyText: string): Record<string, Value> {
  const key: Record<string, Value> = {};
  if (prepared.identity) {
    // The old key as its canonical text: an integer column's parts are numbers again (`{"id": 8}`, as the
    // mapping's other rejects write it), the others text.
    const parts = keyText.split('\u0001');
    const columns = prepared.source.dataset.columns;
    prepared.identity.sourceKey.forEach((k, i) => {
      const part = parts[i] ?? null;
      const integer = columns.find((c) => c.name === k.name)?.type === 'integer';
      key[k.name] =
        part !== null && integer && /^-?\d+$/.test(part) && Number.isSafeInteger(Number(part))
          ? Number(part)
          : part;
    });
    return key;
  }
  const { keyFields, keyIndexes } = prepared.compiled;
  for (let k = 0; k < keyFields.length; k++) key[keyFields[k]!] = row[keyIndexes[k]!] ?? null;
  return key;
}

const CONNECTION_LOST_TEXT =
  /ECONNRESET|EPIPE|ECONNREFUSED|ETIMEDOUT|PROTOCOL_CONNECTION_LOST|Connection terminated|connection (is )?(closed|lost|ended)|server closed the connection|terminating connection|Knex: Timeout acquiring/i;
// SQLSTATE class 08 (connection exception) and PostgreSQL's operator interventions (57P01–57P03).
const CONNECTION_LOST_CODE = /^(08[0-9A-Z]{3}|57P0[123])$/;

/** True when an error means the database connection went away (the batch was not committed). */
export function isConnectionLoss(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (e instanceof StocktakeError && e.code === 'SOURCE_UNREACHABLE') return true;
    const code = String(e.context?.driverCode ?? e.code ?? '');
    if (CONNECTION_LOST_CODE.test(code) || CONNECTION_LOST_TEXT.test(`${code} ${String(e.message ?? '')}`))
      return true;
  }
  return false;
}

/** Times a batch is sent when the database rolls it back as a deadlock's victim, before the run stops. */
export const DEADLOCK_ATTEMPTS = 5;
const DEADLOCK_PAUSE_MS = 200;

/** MySQL/MariaDB's deadlock (1213) and PostgreSQL's (40P01) or serialization failure (40001). */
const DEADLOCK_CODE = /^(ER_LOCK_DEADLOCK|1213|40P01|40001)$/;

/**
 * True when the database chose the batch as a deadlock's victim (two mappings writing related tables side by
 * side: a parent's references pass and a child's inserts): its transaction was rolled back, nothing else.
 */
export function isDeadlock(error: unknown): boolean {
  for (const e of causeChain(error))
    for (const code of [e.context?.driverCode, e.code, e.errno])
      if (code !== undefined && DEADLOCK_CODE.test(String(code))) return true;
  return false;
}

// A lost connection, or a batch rolled back as a deadlock's victim DEADLOCK_ATTEMPTS times, leaves the
// committed batches and their checkpoint: the run is resumable (exit 4).
/** A lost connection or a deadlock as MIGRATE_INTERRUPTED (resumable, exit 4); any other error as it is. */
export function interruption(error: unknown, mapping: string, batches: number): unknown {
  if (isDeadlock(error))
    return new StocktakeError(
      'MIGRATE_INTERRUPTED',
      `mapping ${mapping}: the target rolled back a batch as a deadlock's victim after batch ${batches} (${(error as Error).message})`,
      {
        hint: 'run `stocktake migrate --resume`; with `--concurrency 1` mappings of related tables do not write side by side',
        context: { mapping },
        cause: error,
      },
    );
  if (!isConnectionLoss(error)) return error;
  return new StocktakeError(
    'MIGRATE_INTERRUPTED',
    `mapping ${mapping}: the connection to the target was lost after batch ${batches} (${(error as Error).message})`,
    {
      hint: 'run `stocktake migrate --resume` when the target answers again',
      context: { mapping },
      cause: error,
    },
  );
}
