/**
 * SQL push-down profiling shared by every SQL backend: a table is measured with a handful of set-based
 * statements whose number depends on the table's shape, never on its size or on metrics × columns.
 *
 * 0. where the backend keeps them, the planner's distinct estimates: columns far below the limit (and booleans)
 * are listed without a COUNT(DISTINCT), their frequencies computed beside step 1;
 * 1. counts: rows, per column non-null and binary-distinct counts, multi-column key and FK tuple counts (1 scan);
 * 2. frequencies of the columns with at most `distinctLimit` values (GROUPING SETS: 1 scan; else UNION ALL);
 * 3. aggregates of the other columns only: min/max, mean, stddev, lengths, spaces, null-likes, quantiles (the
 * quantiles beside, where they are an aggregate), and the two-column key candidates packed into one integer;
 * 4. a value sample of those columns (before step 3), whose rows also refute two-column key candidates;
 * 5. the two-column key candidates no sampled row refutes and step 3 did not pack; 6. duplicate rows, unless a
 * key proves there are none; 7. examples of duplicated declared keys (only when some exist); 8. orphans of
 * declared foreign keys. Steps 3–8 run only when there is something to measure; independent statements run
 * side by side on the pool. A backend supplies its fragments as a `PushdownDialect`.
 */
import type { Knex } from 'knex';
import { causeChain } from '../../core/errors.ts';
import type { Column, Dataset } from '../../core/inventory.ts';
import type { NullLikeCounts, NumericSummary, ProfileValue } from '../../core/profile.ts';
import { canonicalKey } from '../../profilers/canonical-key.ts';
import { emptyNullLikeCounts, NULL_LIKE_WORDS } from '../../profilers/null-like.ts';
import type {
  ColumnAggregates,
  ColumnObservation,
  DatasetObservation,
  DuplicateCount,
  FrequencyKey,
  OrphanObservation,
  ProfileOptions,
  UnreadableParts,
} from '../../profilers/observation.ts';
import type { Value } from '../types.ts';
import { normaliseRows, rawSql } from './row-counts.ts';

/** Distinct values listed per column by default (`ProfileOptions.distinctLimit`). */
export const DEFAULT_DISTINCT_LIMIT = 100_000;
/** Rows drawn for the value-level metrics of columns above the distinct limit. */
export const VALUE_SAMPLE_SIZE = 20_000;
/** Two-column key candidates tested per table, at most (10 columns). */
export const MAX_KEY_PAIRS = 45;
/** Examples kept per duplicated key or orphaned foreign key. */
export const MAX_EXAMPLES = 5;
/** The seed of repeatable samples, so that every statement of a pass sees the same rows. */
export const SAMPLE_SEED = 20240521;
/** Quantiles computed in the database for numeric columns above the distinct limit. */
export const QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95] as const;

/** Code points that count as edge whitespace (as `isEdgeSpace` in column-profile.ts). */
export const EDGE_SPACES = [32, 9, 10, 13, 160, 0x202f] as const;

/** The null-like kinds in the order of the class numbers 1–6 computed in SQL. */
const NULL_LIKE_KINDS: readonly (keyof NullLikeCounts)[] = [
  'empty',
  'blank',
  ...NULL_LIKE_WORDS.map(([kind]) => kind),
];

/** How far under the distinct limit the planner's estimate must be for a column to skip COUNT(DISTINCT). */
const PREDICTION_MARGIN = 2;
/** Columns counted value by value in one statement (a grouping set, or a UNION ALL branch, each). */
export const FREQUENCY_COLUMNS = 24;
/** Values one counting statement returns at most (PostgreSQL allows 1,664 in a row, SQLite 2,000). */
const SELECT_ITEMS = 1000;
/** Columns summarised by one aggregates statement (each takes up to 17 values of its row). */
const AGGREGATE_COLUMNS = 40;

/** Code points of the longest null-like word. */
const LONGEST_NULL_LIKE_WORD = Math.max(
  ...NULL_LIKE_WORDS.flatMap(([, words]) => words.map((w) => [...w].length)),
);

/** Where the rows of a (possibly sampled) table come from: a FROM item aliased `t` and an optional filter. */
export interface SampledSource {
  readonly from: string;
  readonly where?: string;
  readonly method: string;
}

