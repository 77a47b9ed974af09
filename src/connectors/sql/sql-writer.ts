/**
 * What every SQL writer shares: one connection and one transaction per batch (deletes, rows and the
 * checkpoint row together), the checkpoint table, and the isolation of rows the database refuses.
 * A backend (`<backend>/<backend>-writer.ts`) supplies its bulk statements as a `WriterBackend`.
 *
 * Isolation: a batch list is first written whole inside a savepoint. When the database refuses it
 * for a row-level reason (constraint, value too long, bad value), the savepoint is rolled back and
 * the range is split in two, each half in its own savepoint, down to single rows, which are
 * rejected with the database's message. One bad row in 10,000 costs about 28 statements, not 10,000.
 */
import type { Knex } from 'knex';
import { StocktakeError } from '../../core/errors.ts';
import type { Column } from '../../core/inventory.ts';
import type { Value } from '../types.ts';
import type {
  BatchResult,
  Checkpoint,
  WriteBatch,
  WriteRejection,
  Writer,
  WriteTarget,
} from '../writer-types.ts';
import { describeDriverError } from './sql-errors.ts';
import { isoInstant } from './sql-write-values.ts';

/** The table, in the target, where every mapping's checkpoint is kept (one row per mapping). */
export const CHECKPOINT_TABLE = 'stocktake_checkpoint';

/** The table, in the target, where the identity maps are kept: (mapping, old_key) → new_key. */
export const IDENTITY_TABLE = 'stocktake_identity';

/** The checkpoint table's columns, in the order every backend writes them. */
export const CHECKPOINT_COLUMNS = [
  'mapping',
  'run_id',
  'batches',
  'source_rows',
  'done',
  'fingerprint',
  'updated_at',
] as const;

/** The SQL backends that can be migration targets. */
export type WriterKind = 'postgres' | 'mysql' | 'sqlite' | 'mssql';

/**
 * How a writer finds its table and converts values, from the target's inventory dataset, e.g.
 * `{ columns: dataset.columns, schema: dataset.schema, table: dataset.table, name: 'newtool' }`.
 */
export interface SqlWriterOptions {
  /** The target table's inventory columns (at least those of `WriteTarget.columns`): their types drive conversions. */
  readonly columns: readonly Column[];
  /** The table's schema (database for MySQL); default: the part of `WriteTarget.dataset` before the first dot. */
  readonly schema?: string;
  /** The table's name in its schema; default: the rest of `WriteTarget.dataset`. */
  readonly table?: string;
  /** The target's name in the config, for messages. */
  readonly name?: string;
}

/** Rows inserted and updated by one statement or range. */
export interface WriteCounts {
  readonly inserted: number;
  readonly updated: number;
  /** Identity mode, `inserts`: the new key text of each row of the range (null for a row `stage` refused). */
  readonly newKeys?: readonly (string | null)[];
}

/** A list of a batch that carries rows to write. */
export type RowList = 'upserts' | 'inserts';

/**
 * One backend's side of a writer, on a connection `C` taken from the knex pool. `stage` runs first
 * in every batch transaction (PostgreSQL COPYs the rows there); `write` then writes a range of a
 * list and may be called again on sub-ranges after a refused range was rolled back.
 */
