/**
 * The overview, rendered on the server so that the page says what matters before (or without) its
 * script: headline counts, findings by severity, readiness, sources, and what changed since last time.
 */
import type { InventoryComparison } from '../../stages/inventory-compare.ts';
import { escapeHtml as e } from './report-escape.ts';
import type { ReportFormat } from './report-i18n.ts';
import { type ReportData, SEVERITIES } from './report-model.ts';

/** Readiness bands: a score at or above the first is good, then ok, then poor; below the last is bad. */
export const SCORE_BANDS = [
  { min: 90, tone: 'good', label: '90–100' },
  { min: 70, tone: 'ok', label: '70–89' },
  { min: 50, tone: 'poor', label: '50–69' },
  { min: 0, tone: 'bad', label: '0–49' },
] as const;

/** The tone of a readiness score (`good`, `ok`, `poor`, `bad`). */
export function scoreTone(score: number): string {
  return (SCORE_BANDS.find((b) => score >= b.min) ?? SCORE_BANDS[3]).tone;
}

/** The `#dataset=…` link target of a dataset id, escaped for an attribute. */
export function datasetHref(id: string): string {
  return e(`#dataset=${encodeURIComponent(id)}`);
}

/** Renders the overview section's inner HTML; every value goes through `escapeHtml`. */
export function renderOverview(
  data: ReportData,
  fmt: ReportFormat,
  options: { version: string; comparison?: InventoryComparison | undefined; personalColumns: number },
): string {
  const { t } = fmt;
  const profiled = data.datasets.filter((d) => d.profile !== null);
  const rows = data.datasets.reduce((n, d) => n + (d.inTotal ? (d.rows ?? 0) : 0), 0);
  const columns = data.datasets.reduce((n, d) => n + d.columns.length, 0);
  const bySeverity = [0, 0, 0];
  for (const f of data.findings) bySeverity[f[0]]!++;
  const scores = profiled.map((d) => d.profile!.score);
  const average = scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;

  const parts: string[] = [];
  parts.push(`<h2>${e(t('overview'))}</h2>`);
  parts.push(
    `<p class="meta">${e(t('generated', { date: fmt.date(data.generatedAt), version: options.version }))}${
      data.profiledAt ? `<br>${e(t('profiled', { date: fmt.date(data.profiledAt) }))}` : ''
    }</p>`,
  );
  if (data.profiledAt === null) parts.push(`<p class="banner note">${e(t('notProfiled'))}</p>`);
  if (data.samplesShown) parts.push(`<p class="banner">${e(t('samplesShown'))}</p>`);

  const card = (value: string, label: string, tone = '') =>
    `<div class="card"><span class="value${tone ? ` ${tone}` : ''}">${e(value)}</span><span class="label">${e(label)}</span></div>`;
  parts.push('<div class="cards">');
  parts.push(card(fmt.number(data.sources.length), t('sources')));
  parts.push(card(fmt.number(data.datasets.length), t('datasets')));
  parts.push(card(fmt.number(rows), t('rows')));
  parts.push(card(fmt.number(columns), t('columns')));
  parts.push(card(fmt.number(options.personalColumns), t('personalColumns')));
  if (average !== null) parts.push(card(fmt.number(Math.round(average)), t('averageReadiness')));
  parts.push(card(fmt.number(bySeverity[0]!), t('errors')));
  parts.push(card(fmt.number(bySeverity[1]!), t('warnings')));
  parts.push('</div>');

  parts.push('<div class="grid2">');
  parts.push(`<section class="panel"><h3>${e(t('findingsBySeverity'))}</h3>`);
  parts.push(
    barChart(
      SEVERITIES.map((s, i) => ({ label: t(s), value: bySeverity[i]!, tone: `sev-${s}` })),
      fmt,
    ),
  );
  parts.push(topCodes(data, fmt));
  parts.push('</section>');
  if (scores.length > 0) {
    parts.push(`<section class="panel"><h3>${e(t('readinessDistribution'))}</h3>`);
    parts.push(
      barChart(
        SCORE_BANDS.map((b, i) => ({
          label: b.label,
          value: scores.filter((s) => s >= b.min && (i === 0 || s < SCORE_BANDS[i - 1]!.min)).length,
          tone: `score-${b.tone}`,
        })),
        fmt,
      ),
    );
    parts.push(leastReady(data, fmt));
    parts.push('</section>');
  }
  parts.push('</div>');

  parts.push(`<section class="panel"><h3>${e(t('sources'))}</h3>${sourcesTable(data, fmt)}</section>`);
  if (options.comparison) parts.push(changes(options.comparison, fmt));
  return parts.join('\n');
}

