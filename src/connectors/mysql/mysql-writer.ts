/**
 * The MySQL/MariaDB writer: multi-row `INSERT … ON DUPLICATE KEY UPDATE` sent as server-side prepared
 * statements (values bound, never formatted into the text), in chunks kept under `max_allowed_packet`
 * and 65,535 placeholders. Chunk sizes are powers of two so that a connection prepares a handful of
 * statements per writer. Every batch sets `STRICT_ALL_TABLES` for its session, so a server in
 * non-strict mode still refuses a value too long or out of range instead of truncating it.
 *
 * Counts: a multi-row INSERT reports `Records: n  Duplicates: d` (d = rows whose key existed), so
 * inserted = n - d; affected rows count 1 per insert, 2 per changed row and, with the CLIENT_FOUND_ROWS
 * flag mysql2 sets by default, 1 per unchanged row: updated = affected - inserted - d (without the
 * flag, (affected - inserted) / 2). A one-row statement reports no such line: its key is looked up first.
 */
import type { Knex } from 'knex';
import { StocktakeError } from '../../core/errors.ts';
import type { Column } from '../../core/inventory.ts';
import { redact } from '../../core/secrets.ts';
import { binaryBuffer, jsonText, utcWallClock } from '../sql/sql-write-values.ts';
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
import { quoteMysql as q } from './mysql-catalog.ts';

/** Placeholders one prepared statement may hold. */
export const MYSQL_MAX_PLACEHOLDERS = 65_535;
/** Rows one statement holds at most, whatever their size. */
export const MYSQL_MAX_ROWS = 4096;

const CLIENT_FOUND_ROWS = 2;
const SAVEPOINT = 'stocktake_rows';
// Errors that refuse a row: NULL, duplicate, foreign key, CHECK (3819 MySQL, 4025 MariaDB), value
// too long, out of range, wrong value, no default, trigger SIGNAL, invalid JSON, no partition.
const ROW_ERRNOS = new Set([
  1048, 1062, 1169, 1216, 1217, 1263, 1264, 1265, 1292, 1364, 1366, 1406, 1451, 1452, 1526, 1557, 1644, 1690,
  1761, 1762, 3140, 3819, 4025,
]);

/** A target column as the writer converts values for it. */
type Conversion = 'plain' | 'json' | 'datetime' | 'bits';

/** A writer loading one MySQL/MariaDB table with multi-row `INSERT … ON DUPLICATE KEY UPDATE`. */
export async function createMysqlWriter(
  db: Knex,
  target: WriteTarget,
  options: SqlWriterOptions,
): Promise<Writer> {
  const table = resolveWriterTable(target, options, true);
  const client = db.client as unknown as PoolClient;
  const connection = await client.acquireConnection();
  let maxPacket: number;
  let database: string;
  let unique: RawIndexColumn[];
  let autoIncrementStep: number | null = null;
  try {
    const [settings] = await run<RawSettings[]>(
      db,
      connection,
      'SELECT @@max_allowed_packet AS max_packet, DATABASE() AS db',
      [],
    );
    maxPacket = Number(settings!.max_packet);
    database = table.schema ?? settings!.db ?? '';
    unique = await run<RawIndexColumn[]>(
      db,
      connection,
      `SELECT INDEX_NAME AS index_name, COLUMN_NAME AS column_name FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0`,
      [database, table.table],
    );
    if (target.identity) {
      const [facts] = await run<RawAutoIncrement[]>(db, connection, AUTO_INCREMENT_SQL, [
        database,
        table.table,
      ]);
      autoIncrementStep = consecutiveStep(facts);
    }
  } finally {
    await client.releaseConnection(connection);
  }
  if (database === '') {
    throw new StocktakeError(
      'DATASET_NOT_FOUND',
      `target ${target.dataset}: name the database (schema.table)`,
      {
        context: { dataset: target.dataset },
      },
    );
  }
  const qualified = `${q(database)}.${q(table.table)}`;
  const keyNames = table.keyIndexes.map((i) => table.columns[i]!.name);
  const sql = mysqlWriteStatements(
    qualified,
    table.columns,
    table.keyIndexes,
    guardedUpsert(unique, keyNames),
  );
  const backend = new MysqlBackend(db, table.columns, table.keyIndexes, sql, {
    checkpointTable: `${q(database)}.${q(CHECKPOINT_TABLE)}`,
    // Half the packet for the values: the statement text and per-value headers take the rest.
    packetBudget: Math.max(16_384, Math.floor(maxPacket / 2)),
    ...(target.identity
      ? {
          identity: mysqlIdentityStatements(
            qualified,
            table.columns,
            table.keyIndexes,
            `${q(database)}.${q(IDENTITY_TABLE)}`,
          ),
          mapping: target.identity.mapping,
          consecutiveStep: autoIncrementStep,
          generates: target.identity.supplied !== true,
        }
      : {}),
  });
  return SqlWriter.open(db, backend, options.name ?? target.dataset);
}

