/**
 * The PostgreSQL writer: each batch is COPYed (text format) into a temporary staging table of text
 * columns, then written with one `INSERT … SELECT … ON CONFLICT (key) DO UPDATE … WHERE (t.cols) IS
 * DISTINCT FROM (excluded.cols)` that casts every column, so that a bad value fails the INSERT (and
 * is isolated by row) rather than the COPY, and unchanged rows are not touched.
 *
 * Fast path: a batch of new rows only (insert mode, or upserts whose keys the diff found absent) is
 * COPYed straight into the table as the transaction's first statement, as `psql \copy` would, writing
 * every row once instead of twice, and the checkpoint is saved and committed in the same round trip.
 * When the database refuses a row there (a constraint, a bad value, a key that appeared since the
 * diff), the transaction is rolled back and begun again, and the batch takes the staging path, whose
 * upsert and row isolation then apply: the result is the same, only slower.
 *
 * Counts: the INSERT returns `(xmax = 0)` for every row it wrote; a freshly inserted tuple has no
 * deleting transaction (xmax 0), one updated by ON CONFLICT carries ours. Rows skipped by the WHERE
 * clause (unchanged) are not returned. Deletes count the DELETE's row count.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Knex } from 'knex';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { StocktakeError } from '../../core/errors.ts';
import { redact } from '../../core/secrets.ts';
import { type Utf8Buffer, writeUtf8 } from '../../core/utf8-write.ts';
import { type ExactJson, exactJsonText, JsonNumber, JsonText, parseJsonExact } from '../json-text.ts';
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
import { quotePostgres as q } from './postgres-catalog.ts';

/** How a value is turned into COPY text for a column. */
type Encoding = 'plain' | 'json' | 'bytea' | 'array' | 'jsonArray' | 'wallclock';

/** A target column as the writer needs it: the type to cast the staged text to, and how to encode values. */
export interface PostgresWriteColumn {
  readonly name: string;
  /** The column's type without length or precision (`character varying`, `numeric`), so that a cast never truncates. */
  readonly castType: string;
  readonly encoding: Encoding;
  /**
   * True when the type has no equality operator (json, xml, geometric types) or a looser one than the plan's
   * (citext, interval): compared as text.
   */
  readonly compareAsText: boolean;
}

// List codes in the staging table's `l` column.
const LIST_CODE: Readonly<Record<RowList | 'deletes', number>> = { upserts: 0, inserts: 1, deletes: 2 };
const NO_EQUALITY = new Set(['json', 'xml', 'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle']);
// Types whose equality is looser than the plan's comparison: `ALICE` = `alice` in citext, `1 day` =
// `24:00:00` in interval. Compared by those operators, the update the plan counted would be skipped.
const LOOSE_EQUALITY = new Set(['citext', 'interval']);
// SQLSTATE classes of a refused row: 21 cardinality (a key twice in one statement), 22 data exception,
// 23 integrity constraint, 44 WITH CHECK OPTION; P0001 is a trigger's RAISE EXCEPTION.
const ROW_ERROR = /^(21|22|23|44)...$|^P0001$/;
const SAVEPOINT = 'stocktake_rows';
const CHUNK_BYTES = 1 << 16;
// Each batch costs a transaction (about ten round trips and a commit): 10,000 rows make that a few
// percent of a COPY's time, where 1,000 made it half; more gains little and holds more rows.
const BATCH_ROWS = 10_000;
let stagingTables = 0;

const SEQUENCE_SQL = 'SELECT pg_get_serial_sequence($1, $2) AS seq';
const CATALOG_SQL = `
SELECT a.attname AS name, t.typname AS type_name, t.typcategory AS category, e.typname AS element_name,
  format_type(a.atttypid, NULL) AS base_type
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`;

