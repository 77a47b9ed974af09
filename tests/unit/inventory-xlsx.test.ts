import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Column, Dataset, Inventory } from '../../src/core/inventory.ts';
import { INVENTORY_SHEETS, writeInventoryXlsx } from '../../src/report/inventory-xlsx.ts';

function column(name: string, position: number, extra: Partial<Column> = {}): Column {
  return { name, type: 'string', nativeType: 'TEXT', nullable: true, primaryKey: false, position, ...extra };
}

const customers: Dataset = {
  name: 'public.customers',
  kind: 'table',
  rowCount: 1_234_567,
  rowCountExact: false,
  columns: [
    column('id', 1, {
      type: 'integer',
      nativeType: 'integer',
      nullable: false,
      primaryKey: true,
      autoIncrement: true,
    }),
    column('name', 2, { nativeType: 'character varying(80)', comment: '=1+1' }),
    column('balance', 3, { type: 'decimal', nativeType: 'numeric(12,2)', default: '0' }),
  ],
  primaryKey: { name: 'customers_pkey', columns: ['id'] },
  foreignKeys: [],
  indexes: [],
  sizeBytes: 2_097_152,
  comment: '+33 1 23 45 67 89',
};

const orderLines: Dataset = {
  name: 'public.order_lines',
  kind: 'table',
  rowCount: 42,
  rowCountExact: true,
  columns: [
    column('order_id', 1, { type: 'integer', nativeType: 'integer', nullable: false, primaryKey: true }),
    column('line_no', 2, { type: 'integer', nativeType: 'integer', nullable: false, primaryKey: true }),
    column('customer_id', 3, { type: 'integer', nativeType: 'integer' }),
  ],
  primaryKey: { columns: ['order_id', 'line_no'] },
  foreignKeys: [
    {
      name: 'fk_lines_customer',
      columns: ['customer_id'],
      references: { dataset: 'public.customers', columns: ['id'] },
      onDelete: 'CASCADE',
      onUpdate: 'NO ACTION',
    },
  ],
  indexes: [],
};

const view: Dataset = {
  name: '@weird view',
  kind: 'view',
  rowCount: null,
  rowCountExact: false,
  columns: [column('-minus', 1), column('bell\u0007', 2)],
  primaryKey: null,
  foreignKeys: [],
  indexes: [],
};

const inventory: Inventory = {
  formatVersion: 1,
  generatedAt: '2024-01-02T03:04:05.000Z',
  tool: { name: 'stocktake', version: '0.1.0' },
  systems: [
    {
      name: 'crm',
      vendor: 'in-house',
      owner: { name: 'Sales IT', email: 'sales-it@example.org' },
      fate: 'migrate',
      sources: ['crm'],
      facts: [
        {
          source: 'crm',
          kind: 'postgres',
          status: 'ok',
          server: { product: 'PostgreSQL', version: '16.2', sizeBytes: 7708007 },
          datasets: 3,
          rows: 12,
        },
      ],
    },
  ],
  sources: [
    {
      name: 'crm',
      kind: 'postgres',
      system: 'crm',
      status: 'ok',
      datasets: [customers, orderLines, view],
      server: { product: 'PostgreSQL', version: '16.2' },
      findings: [],
      durationMs: 12,
    },
    {
      name: 'billing',
      kind: 'mysql',
      system: null,
      status: 'failed',
      datasets: [],
      error: {
        code: 'SOURCE_UNREACHABLE',
        message: 'billing: cannot reach db.example.org:3306',
        hint: 'check the host',
      },
      findings: [],
      durationMs: 5,
    },
  ],
};