/**
 * True when the table has another unique index than the key: ON DUPLICATE KEY UPDATE would then update the
 * row holding that other value, so updates are guarded to rows of the same key. An index over a column the
 * mapping does not write counts too: the column takes its default, and two rows may still collide on it.
 */
function guardedUpsert(unique: readonly RawIndexColumn[], keyNames: readonly string[]): boolean {
  const indexes = new Map<string, string[]>();
  for (const u of unique) indexes.set(u.index_name, [...(indexes.get(u.index_name) ?? []), u.column_name]);
  const keySet = new Set(keyNames);
  for (const columns of indexes.values()) {
    const sameAsKey = columns.length === keySet.size && columns.every((c) => keySet.has(c));
    if (!sameAsKey) return true;
  }
  return false;
}

/** The statement builders of a MySQL writer (exported for tests). */
export interface MysqlWriteStatements {
  /** The upsert of `rows` rows. */
  upsert(rows: number): string;
  /** The plain INSERT of `rows` rows (insert mode, and a guarded row whose key is new). */
  insert(rows: number): string;
  /** Counts the rows whose key is among `keys` key tuples. */
  countKeys(keys: number): string;
  delete(keys: number): string;
  /** True when updates are guarded to rows of the same key (another unique index exists). */
  readonly guarded: boolean;
}

/** Builds the statements; identifiers quoted with backticks, every value a `?` placeholder. */
export function mysqlWriteStatements(
  qualified: string,
  columns: readonly Column[],
  keyIndexes: readonly number[],
  guarded: boolean,
): MysqlWriteStatements {
  const names = columns.map((c) => q(c.name)).join(', ');
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const values = (rows: number) => new Array(rows).fill(tuple).join(', ');
  const keys = new Set(keyIndexes);
  const keyNames = keyIndexes.map((i) => q(columns[i]!.name));
  const sameKey = keyNames.map((k) => `${k} = VALUES(${k})`).join(' AND ');
  const rest = columns.filter((_c, i) => !keys.has(i)).map((c) => q(c.name));
  // No other column: re-setting the key to itself changes nothing and keeps the statement an upsert.
  const set =
    rest.length === 0
      ? `${keyNames[0]} = ${keyNames[0]}`
      : rest
          .map((c) => (guarded ? `${c} = IF(${sameKey}, VALUES(${c}), ${c})` : `${c} = VALUES(${c})`))
          .join(', ');
  const keyList = (n: number) =>
    keyNames.length === 1
      ? `${keyNames[0]} IN (${new Array(n).fill('?').join(', ')})`
      : `(${keyNames.join(', ')}) IN (${new Array(n).fill(`(${keyNames.map(() => '?').join(', ')})`).join(', ')})`;
  return {
    upsert: (rows) =>
      `INSERT INTO ${qualified} (${names}) VALUES ${values(rows)} ON DUPLICATE KEY UPDATE ${set}`,
    insert: (rows) => `INSERT INTO ${qualified} (${names}) VALUES ${values(rows)}`,
    countKeys: (n) => `SELECT COUNT(*) AS n FROM ${qualified} WHERE ${keyList(n)}`,
    delete: (n) => `DELETE FROM ${qualified} WHERE ${keyList(n)}`,
    guarded,
  };
}

const AUTO_INCREMENT_SQL = `SELECT @@innodb_autoinc_lock_mode AS lock_mode, @@auto_increment_increment AS step,
  (SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?) AS engine`;

