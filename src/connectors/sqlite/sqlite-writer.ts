/**
 * The SQLite writer: prepared statements run row by row inside one `BEGIN IMMEDIATE` transaction per
 * batch (SQLite's fastest bulk path: no network, no statement parsing per row).
 *
 * Counts: each upserted row first tries `INSERT … ON CONFLICT (key) DO NOTHING`; one change means
 * inserted. Otherwise `UPDATE … WHERE key AND NOT (every column IS its new value)` runs; one change
 * means updated, none means unchanged (the row is not touched). Deletes add up `changes`.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Knex } from 'knex';
import type { Column } from '../../core/inventory.ts';
import { redact } from '../../core/secrets.ts';
import { binaryBuffer, jsonText } from '../sql/sql-write-values.ts';
import {
  CHECKPOINT_COLUMNS,
  CHECKPOINT_TABLE,
  checkpointOfRow,
  checkpointValues,
  IDENTITY_TABLE,
  type RowList,
  resolveWriterTable,
  SqlWriter,
  type SqlWriterOptions,
  type WriteCounts,
  type WriterBackend,
} from '../sql/sql-writer.ts';
import type { Value } from '../types.ts';
import type { Checkpoint, WriteBatch, WriteRejection, Writer, WriteTarget } from '../writer-types.ts';
import { quoteSqlite as q } from './sqlite-catalog.ts';

const SAVEPOINT = 'stocktake_rows';
// Constraint failures (NOT NULL, UNIQUE, CHECK, FOREIGN KEY, trigger RAISE), STRICT-table type
// mismatches and values over the size limit refuse a row; anything else stops the batch.
const ROW_ERROR = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG)/;

/** A writer loading one SQLite table with prepared statements in a transaction. */
export async function createSqliteWriter(
  db: Knex,
  target: WriteTarget,
  options: SqlWriterOptions,
): Promise<Writer> {
  // SQLite has no schemas here: the dataset name is the table name.
  const table = resolveWriterTable(target, { ...options, table: options.table ?? target.dataset }, false);
  const sql = sqliteWriteStatements(q(table.table), table.columns, table.keyIndexes);
  const identity = target.identity
    ? sqliteIdentityStatements(q(table.table), table.columns, table.keyIndexes)
    : undefined;
  return SqlWriter.open(
    db,
    new SqliteBackend(
      db,
      table.columns,
      table.keyIndexes,
      sql,
      identity,
      target.identity?.mapping,
      target.identity?.supplied !== true,
    ),
    options.name ?? target.dataset,
  );
}

/** The statements of an SQLite writer (exported for tests). */
export interface SqliteWriteStatements {
  readonly tryInsert: string;
  readonly insert: string;
  /** Parameters: the non-key values, the key values, the non-key values again. */
  readonly update: string | null;
  readonly delete: string;
  readonly createCheckpoint: string;
  readonly saveCheckpoint: string;
  readonly readCheckpoint: string;
  readonly clearCheckpoint: string;
}

/** Builds the statements; identifiers double-quoted, values `?` parameters. */
export function sqliteWriteStatements(
  table: string,
  columns: readonly Column[],
  keyIndexes: readonly number[],
): SqliteWriteStatements {
  const names = columns.map((c) => q(c.name)).join(', ');
  const params = columns.map(() => '?').join(', ');
  const keys = new Set(keyIndexes);
  const keyNames = keyIndexes.map((i) => q(columns[i]!.name));
  const rest = columns.filter((_c, i) => !keys.has(i)).map((c) => q(c.name));
  const keyMatch = keyNames.map((k) => `${k} = ?`).join(' AND ');
  const checkpoint = q(CHECKPOINT_TABLE);
  return {
    tryInsert: `INSERT INTO ${table} (${names}) VALUES (${params}) ON CONFLICT (${keyNames.join(', ')}) DO NOTHING`,
    insert: `INSERT INTO ${table} (${names}) VALUES (${params})`,
    update:
      rest.length === 0
        ? null
        : `UPDATE ${table} SET ${rest.map((c) => `${c} = ?`).join(', ')} WHERE ${keyMatch} AND NOT (${rest.map((c) => `${c} IS ?`).join(' AND ')})`,
    delete: `DELETE FROM ${table} WHERE ${keyMatch}`,
    createCheckpoint: `CREATE TABLE IF NOT EXISTS ${checkpoint} (mapping TEXT NOT NULL PRIMARY KEY, run_id TEXT NOT NULL,
  batches INTEGER NOT NULL, source_rows INTEGER NOT NULL, done INTEGER NOT NULL, fingerprint TEXT NOT NULL,
  updated_at TEXT NOT NULL)`,
    saveCheckpoint: `INSERT INTO ${checkpoint} (${CHECKPOINT_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (mapping) DO UPDATE SET ${CHECKPOINT_COLUMNS.slice(1)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')}`,
    readCheckpoint: `SELECT ${CHECKPOINT_COLUMNS.join(', ')} FROM ${checkpoint} WHERE mapping = ?`,
    clearCheckpoint: `DELETE FROM ${checkpoint} WHERE mapping = ?`,
  };
}

