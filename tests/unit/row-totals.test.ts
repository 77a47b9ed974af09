/**
 * Totals of a source's rows count each row once wherever they are shown: the console, the estate
 * register's facts and the report's overview leave out a partition whose partitioned table is counted
 * (its rows are in that count) and a view (its rows are its tables'). The report counts the rows it shows:
 * a profile's count of a partitioned table the inventory could not count holds its partitions' rows. The
 * console says when no row was counted instead of a total of 0.
 */
import { describe, expect, it } from 'vitest';
import { type Dataset, type Inventory, rowTotal, type SourceEntry } from '../../src/core/inventory.ts';
import type { DatasetProfile, Profile } from '../../src/core/profile.ts';
import { renderAuditReport } from '../../src/report/html/report-html.ts';
import { buildReportData } from '../../src/report/html/report-model.ts';
import { summariseInventory } from '../../src/report/inventory-console.ts';
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

const inventoryOf = (sourceDatasets: Dataset[]): Inventory => ({
  ...inventory,
  sources: [{ ...source, datasets: sourceDatasets }],
});

const profiled = (
  dataset: string,
  rowCount: number,
  extra: Partial<DatasetProfile> = {},
): DatasetProfile => ({
  source: 'crm',
  dataset,
  rowCount,
  duplicateRows: 0,
  candidateKeys: [],
  columns: [],
  keyDuplicates: [],
  orphans: [],
  readiness: { score: 100, penalties: [] },
  method: 'pushdown',
  durationMs: 1,
  ...extra,
});

const profileOf = (profiles: DatasetProfile[]): Profile => ({
  formatVersion: 1,
  generatedAt: '2026-11-28T00:00:00.000Z',
  datasets: profiles,
  findings: [],
  rules: [],
  personalData: [],
  overlaps: [],
  samplesShown: false,
  tool: { name: 'stocktake', version: '0.0.0' },
});

const META = { lang: 'en', locale: 'en-GB', title: 'Audit', messages: {} };

/** The rows the report's overview adds up, and the datasets it adds up. */
const reportTotal = (data: ReturnType<typeof buildReportData>) => ({
  rows: data.datasets.reduce((n, d) => n + (d.inTotal ? (d.rows ?? 0) : 0), 0),
  inTotal: data.datasets.filter((d) => d.inTotal).map((d) => d.name),
});

describe('report totals of the rows it shows', () => {
  // A partitioned table the inventory did not count (no statistics, `exactBelow: 0`), its partitions neither.
  const uncounted = [
    dataset('public.measures', null, { partitioned: true }),
    dataset('public.measures_2025', null, { partitionOf: 'public.measures' }),
    dataset('public.measures_2026', null, { partitionOf: 'public.measures' }),
  ];

  it('count the partitions once when a profile counted their partitioned table', () => {
    const profile = profileOf([
      profiled('public.measures', 60),
      profiled('public.measures_2025', 30),
      profiled('public.measures_2026', 30),
    ]);
    const data = buildReportData({ inventory: inventoryOf(uncounted), profile }, META);
    expect(reportTotal(data)).toEqual({ rows: 60, inTotal: ['public.measures'] });
    const html = renderAuditReport({
      inventory: inventoryOf(uncounted),
      profile,
      lang: 'en',
      title: 'Audit',
    });
    expect(html).not.toContain('>120<');
  });

  it('count the partitions the inventory counted when the profile of their table is a sample', () => {
    const partitions = uncounted.map((d) =>
      d.partitionOf ? { ...d, rowCount: 30, rowCountExact: true } : d,
    );
    const profile = profileOf([
      profiled('public.measures', 31, { sample: { fraction: 0.5, method: 'TABLESAMPLE BERNOULLI' } }),
    ]);
    const data = buildReportData({ inventory: inventoryOf(partitions), profile }, META);
    expect(reportTotal(data)).toEqual({
      rows: 60,
      inTotal: ['public.measures', 'public.measures_2025', 'public.measures_2026'],
    });
  });

  it('leave out a partition whose partitioned table is in the count of one above it', () => {
    const tree = [
      dataset('public.measures', null, { partitioned: true }),
      dataset('public.measures_2026', null, { partitioned: true, partitionOf: 'public.measures' }),
      dataset('public.measures_2026h1', 10, { partitionOf: 'public.measures_2026' }),
    ];
    const profile = profileOf([profiled('public.measures', 25)]);
    const data = buildReportData({ inventory: inventoryOf(tree), profile }, META);
    expect(reportTotal(data)).toEqual({ rows: 25, inTotal: ['public.measures'] });
  });
});

describe('console totals', () => {
  const totalLine = (sourceDatasets: Dataset[]) =>
    summariseInventory(inventoryOf(sourceDatasets)).find((line) => line.includes('partition'));

  it('say that no row was counted instead of a total of 0', () => {
    const uncounted = datasets
      .filter((d) => d.kind === 'table')
      .map((d) => ({ ...d, rowCount: null, rowCountExact: false }));
    expect(totalLine(uncounted)).toBe('      1 partitioned table, 2 partitions, 1 table; rows not counted');
  });

  it('keep an estimate of the rows that were counted', () => {
    const some = datasets
      .filter((d) => d.kind === 'table')
      .map((d) => (d.partitioned ? { ...d, rowCount: null, rowCountExact: false } : d));
    expect(totalLine(some)).toBe('      1 partitioned table, 2 partitions, 1 table; ~1,025 rows');
    expect(totalLine(datasets)).toBe(
      '      1 partitioned table, 2 partitions, 1 table, 1 view, 1 materialized view; 1,050 rows',
    );
  });
});
