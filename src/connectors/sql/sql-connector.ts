/**
 * The connector every SQL backend shares: a knex pool (read-only sessions for audits), query
 * counting, batched streaming reads, and error translation. The backend-specific parts come from
 * its `SqlDialect`. knex is loaded on first use: a backend whose catalog has its own pool (PostgreSQL)
 * inventories without it.
 */
import type { Knex } from 'knex';
import { StocktakeError } from '../../core/errors.ts';
import type { Column, Dataset, SourceInventory } from '../../core/inventory.ts';
import type { DatasetObservation, ProfileOptions } from '../../profilers/observation.ts';
import {
  type Connector,
  type ConnectorContext,
  type DatasetRef,
  DEFAULT_BATCH_SIZE,
  type InventoryOptions,
  type ReadOptions,
  type ReadShape,
  type Row,
} from '../types.ts';
import type { Writer, WriteTarget } from '../writer-types.ts';
import { createDatasetFilter } from './dataset-filter.ts';
import type { CatalogSession, SqlDialect, SqlEntryConfig } from './sql-dialect.ts';
import { describeDriverError } from './sql-errors.ts';
import { pushdownProfile } from './sql-pushdown.ts';
import { createSqlWriter } from './sql-writer.ts';

const DEFAULT_EXACT_BELOW = 1_000_000;

// knex logs pool errors (with driver stack traces) to the console; stocktake reports them itself, redacted.
const ignore = () => undefined;
const QUIET_LOG = { warn: ignore, error: ignore, deprecate: ignore, debug: ignore };

/** A connector over one SQL database. */
export class SqlConnector implements Connector {
  readonly kind: string;
  readonly name: string;
  #db: Knex | undefined;
  #catalogSession: Promise<CatalogSession> | undefined;
  /** Catalog reads running on `#catalogSession`: the last to end closes it. */
  #catalogReads = 0;
  #datasets: Map<string, Dataset> | undefined;
  /** The inventory `#dataset` waits for: reads started side by side share one. */
  #inventoried: Promise<SourceInventory> | undefined;
  #queries = 0;
  readonly #dialect: SqlDialect;
  readonly #config: SqlEntryConfig;
  readonly #context: ConnectorContext;

  constructor(dialect: SqlDialect, config: SqlEntryConfig, context: ConnectorContext) {
    this.kind = config.kind;
    this.name = context.name;
    this.#dialect = dialect;
    this.#config = config;
    this.#context = context;
  }

  /** The knex instance, for writers and push-down profilers of the same backend. */
  async db(): Promise<Knex> {
    if (!this.#db) {
      const { default: knexFactory } = await import('knex');
      const config = await this.#dialect.knexConfig(this.#config, this.#context.mode, this.name);
      // Another caller may have made it while this one waited.
      if (this.#db) return this.#db;
      const db = knexFactory({
        ...config,
        log: QUIET_LOG,
      });
      db.on('query', (query: { sql: string }) => this.#sent(query.sql));
      this.#db = db;
    }
    return this.#db;
  }

  /** Whether this connector is a target, and the file of an SQLite database, for error messages. */
  #where(): { role: 'source' | 'target'; file?: string } {
    const path = (this.#config as { path?: unknown }).path;
    return {
      role: this.#context.role ?? (this.#context.mode === 'write' ? 'target' : 'source'),
      ...(typeof path === 'string' ? { file: path } : {}),
    };
  }

  #sent(sql: string): void {
    this.#queries++;
    this.#context.onQuery?.(sql);
  }

  /** The dialect's own catalog pool (`SqlDialect.openCatalog`), opened on first use. */
  #catalog(): Promise<CatalogSession> {
    const open = this.#dialect.openCatalog!;
    this.#catalogSession ??= open(this.#config, this.#context.mode, this.name, (sql) => this.#sent(sql));
    return this.#catalogSession;
  }

