/** Workbooks whose zip entries come in an order exceljs's streaming reader does not expect. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamWorkbook } from '../../src/connectors/xlsx/xlsx-reader.ts';
import { workbookParts, zip } from '../hostile/files-corpus.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-entry-order-'));

async function sheetsOf(path: string): Promise<{ name: string; rows: unknown[][] }[]> {
  const sheets: { name: string; rows: unknown[][] }[] = [];
  for await (const sheet of streamWorkbook(path)) {
    const rows: unknown[][] = [];
    for await (const row of sheet.rows()) rows.push([...row.values]);
    sheets.push({ name: sheet.name, rows });
  }
  return sheets;
}

describe('workbook entry order', () => {
  // exceljs's own writer may put workbook.xml after the sheets (its entries are added as they are ready).
  it('reads sheets that come after the relationships and shared strings but before workbook.xml', async () => {
    const parts = workbookParts({
      Data: [
        ['a', 1],
        ['b', 2],
      ],
      Autre: [['c', 3]],
    });
    const workbook = parts.find((p) => p.name === 'xl/workbook.xml')!;
    const path = join(root, 'workbook-last.xlsx');
    writeFileSync(path, zip([...parts.filter((p) => p !== workbook), workbook]));
    expect(parts.map((p) => p.name).indexOf('xl/sharedStrings.xml')).toBeLessThan(
      parts.map((p) => p.name).indexOf('xl/worksheets/sheet1.xml'),
    );
    expect(await sheetsOf(path)).toEqual([
      {
        name: 'Data',
        rows: [
          ['a', 1],
          ['b', 2],
        ],
      },
      { name: 'Autre', rows: [['c', 3]] },
    ]);
  });
});
