import { describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/core/inventory.ts';
import { renderAuditReport } from '../../src/report/html/report-html.ts';
import {
  buildReportData,
  COLUMN_FIELDS,
  LARGE_ESTATE_COLUMNS,
  MAX_VALUE_CHARS,
  type ReportData,
} from '../../src/report/html/report-model.ts';
import { fixtureDocuments, XSS } from '../browser/report-fixtures.ts';

function embedded(html: string): ReportData {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error('no data block');
  return JSON.parse(match[1]!) as ReportData;
}

const meta = { lang: 'en', locale: 'en-GB', title: 'Audit', messages: {} };

describe('embedded report data', () => {
  const docs = fixtureDocuments({ xss: true });
  const html = renderAuditReport({ ...docs, lang: 'en', title: `Audit ${XSS.script}` });

  it('is embedded once, escaped, and reads back as the model built from the documents', () => {
    expect(html.match(/id="report-data"/g)).toHaveLength(1);
    const data = embedded(html);
    const built = buildReportData(docs, { ...meta, title: data.title, messages: data.messages });
    expect(data).toEqual(JSON.parse(JSON.stringify(built)));
    expect(data.title).toBe(`Audit ${XSS.script}`);
    // Exactly one closing tag per script block: the payloads did not end one early.
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain(`<title>Audit &lt;/script&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;</title>`);
  });

  it('lists every dataset with positional columns in COLUMN_FIELDS order', () => {
    const data = embedded(html);
    expect(data.datasets.map((d) => d.id)).toEqual([
      'crm.public.customers',
      'crm.public.orders',
      'crm.public.order_lines',
      `crm.public.${XSS.img}`,
      'crm.public.active_customers',
      'clients.clients',
      'stock.stock/Articles',
    ]);
    const customers = data.datasets[0]!;
    const column = (name: string) => customers.columns.find((c) => c[0] === name)!;
    const field = (c: readonly unknown[], f: (typeof COLUMN_FIELDS)[number]) => c[COLUMN_FIELDS.indexOf(f)];
    for (const c of customers.columns) expect(c).toHaveLength(COLUMN_FIELDS.length);
    expect(field(column('email'), 'personal')).toEqual(['email', '98% of values are e-mail addresses']);
    expect(field(column('name'), 'nullLike')).toEqual([0, 2, 4, 0, 0, 0]);
    expect(field(column('name'), 'top')).toEqual([
      [XSS.script, 14],
      ['Martin & Fils', 6],
      ['Société Générale', 3],
    ]);
    const numeric = field(column('balance'), 'numeric') as unknown[];
    expect(numeric.slice(0, 7)).toEqual([1834.2, 5200.7, 0, 120, 640, 1900, 7200]);
    expect(numeric[9]).toEqual([900, 200, 40, 20, 10, 5, 2, 1, 1, 1]);
    // Outliers: their count, then the Tukey fences from the quartiles (120 and 1900), then examples;
    // last, whether the numbers are days of a date column (this one is decimal).
    expect(numeric.slice(10, 12)).toEqual([40, 120 - 1.5 * 1780]);
    expect(numeric[12]).toBe(1900 + 1.5 * 1780);
    expect(numeric[14]).toBeNull();
    expect(customers.profile?.score).toBe(62.5);
    // A dataset that was not profiled keeps its inventory facts and no metrics.
    const articles = data.datasets.at(-1)!;
    expect(articles.profile).toBeNull();
    expect(field(articles.columns[0]!, 'count')).toBeNull();
    expect(articles.file).toMatchObject({ path: '/data/stock.xlsx', sheet: 'Articles' });
  });

  it('keeps the summary figures of invoice numbers, 16-digit identifiers and date-times to the unit', () => {
    const docs = fixtureDocuments({});
    const balance = docs.profile!.datasets[0]!.columns.find((c) => c.name === 'balance')!;
    const numeric = balance.numeric!;
    (numeric as { mean: number }).mean = 20240125.5;
    (numeric as { stddev: number }).stddev = 9007199254741018;
    Object.assign(numeric.quantiles, { p5: 19727.416666666668, p25: 20240113, p50: 20240125.5 });
    const data = buildReportData(docs, meta);
    const customers = data.datasets.find((d) => d.id === 'crm.public.customers')!;
    const row = customers.columns.find((c) => c[0] === 'balance')!;
    const shown = row[COLUMN_FIELDS.indexOf('numeric')] as number[];
    expect(shown.slice(0, 5)).toEqual([20240125.5, 9007199254741020, 19727.4166666667, 20240113, 20240125.5]);
    // 2024-01-05T10:00 as days since 1970, to the second.
    expect(Math.round((shown[2]! - 19727) * 86400)).toBe(36000);
  });

  it('counts a code apart per severity in the overview: failed rules at error and at warning', () => {
    const base = fixtureDocuments();
    const rule = (severity: 'error' | 'warning') =>
      ({ code: 'RULE_FAILED', severity, source: 'crm', message: 'a rule failed' }) as const;
    const inventory: Inventory = {
      ...base.inventory,
      findings: [
        ...(base.inventory.findings ?? []),
        rule('error'),
        rule('error'),
        rule('error'),
        rule('warning'),
        rule('warning'),
      ],
    };
    const overview = renderAuditReport({ ...base, inventory, lang: 'en' });
    const rows = [
      ...overview.matchAll(
        /<tr><td><span class="sev sev-(\w+)">[^<]*<\/span><\/td><td><a href="#findings=RULE_FAILED"><code>RULE_FAILED<\/code><\/a><\/td><td class="num">(\d+)<\/td><\/tr>/g,
      ),
    ];
    expect(rows.map((m) => [m[1], m[2]])).toEqual([
      ['error', '3'],
      ['warning', '2'],
    ]);
  });

  it('links findings to dataset ids and keeps estate findings without one', () => {
    const data = embedded(html);
    expect(data.findings[0]).toEqual([
      1,
      'SYSTEM_WITHOUT_OWNER',
      'erp',
      null,
      null,
      'system accounting has no owner',
      null,
    ]);
    expect(data.findings.find((f) => f[1] === 'ORPHAN_ROWS')?.slice(0, 5)).toEqual([
      0,
      'ORPHAN_ROWS',
      'crm',
      'crm.public.orders',
      'customer_id',
    ]);
  });

  it('resolves declared foreign keys within their source and adds inferred relations from the profile', () => {
    const data = embedded(html);
    expect(data.relations).toEqual([
      ['crm.public.orders', 'crm.public.customers', 1, ['customer_id'], ['id'], 12, 0.9978],
      ['crm.public.order_lines', 'crm.public.orders', 1, ['order_id'], ['id'], null, null],
      ['clients.clients', 'crm.public.customers', 0, ['Code client'], ['id'], 1, 0.9836],
    ]);
    expect(data.layout?.nodes.map((n) => n.id).sort()).toEqual([
      'clients.clients',
      'crm.public.customers',
      'crm.public.order_lines',
      'crm.public.orders',
    ]);
  });

  it('shows the plan section only when a plan is given', () => {
    expect(html).toContain('data-view="plan"');
    expect(embedded(html).plan?.mappings).toHaveLength(2);
    const withoutPlan = renderAuditReport({ inventory: docs.inventory, lang: 'en' });
    expect(withoutPlan).not.toContain('data-view="plan"');
    expect(embedded(withoutPlan).plan).toBeNull();
    expect(embedded(withoutPlan).profiledAt).toBeNull();
  });

  it('cuts long sample values and keeps five top values in a large estate', () => {
    const long = 'x'.repeat(500);
    const { inventory, profile } = fixtureDocuments();
    const base = profile.datasets[0]!;
    const tweaked = {
      ...profile,
      datasets: [
        {
          ...base,
          columns: base.columns.map((c) =>
            c.name === 'status'
              ? {
                  ...c,
                  topValues: Array.from({ length: 10 }, (_, i) => ({ value: `${long}${i}`, count: 10 - i })),
                }
              : c,
          ),
        },
      ],
    };
    const small = buildReportData({ inventory, profile: tweaked }, meta);
    const top = small.datasets[0]!.columns[5]![COLUMN_FIELDS.indexOf('top')] as [string, number][];
    expect(top).toHaveLength(10);
    expect(top[0]![0]).toHaveLength(MAX_VALUE_CHARS);
    expect(top[0]![0].endsWith('…')).toBe(true);
    // The same dataset in an estate with more columns than LARGE_ESTATE_COLUMNS.
    const crm = inventory.sources[0]!;
    const filler = Array.from({ length: LARGE_ESTATE_COLUMNS }, (_, i) => ({
      ...crm.datasets[2]!,
      name: `public.filler_${i}`,
      foreignKeys: [],
    }));
    const large: Inventory = { ...inventory, sources: [{ ...crm, datasets: [...crm.datasets, ...filler] }] };
    const big = buildReportData({ inventory: large, profile: tweaked }, meta);
    expect((big.datasets[0]!.columns[5]![COLUMN_FIELDS.indexOf('top')] as unknown[]).length).toBe(5);
  });
});