/** A writer loading one PostgreSQL table through COPY and `INSERT … ON CONFLICT`. */
export async function createPostgresWriter(
  db: Knex,
  target: WriteTarget,
  options: SqlWriterOptions,
): Promise<Writer> {
  const table = resolveWriterTable(target, options, true);
  const qualified = table.schema === undefined ? q(table.table) : `${q(table.schema)}.${q(table.table)}`;
  const client = db.client as unknown as {
    acquireConnection(): Promise<Client>;
    releaseConnection(c: Client): Promise<unknown>;
  };
  const connection = await client.acquireConnection();
  let raw: RawColumn[];
  // Identity mode: the sequence behind the generated key (identity or serial column), if any.
  let sequence: string | null = null;
  try {
    db.emit('query', { sql: CATALOG_SQL });
    raw = (await connection.query<RawColumn>(CATALOG_SQL, [qualified])).rows;
    const generated = target.identity ? target.key[0] : undefined;
    if (generated !== undefined) {
      db.emit('query', { sql: SEQUENCE_SQL });
      const found = await connection.query<{ seq: string | null }>(SEQUENCE_SQL, [qualified, generated]);
      sequence = found.rows[0]?.seq ?? null;
    }
  } finally {
    await client.releaseConnection(connection);
  }
  if (raw.length === 0) {
    throw new StocktakeError('DATASET_NOT_FOUND', `target ${target.dataset}: no such table`, {
      context: { dataset: target.dataset },
    });
  }
  const byName = new Map(raw.map((r) => [r.name, r]));
  const columns = target.columns.map((name) => {
    const column = byName.get(name);
    if (!column) {
      throw new StocktakeError('MAP_TARGET_COLUMN_MISSING', `target ${target.dataset}: no column "${name}"`, {
        context: { dataset: target.dataset, column: name },
      });
    }
    return postgresWriteColumn(column);
  });
  const checkpointTable =
    table.schema === undefined ? q(CHECKPOINT_TABLE) : `${q(table.schema)}.${q(CHECKPOINT_TABLE)}`;
  const statements = postgresWriteStatements(qualified, columns, table.keyIndexes, checkpointTable);
  const identity = target.identity
    ? postgresIdentityStatements(
        qualified,
        columns,
        table.keyIndexes,
        statements.stagingTable,
        table.schema === undefined ? q(IDENTITY_TABLE) : `${q(table.schema)}.${q(IDENTITY_TABLE)}`,
        sequence,
      )
    : undefined;
  const backend = new PostgresBackend(
    db,
    columns,
    table.keyIndexes,
    statements,
    identity,
    target.identity?.mapping,
    target.identity?.supplied !== true,
  );
  const writer = await SqlWriter.open(db, backend, options.name ?? target.dataset);
  return Object.assign(writer, { batchRows: BATCH_ROWS });
}

/** The SQL a PostgreSQL writer sends, built once per writer (exported for tests). */
export interface PostgresWriteStatements {
  readonly stagingTable: string;
  readonly createStaging: string;
  readonly copy: string;
  /** COPY straight into the target table (the fast path of new rows). */
  readonly copyDirect: string;
  readonly upsert: string;
  readonly insert: string;
  readonly delete: string;
  readonly createCheckpoint: string;
  readonly saveCheckpoint: string;
  readonly readCheckpoint: string;
  readonly clearCheckpoint: string;
}