/** The statements of an SQLite writer in identity mode (exported for tests). */
export interface SqliteIdentityStatements {
  /** Inserts a row without its generated key and returns it; parameters: the other columns in order. */
  readonly insertReturning: string;
  readonly create: string;
  readonly save: string;
  readonly forget: string;
}

/** Identity-mode statements: the generated key is the writer's key column, left out of inserts. */
export function sqliteIdentityStatements(
  table: string,
  columns: readonly Column[],
  keyIndexes: readonly number[],
): SqliteIdentityStatements {
  const keys = new Set(keyIndexes);
  const written = columns.filter((_c, i) => !keys.has(i));
  const identity = q(IDENTITY_TABLE);
  return {
    insertReturning: `INSERT INTO ${table} (${written.map((c) => q(c.name)).join(', ')}) VALUES (${written
      .map(() => '?')
      .join(', ')}) RETURNING ${keyIndexes.map((i) => q(columns[i]!.name)).join(', ')}`,
    create: `CREATE TABLE IF NOT EXISTS ${identity} (mapping TEXT NOT NULL, old_key TEXT NOT NULL, new_key TEXT NOT NULL,
  PRIMARY KEY (mapping, old_key))`,
    save: `INSERT INTO ${identity} (mapping, old_key, new_key) VALUES (?, ?, ?)
ON CONFLICT (mapping, old_key) DO UPDATE SET new_key = excluded.new_key`,
    forget: `DELETE FROM ${identity} WHERE mapping = ? AND old_key = ?`,
  };
}

class SqliteBackend implements WriterBackend<Database> {
  readonly product = 'SQLite';
  readonly statements = {
    // Foreign keys are declared to be enforced (SQLite leaves them off per connection, and the pragma
    // is a no-op inside a transaction); IMMEDIATE takes the write lock at once, so no SQLITE_BUSY mid-batch.
    begin: ['PRAGMA foreign_keys = ON', 'BEGIN IMMEDIATE'],
    commit: 'COMMIT',
    rollback: 'ROLLBACK',
    savepoint: `SAVEPOINT ${SAVEPOINT}`,
    release: `RELEASE ${SAVEPOINT}`,
    rollbackTo: `ROLLBACK TO ${SAVEPOINT}`,
  };
  readonly #db: Knex;
  readonly #keyIndexes: readonly number[];
  readonly #restIndexes: readonly number[];
  readonly #json: readonly boolean[];
  readonly #columnNames: readonly string[];
  readonly #sql: SqliteWriteStatements;
  readonly #identity: SqliteIdentityStatements | undefined;
  /** Identity mode with keys the database generates (not supplied by the mapping). */
  readonly #generates: boolean;
  readonly #mapping: string;
  readonly #prepared = new WeakMap<Database, Map<string, Statement>>();

  constructor(
    db: Knex,
    columns: readonly Column[],
    keyIndexes: readonly number[],
    sql: SqliteWriteStatements,
    identity?: SqliteIdentityStatements,
    mapping = '',
    generates = true,
  ) {
    this.#identity = identity;
    this.#generates = identity !== undefined && generates;
    this.#mapping = mapping;
    this.#db = db;
    this.#keyIndexes = keyIndexes;
    const keys = new Set(keyIndexes);
    this.#restIndexes = columns.map((_c, i) => i).filter((i) => !keys.has(i));
    this.#json = columns.map((c) => c.type === 'json');
    this.#columnNames = columns.map((c) => c.name);
    this.#sql = sql;
  }

  async exec(c: Database, sql: string): Promise<void> {
    this.#db.emit('query', { sql });
    c.exec(sql);
  }

