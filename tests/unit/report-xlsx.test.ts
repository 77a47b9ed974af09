import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/inventory.ts';
import { AUDIT_SHEETS, writeAuditXlsx } from '../../src/report/audit-xlsx.ts';
import { writeTableWorkbook } from '../../src/report/xlsx-table.ts';
import { fixtureDocuments } from '../browser/report-fixtures.ts';

const INJECTION = '=HYPERLINK("http://evil.example","click")';

describe('audit.xlsx', () => {
  let dir: string;
  const workbook = new ExcelJS.Workbook();
  const sheet = (name: string) => {
    const ws = workbook.getWorksheet(name);
    if (!ws) throw new Error(`no sheet ${name}`);
    return ws;
  };
  const rowsOf = (name: string) => {
    const rows: unknown[][] = [];
    sheet(name).eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    return rows;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-audit-xlsx-'));
    const { inventory, profile } = fixtureDocuments();
    const planted: Finding = {
      code: 'INVALID_FORMAT',
      severity: 'warning',
      source: 'crm',
      dataset: 'public.customers',
      column: 'email',
      message: INJECTION,
      evidence: { note: '+33 1 23 45 67 89' },
    };
    const file = join(dir, 'audit.xlsx');
    await writeAuditXlsx(inventory, { ...profile, findings: [...profile.findings, planted] }, file);
    await workbook.xlsx.readFile(file);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has the inventory, profile, findings, rules and personal-data sheets, frozen and filtered', () => {
    expect(workbook.worksheets.map((w) => w.name)).toEqual([...AUDIT_SHEETS]);
    for (const ws of workbook.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.autoFilter).toBeTruthy();
      expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    }
  });

  it('writes one inventory row per dataset with its readiness in colour, and failed sources in red', () => {
    const rows = rowsOf('Inventory');
    expect(rows).toHaveLength(1 + 7 + 1);
    const customers = rows.find((r) => r[2] === 'public.customers')!;
    expect(customers.slice(0, 9)).toEqual([
      'crm',
      'legacy-crm',
      'public.customers',
      'table',
      1200,
      6,
      'id',
      0,
      62.5,
    ]);
    const row = sheet('Inventory').getRow(rows.indexOf(customers) + 1);
    expect((row.getCell(9).fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFEF3C7');
    expect(row.getCell(11).value).toBe(1);
    const failed = sheet('Inventory').getRow(rows.findIndex((r) => r[0] === 'erp') + 1);
    expect(String(failed.getCell(10).value)).toContain('SOURCE_UNREACHABLE');
    expect((failed.getCell(1).fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFDE8E8');
  });

  it('writes one profile row per column with its metrics', () => {
    const ws = sheet('Profile');
    const rows = rowsOf('Profile');
    const header = rows[0] as string[];
    expect(rows).toHaveLength(1 + 22);
    const name = rows.find((r) => r[1] === 'public.customers' && r[2] === 'name')!;
    const get = (h: string) => name[header.indexOf(h)];
    expect(get('Rows')).toBe(1200);
    expect(get('Nulls')).toBe(12);
    expect(get('Null %')).toBeCloseTo(0.01);
    expect(get('Null-like')).toBe(6);
    expect(get('Variant groups')).toBe(2);
    expect(get('Top shapes')).toBe('Aa A (800), Aa (300), A (88)');
    expect(ws.getRow(rows.indexOf(name) + 1).getCell(header.indexOf('Null %') + 1).numFmt).toBe('0.0%');
    // A column with warnings has its name in amber; a column of an unprofiled dataset has no metrics.
    expect((ws.getRow(rows.indexOf(name) + 1).getCell(3).fill as ExcelJS.FillPattern).fgColor?.argb).toBe(
      'FFFEF3C7',
    );
    const price = rows.find((r) => r[2] === 'Prix')!;
    expect(price[header.indexOf('Rows')]).toBeUndefined();
  });

  it('lists findings worst first with the severity cell coloured, formulas neutralised as text', () => {
    const ws = sheet('Findings');
    const rows = rowsOf('Findings');
    const severities = rows.slice(1).map((r) => r[0]);
    expect(severities.indexOf('warning')).toBeGreaterThan(severities.lastIndexOf('error'));
    expect(severities.indexOf('info')).toBeGreaterThan(severities.lastIndexOf('warning'));
    expect((ws.getRow(2).getCell(1).fill as ExcelJS.FillPattern).fgColor?.argb).toBe('FFFDE8E8');
    const planted = rows.findIndex((r) => r[5] === `'${INJECTION}`);
    const cell = ws.getRow(planted + 1).getCell(6);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe(`'${INJECTION}`);
    expect(ws.getRow(planted + 1).getCell(7).value).toBe('{"note":"+33 1 23 45 67 89"}');
  });

  it('writes the rules and the personal-data register', () => {
    expect(rowsOf('Rules')[1]!.slice(0, 3)).toEqual(['failed', 'error', 'email-format']);
    expect(rowsOf('Personal data')[1]).toEqual([
      'crm',
      'public.customers',
      'email',
      'email',
      '98% of values are e-mail addresses',
    ]);
  });
});

describe('workbook cells', () => {
  it('writes a decimal column’s bounds as numbers, unless a double would round them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-xlsx-bounds-'));
    try {
      const { inventory, profile } = fixtureDocuments();
      const datasets = profile.datasets.map((d) => ({
        ...d,
        columns: d.columns.map((c) =>
          c.name === 'balance' ? { ...c, min: '-1234567.89', max: '12345678901234567.5' } : c,
        ),
      }));
      const file = join(dir, 'audit.xlsx');
      await writeAuditXlsx(inventory, { ...profile, datasets }, file);
      const read = new ExcelJS.Workbook();
      await read.xlsx.readFile(file);
      const rows: unknown[][] = [];
      read.getWorksheet('Profile')!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
      const header = rows[0] as string[];
      const balance = rows.find((r) => r[2] === 'balance')!;
      expect([balance[header.indexOf('Min')], balance[header.indexOf('Max')]]).toEqual([
        -1234567.89,
        '12345678901234567.5',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes NaN and infinities as text, which a spreadsheet can hold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-xlsx-special-'));
    try {
      const file = join(dir, 't.xlsx');
      await writeTableWorkbook(file, [
        {
          name: 'values',
          columns: [{ header: 'mean', format: 'decimal' }],
          rows: () =>
            [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5].map((v) => ({
              cells: [v],
            })),
        },
      ]);
      const read = new ExcelJS.Workbook();
      await read.xlsx.readFile(file);
      const cells: unknown[] = [];
      read.getWorksheet('values')!.eachRow((row) => cells.push(row.getCell(1).value));
      expect(cells).toEqual(['mean', 'NaN', 'Infinity', '-Infinity', 1.5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets writes of the same workbook run at once (two runs writing one folder): each renames a whole file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-xlsx-concurrent-'));
    try {
      const file = join(dir, 'inventory.xlsx');
      const write = (label: string) =>
        writeTableWorkbook(file, [
          {
            name: 'rows',
            columns: [{ header: 'label', format: 'text' }],
            rows: () => Array.from({ length: 2000 }, (_, i) => ({ cells: [`${label} ${i}`] })),
          },
        ]);
      await Promise.all(['a', 'b', 'c'].map(write));
      const read = new ExcelJS.Workbook();
      await read.xlsx.readFile(file);
      expect(read.getWorksheet('rows')!.rowCount).toBe(2001);
      expect(readdirSync(dir)).toEqual(['inventory.xlsx']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
