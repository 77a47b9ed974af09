/**
 * The inventory document: what exists in every source, before anyone looks at the values.
 * The first fields of each shape are the contract in DESIGN.md; the rest are additions.
 */

/** The neutral types every connector converts its native types to, and every writer from. */
export const LOGICAL_TYPES = [
  'string',
  'integer',
  'decimal',
  'float',
  'boolean',
  'date',
  'time',
  'timestamp',
  'binary',
  'json',
] as const;

/** A neutral column type; `decimal` values travel as strings so that no precision is lost. */
export type LogicalType = (typeof LOGICAL_TYPES)[number];

/** The kinds of dataset an inventory lists (materialized views and partitions are flagged on the dataset). */
export type DatasetKind = 'table' | 'view' | 'sheet' | 'file';

/** The type of a column as a reader sees it: `email_address (citext)` for a domain, else its native type. */
export function nativeTypeLabel(column: Pick<Column, 'nativeType' | 'domain'>): string {
  return column.domain === undefined ? column.nativeType : `${column.domain} (${column.nativeType})`;
}

/** One column of a dataset as the source declares it. */
export interface Column {
  readonly name: string;
  readonly type: LogicalType;
  /**
   * The type as the source spells it, with length, precision and scale: `character varying(80)`; for a
   * column of a PostgreSQL domain, the domain's base type (through domains over domains).
   */
  readonly nativeType: string;
  /** The PostgreSQL domain the column is declared with (`nativeType` is the type under it). */
  readonly domain?: string;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  /** 1-based position in the dataset. */
  readonly position: number;
  readonly length?: number;
  readonly precision?: number;
  readonly scale?: number;
  /** The default as the source writes it (an SQL expression for databases). */
  readonly default?: string;
  /** Identity, serial, AUTO_INCREMENT or SQLite's rowid alias. */
  readonly autoIncrement?: boolean;
  /** Computed by the database from other columns. */
  readonly generated?: boolean;
  readonly comment?: string;
  /** The allowed values of an enum or set column. */
  readonly enumValues?: readonly string[];
  /** True for array columns (PostgreSQL) and MySQL SET columns. */
  readonly array?: boolean;
  readonly unsigned?: boolean;
  readonly collation?: string;
  /**
   * The character set of a text column where the source declares one per column (MySQL/MariaDB:
   * `utf8mb4`, `utf8mb3`, `latin1`…); it decides which characters the column can hold.
   */
  readonly charset?: string;
  /** For files and sheets: the type inferred from every value, and how well the values agree. */
  readonly inference?: ColumnInference;
}

/** What type inference saw in a file or sheet column (`dominant` may differ from `type` in a mixed column). */
export interface ColumnInference {
  /** The kind most values conform to: integer, decimal, boolean, date, timestamp, code (digits kept as text) or text. */
  readonly dominant: InferredKind;
  /** Share of non-empty values that conform to `dominant` (1 when the column is uniform). */
  readonly conformance: number;
  /** Values seen, empty ones included. */
  readonly count: number;
  /** Empty values (blank cells, empty fields). */
  readonly nulls: number;
  /** The decimal separator the numbers use, when the column is numeric. */
  readonly decimalSeparator?: ',' | '.';
  /** The date layouts seen, when the column holds dates: `iso`, `dmy`, `mdy`, `compact`, `native`. */
  readonly dateLayouts?: readonly string[];
  /** Values per layout, when the column's dates are written in more than one. */
  readonly dateLayoutCounts?: Readonly<Record<string, number>>;
}

/** The kinds type inference tells apart; `code` is digits with leading zeros (postal codes) and stays text. */
export type InferredKind =
  | 'empty'
  | 'boolean'
  | 'integer'
  | 'decimal'
  | 'date'
  | 'timestamp'
  | 'code'
  | 'text';

/** A named list of columns: a primary key, a unique constraint. */
export interface KeyConstraint {
  readonly name?: string;
  readonly columns: readonly string[];
}

/** A foreign key; `references.dataset` is the full dataset name, possibly in another schema. */
export interface ForeignKey {
  readonly name?: string;
  readonly columns: readonly string[];
  readonly references: { readonly dataset: string; readonly columns: readonly string[] };
  readonly onDelete?: string;
  readonly onUpdate?: string;
}

/** An index, including those that back a primary key or unique constraint. */
export interface Index {
  readonly name: string;
  /** Column names; an expression index lists its expressions as written by the source. */
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly primary?: boolean;
  /** Index method when the source has several: btree, hash, gin, CLUSTERED… */
  readonly method?: string;
  readonly partial?: boolean;
}

