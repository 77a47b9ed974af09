/**
 * Hand-made inventory, profile and plan documents for the report tests: every field filled in, a
 * failed source, files and sheets, declared and inferred relations, and optional XSS payloads planted
 * in a value, a column name, a dataset name and a file name.
 */
import type { Column, Dataset, Finding, Inventory } from '../../src/core/inventory.ts';
import type { ColumnProfile, DatasetProfile, Profile } from '../../src/core/profile.ts';
import type { PlanView } from '../../src/report/html/plan-model.ts';

/** Payloads that must stay text wherever they are planted. */
export const XSS = {
  img: '<img src=x onerror=window.__xss=1>',
  script: '</script><script>window.__xss=1</script>',
  svg: '"><svg onload=window.__xss=1>',
  comment: '<!--',
} as const;

function column(name: string, position: number, extra: Partial<Column> = {}): Column {
  return {
    name,
    type: 'string',
    nativeType: 'character varying(80)',
    nullable: true,
    primaryKey: false,
    position,
    ...extra,
  };
}

const ZERO_NULL_LIKE = { empty: 0, blank: 0, na: 0, nullText: 0, dash: 0, zeroDate: 0 };

function profileColumn(name: string, extra: Partial<ColumnProfile> = {}): ColumnProfile {
  return {
    name,
    count: 1200,
    nulls: 0,
    distinct: 1200,
    distinctExact: true,
    min: 'a',
    max: 'z',
    inferredType: 'string',
    conformance: 1,
    patterns: [{ pattern: 'Aa', count: 1200 }],
    topValues: [],
    type: 'string',
    nullLike: ZERO_NULL_LIKE,
    uniqueness: 1,
    whitespace: { leading: 0, trailing: 0 },
    formats: [],
    variants: { groups: 0, values: 0, examples: [] },
    ...extra,
  };
}