/** The SQL fragments of one backend; expressions receive already-quoted column references. */
export interface PushdownDialect {
  /** `grouping-sets`: one scan for every frequency table; `union`: one `GROUP BY` per column, UNION ALL. */
  readonly frequencies: 'grouping-sets' | 'union';
  /**
   * Appended to a derived table so the planner computes its expressions once instead of merging it into the
   * outer query (PostgreSQL and SQLite: an OFFSET; MySQL/MariaDB: a LIMIT). SQL Server has none: not measured.
   */
  readonly fence?: string;
  /**
   * The expression compared, grouped and ordered with binary semantics (case-, accent- and space-exact). A
   * backend whose comparisons pad with spaces (SQL Server) appends a sentinel that `driverValue` strips.
   */
  key(expr: string, column: Column): string;
  /**
   * The expression the whole-row duplicate check groups a column by, where its key cannot be grouped or would
   * be compared on a prefix (PostgreSQL `json`, MySQL blobs); default the key itself.
   */
  rowKey?(expr: string, column: Column): string;
  /** The expression that carries a key through UNION ALL (SQL Server: text); default the key itself. */
  transport?(expr: string, column: Column): string;
  /**
   * The expression a frequency table or a min/max returns for a key (default the key itself); SQL Server returns
   * exact numerics as text, which its driver would round to a JavaScript number.
   */
  keyResult?(expr: string, column: Column): string;
  /** A typed NULL for UNION ALL positions (default `NULL`). */
  nullOf?(column: Column): string;
  /**
   * Runs one statement and returns its rows, where knex's own `raw` would lose something (SQLite: integers
   * past 2^53, which better-sqlite3 returns exactly only when asked); default `db.raw`.
   */
  query?(db: Knex, sql: string): Promise<Record<string, unknown>[]>;
  /** Normalises what the driver returned for a key before the SQL dialect's `toValue` (bytes to text…). */
  driverValue?(raw: unknown, column: Column): unknown;
  /** The expression the value sample reads for a column (default the column itself; SQL Server: its key). */
  sampleValue?(expr: string, column: Column): string;
  /**
   * A count: `argument` is `*`, `DISTINCT <key>`, or a value whose non-null rows are counted (then `column` is
   * its column). Default `COUNT(argument)`; SQL Server counts in bigint, past 2,147,483,647 rows.
   */
  count?(argument: string, column?: Column): string;
  /** The rows where `condition` holds (default `SUM(CASE WHEN condition THEN 1 ELSE 0 END)`). */
  countWhere?(condition: string): string;
  /** The number of a numeric, date (days since 1970-01-01) or timestamp (days) expression. */
  number(expr: string, column: Column): string | undefined;
  /**
   * The number of `number` in a wider type, for a statement whose float aggregates overflowed (PostgreSQL's
   * stddev_pop of values near 1.8e308 fails with 22003): undefined where the backend has none.
   */
  wideNumber?(expr: string, column: Column): string | undefined;
  /** Population standard deviation of a numeric expression. */
  stddevPop(expr: string): string;
  /** Mean of a numeric expression, in floating point where the backend's own average rounds. */
  mean(expr: string): string;
  /** Length in code points (text) or bytes (binary). */
  length(expr: string, column: Column): string;
  /** Code point of the first and of the last character (for edge whitespace) of a value of `column`. */
  firstCodePoint(expr: string, column?: Column): string;
  lastCodePoint(expr: string, column?: Column): string;
  /** The value with edge whitespace trimmed and lower-cased, comparable to the literals of `literal`. */
  trimmedLower(expr: string, column?: Column): string;
  /** A text literal of a constant stocktake controls (never data). */
  literal(text: string): string;
  /** COUNT(DISTINCT …) of a tuple of key expressions (of `columns`), over the rows where `allNotNull` holds. */
  countDistinctTuple(keys: readonly string[], columns: readonly Column[], allNotNull: string): string;
  /**
   * A condition true for a zero date (a zero month or day, `0000-00-00`: see `isZeroDate`) of a date or timestamp
   * column, where the backend can hold one (MySQL/MariaDB; SQLite's text); such a value counts as null-like.
   */
  zeroDate?(expr: string, column: Column): string | undefined;
  /**
   * The table, optionally sampled; every statement of a pass sees the same sample. A backend whose usual sample
   * does not apply to every relation (TABLESAMPLE on a view, a rowid on a WITHOUT ROWID table) asks `db` first.
   */
  source(
    table: string,
    fraction: number | undefined,
    dataset: Dataset,
    quote: (id: string) => string,
    db: Knex,
  ): SampledSource | Promise<SampledSource>;
  /**
   * A FROM item reading about `fraction` of the pages of `table` (PostgreSQL `TABLESAMPLE SYSTEM`), for the value
   * sample; undefined where the relation has no pages of its own (a view, a foreign table).
   */
  pageSample?(db: Knex, table: string, fraction: number): Promise<string | undefined>;
  /** An aggregate of the `QUANTILES` of a numeric expression, as an array, used inside the aggregate statement. */
  quantileAggregate?(expr: string): string;
  /** Row order for the value sample (a random order). */
  readonly randomOrder: string;
  /** Adds a row limit to a SELECT. */
  limit(sql: string, n: number): string;
  /** A statement of the `QUANTILES` of numeric expressions (aliases q{i}_{k}), where the backend has them. */
  quantiles?(numbers: readonly string[], source: SampledSource): string;
  /**
   * The exact 64-bit integer of an integer or date expression (days), or undefined: two such columns pack into
   * one integer, so a two-column key is checked by one integer COUNT(DISTINCT) instead of grouping pairs.
   */
  packable?(expr: string, column: Column): string | undefined;
  /**
   * A statement of the planner's distinct-value estimates of a table's columns (rows `name`, `n`: a count, or
   * minus a fraction of the rows), bound to `[schema, table]`; where the backend keeps them.
   */
  distinctEstimates?(schema: string | undefined): string;
  /** Prepares the connection (SQLite registers a stddev aggregate and a row hash). */
  prepare?(db: Knex): Promise<void>;
  /** Gives back what `prepare` holds for `db` (SQLite: its query thread) when the connector closes. */
  release?(db: Knex): Promise<void>;
  /** True when `error` is the server refusing a privilege (PostgreSQL 42501): column grants are then worth reading. */
  privilegeDenied?(error: unknown): boolean;
  /**
   * A statement listing the columns the session may not read (rows `schema`, `table`, `name`) of `count` relations,
   * bound to `[schema, table]` pairs; where the backend grants SELECT column by column.
   */
  unreadableColumns?(count: number): string;
}

/** What the engine needs from the SQL connector. */
export interface PushdownTarget {
  readonly db: Knex;
  readonly dataset: Dataset;
  /** Finds a dataset of the same source by full name (for foreign keys). */
  readonly resolve: (name: string) => Dataset | undefined;
  readonly quote: (identifier: string) => string;
  readonly toValue: (raw: unknown, column: Column) => Value;
  readonly dialect: PushdownDialect;
}

/**
 * Measures a dataset inside the database. Where column privileges hide part of it (or of a table its foreign keys
 * reference), the readable columns are profiled and the observation lists what was left out.
 */
export async function pushdownProfile(
  target: PushdownTarget,
  options: ProfileOptions = {},
): Promise<DatasetObservation> {
  try {
    return await (await PushdownPlan.open(target, options)).run();
  } catch (error) {
    // Column privileges are read only once a statement is refused: a table read in full costs no statement more.
    if (!target.dialect.privilegeDenied?.(error)) throw error;
    const readable = await readablePart(target);
    if (readable === undefined) throw error;
    const plan = await PushdownPlan.open({ ...target, dataset: readable.dataset }, options);
    const observation = await plan.run();
    return { ...observation, unreadable: readable.unreadable };
  }
}

/**
 * The part of the dataset the session may read, and what is left out: columns without SELECT, the keys over them,
 * the foreign keys over them or referencing a column without SELECT. Undefined when nothing is hidden (the
 * refusal has another cause) or everything is.
 */
async function readablePart(
  target: PushdownTarget,
): Promise<{ dataset: Dataset; unreadable: UnreadableParts } | undefined> {
  const { dataset, dialect } = target;
  if (!dialect.unreadableColumns) return undefined;
  const parents = new Map<string, Dataset>();
  for (const fk of dataset.foreignKeys) {
    const parent = target.resolve(fk.references.dataset);
    if (parent && parent.name !== dataset.name) parents.set(parent.name, parent);
  }
  const relations = [dataset, ...parents.values()];
  const where = (d: Dataset) => `${d.schema ?? ''}\0${d.table ?? d.name}`;
  const rows = normaliseRows(
    await target.db.raw(
      dialect.unreadableColumns(relations.length),
      relations.flatMap((d) => [d.schema ?? '', d.table ?? d.name]),
    ),
  );
  const hidden = new Set(rows.map((r) => `${r.schema}\0${r.table}\0${r.name}`));
  const hides = (d: Dataset, names: readonly string[]) => names.some((n) => hidden.has(`${where(d)}\0${n}`));
  const columns = dataset.columns.filter((c) => hides(dataset, [c.name]));
  const keys = declaredKeys(dataset).filter((key) => hides(dataset, key));
  const foreignKeys = dataset.foreignKeys.filter((fk) => {
    const parent = target.resolve(fk.references.dataset);
    return hides(dataset, fk.columns) || (parent !== undefined && hides(parent, fk.references.columns));
  });
  if ((columns.length === 0 && foreignKeys.length === 0) || columns.length === dataset.columns.length) {
    return undefined;
  }
  const kept = (names: readonly string[]) => !hides(dataset, names);
  const { primaryKey, uniqueKeys } = dataset;
  return {
    dataset: {
      ...dataset,
      columns: dataset.columns.filter((c) => !columns.includes(c)),
      primaryKey: primaryKey && kept(primaryKey.columns) ? primaryKey : null,
      ...(uniqueKeys ? { uniqueKeys: uniqueKeys.filter((k) => kept(k.columns)) } : {}),
      foreignKeys: dataset.foreignKeys.filter((fk) => !foreignKeys.includes(fk)),
    },
    unreadable: {
      columns: columns.map((c) => c.name),
      keys,
      foreignKeys: foreignKeys.map((fk) => ({
        columns: fk.columns,
        references: { dataset: fk.references.dataset, columns: fk.references.columns },
      })),
    },
  };
}