/** Builds every statement of a writer; identifiers are quoted, values are always `$n` parameters or COPY data. */
export function postgresWriteStatements(
  qualified: string,
  columns: readonly PostgresWriteColumn[],
  keyIndexes: readonly number[],
  checkpointTable: string,
): PostgresWriteStatements {
  const stagingTable = `pg_temp.stocktake_stage_${++stagingTables}`;
  const staged = columns.map((_c, i) => `c${i}`);
  const names = columns.map((c) => q(c.name)).join(', ');
  const casts = columns.map((c, i) => `s.c${i}::${c.castType}`).join(', ');
  const range = 'WHERE s.l = $1 AND s.o >= $2 AND s.o < $3 ORDER BY s.o';
  const keys = new Set(keyIndexes);
  const conflict = keyIndexes.map((i) => q(columns[i]!.name)).join(', ');
  const rest = columns.filter((_c, i) => !keys.has(i));
  const compared = (alias: string) =>
    rest.map((c) => `${alias}.${q(c.name)}${c.compareAsText ? '::text' : ''}`).join(', ');
  const onConflict =
    rest.length === 0
      ? `ON CONFLICT (${conflict}) DO NOTHING`
      : `ON CONFLICT (${conflict}) DO UPDATE SET ${rest.map((c) => `${q(c.name)} = excluded.${q(c.name)}`).join(', ')}
  WHERE ROW(${compared('t')}) IS DISTINCT FROM ROW(${compared('excluded')})`;
  const keyMatch = keyIndexes
    .map((i) => `t.${q(columns[i]!.name)} = s.c${i}::${columns[i]!.castType}`)
    .join(' AND ');
  const cpNames = CHECKPOINT_COLUMNS.join(', ');
  return {
    stagingTable,
    createStaging: `CREATE TEMP TABLE IF NOT EXISTS ${stagingTable.slice('pg_temp.'.length)} (l int2 NOT NULL, o int4 NOT NULL, ${staged.map((c) => `${c} text`).join(', ')}) ON COMMIT DELETE ROWS`,
    copy: `COPY ${stagingTable} (l, o, ${staged.join(', ')}) FROM STDIN`,
    copyDirect: `COPY ${qualified} (${names}) FROM STDIN`,
    upsert: `WITH w AS (
  INSERT INTO ${qualified} AS t (${names})
  SELECT ${casts} FROM ${stagingTable} s ${range}
  ${onConflict}
  RETURNING (t.xmax = 0) AS inserted
) SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM w`,
    insert: `INSERT INTO ${qualified} (${names}) SELECT ${casts} FROM ${stagingTable} s ${range}`,
    delete: `DELETE FROM ${qualified} AS t USING ${stagingTable} s WHERE s.l = ${LIST_CODE.deletes} AND s.o >= $1 AND s.o < $2 AND ${keyMatch}`,
    createCheckpoint: `CREATE TABLE IF NOT EXISTS ${checkpointTable} (mapping text PRIMARY KEY, run_id text NOT NULL,
  batches bigint NOT NULL, source_rows bigint NOT NULL, done boolean NOT NULL, fingerprint text NOT NULL,
  updated_at timestamptz NOT NULL)`,
    saveCheckpoint: `INSERT INTO ${checkpointTable} (${cpNames}) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (mapping) DO UPDATE SET ${CHECKPOINT_COLUMNS.slice(1)
      .map((c) => `${c} = excluded.${c}`)
      .join(', ')}`,
    readCheckpoint: `SELECT mapping, run_id, batches, source_rows, done, fingerprint,
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at
FROM ${checkpointTable} WHERE mapping = $1`,
    clearCheckpoint: `DELETE FROM ${checkpointTable} WHERE mapping = $1`,
  };
}

/** The statements of a PostgreSQL writer in identity mode (exported for tests). */
export interface PostgresIdentityStatements {
  /** Inserts the staged row `o = $1` of the inserts list without its generated key, returning it as text. */
  readonly insertReturning: string;
  /**
   * With a sequence behind the key (identity, serial): draws one key per staged row of the inserts
   * range `o in [$1, $2)`, returning `o` and the key, then `insertKeyed` inserts the range with those
   * keys (`$1` the rows' `o`, `$2` their keys), set-based. Null without a sequence (one INSERT per row).
   */
  readonly drawKeys: string | null;
  readonly insertKeyed: string | null;
  /** Updates rows by their generated key from the staged range `l = $1, o in [$2, $3)`. */
  readonly update: string;
  readonly create: string;
  /** Parameters: the mapping, the old keys (text[]), the new keys (text[]). */
  readonly save: string;
  /** Parameters: the mapping, the old keys (text[]). */
  readonly forget: string;
}

/**
 * Identity-mode statements over the same staging table. Each new row is inserted by its own statement
 * so that the key RETURNING gives back belongs to a known row: a multi-row INSERT … SELECT does not
 * promise to return rows in the order of its SELECT.
 */