describe('writeInventoryXlsx', () => {
  let dir: string;
  let file: string;
  let workbook: ExcelJS.Workbook;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-xlsx-'));
    file = join(dir, 'out', 'inventory.xlsx');
    await writeInventoryXlsx(inventory, file);
    workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function sheet(name: string): ExcelJS.Worksheet {
    const ws = workbook.getWorksheet(name);
    if (!ws) throw new Error(`no sheet ${name}`);
    return ws;
  }

  function rowValues(ws: ExcelJS.Worksheet, row: number): unknown[] {
    const values = ws.getRow(row).values as unknown[];
    return values.slice(1);
  }

  it('writes the sheets in order and leaves no partial file', () => {
    expect(workbook.worksheets.map((w) => w.name)).toEqual([...INVENTORY_SHEETS]);
    expect(readdirSync(join(dir, 'out'))).toEqual(['inventory.xlsx']);
  });

  it('has a bold, filled, frozen header row and an autofilter on every sheet', () => {
    for (const name of INVENTORY_SHEETS) {
      const ws = sheet(name);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1, xSplit: 0 });
      const header = ws.getRow(1).getCell(1);
      expect(header.font?.bold).toBe(true);
      expect(header.fill).toMatchObject({ type: 'pattern', pattern: 'solid' });
      expect(ws.autoFilter).toBeTruthy();
    }
    expect(sheet('Datasets').autoFilter).toBe('A1:L5');
    expect(sheet('Columns').autoFilter).toBe('A1:K9');
  });

  it('writes the estate register: declared facts beside facts read from the sources', () => {
    const systems = sheet('Systems');
    expect(rowValues(systems, 1).slice(0, 11)).toEqual([
      'System',
      'Vendor',
      'Domain',
      'Owner',
      'Owner e-mail',
      'Data steward',
      'Criticality',
      'Fate',
      'Planned date',
      'Declared version',
      'Source',
    ]);
    const row = rowValues(systems, 2);
    expect(row[0]).toBe('crm');
    expect(row[3]).toBe('Sales IT');
    expect(row[7]).toBe('migrate');
    expect(row.slice(10, 14)).toEqual(['crm', 'PostgreSQL', '16.2', 7708007]);
  });

  it('writes the header rows', () => {
    expect(rowValues(sheet('Datasets'), 1)).toEqual([
      'Source',
      'System',
      'Source kind',
      'Dataset',
      'Kind',
      'Rows',
      'Exact?',
      'Columns',
      'Primary key',
      'Foreign keys',
      'Size (bytes)',
      'Comment',
    ]);
    expect(rowValues(sheet('Columns'), 1)).toEqual([
      'Source',
      'Dataset',
      'Position',
      'Column',
      'Logical type',
      'Native type',
      'Nullable',
      'PK',
      'Default',
      'Auto-increment',
      'Comment',
    ]);
    expect(rowValues(sheet('Relations'), 1)[3]).toBe('References dataset');
    expect(rowValues(sheet('Sources'), 1)).toContain('Error');
  });

  it('writes one row per dataset with counts formatted with thousands separators', () => {
    const ws = sheet('Datasets');
    expect(rowValues(ws, 2)).toEqual([
      'crm',
      'crm',
      'postgres',
      'public.customers',
      'table',
      1_234_567,
      'no',
      3,
      'id',
      0,
      2_097_152,
      "'+33 1 23 45 67 89",
    ]);
    expect(ws.getCell('F2').numFmt).toBe('#,##0');
    expect(ws.getCell('K2').numFmt).toBe('#,##0');
    expect(ws.getCell('I3').value).toBe('order_id, line_no');
    expect(ws.getCell('F4').value).toBeNull();
  });

  it('shows a failed source in red on the Datasets and Sources sheets', () => {
    const datasets = sheet('Datasets');
    expect(datasets.getCell('A5').value).toBe('billing');
    expect(datasets.getCell('L5').value).toBe(
      'not scanned: SOURCE_UNREACHABLE: billing: cannot reach db.example.org:3306',
    );
    expect(datasets.getCell('A5').font?.color?.argb).toBe('FFB91C1C');
    const sources = sheet('Sources');
    expect(rowValues(sources, 3)).toEqual([
      'billing',
      'mysql',
      undefined,
      'failed',
      undefined,
      undefined,
      undefined,
      'SOURCE_UNREACHABLE',
      'billing: cannot reach db.example.org:3306',
      'check the host',
    ]);
    expect(sources.getCell('D3').font?.color?.argb).toBe('FFB91C1C');
    expect(rowValues(sources, 2).slice(0, 7)).toEqual([
      'crm',
      'postgres',
      'crm',
      'ok',
      'PostgreSQL',
      '16.2',
      3,
    ]);
  });

  it('writes columns and relations', () => {
    const columns = sheet('Columns');
    expect(rowValues(columns, 2)).toEqual([
      'crm',
      'public.customers',
      1,
      'id',
      'integer',
      'integer',
      'no',
      'yes',
      undefined,
      'yes',
    ]);
    expect(columns.getCell('I4').value).toBe('0');
    expect(rowValues(sheet('Relations'), 2)).toEqual([
      'crm',
      'public.order_lines',
      'customer_id',
      'public.customers',
      'id',
      'CASCADE',
      'NO ACTION',
      'fk_lines_customer',
    ]);
  });

  it('writes values that look like formulas as text with a leading apostrophe', () => {
    const columns = sheet('Columns');
    const formula = columns.getCell('K3');
    expect(formula.value).toBe("'=1+1");
    expect(formula.type).toBe(ExcelJS.ValueType.String);
    expect(columns.getCell('D8').value).toBe("'-minus");
    expect(sheet('Datasets').getCell('D4').value).toBe("'@weird view");
    expect(columns.getCell('D9').value).toBe('bell\uFFFD');
    const xml = sheetXml(file);
    expect(xml).toContain('<sheetData>');
    expect(xml).not.toMatch(/<f[ >]/);
  });

  it('sizes columns from their content, within bounds', () => {
    const ws = sheet('Datasets');
    const dataset = ws.getColumn(4).width!;
    expect(dataset).toBeGreaterThanOrEqual('public.order_lines'.length);
    expect(dataset).toBeLessThan(30);
    const comment = ws.getColumn(12).width!;
    expect(comment).toBeLessThanOrEqual(80);
    expect(comment).toBeGreaterThan('not scanned: SOURCE_UNREACHABLE'.length);
  });

  it('streams a 1,000 tables × 20 columns inventory', async () => {
    const tables: Dataset[] = Array.from({ length: 1_000 }, (_, t) => ({
      name: `public.table_${t}`,
      kind: 'table',
      rowCount: t * 1_000,
      rowCountExact: true,
      columns: Array.from({ length: 20 }, (_, c) => column(`column_${c}`, c + 1)),
      primaryKey: { columns: ['column_0'] },
      foreignKeys:
        t === 0
          ? []
          : [
              {
                columns: ['column_1'],
                references: { dataset: `public.table_${t - 1}`, columns: ['column_0'] },
              },
            ],
      indexes: [],
    }));
    const large: Inventory = { ...inventory, sources: [{ ...inventory.sources[0]!, datasets: tables }] };
    const out = join(dir, 'large.xlsx');
    await writeInventoryXlsx(large, out);
    expect(existsSync(out)).toBe(true);
    let columnRows = 0;
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(out, {});
    for await (const ws of reader) {
      let rows = 0;
      for await (const _row of ws) rows++;
      if (columnRows === 0 && rows > 10_000) columnRows = rows;
    }
    expect(columnRows).toBe(20_001);
  });
});

/** The XML of every worksheet in the workbook, read straight from the zip. */
function sheetXml(file: string): string {
  const zip = readFileSync(file);
  let xml = '';
  // Walk the central directory: enough of the zip format to read the sheets back without exceljs.
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let offset = zip.readUInt32LE(end + 16);
  const entries = zip.readUInt16LE(end + 10);
  for (let i = 0; i < entries; i++) {
    const method = zip.readUInt16LE(offset + 10);
    const size = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extra = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const local = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (name.startsWith('xl/worksheets/sheet')) {
      const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const data = zip.subarray(start, start + size);
      xml += method === 8 ? inflateRawSync(data).toString('utf8') : data.toString('utf8');
    }
    offset += 46 + nameLength + extra + commentLength;
  }
  return xml;
}
