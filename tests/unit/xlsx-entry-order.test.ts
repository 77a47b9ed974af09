/** Workbooks whose zip entries come in an order exceljs's streaming reader does not expect. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { streamWorkbook } from '../../src/connectors/xlsx/xlsx-reader.ts';
import { isStocktakeError } from '../../src/core/errors.ts';
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

  // exceljs reads the zip in one streaming pass, which now and then ends without its last entry
  // (exceljs#3064): the sheets then came named Sheet1, Sheet2 and a read for `Data` returned no rows.
  it('reads the workbook again when workbook.xml was not delivered, and fails when it never is', async () => {
    const parts = workbookParts({ Data: [['a', 1]], Autre: [['c', 3]] });
    const workbook = parts.find((p) => p.name === 'xl/workbook.xml')!;
    const path = join(root, 'lost-entry.xlsx');
    writeFileSync(path, zip([...parts.filter((p) => p !== workbook), workbook]));
    const proto = (
      ExcelJS as unknown as { stream: { xlsx: { WorkbookReader: { prototype: Record<string, unknown> } } } }
    ).stream.xlsx.WorkbookReader.prototype;
    const parseWorkbook = proto._parseWorkbook as (entry: unknown) => Promise<void>;
    let calls = 0;
    // The first pass loses workbook.xml, as the race does.
    proto._parseWorkbook = async function (this: unknown, entry: AsyncIterable<unknown>) {
      if (++calls === 1) {
        for await (const _chunk of entry);
        return;
      }
      return parseWorkbook.call(this, entry);
    };
    try {
      expect((await sheetsOf(path)).map((s) => [s.name, s.rows])).toEqual([
        ['Data', [['a', 1]]],
        ['Autre', [['c', 3]]],
      ]);
      expect(calls).toBe(2);
    } finally {
      proto._parseWorkbook = parseWorkbook;
    }

    const missing = join(root, 'no-workbook.xlsx');
    writeFileSync(missing, zip(parts.filter((p) => p !== workbook)));
    await expect(sheetsOf(missing)).rejects.toSatisfy(
      (e) => isStocktakeError(e, 'XLSX_UNREADABLE') && /workbook\.xml/.test((e as Error).message),
    );
  });
});