export interface WriterBackend<C> {
  /** PostgreSQL, MySQL/MariaDB, SQLite, SQL Server. */
  readonly product: string;
  /** Runs one statement without results (transaction control, savepoints, DDL). */
  exec(connection: C, sql: string): Promise<void>;
  /** Transaction and savepoint statements; `release` is null where savepoints cannot be released (SQL Server). */
  readonly statements: {
    readonly begin: readonly string[];
    readonly commit: string;
    readonly rollback: string;
    readonly savepoint: string;
    readonly release: string | null;
    readonly rollbackTo: string;
  };
  /** Creates the checkpoint table when it does not exist. */
  ensureCheckpointTable(connection: C): Promise<void>;
  /** Prepares the batch; returns rows refused before reaching the database (PostgreSQL: NUL in text). */
  stage(connection: C, batch: WriteBatch): Promise<readonly WriteRejection[]>;
  /** Writes rows `from` (inclusive) to `to` (exclusive) of a list; rows refused by `stage` are skipped. */
  write(connection: C, batch: WriteBatch, list: RowList, from: number, to: number): Promise<WriteCounts>;
  /**
   * The counts of a list `stage` already wrote whole (PostgreSQL's COPY of new rows), so that it takes
   * no savepoint and no statement; undefined when the list is still to write.
   */
  written?(batch: WriteBatch, list: RowList): WriteCounts | undefined;
  /**
   * Identity mode (`WriteTarget.identity`): creates the identity table, and records (old key, new key)
   * pairs and forgets old keys inside the batch's transaction. In this mode `write` updates `upserts`
   * rows by the generated key and inserts `inserts` rows without it, returning the new keys.
   */
  ensureIdentityTable?(connection: C): Promise<void>;
  saveIdentities?(
    connection: C,
    pairs: readonly (readonly [string, string])[],
    forget: readonly string[],
  ): Promise<void>;
  /** Deletes the batch's `deletes` keys in [from, to); returns the rows deleted. */
  delete(connection: C, batch: WriteBatch, from: number, to: number): Promise<number>;
  saveCheckpoint(connection: C, checkpoint: Checkpoint): Promise<void>;
  readCheckpoint(connection: C, mapping: string): Promise<Checkpoint | null>;
  clearCheckpoint(connection: C, mapping: string): Promise<void>;
  /** The database's reason when `error` refuses a row (constraint, bad value); undefined for anything else. */
  rowError(error: unknown): string | undefined;
}

/** The table a writer loads, resolved from the target and the options. */
export interface WriterTable {
  readonly schema: string | undefined;
  readonly table: string;
  /** The inventory column of every `WriteTarget.columns` entry, in row order. */
  readonly columns: readonly Column[];
  /** Positions of the key columns in the row. */
  readonly keyIndexes: readonly number[];
}

/** Resolves the target table and its columns; throws MAP_TARGET_COLUMN_MISSING when a column is unknown. */
export function resolveWriterTable(
  target: WriteTarget,
  options: SqlWriterOptions,
  hasSchemas: boolean,
): WriterTable {
  let schema = options.schema;
  let table = options.table;
  if (table === undefined) {
    const dot = hasSchemas && schema === undefined ? target.dataset.indexOf('.') : -1;
    if (dot > 0) {
      schema = target.dataset.slice(0, dot);
      table = target.dataset.slice(dot + 1);
    } else table = target.dataset;
  }
  const byName = new Map(options.columns.map((c) => [c.name, c]));
  const columns = target.columns.map((name) => {
    const column = byName.get(name);
    if (!column) {
      throw new StocktakeError('MAP_TARGET_COLUMN_MISSING', `target ${target.dataset}: no column "${name}"`, {
        context: { dataset: target.dataset, column: name },
      });
    }
    return column;
  });
  const keyIndexes = target.key.map((k) => {
    const i = target.columns.indexOf(k);
    if (i < 0) {
      throw new StocktakeError(
        'MAP_FIELD_INVALID',
        `target ${target.dataset}: key column "${k}" is not among the written columns`,
        { context: { dataset: target.dataset, column: k } },
      );
    }
    return i;
  });
  if (keyIndexes.length === 0) {
    throw new StocktakeError('MAP_FIELD_INVALID', `target ${target.dataset}: a writer needs a key`, {
      context: { dataset: target.dataset },
    });
  }
  return { schema, table, columns, keyIndexes };
}

/** The checkpoint a backend read back, from the row of the checkpoint table. */
export function checkpointOfRow(row: Record<string, unknown>): Checkpoint {
  return {
    mapping: String(row.mapping),
    runId: String(row.run_id),
    batches: Number(row.batches),
    sourceRows: Number(row.source_rows),
    done: row.done === true || Number(row.done) === 1,
    fingerprint: String(row.fingerprint),
    updatedAt: isoInstant(row.updated_at),
  };
}

