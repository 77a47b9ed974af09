/**
 * The connector contract: what every source (database, spreadsheet, file) offers to the stages.
 * A connector converts its native types to the logical types at the edge; nothing past this
 * interface knows which driver produced a value.
 */
import type { Dataset, Finding, LogicalType, SourceFinding, SourceInventory } from '../core/inventory.ts';
import type { DatasetObservation, ProfileOptions } from '../profilers/observation.ts';
import type { JsonText } from './json-text.ts';
import type { Writer, WriteTarget } from './writer-types.ts';

/** A value as it crosses the contract: decimals as strings, dates as `YYYY-MM-DD`, timestamps as ISO strings. */
export type Value =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | null
  | Record<string, unknown>
  | unknown[]
  /** A JSON document as its source wrote it, mapped into a JSON column. */
  | JsonText;

/** One row, in the order of the dataset's columns. */
export type Row = Value[];

/**
 * Why a connector could read a row only in part: a CSV record with more fields than its header, a
 * spreadsheet cell holding an error. Set (under `ROW_PROBLEM`) on that row alone; a migration rejects
 * the row with it rather than write what is left, an audit lists the same rows as a finding.
 */
export interface RowProblem {
  /** What the row loses (the extra fields, the cell's error), as text. */
  readonly value: string;
  /** The same in parts (a CSV record's extra fields) and their separator, for each to be masked on its own. */
  readonly parts?: { readonly values: readonly string[]; readonly separator: string };
  /** Follows the value: `are 2 fields past the header's 3 on line 7`. */
  readonly reason: string;
}

/** The key of a row's `RowProblem`. */
export const ROW_PROBLEM: unique symbol = Symbol('stocktake.rowProblem');

/** The problem a connector marked a row with, if any. */
export function rowProblem(row: Row): RowProblem | undefined {
  return (row as { [ROW_PROBLEM]?: RowProblem })[ROW_PROBLEM];
}

/** Marks a row as read only in part (not enumerable: the row still compares and copies as its values). */
export function markRowProblem(row: Row, problem: RowProblem): void {
  Object.defineProperty(row, ROW_PROBLEM, { value: problem, enumerable: false });
}

/** A dataset as a read names it: the full name from the inventory (`public.customers`, `clients`). */
export interface DatasetRef {
  readonly name: string;
}

/** Rows per batch when a read does not say. */
export const DEFAULT_BATCH_SIZE = 5000;

/** Options of `Connector.read`. */
export interface ReadOptions {
  /** Rows per batch (default 5000). */
  readonly batchSize?: number;
  /** Columns to read, in this order (default all, in dataset order). */
  readonly columns?: readonly string[];
  /** Read at most this many rows. */
  readonly limit?: number;
  /** An SQL filter for database sources (from a mapping's `from.where`). */
  readonly where?: string;
  /**
   * Positions in `columns` to yield as the source's own text where it holds text (a CSV file's fields and a
   * workbook's text cells, unconverted: `Oui`, `12,50`, `03/04/2024`), blank still null; `columns` may
   * name a column twice, to read it both ways. Database sources, whose values are typed, ignore it.
   */
  readonly asText?: readonly number[];
  readonly signal?: AbortSignal;
}

/** The columns a read yields, with their logical types, before the first batch. */
export interface ReadShape {
  readonly columns: readonly { readonly name: string; readonly type: LogicalType }[];
}

/** Options of `Connector.inventory`. */
export interface InventoryOptions {
  /** Report progress, one call per step. */
  readonly onStep?: (message: string) => void;
}

/** A source: inventory, streamed reads, and (for SQL) push-down profiling and writing. */
export interface Connector {
  /** The config kind: postgres, mysql, mssql, sqlite, csv, xlsx. */
  readonly kind: string;
  /** The source's name in the config. */
  readonly name: string;
  /** Checks that the source answers (connects, authenticates); throws SOURCE_* errors. */
  connect(): Promise<void>;
  /** Lists every dataset with its columns, keys and row counts. */
  inventory(options?: InventoryOptions): Promise<SourceInventory>;
  /** The columns and types `read` will yield for a dataset. */
  shape(dataset: DatasetRef, options?: Pick<ReadOptions, 'columns'>): Promise<ReadShape>;
  /** Streams a dataset in batches of rows; memory is bounded by the batch size. */
  read(dataset: DatasetRef, options?: ReadOptions): AsyncIterable<Row[]>;
  /** Measures a dataset inside the source with set-based SQL (database sources only). */
  pushdownProfile?(dataset: DatasetRef, options?: ProfileOptions): Promise<DatasetObservation>;
  /**
   * The observation a file connector took while scanning the dataset for the inventory (opened with
   * `observeFiles`), handed over once; undefined when it has none or the file changed since.
   */
  scannedProfile?(dataset: DatasetRef): Promise<DatasetObservation | undefined>;
  /** A writer loading one table of this database (migration targets; connectors opened in `write` mode). */
  writer?(target: WriteTarget): Promise<Writer>;
  /** Releases connections and file handles. Safe to call twice. */
  close(): Promise<void>;
}

/** How a connector is opened: for an audit (read-only, always) or as a migration target. */
export type OpenMode = 'audit' | 'write';

/** Everything a connector factory receives. */
export interface ConnectorContext {
  readonly name: string;
  readonly mode: OpenMode;
  /** What the config calls it, for messages: a target read-only (`plan`) is still a target (default: by `mode`). */
  readonly role?: 'source' | 'target';
  /** Called for every SQL statement sent (catalog query counting, statement logs in tests). */
  readonly onQuery?: (sql: string) => void;
  /** A profile follows the inventory: file connectors profile each file in the pass that scans it. */
  readonly observeFiles?: boolean;
}

/** Re-exported for connectors. */
export type { Dataset, Finding, SourceFinding, SourceInventory };