  async #closeCatalog(): Promise<void> {
    const session = this.#catalogSession;
    this.#catalogSession = undefined;
    await (await session?.catch(() => undefined))?.close();
  }

  /** Statements sent so far. */
  get queryCount(): number {
    return this.#queries;
  }

  async connect(): Promise<void> {
    try {
      if (this.#dialect.openCatalog) await (await this.#catalog()).ping();
      else await (await this.db()).raw('SELECT 1');
    } catch (error) {
      throw describeDriverError(error, this.name, this.#dialect.product, this.#where());
    }
  }

  async inventory(options: InventoryOptions = {}): Promise<SourceInventory> {
    const config = this.#config as Partial<Extract<SqlEntryConfig, { kind: 'postgres' }>>;
    const filter = createDatasetFilter({
      schemas: config.schemas,
      include: config.include,
      exclude: config.exclude,
    });
    const before = this.#queries;
    options.onStep?.(`${this.name}: reading the ${this.#dialect.product} catalog`);
    let inventory: SourceInventory;
    const scope = {
      filter,
      exactBelow: config.rowCounts?.exactBelow ?? DEFAULT_EXACT_BELOW,
      countViews: config.rowCounts?.views ?? false,
      exactSizes: 'sizes' in config && config.sizes === 'exact',
    };
    try {
      if (this.#dialect.openCatalog) {
        // The catalog's pool is closed once read (by the last of reads side by side): reads and writes go
        // through knex's.
        this.#catalogReads++;
        try {
          inventory = await (await this.#catalog()).catalog(scope);
        } finally {
          if (--this.#catalogReads === 0) await this.#closeCatalog();
        }
      } else {
        inventory = await this.#dialect.catalog(await this.db(), scope);
      }
    } catch (error) {
      throw describeDriverError(error, this.name, this.#dialect.product, this.#where());
    }
    this.#datasets = new Map(inventory.datasets.map((d) => [d.name, d]));
    if (inventory.datasets.length === 0 && (config.include?.length || config.schemas?.length)) {
      throw new StocktakeError(
        'FILTER_MATCHED_NOTHING',
        `source ${this.name}: no table matches the filter (${filter.describe()})`,
        {
          hint: 'check `schemas`, `include` and `exclude` (globs such as sales_* or public.*)',
          context: { source: this.name },
        },
      );
    }
    return { ...inventory, catalogQueries: this.#queries - before };
  }

  async shape(ref: DatasetRef, options: Pick<ReadOptions, 'columns'> = {}): Promise<ReadShape> {
    const columns = await this.#columnsOf(ref, options.columns);
    return { columns: columns.map((c) => ({ name: c.name, type: c.type })) };
  }

  async *read(ref: DatasetRef, options: ReadOptions = {}): AsyncIterable<Row[]> {
    const db = await this.db();
    const dataset = await this.#dataset(ref);
    const columns = await this.#columnsOf(ref, options.columns);
    const q = (id: string) => this.#dialect.quoteIdentifier(id);
    const from =
      dataset.schema === undefined
        ? q(dataset.table ?? dataset.name)
        : `${q(dataset.schema)}.${q(dataset.table!)}`;
    // Each column comes back under a positional alias: a name such as `__proto__` is refused by mysql2
    // (a fatal error), and the rows are read by position anyway.
    const select = this.#dialect.selectColumn;
    const selected = (c: Column) => (select ? select(q(c.name), c) : q(c.name));
    let sql = `SELECT ${columns.map((c, i) => `${selected(c)} AS c${i}`).join(', ')} FROM ${from}`;
    if (options.where) sql += ` WHERE ${options.where}`;
    if (options.limit !== undefined) sql = this.#limit(sql, options.limit);
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    const batches = this.#dialect.streamRowArrays(db, sql);
    const toValue = this.#dialect.toValue;
    const width = columns.length;
    let batch: Row[] = [];
    try {
      for await (const records of batches) {
        if (options.signal?.aborted) break;
        for (const record of records) {
          for (let i = 0; i < width; i++) record[i] = toValue(record[i], columns[i]!);
          batch.push(record as Row);
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
    } catch (error) {
      throw describeDriverError(error, this.name, this.#dialect.product, this.#where());
    }
    if (batch.length > 0) yield batch;
  }

  async pushdownProfile(ref: DatasetRef, options: ProfileOptions = {}): Promise<DatasetObservation> {
    const pushdown = this.#dialect.pushdown;
    if (!pushdown) throw new StocktakeError('INTERNAL', `${this.#dialect.product} has no push-down profiler`);
    const db = await this.db();
    const dataset = await this.#dataset(ref);
    const datasets = this.#datasets!;
    try {
      return await pushdownProfile(
        {
          db,
          dataset,
          resolve: (name) => datasets.get(name),
          quote: (id) => this.#dialect.quoteIdentifier(id),
          toValue: (raw, column) => this.#dialect.toValue(raw, column),
          dialect: pushdown,
        },
        options,
      );
    } catch (error) {
      throw describeDriverError(error, this.name, this.#dialect.product, this.#where());
    }
  }

  /** A writer loading one table of this database (open the connector in `write` mode). */
  async writer(target: WriteTarget): Promise<Writer> {
    const dataset = await this.#dataset({ name: target.dataset });
    return createSqlWriter(this.#dialect.kind, await this.db(), target, {
      columns: dataset.columns,
      ...(dataset.schema !== undefined ? { schema: dataset.schema } : {}),
      table: dataset.table ?? dataset.name,
      name: this.name,
    });
  }

  async close(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    if (db) await this.#dialect.pushdown?.release?.(db);
    await Promise.all([this.#closeCatalog(), db?.destroy()]);
  }

  #limit(sql: string, limit: number): string {
    const n = Math.max(0, Math.floor(limit));
    return this.#dialect.kind === 'mssql'
      ? sql.replace(/^SELECT /, `SELECT TOP (${n}) `)
      : `${sql} LIMIT ${n}`;
  }

  async #dataset(ref: DatasetRef): Promise<Dataset> {
    if (!this.#datasets) {
      this.#inventoried ??= this.inventory().finally(() => {
        this.#inventoried = undefined;
      });
      await this.#inventoried;
    }
    const datasets = this.#datasets!;
    const exact = datasets.get(ref.name);
    if (exact) return exact;
    // The schema may be left out when the table name is unambiguous.
    const matches = [...datasets.values()].filter((d) => d.table === ref.name);
    if (matches.length === 1) return matches[0]!;
    throw new StocktakeError(
      'DATASET_NOT_FOUND',
      matches.length > 1
        ? `source ${this.name}: "${ref.name}" is ambiguous (${matches.map((m) => m.name).join(', ')}); name the schema`
        : `source ${this.name}: no dataset "${ref.name}"`,
      { context: { source: this.name, dataset: ref.name } },
    );
  }

  async #columnsOf(ref: DatasetRef, wanted: readonly string[] | undefined): Promise<readonly Column[]> {
    const dataset = await this.#dataset(ref);
    if (!wanted) return dataset.columns;
    return wanted.map((name) => {
      const column = dataset.columns.find((c) => c.name === name);
      if (!column) {
        throw new StocktakeError(
          'DATASET_NOT_FOUND',
          `source ${this.name}: dataset ${dataset.name} has no column "${name}"`,
          {
            context: { source: this.name, dataset: dataset.name, column: name },
          },
        );
      }
      return column;
    });
  }
}