/** The checkpoint's values in `CHECKPOINT_COLUMNS` order (`done` as a boolean, `updated_at` as ISO text). */
export function checkpointValues(checkpoint: Checkpoint): Value[] {
  return [
    checkpoint.mapping,
    checkpoint.runId,
    checkpoint.batches,
    checkpoint.sourceRows,
    checkpoint.done,
    checkpoint.fingerprint,
    isoInstant(checkpoint.updatedAt),
  ];
}

/** A writer over one backend: the batch transaction, savepoint isolation and checkpoint handling. */
export class SqlWriter<C> implements Writer {
  readonly #db: Knex;
  readonly #backend: WriterBackend<C>;
  readonly #name: string;

  private constructor(db: Knex, backend: WriterBackend<C>, name: string) {
    this.#db = db;
    this.#backend = backend;
    this.#name = name;
  }

  /** A writer whose checkpoint table exists (created on first use). */
  static async open<C>(db: Knex, backend: WriterBackend<C>, name: string): Promise<SqlWriter<C>> {
    const writer = new SqlWriter(db, backend, name);
    await writer.#withConnection(async (c) => {
      await backend.ensureCheckpointTable(c);
      await backend.ensureIdentityTable?.(c);
    });
    return writer;
  }

  async applyBatch(batch: WriteBatch): Promise<BatchResult> {
    const backend = this.#backend;
    const { statements } = backend;
    return this.#withConnection(async (c) => {
      for (const sql of statements.begin) await backend.exec(c, sql);
      try {
        const rejected: WriteRejection[] = [...(await backend.stage(c, batch))];
        const deleted = batch.deletes?.length
          ? await this.#deleteRange(c, batch, 0, batch.deletes.length, rejected)
          : 0;
        const inserts = batch.inserts?.length ?? 0;
        const counts = {
          inserted: 0,
          updated: 0,
          newKeys: batch.identity ? new Array<string | null>(inserts).fill(null) : undefined,
        };
        for (const list of ['upserts', 'inserts'] as const) {
          const rows = batch[list]?.length ?? 0;
          if (rows === 0) continue;
          const written = backend.written?.(batch, list);
          if (written) {
            counts.inserted += written.inserted;
            counts.updated += written.updated;
          } else await this.#writeRange(c, batch, list, 0, rows, counts, rejected);
        }
        if (batch.identity) {
          // A supplied key is known before writing: a row the database refused has none.
          const supplied = batch.identity.newKeys;
          if (supplied) {
            const refused = new Set(rejected.filter((r) => r.list === 'inserts').map((r) => r.index));
            for (let i = 0; i < inserts; i++)
              counts.newKeys![i] = refused.has(i) ? null : (supplied[i] ?? null);
          }
          const pairs: [string, string][] = [];
          counts.newKeys!.forEach((key, i) => {
            if (key !== null) pairs.push([batch.identity!.insertKeys[i]!, key]);
          });
          if (!backend.saveIdentities)
            throw new StocktakeError('INTERNAL', `${backend.product} writer keeps no identity map`);
          // A row the database would not delete keeps its identity.
          const kept = new Set(rejected.filter((r) => r.list === 'deletes').map((r) => r.index));
          const forget = batch.identity.forget.filter((_key, i) => !kept.has(i));
          await backend.saveIdentities(c, pairs, forget);
        }
        await backend.saveCheckpoint(c, batch.checkpoint);
        await backend.exec(c, statements.commit);
        const order = { deletes: 0, upserts: 1, inserts: 2 };
        rejected.sort((a, b) => (a.list === b.list ? a.index - b.index : order[a.list] - order[b.list]));
        return {
          inserted: counts.inserted,
          updated: counts.updated,
          deleted,
          rejected,
          ...(counts.newKeys ? { newKeys: counts.newKeys } : {}),
        };
      } catch (error) {
        await backend.exec(c, statements.rollback).catch(() => undefined);
        throw error;
      }
    });
  }

  async readCheckpoint(mapping: string): Promise<Checkpoint | null> {
    return this.#withConnection((c) => this.#backend.readCheckpoint(c, mapping));
  }

  async clearCheckpoint(mapping: string): Promise<void> {
    await this.#withConnection((c) => this.#backend.clearCheckpoint(c, mapping));
  }

  // Writes [from, to) of a row list, each range isolated by a savepoint (`#isolated`).
  async #writeRange(
    c: C,
    batch: WriteBatch,
    list: RowList,
    from: number,
    to: number,
    counts: { inserted: number; updated: number; newKeys: (string | null)[] | undefined },
    rejected: WriteRejection[],
  ): Promise<void> {
    await this.#isolated(c, list, from, to, rejected, async (start, end) => {
      const written = await this.#backend.write(c, batch, list, start, end);
      counts.inserted += written.inserted;
      counts.updated += written.updated;
      // Keys of a range rolled back are never kept: only a committed range's rows have them.
      if (counts.newKeys && written.newKeys && list === 'inserts')
        for (let i = 0; i < written.newKeys.length; i++) counts.newKeys[start + i] = written.newKeys[i]!;
      return 0;
    });
  }

  // Deletes [from, to) of the batch's keys (a refusal: a row another table still references); returns the rows deleted.
  #deleteRange(
    c: C,
    batch: WriteBatch,
    from: number,
    to: number,
    rejected: WriteRejection[],
  ): Promise<number> {
    return this.#isolated(c, 'deletes', from, to, rejected, (start, end) =>
      this.#backend.delete(c, batch, start, end),
    );
  }

  // Runs `work` on [from, to) in a savepoint; a row-level refusal rolls it back and splits the range in two
  // until single entries remain, each refused one listed with the database's reason. Returns the sum of
  // what the ranges that went through returned.
  async #isolated(
    c: C,
    list: WriteRejection['list'],
    from: number,
    to: number,
    rejected: WriteRejection[],
    work: (from: number, to: number) => Promise<number>,
  ): Promise<number> {
    const backend = this.#backend;
    const { statements } = backend;
    await backend.exec(c, statements.savepoint);
    let reason: string | undefined;
    try {
      const done = await work(from, to);
      if (statements.release) await backend.exec(c, statements.release);
      return done;
    } catch (error) {
      reason = backend.rowError(error);
      if (reason === undefined) throw error;
      await backend.exec(c, statements.rollbackTo);
      if (statements.release) await backend.exec(c, statements.release);
    }
    if (to - from === 1) {
      rejected.push({ list, index: from, reason });
      return 0;
    }
    const middle = from + Math.ceil((to - from) / 2);
    return (
      (await this.#isolated(c, list, from, middle, rejected, work)) +
      (await this.#isolated(c, list, middle, to, rejected, work))
    );
  }

  async #withConnection<T>(work: (connection: C) => Promise<T>): Promise<T> {
    const client = this.#db.client as unknown as PoolClient<C>;
    let connection: C;
    try {
      connection = await client.acquireConnection();
    } catch (error) {
      throw describeDriverError(error, this.#name, this.#backend.product, { role: 'target' });
    }
    try {
      return await work(connection);
    } catch (error) {
      throw describeDriverError(error, this.#name, this.#backend.product, { role: 'target' });
    } finally {
      await client.releaseConnection(connection);
    }
  }
}

/**
 * A writer for one table of an SQL target, using the backend's bulk path (COPY, multi-row upserts,
 * prepared statements, bulk load and MERGE); `db` must be opened in `write` mode.
 */
export async function createSqlWriter(
  kind: WriterKind,
  db: Knex,
  target: WriteTarget,
  options: SqlWriterOptions,
): Promise<Writer> {
  // Backends load on demand: a PostgreSQL run never loads tedious, and no import cycle forms.
  switch (kind) {
    case 'postgres':
      return (await import('../postgres/postgres-writer.ts')).createPostgresWriter(db, target, options);
    case 'mysql':
      return (await import('../mysql/mysql-writer.ts')).createMysqlWriter(db, target, options);
    case 'sqlite':
      return (await import('../sqlite/sqlite-writer.ts')).createSqliteWriter(db, target, options);
    case 'mssql':
      return (await import('../mssql/mssql-writer.ts')).createMssqlWriter(db, target, options);
  }
}

interface PoolClient<C> {
  acquireConnection(): Promise<C>;
  releaseConnection(connection: C): Promise<unknown>;
}