export function postgresIdentityStatements(
  qualified: string,
  columns: readonly PostgresWriteColumn[],
  keyIndexes: readonly number[],
  stagingTable: string,
  identityTable: string,
  sequence: string | null = null,
): PostgresIdentityStatements {
  const keys = new Set(keyIndexes);
  const rest = columns.map((c, i) => ({ c, i })).filter(({ i }) => !keys.has(i));
  const names = rest.map(({ c }) => q(c.name)).join(', ');
  const casts = rest.map(({ c, i }) => `s.c${i}::${c.castType}`).join(', ');
  const keyMatch = keyIndexes
    .map((i) => `t.${q(columns[i]!.name)} = s.c${i}::${columns[i]!.castType}`)
    .join(' AND ');
  const returned = keyIndexes.map((i) => `t.${q(columns[i]!.name)}::text`).join(` || E'\\x01' || `);
  return {
    insertReturning: `INSERT INTO ${qualified} AS t (${names}) SELECT ${casts} FROM ${stagingTable} s WHERE s.l = ${LIST_CODE.inserts} AND s.o = $1 RETURNING ${returned} AS new_key`,
    // The keys come from the column's own sequence, as the default would draw them; which row holds
    // which key is known before the insert, so one statement writes the whole range.
    drawKeys:
      sequence === null || keyIndexes.length !== 1
        ? null
        : `SELECT s.o, nextval(${quoteLiteral(sequence)}::regclass)::text AS k FROM ${stagingTable} s WHERE s.l = ${LIST_CODE.inserts} AND s.o >= $1 AND s.o < $2`,
    insertKeyed:
      sequence === null || keyIndexes.length !== 1
        ? null
        : `INSERT INTO ${qualified} (${q(columns[keyIndexes[0]!]!.name)}, ${names}) OVERRIDING SYSTEM VALUE
SELECT k.k::${columns[keyIndexes[0]!]!.castType}, ${casts} FROM ${stagingTable} s JOIN unnest($1::int4[], $2::text[]) AS k (o, k) ON k.o = s.o WHERE s.l = ${LIST_CODE.inserts}`,
    update: `UPDATE ${qualified} AS t SET ${rest.map(({ c, i }) => `${q(c.name)} = s.c${i}::${c.castType}`).join(', ')}
FROM ${stagingTable} s WHERE s.l = $1 AND s.o >= $2 AND s.o < $3 AND ${keyMatch}`,
    create: `CREATE TABLE IF NOT EXISTS ${identityTable} (mapping text NOT NULL, old_key text NOT NULL,
  new_key text NOT NULL, PRIMARY KEY (mapping, old_key))`,
    save: `INSERT INTO ${identityTable} (mapping, old_key, new_key) SELECT $1, u.o, u.n FROM unnest($2::text[], $3::text[]) AS u (o, n)
ON CONFLICT (mapping, old_key) DO UPDATE SET new_key = excluded.new_key`,
    forget: `DELETE FROM ${identityTable} WHERE mapping = $1 AND old_key = ANY ($2::text[])`,
  };
}

/** A PostgreSQL string literal. */
function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** How the writer treats a column, from its pg_catalog type. */
function postgresWriteColumn(raw: RawColumn): PostgresWriteColumn {
  const array = raw.category === 'A';
  const type = array ? (raw.element_name ?? '') : raw.type_name;
  // Without a length, `character` and `bit` mean char(1) and bit(1); their unbounded forms keep every value.
  const unbounded = type === 'bpchar' ? 'bpchar' : type === 'bit' ? 'varbit' : undefined;
  const castType = unbounded ? `${unbounded}${array ? '[]' : ''}` : raw.base_type;
  let encoding: Encoding = 'plain';
  // A json[] or jsonb[] holds documents: a JSON array in it is one element, not a sub-array.
  if (array) encoding = type === 'json' || type === 'jsonb' ? 'jsonArray' : 'array';
  else if (type === 'json' || type === 'jsonb') encoding = 'json';
  else if (type === 'bytea') encoding = 'bytea';
  else if (type === 'timestamp') encoding = 'wallclock';
  return {
    name: raw.name,
    castType,
    encoding,
    compareAsText: NO_EQUALITY.has(type) || LOOSE_EQUALITY.has(type),
  };
}

class PostgresBackend implements WriterBackend<Client> {
  readonly product = 'PostgreSQL';
  readonly statements = {
    begin: ['BEGIN'],
    commit: 'COMMIT',
    rollback: 'ROLLBACK',
    savepoint: `SAVEPOINT ${SAVEPOINT}`,
    release: `RELEASE SAVEPOINT ${SAVEPOINT}`,
    rollbackTo: `ROLLBACK TO SAVEPOINT ${SAVEPOINT}`,
  };
  readonly #db: Knex;
  readonly #columns: readonly PostgresWriteColumn[];
  readonly #keyIndexes: readonly number[];
  readonly #sql: PostgresWriteStatements;
  /** Connections whose session holds the staging table. */
  readonly #staged = new WeakSet<Client>();
  /** Batches loaded by the fast path, with the rows refused before the COPY. */
  readonly #copied = new WeakMap<WriteBatch, readonly WriteRejection[]>();

  readonly #identity: PostgresIdentityStatements | undefined;
  /** Identity mode with keys the database generates (not supplied by the mapping). */
  readonly #generates: boolean;
  readonly #mapping: string;

