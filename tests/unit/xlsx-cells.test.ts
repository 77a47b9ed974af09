/** Cells as spreadsheet tools write them, read as their values: what exceljs's streaming reader drops or misreads. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { createXlsxConnector } from '../../src/connectors/xlsx/xlsx-connector.ts';
import { isDateFormat, normaliseSheetXml, streamWorkbook } from '../../src/connectors/xlsx/xlsx-reader.ts';
import { rawSheetWorkbook } from '../hostile/files-corpus.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-xlsx-cells-'));

/** The rows of the first sheet of a workbook whose sheet data is `body`, with the errors by column. */
async function rowsOf(name: string, body: string): Promise<{ values: unknown[]; errors?: unknown }[]> {
  const path = join(root, `${name}.xlsx`);
  writeFileSync(path, rawSheetWorkbook(body));
  const rows: { values: unknown[]; errors?: unknown }[] = [];
  for await (const sheet of streamWorkbook(path)) {
    for await (const row of sheet.rows())
      rows.push(row.errors ? { values: [...row.values], errors: row.errors } : { values: [...row.values] });
    break;
  }
  return rows;
}

/** The values of the rows of the first sheet of `workbook`, written as `name`.xlsx and read back. */
async function valuesOf(workbook: ExcelJS.Workbook, name: string): Promise<unknown[][]> {
  const path = join(root, `${name}.xlsx`);
  await workbook.xlsx.writeFile(path);
  const rows: unknown[][] = [];
  for await (const sheet of streamWorkbook(path)) {
    for await (const row of sheet.rows()) rows.push([...row.values]);
    break;
  }
  return rows;
}

