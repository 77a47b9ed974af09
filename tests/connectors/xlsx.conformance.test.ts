import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { createXlsxConnector } from '../../src/connectors/xlsx/xlsx-connector.ts';
import {
  CONFORMANCE_COLUMNS,
  CONFORMANCE_ROWS,
  conformanceRow,
  describeConformance,
  fileFingerprint,
} from './conformance.ts';

describeConformance('xlsx', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'stocktake-conf-xlsx-')), 'book.xlsx');
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('conformance');
  sheet.addRow(CONFORMANCE_COLUMNS.map((c) => c.name));
  for (let i = 1; i <= CONFORMANCE_ROWS; i++) {
    const [id, name, amount, ratio, active, day, at] = conformanceRow(i);
    sheet.addRow([
      id,
      name,
      amount === null ? null : Number(amount),
      ratio,
      active,
      day === null ? null : new Date(`${day}T00:00:00Z`),
      at === null ? null : new Date(`${at}Z`),
    ]);
  }
  await workbook.xlsx.writeFile(file);
  return {
    dataset: 'book/conformance',
    open: () => createXlsxConnector({ kind: 'xlsx', path: file }, { name: 'conf', mode: 'audit' }),
    fingerprint: () => fileFingerprint(file),
    types: { amount: 'decimal', ratio: 'decimal' },
  };
});
