/**
 * `summary.md`: the audit in a page, for pipeline summaries (GitHub, GitLab) and chat. It says what the
 * exit code says: sources left unread, failed gates (with `--fail-on warning`, warning rules too) and the
 * findings of the inventory as well as of the profile.
 */
import type { Finding } from '../core/inventory.ts';
import type { Profile } from '../core/profile.ts';
import { allFindings, failsGate, type GateContext, rulesOutcome } from './audit-findings.ts';

/** Rules about a dataset as a whole: one check each, shown by what they measured. */
const WHOLE_DATASET_CHECKS: ReadonlySet<string> = new Set(['row_count_min', 'freshness']);

/** Escapes text for a Markdown table cell: one line (CR, LF and other control characters become spaces). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`)
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\u0000-\u001f\u007f]/g, ' ');
}

const ICON: Readonly<Record<Finding['severity'], string>> = { error: '❌', warning: '⚠️', info: 'ℹ️' };

/** Renders the unread sources, gates, readiness and main findings as Markdown. */
export function renderSummaryMarkdown(
  profile: Profile,
  options: GateContext & { maxFindings?: number } = {},
): string {
  const maxFindings = options.maxFindings ?? 25;
  const rows = profile.datasets.reduce((n, d) => n + d.rowCount, 0);
  const findings = allFindings(options.inventory, profile);
  const bySeverity = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const failedGates = profile.rules.filter((r) => failsGate(r, options.failOn));
  const unread = (options.inventory?.sources ?? []).filter((s) => s.status === 'failed');
  const lines: string[] = [
    '# stocktake audit summary',
    '',
    `${profile.datasets.length} dataset(s), ${rows.toLocaleString('en-US')} row(s) profiled on ${profile.generatedAt}.`,
    `Findings: ${bySeverity('error')} error(s), ${bySeverity('warning')} warning(s), ${bySeverity('info')} info.`,
    `Personal data: ${profile.personalData.length} column(s).`,
    '',
  ];
  if (profile.datasets.some((d) => d.sample))
    lines.push('> Some datasets were profiled on a sample; their figures are labelled below.', '');
  if (unread.length > 0) {
    lines.push(`## Sources not read: ${unread.length}`, '', '| source | error |', '|---|---|');
    for (const s of unread) {
      const error = s.error ? `\`${s.error.code}\` ${escapeMarkdown(s.error.message)}` : 'failed';
      lines.push(`| ${escapeMarkdown(s.name)} | ${error} |`);
    }
    lines.push('');
  }
  if (profile.rules.length > 0) {
    lines.push(
      `## Quality gates: ${failedGates.length === 0 ? 'passed' : `${failedGates.length} failed`}`,
      '',
      `Rules: ${rulesOutcome(profile, options.failOn)}.`,
      '',
      '| | rule | dataset | failing | severity |',
      '|---|---|---|---|---|',
    );
    for (const r of profile.rules) {
      const icon = r.status === 'passed' ? '✅' : failsGate(r, options.failOn) ? '❌' : '⚠️';
      // A rule that could not be evaluated has no counts: its message says why. A rule about the dataset as a
      // whole (row count, freshness) is one check: its message says what was measured (`61 rows; at least 50
      // required`), where `0 of 1` would say nothing.
      const failing =
        r.status === 'error'
          ? `not evaluated: ${escapeMarkdown(r.message)}`
          : WHOLE_DATASET_CHECKS.has(r.check)
            ? escapeMarkdown(r.message)
            : `${r.failed} of ${r.checked} (${(r.failRate * 100).toFixed(1)}%)`;
      lines.push(
        `| ${icon} | ${escapeMarkdown(r.rule)} | ${escapeMarkdown(r.dataset)}${r.column ? `.${escapeMarkdown(r.column)}` : ''} | ${failing} | ${r.severity} |`,
      );
    }
    lines.push('');
  }
  lines.push('## Migration readiness', '', '| dataset | score | rows | main penalty |', '|---|---|---|---|');
  const ranked = [...profile.datasets].sort((a, b) => a.readiness.score - b.readiness.score);
  for (const d of ranked) {
    const main = [...d.readiness.penalties].sort((a, b) => b.points - a.points)[0];
    const label = `${escapeMarkdown(`${d.source}.${d.dataset}`)}${d.sample ? ` (sample ${Math.round(d.sample.fraction * 100)}%)` : ''}`;
    lines.push(
      `| ${label} | ${d.readiness.score} | ${d.rowCount.toLocaleString('en-US')} | ${main ? escapeMarkdown(main.reason) : '—'} |`,
    );
  }
  lines.push('');
  const important = findings.filter((f) => f.severity !== 'info');
  if (important.length > 0) {
    lines.push('## Findings', '');
    for (const f of important.slice(0, maxFindings)) {
      const where = [f.source, f.dataset, f.column].filter(Boolean).join('.');
      lines.push(
        `- ${ICON[f.severity]} \`${f.code}\` ${escapeMarkdown(where)}: ${escapeMarkdown(f.message)}`,
      );
    }
    if (important.length > maxFindings)
      lines.push(`- … and ${important.length - maxFindings} more in profile.json`);
    lines.push('');
  }
  return lines.join('\n');
}