/** One table, view, sheet or file. */
export interface Dataset {
  /** `schema.table` for databases with schemas, the bare table name for SQLite. */
  readonly name: string;
  readonly kind: DatasetKind;
  /** Exact or estimated row count; null when not counted (views by default). */
  readonly rowCount: number | null;
  readonly rowCountExact: boolean;
  readonly columns: readonly Column[];
  readonly primaryKey: KeyConstraint | null;
  readonly foreignKeys: readonly ForeignKey[];
  readonly indexes: readonly Index[];
  readonly schema?: string;
  /** The name inside its schema. */
  readonly table?: string;
  readonly uniqueKeys?: readonly KeyConstraint[];
  readonly materialized?: boolean;
  /**
   * True for a partitioned parent table; its partitions name it in `partitionOf`. Its `rowCount` is its
   * partitions' rows (what a query of it reads): `rowTotal` counts them once.
   */
  readonly partitioned?: boolean;
  /**
   * False when the audit user cannot read the rows (no SELECT privilege, a schema without USAGE, a
   * materialized view never refreshed): the dataset is listed from the catalog, neither counted nor profiled.
   */
  readonly readable?: false;
  /** The partitioned table this dataset is a partition of: its rows are in that table's `rowCount` too. */
  readonly partitionOf?: string;
  /**
   * PostgreSQL table inheritance (outside partitioning): the table this one inherits from. A query of the
   * parent reads the child's rows too, so they are in the parent's `rowCount`, and `rowTotal` counts
   * them once; mapping both tables would copy those rows twice.
   */
  readonly inheritsFrom?: string;
  /** Bytes on disk, indexes included, where the source reports it. */
  readonly sizeBytes?: number;
  /** False when `sizeBytes` comes from catalog statistics rather than a measure of the files. */
  readonly sizeExact?: boolean;
  readonly comment?: string;
  /** The defining query of a view, where the source exposes it. */
  readonly definition?: string;
  /** For CSV files and workbook sheets: where the data lives and how it is written. */
  readonly file?: FileFacts;
}

/** The rows a list of datasets holds, each row once (`rowTotal`). */
export interface RowTotal {
  readonly rows: number;
  /** False when an estimate is in `rows`, or a table whose rows were not counted is left out of it. */
  readonly exact: boolean;
}

/**
 * The rows of `datasets` (one source's), each row once: a partition whose parent is listed with a row count
 * is in that count, and a view's rows are its tables' (a materialized view holds its own).
 */
export function rowTotal(datasets: readonly Dataset[]): RowTotal {
  const inTotal = countsInTotal(datasets);
  let rows = 0;
  let exact = true;
  for (const d of datasets) {
    if (!inTotal(d)) continue;
    if (d.rowCount === null || !d.rowCountExact) exact = false;
    rows += d.rowCount ?? 0;
  }
  return { rows, exact };
}

/**
 * Whether a dataset of `datasets` (one source's) counts in `rowTotal`: not a view, nor a partition already in the
 * count of a partitioned table above it. `rows` gives the count a total adds up (default the inventory's; a report
 * showing a profile's count passes that).
 */
export function countsInTotal(
  datasets: readonly Dataset[],
  rows: (dataset: Dataset) => number | null = (d) => d.rowCount,
): (dataset: Dataset) => boolean {
  const parents = new Map(datasets.map((d) => [d.name, d.partitionOf ?? d.inheritsFrom]));
  const counted = new Set(datasets.filter((d) => rows(d) !== null).map((d) => d.name));
  const inCountedParent = (d: Dataset) => {
    // Up the partition tree (bounded, should a catalog ever list a cycle): a counted ancestor holds these rows.
    let parent = d.partitionOf ?? d.inheritsFrom;
    for (let depth = 0; parent !== undefined && depth < datasets.length; depth++) {
      if (counted.has(parent)) return true;
      parent = parents.get(parent);
    }
    return false;
  };
  return (d) => !(d.kind === 'view' && !d.materialized) && !inCountedParent(d);
}

