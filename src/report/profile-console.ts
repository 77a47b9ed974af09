/** The console summary of a profile: readiness per dataset, gates, and the main findings. */
import type { Finding, Inventory } from '../core/inventory.ts';
import type { Profile } from '../core/profile.ts';
import { allFindings, rulesOutcome } from './audit-findings.ts';

const MARK: Readonly<Record<Finding['severity'], string>> = { error: '✗', warning: '!', info: '·' };

/** What the summary counts besides the profile. */
export interface ProfileSummaryOptions {
  readonly maxFindings?: number;
  /** Its findings are counted too, as summary.md and junit.xml count them. */
  readonly inventory?: Inventory;
  readonly failOn?: 'error' | 'warning';
}

/** The lines printed after `stocktake profile`. */
export function summariseProfile(profile: Profile, options: ProfileSummaryOptions = {}): string[] {
  const maxFindings = options.maxFindings ?? 20;
  const all = allFindings(options.inventory, profile);
  const count = (s: Finding['severity']) => all.filter((f) => f.severity === s).length;
  const lines = [
    `Profile: ${profile.datasets.length} dataset(s); findings: ${count('error')} error(s), ${count('warning')} warning(s), ${count('info')} info${options.inventory ? ' (inventory and profile, as summary.md counts them)' : ''}; ${profile.personalData.length} personal-data column(s)`,
  ];
  const width = Math.min(48, Math.max(10, ...profile.datasets.map((d) => `${d.source}.${d.dataset}`.length)));
  for (const d of [...profile.datasets].sort((a, b) => a.readiness.score - b.readiness.score)) {
    const label = `${d.source}.${d.dataset}`.padEnd(width);
    const sampled = d.sample ? ` (sample ${Math.round(d.sample.fraction * 100)}%)` : '';
    const main = [...d.readiness.penalties].sort((a, b) => b.points - a.points)[0];
    lines.push(
      `  ${label}  readiness ${String(d.readiness.score).padStart(3)}${sampled}${main ? `  — ${main.reason}` : ''}`,
    );
  }
  if (profile.rules.length > 0) {
    const failed = profile.rules.filter((r) => r.status !== 'passed');
    lines.push('', `Rules: ${rulesOutcome(profile, options.failOn)}`);
    for (const r of failed)
      lines.push(`  ${r.severity === 'error' || r.status === 'error' ? '✗' : '!'} ${r.rule}: ${r.message}`);
  }
  const important = profile.findings.filter((f) => f.severity !== 'info');
  if (important.length > 0) {
    lines.push('', 'Findings:');
    for (const f of important.slice(0, maxFindings)) {
      const where = [f.source, f.dataset, f.column].filter(Boolean).join('.');
      lines.push(`  ${MARK[f.severity]} ${f.code} ${where}: ${f.message}`);
    }
    if (important.length > maxFindings)
      lines.push(`  … and ${important.length - maxFindings} more in profile.json`);
  }
  return lines;
}