/**
 * The step between the AUTO_INCREMENT values of one multi-row INSERT, when they are guaranteed to be
 * consecutive: InnoDB in the "traditional" (0) or "consecutive" (1, MariaDB's default) lock mode
 * reserves all the values of an INSERT whose row count is known at once, so the statement's rows get
 * insertId, insertId + step, … in order. Null otherwise (interleaved mode 2, another engine).
 */
export function consecutiveStep(facts: RawAutoIncrement | undefined): number | null {
  if (!facts || String(facts.engine ?? '').toLowerCase() !== 'innodb') return null;
  const mode = Number(facts.lock_mode);
  const step = Number(facts.step);
  return (mode === 0 || mode === 1) && Number.isInteger(step) && step >= 1 ? step : null;
}

/** The statements of a MySQL writer in identity mode (exported for tests). */
export interface MysqlIdentityStatements {
  /** One row without its AUTO_INCREMENT key; the key comes back as the statement's insertId. */
  readonly insert: string;
  /** `rows` rows without their key: the keys are insertId, insertId + step, … (`consecutiveStep`). */
  insertMany(rows: number): string;
  /** One row by its generated key; parameters: the other columns, then the key. */
  readonly update: string;
  readonly create: string;
  /** Records `rows` (mapping, old key, new key) triples. */
  save(rows: number): string;
  /** Forgets `n` old keys of a mapping; parameters: the mapping, then the old keys. */
  forget(n: number): string;
}

/**
 * Identity-mode statements. New rows go in multi-row INSERTs where InnoDB promises consecutive keys
 * (`consecutiveStep`); otherwise one statement each, whose `insertId` is its only row's key.
 */
export function mysqlIdentityStatements(
  qualified: string,
  columns: readonly Column[],
  keyIndexes: readonly number[],
  identityTable: string,
): MysqlIdentityStatements {
  const keys = new Set(keyIndexes);
  const rest = columns.filter((_c, i) => !keys.has(i)).map((c) => q(c.name));
  const keyMatch = keyIndexes.map((i) => `${q(columns[i]!.name)} = ?`).join(' AND ');
  return {
    insert: `INSERT INTO ${qualified} (${rest.join(', ')}) VALUES (${rest.map(() => '?').join(', ')})`,
    insertMany: (rows) =>
      `INSERT INTO ${qualified} (${rest.join(', ')}) VALUES ${new Array(rows).fill(`(${rest.map(() => '?').join(', ')})`).join(', ')}`,
    update: `UPDATE ${qualified} SET ${rest.map((c) => `${c} = ?`).join(', ')} WHERE ${keyMatch}`,
    // Binary collation: old keys that differ only in case are different rows.
    create: `CREATE TABLE IF NOT EXISTS ${identityTable} (mapping varchar(191) NOT NULL,
  old_key varchar(512) NOT NULL, new_key varchar(191) NOT NULL, PRIMARY KEY (mapping, old_key))
  DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`,
    save: (rows) =>
      `INSERT INTO ${identityTable} (mapping, old_key, new_key) VALUES ${new Array(rows).fill('(?, ?, ?)').join(', ')}
ON DUPLICATE KEY UPDATE new_key = VALUES(new_key)`,
    forget: (n) =>
      `DELETE FROM ${identityTable} WHERE mapping = ? AND old_key IN (${new Array(n).fill('?').join(', ')})`,
  };
}

/** The checkpoint statements of a MySQL target. */
export function mysqlCheckpointStatements(checkpointTable: string) {
  return {
    create: `CREATE TABLE IF NOT EXISTS ${checkpointTable} (mapping varchar(255) NOT NULL PRIMARY KEY,
  run_id varchar(255) NOT NULL, batches bigint NOT NULL, source_rows bigint NOT NULL, done tinyint(1) NOT NULL,
  fingerprint varchar(1024) NOT NULL, updated_at datetime(3) NOT NULL) DEFAULT CHARSET = utf8mb4`,
    save: `INSERT INTO ${checkpointTable} (${CHECKPOINT_COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?)
ON DUPLICATE KEY UPDATE ${CHECKPOINT_COLUMNS.slice(1)
      .map((c) => `${c} = VALUES(${c})`)
      .join(', ')}`,
    read: `SELECT mapping, run_id, batches, source_rows, done, fingerprint, updated_at FROM ${checkpointTable} WHERE mapping = ?`,
    clear: `DELETE FROM ${checkpointTable} WHERE mapping = ?`,
  };
}