/** The documents of a small estate; `xss` plants the payloads. */
export function fixtureDocuments(options: { xss?: boolean } = {}): {
  inventory: Inventory;
  previous: Inventory;
  profile: Profile;
  plan: PlanView;
} {
  const x = options.xss === true;
  const evilTable = x ? `public.${XSS.img}` : 'public.suppliers';
  const evilColumn = x ? `note${XSS.svg}` : 'note';
  const evilFile = x ? `/data/${XSS.script}.csv` : '/data/clients.csv';
  const evilValue = x ? XSS.script : 'Dupont SARL';

  const customers: Dataset = {
    name: 'public.customers',
    kind: 'table',
    rowCount: 1200,
    rowCountExact: true,
    schema: 'public',
    table: 'customers',
    columns: [
      column('id', 1, {
        type: 'integer',
        nativeType: 'integer',
        nullable: false,
        primaryKey: true,
        autoIncrement: true,
      }),
      column('name', 2, { comment: 'Raison sociale' }),
      column('email', 3, { nativeType: 'character varying(120)', length: 120 }),
      column('created_at', 4, { type: 'date', nativeType: 'date', default: 'CURRENT_DATE' }),
      column('balance', 5, { type: 'decimal', nativeType: 'numeric(12,2)', precision: 12, scale: 2 }),
      column('status', 6, { nativeType: 'status_t', enumValues: ['active', 'closed'] }),
    ],
    primaryKey: { name: 'customers_pkey', columns: ['id'] },
    uniqueKeys: [{ name: 'customers_email_key', columns: ['email'] }],
    foreignKeys: [],
    indexes: [
      { name: 'customers_pkey', columns: ['id'], unique: true, primary: true, method: 'btree' },
      { name: 'customers_email_key', columns: ['email'], unique: true },
    ],
    sizeBytes: 262_144,
    comment: 'Customers of the CRM',
  };
  const orders: Dataset = {
    name: 'public.orders',
    kind: 'table',
    rowCount: 5400,
    rowCountExact: false,
    schema: 'public',
    table: 'orders',
    columns: [
      column('id', 1, { type: 'integer', nativeType: 'integer', nullable: false, primaryKey: true }),
      column('customer_id', 2, { type: 'integer', nativeType: 'integer', nullable: false }),
      column('amount', 3, { type: 'decimal', nativeType: 'numeric(10,2)' }),
      column('ordered_on', 4, { type: 'date', nativeType: 'date' }),
    ],
    primaryKey: { columns: ['id'] },
    foreignKeys: [
      {
        name: 'orders_customer_fk',
        columns: ['customer_id'],
        references: { dataset: 'public.customers', columns: ['id'] },
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      },
    ],
    indexes: [{ name: 'orders_pkey', columns: ['id'], unique: true, primary: true }],
    sizeBytes: 1_048_576,
  };
  const lines: Dataset = {
    name: 'public.order_lines',
    kind: 'table',
    rowCount: 20_000,
    rowCountExact: true,
    columns: [
      column('order_id', 1, { type: 'integer', nativeType: 'integer', nullable: false, primaryKey: true }),
      column('line_no', 2, { type: 'integer', nativeType: 'integer', nullable: false, primaryKey: true }),
      column('product_code', 3),
      column('quantity', 4, { type: 'integer', nativeType: 'integer' }),
    ],
    primaryKey: { columns: ['order_id', 'line_no'] },
    foreignKeys: [{ columns: ['order_id'], references: { dataset: 'public.orders', columns: ['id'] } }],
    indexes: [],
  };
  const suppliers: Dataset = {
    name: evilTable,
    kind: 'table',
    rowCount: 40,
    rowCountExact: true,
    columns: [column('code', 1), column(evilColumn, 2, { type: 'string', nativeType: 'text' })],
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
  };
  const view: Dataset = {
    name: 'public.active_customers',
    kind: 'view',
    rowCount: null,
    rowCountExact: false,
    columns: [column('id', 1, { type: 'integer', nativeType: 'integer' })],
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
    definition: "SELECT id FROM customers WHERE status = 'active'",
  };
  const clients: Dataset = {
    name: 'clients',
    kind: 'file',
    rowCount: 61,
    rowCountExact: true,
    columns: [
      column('Code client', 1, {
        nativeType: 'csv text',
        nullable: false,
        inference: { dominant: 'code', conformance: 1, count: 61, nulls: 0 },
      }),
      column('Raison sociale', 2, {
        nativeType: 'csv text',
        inference: { dominant: 'text', conformance: 1, count: 61, nulls: 2 },
      }),
      column('Date création', 3, {
        type: 'date',
        nativeType: 'csv date',
        inference: { dominant: 'date', conformance: 0.95, count: 61, nulls: 0, dateLayouts: ['dmy', 'iso'] },
      }),
    ],
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
    file: {
      path: evilFile,
      sizeBytes: 6028,
      modifiedAt: '2026-10-01T08:30:00.000Z',
      encoding: 'windows-1252',
      delimiter: ';',
      quote: '"',
      lineEnding: 'CRLF',
      headerRow: 1,
      dataRow: 2,
      sniffed: ['delimiter', 'encoding'],
    },
  };
  const articles: Dataset = {
    name: 'stock/Articles',
    kind: 'sheet',
    rowCount: 67,
    rowCountExact: true,
    columns: [
      column('Référence', 1, { nativeType: 'xlsx text' }),
      column('Prix', 2, { type: 'decimal', nativeType: 'xlsx number' }),
    ],
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
    file: {
      path: '/data/stock.xlsx',
      sizeBytes: 11_448,
      modifiedAt: '2026-09-12T14:00:00.000Z',
      headerRow: 1,
      dataRow: 2,
      sheet: 'Articles',
      sheetState: 'visible',
      date1904: false,
      document: { title: 'Stock', author: 'M. Martin', company: 'Entrepôt', created: '2019-01-04T00:00:00Z' },
    },
  };

  const inventory: Inventory = {
    formatVersion: 1,
    generatedAt: '2026-11-20T09:15:00.000Z',
    tool: { name: 'stocktake', version: '0.1.0' },
    systems: [
      {
        name: 'legacy-crm',
        vendor: 'in-house (2009)',
        description: 'Customer and order management',
        domain: 'sales',
        version: '4.2',
        owner: { name: 'Sales IT', email: 'sales-it@example.org' },
        steward: { name: 'A. Durand', email: 'a.durand@example.org', phone: '+33 1 23 45 67 89' },
        criticality: 'high',
        fate: 'migrate',
        plannedDate: '2027-03-01',
        sources: ['crm'],
        facts: [
          {
            source: 'crm',
            kind: 'postgres',
            status: 'ok',
            server: {
              product: 'PostgreSQL',
              version: '16.4',
              database: 'crm',
              sizeBytes: 9_000_000,
              encoding: 'UTF8',
            },
            datasets: 5,
            rows: 26_640,
          },
        ],
      },
      {
        name: 'accounting',
        fate: 'archive',
        sources: ['clients', 'stock', 'erp'],
        facts: [
          {
            source: 'clients',
            kind: 'csv',
            status: 'ok',
            files: [{ path: evilFile, sizeBytes: 6028, modifiedAt: '2026-10-01T08:30:00.000Z' }],
            datasets: 1,
            rows: 61,
          },
        ],
      },
    ],
    sources: [
      {
        name: 'crm',
        kind: 'postgres',
        system: 'legacy-crm',
        status: 'ok',
        datasets: [customers, orders, lines, suppliers, view],
        server: { product: 'PostgreSQL', version: '16.4', database: 'crm', timeZone: 'Europe/Paris' },
        findings: [
          {
            code: 'VIEW_NOT_COUNTED',
            severity: 'info',
            source: 'crm',
            dataset: 'public.active_customers',
            message: 'views are not counted by default',
          },
        ],
        durationMs: 420,
        catalogQueries: 7,
      },
      {
        name: 'clients',
        kind: 'csv',
        system: 'accounting',
        status: 'ok',
        datasets: [clients],
        findings: [],
        durationMs: 30,
      },
      {
        name: 'stock',
        kind: 'xlsx',
        system: 'accounting',
        status: 'ok',
        datasets: [articles],
        findings: [],
        durationMs: 55,
      },
      {
        name: 'erp',
        kind: 'mysql',
        system: 'accounting',
        status: 'failed',
        datasets: [],
        error: {
          code: 'SOURCE_UNREACHABLE',
          message: 'connect ECONNREFUSED 10.0.0.5:3306',
          hint: 'is the server up?',
        },
        findings: [],
        durationMs: 5000,
      },
    ],
    findings: [
      {
        code: 'SYSTEM_WITHOUT_OWNER',
        severity: 'warning',
        source: 'erp',
        message: 'system accounting has no owner',
      },
    ],
  };

  const previous: Inventory = {
    ...inventory,
    generatedAt: '2026-10-01T09:00:00.000Z',
    sources: inventory.sources.map((s) =>
      s.name === 'crm'
        ? {
            ...s,
            datasets: [
              { ...customers, columns: customers.columns.filter((c) => c.name !== 'status') },
              {
                ...orders,
                columns: orders.columns.map((c) =>
                  c.name === 'amount' ? { ...c, nativeType: 'numeric(8,2)' } : c,
                ),
              },
              { ...lines },
              { ...view },
              { ...lines, name: 'public.legacy_totals' },
            ],
          }
        : s,
    ),
  };

  const customersProfile: DatasetProfile = {
    source: 'crm',
    dataset: 'public.customers',
    rowCount: 1200,
    duplicateRows: 3,
    candidateKeys: [['id'], ['email']],
    columns: [
      profileColumn('id', {
        type: 'integer',
        inferredType: 'integer',
        min: 1,
        max: 1200,
        patterns: [{ pattern: '9', count: 1200 }],
        topValues: [
          { value: 1, count: 1 },
          { value: 2, count: 1 },
          { value: 3, count: 1 },
        ],
        numeric: {
          mean: 600.5,
          stddev: 346.41,
          quantiles: { p5: 60.95, p25: 300.75, p50: 600.5, p75: 900.25, p95: 1140.05 },
          histogram: Array.from({ length: 10 }, (_, i) => ({
            from: 1 + i * 119.9,
            to: 1 + (i + 1) * 119.9,
            count: 120,
          })),
          outliers: { count: 0, low: -598.5, high: 1799.5, examples: [] },
        },
      }),
      profileColumn('name', {
        distinct: 1150,
        uniqueness: 0.9583,
        nulls: 12,
        nullLike: { ...ZERO_NULL_LIKE, na: 4, blank: 2 },
        topValues: [
          { value: evilValue, count: 14 },
          { value: 'Martin & Fils', count: 6 },
          { value: 'Société Générale', count: 3 },
        ],
        patterns: [
          { pattern: 'Aa A', count: 800 },
          { pattern: 'Aa', count: 300 },
          { pattern: 'A', count: 88 },
        ],
        length: { min: 2, max: 64, mean: 17.4 },
        whitespace: { leading: 2, trailing: 9 },
        variants: {
          groups: 2,
          values: 5,
          examples: [
            ['Société', 'SOCIETE', 'societe'],
            ['Dupont', 'DUPONT'],
          ],
        },
      }),
      profileColumn('email', {
        distinct: 1190,
        uniqueness: 0.9917,
        nulls: 10,
        topValues: [{ value: 'd***@e***.fr', count: 2 }],
        patterns: [{ pattern: 'a@a.a', count: 1180 }],
        formats: [{ format: 'email', count: 1172 }],
        length: { min: 9, max: 48, mean: 22.1 },
        personal: { kind: 'email', reason: '98% of values are e-mail addresses' },
      }),
      profileColumn('created_at', {
        type: 'date',
        inferredType: 'date',
        min: '2009-01-05',
        max: '2026-11-19',
        distinct: 900,
        uniqueness: 0.75,
        conformance: 0.98,
        patterns: [
          { pattern: '9-9-9', count: 1176 },
          { pattern: '9/9/9', count: 24 },
        ],
        formats: [
          { format: 'date_iso', count: 1176 },
          { format: 'date_dmy', count: 24 },
        ],
        nullLike: { ...ZERO_NULL_LIKE, zeroDate: 3 },
        numeric: {
          mean: 16_500,
          stddev: 1400,
          quantiles: { p5: 14_300, p25: 15_400, p50: 16_600, p75: 17_800, p95: 20_100 },
          histogram: [8, 20, 40, 80, 120, 160, 200, 220, 210, 142].map((count, i) => ({
            from: 14_250 + i * 640,
            to: 14_250 + (i + 1) * 640,
            count,
          })),
          outliers: { count: 2, low: 11_800, high: 21_400, examples: [0, 99_999] },
        },
      }),
      profileColumn('balance', {
        type: 'decimal',
        inferredType: 'decimal',
        min: -1500.5,
        max: 98_000,
        distinct: 1000,
        uniqueness: 0.85,
        nulls: 20,
        topValues: [{ value: 0, count: 150 }],
        patterns: [{ pattern: '9.9', count: 1000 }],
        numeric: {
          mean: 1834.2,
          stddev: 5200.7,
          quantiles: { p5: 0, p25: 120, p50: 640, p75: 1900, p95: 7200 },
          histogram: [900, 200, 40, 20, 10, 5, 2, 1, 1, 1].map((count, i) => ({
            from: -1500.5 + i * 9950.05,
            to: -1500.5 + (i + 1) * 9950.05,
            count,
          })),
          outliers: { count: 40, low: -2550, high: 4570, examples: [98_000, 45_000, -1500.5] },
        },
      }),
      profileColumn('status', {
        distinct: 3,
        uniqueness: 0.0025,
        topValues: [
          { value: 'active', count: 1000 },
          { value: 'closed', count: 190 },
          { value: 'Active', count: 10 },
        ],
        patterns: [
          { pattern: 'a', count: 1190 },
          { pattern: 'Aa', count: 10 },
        ],
        variants: { groups: 1, values: 2, examples: [['active', 'Active']] },
        valuesSampled: true,
      }),
    ],
    keyDuplicates: [{ columns: ['email'], duplicates: 4, examples: [['d***@e***.fr']] }],
    orphans: [],
    readiness: {
      score: 62.5,
      penalties: [
        { reason: '4 row(s) repeat a key', points: 6.7 },
        { reason: 'name: 0.5% null-like values', points: 0.5 },
        { reason: `name: values differing only by case or accents ${evilValue}`, points: 10 },
      ],
    },
    method: 'pushdown',
    durationMs: 120,
  };
  const ordersProfile: DatasetProfile = {
    source: 'crm',
    dataset: 'public.orders',
    rowCount: 5400,
    duplicateRows: 0,
    candidateKeys: [['id']],
    columns: [
      profileColumn('id', {
        type: 'integer',
        inferredType: 'integer',
        min: 1,
        max: 5400,
        count: 5400,
        distinct: 5400,
      }),
      profileColumn('customer_id', {
        type: 'integer',
        inferredType: 'integer',
        count: 5400,
        distinct: 1100,
        uniqueness: 0.2,
        distinctExact: false,
        distinctError: 0.01,
      }),
      profileColumn('amount', {
        type: 'decimal',
        inferredType: 'decimal',
        count: 5400,
        nulls: 5400,
        distinct: 0,
        uniqueness: null,
        min: null,
        max: null,
        patterns: [],
      }),
      profileColumn('ordered_on', { type: 'date', inferredType: 'date', count: 5400 }),
    ],
    sample: { fraction: 0.1, method: 'bernoulli' },
    keyDuplicates: [],
    orphans: [
      {
        columns: ['customer_id'],
        references: { source: 'crm', dataset: 'public.customers', columns: ['id'] },
        declared: true,
        orphans: 12,
        inclusion: 0.9978,
        examples: [[9999], [10_001]],
      },
    ],
    readiness: { score: 91, penalties: [{ reason: '12 orphan row(s)', points: 9 }] },
    method: 'stream',
    durationMs: 300,
  };
  const clientsProfile: DatasetProfile = {
    source: 'clients',
    dataset: 'clients',
    rowCount: 61,
    duplicateRows: 0,
    candidateKeys: [['Code client']],
    columns: [
      profileColumn('Code client', { count: 61, distinct: 61, patterns: [{ pattern: 'A9', count: 61 }] }),
      profileColumn('Raison sociale', { count: 61, nulls: 2, distinct: 59 }),
      profileColumn('Date création', {
        type: 'date',
        count: 61,
        distinct: 55,
        conformance: 0.95,
        formats: [
          { format: 'date_dmy', count: 50 },
          { format: 'date_iso', count: 8 },
        ],
      }),
    ],
    keyDuplicates: [],
    orphans: [
      {
        columns: ['Code client'],
        references: { source: 'crm', dataset: 'public.customers', columns: ['id'] },
        declared: false,
        orphans: 1,
        inclusion: 0.9836,
        examples: [['C9999']],
      },
    ],
    readiness: { score: 40, penalties: [{ reason: 'Date création: mixed date formats', points: 60 }] },
    method: 'stream',
    durationMs: 12,
  };
  const suppliersProfile: DatasetProfile = {
    source: 'crm',
    dataset: evilTable,
    rowCount: 40,
    duplicateRows: 0,
    candidateKeys: [],
    columns: [
      profileColumn('code', { count: 40, distinct: 40 }),
      profileColumn(evilColumn, { count: 40, distinct: 2, topValues: [{ value: evilValue, count: 39 }] }),
    ],
    keyDuplicates: [],
    orphans: [],
    readiness: { score: 95, penalties: [{ reason: 'no primary key declared', points: 5 }] },
    method: 'pushdown',
    durationMs: 5,
  };

  const findings: Finding[] = [
    {
      code: 'KEY_DUPLICATES',
      severity: 'error',
      source: 'crm',
      dataset: 'public.customers',
      message: '4 row(s) repeat a value of the key (email)',
      evidence: { columns: ['email'], duplicates: 4, examples: [['d***@e***.fr']] },
    },
    {
      code: 'NULL_LIKE_VALUES',
      severity: 'warning',
      source: 'crm',
      dataset: 'public.customers',
      column: 'name',
      message: '6 value(s) stand for a missing value (blank: 2, na: 4)',
      evidence: { blank: 2, na: 4 },
    },
    {
      code: 'CASE_ACCENT_VARIANTS',
      severity: 'warning',
      source: 'crm',
      dataset: 'public.customers',
      column: 'name',
      message: `5 distinct value(s) in 2 group(s) differ only by case or accents: ${evilValue}`,
      evidence: { groups: 2, values: 5, examples: [['Société', 'SOCIETE'], [evilValue]] },
    },
    {
      code: 'PERSONAL_DATA',
      severity: 'info',
      source: 'crm',
      dataset: 'public.customers',
      column: 'email',
      message: 'holds personal data (email): 98% of values are e-mail addresses',
      evidence: { kind: 'email' },
    },
    {
      code: 'ORPHAN_ROWS',
      severity: 'error',
      source: 'crm',
      dataset: 'public.orders',
      column: 'customer_id',
      message: '12 row(s) reference a missing crm.public.customers (customer_id → id)',
      evidence: { orphans: 12, inclusion: 0.9978, examples: [[9999], [10_001]] },
    },
    {
      code: 'COLUMN_ALL_NULL',
      severity: 'warning',
      source: 'crm',
      dataset: 'public.orders',
      column: 'amount',
      message: 'every value is null: the column is unused',
    },
    {
      code: 'MIXED_DATE_FORMATS',
      severity: 'warning',
      source: 'clients',
      dataset: 'clients',
      column: 'Date création',
      message: 'dates are written in 2 formats: date_dmy 50, date_iso 8',
      evidence: {
        formats: [
          { format: 'date_dmy', count: 50 },
          { format: 'date_iso', count: 8 },
        ],
      },
    },
    {
      code: 'NO_PRIMARY_KEY',
      severity: 'warning',
      source: 'crm',
      dataset: evilTable,
      message: `no primary key is declared ${XSS.comment}`,
      evidence: { candidateKeys: [], note: evilValue },
    },
    {
      code: 'INVALID_FORMAT',
      severity: 'warning',
      source: 'crm',
      dataset: evilTable,
      column: evilColumn,
      message: `1 of 40 value(s) are not a valid ${evilValue}`,
      evidence: { format: 'email', valid: 39, invalid: 1 },
    },
  ];

  const profile: Profile = {
    formatVersion: 1,
    generatedAt: '2026-11-20T09:20:00.000Z',
    datasets: [customersProfile, ordersProfile, clientsProfile, suppliersProfile],
    findings,
    rules: [
      {
        rule: 'email-format',
        check: 'format',
        dataset: 'crm.public.customers',
        column: 'email',
        severity: 'error',
        status: 'failed',
        checked: 1190,
        failed: 18,
        failRate: 0.0151,
        message: '18 value(s) are not e-mail addresses',
      },
      {
        rule: 'orders-not-empty',
        check: 'rowCount',
        dataset: 'crm.public.orders',
        severity: 'warning',
        status: 'passed',
        checked: 5400,
        failed: 0,
        failRate: 0,
        message: 'ok',
      },
    ],
    personalData: [
      {
        source: 'crm',
        dataset: 'public.customers',
        column: 'email',
        kind: 'email',
        reason: '98% of values are e-mail addresses',
      },
    ],
    overlaps: [
      {
        left: { source: 'crm', dataset: 'public.customers', column: 'name' },
        right: { source: 'clients', dataset: 'clients', column: 'Raison sociale' },
        leftValues: 1150,
        rightValues: 59,
        matched: 41,
        examples: ['DUPONT SARL'],
      },
    ],
    samplesShown: false,
    tool: { name: 'stocktake', version: '0.1.0' },
  };

  const plan: PlanView = {
    generatedAt: '2026-11-20T09:25:00.000Z',
    mappings: [
      {
        name: 'contacts',
        inserts: 1100,
        updates: 80,
        deletes: 0,
        unchanged: 10,
        rejects: 10,
        samples: [
          {
            kind: 'update',
            key: { external_id: 'CRM-42' },
            changes: [
              { field: 'email', old: 'J.Dupont@Example.FR ', new: 'j.dupont@example.fr' },
              { field: 'name', old: evilValue, new: 'Dupont' },
            ],
          },
          {
            kind: 'reject',
            key: { external_id: 'CSV-C00018' },
            changes: [],
            reason: 'the row has a field past the header',
            code: 'REJECT_SOURCE_ROW',
          },
          {
            kind: 'reject',
            key: { external_id: 'CSV-C00042' },
            changes: [{ field: 'n', old: null, new: 'abc' }],
            reason: `number: ${evilValue} is not a number`,
            code: 'REJECT_TYPE',
            field: 'n',
          },
        ],
      },
      { name: 'orders', inserts: 5388, updates: 0, deletes: 0, unchanged: 0, rejects: 12, samples: [] },
    ],
  };
  return { inventory, previous, profile, plan };
}