/** A table reference (`"schema"."table"`) quoted with the dialect's quoting. */
export function tableReference(dataset: Dataset, quote: (id: string) => string): string {
  const table = dataset.table ?? dataset.name;
  return dataset.schema === undefined ? quote(table) : `${quote(dataset.schema)}.${quote(table)}`;
}

const TEXTUAL = new Set(['string', 'json']);
const DATED = new Set(['date', 'timestamp']);
const NUMERIC = new Set(['integer', 'decimal', 'float', 'date', 'timestamp']);
const ORDERED = new Set(['string', 'integer', 'decimal', 'float', 'date', 'time', 'timestamp']);

/** One profiling pass over one table. */
class PushdownPlan {
  readonly #t: PushdownTarget;
  readonly #d: PushdownDialect;
  readonly #options: ProfileOptions;
  readonly #columns: readonly Column[];
  readonly #source: SampledSource;
  readonly #fraction: number | undefined;
  #rowsHint = 0;

  /** A pass over the table, its sample settled first (a backend may ask the database how to draw it). */
  static async open(target: PushdownTarget, options: ProfileOptions): Promise<PushdownPlan> {
    const fraction = options.sample;
    const sampled = fraction !== undefined && fraction > 0 && fraction < 1 ? fraction : undefined;
    const reference = tableReference(target.dataset, target.quote);
    const source = await target.dialect.source(reference, sampled, target.dataset, target.quote, target.db);
    return new PushdownPlan(target, options, sampled, source);
  }

  private constructor(
    target: PushdownTarget,
    options: ProfileOptions,
    fraction: number | undefined,
    source: SampledSource,
  ) {
    this.#t = target;
    this.#d = target.dialect;
    this.#options = options;
    this.#columns = target.dataset.columns;
    this.#fraction = fraction;
    this.#source = source;
  }