/** The sql_mode flags every write session adds to the server's: nothing is truncated or zeroed silently. */
export const STRICT_MODES = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO';

class MysqlBackend implements WriterBackend<RawConnection> {
  readonly product = 'MySQL/MariaDB';
  readonly statements = {
    // Strict for this session whatever the server's default, so that a value too long, out of range, in
    // the wrong charset or a zero date is an error, never a warning with the value cut; TIMESTAMP in UTC.
    begin: [
      `SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), '${STRICT_MODES}'), time_zone = '+00:00'`,
      'START TRANSACTION',
    ],
    commit: 'COMMIT',
    rollback: 'ROLLBACK',
    savepoint: `SAVEPOINT ${SAVEPOINT}`,
    release: `RELEASE SAVEPOINT ${SAVEPOINT}`,
    rollbackTo: `ROLLBACK TO SAVEPOINT ${SAVEPOINT}`,
  };
  readonly #db: Knex;
  readonly #keyIndexes: readonly number[];
  readonly #conversions: readonly Conversion[];
  readonly #sql: MysqlWriteStatements;
  readonly #checkpoint: ReturnType<typeof mysqlCheckpointStatements>;
  readonly #packetBudget: number;
  readonly #identity: MysqlIdentityStatements | undefined;
  /** Identity mode with keys the database generates (not supplied by the mapping). */
  readonly #generates: boolean;
  readonly #consecutiveStep: number | null;
  readonly #mapping: string;
  readonly #maxRows: number;
  // Estimated bytes of the rows before each index, per list of the batch being written.
  readonly #offsets = new Map<RowList, Float64Array>();

