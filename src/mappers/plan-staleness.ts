/**
 * What makes a saved plan stale before any row is read: another mapping definition, or source and
 * target datasets whose columns changed since (named, so that the message says which).
 */
import { StocktakeError } from '../core/errors.ts';
import type { MappingPlan, PlanColumn } from '../core/plan.ts';
import type { PreparedMapping } from './preflight.ts';

/** Throws PLAN_STALE naming the columns added, removed or retyped since the plan, or a changed mapping. */
export function checkPlanColumns(prepared: PreparedMapping, plan: MappingPlan): void {
  const problems: string[] = [];
  if (plan.mappingFingerprint !== prepared.fingerprint) problems.push('the mapping changed in the config');
  const source = columnChanges(plan.source.columns, prepared.source.dataset.columns);
  if (source)
    problems.push(`source dataset ${prepared.source.name}.${prepared.source.dataset.name} ${source}`);
  const target = columnChanges(plan.target.columns, prepared.target.dataset.columns);
  if (target)
    problems.push(`target dataset ${prepared.target.name}.${prepared.target.dataset.name} ${target}`);
  if (problems.length > 0) {
    throw new StocktakeError(
      'PLAN_STALE',
      `mapping ${prepared.config.name}: the plan is stale: ${problems.join('; ')}`,
      {
        hint: 'run `stocktake plan` again, review it, then migrate with the new plan',
        context: { mapping: prepared.config.name, problems },
      },
    );
  }
}

/** `added columns x, y; removed columns z; retyped w (string → integer)`, or '' when nothing changed. */
export function columnChanges(
  before: readonly PlanColumn[],
  now: readonly { readonly name: string; readonly type: PlanColumn['type']; readonly nativeType?: string }[],
): string {
  // A column is retyped when its logical type changed, or its native spelling where the plan kept it
  // (`varchar(60)` to `varchar(10)` changes which rows are rejects; plans written before it was kept lack it).
  const old = new Map(before.map((c) => [c.name, c]));
  const current = new Map(now.map((c) => [c.name, c]));
  const added = [...current.keys()].filter((n) => !old.has(n));
  const removed = [...old.keys()].filter((n) => !current.has(n));
  const retyped = [...current].flatMap(([n, c]) => {
    const was = old.get(n);
    if (!was) return [];
    if (was.type !== c.type) return [`${n} (${was.type} → ${c.type})`];
    if (was.nativeType !== undefined && c.nativeType !== undefined && was.nativeType !== c.nativeType)
      return [`${n} (${was.nativeType} → ${c.nativeType})`];
    return [];
  });
  const parts: string[] = [];
  if (added.length > 0) parts.push(`gained column${added.length > 1 ? 's' : ''} ${added.join(', ')}`);
  if (removed.length > 0) parts.push(`lost column${removed.length > 1 ? 's' : ''} ${removed.join(', ')}`);
  if (retyped.length > 0) parts.push(`retyped ${retyped.join(', ')}`);
  return parts.length > 0 ? `${parts.join(', ')} since the plan` : '';
}
