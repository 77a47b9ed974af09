/**
 * Totals of a source's rows count each row once wherever they are shown: the console, the estate
 * register's facts and the report's overview leave out a partition whose partitioned table is counted
 * (its rows are in that count) and a view (its rows are its tables').
 */
import { describe, expect, it } from 'vitest';
import { type Dataset, type Inventory, rowTotal, type SourceEntry } from '../../src/core/inventory.ts';
import { renderAuditReport } from '../../src/report/html/report-html.ts';
import { buildReportData } from '../../src/report/html/report-model.ts';
import { factsOf } from '../../src/stages/estate-register.ts';

const dataset = (name: string, rowCount: number | null, extra: Partial<Dataset> = {}): Dataset => ({
  name,
  kind: 'table',
  rowCount,
  rowCountExact: rowCount !== null,
  columns: [],
  primaryKey: null,
  foreignKeys: [],
  indexes: [],
  ...extra,
});

const datasets: Dataset[] = [
  dataset('public.measures', 1_000, { partitioned: true }),
  dataset('public.measures_2025', 400, { partitionOf: 'public.measures' }),
  dataset('public.measures_2026', 600, { partitionOf: 'public.measures' }),
  dataset('public.customers', 25),
  dataset('public.active_customers', 20, { kind: 'view' }),
  dataset('public.customer_totals', 25, { kind: 'view', materialized: true }),
];

const source: SourceEntry = {
  name: 'crm',
  kind: 'postgres',
  system: null,
  status: 'ok',
  datasets,
  findings: [],
  durationMs: 1,
};

const inventory: Inventory = {
  formatVersion: 1,
  generatedAt: '2026-11-28T00:00:00.000Z',
  systems: [],
  sources: [source],
  tool: { name: 'stocktake', version: '0.0.0' },
};

describe('row totals', () => {
  it('count a partitioned table once, leave views out and keep materialized views', () => {
    expect(rowTotal(datasets)).toEqual({ rows: 1_050, exact: true });
    expect(factsOf(source).rows).toBe(1_050);
  });

  it('count the partitions when their partitioned table has no count', () => {
    const uncounted = datasets.map((d) =>
      d.partitioned ? { ...d, rowCount: null, rowCountExact: false } : d,
    );
    expect(rowTotal(uncounted)).toEqual({ rows: 1_050, exact: false });
  });

  it('are the report overview totals', () => {
    const meta = { lang: 'en', locale: 'en-GB', title: 'Audit', messages: {} };
    const data = buildReportData({ inventory }, meta);
    expect(data.datasets.filter((d) => d.inTotal).map((d) => d.name)).toEqual([
      'public.measures',
      'public.customers',
      'public.customer_totals',
    ]);
    const html = renderAuditReport({ inventory, lang: 'en', title: 'Audit' });
    expect(html).toContain('1,050');
    expect(html).not.toContain('2,070');
  });
});
