/**
 * The profile document (`profile.json`): what the data is worth before it is migrated. The first
 * fields of each shape are the contract in DESIGN.md; the rest are additions.
 *
 * Every metric has one definition, written here, so that a table profiled inside PostgreSQL,
 * MariaDB, SQLite or SQL Server (push-down) and the same rows read from a CSV file (streaming)
 * yield the same numbers. Both paths end in the same place: aggregates computed by a scan, and a
 * value-frequency table (value → count) from which every value-level metric is derived by one shared
 * function (`buildColumnProfile` in src/profilers/column-profile.ts).
 */
import type { Finding, LogicalType } from './inventory.ts';

/** A value as a profile shows it: text, a number, or a boolean; dates and timestamps as ISO text. */
export type ProfileValue = string | number | boolean;

/** A value with its number of occurrences. */
export interface ValueCount {
  readonly value: ProfileValue;
  readonly count: number;
}

/**
 * Null-like values, counted apart from SQL NULL. A value is classified after trimming
 * whitespace, case-insensitively, in this order:
 * - `empty`: the empty string (databases only: a file's empty field reads as NULL);
 * - `blank`: whitespace only (spaces, tabs, NBSP);
 * - `na`: `N/A`, `NA`, `n.a.`, `#N/A`, `none`, `néant`, `nc`, `n/c`;
 * - `nullText`: `NULL`, `nil`, `(null)`;
 * - `dash`: `-`, `--`, `—`, `?`;
 * - `zeroDate`: `0000-00-00` and `0000-00-00 00:00:00`, `00/00/0000`.
 */
export interface NullLikeCounts {
  readonly empty: number;
  readonly blank: number;
  readonly na: number;
  readonly nullText: number;
  readonly dash: number;
  readonly zeroDate: number;
}

/** The recognised value formats; each has one recogniser in src/profilers/formats. */
export const VALUE_FORMATS = [
  'email',
  'phone_fr',
  'phone_e164',
  'postal_code_fr',
  'siren',
  'siret',
  'iban',
  'nir',
  'url',
  'uuid',
  'date_iso',
  'date_dmy',
  'date_dmy_dot',
  'date_compact',
  'datetime_iso',
] as const;

/** A recognised value format. */
export type ValueFormat = (typeof VALUE_FORMATS)[number];

/** The kinds of personal data a column can hold (GDPR register). */
export const PERSONAL_DATA_KINDS = [
  'email',
  'phone',
  'name',
  'address',
  'birth_date',
  'iban',
  'nir',
] as const;

/** A kind of personal data. */
export type PersonalDataKind = (typeof PERSONAL_DATA_KINDS)[number];

/** Numeric summary of a column (numbers, and dates as days since 1970-01-01). */
export interface NumericSummary {
  /** Arithmetic mean of the non-null values. */
  readonly mean: number;
  /** Population standard deviation (divides by n). */
  readonly stddev: number;
  /** Quantiles by linear interpolation between closest ranks (SQL `percentile_cont`). */
  readonly quantiles: {
    readonly p5: number;
    readonly p25: number;
    readonly p50: number;
    readonly p75: number;
    readonly p95: number;
  };
  /** Ten equal-width bins from min to max; the last bin includes max. */
  readonly histogram: readonly { readonly from: number; readonly to: number; readonly count: number }[];
  /** Values outside [p25 − 1.5·IQR, p75 + 1.5·IQR] (Tukey fences). */
  readonly outliers: {
    readonly count: number;
    readonly low: number;
    readonly high: number;
    readonly examples: readonly number[];
  };
}

/** The profile of one column. */
export interface ColumnProfile {
  readonly name: string;
  /** Rows looked at (the dataset's rows, or the sample's). */
  readonly count: number;
  /** SQL NULL (files: empty fields). */
  readonly nulls: number;
  /** Distinct non-null values, compared exactly (case-, accent- and space-sensitive, binary). */
  readonly distinct: number;
  /** False when `distinct` comes from a HyperLogLog sketch (above `distinctExactLimit`). */
  readonly distinctExact: boolean;
  /** Smallest and largest non-null value: numbers numerically, text by code point (binary collation). */
  readonly min: ProfileValue | null;
  readonly max: ProfileValue | null;
  /** The logical type the values fit best (text columns of a database are inferred too). */
  readonly inferredType: LogicalType;
  /** Share (0–1) of non-null, non-null-like values that conform to the declared type (files: the inferred type). */
  readonly conformance: number;
  /** Value shapes, most frequent first (top 10): letters → `A`/`a`, digits → `9`, runs collapsed: `Dupont SARL` → `Aa A`. */
  readonly patterns: readonly { readonly pattern: string; readonly count: number }[];
  /** Most frequent non-null values (top 10; ties by value, binary order). Masked for personal data. */
  readonly topValues: readonly ValueCount[];
  /** The declared logical type (inventory) the column was profiled as. */
  readonly type: LogicalType;
  readonly nullLike: NullLikeCounts;
  /** distinct / non-null count (1 = every value unique); null without values. */
  readonly uniqueness: number | null;
  /** The `distinct` sketch's relative standard error when not exact. */
  readonly distinctError?: number;
  /** Character length (code points) of text values. */
  readonly length?: { readonly min: number; readonly max: number; readonly mean: number };
  /** Present for numeric, date and timestamp columns with values. */
  readonly numeric?: NumericSummary;
  /** Text values by the case of their letters: all upper (`DUPONT`), all lower, or both (`Dupont`). */
  readonly letterCase?: { readonly upper: number; readonly lower: number; readonly mixed: number };
  /**
   * Text values that are numbers in scientific notation (`3,31E+13`, `1.5e-3`), and how many of them
   * stand for 1,000,000,000 or more: the way a spreadsheet writes a long number, keeping 6 digits of it.
   */
  readonly scientific?: { readonly values: number; readonly large: number };
  /** Values with leading or trailing whitespace. */
  readonly whitespace: {
    readonly leading: number;
    readonly trailing: number;
    /** Values with both (counted in `leading` and in `trailing`); absent in documents that predate it. */
    readonly both?: number;
  };
  /** Values recognised per format (counts over non-null values); only formats seen are listed. */
  readonly formats: readonly { readonly format: ValueFormat; readonly count: number }[];
  /** Groups of distinct values equal once case and accents are folded (`Société` / `SOCIETE`). */
  readonly variants: {
    readonly groups: number;
    readonly values: number;
    readonly examples: readonly (readonly string[])[];
  };
  /** Personal data this column holds, with the evidence for it. */
  readonly personal?: {
    readonly kind: PersonalDataKind;
    readonly reason: string;
    readonly reasonFr?: string;
  };
  /**
   * True when value-level metrics were computed on a sample of values, scaled to the column: patterns,
   * formats, variants, top values (those the sample repeats), histogram and outlier count, and quantiles
   * where the backend computes none.
   */
  readonly valuesSampled?: boolean;
}

