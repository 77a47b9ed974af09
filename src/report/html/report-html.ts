/**
 * The audit report: one self-contained HTML file rendered from the documents alone. The overview is
 * rendered here; the data is embedded once as JSON and the inline script renders the other views from it.
 */
import { readFileSync } from 'node:fs';
import type { Inventory } from '../../core/inventory.ts';
import type { Profile } from '../../core/profile.ts';
import { TOOL_VERSION } from '../../core/version.ts';
import type { PlanView } from './plan-model.ts';
import { contentSecurityPolicy } from './report-csp.ts';
import { escapeHtml as e, embedJson } from './report-escape.ts';
import { inventoryInFrench, profileInFrench } from './report-french.ts';
import { MESSAGES, type ReportLang, reportFormat } from './report-i18n.ts';
import { buildReportData, comparisonOf } from './report-model.ts';
import { renderOverview } from './report-overview.ts';
import { REPORT_CSS } from './report-styles.ts';

/** What a report is rendered from; only the inventory is required. */
export interface AuditReportOptions {
  readonly inventory: Inventory;
  readonly profile?: Profile | undefined;
  /** PROVISIONAL shape (see plan-model.ts); the plan section appears only when given. */
  readonly plan?: PlanView | undefined;
  /** An earlier inventory: the overview then lists what changed since. */
  readonly previous?: Inventory | undefined;
  readonly lang: ReportLang;
  readonly title?: string | undefined;
}

/** The id of the JSON block the script reads its data from. */
export const DATA_ELEMENT_ID = 'report-data';

let clientScript: string | undefined;

/** The report's inline script, read once from `report-client.js` beside this module. */
export function reportClientScript(): string {
  clientScript ??= readFileSync(new URL('./report-client.js', import.meta.url), 'utf8');
  return clientScript;
}

/** Renders the audit report as one HTML document: inline CSS, script and SVG, and a CSP that allows nothing else. */
export function renderAuditReport(given: AuditReportOptions): string {
  const options =
    given.lang === 'fr'
      ? {
          ...given,
          inventory: inventoryInFrench(given.inventory),
          profile: given.profile && profileInFrench(given.profile),
          previous: given.previous && inventoryInFrench(given.previous),
        }
      : given;
  const fmt = reportFormat(options.lang);
  const title = options.title ?? fmt.t('title');
  const data = buildReportData(options, {
    lang: options.lang,
    locale: fmt.locale,
    title,
    messages: MESSAGES[options.lang],
  });
  const personalColumns = options.profile ? options.profile.personalData.length : 0;
  const overview = renderOverview(data, fmt, {
    version: options.inventory.tool?.version ?? TOOL_VERSION,
    comparison: comparisonOf(options),
    personalColumns,
  });
  const script = reportClientScript();
  const views: [string, string][] = [
    ['overview', fmt.t('overview')],
    ['browse', fmt.t('browse')],
    ['findings', fmt.t('findings')],
    ['relations', fmt.t('relations')],
  ];
  if (options.plan) views.push(['plan', fmt.t('plan')]);
  const nav = views.map(([view, label]) => `<a href="#${view}" data-view="${view}">${e(label)}</a>`).join('');
  return [
    '<!DOCTYPE html>',
    `<html lang="${options.lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${e(contentSecurityPolicy(script, REPORT_CSS))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${e(title)}</title>`,
    '<link rel="icon" href="data:,">',
    `<style>${REPORT_CSS}</style>`,
    '</head>',
    '<body>',
    `<header class="top"><h1>${e(title)}</h1><nav class="views" id="nav">${nav}</nav></header>`,
    '<main>',
    `<section id="view-overview" class="view">${overview}</section>`,
    '<section id="view-app" class="view" hidden></section>',
    `<noscript><p class="banner note">${e(fmt.t('noScript'))}</p></noscript>`,
    '</main>',
    `<script type="application/json" id="${DATA_ELEMENT_ID}">${embedJson(data)}</script>`,
    `<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