/** A horizontal bar chart as inline SVG (classes carry the colours: the CSP allows no style attribute). */
export function barChart(
  items: readonly { label: string; value: number; tone: string }[],
  fmt: ReportFormat,
): string {
  const width = 360;
  const labelWidth = 110;
  const valueWidth = 60;
  const rowHeight = 24;
  const max = Math.max(1, ...items.map((i) => i.value));
  const height = items.length * rowHeight;
  const rows = items.map((item, i) => {
    const y = i * rowHeight;
    const w = Math.round(((width - labelWidth - valueWidth) * item.value) / max);
    return (
      `<text x="0" y="${y + 16}">${e(item.label)}</text>` +
      `<rect class="bar-track" x="${labelWidth}" y="${y + 5}" width="${width - labelWidth - valueWidth}" height="14" rx="3"></rect>` +
      `<rect class="${e(item.tone)}" x="${labelWidth}" y="${y + 5}" width="${w}" height="14" rx="3"></rect>` +
      `<text x="${width - valueWidth + 6}" y="${y + 16}" class="label-strong">${e(fmt.number(item.value))}</text>`
    );
  });
  return `<svg class="chart" role="img" viewBox="0 0 ${width} ${height}" width="100%" height="${height}" preserveAspectRatio="xMinYMin meet">${rows.join('')}</svg>`;
}

