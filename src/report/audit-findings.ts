/**
 * What every output of an audit agrees on: its findings (the inventory's and the profile's) and which
 * rules fail its gate, so that the exit code, junit.xml, summary.md, the report and the workbook say the same.
 */
import type { Finding, Inventory } from '../core/inventory.ts';
import type { Profile } from '../core/profile.ts';

/** What beside the profile decides the gate: the inventory it profiled, and `--fail-on`. */
export interface GateContext {
  readonly inventory?: Inventory;
  readonly failOn?: 'error' | 'warning';
}

/** Inventory findings (the register's, then each source's) followed by the profile's. */
export function allFindings(inventory: Inventory | undefined, profile?: Profile): Finding[] {
  const findings: Finding[] = [...(inventory?.findings ?? [])];
  for (const source of inventory?.sources ?? []) findings.push(...(source.findings ?? []));
  if (profile) findings.push(...profile.findings);
  return findings;
}

/** True when a rule fails the gate: an error-level failure, a rule that could not be evaluated, or any failure with `--fail-on warning`. */
export function failsGate(rule: Profile['rules'][number], failOn: 'error' | 'warning' = 'error'): boolean {
  if (rule.status === 'passed') return false;
  return rule.status === 'error' || rule.severity === 'error' || failOn === 'warning';
}

/**
 * `3 passed, 2 failed; quality gates: 1 failed`: one wording of the rules' outcome for the console and
 * summary.md, so both count the same (a rule not evaluated is failed and fails its gate; a failed warning
 * rule fails the gate only with `--fail-on warning`).
 */
export function rulesOutcome(profile: Profile, failOn: 'error' | 'warning' = 'error'): string {
  const failed = profile.rules.filter((r) => r.status !== 'passed').length;
  const gates = profile.rules.filter((r) => failsGate(r, failOn)).length;
  return `${profile.rules.length - failed} passed, ${failed} failed; quality gates: ${gates === 0 ? 'passed' : `${gates} failed`}`;
}
