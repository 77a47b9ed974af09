/**
 * What a profiling pass measures, before metrics are derived: the meeting point of the two paths.
 * A database computes it with set-based SQL (push-down); a file is read once and fed to
 * accumulators (stream). `buildColumnProfile` (column-profile.ts) turns a `ColumnObservation` into
 * the `ColumnProfile` of profile.json, so both paths derive every metric with the same code.
 */
import type { LogicalType } from '../core/inventory.ts';
import type { NullLikeCounts, NumericSummary, ProfileValue } from '../core/profile.ts';

/**
 * A value as it enters a frequency table, canonical so that every backend agrees:
 * - integer and float: a JS number; decimal: the decimal text without trailing zeros (`1.5`, `-0.001`, `12`);
 * - boolean: true/false; date: `YYYY-MM-DD`; time: `HH:MM:SS[.fff]`;
 * - timestamp: `YYYY-MM-DDTHH:MM:SS[.fff]` with `Z` only for zone-aware columns, fractional zeros trimmed;
 * - string: the text exactly as stored (no trimming, no case folding); json: its JSON text;
 * - binary values are not listed (their lengths are measured by the aggregates).
 */
export type FrequencyKey = ProfileValue;

/** Aggregates measured over every row by a scan; required when the frequency table is incomplete. */
export interface ColumnAggregates {
  readonly distinct: number;
  readonly distinctExact: boolean;
  /** Relative standard error of `distinct` when it comes from a sketch. */
  readonly distinctError?: number;
  readonly min: ProfileValue | null;
  readonly max: ProfileValue | null;
  /** Code-point length of text values. */
  readonly length?: { readonly min: number; readonly max: number; readonly mean: number };
  /** Mean, population stddev, quantiles… of numbers (dates: days since 1970-01-01). */
  readonly numeric?: Partial<NumericSummary> & { readonly mean: number; readonly stddev: number };
  readonly whitespace?: { readonly leading: number; readonly trailing: number; readonly both: number };
  readonly nullLike?: NullLikeCounts;
}

/** Everything measured about one column. */
export interface ColumnObservation {
  readonly name: string;
  /** The declared logical type (files: the inferred type). */
  readonly type: LogicalType;
  /** Rows looked at. */
  readonly count: number;
  /** SQL NULL (files: empty fields). */
  readonly nulls: number;
  /** Distinct non-null values and their counts. */
  readonly frequencies: ReadonlyMap<FrequencyKey, number>;
  /**
   * True when `frequencies` lists every distinct non-null value of the rows looked at. When false,
   * it holds a sample of values (value-level metrics are then flagged `valuesSampled`) and
   * `aggregates` carries the exact figures.
   */
  readonly complete: boolean;
  readonly aggregates?: ColumnAggregates;
}

/** Duplicates found on a set of columns (a key, or the whole row). */
export interface DuplicateCount {
  readonly columns: readonly string[];
  /** Every copy beyond the first, summed over duplicated values. */
  readonly duplicates: number;
  /** Up to 5 duplicated key values. */
  readonly examples: readonly (readonly ProfileValue[])[];
}

/** Orphans of a declared foreign key, measured in the source (anti-join or key sets). */
export interface OrphanObservation {
  readonly columns: readonly string[];
  readonly references: { readonly dataset: string; readonly columns: readonly string[] };
  /** Rows whose key has no null part and no match. */
  readonly orphans: number;
  /** Rows whose key has no null part. */
  readonly checked: number;
  /** Up to 5 orphan key values. */
  readonly examples: readonly (readonly ProfileValue[])[];
}

/** Everything measured about one dataset. */
export interface DatasetObservation {
  readonly dataset: string;
  readonly rowCount: number;
  readonly columns: readonly ColumnObservation[];
  /** Copies of whole rows beyond the first. */
  readonly duplicateRows: number;
  /** Duplicates on the declared primary key and each unique constraint. */
  readonly keyDuplicates: readonly DuplicateCount[];
  /** One- and two-column keys that are unique and never null. */
  readonly candidateKeys: readonly (readonly string[])[];
  /** Orphans of the dataset's declared foreign keys (same source only). */
  readonly orphans: readonly OrphanObservation[];
  readonly method: 'pushdown' | 'stream';
  readonly sample?: { readonly fraction: number; readonly method: string };
  /** What column privileges kept the audit from reading; absent when everything was read. */
  readonly unreadable?: UnreadableParts;
}

/** The parts of a dataset column privileges hide (PostgreSQL column GRANTs): left out, the rest profiled. */
export interface UnreadableParts {
  /** Columns the audit user may not read: not profiled. */
  readonly columns: readonly string[];
  /** Declared keys (primary key, unique constraints) over such columns: their duplicates are not counted. */
  readonly keys: readonly (readonly string[])[];
  /** Foreign keys over such columns or referencing columns the audit user may not read: orphans not counted. */
  readonly foreignKeys: readonly {
    readonly columns: readonly string[];
    readonly references: { readonly dataset: string; readonly columns: readonly string[] };
  }[];
}

/** Options of a profiling pass. */
export interface ProfileOptions {
  /** Profile a share of the rows (0 < fraction ≤ 1); every output labels it. */
  readonly sample?: number;
  /** Distinct values listed per column before switching to aggregates and a value sample (default 100,000). */
  readonly distinctLimit?: number;
  /** Called with rows done so far, for progress bars. */
  readonly onProgress?: (rows: number) => void;
  readonly signal?: AbortSignal;
}