/** Facts about the file behind a CSV or sheet dataset, as found on disk and sniffed from its bytes. */
export interface FileFacts {
  /** Absolute path of the file (the workbook for a sheet). */
  readonly path: string;
  readonly sizeBytes: number;
  /** Last modification time, ISO 8601. */
  readonly modifiedAt: string;
  /** CSV: the encoding used to decode (`utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be`, `windows-1252`). */
  readonly encoding?: string;
  /** CSV: the field separator. */
  readonly delimiter?: string;
  /** CSV: the quote character. */
  readonly quote?: string;
  /** CSV: the line ending, `LF`, `CRLF` or `CR`. */
  readonly lineEnding?: 'LF' | 'CRLF' | 'CR';
  /** 1-based line (CSV) or row (sheet) of the header; null when the data has no header. */
  readonly headerRow: number | null;
  /** 1-based line or row of the first data row. */
  readonly dataRow: number;
  /** Which settings were sniffed rather than configured (`delimiter`, `encoding`, `header`…). */
  readonly sniffed?: readonly string[];
  /** Sheet: the sheet's name inside the workbook. */
  readonly sheet?: string;
  /** Sheet: `hidden` or `veryHidden` when the sheet is not visible in Excel. */
  readonly sheetState?: 'visible' | 'hidden' | 'veryHidden';
  /** Sheet: true when the workbook counts dates from 1904 (old Mac workbooks). */
  readonly date1904?: boolean;
  /** Workbook: the document properties. */
  readonly document?: DocumentProperties;
}

/** Facts read from a database server, not typed into the config. */
export interface ServerFacts {
  readonly product: string;
  readonly version: string;
  readonly database?: string;
  readonly sizeBytes?: number;
  readonly encoding?: string;
  readonly collation?: string;
  readonly timeZone?: string;
}

/** A problem found while scanning; the same shape as profile findings. */
export interface Finding {
  readonly code: string;
  readonly severity: 'info' | 'warning' | 'error';
  readonly source: string;
  readonly dataset?: string;
  readonly column?: string;
  readonly message: string;
  /** The message in French, for reports written in French (`--lang fr`); absent, they show `message`. */
  readonly messageFr?: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
}

/** A finding as a connector reports it; the inventory stage fills in the source name. */
export type SourceFinding = Omit<Finding, 'source'> & { readonly source?: string };

/** What a connector returns for its source. */
export interface SourceInventory {
  readonly datasets: readonly Dataset[];
  readonly server?: ServerFacts;
  readonly findings?: readonly SourceFinding[];
  /** Catalog queries issued to build this inventory (SQL sources). */
  readonly catalogQueries?: number;
}

/** One source in the inventory document, as scanned or as failed. */
export interface SourceEntry {
  readonly name: string;
  readonly kind: string;
  readonly system: string | null;
  readonly status: 'ok' | 'failed';
  readonly datasets: readonly Dataset[];
  readonly server?: ServerFacts;
  readonly error?: { readonly code: string; readonly message: string; readonly hint?: string };
  readonly findings: readonly Finding[];
  readonly durationMs: number;
  readonly catalogQueries?: number;
}

/** A person who answers for a system or its data. */
export interface Contact {
  readonly name: string;
  readonly email?: string;
  readonly phone?: string;
}

/** What was read, not typed, about one source of a system: its server, or its files. */
export interface SourceFacts {
  readonly source: string;
  readonly kind: string;
  readonly status: 'ok' | 'failed';
  readonly server?: ServerFacts;
  /** Files behind a CSV or workbook source, one entry per file. */
  readonly files?: readonly {
    readonly path: string;
    readonly sizeBytes: number;
    readonly modifiedAt: string;
    readonly document?: DocumentProperties;
  }[];
  readonly datasets: number;
  readonly rows: number;
}

/** A workbook's document properties (File → Info in Excel). */
export interface DocumentProperties {
  readonly title?: string;
  readonly author?: string;
  readonly lastModifiedBy?: string;
  readonly company?: string;
  readonly created?: string;
  readonly modified?: string;
  readonly application?: string;
}

/** A system from the config (the software behind the data), with the facts read from its sources. */
export interface SystemEntry {
  readonly name: string;
  readonly vendor?: string;
  readonly description?: string;
  readonly domain?: string;
  /** The version the config declares; the servers' versions are in `facts`. */
  readonly version?: string;
  readonly owner?: Contact;
  readonly steward?: Contact;
  readonly criticality?: 'low' | 'medium' | 'high' | 'critical';
  readonly fate?: 'migrate' | 'archive' | 'retire' | 'keep';
  readonly plannedDate?: string;
  readonly sources: readonly string[];
  readonly facts: readonly SourceFacts[];
}

/** The inventory document (`inventory.json`). */
export interface Inventory {
  readonly formatVersion: 1;
  readonly generatedAt: string;
  readonly systems: readonly SystemEntry[];
  readonly sources: readonly SourceEntry[];
  readonly tool: { readonly name: 'stocktake'; readonly version: string };
  /** Findings about the estate as a whole: sources without a system, systems without an owner… */
  readonly findings?: readonly Finding[];
}