  constructor(
    db: Knex,
    columns: readonly PostgresWriteColumn[],
    keyIndexes: readonly number[],
    sql: PostgresWriteStatements,
    identity?: PostgresIdentityStatements,
    mapping = '',
    generates = true,
  ) {
    this.#identity = identity;
    this.#generates = identity !== undefined && generates;
    this.#mapping = mapping;
    this.#db = db;
    this.#columns = columns;
    this.#keyIndexes = keyIndexes;
    this.#sql = sql;
  }

  async exec(c: Client, sql: string): Promise<void> {
    if (sql === this.statements.rollback) this.#staged.delete(c);
    await this.#query(c, sql);
  }

  async ensureCheckpointTable(c: Client): Promise<void> {
    try {
      await this.#query(c, this.#sql.createCheckpoint);
    } catch (error) {
      // Two writers creating it at once: the loser sees a duplicate catalog entry; the table exists.
      const code = (error as { code?: string }).code;
      if (code !== '23505' && code !== '42P07') throw error;
    }
  }

  async stage(c: Client, batch: WriteBatch): Promise<readonly WriteRejection[]> {
    if (allNew(batch)) {
      const rejected: WriteRejection[] = [];
      // The COPY is the transaction's first statement: when the table refuses a row, rolling the whole
      // transaction back loses nothing, and saves the two round trips of a savepoint on every batch.
      try {
        await this.#copy(c, this.#sql.copyDirect, this.#copyChunks(batch, rejected, false));
        this.#copied.set(batch, rejected);
        return rejected;
      } catch (error) {
        if (this.rowError(error) === undefined) throw error;
        await this.exec(c, this.statements.rollback);
        for (const sql of this.statements.begin) await this.exec(c, sql);
      }
    }
    const rejected: WriteRejection[] = [];
    // The staging table lives as long as the session; a rolled-back batch may have taken its creation along.
    if (!this.#staged.has(c)) {
      await this.#query(c, this.#sql.createStaging);
      this.#staged.add(c);
    }
    await this.#copy(c, this.#sql.copy, this.#copyChunks(batch, rejected, true));
    return rejected;
  }

