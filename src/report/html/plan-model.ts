/**
 * PROVISIONAL: the shape of the plan document as the report reads it, until the migration issue lands and
 * `src/core` defines the real `Plan`. Typed loosely on purpose; replace with the core type when it exists.
 */

/** One changed field of a sample row: `old → new`. */
export interface PlanFieldChange {
  readonly field: string;
  readonly old: unknown;
  readonly new: unknown;
}

/** One mapping of the plan (provisional): counts of what would be written, and sample row diffs. */
export interface PlanMappingView {
  readonly name: string;
  readonly inserts: number;
  readonly updates: number;
  readonly deletes: number;
  readonly unchanged: number;
  readonly rejects: number;
  readonly samples: readonly { readonly key: unknown; readonly changes: readonly PlanFieldChange[] }[];
}

/** The plan document as the report reads it (provisional). */
export interface PlanView {
  readonly mappings: readonly PlanMappingView[];
}