  async run(): Promise<DatasetObservation> {
    await this.#d.prepare?.(this.#t.db);
    const keys = declaredKeys(this.#t.dataset);
    const foreignKeys = this.#t.dataset.foreignKeys.filter(
      (fk) => this.#t.resolve(fk.references.dataset) !== undefined,
    );
    const limit = this.#options.distinctLimit ?? DEFAULT_DISTINCT_LIMIT;
    const predicted = await this.#predictListed(keys, limit);
    const early = [...predicted].sort((a, b) => a - b);
    // Statements that do not need each other's results run side by side, each on its own connection (PostgreSQL
    // computes an aggregate query on one core): predicted columns are listed whatever the counts say.
    const [counts, frequencies] = await Promise.all([
      this.#counts(keys, foreignKeys, predicted),
      this.#frequencies(early),
    ]);
    this.#rowsHint = counts.rows;
    this.#options.onProgress?.(counts.rows);
    const listed: number[] = [];
    const summarised: number[] = [];
    for (const [i, column] of this.#columns.entries()) {
      // A predicted column is counted by its frequency table; one the estimate got wrong is summarised after
      // all, exactly as if it had been counted.
      if (predicted.has(i)) counts.distinct[i] = frequencies.get(i)!.size;
      if (predicted.has(i) && (counts.distinct[i]! <= limit || column.type === 'boolean')) continue;
      frequencies.delete(i);
      if (column.type === 'binary') summarised.push(i);
      else if (counts.distinct[i]! <= limit || column.type === 'boolean') listed.push(i);
      else summarised.push(i);
    }
    const sampled = summarised.filter((i) => this.#columns[i]!.type !== 'binary');
    const candidates = this.#pairCandidates(counts);
    const pairColumns = [...new Set(candidates.flat())];
    const [others, { sample, pairs, aggregates, pairDistinct }] = await Promise.all([
      this.#frequencies(listed),
      (async () => {
        const sample = await this.#valueSample(
          sampled,
          candidates.length > 0 && counts.rows > VALUE_SAMPLE_SIZE ? pairColumns : [],
        );
        const pairs = candidates.filter(([x, y]) => !repeatsIn(sample.rows, `v${x}`, `v${y}`));
        // Pairs of integers and dates ride along with the aggregates' scan; the others get a statement of their own.
        const packed = pairs.filter((pair) => this.#packing(pair, counts) !== undefined);
        return { sample, pairs, ...(await this.#aggregates(summarised, counts, packed)) };
      })(),
    ]);
    for (const [i, table] of others) frequencies.set(i, table);
    const samples = sample.frequencies;

    const columns: ColumnObservation[] = this.#columns.map((column, i) => {
      const base = {
        name: column.name,
        type: column.type,
        count: counts.rows,
        nulls: counts.rows - counts.nonNull[i]!,
      };
      const listedValues = frequencies.get(i);
      if (listedValues) return { ...base, frequencies: listedValues, complete: true };
      return {
        ...base,
        frequencies: samples.get(i) ?? new Map(),
        complete: false,
        aggregates: aggregates.get(i)!,
      };
    });

    const keyDuplicates = await this.#keyDuplicates(keys, counts);
    const candidateKeys = await this.#candidateKeys(counts, pairs, pairDistinct);
    const provenUnique =
      candidateKeys.length > 0 ||
      keyDuplicates.some((k, i) => k.duplicates === 0 && counts.keyRows[i] === counts.rows);
    const duplicateRows = provenUnique || counts.rows < 2 ? 0 : await this.#duplicateRows();
    const orphans = await this.#orphans(foreignKeys, counts);
    return {
      dataset: this.#t.dataset.name,
      rowCount: counts.rows,
      columns,
      duplicateRows,
      keyDuplicates,
      candidateKeys,
      orphans,
      method: 'pushdown',
      ...(this.#fraction !== undefined
        ? { sample: { fraction: this.#fraction, method: this.#source.method } }
        : {}),
    };
  }

  // 0. Columns that will be listed whatever their exact distinct count: booleans, and those the planner's
  // statistics put far below the limit. Their frequency table counts their distinct values, so the counts skip
  // the sort of COUNT(DISTINCT); columns of declared keys are always counted.
  async #predictListed(keys: readonly (readonly string[])[], limit: number): Promise<Set<number>> {
    const keyColumns = new Set(keys.flat());
    const predicted = new Set<number>();
    // Without estimates there is nothing to run beside the counts: the booleans are counted with the rest.
    if (!this.#d.distinctEstimates) return predicted;
    this.#columns.forEach((column, i) => {
      if (column.type === 'boolean' && !keyColumns.has(column.name)) predicted.add(i);
    });
    const rows = this.#t.dataset.rowCount;
    if (rows === null || rows === undefined) return predicted;
    const { schema, table, name } = this.#t.dataset;
    const estimates = await this.#query(this.#d.distinctEstimates(schema), [
      ...(schema === undefined ? [] : [schema]),
      table ?? name,
    ]);
    for (const estimate of estimates) {
      const i = this.#columns.findIndex((c) => c.name === estimate.name);
      const n = num(estimate.n);
      const distinct = n < 0 ? -n * rows : n;
      // Well under the limit: a wrong estimate costs a large frequency table, never a wrong profile.
      const far = n !== 0 && distinct * PREDICTION_MARGIN <= limit;
      if (i >= 0 && far && this.#columns[i]!.type !== 'binary' && !keyColumns.has(estimate.name as string)) {
        predicted.add(i);
      }
    }
    return predicted;
  }

  // 1. Rows, non-null and distinct counts per column; tuple counts of declared keys and foreign keys.
  async #counts(
    keys: readonly (readonly string[])[],
    foreignKeys: Dataset['foreignKeys'],
    predicted: ReadonlySet<number>,
  ): Promise<Counts> {
    const select = [`${this.#count('*')} AS n`];
    const perColumn = this.#columns.map((column, i) => {
      const ref = this.#ref(column);
      const items = [`${this.#count(ref, column)} AS c${i}`];
      if (!predicted.has(i)) items.push(`${this.#count(`DISTINCT ${this.#d.key(ref, column)}`)} AS d${i}`);
      const packable = this.#d.packable?.(ref, column);
      if (packable) items.push(`MIN(${packable}) AS pn${i}`, `MAX(${packable}) AS px${i}`);
      return items;
    });
    keys.forEach((key, k) => {
      // A one-column key is measured by its column's own counts.
      if (key.length === 1) return;
      const columns = key.map((name) => this.#column(name));
      const notNull = allNotNull(columns.map((c) => this.#ref(c)));
      select.push(`${this.#countWhere(notNull)} AS kr${k}`);
      select.push(
        `${this.#d.countDistinctTuple(
          columns.map((c) => this.#d.key(this.#ref(c), c)),
          columns,
          notNull,
        )} AS kd${k}`,
      );
    });
    foreignKeys.forEach((fk, k) => {
      const notNull = allNotNull(fk.columns.map((name) => this.#ref(this.#column(name))));
      select.push(`${this.#countWhere(notNull)} AS fk${k}`);
    });
    // A wide table's counts take several statements: PostgreSQL returns at most 1,664 values a row, SQLite
    // 2,000, SQL Server and MySQL 4,096. The first statement also counts the keys.
    const [count, ...keyCounts] = select;
    const statements: string[][] = [[count!]];
    for (const items of perColumn) {
      const room = SELECT_ITEMS - (statements.length === 1 ? keyCounts.length : 0);
      if (statements.at(-1)!.length + items.length > room) statements.push([]);
      statements.at(-1)!.push(...items);
    }
    statements[0]!.push(...keyCounts);
    const row: Record<string, unknown> = {};
    for (const items of statements)
      Object.assign(row, (await this.#query(`SELECT ${items.join(', ')} ${this.#fromWhere()}`))[0] ?? {});
    return {
      rows: num(row.n),
      nonNull: this.#columns.map((_, i) => num(row[`c${i}`])),
      distinct: this.#columns.map((_, i) => num(row[`d${i}`])),
      keyRows: keys.map((key, k) => num(row[key.length === 1 ? `c${this.#position(key[0]!)}` : `kr${k}`])),
      keyDistinct: keys.map((key, k) =>
        num(row[key.length === 1 ? `d${this.#position(key[0]!)}` : `kd${k}`]),
      ),
      fkChecked: foreignKeys.map((_, k) => num(row[`fk${k}`])),
      packedRange: this.#columns.map((_, i) =>
        row[`pn${i}`] === undefined || row[`pn${i}`] === null
          ? undefined
          : ([BigInt(String(row[`pn${i}`])), BigInt(String(row[`px${i}`]))] as const),
      ),
    };
  }

  // 2. Value → count of every listed column: one statement per FREQUENCY_COLUMNS columns, as each result
  // row is as wide as its statement's columns (a 600-column table in one statement would return over a
  // million rows of 600 values, nearly all NULL, and the server would plan 600 grouping sets at once).
  async #frequencies(listed: readonly number[]): Promise<Map<number, Map<FrequencyKey, number>>> {
    const tables = new Map<number, Map<FrequencyKey, number>>(listed.map((i) => [i, new Map()]));
    for (let start = 0; start < listed.length; start += FREQUENCY_COLUMNS)
      await this.#frequencyChunk(listed.slice(start, start + FREQUENCY_COLUMNS), tables);
    return tables;
  }

  async #frequencyChunk(
    listed: readonly number[],
    tables: Map<number, Map<FrequencyKey, number>>,
  ): Promise<void> {
    const keyOf = (i: number) => this.#d.key(this.#ref(this.#columns[i]!), this.#columns[i]!);
    let sql: string;
    if (this.#d.frequencies === 'grouping-sets') {
      const which = listed.map((i, k) => `WHEN GROUPING(${keyOf(i)}) = 0 THEN ${k}`).join(' ');
      const values = listed
        .map((i, k) => `${this.#keyResult(keyOf(i), this.#columns[i]!)} AS v${k}`)
        .join(', ');
      const sets = listed.map((i) => `(${keyOf(i)})`).join(', ');
      sql = `SELECT CASE ${which} END AS i, ${values}, ${this.#count('*')} AS n ${this.#fromWhere()} GROUP BY GROUPING SETS (${sets})`;
    } else {
      sql = listed
        .map((i, k) => {
          const values = listed.map((j, m) => {
            const column = this.#columns[j]!;
            return m === k
              ? `${this.#transport(this.#keyResult(keyOf(j), column), column)} AS v${m}`
              : `${this.#nullOf(column)} AS v${m}`;
          });
          const where = this.#where(`${this.#ref(this.#columns[i]!)} IS NOT NULL`);
          return `SELECT ${k} AS i, ${values.join(', ')}, ${this.#count('*')} AS n FROM ${this.#source.from} ${where} GROUP BY ${keyOf(i)}`;
        })
        .join(' UNION ALL ');
    }
    for (const row of await this.#query(sql)) {
      const k = num(row.i);
      const i = listed[k]!;
      const key = this.#canonical(row[`v${k}`], this.#columns[i]!);
      if (key === null) continue;
      const table = tables.get(i)!;
      table.set(key, (table.get(key) ?? 0) + num(row.n));
    }
  }

  // 3. Exact aggregates of the columns not listed, and distinct packed pairs: one scan (SQL Server: quantiles
  // in a second, as a window).
  async #aggregates(
    summarised: readonly number[],
    counts: Counts,
    packed: readonly [number, number][],
  ): Promise<{
    aggregates: Map<number, ColumnAggregates>;
    pairDistinct: Map<readonly [number, number], number>;
  }> {
    const result = new Map<number, ColumnAggregates>();
    const pairDistinct = new Map<readonly [number, number], number>();
    if (summarised.length === 0 && packed.length === 0) return { aggregates: result, pairDistinct };
    // A wide table is summarised AGGREGATE_COLUMNS columns a statement, the packed pairs with the first.
    if (summarised.length > AGGREGATE_COLUMNS) {
      for (let start = 0; start < summarised.length; start += AGGREGATE_COLUMNS) {
        const part = await this.#aggregates(
          summarised.slice(start, start + AGGREGATE_COLUMNS),
          counts,
          start === 0 ? packed : [],
        );
        for (const [i, aggregate] of part.aggregates) result.set(i, aggregate);
        for (const [pair, n] of part.pairDistinct) pairDistinct.set(pair, n);
      }
      return { aggregates: result, pairDistinct };
    }
    const inner: string[] = [];
    const outer: string[] = [];
    // The moments of float columns in a wider type, for a second attempt when the first overflows.
    const widened = new Map<string, string>();
    const quantileSelect: string[] = [];
    for (const i of new Set(packed.flat())) {
      const column = this.#columns[i]!;
      inner.push(`${this.#d.packable!(this.#ref(column), column)} AS p${i}`);
    }
    packed.forEach((pair, p) => {
      const { xMin, yMin, yRange } = this.#packing(pair, counts)!;
      outer.push(
        `${this.#count(`DISTINCT (d.p${pair[0]} - (${xMin})) * ${yRange} + (d.p${pair[1]} - (${yMin}))`)} AS pp${p}`,
      );
    });
    for (const i of summarised) {
      const column = this.#columns[i]!;
      const ref = this.#ref(column);
      inner.push(`${ref} AS x${i}`);
      // Zero dates are counted apart, tested once a row, and read as NULL by the bounds and numbers.
      const zeroDate = this.#d.zeroDate?.(ref, column);
      if (zeroDate) {
        inner.push(`CASE WHEN ${zeroDate} THEN 1 ELSE 0 END AS zd${i}`);
        outer.push(`${this.#countWhere(`d.zd${i} = 1`)} AS zd${i}`);
      }
      const real = (expr: string) =>
        zeroDate ? `(CASE WHEN d.zd${i} = 1 THEN NULL ELSE ${expr} END)` : expr;
      const x = real(`d.x${i}`);
      if (ORDERED.has(column.type)) {
        inner.push(`${this.#d.key(ref, column)} AS k${i}`);
        outer.push(
          `${this.#keyResult(`MIN(${real(`d.k${i}`)})`, column)} AS mn${i}`,
          `${this.#keyResult(`MAX(${real(`d.k${i}`)})`, column)} AS mx${i}`,
        );
      }
      const number = NUMERIC.has(column.type) ? this.#d.number(x, column) : undefined;
      if (number) {
        const moments = [`${this.#d.mean(number)} AS av${i}`, `${this.#d.stddevPop(number)} AS sd${i}`];
        outer.push(...moments);
        const wide = this.#d.wideNumber?.(number, column);
        if (wide) {
          widened.set(moments[0]!, `${this.#d.mean(wide)} AS av${i}`);
          widened.set(moments[1]!, `${this.#d.stddevPop(wide)} AS sd${i}`);
        }
      }
      if (number && this.#d.quantileAggregate) {
        const sorted = this.#d.quantileAggregate(this.#d.number(this.#dateValue(column), column)!);
        quantileSelect.push(`${sorted} AS qa${i}`);
      }
      if (TEXTUAL.has(column.type) || column.type === 'binary') {
        const length = this.#d.length(x, column);
        outer.push(
          `MIN(${length}) AS ln${i}`,
          `MAX(${length}) AS lx${i}`,
          `${this.#d.mean(length)} AS la${i}`,
        );
      }
      if (column.type === 'string') {
        const spaces = EDGE_SPACES.join(', ');
        outer.push(
          `${this.#countWhere(`${this.#d.firstCodePoint(x, column)} IN (${spaces})`)} AS wl${i}`,
          `${this.#countWhere(`${this.#d.lastCodePoint(x, column)} IN (${spaces})`)} AS wt${i}`,
          `${this.#countWhere(`${this.#d.firstCodePoint(x, column)} IN (${spaces}) AND ${this.#d.lastCodePoint(x, column)} IN (${spaces})`)} AS wb${i}`,
        );
        inner.push(`${this.#nullLikeClass(ref, column)} AS z${i}`);
        for (let k = 0; k < NULL_LIKE_KINDS.length; k++) {
          outer.push(`${this.#countWhere(`d.z${i} = ${k + 1}`)} AS z${i}_${k}`);
        }
      }
    }
    const derived = `SELECT ${inner.join(', ')} ${this.#fromWhere()}${this.#d.fence ?? ''}`;
    // The sorts of the quantiles run beside the one-pass aggregates, on another connection.
    const none: Record<string, unknown> = {};
    const [row, quantileRow] = await Promise.all([
      this.#query(`SELECT ${outer.join(', ')} FROM (${derived}) d`)
        .catch((error: unknown) => {
          if (widened.size === 0 || !isNumericOverflow(error)) throw error;
          const wide = outer.map((item) => widened.get(item) ?? item);
          return this.#query(`SELECT ${wide.join(', ')} FROM (${derived}) d`);
        })
        .then((rows) => rows[0] ?? none),
      quantileSelect.length > 0
        ? this.#query(`SELECT ${quantileSelect.join(', ')} ${this.#fromWhere()}`).then(
            (rows) => rows[0] ?? none,
          )
        : none,
    ]);
    for (const [p, pair] of packed.entries()) pairDistinct.set(pair, num(row[`pp${p}`]));
    const quantiles = this.#d.quantileAggregate
      ? new Map(
          summarised.flatMap((i) =>
            Array.isArray(quantileRow[`qa${i}`]) ? [[i, (quantileRow[`qa${i}`] as unknown[]).map(num)]] : [],
          ),
        )
      : await this.#quantiles(summarised, counts);
    for (const i of summarised) {
      const column = this.#columns[i]!;
      const average = row[`av${i}`];
      const length = row[`ln${i}`];
      const aggregate: ColumnAggregates = {
        distinct: counts.distinct[i]!,
        distinctExact: true,
        min: ORDERED.has(column.type) ? this.#canonical(row[`mn${i}`], column) : null,
        max: ORDERED.has(column.type) ? this.#canonical(row[`mx${i}`], column) : null,
        ...(length !== undefined && length !== null
          ? { length: { min: num(length), max: num(row[`lx${i}`]), mean: num(row[`la${i}`]) } }
          : {}),
        ...(average !== undefined && average !== null
          ? { numeric: { mean: num(average), stddev: num(row[`sd${i}`]), ...quantileOf(quantiles.get(i)) } }
          : {}),
        ...(column.type === 'string'
          ? {
              whitespace: {
                leading: num(row[`wl${i}`]),
                trailing: num(row[`wt${i}`]),
                both: num(row[`wb${i}`]),
              },
              nullLike: Object.fromEntries(
                NULL_LIKE_KINDS.map((kind, k) => [kind, num(row[`z${i}_${k}`])]),
              ) as unknown as NullLikeCounts,
            }
          : {}),
        ...(DATED.has(column.type)
          ? { nullLike: { ...emptyNullLikeCounts(), zeroDate: num(row[`zd${i}`]) } }
          : {}),
      };
      result.set(i, aggregate);
    }
    return { aggregates: result, pairDistinct };
  }

  async #quantiles(summarised: readonly number[], counts: Counts): Promise<Map<number, number[]>> {
    const result = new Map<number, number[]>();
    const numeric = summarised.filter((i) => {
      const column = this.#columns[i]!;
      return NUMERIC.has(column.type) && counts.nonNull[i]! > 0 && this.#d.number('x', column) !== undefined;
    });
    if (numeric.length === 0 || !this.#d.quantiles) return result;
    const sql = this.#d.quantiles(
      numeric.map((i) => this.#d.number(this.#dateValue(this.#columns[i]!), this.#columns[i]!)!),
      this.#source,
    );
    const row = (await this.#query(sql))[0] ?? {};
    numeric.forEach((i, n) => {
      // An array per column (PostgreSQL) or one alias per quantile.
      const array = row[`q${n}`];
      result.set(i, Array.isArray(array) ? array.map(num) : QUANTILES.map((_, k) => num(row[`q${n}_${k}`])));
    });
    return result;
  }

  // 4. A random sample of rows: values of the summarised columns, and rows that can refute two-column keys.
  async #valueSample(columns: readonly number[], pairColumns: readonly number[]): Promise<ValueSample> {
    const frequencies = new Map<number, Map<FrequencyKey, number>>(columns.map((i) => [i, new Map()]));
    const wanted = [...new Set([...columns, ...pairColumns])];
    const rows: Record<string, unknown>[] = [];
    if (wanted.length === 0) return { frequencies, rows };
    const select = wanted.map((i) => `${this.#sampleValue(this.#columns[i]!)} AS v${i}`).join(', ');
    // Without a user sample, a page sample (where the backend has one) avoids sorting the whole table.
    const pages =
      this.#fraction === undefined && this.#rowsHint > 4 * VALUE_SAMPLE_SIZE && this.#d.pageSample
        ? await this.#d.pageSample(
            this.#t.db,
            tableReference(this.#t.dataset, this.#t.quote),
            (4 * VALUE_SAMPLE_SIZE) / this.#rowsHint,
          )
        : undefined;
    const from = pages ? `FROM ${pages}` : this.#fromWhere();
    const sql = this.#d.limit(`SELECT ${select} ${from} ORDER BY ${this.#d.randomOrder}`, VALUE_SAMPLE_SIZE);
    for (const row of await this.#query(sql)) {
      if (pairColumns.length > 0) rows.push(row);
      for (const i of columns) {
        const key = this.#canonical(row[`v${i}`], this.#columns[i]!);
        if (key === null) continue;
        const table = frequencies.get(i)!;
        table.set(key, (table.get(key) ?? 0) + 1);
      }
    }
    return { frequencies, rows };
  }

  /** Pairs of never-null, non-unique columns whose distinct values could cover every row (at most 45). */
  #pairCandidates(counts: Counts): [number, number][] {
    const { rows } = counts;
    const eligible = this.#columns
      .map((_, i) => i)
      .filter((i) => this.#keyable(i, counts) && counts.distinct[i]! < rows);
    const pairs: [number, number][] = [];
    for (let a = 0; a < eligible.length; a++) {
      for (let b = a + 1; b < eligible.length; b++) {
        const [x, y] = [eligible[a]!, eligible[b]!];
        if (counts.distinct[x]! * counts.distinct[y]! >= rows && pairs.length < MAX_KEY_PAIRS)
          pairs.push([x, y]);
      }
    }
    return pairs;
  }

  /** How a pair of packable columns packs into one integer, when the product of their ranges fits in 62 bits. */
  #packing([x, y]: readonly [number, number], counts: Counts): Packing | undefined {
    const [rx, ry] = [counts.packedRange[x], counts.packedRange[y]];
    if (!rx || !ry) return undefined;
    const yRange = ry[1] - ry[0] + 1n;
    return (rx[1] - rx[0] + 1n) * yRange < 2n ** 62n ? { xMin: rx[0], yMin: ry[0], yRange } : undefined;
  }

  #keyable(i: number, counts: Counts): boolean {
    return (
      counts.rows > 0 &&
      !['binary', 'json'].includes(this.#columns[i]!.type) &&
      counts.nonNull[i] === counts.rows
    );
  }

  // 5. One-column keys from the counts; two-column keys (the pairs no sampled row refutes) from the packed
  // counts of the aggregates' scan, the others in one statement.
  async #candidateKeys(
    counts: Counts,
    candidates: readonly [number, number][],
    packedDistinct: ReadonlyMap<readonly [number, number], number>,
  ): Promise<(readonly string[])[]> {
    const { rows } = counts;
    const singles = this.#columns.flatMap((c, i) =>
      this.#keyable(i, counts) && counts.distinct[i] === rows ? [[c.name]] : [],
    );
    const pairs = candidates.filter((pair) => !packedDistinct.has(pair));
    const keyOf = (i: number) => this.#d.key(this.#ref(this.#columns[i]!), this.#columns[i]!);
    const distinct = new Map<number, number>();
    if (pairs.length > 0 && this.#d.frequencies === 'grouping-sets') {
      // Hashed groups in one scan: far cheaper than sorting row values for COUNT(DISTINCT (a, b)).
      const which = pairs
        .map(([x, y], p) => `WHEN GROUPING(${keyOf(x)}) = 0 AND GROUPING(${keyOf(y)}) = 0 THEN ${p}`)
        .join(' ');
      const sets = pairs.map(([x, y]) => `(${keyOf(x)}, ${keyOf(y)})`).join(', ');
      const grouped = `SELECT CASE ${which} END AS i ${this.#fromWhere()} GROUP BY GROUPING SETS (${sets})`;
      for (const row of await this.#query(
        `SELECT g.i, ${this.#count('*')} AS n FROM (${grouped}) g GROUP BY g.i`,
      )) {
        distinct.set(num(row.i), num(row.n));
      }
    } else if (pairs.length > 0) {
      const select = pairs.map(([x, y], p) => {
        const columns = [this.#columns[x]!, this.#columns[y]!];
        return `${this.#d.countDistinctTuple([keyOf(x), keyOf(y)], columns, '1 = 1')} AS p${p}`;
      });
      const row = (await this.#query(`SELECT ${select.join(', ')} ${this.#fromWhere()}`))[0] ?? {};
      for (let p = 0; p < pairs.length; p++) distinct.set(p, num(row[`p${p}`]));
    }
    const doubles = candidates.flatMap((pair) => {
      const found = packedDistinct.get(pair) ?? distinct.get(pairs.indexOf(pair));
      return found === rows ? [[this.#columns[pair[0]]!.name, this.#columns[pair[1]]!.name]] : [];
    });
    return [...singles, ...doubles];
  }

  // 6. Copies of whole rows beyond the first, every column compared (bytes and JSON documents too).
  async #duplicateRows(): Promise<number> {
    if (this.#columns.length === 0) return 0;
    const keys = this.#columns.map((c) => (this.#d.rowKey ?? this.#d.key)(this.#ref(c), c)).join(', ');
    const count = this.#count('*');
    const sql = `SELECT SUM(g.n - 1) AS n FROM (SELECT ${count} AS n ${this.#fromWhere()} GROUP BY ${keys} HAVING ${count} > 1) g`;
    return num((await this.#query(sql))[0]?.n);
  }

  // 7. Duplicates of declared keys from the counts; examples fetched only for keys that have some.
  async #keyDuplicates(keys: readonly (readonly string[])[], counts: Counts): Promise<DuplicateCount[]> {
    const duplicated = keys.flatMap((_, k) => (counts.keyRows[k]! > counts.keyDistinct[k]! ? [k] : []));
    const examples = new Map<number, ProfileValue[][]>();
    if (duplicated.length > 0) {
      const branches = duplicated.map((k) => {
        const columns = keys[k]!.map((name) => this.#column(name));
        const refs = columns.map((c) => this.#ref(c));
        const count = this.#count('*');
        const grouped = `SELECT ${columns.map((c, j) => `${this.#d.key(refs[j]!, c)} AS g${j}`).join(', ')}, ${count} AS n ${this.#fromWhere(allNotNull(refs))} GROUP BY ${columns.map((c, j) => this.#d.key(refs[j]!, c)).join(', ')} HAVING ${count} > 1`;
        return this.#examplesBranch(k, columns, grouped);
      });
      for (const row of await this.#query(branches.join(' UNION ALL '))) {
        const k = num(row.i);
        const columns = keys[k]!.map((name) => this.#column(name));
        const list = examples.get(k) ?? [];
        list.push(this.#exampleOf(row, columns));
        examples.set(k, list);
      }
    }
    return keys.map((key, k) => ({
      columns: key,
      duplicates: counts.keyRows[k]! - counts.keyDistinct[k]!,
      examples: examples.get(k) ?? [],
    }));
  }

  // 8. Rows whose foreign key has no null part and no match in the referenced table (anti-join).
  async #orphans(foreignKeys: Dataset['foreignKeys'], counts: Counts): Promise<OrphanObservation[]> {
    if (foreignKeys.length === 0) return [];
    const branches = foreignKeys.map((fk, k) => {
      const parent = this.#t.resolve(fk.references.dataset)!;
      const columns = fk.columns.map((name) => this.#column(name));
      const refs = columns.map((c) => this.#ref(c));
      const match = fk.references.columns
        .map((name, j) => `r.${this.#t.quote(name)} = ${refs[j]}`)
        .join(' AND ');
      const missing = `NOT EXISTS (SELECT 1 FROM ${tableReference(parent, this.#t.quote)} r WHERE ${match})`;
      const keys = columns.map((c, j) => this.#d.key(refs[j]!, c));
      const grouped = `SELECT ${keys.map((key, j) => `${key} AS g${j}`).join(', ')}, ${this.#count('*')} AS n ${this.#fromWhere(`${allNotNull(refs)} AND ${missing}`)} GROUP BY ${keys.join(', ')}`;
      return this.#examplesBranch(k, columns, grouped);
    });
    const found = new Map<number, { orphans: number; examples: ProfileValue[][] }>();
    for (const row of await this.#query(branches.join(' UNION ALL '))) {
      const k = num(row.i);
      const columns = foreignKeys[k]!.columns.map((name) => this.#column(name));
      const entry = found.get(k) ?? { orphans: num(row.total), examples: [] };
      entry.examples.push(this.#exampleOf(row, columns));
      found.set(k, entry);
    }
    return foreignKeys.map((fk, k) => ({
      columns: fk.columns,
      references: { dataset: fk.references.dataset, columns: fk.references.columns },
      orphans: found.get(k)?.orphans ?? 0,
      checked: counts.fkChecked[k]!,
      examples: found.get(k)?.examples ?? [],
    }));
  }

  /** A UNION ALL branch: the first `MAX_EXAMPLES` groups (binary order) of `grouped`, with the total of copies. */
  #examplesBranch(k: number, columns: readonly Column[], grouped: string): string {
    const order = columns.map((_, j) => `g.g${j}`).join(', ');
    const values = this.#columns.map((column) => {
      const j = columns.indexOf(column);
      return j < 0
        ? `${this.#nullOf(column)} AS e${column.position}`
        : `${this.#transport(`x.g${j}`, column)} AS e${column.position}`;
    });
    const ranked = `SELECT ${columns.map((_, j) => `g.g${j}`).join(', ')}, g.n, SUM(g.n) OVER () AS total, SUM(g.n - 1) OVER () AS extra, ROW_NUMBER() OVER (ORDER BY ${order}) AS r FROM (${grouped}) g`;
    return `SELECT ${k} AS i, ${values.join(', ')}, x.total, x.extra FROM (${ranked}) x WHERE x.r <= ${MAX_EXAMPLES}`;
  }

  #exampleOf(row: Record<string, unknown>, columns: readonly Column[]): ProfileValue[] {
    return columns.map((c) => this.#canonical(row[`e${c.position}`], c) ?? '');
  }

  #nullLikeClass(ref: string, column: Column): string {
    // Servers fold case but do not compose accents: a decomposed `néant` is listed beside the composed one.
    const whens = NULL_LIKE_WORDS.flatMap(([, words], k) =>
      [...new Set(words.flatMap((word) => [word, word.normalize('NFD')]))].map(
        (word) => `WHEN ${this.#d.literal(word)} THEN ${k + 3}`,
      ),
    );
    const length = this.#d.length(ref, column);
    // A value longer than every word and without edge whitespace is no word: it skips trimming and lowering.
    const spaces = EDGE_SPACES.join(', ');
    const long = `${length} > ${LONGEST_NULL_LIKE_WORD} AND ${this.#d.firstCodePoint(ref, column)} NOT IN (${spaces}) AND ${this.#d.lastCodePoint(ref, column)} NOT IN (${spaces})`;
    return `CASE WHEN ${length} = 0 THEN 1 WHEN ${long} THEN 0 ELSE CASE ${this.#d.trimmedLower(ref, column)} WHEN ${this.#d.literal('')} THEN 2 ${whens.join(' ')} ELSE 0 END END`;
  }

  #canonical(raw: unknown, column: Column): FrequencyKey | null {
    if (raw === null || raw === undefined) return null;
    const value = this.#t.toValue(this.#d.driverValue ? this.#d.driverValue(raw, column) : raw, column);
    return canonicalKey(value, column.type);
  }

  #ref(column: Column): string {
    return `t.${this.#t.quote(column.name)}`;
  }

  /** A column's value for bounds and numbers: its zero dates read as NULL (they are counted apart). */
  #dateValue(column: Column): string {
    const ref = this.#ref(column);
    const zeroDate = this.#d.zeroDate?.(ref, column);
    return zeroDate ? `CASE WHEN ${zeroDate} THEN NULL ELSE ${ref} END` : ref;
  }

  #position(name: string): number {
    return this.#columns.indexOf(this.#column(name));
  }

  #column(name: string): Column {
    const column = this.#columns.find((c) => c.name === name);
    if (!column) throw new Error(`dataset ${this.#t.dataset.name} has no column ${name}`);
    return column;
  }

  #count(argument: string, column?: Column): string {
    return this.#d.count ? this.#d.count(argument, column) : `COUNT(${argument})`;
  }

  #countWhere(condition: string): string {
    return this.#d.countWhere
      ? this.#d.countWhere(condition)
      : `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
  }

  #sampleValue(column: Column): string {
    const ref = this.#ref(column);
    return this.#d.sampleValue ? this.#d.sampleValue(ref, column) : ref;
  }

  #keyResult(expr: string, column: Column): string {
    return this.#d.keyResult ? this.#d.keyResult(expr, column) : expr;
  }

  #transport(expr: string, column: Column): string {
    return this.#d.transport ? this.#d.transport(expr, column) : expr;
  }

  #nullOf(column: Column): string {
    return this.#d.nullOf ? this.#d.nullOf(column) : 'NULL';
  }

  #where(condition?: string): string {
    const parts = [this.#source.where, condition].filter((p): p is string => p !== undefined);
    return parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`;
  }

  #fromWhere(condition?: string): string {
    return `FROM ${this.#source.from} ${this.#where(condition)}`.trimEnd();
  }

  async #query(sql: string, bindings?: readonly string[]): Promise<Record<string, unknown>[]> {
    this.#options.signal?.throwIfAborted();
    const db = this.#t.db;
    if (bindings) return normaliseRows(await db.raw(sql, bindings));
    if (this.#d.query) return this.#d.query(db, sql);
    return normaliseRows(await db.raw(rawSql(db, sql)));
  }
}

/** The declared primary key and unique constraints (each column list once). */
function declaredKeys(dataset: Dataset): (readonly string[])[] {
  const keys: (readonly string[])[] = [];
  for (const key of [dataset.primaryKey, ...(dataset.uniqueKeys ?? [])]) {
    if (key && key.columns.length > 0 && !keys.some((k) => k.join('\0') === key.columns.join('\0'))) {
      keys.push(key.columns);
    }
  }
  return keys;
}

/** True when two sampled rows share the same pair of values: the pair is then no key. */
function repeatsIn(rows: readonly Record<string, unknown>[], a: string, b: string): boolean {
  const seen = new Set<string>();
  for (const row of rows) {
    const key = JSON.stringify([textOfRaw(row[a]), textOfRaw(row[b])]);
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

// Raw driver values as comparable text; bytes by their hex (binary-exact, as the keys compare them).
function textOfRaw(value: unknown): string {
  if (Buffer.isBuffer(value)) return `x${value.toString('hex')}`;
  if (value instanceof Date) return `d${value.toISOString()}`;
  return `${typeof value}:${String(value)}`;
}

function allNotNull(refs: readonly string[]): string {
  return refs.map((ref) => `${ref} IS NOT NULL`).join(' AND ');
}

function quantileOf(values: number[] | undefined): { quantiles?: NumericSummary['quantiles'] } {
  if (!values) return {};
  const [p5, p25, p50, p75, p95] = values as [number, number, number, number, number];
  return { quantiles: { p5, p25, p50, p75, p95 } };
}

/** `10:00:00.500000` → `10:00:00.5`; `10:00:00.000` → `10:00:00`. */
function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : Number(value);
}

/** `(x - xMin) * yRange + (y - yMin)`: distinct for distinct pairs, and within a 64-bit integer. */
interface Packing {
  readonly xMin: bigint;
  readonly yMin: bigint;
  readonly yRange: bigint;
}

interface ValueSample {
  readonly frequencies: Map<number, Map<FrequencyKey, number>>;
  readonly rows: readonly Record<string, unknown>[];
}

interface Counts {
  readonly rows: number;
  readonly nonNull: readonly number[];
  /** Filled after the frequencies for predicted columns. */
  readonly distinct: number[];
  readonly keyRows: readonly number[];
  readonly keyDistinct: readonly number[];
  readonly fkChecked: readonly number[];
  /** Smallest and largest packable integer of each column (`PushdownDialect.packable`). */
  readonly packedRange: readonly (readonly [bigint, bigint] | undefined)[];
}

/** A statement that failed as a float aggregate overflowed (PostgreSQL 22003), however the error is wrapped. */
function isNumericOverflow(error: unknown): boolean {
  for (const e of causeChain(error)) if (e.code === '22003') return true;
  return false;
}