describe('xlsx cells', () => {
  it('reads a formula whose cached result is 0, "" or FALSE as that value, not as an error', async () => {
    const rows = await rowsOf(
      'falsy-formulas',
      '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' +
        '<row r="2"><c r="A2"><f>B2-B2</f><v>0</v></c><c r="B2" t="str"><f>IF(1,"","x")</f><v></v></c>' +
        '<c r="C2" t="b"><f>1&gt;2</f><v>0</v></c><c r="D2"><f>1/0</f></c></row>',
    );
    expect(rows[1]!.values.slice(0, 3)).toEqual([0, '', 0]);
    // A formula without a cached value is still one: its cell is reported.
    expect(rows[1]!.errors).toEqual(new Map([[3, 'an error or no cached value']]));
  });

  it('reads ISO date cells (t="d") as the dates they write, not as their year', async () => {
    const rows = await rowsOf(
      'iso-dates',
      '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' +
        '<row r="2"><c r="A2" t="d"><v>2024-03-02T10:30:00</v></c><c r="B2" t=\'d\'><v>2024-03-02</v></c><c r="C2"><v>7</v></c></row>',
    );
    expect(rows[1]!.values).toEqual(['2024-03-02T10:30:00', '2024-03-02', 7]);
  });

  it('gives the same sheet XML wherever a chunk boundary cuts it', async () => {
    const xml =
      '<row r="2"><c r="A2" t="d"><v>2024-03-02</v></c><c r="B2"><v>1</v></c><c r="C2" s="1"/>' +
      '<c r="D2" t="inlineStr"><is><r><t>Dupont </t></r><r><t>SARL</t></r></is></c>' +
      '<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>';
    const normalised = async (parts: string[]) => {
      const out: Buffer[] = [];
      for await (const chunk of normaliseSheetXml(
        (async function* () {
          for (const part of parts) yield Buffer.from(part);
        })(),
      ))
        out.push(chunk);
      return Buffer.concat(out).toString();
    };
    const whole = await normalised([xml]);
    expect(whole).toBe(
      '<row r="2"><c r="A2" t="str"><v>2024-03-02</v></c><c r="B2"><v>1</v></c>' +
        '<c r="D2" t="inlineStr"><is><t xml:space="preserve">Dupont SARL</t></is></c>' +
        '<c r="E2" t="str"><f>1/0</f><v>\ue000#DIV/0!</v></c></row>',
    );
    for (let cut = 1; cut < xml.length; cut++)
      expect(await normalised([xml.slice(0, cut), xml.slice(cut)]), `cut at ${cut}`).toBe(whole);
  });

  it('ends a row at its last value, however far right an empty or blank cell sits', async () => {
    const rows = [
      '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>',
      '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c><c r="XFD2" t="inlineStr"><is><t> </t></is></c></row>',
    ];
    for (let r = 3; r < 2003; r++)
      rows.push(`<row r="${r}"><c r="A${r}"><v>${r}</v></c><c r="XFD${r}"/></row>`);
    const read = await rowsOf('far-right', rows.join(''));
    expect(read).toHaveLength(2002);
    // The blank at XFD2 is a value of its row; the empty cells at XFD are not.
    expect(read[1]!.values).toHaveLength(16_384);
    expect(read[2]!.values).toEqual([3]);
    const path = join(root, 'far-right-scan.xlsx');
    writeFileSync(path, rawSheetWorkbook(rows.join('')));
    const connector = await createXlsxConnector({ kind: 'xlsx', path }, { name: 'files', mode: 'audit' });
    const [dataset] = (await connector.inventory()).datasets;
    expect(dataset!.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(dataset!.rowCount).toBe(2001);
  });

  it('reads every run of an inline rich text, not the last one alone', async () => {
    const rows = await rowsOf(
      'rich-inline',
      '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' +
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t xml:space="preserve">Dupont </t></r><r><rPr><b/></rPr><t>SARL</t></r></is></c>' +
        '<c r="B2" t="inlineStr"><is><t>plain</t></is></c>' +
        // Empty runs, self-closed, add nothing.
        '<c r="C2" t="inlineStr"><is><r><t/></r><r><t>Dupont</t></r><r><t xml:space="preserve"/></r></is></c></row>',
    );
    expect(rows[1]!.values).toEqual(['Dupont SARL', 'plain', 'Dupont']);
    // Line breaks between the runs, as an indenting writer puts them.
    const pretty = await rowsOf(
      'rich-inline-indented',
      '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' +
        '<row r="2"><c r="A2" t="inlineStr"><is>\n    <r><t xml:space="preserve">Martin </t></r>\n    <r><t>SAS</t></r>\n  </is></c></row>',
    );
    expect(pretty[1]!.values).toEqual(['Martin SAS']);
  });

  it("keeps a formula error's text (#DIV/0!), as it keeps a plain error cell's", async () => {
    const rows = await rowsOf(
      'formula-errors',
      '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' +
        '<row r="2"><c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B2" t="e"><v>#N/A</v></c>' +
        '<c r="C2"><f>1+1</f><v>2</v></c></row>',
    );
    expect(rows[1]!.values).toEqual([null, null, 2]);
    expect(rows[1]!.errors).toEqual(
      new Map([
        [0, '#DIV/0!'],
        [1, '#N/A'],
      ]),
    );
  });

  it('decodes the escapes Excel writes for characters XML strings cannot carry', async () => {
    const rows = await rowsOf(
      'escapes',
      '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' +
        '<row r="2"><c r="A2" t="inlineStr"><is><t>ligne 1_x000D_\nligne 2</t></is></c>' +
        '<c r="B2" t="str"><f>"x"</f><v>Tab_x0009_ici</v></c>' +
        '<c r="C2" t="inlineStr"><is><t>_x005F_x0041_ reste écrit</t></is></c></row>',
    );
    expect(rows[1]!.values).toEqual(['ligne 1\r\nligne 2', 'Tab\tici', '_x0041_ reste écrit']);
  });

  it('keeps numbers whose format escapes letters, and dates of serials 1 to 59 on their day', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('S');
    sheet.addRow(['duree', 'distance', 'jour', 'debut']);
    const row = sheet.addRow([8, 12.5, 1, 59]);
    row.getCell(1).numFmt = '0\\ \\h';
    row.getCell(2).numFmt = '0.0\\ \\k\\m';
    row.getCell(3).numFmt = 'dd/mm/yyyy';
    row.getCell(4).numFmt = 'dd/mm/yyyy';
    const rows = await valuesOf(workbook, 'formats');
    expect(rows[1]).toEqual([8, 12.5, new Date('1900-01-01T00:00:00Z'), new Date('1900-02-28T00:00:00Z')]);
  });

  it('keeps a date-formatted serial no calendar day has as its number: 0, below 0, 60, past 9999', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('S');
    sheet.addRow(['a', 'b', 'c', 'd', 'e']);
    const row = sheet.addRow([0, -5, 60, 2958466, 61]);
    for (let c = 1; c <= 5; c++) row.getCell(c).numFmt = 'dd/mm/yyyy';
    const rows = await valuesOf(workbook, 'serials');
    expect(rows[1]).toEqual([0, -5, 60, 2958466, new Date('1900-03-01T00:00:00Z')]);
  });

  it('reads a time of day as its time and a duration as its hours, a date-time shown as a time as a date-time', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('S');
    sheet.addRow(['debut', 'duree', 'horodatage', 'double']);
    const row = sheet.addRow([0.375, 1.5, 45292.75, { formula: 'B2*2', result: 3 }]);
    row.getCell(1).numFmt = 'hh:mm';
    row.getCell(2).numFmt = '[h]:mm:ss';
    row.getCell(3).numFmt = 'hh:mm';
    row.getCell(4).numFmt = '[h]:mm';
    const rows = await valuesOf(workbook, 'times');
    expect(rows[1]).toEqual(['09:00:00', '36:00:00', new Date('2024-01-01T18:00:00Z'), '72:00:00']);
  });

  it('reads a number formatted as a fixed-width code (00000) as the code it shows', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('S');
    sheet.addRow(['cp', 'n']);
    for (const [cp, n] of [
      [1000, 1000],
      [75001, 7],
    ]) {
      const row = sheet.addRow([cp, n]);
      row.getCell(1).numFmt = '00000';
      row.getCell(2).numFmt = '0';
    }
    const rows = await valuesOf(workbook, 'codes');
    expect(rows.slice(1)).toEqual([
      ['01000', 1000],
      ['75001', 7],
    ]);
  });

  it('reads a phone number format and a code-formatted formula as the text they show', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('S');
    sheet.addRow(['tel', 'cp', 'heures', 'compte']);
    const row = sheet.addRow([612345678, { formula: 'A1', result: 1000 }, 8, 1234]);
    // Excel's French "Numéro de téléphone" special format, a "Code postal" formula, a unit, a count.
    row.getCell(1).numFmt = '0#" "##" "##" "##" "##';
    row.getCell(2).numFmt = '00000';
    row.getCell(3).numFmt = '0" h"';
    row.getCell(4).numFmt = '#,##0';
    const rows = await valuesOf(workbook, 'shown-codes');
    expect(rows[1]).toEqual(['06 12 34 56 78', '01000', 8, 1234]);
  });

  it('tells date formats from number formats with a unit', () => {
    for (const format of ['dd/mm/yyyy', 'hh:mm:ss.000', '[h]:mm:ss', 'd mmm yy', 'yyyy-mm-dd hh:mm'])
      expect(isDateFormat(format), format).toBe(true);
    for (const format of ['0 h', '0\\ \\h', '0.0\\ \\k\\m', '# ##0" jours"', '0.00_);[Red](0.00)', 'General'])
      expect(isDateFormat(format), format).toBe(false);
  });
});
