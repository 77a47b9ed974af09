/**
 * The plan and run documents (DESIGN.md): `plan.json` says what a migration would change, per mapping,
 * and on which source and target state it was computed; `run.json` says what a migration did and whether
 * the target now holds the mapped source. The first fields of each shape are contract; the rest additions.
 */
import type { LogicalType } from './inventory.ts';

/** What a diff does to one target row. */
export type ChangeKind = 'insert' | 'update' | 'delete' | 'reject';

/** One changed field of a sample: `old → new` (both masked when the field holds personal data). */
export interface FieldChange {
  readonly field: string;
  readonly old: unknown;
  readonly new: unknown;
}

/** A sample row of a plan: its key, and the fields it changes (all fields for an insert, none for a delete). */
export interface PlanSample {
  readonly kind: ChangeKind;
  /** The target key (`{ external_id: "CRM-12" }`); null when a rejected row's key could not be computed. */
  readonly key: Readonly<Record<string, unknown>> | null;
  readonly changes: readonly FieldChange[];
  /** Rejects: the sentence and its stable code. */
  readonly reason?: string;
  readonly code?: string;
  /** Rejects: the field that failed. */
  readonly field?: string;
}

/**
 * An order-independent fingerprint of a set of rows: their count and the 64-bit sum and XOR of per-row
 * hashes (canonical values, so that `1.50` and `1.5` hash alike), as 16 hex digits each.
 */
export interface Fingerprint {
  readonly rows: number;
  readonly sum: string;
  readonly xor: string;
}

/** A dataset's column as a plan records it, to name the columns added or removed since. */
export interface PlanColumn {
  readonly name: string;
  readonly type: LogicalType;
  /** The type as the database spells it (`character varying(60)`): a narrower or wider column is a change too. */
  readonly nativeType?: string;
}

/** Where a mapping reads or writes, and the state it was planned on. */
export interface PlanSide {
  /** The source or target name in the config. */
  readonly name: string;
  readonly dataset: string;
  readonly columns: readonly PlanColumn[];
  readonly fingerprint: Fingerprint;
}

/** The plan of one mapping: exact counts, sample diffs, and the state it was computed on. */
export interface MappingPlan {
  readonly name: string;
  readonly inserts: number;
  readonly updates: number;
  readonly deletes: number;
  readonly unchanged: number;
  readonly rejects: number;
  readonly samples: readonly PlanSample[];
  readonly mode: 'insert' | 'upsert' | 'mirror';
  readonly source: PlanSide;
  readonly target: PlanSide;
  /** A hash of the mapping's definition: a plan made with another mapping is stale. */
  readonly mappingFingerprint: string;
  /** Target rows absent from the source that the mode leaves alone (insert, upsert). */
  readonly targetOnly: number;
  /** Rejected rows per stable code. */
  readonly rejectsByCode: Readonly<Record<string, number>>;
  readonly maxRejects: number | null;
  /** True when the rejects exceed `maxRejects`: `migrate` would stop. */
  readonly maxRejectsExceeded: boolean;
  /** The mappings whose targets this one's target references (they run first). */
  readonly dependsOn: readonly string[];
  /** How the key is compared: `exact`, or folded like the target's case-insensitive collation. */
  readonly keyComparison: 'exact' | 'folded';
  readonly durationMs: number;
  /**
   * Fields whose source column can hold values the target column cannot (a longer text, more decimals,
   * more fractional seconds, a wider charset…), copied without a transform and without a `lossy` that
   * accepts it: `MAP_TARGET_NARROWER`, with the field's config path; date-times copied between a column
   * with a time zone and one without: `MAP_TIME_ZONE_SHIFT`. Warnings only: values that fit load.
   */
  readonly warnings?: readonly { readonly path: string; readonly code: string; readonly message: string }[];
  /** A target that generates its keys: the old key's source columns, the generated column, and the rows the map already holds. */
  readonly identity?: {
    readonly sourceKey: readonly string[];
    readonly generated: string;
    readonly mapped: number;
  };
  /**
   * Per `ref` step: references turned into a new key, and references to rows this plan inserts first
   * (`→ new customers row (old key 42)` in samples); a reference that is neither is a reject.
   */
  readonly references?: readonly {
    readonly field: string;
    readonly mapping: string;
    readonly resolved: number;
    readonly pending: number;
  }[];
  /** `references`: the second pass of a mapping whose references form a cycle (it sets the fields the first left NULL). */
  readonly pass?: 'references';
}

