import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { SourceEntry } from '../../src/core/inventory.ts';
import { summariseInventory } from '../../src/report/inventory-console.ts';
import { buildEstateRegister } from '../../src/stages/estate-register.ts';

const config = parseConfig(
  `
systems:
  crm: { vendor: in-house, owner: { name: Sales IT, email: sales-it@example.org }, fate: migrate, plannedDate: 2027-03-31 }
  stock: { vendor: Excel, fate: archive }
  ghost: { owner: { name: Nobody }, fate: retire }
sources:
  crm: { kind: sqlite, path: crm.sqlite, system: crm }
  stock: { kind: xlsx, path: stock.xlsx, system: stock }
  loose: { kind: csv, path: loose.csv }
`,
  '/srv/audit/stocktake.yaml',
  {},
).config;

const source = (name: string, system: string | null, extra: Partial<SourceEntry> = {}): SourceEntry => ({
  name,
  kind: 'sqlite',
  system,
  status: 'ok',
  datasets: [],
  findings: [],
  durationMs: 1,
  ...extra,
});

const sources: SourceEntry[] = [
  source('crm', 'crm', {
    server: { product: 'SQLite', version: '3.53.2', sizeBytes: 4096 },
    datasets: [
      {
        name: 'a',
        kind: 'table',
        rowCount: 3,
        rowCountExact: true,
        columns: [],
        primaryKey: null,
        foreignKeys: [],
        indexes: [],
      },
      {
        name: 'b',
        kind: 'view',
        rowCount: null,
        rowCountExact: false,
        columns: [],
        primaryKey: null,
        foreignKeys: [],
        indexes: [],
      },
    ],
  }),
  source('stock', 'stock', {
    kind: 'xlsx',
    datasets: ['Articles', 'Dépôts'].map((sheet) => ({
      name: `stock/${sheet}`,
      kind: 'sheet' as const,
      rowCount: 10,
      rowCountExact: true,
      columns: [],
      primaryKey: null,
      foreignKeys: [],
      indexes: [],
      file: {
        path: '/srv/audit/stock.xlsx',
        sizeBytes: 9000,
        modifiedAt: '2026-10-01T08:00:00.000Z',
        headerRow: 2,
        dataRow: 3,
        sheet,
        document: { author: 'J. Martin', company: 'ACME' },
      },
    })),
  }),
  source('loose', null, { kind: 'csv' }),
];

describe('estate register', () => {
  const register = buildEstateRegister(config, sources);

  it('lists each system with its declarations, sources and facts read from them', () => {
    expect(register.systems.map((s) => [s.name, s.sources])).toEqual([
      ['crm', ['crm']],
      ['stock', ['stock']],
      ['ghost', []],
    ]);
    expect(register.systems[0]).toMatchObject({
      vendor: 'in-house',
      fate: 'migrate',
      plannedDate: '2027-03-31',
      facts: [{ source: 'crm', server: { product: 'SQLite', version: '3.53.2' }, datasets: 2, rows: 3 }],
    });
    // Two sheets of one workbook are one file.
    expect(register.systems[1]!.facts[0]!.files).toEqual([
      {
        path: '/srv/audit/stock.xlsx',
        sizeBytes: 9000,
        modifiedAt: '2026-10-01T08:00:00.000Z',
        document: { author: 'J. Martin', company: 'ACME' },
      },
    ]);
  });

  it('turns the gaps of the register into findings', () => {
    expect(register.findings.map((f) => [f.code, f.severity, f.message])).toEqual([
      [
        'SYSTEM_MIGRATE_UNMAPPED',
        'warning',
        'system crm is to be migrated but no mapping reads from its sources yet',
      ],
      ['SYSTEM_WITHOUT_OWNER', 'warning', 'system stock has no owner: nobody answers for it'],
      [
        'SOURCE_WITHOUT_SYSTEM',
        'info',
        'source loose names no system: say which software it belongs to (sources.loose.system)',
      ],
    ]);
  });

  it('registers only the systems of the sources --only selected, with only their gaps', () => {
    const partial = buildEstateRegister(config, [sources[1]!], { partial: true });
    expect(partial.systems.map((s) => s.name)).toEqual(['stock']);
    // crm's unmapped migration and the source-less ghost are out of scope of an inventory of stock alone.
    expect(partial.findings.map((f) => f.code)).toEqual(['SYSTEM_WITHOUT_OWNER']);
  });

  it('groups the console summary by system', () => {
    const lines = summariseInventory({
      formatVersion: 1,
      generatedAt: '2026-11-27T00:00:00.000Z',
      systems: register.systems,
      sources,
      tool: { name: 'stocktake', version: '0' },
      findings: register.findings,
    });
    const headings = lines.filter((l) => /^(System|Sources without)/.test(l));
    expect(headings).toEqual([
      'System crm (in-house, owner Sales IT <sales-it@example.org>, fate: migrate on 2027-03-31)',
      'System stock (Excel, no owner, fate: archive)',
      'System ghost (owner Nobody, fate: retire)',
      'Sources without a system',
    ]);
    expect(lines[lines.indexOf(headings[3]!) + 1]).toMatch(/^ {2}✓ loose \(csv\)/);
  });

  it('validates systems like the rest of the config', () => {
    expect(() =>
      parseConfig(
        'systems:\n  crm: { fate: migrated, owner: { name: X, email: not-an-email }, plannedDate: 31/03/2027 }\nsources:\n  a: { kind: csv, path: a.csv }\n',
        'stocktake.yaml',
        {},
      ),
    ).toThrow(
      /systems\.crm\.fate: expected one of "migrate", "archive", "retire", "keep", got "migrated" \(did you mean "migrate"\?\)[\s\S]*systems\.crm\.owner\.email: Invalid email address[\s\S]*systems\.crm\.plannedDate: Invalid ISO date/,
    );
  });
});
