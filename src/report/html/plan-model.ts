/**
 * The part of `plan.json` the report renders: per mapping the counts of what would be written and
 * the sample rows with their field-level diffs (`src/core/plan.ts` holds the whole document).
 */
import type { FieldChange, MappingPlan, PlanSample } from '../../core/plan.ts';

/** One changed field of a sample row: `old → new`. */
export type PlanFieldChange = FieldChange;

/** One mapping of the plan: counts and sample row diffs. */
export type PlanMappingView = Pick<
  MappingPlan,
  'name' | 'inserts' | 'updates' | 'deletes' | 'unchanged' | 'rejects'
> & {
  readonly samples: readonly (Pick<PlanSample, 'key' | 'changes'> &
    Partial<Pick<PlanSample, 'kind' | 'reason' | 'code' | 'field'>>)[];
};

/** The plan document as the report reads it. */
export interface PlanView {
  /** When the plan was computed (`plan.json`'s `generatedAt`). */
  readonly generatedAt?: string;
  readonly mappings: readonly PlanMappingView[];
}