  async ensureCheckpointTable(c: Database): Promise<void> {
    await this.exec(c, this.#sql.createCheckpoint);
  }

  async stage(): Promise<readonly WriteRejection[]> {
    return [];
  }

  async ensureIdentityTable(c: Database): Promise<void> {
    if (this.#identity) await this.exec(c, this.#identity.create);
  }

  async saveIdentities(
    c: Database,
    pairs: readonly (readonly [string, string])[],
    forget: readonly string[],
  ): Promise<void> {
    const identity = this.#identity!;
    const save = this.#statement(c, identity.save);
    for (const [oldKey, newKey] of pairs) save.run(this.#mapping, oldKey, newKey);
    const remove = this.#statement(c, identity.forget);
    for (const oldKey of forget) remove.run(this.#mapping, oldKey);
  }

  // Identity mode: inserts leave the generated key to SQLite and read it back; upserts update by it.
  #writeIdentity(
    c: Database,
    rows: readonly (readonly Value[])[],
    list: RowList,
    from: number,
    to: number,
  ): WriteCounts {
    const json = this.#json;
    const rest = this.#restIndexes;
    const keys = this.#keyIndexes;
    if (list === 'inserts') {
      const insert = this.#statement(c, this.#identity!.insertReturning);
      const values: unknown[] = new Array(rest.length);
      const newKeys: string[] = [];
      for (let r = from; r < to; r++) {
        const row = rows[r]!;
        for (let p = 0; p < rest.length; p++) values[p] = toParameter(row[rest[p]!] ?? null, json[rest[p]!]!);
        const back = insert.get(values) as Record<string, unknown>;
        newKeys.push(keys.map((k) => String(back[this.#columnNames[k]!])).join('\u0001'));
      }
      return { inserted: to - from, updated: 0, newKeys };
    }
    let updated = 0;
    if (this.#sql.update === null) return { inserted: 0, updated };
    const update = this.#statement(c, this.#sql.update);
    const updateValues: unknown[] = new Array(rest.length * 2 + keys.length);
    for (let r = from; r < to; r++) {
      const row = rows[r]!;
      let p = 0;
      for (const i of rest) updateValues[p++] = toParameter(row[i] ?? null, json[i]!);
      for (const i of keys) updateValues[p++] = toParameter(row[i] ?? null, json[i]!);
      for (const i of rest) updateValues[p++] = toParameter(row[i] ?? null, json[i]!);
      updated += update.run(updateValues).changes;
    }
    return { inserted: 0, updated };
  }

  async write(c: Database, batch: WriteBatch, list: RowList, from: number, to: number): Promise<WriteCounts> {
    const rows = batch[list] ?? [];
    if (this.#generates) return this.#writeIdentity(c, rows, list, from, to);
    const json = this.#json;
    const width = json.length;
    const values: unknown[] = new Array(width);
    let inserted = 0;
    let updated = 0;
    if (list === 'inserts') {
      const insert = this.#statement(c, this.#sql.insert);
      for (let r = from; r < to; r++) {
        const row = rows[r]!;
        for (let i = 0; i < width; i++) values[i] = toParameter(row[i] ?? null, json[i]!);
        inserted += insert.run(values).changes;
      }
      return { inserted, updated };
    }
    const tryInsert = this.#statement(c, this.#sql.tryInsert);
    const update = this.#sql.update === null ? null : this.#statement(c, this.#sql.update);
    const rest = this.#restIndexes;
    const keys = this.#keyIndexes;
    const updateValues: unknown[] = new Array(rest.length * 2 + keys.length);
    for (let r = from; r < to; r++) {
      const row = rows[r]!;
      for (let i = 0; i < width; i++) values[i] = toParameter(row[i] ?? null, json[i]!);
      if (tryInsert.run(values).changes === 1) {
        inserted++;
        continue;
      }
      if (!update) continue;
      let p = 0;
      for (const i of rest) updateValues[p++] = values[i];
      for (const i of keys) updateValues[p++] = values[i];
      for (const i of rest) updateValues[p++] = values[i];
      updated += update.run(updateValues).changes;
    }
    return { inserted, updated };
  }

  async delete(c: Database, batch: WriteBatch, from: number, to: number): Promise<number> {
    const statement = this.#statement(c, this.#sql.delete);
    const keys = this.#keyIndexes;
    const values: unknown[] = new Array(keys.length);
    let deleted = 0;
    for (const key of (batch.deletes ?? []).slice(from, to)) {
      for (let k = 0; k < keys.length; k++) values[k] = toParameter(key[k] ?? null, this.#json[keys[k]!]!);
      deleted += statement.run(values).changes;
    }
    return deleted;
  }

  async saveCheckpoint(c: Database, checkpoint: Checkpoint): Promise<void> {
    const values = checkpointValues(checkpoint);
    values[4] = checkpoint.done ? 1 : 0;
    this.#statement(c, this.#sql.saveCheckpoint).run(values);
  }

  async readCheckpoint(c: Database, mapping: string): Promise<Checkpoint | null> {
    const row = this.#statement(c, this.#sql.readCheckpoint).get(mapping) as
      | Record<string, unknown>
      | undefined;
    return row ? checkpointOfRow(row) : null;
  }

  async clearCheckpoint(c: Database, mapping: string): Promise<void> {
    this.#statement(c, this.#sql.clearCheckpoint).run(mapping);
  }

  rowError(error: unknown): string | undefined {
    const e = error as { code?: unknown; message?: unknown };
    if (typeof e?.code !== 'string' || !ROW_ERROR.test(e.code)) return undefined;
    return redact(String(e.message));
  }

  #statement(c: Database, sql: string): Statement {
    let cache = this.#prepared.get(c);
    if (!cache) {
      cache = new Map();
      this.#prepared.set(c, cache);
    }
    let statement = cache.get(sql);
    if (!statement) {
      this.#db.emit('query', { sql });
      statement = c.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  }
}

/** A contract value as a better-sqlite3 parameter: booleans as 1/0, JSON as text, binary as Buffer. */
export function toParameter(value: Value, json: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (json) return jsonText(value);
  switch (typeof value) {
    case 'boolean':
      return value ? 1 : 0;
    case 'string':
    case 'number':
    case 'bigint':
      return value;
    default:
      return value instanceof Uint8Array ? binaryBuffer(value) : jsonText(value);
  }
}
