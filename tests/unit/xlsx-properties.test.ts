import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { createXlsxConnector } from '../../src/connectors/xlsx/xlsx-connector.ts';
import { readDocumentProperties } from '../../src/connectors/xlsx/xlsx-properties.ts';

describe('workbook document properties', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-props-'));

  it('reads author, company and dates into the inventory', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.creator = 'Jeanne Martin & fils';
    workbook.lastModifiedBy = 'Paul <Compta>';
    workbook.company = 'Boulangerie Martin';
    workbook.title = 'Stock 2024';
    workbook.created = new Date('2019-04-02T08:15:00Z');
    workbook.modified = new Date('2024-11-30T17:45:00Z');
    workbook.addWorksheet('Articles').addRows([
      ['Code', 'Libellé'],
      ['A1', 'Pain'],
    ]);
    const file = join(dir, 'stock.xlsx');
    await workbook.xlsx.writeFile(file);

    const connector = await createXlsxConnector(
      { kind: 'xlsx', path: file },
      { name: 'stock', mode: 'audit' },
    );
    const inventory = await connector.inventory();
    await connector.close();
    expect(inventory.datasets[0]!.file!.document).toEqual({
      title: 'Stock 2024',
      author: 'Jeanne Martin & fils',
      lastModifiedBy: 'Paul <Compta>',
      created: '2019-04-02T08:15:00Z',
      modified: '2024-11-30T17:45:00Z',
      company: 'Boulangerie Martin',
      application: 'Microsoft Excel',
    });
  });

  it('returns nothing for a file that is not a workbook', async () => {
    const file = join(dir, 'junk.xlsx');
    writeFileSync(file, 'not a zip at all');
    expect(await readDocumentProperties(file)).toBeUndefined();
  });
});
