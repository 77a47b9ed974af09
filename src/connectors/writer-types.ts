/**
 * The write side of the connector contract: how a migration loads a target table. One writer per
 * SQL backend (`<backend>/<backend>-writer.ts`) uses the database's own bulk path; every batch is one
 * transaction that also records the run's checkpoint, so a crash never leaves a batch half-applied
 * or applied without its checkpoint (`--resume` continues with nothing lost and nothing doubled).
 */
import type { Value } from './types.ts';

/** What a writer loads: a target table, its columns in row order, and its business key. */
export interface WriteTarget {
  /** The target dataset's inventory name (`public.contacts`, `contacts` for SQLite). */
  readonly dataset: string;
  /** Columns of every row, in order. */
  readonly columns: readonly string[];
  /** Key columns (a subset of `columns`): upserts and deletes match on them. */
  readonly key: readonly string[];
  /**
   * The target generates its keys: `key` is the generated column (the last of `columns`). `inserts` rows
   * leave it to the database and get it back; `upserts` update rows by it; every inserted row's
   * (old key, new key) is recorded in the identity table (`stocktake_identity`) in the batch's transaction.
   */
  readonly identity?: {
    readonly mapping: string;
    /** The mapping supplies the key itself (e.g. a `uuid` of the old key): rows are written as given. */
    readonly supplied?: boolean;
  };
}

/** Identity mode: the old key of each `inserts` row, and the old keys whose rows the batch deletes. */
export interface IdentityBatch {
  /** Old key texts, one per `inserts` row. */
  readonly insertKeys: readonly string[];
  /** Old keys to remove from the identity table (their rows are in `deletes`). */
  readonly forget: readonly string[];
  /** A supplied key (`WriteTarget.identity.supplied`): the new key text of each `inserts` row, known before writing. */
  readonly newKeys?: readonly string[];
}

/** Where a mapping's run stands; stored in the target's checkpoint table (`stocktake_checkpoint`). */
export interface Checkpoint {
  readonly mapping: string;
  readonly runId: string;
  /** Batches fully applied. */
  readonly batches: number;
  /** Source rows consumed (written or rejected) by those batches. */
  readonly sourceRows: number;
  /** Set when the mapping finished (verification may still be pending). */
  readonly done: boolean;
  /** The plan or run fingerprint the run applies, to refuse resuming a different one. */
  readonly fingerprint: string;
  readonly updatedAt: string;
}

/** One batch: rows to insert or update (by key), keys to delete, and the checkpoint after it. */
export interface WriteBatch {
  readonly upserts: readonly (readonly Value[])[];
  /**
   * The diff found every upsert's key absent from the target: a writer may load them as plain inserts
   * (PostgreSQL: COPY into the table), provided it falls back to upserting when a key turns out to exist.
   */
  readonly upsertsNew?: boolean;
  /** Insert only: the writer fails a row whose key exists instead of updating it. */
  readonly inserts?: readonly (readonly Value[])[];
  /** Key tuples (in `WriteTarget.key` order) to delete: mirror mode. */
  readonly deletes?: readonly (readonly Value[])[];
  /** Identity mode only. */
  readonly identity?: IdentityBatch;
  readonly checkpoint: Checkpoint;
}

/** A row the database refused, with its reason (constraint violated…), by its index in the batch list. */
export interface WriteRejection {
  /** The list of the refused row: a refused delete (`deletes`) leaves its target row in place. */
  readonly list: 'upserts' | 'inserts' | 'deletes';
  readonly index: number;
  readonly reason: string;
}

/** What one applied batch did. */
export interface BatchResult {
  readonly inserted: number;
  readonly updated: number;
  readonly deleted: number;
  /** Rows the database refused; the rest of the batch is applied (each row isolated by a savepoint). */
  readonly rejected: readonly WriteRejection[];
  /** Identity mode: the new key text of each `inserts` row (null when refused), as recorded in the identity table. */
  readonly newKeys?: readonly (string | null)[];
}

/** Loads one target table. */
export interface Writer {
  /** Rows per batch this writer loads best, used when neither the mapping nor the run sets `batchSize`. */
  readonly batchRows?: number;
  /** Applies a batch and its checkpoint in one transaction. */
  applyBatch(batch: WriteBatch): Promise<BatchResult>;
  /** The checkpoint of a mapping's last run, or null. */
  readCheckpoint(mapping: string): Promise<Checkpoint | null>;
  /** Removes a mapping's checkpoint (a new run that is not a resume). */
  clearCheckpoint(mapping: string): Promise<void>;
}