/** `plan.json`. */
export interface PlanDocument {
  readonly formatVersion: 1;
  readonly kind: 'plan';
  readonly generatedAt: string;
  readonly mappings: readonly MappingPlan[];
  readonly totals: {
    readonly inserts: number;
    readonly updates: number;
    readonly deletes: number;
    readonly unchanged: number;
    readonly rejects: number;
  };
  /** True when any mapping would write something. */
  readonly changes: boolean;
  /** True when values of personal fields are shown unmasked (`--show-samples`). */
  readonly samplesShown: boolean;
  readonly tool: { readonly name: string; readonly version: string };
}

/** The verification of one mapping after its run: the mapped source against the target, key by key. */
export interface Reconciliation {
  readonly ok: boolean;
  /** Mapped source rows expected in the target (rejected rows excluded). */
  readonly expectedRows: number;
  readonly targetRows: number;
  readonly matched: number;
  /** Keys expected but absent from the target. */
  readonly missing: number;
  /** Keys present with other content than the mapped source. */
  readonly different: number;
  /** Mirror mode: target rows absent from the source. */
  readonly unexpected: number;
  /** Up to 10 keys of each problem. */
  readonly examples: readonly {
    readonly problem: 'missing' | 'different' | 'unexpected';
    readonly key: unknown;
  }[];
  readonly expectedFingerprint: Fingerprint;
  readonly targetFingerprint: Fingerprint;
  /**
   * Column aggregates of the expected rows against the target rows with the same keys: nulls of every
   * field, the exact sum of numeric fields, min and max of dates and timestamps, distinct values of
   * reference fields. One that differs fails the verification.
   */
  readonly aggregates: readonly ColumnAggregate[];
}

/** One aggregate of one target field, on the mapped source (expected rows) and on the target. */
export interface ColumnAggregate {
  readonly field: string;
  readonly aggregate: 'nulls' | 'sum' | 'min' | 'max' | 'distinct';
  /** Counts as numbers; sums as exact decimal texts; min and max as ISO texts (masked for personal fields). */
  readonly source: string | number | null;
  readonly target: string | number | null;
  readonly ok: boolean;
}

/** The outcome of one mapping in a run. */
export type MappingRunStatus =
  | 'done'
  | 'verification-failed'
  | 'rejects-exceeded'
  | 'interrupted'
  | 'failed'
  | 'skipped';

/** What one mapping's run did. */
export interface MappingRun {
  readonly name: string;
  /** `references`: the second pass of a mapping whose references form a cycle, as in `plan.json`. */
  readonly pass?: 'references';
  status: MappingRunStatus;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** Rejected by the mapping (transforms, validation, duplicate keys) and refused by the database. */
  rejected: { mapping: number; database: number };
  batches: number;
  /** True when this run continued an interrupted one (`--resume`). */
  resumed: boolean;
  /**
   * `fresh-load`: the target was empty, so the source was streamed straight into it without a diff;
   * `diff`: the changes were computed against the target first.
   */
  path?: 'diff' | 'fresh-load';
  /** The last checkpoint written (batches applied, rows they held). */
  checkpoint: { runId: string; batches: number; rows: number; done: boolean } | null;
  timings: { readMs: number; diffAndWriteMs: number; verifyMs: number; totalMs: number };
  reconciliation: Reconciliation | null;
  /** An identity mapping: the rows its identity map names after the run (old key → new key). */
  identity?: { generated: string; mapped: number };
  /** What the run held back, and why (`MAP_MIRROR_DELETES_HELD`). */
  warnings?: { path: string; code: string; message: string }[];
  error?: { code: string; message: string };
}

/** `run.json`. */
export interface RunDocument {
  readonly formatVersion: 1;
  readonly kind: 'run';
  readonly runId: string;
  readonly startedAt: string;
  finishedAt: string;
  status: 'ok' | 'verification-failed' | 'rejects-exceeded' | 'interrupted' | 'failed';
  /** The saved plan applied (`--plan`), when one was. */
  readonly plan: string | null;
  readonly mappings: MappingRun[];
  /** The rejects files written. */
  readonly rejectsFiles: readonly string[];
  readonly tool: { readonly name: string; readonly version: string };
}
