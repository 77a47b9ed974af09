/**
 * `plan.html`: one small self-contained page of a plan's counts and sample diffs, for a reviewer
 * without tooling. Every value is escaped; a CSP forbids everything but inline styles; no script.
 */
import type { MappingPlan, PlanDocument, PlanSample } from '../core/plan.ts';

const CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '<span class="null">null</span>';
  return escapeHtml(
    typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value)),
  );
}

function keyText(key: PlanSample['key']): string {
  if (key === null) return '<span class="null">unknown key</span>';
  return Object.entries(key)
    .map(([field, value]) => `${escapeHtml(field)}=${show(value)}`)
    .join(', ');
}

function sampleRows(samples: readonly PlanSample[]): string {
  if (samples.length === 0) return '<p class="none">No samples.</p>';
  const rows = samples.map((s) => {
    const changes =
      s.kind === 'reject'
        ? `${escapeHtml(s.reason ?? '')} <code>${escapeHtml(s.code ?? '')}</code>`
        : s.changes
            .map((c) => `<div><b>${escapeHtml(c.field)}</b>: ${show(c.old)} → ${show(c.new)}</div>`)
            .join('');
    return `<tr class="${escapeHtml(s.kind)}"><td>${escapeHtml(s.kind)}</td><td>${keyText(s.key)}</td><td>${changes}</td></tr>`;
  });
  return `<table><thead><tr><th>change</th><th>key</th><th>fields (old → new)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function mappingSection(m: MappingPlan): string {
  const counts = (['inserts', 'updates', 'deletes', 'unchanged', 'rejects'] as const)
    .map((k) => `<td>${m[k].toLocaleString('en-US')}</td>`)
    .join('');
  const warn = m.maxRejectsExceeded
    ? `<p class="warn">Rejects exceed maxRejects (${m.maxRejects}): migrate would stop.</p>`
    : '';
  return `<section><h2>${escapeHtml(m.name)}</h2>
<p>${escapeHtml(`${m.source.name}.${m.source.dataset}`)} → ${escapeHtml(`${m.target.name}.${m.target.dataset}`)} · mode ${escapeHtml(m.mode)} · keys compared ${escapeHtml(m.keyComparison)}</p>
<table class="counts"><thead><tr><th>inserts</th><th>updates</th><th>deletes</th><th>unchanged</th><th>rejects</th></tr></thead><tbody><tr>${counts}</tr></tbody></table>
${warn}${sampleRows(m.samples)}</section>`;
}

/** Renders the plan as a self-contained HTML page. */
export function renderPlanHtml(plan: PlanDocument): string {
  const t = plan.totals;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stocktake plan</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
.insert td:first-child{color:#060}.update td:first-child{color:#a60}.delete td:first-child{color:#a00}.reject td:first-child{color:#707}
.null{color:#888;font-style:italic}.warn{color:#a00;font-weight:bold}code{font-size:12px}
</style></head><body>
<h1>Migration plan</h1>
<p>Computed ${escapeHtml(plan.generatedAt)}. Nothing has been written. ${plan.samplesShown ? 'Personal values are shown unmasked.' : 'Personal values are masked.'}</p>
<p>Total: ${t.inserts} inserts, ${t.updates} updates, ${t.deletes} deletes, ${t.unchanged} unchanged, ${t.rejects} rejects.</p>
${plan.mappings.map(mappingSection).join('\n')}
</body></html>
`;
}