/** The most frequent codes, one row per code and severity: a code at two severities (RULE_FAILED) counts each apart. */
function topCodes(data: ReportData, fmt: ReportFormat): string {
  const counts = new Map<string, { code: string; n: number; severity: number }>();
  for (const f of data.findings) {
    const key = `${f[0]}\u0000${f[1]}`;
    const entry = counts.get(key);
    if (entry) entry.n++;
    else counts.set(key, { code: f[1], n: 1, severity: f[0] });
  }
  if (counts.size === 0) return '';
  const ranked = [...counts.values()].sort((a, b) => a.severity - b.severity || b.n - a.n).slice(0, 10);
  const rows = ranked.map(({ code, n, severity }) => {
    const s = SEVERITIES[severity]!;
    return `<tr><td><span class="sev sev-${s}">${e(fmt.t(s))}</span></td><td><a href="${e(`#findings=${encodeURIComponent(code)}`)}"><code>${e(code)}</code></a></td><td class="num">${e(fmt.number(n))}</td></tr>`;
  });
  return `<div class="scroll"><table><thead><tr><th>${e(fmt.t('severity'))}</th><th>${e(fmt.t('code'))}</th><th class="num">${e(fmt.t('findings'))}</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function leastReady(data: ReportData, fmt: ReportFormat): string {
  const ranked = data.datasets
    .filter((d) => d.profile !== null)
    .sort((a, b) => a.profile!.score - b.profile!.score || a.id.localeCompare(b.id))
    .slice(0, 8);
  const rows = ranked.map((d) => {
    const p = d.profile!;
    const main = [...p.penalties].sort((a, b) => b[1] - a[1])[0];
    return `<tr><td class="name"><a href="${datasetHref(d.id)}">${e(d.id)}</a></td><td class="num"><span class="score score-${scoreTone(p.score)}">${e(fmt.number(p.score))}</span></td><td class="optional">${main ? e(main[0]) : '—'}</td></tr>`;
  });
  return `<h4>${e(fmt.t('lowestReadiness'))}</h4><div class="scroll"><table><thead><tr><th>${e(fmt.t('dataset'))}</th><th class="num">${e(fmt.t('readiness'))}</th><th class="optional">${e(fmt.t('penalties'))}</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function sourcesTable(data: ReportData, fmt: ReportFormat): string {
  const { t } = fmt;
  const rows = data.sources.map((s) => {
    const datasets = data.datasets.filter((d) => d.source === s.name);
    const rowCount = datasets.reduce((n, d) => n + (d.inTotal ? (d.rows ?? 0) : 0), 0);
    const scored = datasets.filter((d) => d.profile !== null);
    const score =
      scored.length === 0
        ? null
        : Math.round(scored.reduce((n, d) => n + d.profile!.score, 0) / scored.length);
    const status = s.failed
      ? `<span class="badge failed">${e(t('failed'))}</span> ${e(t('failedSource', { error: s.failed }))}`
      : e(t('ok'));
    return `<tr><td class="name"><a href="${e(`#browse=${encodeURIComponent(s.name)}`)}">${e(s.name)}</a></td><td>${e(s.kind)}</td><td class="optional">${e(s.system ?? '—')}</td><td>${status}</td><td class="num">${e(fmt.number(datasets.length))}</td><td class="num">${e(fmt.number(rowCount))}</td><td class="num">${score === null ? '—' : `<span class="score score-${scoreTone(score)}">${e(fmt.number(score))}</span>`}</td></tr>`;
  });
  return `<div class="scroll"><table><thead><tr><th>${e(t('source'))}</th><th>${e(t('kind'))}</th><th class="optional">${e(t('system'))}</th><th>${e(t('status'))}</th><th class="num">${e(t('datasets'))}</th><th class="num">${e(t('rows'))}</th><th class="num">${e(t('readiness'))}</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

const MAX_CHANGE_LINES = 200;

function changes(c: InventoryComparison, fmt: ReportFormat): string {
  const { t } = fmt;
  const total = c.datasetsAdded.length + c.datasetsRemoved.length + c.datasetsChanged.length;
  const title = `<h3>${e(t('changes', { date: fmt.date(c.before) }))}</h3>`;
  if (total === 0)
    return `<section class="panel">${title}<p>${e(t('noChange', { date: fmt.date(c.before) }))}</p></section>`;
  const items: string[] = [];
  for (const d of c.datasetsAdded)
    items.push(
      `<li><span class="badge">+ ${e(t('added'))}</span> <a href="${datasetHref(d)}">${e(d)}</a></li>`,
    );
  for (const d of c.datasetsRemoved)
    items.push(`<li><span class="badge failed">− ${e(t('removed'))}</span> ${e(d)}</li>`);
  for (const d of c.datasetsChanged) {
    const details: string[] = [];
    for (const col of d.columnsAdded)
      details.push(`${e(t('column'))} <code>${e(col)}</code> ${e(t('added'))}`);
    for (const col of d.columnsRemoved)
      details.push(`${e(t('column'))} <code>${e(col)}</code> ${e(t('removed'))}`);
    for (const col of d.columnsChanged) {
      for (const ch of col.changes) {
        details.push(
          `<code>${e(col.column)}</code> ${e(ch.attribute)}: ${e(show(ch.before))} → ${e(show(ch.after))}`,
        );
      }
    }
    for (const ch of d.changes)
      details.push(`${e(ch.attribute)}: ${e(show(ch.before))} → ${e(show(ch.after))}`);
    items.push(
      `<li><span class="badge pk">~ ${e(t('changed'))}</span> <a href="${datasetHref(d.dataset)}">${e(d.dataset)}</a><ul>${details.map((x) => `<li>${x}</li>`).join('')}</ul></li>`,
    );
  }
  const shown = items.slice(0, MAX_CHANGE_LINES);
  const more =
    items.length > shown.length
      ? `<li class="muted">… ${e(fmt.number(items.length - shown.length))}</li>`
      : '';
  return `<section class="panel">${title}<p class="muted">${e(t('unchangedDatasets', { n: fmt.number(c.unchanged) }))}</p><ul class="plain">${shown.join('')}${more}</ul></section>`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