  constructor(
    db: Knex,
    columns: readonly Column[],
    keyIndexes: readonly number[],
    sql: MysqlWriteStatements,
    options: {
      checkpointTable: string;
      packetBudget: number;
      identity?: MysqlIdentityStatements;
      mapping?: string;
      consecutiveStep?: number | null;
      generates?: boolean;
    },
  ) {
    this.#identity = options.identity;
    this.#generates = options.identity !== undefined && options.generates !== false;
    this.#consecutiveStep = options.consecutiveStep ?? null;
    this.#mapping = options.mapping ?? '';
    this.#db = db;
    this.#keyIndexes = keyIndexes;
    this.#conversions = columns.map(conversionOf);
    this.#sql = sql;
    this.#checkpoint = mysqlCheckpointStatements(options.checkpointTable);
    this.#packetBudget = options.packetBudget;
    this.#maxRows = Math.min(
      MYSQL_MAX_ROWS,
      floorPowerOfTwo(Math.floor(MYSQL_MAX_PLACEHOLDERS / columns.length)),
    );
  }

  async exec(c: RawConnection, sql: string): Promise<void> {
    await run(this.#db, c, sql);
  }

  async ensureIdentityTable(c: RawConnection): Promise<void> {
    if (this.#identity) await run(this.#db, c, this.#identity.create);
  }

  async saveIdentities(
    c: RawConnection,
    pairs: readonly (readonly [string, string])[],
    forget: readonly string[],
  ): Promise<void> {
    const identity = this.#identity!;
    const chunk = 1024;
    for (let at = 0; at < pairs.length; at += chunk) {
      const part = pairs.slice(at, at + chunk);
      const params: unknown[] = [];
      for (const [oldKey, newKey] of part) params.push(this.#mapping, oldKey, newKey);
      await run(this.#db, c, identity.save(part.length), params);
    }
    for (let at = 0; at < forget.length; at += chunk) {
      const part = forget.slice(at, at + chunk);
      await run(this.#db, c, identity.forget(part.length), [this.#mapping, ...part]);
    }
  }

  // Identity mode: new rows one by one (insertId is their key), mapped rows updated by their key.
  async #writeIdentity(
    c: RawConnection,
    rows: readonly (readonly Value[])[],
    list: RowList,
    from: number,
    to: number,
  ): Promise<WriteCounts> {
    const identity = this.#identity!;
    const conversions = this.#conversions;
    const keys = new Set(this.#keyIndexes);
    const rest = conversions.map((_c, i) => i).filter((i) => !keys.has(i));
    let inserted = 0;
    let updated = 0;
    const newKeys: string[] = [];
    const step = this.#consecutiveStep;
    if (list === 'inserts' && step !== null) {
      // Multi-row INSERTs whose keys InnoDB reserves consecutively: insertId is the first row's.
      const offsets = this.#offsets.get(list)!;
      const maxRows = Math.min(
        MYSQL_MAX_ROWS,
        floorPowerOfTwo(Math.floor(MYSQL_MAX_PLACEHOLDERS / Math.max(1, rest.length))),
      );
      for (let at = from; at < to; ) {
        let n = floorPowerOfTwo(Math.min(to - at, maxRows));
        while (n > 1 && offsets[at + n]! - offsets[at]! > this.#packetBudget) n >>= 1;
        const params: unknown[] = [];
        for (let r = at; r < at + n; r++)
          for (const i of rest) params.push(toParameter(rows[r]![i] ?? null, conversions[i]!));
        const header = await run<RawHeader>(this.#db, c, identity.insertMany(n), params);
        const first = BigInt(header.insertId ?? 0);
        for (let r = 0; r < n; r++) newKeys.push((first + BigInt(r * step)).toString());
        inserted += header.affectedRows;
        at += n;
      }
      return { inserted, updated, newKeys };
    }
    for (let r = from; r < to; r++) {
      const row = rows[r]!;
      const params = rest.map((i) => toParameter(row[i] ?? null, conversions[i]!));
      if (list === 'inserts') {
        const header = await run<RawHeader>(this.#db, c, identity.insert, params);
        newKeys.push(String(header.insertId));
        inserted++;
      } else {
        for (const k of this.#keyIndexes) params.push(toParameter(row[k] ?? null, conversions[k]!));
        updated += (await run<RawHeader>(this.#db, c, identity.update, params)).affectedRows;
      }
    }
    return list === 'inserts' ? { inserted, updated, newKeys } : { inserted, updated };
  }

  async ensureCheckpointTable(c: RawConnection): Promise<void> {
    await run(this.#db, c, this.#checkpoint.create);
  }

  async stage(_c: RawConnection, batch: WriteBatch): Promise<readonly WriteRejection[]> {
    for (const list of ['upserts', 'inserts'] as const) {
      const rows = batch[list] ?? [];
      const offsets = new Float64Array(rows.length + 1);
      for (let r = 0; r < rows.length; r++) offsets[r + 1] = offsets[r]! + rowBytes(rows[r]!);
      this.#offsets.set(list, offsets);
    }
    return [];
  }

  async write(
    c: RawConnection,
    batch: WriteBatch,
    list: RowList,
    from: number,
    to: number,
  ): Promise<WriteCounts> {
    const rows = batch[list] ?? [];
    if (this.#generates) return this.#writeIdentity(c, rows, list, from, to);
    const offsets = this.#offsets.get(list)!;
    let inserted = 0;
    let updated = 0;
    let at = from;
    while (at < to) {
      let n = floorPowerOfTwo(Math.min(to - at, this.#maxRows));
      while (n > 1 && offsets[at + n]! - offsets[at]! > this.#packetBudget) n >>= 1;
      const counts =
        list === 'inserts'
          ? await this.#insert(c, rows, at, n)
          : await this.#upsert(c, rows, at, n, batch.upsertsNew === true);
      inserted += counts.inserted;
      updated += counts.updated;
      at += n;
    }
    return { inserted, updated };
  }

  async delete(c: RawConnection, batch: WriteBatch, from: number, to: number): Promise<number> {
    const keys = batch.deletes ?? [];
    const width = this.#keyIndexes.length;
    let deleted = 0;
    for (let at = from; at < to; ) {
      const n = floorPowerOfTwo(Math.min(to - at, this.#maxRows, Math.floor(MYSQL_MAX_PLACEHOLDERS / width)));
      const params: unknown[] = [];
      for (let r = at; r < at + n; r++) {
        const key = keys[r]!;
        for (let k = 0; k < width; k++)
          params.push(toParameter(key[k] ?? null, this.#conversions[this.#keyIndexes[k]!]!));
      }
      deleted += (await run<RawHeader>(this.#db, c, this.#sql.delete(n), params)).affectedRows;
      at += n;
    }
    return deleted;
  }

  async saveCheckpoint(c: RawConnection, checkpoint: Checkpoint): Promise<void> {
    const values = checkpointValues(checkpoint);
    values[4] = checkpoint.done ? 1 : 0;
    values[6] = utcWallClock(String(values[6]), ' ');
    await run(this.#db, c, this.#checkpoint.save, values);
  }

  async readCheckpoint(c: RawConnection, mapping: string): Promise<Checkpoint | null> {
    const [row] = await run<Record<string, unknown>[]>(this.#db, c, this.#checkpoint.read, [mapping]);
    return row ? checkpointOfRow(row) : null;
  }

  async clearCheckpoint(c: RawConnection, mapping: string): Promise<void> {
    await run(this.#db, c, this.#checkpoint.clear, [mapping]);
  }

  rowError(error: unknown): string | undefined {
    const e = error as { errno?: unknown; sqlMessage?: unknown; message?: unknown };
    if (typeof e?.errno !== 'number' || !ROW_ERRNOS.has(e.errno)) return undefined;
    return redact(String(e.sqlMessage ?? e.message));
  }

  async #insert(
    c: RawConnection,
    rows: readonly (readonly Value[])[],
    at: number,
    n: number,
  ): Promise<WriteCounts> {
    const header = await run<RawHeader>(this.#db, c, this.#sql.insert(n), this.#params(rows, at, n));
    return { inserted: header.affectedRows, updated: 0 };
  }

  async #upsert(
    c: RawConnection,
    rows: readonly (readonly Value[])[],
    at: number,
    n: number,
    allNew = false,
  ): Promise<WriteCounts> {
    if (n === 1) return this.#upsertOne(c, rows, at);
    // Keys the diff (or a fresh load) found absent need no count: a key that exists after all makes a
    // duplicate the guard refuses, and the range is split down to rows, each counted on its own.
    const existing = !this.#sql.guarded ? -1 : allNew ? 0 : await this.#countKeys(c, rows, at, n);
    const header = await run<RawHeader>(this.#db, c, this.#sql.upsert(n), this.#params(rows, at, n));
    const info = /Records:\s*(\d+)\s+Duplicates:\s*(\d+)/.exec(header.info ?? '');
    if (!info)
      throw new StocktakeError('INTERNAL', 'MySQL reported no duplicate count for a multi-row INSERT');
    const duplicates = Number(info[2]);
    // A row that met another unique index only was left alone by the guard: split until it stands alone.
    if (this.#sql.guarded && duplicates > existing) throw new GuardedConflict();
    const inserted = n - duplicates;
    const foundRows = (c.config.clientFlags & CLIENT_FOUND_ROWS) !== 0;
    const updated = foundRows
      ? header.affectedRows - inserted - duplicates
      : (header.affectedRows - inserted) / 2;
    return { inserted, updated };
  }

  // One-row statements report no `Duplicates`: the key is looked up first. A new key is a plain INSERT
  // (a value held by another unique index fails with the server's own message); an existing one an upsert.
  async #upsertOne(c: RawConnection, rows: readonly (readonly Value[])[], at: number): Promise<WriteCounts> {
    if ((await this.#countKeys(c, rows, at, 1)) === 0) return this.#insert(c, rows, at, 1);
    const header = await run<RawHeader>(this.#db, c, this.#sql.upsert(1), this.#params(rows, at, 1));
    return { inserted: 0, updated: header.affectedRows === 2 ? 1 : 0 };
  }

  async #countKeys(
    c: RawConnection,
    rows: readonly (readonly Value[])[],
    at: number,
    n: number,
  ): Promise<number> {
    const params: unknown[] = [];
    for (let r = at; r < at + n; r++) {
      const row = rows[r]!;
      for (const k of this.#keyIndexes) params.push(toParameter(row[k] ?? null, this.#conversions[k]!));
    }
    const [row] = await run<{ n: number | string }[]>(this.#db, c, this.#sql.countKeys(n), params);
    return Number(row!.n);
  }

  #params(rows: readonly (readonly Value[])[], at: number, n: number): unknown[] {
    const conversions = this.#conversions;
    const width = conversions.length;
    const params: unknown[] = new Array(n * width);
    let p = 0;
    for (let r = at; r < at + n; r++) {
      const row = rows[r]!;
      for (let i = 0; i < width; i++) params[p++] = toParameter(row[i] ?? null, conversions[i]!);
    }
    return params;
  }
}

/** A row refused because another unique index holds its value (found by the guarded upsert). */
class GuardedConflict extends Error {
  readonly errno = 1062;
  readonly sqlMessage = 'Duplicate entry for a unique key other than the mapping key';
}

function conversionOf(column: Column): Conversion {
  if (column.type === 'json' || /^json/i.test(column.nativeType)) return 'json';
  if (column.type === 'timestamp') return 'datetime';
  if (/^bit\s*\(/i.test(column.nativeType)) return 'bits';
  return 'plain';
}

/** A contract value as a mysql2 parameter: booleans as 1/0, big integers as text, binary as Buffer. */
export function toParameter(value: Value, conversion: Conversion): unknown {
  if (value === null || value === undefined) return null;
  if (conversion === 'json') return jsonText(value);
  switch (typeof value) {
    case 'string':
      return conversion === 'datetime' ? utcWallClock(value, ' ') : value;
    case 'boolean':
      return value ? 1 : 0;
    case 'bigint':
      // A bit(n) takes its bits as bytes: past 2^63 the decimal text would be a string of digits to it.
      return conversion === 'bits' ? bitBytes(value) : value.toString();
    case 'number':
      return value;
    default:
      return value instanceof Uint8Array ? binaryBuffer(value) : jsonText(value);
  }
}

/** A non-negative integer as 8 big-endian bytes, the form a bit(n) column reads bits from. */
function bitBytes(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt.asUintN(64, value));
  return bytes;
}

// An upper bound of a row's bytes on the wire: 3 bytes per UTF-16 unit covers every character.
function rowBytes(row: readonly Value[]): number {
  let bytes = 0;
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (typeof v === 'string') bytes += v.length * 3 + 9;
    else if (v instanceof Uint8Array) bytes += v.byteLength + 9;
    else if (v !== null && typeof v === 'object') bytes += jsonText(v).length * 3 + 9;
    else bytes += 12;
  }
  return bytes;
}

function floorPowerOfTwo(n: number): number {
  return n < 1 ? 1 : 2 ** Math.floor(Math.log2(n));
}

// Runs a statement on the raw mysql2 connection; with parameters, as a server-side prepared statement.
function run<T = RawHeader>(db: Knex, c: RawConnection, sql: string, params?: unknown[]): Promise<T> {
  db.emit('query', { sql });
  return new Promise<T>((resolve, reject) => {
    const done = (error: Error | null, result: unknown) => (error ? reject(error) : resolve(result as T));
    if (params === undefined) c.query(sql, done);
    else c.execute(sql, params, done);
  });
}

interface PoolClient {
  acquireConnection(): Promise<RawConnection>;
  releaseConnection(connection: RawConnection): Promise<unknown>;
}

interface RawConnection {
  query(sql: string, callback: (error: Error | null, result: unknown) => void): void;
  execute(sql: string, params: unknown[], callback: (error: Error | null, result: unknown) => void): void;
  config: { clientFlags: number };
}

interface RawHeader {
  affectedRows: number;
  insertId?: number | string;
  info?: string;
}

/** The server's auto-increment settings and the table's engine. */
export interface RawAutoIncrement {
  lock_mode: number | string | null;
  step: number | string | null;
  engine: string | null;
}

interface RawSettings {
  max_packet: number | string;
  db: string | null;
}

interface RawIndexColumn {
  index_name: string;
  column_name: string;
}