  async ensureIdentityTable(c: Client): Promise<void> {
    if (!this.#identity) return;
    try {
      await this.#query(c, this.#identity.create);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== '23505' && code !== '42P07') throw error;
    }
  }

  async saveIdentities(
    c: Client,
    pairs: readonly (readonly [string, string])[],
    forget: readonly string[],
  ): Promise<void> {
    const identity = this.#identity!;
    if (pairs.length > 0)
      await this.#query(c, identity.save, [this.#mapping, pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
    if (forget.length > 0) await this.#query(c, identity.forget, [this.#mapping, forget]);
  }

  written(batch: WriteBatch, list: RowList): WriteCounts | undefined {
    const copied = this.#copied.get(batch);
    if (copied === undefined) return undefined;
    let refused = 0;
    for (const r of copied) if (r.list === list) refused++;
    return { inserted: (batch[list]?.length ?? 0) - refused, updated: 0 };
  }

  async write(c: Client, _batch: WriteBatch, list: RowList, from: number, to: number): Promise<WriteCounts> {
    if (this.#generates) return this.#writeIdentity(c, list, from, to);
    const params = [LIST_CODE[list], from, to];
    if (list === 'inserts') {
      const result = await this.#query(c, this.#sql.insert, params);
      return { inserted: result.rowCount ?? 0, updated: 0 };
    }
    const row = (await this.#query(c, this.#sql.upsert, params)).rows[0] as {
      inserted: number;
      updated: number;
    };
    return { inserted: row.inserted, updated: row.updated };
  }

  // Identity mode: new rows one statement each (their key comes back), mapped rows updated by key in one.
  async #writeIdentity(c: Client, list: RowList, from: number, to: number): Promise<WriteCounts> {
    const identity = this.#identity!;
    if (list === 'upserts') {
      const result = await this.#query(c, identity.update, [LIST_CODE.upserts, from, to]);
      return { inserted: 0, updated: result.rowCount ?? 0 };
    }
    if (identity.drawKeys !== null && identity.insertKeyed !== null) {
      const drawn = (await this.#query(c, identity.drawKeys, [from, to])).rows as { o: number; k: string }[];
      const newKeys: (string | null)[] = new Array(to - from).fill(null);
      for (const { o, k } of drawn) newKeys[o - from] = k;
      const result = await this.#query(c, identity.insertKeyed, [
        drawn.map((d) => d.o),
        drawn.map((d) => d.k),
      ]);
      return { inserted: result.rowCount ?? 0, updated: 0, newKeys };
    }
    const newKeys: (string | null)[] = [];
    let inserted = 0;
    for (let o = from; o < to; o++) {
      // A row refused by `stage` (NUL character) is not staged: nothing comes back.
      const row = (await this.#query(c, identity.insertReturning, [o])).rows[0];
      newKeys.push(row ? String(row.new_key) : null);
      if (row) inserted++;
    }
    return { inserted, updated: 0, newKeys };
  }

  async delete(c: Client, _batch: WriteBatch, from: number, to: number): Promise<number> {
    return (await this.#query(c, this.#sql.delete, [from, to])).rowCount ?? 0;
  }

  async saveCheckpoint(c: Client, checkpoint: Checkpoint): Promise<void> {
    await this.#query(c, this.#sql.saveCheckpoint, checkpointValues(checkpoint));
  }

  async readCheckpoint(c: Client, mapping: string): Promise<Checkpoint | null> {
    const row = (await this.#query(c, this.#sql.readCheckpoint, [mapping])).rows[0];
    return row ? checkpointOfRow(row) : null;
  }

  async clearCheckpoint(c: Client, mapping: string): Promise<void> {
    await this.#query(c, this.#sql.clearCheckpoint, [mapping]);
  }

  rowError(error: unknown): string | undefined {
    const e = error as { code?: unknown; message?: unknown };
    if (typeof e?.code !== 'string' || !ROW_ERROR.test(e.code)) return undefined;
    // The message names the constraint and column; the detail (not kept) repeats the row's values.
    return redact(String(e.message));
  }

  async #copy(c: Client, sql: string, chunks: Iterable<Buffer>): Promise<void> {
    this.#db.emit('query', { sql });
    await pipeline(Readable.from(chunks), c.query(copyFrom(sql)));
  }

  #query(c: Client, sql: string, params?: unknown[]) {
    this.#db.emit('query', { sql });
    return c.query<Record<string, unknown>>(sql, params);
  }

  // COPY text: one line per row (staged: `l`, `o`, then every column); rows with a NUL character are refused here.
  *#copyChunks(batch: WriteBatch, rejected: WriteRejection[], staged: boolean): Generator<Buffer> {
    const columns = this.#columns;
    const width = columns.length;
    const out = new CopyBytes();
    const fields: string[] = new Array(width);
    for (const list of ['upserts', 'inserts'] as const) {
      const rows = batch[list];
      if (!rows) continue;
      const code = LIST_CODE[list];
      for (let r = 0; r < rows.length; r++) {
        const row = rows[r]!;
        let refused = false;
        for (let i = 0; i < width; i++) {
          const field = copyField(row[i] ?? null, columns[i]!.encoding);
          if (field === undefined) {
            refused = true;
            break;
          }
          fields[i] = field;
        }
        if (refused) {
          rejected.push({ list, index: r, reason: NUL_REASON });
          continue;
        }
        const full = out.line(staged ? `${code}\t${r}\t` : '', fields);
        if (full) yield full;
      }
    }
    const deletes = batch.deletes ?? [];
    const keyIndexes = this.#keyIndexes;
    for (let r = 0; r < deletes.length; r++) {
      fields.fill('\\N');
      const key = deletes[r]!;
      for (let k = 0; k < keyIndexes.length; k++) {
        const at = keyIndexes[k]!;
        fields[at] = copyField(key[k] ?? null, columns[at]!.encoding) ?? '\\N';
      }
      const full = out.line(`${LIST_CODE.deletes}\t${r}\t`, fields);
      if (full) yield full;
    }
    const last = out.rest();
    if (last) yield last;
  }
}

/**
 * COPY text encoded straight into byte chunks of about 64 KB, field by field: no string of the whole
 * chunk is built and then encoded again.
 */
class CopyBytes {
  #buffer = Buffer.allocUnsafe(CHUNK_BYTES) as Utf8Buffer;
  #length = 0;