/** A foreign key (declared or inferred) checked for orphans. */
export interface OrphanCheck {
  readonly columns: readonly string[];
  readonly references: {
    readonly source: string;
    readonly dataset: string;
    readonly columns: readonly string[];
  };
  readonly declared: boolean;
  /** Rows whose key is not null and has no match in the referenced dataset. */
  readonly orphans: number;
  /** Share of non-null keys found in the referenced dataset (inferred keys need ≥ 0.99). */
  readonly inclusion: number;
  readonly examples: readonly (readonly ProfileValue[])[];
}

/** The profile of one dataset. */
export interface DatasetProfile {
  readonly source: string;
  readonly dataset: string;
  readonly rowCount: number;
  /** Rows that appear more than once, counting every copy beyond the first. */
  readonly duplicateRows: number;
  /** One- and two-column keys whose values are unique and never null. */
  readonly candidateKeys: readonly (readonly string[])[];
  readonly columns: readonly ColumnProfile[];
  /** Present when profiled on a sample: `sample: 10%`. */
  readonly sample?: { readonly fraction: number; readonly method: string };
  /** Duplicates on the declared primary key and unique constraints. */
  readonly keyDuplicates: readonly {
    readonly columns: readonly string[];
    readonly duplicates: number;
    readonly examples: readonly (readonly ProfileValue[])[];
  }[];
  readonly orphans: readonly OrphanCheck[];
  /** Migration readiness, 0–100 (formula in the README). */
  readonly readiness: {
    readonly score: number;
    /** What costs points; `reasonFr` is the reason in French, for reports written in French. */
    readonly penalties: readonly {
      readonly reason: string;
      readonly reasonFr?: string;
      readonly points: number;
    }[];
  };
  /** `pushdown` (computed in the database) or `stream` (read and profiled here). */
  readonly method: 'pushdown' | 'stream';
  readonly durationMs: number;
}

/** The result of one configured rule. */
export interface RuleResult {
  readonly rule: string;
  readonly check: string;
  readonly dataset: string;
  readonly column?: string;
  readonly severity: Finding['severity'];
  readonly status: 'passed' | 'failed' | 'error';
  /** Rows checked and rows failing. */
  readonly checked: number;
  readonly failed: number;
  readonly failRate: number;
  readonly message: string;
  /** The message in French, for reports written in French (`--lang fr`). */
  readonly messageFr?: string;
  /** The share of rows the dataset was profiled on, when it was a sample (`sample: 10%`). */
  readonly sampled?: number;
  /**
   * True when `failed` is an estimate: counted on a sample of the column's values (past the distinct-value
   * limit) or from a sketch's distinct count (`unique`).
   */
  readonly estimated?: boolean;
}

/** The profile document. */
export interface Profile {
  readonly formatVersion: 1;
  readonly generatedAt: string;
  readonly datasets: readonly DatasetProfile[];
  readonly findings: readonly Finding[];
  readonly rules: readonly RuleResult[];
  /** Personal-data register: every column classified as personal data. */
  readonly personalData: readonly {
    readonly source: string;
    readonly dataset: string;
    readonly column: string;
    readonly kind: PersonalDataKind;
    readonly reason: string;
    readonly reasonFr?: string;
  }[];
  /** Entities described by two sources, matched on a normalised key. */
  readonly overlaps: readonly {
    readonly left: { readonly source: string; readonly dataset: string; readonly column: string };
    readonly right: { readonly source: string; readonly dataset: string; readonly column: string };
    readonly leftValues: number;
    readonly rightValues: number;
    readonly matched: number;
    readonly examples: readonly string[];
  }[];
  /** True when sample values are shown unmasked (`--show-samples`). */
  readonly samplesShown: boolean;
  readonly tool: { readonly name: 'stocktake'; readonly version: string };
}
