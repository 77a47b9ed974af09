/**
 * The SQL Server writer: each batch is bulk loaded (TDS bulk copy, through tedious) into a session
 * #temp table of text and binary columns, then written with one `MERGE … WITH (HOLDLOCK)` that casts
 * every column. A value that does not convert is refused right after the bulk load, by one DELETE of
 * the staged rows whose TRY_CAST fails: a conversion error inside the MERGE would abort the batch and roll
 * back the whole transaction, whatever XACT_ABORT says. Constraint violations fail the MERGE, and are
 * isolated by row with savepoints.
 * Matched rows are updated only when a column differs (`EXISTS (SELECT s.cols EXCEPT SELECT t.cols)`,
 * NULL-safe; text compared as bytes and datetimeoffset with its offset, as `plan` compares them), so
 * unchanged rows are not touched.
 *
 * Counts: the MERGE's `OUTPUT $action` goes into a table variable counted per action (INSERT, UPDATE);
 * insert mode and deletes use the statement's row count. Not run against a server in this repository:
 * the SQL text is unit-tested (tests/unit/mssql-writer.test.ts, mssql-server-semantics.test.ts).
 */
import type { Knex } from 'knex';
import { type BulkLoad, type Connection, Request, TYPES } from 'tedious';
import type { Column } from '../../core/inventory.ts';
import { redact } from '../../core/secrets.ts';
import { binaryBuffer, isoInstant, jsonText, utcWallClock } from '../sql/sql-write-values.ts';
import {
  CHECKPOINT_TABLE,
  checkpointOfRow,
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
import { quoteMssql as q } from './mssql-catalog.ts';
import { mssqlTextKind, mssqlTypeName } from './mssql-types.ts';

const LIST_CODE: Readonly<Record<RowList | 'deletes', number>> = { upserts: 0, inserts: 1, deletes: 2 };
const SAVEPOINT = 'stocktake_rows';
// Duplicate key (2627, 2601), FK or CHECK (547), NULL (515), truncation (8152, 2628), a key twice in one
// MERGE (8672), RAISERROR/THROW (50000). Conversion errors are no row errors: they roll back the transaction
// (values that do not convert are refused before the MERGE, `MssqlWriteStatements.rejectUnconvertible`).
const ROW_ERRORS = new Set([2627, 2601, 547, 515, 8152, 2628, 8672, 50000]);
// Types EXCEPT cannot compare: compared through their text.
const TEXT_COMPARED = new Set(['xml', 'geography', 'geometry']);
// Text reaches datetime and smalldatetime with at most 3 fraction digits; datetime2(7) takes all 7 and rounds.
const THROUGH_DATETIME2 = new Set(['datetime', 'smalldatetime']);
// TRY_CAST is documented not to work on nvarchar(max) text longer than 4,000 characters (8,000 bytes).
const TRY_CAST_MAX_BYTES = 8000;
let stagingTables = 0;

/** What the MERGE's EXCEPT compares of a non-key value: itself, its text's bytes, its bytes, or its instant and offset. */
export type MssqlComparison = 'value' | 'text' | 'bytes' | 'offset';

/** How a column is staged and written: text cast to its type, text kept as is, or binary. */
export interface MssqlWriteColumn {
  readonly name: string;
  /** `CAST(s.cN AS <cast>)` in the MERGE source; null when the text or bytes are assigned directly. */
  readonly cast: string | null;
  /** The type the staged text must convert to, checked before the MERGE (the cast, or uniqueidentifier); null: any text. */
  readonly converts: string | null;
  readonly binary: boolean;
  /** datetime2, datetime, smalldatetime: instants are written as their UTC wall clock. */
  readonly wallClock: boolean;
  readonly json: boolean;
  readonly comparison: MssqlComparison;
  readonly identity: boolean;
  /** The collation of the staged text: the target column's (a name checked to be one word), else the database's. */
  readonly collation: string;
}

/** The staging and writing plan of a column, from its inventory entry. */
export function mssqlWriteColumn(column: Column): MssqlWriteColumn {
  const type = mssqlTypeName(column.nativeType);
  const textual = column.type === 'string' || column.type === 'json';
  const binary = column.type === 'binary';
  // Strings are assigned without a CAST: CAST to nvarchar(n) would truncate, assignment refuses (2628). A
  // sql_variant holds no nvarchar(max) (error 206): it takes an nvarchar(4000), which the column check keeps
  // texts within.
  const cast = type === 'sql_variant' ? 'nvarchar(4000)' : textual || binary ? null : column.nativeType;
  return {
    name: column.name,
    cast,
    converts: cast ?? (type === 'uniqueidentifier' ? type : null),
    binary,
    wallClock: column.type === 'timestamp' && type !== 'datetimeoffset',
    json: column.type === 'json',
    comparison: comparisonOf(column, type),
    identity: column.autoIncrement === true,
    collation:
      column.collation !== undefined && /^\w+$/.test(column.collation)
        ? column.collation
        : 'DATABASE_DEFAULT',
  };
}

// Text compares under the column's collation (case-, accent- and trailing-space-blind), datetimeoffset in UTC:
// changes `plan` sees would never be written.
function comparisonOf(column: Column, type: string): MssqlComparison {
  if (type === 'image') return 'bytes';
  if (type === 'datetimeoffset') return 'offset';
  if (TEXT_COMPARED.has(type)) return 'text';
  const textual = column.type === 'string' || column.type === 'json';
  const kind = mssqlTextKind(column.nativeType);
  return textual && (kind === 'character' || kind === 'large') ? 'text' : 'value';
}

/** The expressions EXCEPT compares for a column of `alias` (`s` or `t`). */
function compared(c: MssqlWriteColumn, alias: string): string {
  const ref = `${alias}.${q(c.name)}`;
  switch (c.comparison) {
    case 'text':
      return `CAST(CAST(${ref} AS nvarchar(max)) AS varbinary(max))`;
    case 'bytes':
      return `CAST(${ref} AS varbinary(max))`;
    case 'offset':
      return `${ref}, DATEPART(TZoffset, ${ref})`;
    case 'value':
      return ref;
  }
}

/** Staged text converted to `type` (`CAST`, or `TRY_CAST` for the check), through datetime2 where needed. */
function converted(text: string, type: string, cast: 'CAST' | 'TRY_CAST'): string {
  const via = THROUGH_DATETIME2.has(mssqlTypeName(type)) ? `${cast}(${text} AS datetime2(7))` : text;
  return `${cast}(${via} AS ${type})`;
}

/** The value a staged column writes: its text cast to the column's type, or the text or bytes as staged. */
function stagedValue(c: MssqlWriteColumn, i: number): string {
  return c.cast ? converted(`s.c${i}`, c.cast, 'CAST') : `s.c${i}`;
}

/** A writer loading one SQL Server table through bulk load and MERGE. */
export async function createMssqlWriter(
  db: Knex,
  target: WriteTarget,
  options: SqlWriterOptions,
): Promise<Writer> {
  const table = resolveWriterTable(target, options, true);
  const qualified = table.schema === undefined ? q(table.table) : `${q(table.schema)}.${q(table.table)}`;
  const columns = table.columns.map(mssqlWriteColumn);
  const checkpointTable =
    table.schema === undefined ? q(CHECKPOINT_TABLE) : `${q(table.schema)}.${q(CHECKPOINT_TABLE)}`;
  const sql = mssqlWriteStatements(
    qualified,
    columns,
    table.keyIndexes,
    `#stocktake_stage_${++stagingTables}`,
  );
  const identityTable =
    table.schema === undefined ? q(IDENTITY_TABLE) : `${q(table.schema)}.${q(IDENTITY_TABLE)}`;
  const backend = new MssqlBackend(
    db,
    columns,
    table.keyIndexes,
    sql,
    mssqlCheckpointStatements(checkpointTable),
    target.identity
      ? {
          sql: mssqlIdentityStatements(qualified, columns, table.keyIndexes, sql.stagingTable, identityTable),
          mapping: target.identity.mapping,
          generates: target.identity.supplied !== true,
        }
      : undefined,
  );
  return SqlWriter.open(db, backend, options.name ?? target.dataset);
}

/** The statements of a SQL Server writer (exported for tests); values are `@pN` parameters or bulk-loaded. */
export interface MssqlWriteStatements {
  readonly stagingTable: string;
  /** Creates the #temp table once per session and empties it (TRUNCATE is transactional in SQL Server). */
  readonly prepareStaging: string;
  /**
   * Deletes the staged rows with a value that does not convert to its column's type and returns them
   * (`l` list, `o` row, `c` the first such column); null when every column takes any text.
   */
  readonly rejectUnconvertible: string | null;
  /** `@p0` list code, `@p1` first row, `@p2` row after the last. */
  readonly upsert: string;
  readonly insert: string;
  readonly delete: string;
}

/** Builds the staging, MERGE, INSERT and DELETE statements. */
export function mssqlWriteStatements(
  qualified: string,
  columns: readonly MssqlWriteColumn[],
  keyIndexes: readonly number[],
  stagingTable: string,
): MssqlWriteStatements {
  // Staged text takes the target column's collation: tempdb's default may differ (Msg 468 in comparisons).
  const staged = columns
    .map((c, i) => `c${i} ${c.binary ? 'varbinary(max)' : `nvarchar(max) COLLATE ${c.collation}`} NULL`)
    .join(', ');
  const source = columns.map((c, i) => `${stagedValue(c, i)} AS ${q(c.name)}`).join(', ');
  const names = columns.map((c) => q(c.name)).join(', ');
  const range = `WHERE s.l = @p0 AND s.o >= @p1 AND s.o < @p2`;
  const keys = new Set(keyIndexes);
  const on = keyIndexes.map((i) => `t.${q(columns[i]!.name)} = s.${q(columns[i]!.name)}`).join(' AND ');
  // An identity column that is no key is written on insert only: SQL Server never updates one (Msg 8102).
  const rest = columns.filter((c, i) => !keys.has(i) && !c.identity);
  const matched =
    rest.length === 0
      ? ''
      : `WHEN MATCHED AND EXISTS (SELECT ${rest.map((c) => compared(c, 's')).join(', ')} EXCEPT SELECT ${rest.map((c) => compared(c, 't')).join(', ')}) THEN
  UPDATE SET ${rest.map((c) => `t.${q(c.name)} = s.${q(c.name)}`).join(', ')}
`;
  // Writing an identity column needs IDENTITY_INSERT for the statement's duration.
  const identity = columns.some((c) => c.identity);
  const wrap = (statement: string) =>
    identity
      ? `SET IDENTITY_INSERT ${qualified} ON;\n${statement}\nSET IDENTITY_INSERT ${qualified} OFF;`
      : statement;
  const keyMatch = keyIndexes
    .map((i) => `t.${q(columns[i]!.name)} = ${stagedValue(columns[i]!, i)}`)
    .join(' AND ');
  return {
    stagingTable,
    prepareStaging: `IF OBJECT_ID(N'tempdb..${stagingTable}') IS NULL CREATE TABLE ${stagingTable} (l tinyint NOT NULL, o int NOT NULL, ${staged});
TRUNCATE TABLE ${stagingTable};`,
    rejectUnconvertible: rejectUnconvertible(columns, stagingTable),
    upsert: `DECLARE @actions TABLE (a nvarchar(10) NOT NULL);
${wrap(`MERGE INTO ${qualified} WITH (HOLDLOCK) AS t
USING (SELECT ${source} FROM ${stagingTable} AS s ${range}) AS s
ON ${on}
${matched}WHEN NOT MATCHED BY TARGET THEN
  INSERT (${names}) VALUES (${columns.map((c) => `s.${q(c.name)}`).join(', ')})
OUTPUT $action INTO @actions (a);`)}
SELECT COUNT(CASE WHEN a = N'INSERT' THEN 1 END) AS inserted, COUNT(CASE WHEN a = N'UPDATE' THEN 1 END) AS updated FROM @actions;`,
    insert: wrap(`INSERT INTO ${qualified} (${names}) SELECT ${source} FROM ${stagingTable} AS s ${range};`),
    delete: `DELETE t FROM ${qualified} AS t JOIN ${stagingTable} AS s ON s.l = ${LIST_CODE.deletes} AND s.o >= @p0 AND s.o < @p1 AND ${keyMatch};`,
  };
}

/**
 * One DELETE of the staged rows whose text does not convert (TRY_CAST gives NULL), returning each with the
 * first such column. CASE tests its branches in order: TRY_CAST never sees a text too long for it.
 */
function rejectUnconvertible(columns: readonly MssqlWriteColumn[], stagingTable: string): string | null {
  const whens = columns.flatMap((c, i) =>
    c.converts === null
      ? []
      : [
          `WHEN DATALENGTH(s.c${i}) > ${TRY_CAST_MAX_BYTES} THEN ${i}`,
          `WHEN s.c${i} IS NOT NULL AND ${converted(`s.c${i}`, c.converts, 'TRY_CAST')} IS NULL THEN ${i}`,
        ],
  );
  if (whens.length === 0) return null;
  return `DELETE s OUTPUT DELETED.l, DELETED.o, x.c FROM ${stagingTable} AS s
CROSS APPLY (SELECT CASE ${whens.join(' ')} END AS c) AS x
WHERE x.c IS NOT NULL;`;
}

/** The statements of a SQL Server writer in identity mode (exported for tests). */
export interface MssqlIdentityStatements {
  readonly table: string;
  /** Inserts the staged row `o = @p0` of the inserts list without its generated key, then selects that key (`OUTPUT … INTO`). */
  readonly insertReturning: string;
  /** Updates rows by their generated key from the staged range (`@p0` list, `@p1`–`@p2` rows). */
  readonly update: string;
  /** `@name`: the identity table's quoted name, for OBJECT_ID. */
  readonly create: string;
  /** `@p0` mapping, `@p1` old key, `@p2` new key. */
  readonly save: string;
  /** `@p0` mapping, `@p1` old key. */
  readonly forget: string;
}

/**
 * Identity-mode statements over the staging table. Each new row has its own INSERT, so that the key
 * `OUTPUT INSERTED` returns belongs to a known row (a target table with triggers refuses OUTPUT
 * without INTO: such a table cannot be an identity target).
 */
export function mssqlIdentityStatements(
  qualified: string,
  columns: readonly MssqlWriteColumn[],
  keyIndexes: readonly number[],
  stagingTable: string,
  identityTable: string,
): MssqlIdentityStatements {
  const keys = new Set(keyIndexes);
  const rest = columns.map((c, i) => ({ c, i })).filter(({ i }) => !keys.has(i));
  // An identity column is never updated (Msg 8102).
  const updated = rest.filter(({ c }) => !c.identity);
  const keyMatch = keyIndexes
    .map((i) => `t.${q(columns[i]!.name)} = ${stagedValue(columns[i]!, i)}`)
    .join(' AND ');
  const returned = keyIndexes
    .map((i) => `CAST(INSERTED.${q(columns[i]!.name)} AS nvarchar(450))`)
    .join(' + NCHAR(1) + ');
  return {
    table: identityTable,
    // OUTPUT INTO a table variable: a bare OUTPUT clause is refused on a table with an enabled trigger (Msg 334).
    insertReturning: `DECLARE @k TABLE (new_key nvarchar(450) NOT NULL);
INSERT INTO ${qualified} (${rest.map(({ c }) => q(c.name)).join(', ')})
OUTPUT ${returned} INTO @k (new_key)
SELECT ${rest.map(({ c, i }) => stagedValue(c, i)).join(', ')} FROM ${stagingTable} AS s WHERE s.l = ${LIST_CODE.inserts} AND s.o = @p0;
SELECT new_key FROM @k;`,
    update: `UPDATE t SET ${updated.map(({ c, i }) => `t.${q(c.name)} = ${stagedValue(c, i)}`).join(', ')}
FROM ${qualified} AS t JOIN ${stagingTable} AS s ON s.l = @p0 AND s.o >= @p1 AND s.o < @p2 AND ${keyMatch};`,
    create: `IF OBJECT_ID(@name, N'U') IS NULL CREATE TABLE ${identityTable} (mapping nvarchar(128) NOT NULL,
  old_key nvarchar(300) NOT NULL, new_key nvarchar(450) NOT NULL, PRIMARY KEY (mapping, old_key));`,
    save: `UPDATE ${identityTable} SET new_key = @p2 WHERE mapping = @p0 AND old_key = @p1;
IF @@ROWCOUNT = 0 INSERT INTO ${identityTable} (mapping, old_key, new_key) VALUES (@p0, @p1, @p2);`,
    forget: `DELETE FROM ${identityTable} WHERE mapping = @p0 AND old_key = @p1;`,
  };
}

/** The checkpoint statements of a SQL Server target; `@name` is the table's quoted name for OBJECT_ID. */
export function mssqlCheckpointStatements(checkpointTable: string) {
  return {
    table: checkpointTable,
    create: `IF OBJECT_ID(@name, N'U') IS NULL CREATE TABLE ${checkpointTable} (mapping nvarchar(450) NOT NULL PRIMARY KEY,
  run_id nvarchar(450) NOT NULL, batches bigint NOT NULL, source_rows bigint NOT NULL, done bit NOT NULL,
  fingerprint nvarchar(1024) NOT NULL, updated_at datetimeoffset(3) NOT NULL);`,
    save: `UPDATE ${checkpointTable} SET run_id = @p1, batches = @p2, source_rows = @p3, done = @p4, fingerprint = @p5,
  updated_at = CONVERT(datetimeoffset(3), @p6, 127) WHERE mapping = @p0;
IF @@ROWCOUNT = 0 INSERT INTO ${checkpointTable} (mapping, run_id, batches, source_rows, done, fingerprint, updated_at)
  VALUES (@p0, @p1, @p2, @p3, @p4, @p5, CONVERT(datetimeoffset(3), @p6, 127));`,
    read: `SELECT mapping, run_id, batches, source_rows, done, fingerprint, CONVERT(nvarchar(40), updated_at, 127) AS updated_at
FROM ${checkpointTable} WHERE mapping = @p0;`,
    clear: `DELETE FROM ${checkpointTable} WHERE mapping = @p0;`,
  };
}

/** A contract value as staged text (or bytes for binary columns). */
export function mssqlStageValue(value: Value, column: MssqlWriteColumn): string | Buffer | null {
  if (value === null || value === undefined) return null;
  if (column.json) return jsonText(value);
  switch (typeof value) {
    case 'string':
      return column.wallClock ? utcWallClock(value) : value;
    case 'boolean':
      return value ? '1' : '0';
    case 'number':
    case 'bigint':
      return String(value);
    default:
      return value instanceof Uint8Array ? binaryBuffer(value) : jsonText(value);
  }
}

/** Why a staged value was refused before writing, naming its column and type. */
export function unconvertibleReason(column: MssqlWriteColumn): string {
  return `column "${column.name}": the value does not convert to ${column.converts}`;
}

class MssqlBackend implements WriterBackend<Connection> {
  readonly product = 'SQL Server';
  readonly statements = {
    // Statement-level errors must leave the transaction open so that a savepoint can undo them.
    begin: ['SET XACT_ABORT OFF', 'BEGIN TRANSACTION'],
    commit: 'COMMIT TRANSACTION',
    rollback: 'IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION',
    savepoint: `SAVE TRANSACTION ${SAVEPOINT}`,
    release: null,
    rollbackTo: `ROLLBACK TRANSACTION ${SAVEPOINT}`,
  };
  readonly #db: Knex;
  readonly #columns: readonly MssqlWriteColumn[];
  readonly #keyIndexes: readonly number[];
  readonly #sql: MssqlWriteStatements;
  readonly #checkpoint: ReturnType<typeof mssqlCheckpointStatements>;
  readonly #identity:
    | { readonly sql: MssqlIdentityStatements; readonly mapping: string; readonly generates: boolean }
    | undefined;

  constructor(
    db: Knex,
    columns: readonly MssqlWriteColumn[],
    keyIndexes: readonly number[],
    sql: MssqlWriteStatements,
    checkpoint: ReturnType<typeof mssqlCheckpointStatements>,
    identity?: {
      readonly sql: MssqlIdentityStatements;
      readonly mapping: string;
      readonly generates: boolean;
    },
  ) {
    this.#identity = identity;
    this.#db = db;
    this.#columns = columns;
    this.#keyIndexes = keyIndexes;
    this.#sql = sql;
    this.#checkpoint = checkpoint;
  }

  async exec(c: Connection, sql: string): Promise<void> {
    await this.#run(c, sql);
  }

  async ensureCheckpointTable(c: Connection): Promise<void> {
    await this.#run(c, this.#checkpoint.create, [['name', TYPES.NVarChar, this.#checkpoint.table]]);
  }

  async ensureIdentityTable(c: Connection): Promise<void> {
    const identity = this.#identity?.sql;
    if (identity) await this.#run(c, identity.create, [['name', TYPES.NVarChar, identity.table]]);
  }

  async saveIdentities(
    c: Connection,
    pairs: readonly (readonly [string, string])[],
    forget: readonly string[],
  ): Promise<void> {
    const { sql, mapping } = this.#identity!;
    for (const [oldKey, newKey] of pairs) {
      await this.#run(c, sql.save, [
        ['p0', TYPES.NVarChar, mapping],
        ['p1', TYPES.NVarChar, oldKey],
        ['p2', TYPES.NVarChar, newKey],
      ]);
    }
    for (const oldKey of forget) {
      await this.#run(c, sql.forget, [
        ['p0', TYPES.NVarChar, mapping],
        ['p1', TYPES.NVarChar, oldKey],
      ]);
    }
  }

  // Identity mode: new rows one INSERT each (OUTPUT INSERTED gives their key), mapped rows updated by key.
  async #writeIdentity(c: Connection, list: RowList, from: number, to: number): Promise<WriteCounts> {
    const { sql } = this.#identity!;
    if (list === 'upserts') {
      const { rowCount } = await this.#run(c, sql.update, [
        ['p0', TYPES.TinyInt, LIST_CODE.upserts],
        ['p1', TYPES.Int, from],
        ['p2', TYPES.Int, to],
      ]);
      return { inserted: 0, updated: rowCount };
    }
    const newKeys: (string | null)[] = [];
    for (let o = from; o < to; o++) {
      const { rows } = await this.#run(c, sql.insertReturning, [['p0', TYPES.Int, o]]);
      newKeys.push(rows[0] ? String(rows[0].new_key) : null);
    }
    return { inserted: newKeys.filter((k) => k !== null).length, updated: 0, newKeys };
  }

  async stage(c: Connection, batch: WriteBatch): Promise<readonly WriteRejection[]> {
    // A parameterless batch: a #temp table created inside sp_executesql would vanish with it.
    await this.#run(c, this.#sql.prepareStaging);
    const columns = this.#columns;
    const rows: unknown[][] = [];
    for (const list of ['upserts', 'inserts'] as const) {
      const source = batch[list] ?? [];
      for (let r = 0; r < source.length; r++) {
        const row = source[r]!;
        const staged: unknown[] = [LIST_CODE[list], r];
        for (let i = 0; i < columns.length; i++) staged.push(mssqlStageValue(row[i] ?? null, columns[i]!));
        rows.push(staged);
      }
    }
    const deletes = batch.deletes ?? [];
    for (let r = 0; r < deletes.length; r++) {
      const staged: unknown[] = [LIST_CODE.deletes, r, ...new Array(columns.length).fill(null)];
      for (let k = 0; k < this.#keyIndexes.length; k++) {
        const at = this.#keyIndexes[k]!;
        staged[2 + at] = mssqlStageValue(deletes[r]![k] ?? null, columns[at]!);
      }
      rows.push(staged);
    }
    if (rows.length === 0) return [];
    await this.#bulkLoad(c, rows);
    return this.#rejectUnconvertible(c);
  }

  // Staged rows whose values do not convert are deleted, so no statement reads them; deletes among them
  // name keys no row can have.
  async #rejectUnconvertible(c: Connection): Promise<WriteRejection[]> {
    const sql = this.#sql.rejectUnconvertible;
    if (sql === null) return [];
    const rejected: WriteRejection[] = [];
    for (const row of (await this.#run(c, sql)).rows) {
      const code = Number(row.l);
      if (code === LIST_CODE.deletes) continue;
      const list = code === LIST_CODE.inserts ? 'inserts' : 'upserts';
      const column = this.#columns[Number(row.c)]!;
      rejected.push({ list, index: Number(row.o), reason: unconvertibleReason(column) });
    }
    return rejected;
  }

  async write(
    c: Connection,
    _batch: WriteBatch,
    list: RowList,
    from: number,
    to: number,
  ): Promise<WriteCounts> {
    if (this.#identity?.generates) return this.#writeIdentity(c, list, from, to);
    const params: Parameter[] = [
      ['p0', TYPES.TinyInt, LIST_CODE[list]],
      ['p1', TYPES.Int, from],
      ['p2', TYPES.Int, to],
    ];
    if (list === 'inserts') {
      const { rowCount } = await this.#run(c, this.#sql.insert, params);
      return { inserted: rowCount, updated: 0 };
    }
    const { rows } = await this.#run(c, this.#sql.upsert, params);
    const counts = rows[rows.length - 1] ?? {};
    return { inserted: Number(counts.inserted ?? 0), updated: Number(counts.updated ?? 0) };
  }

  async delete(c: Connection, _batch: WriteBatch, from: number, to: number): Promise<number> {
    return (
      await this.#run(c, this.#sql.delete, [
        ['p0', TYPES.Int, from],
        ['p1', TYPES.Int, to],
      ])
    ).rowCount;
  }

  async saveCheckpoint(c: Connection, checkpoint: Checkpoint): Promise<void> {
    await this.#run(c, this.#checkpoint.save, [
      ['p0', TYPES.NVarChar, checkpoint.mapping],
      ['p1', TYPES.NVarChar, checkpoint.runId],
      ['p2', TYPES.BigInt, checkpoint.batches],
      ['p3', TYPES.BigInt, checkpoint.sourceRows],
      ['p4', TYPES.Bit, checkpoint.done],
      ['p5', TYPES.NVarChar, checkpoint.fingerprint],
      ['p6', TYPES.NVarChar, isoInstant(checkpoint.updatedAt)],
    ]);
  }

  async readCheckpoint(c: Connection, mapping: string): Promise<Checkpoint | null> {
    const { rows } = await this.#run(c, this.#checkpoint.read, [['p0', TYPES.NVarChar, mapping]]);
    return rows[0] ? checkpointOfRow(rows[0]) : null;
  }

  async clearCheckpoint(c: Connection, mapping: string): Promise<void> {
    await this.#run(c, this.#checkpoint.clear, [['p0', TYPES.NVarChar, mapping]]);
  }

  rowError(error: unknown): string | undefined {
    const e = error as { number?: unknown; message?: unknown };
    if (typeof e?.number !== 'number' || !ROW_ERRORS.has(e.number)) return undefined;
    return redact(String(e.message));
  }

  #bulkLoad(c: Connection, rows: unknown[][]): Promise<void> {
    this.#db.emit('query', { sql: `INSERT BULK ${this.#sql.stagingTable}` });
    return new Promise((resolve, reject) => {
      const bulk: BulkLoad = c.newBulkLoad(this.#sql.stagingTable, { keepNulls: true }, (error) =>
        error ? reject(error) : resolve(),
      );
      bulk.addColumn('l', TYPES.TinyInt, { nullable: false });
      bulk.addColumn('o', TYPES.Int, { nullable: false });
      for (let i = 0; i < this.#columns.length; i++) {
        const type = this.#columns[i]!.binary ? TYPES.VarBinary : TYPES.NVarChar;
        bulk.addColumn(`c${i}`, type, { nullable: true, length: Infinity });
      }
      c.execBulkLoad(bulk, rows);
    });
  }

  // Parameterless statements go as a plain batch; with parameters, through sp_executesql.
  #run(
    c: Connection,
    sql: string,
    params: readonly Parameter[] = [],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
    this.#db.emit('query', { sql });
    return new Promise((resolve, reject) => {
      const rows: Record<string, unknown>[] = [];
      const request = new Request(sql, (error, rowCount) =>
        error ? reject(error) : resolve({ rows, rowCount: rowCount ?? 0 }),
      );
      for (const [name, type, value] of params) request.addParameter(name, type, value);
      request.on('row', (columns: RawColumnValue[]) => {
        const row: Record<string, unknown> = {};
        for (const column of columns) row[column.metadata.colName] = column.value;
        rows.push(row);
      });
      if (params.length === 0) c.execSqlBatch(request);
      else c.execSql(request);
    });
  }
}

type Parameter = readonly [string, (typeof TYPES)[keyof typeof TYPES], unknown];

interface RawColumnValue {
  value: unknown;
  metadata: { colName: string };
}