  /** Appends one line (a prefix, then the fields separated by tabs); returns the chunk it filled, if any. */
  line(prefix: string, fields: readonly string[]): Buffer | undefined {
    let chars = prefix.length + fields.length;
    for (let i = 0; i < fields.length; i++) chars += fields[i]!.length;
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    const room = chars * 3;
    let full: Buffer | undefined;
    if (this.#length + room > this.#buffer.length) {
      full = this.rest();
      if (room > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(room) as Utf8Buffer;
    }
    const buffer = this.#buffer;
    let at = this.#length;
    if (prefix.length > 0) at += buffer.utf8Write(prefix, at);
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) buffer[at++] = TAB;
      at += writeUtf8(buffer, fields[i]!, at);
    }
    buffer[at++] = NEWLINE;
    this.#length = at;
    return full;
  }

  /** The bytes not handed out yet (undefined when none); the next line starts a new buffer. */
  rest(): Buffer | undefined {
    if (this.#length === 0) return undefined;
    const full = this.#buffer.subarray(0, this.#length);
    this.#buffer = Buffer.allocUnsafe(CHUNK_BYTES) as Utf8Buffer;
    this.#length = 0;
    return full;
  }
}

const TAB = 0x09;
const NEWLINE = 0x0a;

/** True when every row of the batch is new to the target: insert mode, or upserts the diff found absent. */
function allNew(batch: WriteBatch): boolean {
  // Identity mode wants the generated keys back from its own INSERT … RETURNING.
  if (batch.deletes?.length || ('identity' in batch && batch.identity !== undefined)) return false;
  if (batch.upserts.length > 0 && batch.upsertsNew !== true) return false;
  return batch.upserts.length + (batch.inserts?.length ?? 0) > 0;
}

const NUL_REASON = 'PostgreSQL text cannot hold the NUL character (U+0000)';
const COPY_SPECIAL = /[\\\n\r\t\0]/;
const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** One value as a field of COPY text format (`\N` for null); undefined when PostgreSQL cannot store it (NUL). */
export function copyField(value: Value, encoding: Encoding): string | undefined {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  switch (typeof value) {
    case 'string':
      text = encoding === 'wallclock' ? utcWallClock(value) : encoding === 'json' ? jsonText(value) : value;
      break;
    // A number's or boolean's text holds no character COPY escapes.
    case 'number':
    case 'bigint':
      if (encoding !== 'json') return String(value);
      text = jsonText(value);
      break;
    case 'boolean':
      if (encoding !== 'json') return value ? 't' : 'f';
      text = jsonText(value);
      break;
    default:
      if (value instanceof Uint8Array) text = `\\x${binaryBuffer(value).toString('hex')}`;
      else if (encoding === 'array' || encoding === 'jsonArray')
        text = arrayText(value, encoding === 'jsonArray') ?? jsonText(value);
      else text = jsonText(value);
  }
  if (!COPY_SPECIAL.test(text)) return text;
  if (text.includes('\0')) return undefined;
  return text.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]!);
}

/**
 * The array literal of a value for an array column: a JS array, or a JSON array's text (a numeric[] or
 * json[] read exactly, a document mapped into an array column) with its numbers as written; undefined for
 * anything else. A json[] or jsonb[] (`documents`) takes each item as one document, an array included.
 */
function arrayText(value: Value, documents: boolean): string | undefined {
  if (Array.isArray(value)) {
    return arrayLiteral(
      documents ? value.map((d) => (d === null || d === undefined ? null : jsonText(d as Value))) : value,
    );
  }
  if (!(value instanceof JsonText) || !value.text.trimStart().startsWith('[')) return undefined;
  const items = parseJsonExact(value.text) as ExactJson[];
  return arrayLiteral(documents ? items.map((d) => (d === null ? null : exactJsonText(d))) : items);
}

/** A PostgreSQL array literal (`{"a","b",NULL}`) of a JS array, nested arrays included. */
export function arrayLiteral(items: readonly unknown[]): string {
  let out = '{';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    const item = items[i];
    if (item === null || item === undefined) out += 'NULL';
    else if (Array.isArray(item)) out += arrayLiteral(item);
    else if (item instanceof JsonNumber) out += item.text;
    else {
      const text =
        item instanceof Uint8Array
          ? `\\x${binaryBuffer(item).toString('hex')}`
          : typeof item === 'object'
            ? jsonText(item as Value)
            : String(item);
      out += `"${text.replace(/["\\]/g, '\\$&')}"`;
    }
  }
  return `${out}}`;
}

interface RawColumn {
  name: string;
  type_name: string;
  category: string;
  element_name: string | null;
  base_type: string;
}
