import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Connector, type Row, rowProblem } from '../../src/connectors/types.ts';
import { createXlsxConnector } from '../../src/connectors/xlsx/xlsx-connector.ts';
import { excelSerialToDate } from '../../src/connectors/xlsx/xlsx-reader.ts';
import { readSheetRows } from '../../src/connectors/xlsx/xlsx-rows.ts';
import { scanWorkbook } from '../../src/connectors/xlsx/xlsx-scan.ts';
import { isStocktakeError } from '../../src/core/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-xlsx-'));

async function open(
  path: string,
  options: { sheets?: string[]; headerRow?: number } = {},
): Promise<Connector> {
  return createXlsxConnector({ kind: 'xlsx', path, ...options }, { name: 'books', mode: 'audit' });
}

async function rowsOf(connector: Connector, name: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of connector.read({ name })) rows.push(...batch);
  return rows;
}

/** A minimal OLE compound file whose directory names the given streams (enough for the signature check). */
function oleFile(streams: string[]): Buffer {
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(9, 30);
  const directory = Buffer.alloc(512);
  ['Root Entry', ...streams].slice(0, 4).forEach((name, i) => {
    Buffer.from(name, 'utf16le').copy(directory, i * 128);
    directory.writeUInt16LE((name.length + 1) * 2, i * 128 + 64);
  });
  return Buffer.concat([header, directory]);
}

let stock: string;

beforeAll(async () => {
  const workbook = new ExcelJS.Workbook();
  const articles = workbook.addWorksheet('Articles');
  articles.getCell('A1').value = 'Inventaire du stock — 2024';
  articles.mergeCells('A1:F1');
  articles.getRow(3).values = ['Référence', 'Désignation', 'Prix', null, 'Entrée', 'Lien'];
  articles.mergeCells('C3:D3');
  articles.getRow(4).values = [null, null, 'HT', 'TTC', null, null];
  articles.getRow(5).values = [
    '00123',
    { richText: [{ text: 'Vis ' }, { font: { bold: true }, text: 'M6' }] },
    1.5,
    { formula: 'C5*1.2', result: 1.8 },
    new Date(Date.UTC(2024, 0, 31)),
    { text: 'fiche', hyperlink: 'https://example.org/a' },
  ];
  articles.getRow(6).values = [
    '00124',
    'Écrou',
    2,
    { formula: 'C6*1.2', result: 2.4 },
    new Date(Date.UTC(2024, 1, 29)),
    null,
  ];
  articles.getCell('E6').numFmt = 'dd/mm/yyyy';
  articles.getCell('G6').value = { formula: 'E6+1', result: 45352 };
  articles.getCell('G6').numFmt = 'dd/mm/yyyy';
  articles.getCell('H20').value = null;
  articles.getRow(30).values = [];
  const adresses = workbook.addWorksheet('Adresses');
  adresses.getRow(1).values = ['Client', 'Adresse', null, 'Client'];
  adresses.mergeCells('B1:C1');
  adresses.getRow(2).values = ['Dupont SARL', '12 rue Haute', '01000 Bourg', 'x'];
  adresses.getRow(3).values = ['Martin', '3 place Basse', '75001 Paris', 'y'];
  const hidden = workbook.addWorksheet('Paramètres', { state: 'hidden' });
  hidden.addRow(['clé', 'valeur']);
  hidden.addRow(['tva', 0.2]);
  hidden.addRow(['actif', true]);
  stock = join(root, 'stock.xlsx');
  await workbook.xlsx.writeFile(stock);
});

describe('xlsx inventory and read', () => {
  it('lists every sheet as workbook/sheet with its header below the title', async () => {
    const connector = await open(stock);
    const inventory = await connector.inventory();
    expect(
      inventory.datasets.map((d) => [
        d.name,
        d.kind,
        d.rowCount,
        d.file?.headerRow,
        d.file?.dataRow,
        d.file?.sheetState,
      ]),
    ).toEqual([
      ['stock/Articles', 'sheet', 2, 3, 5, 'visible'],
      ['stock/Adresses', 'sheet', 2, 1, 2, 'visible'],
      ['stock/Paramètres', 'sheet', 2, 1, 2, 'hidden'],
    ]);
    const articles = inventory.datasets[0]!;
    expect(articles.columns.map((c) => [c.name, c.type, c.nativeType])).toEqual([
      ['Référence', 'string', 'xlsx string'],
      ['Désignation', 'string', 'xlsx string|richText'],
      ['Prix HT', 'decimal', 'xlsx number'],
      ['Prix TTC', 'decimal', 'xlsx formula'],
      ['Entrée', 'date', 'xlsx date'],
      ['Lien', 'string', 'xlsx string'],
      ['column_7', 'date', 'xlsx formula'],
    ]);
    expect(articles.columns[0]!.inference).toMatchObject({ dominant: 'code', conformance: 1 });
    expect(inventory.datasets[1]!.columns.map((c) => c.name)).toEqual([
      'Client',
      'Adresse',
      'Adresse_2',
      'Client_2',
    ]);
    expect(inventory.findings!.map((f) => [f.dataset, f.code])).toEqual([
      ['stock/Articles', 'HEADER_BLANK'],
      ['stock/Articles', 'SHEET_TITLE_ROWS'],
      ['stock/Adresses', 'HEADER_DUPLICATE'],
      ['stock/Paramètres', 'SHEET_HIDDEN'],
    ]);
    expect(await rowsOf(connector, 'stock/Articles')).toEqual([
      ['00123', 'Vis M6', '1.5', '1.8', '2024-01-31', 'fiche', null],
      ['00124', 'Écrou', '2', '2.4', '2024-02-29', null, '2024-03-01'],
    ]);
    expect(await rowsOf(connector, 'Paramètres')).toEqual([
      ['tva', '0.2'],
      ['actif', 'true'],
    ]);
  });

  it('reads dates of the 1904 system', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.properties.date1904 = true;
    const sheet = workbook.addWorksheet('Dates');
    sheet.addRow(['jour', 'calcul']);
    sheet.addRow([new Date(Date.UTC(2024, 0, 31)), { formula: 'A2+1', result: 43861 }]);
    sheet.getCell('B2').numFmt = 'yyyy-mm-dd';
    const path = join(root, 'mac.xlsx');
    await workbook.xlsx.writeFile(path);
    const connector = await open(path);
    const dataset = (await connector.inventory()).datasets[0]!;
    expect(dataset.file?.date1904).toBe(true);
    // 43861 days after 1904-01-01 is 2024-02-01.
    expect(await rowsOf(connector, 'mac/Dates')).toEqual([['2024-01-31', '2024-02-01']]);
  });

  it('finds the header under a title block: years as column names, a label and its value above a blank line', async () => {
    const workbook = new ExcelJS.Workbook();
    const balance = workbook.addWorksheet('Balance');
    balance.getCell('A1').value = 'Balance générale';
    balance.getRow(3).values = ['Compte', 'Libellé', 2023, 2024];
    balance.getRow(4).values = ['401000', 'Fournisseurs', 1200.5, 1300];
    balance.getRow(5).values = ['411000', 'Clients', 800, 950.25];
    const dossier = workbook.addWorksheet('Dossier');
    dossier.getRow(1).values = ['Dossier :', 'SARL BOIS'];
    dossier.getRow(3).values = ['Code', 'Nom', 'Ville', 'CP'];
    dossier.getRow(4).values = ['C1', 'Dupont', 'Lyon', '69001'];
    dossier.getRow(5).values = ['C2', 'Martin', 'Paris', '75001'];
    // A header above a blank line whose data rows run wider further down (a note in a third column) is
    // the header: the wider row is not the first past the blank line.
    const notes = workbook.addWorksheet('Notes');
    notes.getRow(1).values = ['Nom', 'Ville'];
    notes.getRow(3).values = ['Dupont', 'Lyon'];
    notes.getRow(4).values = ['Martin', 'Paris'];
    notes.getRow(5).values = ['Durand', 'Nice', 'rappeler'];
    notes.getRow(6).values = ['Petit', 'Lille'];
    const path = join(root, 'titles.xlsx');
    await workbook.xlsx.writeFile(path);
    const inventory = await (await open(path)).inventory();
    expect(
      inventory.datasets.map((d) => [d.name, d.file?.headerRow, d.rowCount, d.columns.map((c) => c.name)]),
    ).toEqual([
      ['titles/Balance', 3, 2, ['Compte', 'Libellé', '2023', '2024']],
      ['titles/Dossier', 3, 2, ['Code', 'Nom', 'Ville', 'CP']],
      ['titles/Notes', 1, 4, ['Nom', 'Ville', 'column_3']],
    ]);
  });

  it('reports ranges merged over data rows, whose other cells read as empty', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Ventes');
    sheet.addRow(['Client', 'Région']);
    sheet.addRow(['A', 'Nord']);
    sheet.addRow(['B', null]);
    sheet.addRow(['C', null]);
    sheet.mergeCells('B2:B4');
    const path = join(root, 'merged.xlsx');
    await workbook.xlsx.writeFile(path);
    const inventory = await (await open(path)).inventory();
    expect(inventory.findings?.find((f) => f.code === 'SHEET_MERGED_DATA')).toMatchObject({
      severity: 'warning',
      evidence: { ranges: ['B2:B4'], count: 1 },
    });
    // The merged header cells of the stock workbook are no data: no such finding there.
    const stockInventory = await (await open(stock)).inventory();
    expect(stockInventory.findings?.some((f) => f.code === 'SHEET_MERGED_DATA')).toBe(false);
  });

  it("skips an Excel table's totals row, with a finding", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Ventes');
    sheet.addTable({
      name: 'Ventes',
      ref: 'A1',
      headerRow: true,
      totalsRow: true,
      columns: [
        { name: 'Région', totalsRowLabel: 'Total' },
        { name: 'Montant', totalsRowFunction: 'sum' },
      ],
      rows: [
        ['Nord', 40],
        ['Sud', 25],
      ],
    });
    const path = join(root, 'table.xlsx');
    await workbook.xlsx.writeFile(path);
    const connector = await open(path);
    const inventory = await connector.inventory();
    const [dataset] = inventory.datasets;
    expect(dataset!.rowCount).toBe(2);
    expect(inventory.findings?.find((f) => f.code === 'SHEET_TOTALS_ROW')).toMatchObject({
      evidence: { rows: [4] },
    });
    expect(await rowsOf(connector, 'table/Ventes')).toEqual([
      ['Nord', 40],
      ['Sud', 25],
    ]);
  });

  it('names the rows that repeat the header or hold hand-typed totals, and still reads them', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Clients');
    sheet.addRows([
      ['Code', 'Raison sociale', 'CA'],
      ['C1', 'Dupont', 100],
      ['C2', 'Martin', 50],
      ['Total', null, 150],
      [],
      ['Code', 'Raison sociale', 'CA'],
      ['F1', 'Fournil', 30],
    ]);
    const path = join(root, 'two-tables.xlsx');
    await workbook.xlsx.writeFile(path);
    const connector = await open(path);
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.rowCount).toBe(5);
    expect(inventory.findings?.find((f) => f.code === 'SHEET_SUSPECT_ROWS')).toMatchObject({
      severity: 'warning',
      evidence: { rows: [4, 6], count: 2 },
    });
    expect((await rowsOf(connector, 'two-tables/Clients')).map((r) => r[0])).toEqual([
      'C1',
      'C2',
      'Total',
      'Code',
      'F1',
    ]);
  });

  it('honours headerRow and sheets from the config', async () => {
    const connector = await open(stock, { sheets: ['Art*'], headerRow: 4 });
    const inventory = await connector.inventory();
    expect(inventory.datasets.map((d) => d.name)).toEqual(['stock/Articles']);
    expect(inventory.datasets[0]!.columns.slice(2, 4).map((c) => c.name)).toEqual(['HT', 'TTC']);
  });

  it('gives clear errors for legacy, encrypted, truncated and misnamed workbooks, and goes on', async () => {
    const dir = join(root, 'bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a-good.xlsx'), readFileSync(stock));
    writeFileSync(join(dir, 'old.xlsx'), oleFile(['Workbook', 'SummaryInformation']));
    writeFileSync(join(dir, 'locked.xlsx'), oleFile(['EncryptionInfo', 'EncryptedPackage']));
    const bytes = readFileSync(stock);
    writeFileSync(join(dir, 'cut.xlsx'), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    writeFileSync(join(dir, 'text.xlsx'), 'id,name\n1,x\n');
    const connector = await open(dir);
    const inventory = await connector.inventory();
    expect(inventory.datasets.map((d) => d.name)).toEqual([
      'a-good/Articles',
      'a-good/Adresses',
      'a-good/Paramètres',
    ]);
    const errors = inventory.findings!.filter((f) => f.severity === 'error').map((f) => [f.dataset, f.code]);
    expect(errors).toEqual([
      ['cut', 'XLSX_UNREADABLE'],
      ['locked', 'XLSX_ENCRYPTED'],
      ['old', 'XLSX_LEGACY_XLS'],
      ['text', 'XLSX_UNREADABLE'],
    ]);
    const messages = inventory.findings!.filter((f) => f.severity === 'error').map((f) => f.message);
    expect(messages[1]).toBe(
      `${join(dir, 'locked.xlsx')}: the workbook is password-protected and cannot be read`,
    );
    expect(messages[2]).toBe(
      `${join(dir, 'old.xlsx')}: an old Excel 97-2003 (.xls) workbook, which is not supported`,
    );
    expect(messages[0]).toMatch(/cut\.xlsx: .*corrupt or truncated/);
    await expect(rowsOf(connector, 'old/Sheet1')).rejects.toSatisfy((e) =>
      isStocktakeError(e, 'XLSX_LEGACY_XLS'),
    );
  });
});

describe('Excel serial dates', () => {
  it.each([
    [1, false, '1900-01-01T00:00:00.000Z'],
    [59, false, '1900-02-28T00:00:00.000Z'],
    [61, false, '1900-03-01T00:00:00.000Z'],
    [45292, false, '2024-01-01T00:00:00.000Z'],
    [45292.5, false, '2024-01-01T12:00:00.000Z'],
    [0, true, '1904-01-01T00:00:00.000Z'],
    [43830, true, '2024-01-01T00:00:00.000Z'],
  ])(
    'reads serial %d (1904 system: %s) as %s, past the 1900 system phantom leap day',
    (serial, date1904, iso) => {
      expect(excelSerialToDate(serial, date1904).toISOString()).toBe(iso);
    },
  );

  it('leaves a time of day alone (a serial below 1)', () => {
    expect(excelSerialToDate(0.75, false).toISOString().slice(11, 19)).toBe('18:00:00');
  });
});

describe('the rows a scan keeps', () => {
  it('are read back as the workbook streamed again would give them, without opening the file', async () => {
    const path = join(root, 'many-sheets.xlsx');
    const workbook = new ExcelJS.Workbook();
    for (let s = 1; s <= 4; s++) {
      const sheet = workbook.addWorksheet(`S${s}`);
      sheet.addRow(['code', 'amount', 'day']);
      for (let r = 1; r <= 50 * s; r++) sheet.addRow([`C${s}-${r}`, r * 1.5, new Date(Date.UTC(2024, 0, r))]);
      if (s === 3) sheet.getCell('B20').value = { error: '#N/A' };
    }
    await workbook.xlsx.writeFile(path);
    const scan = await scanWorkbook('books', { path, name: 'many-sheets.xlsx' }, { kind: 'xlsx', path });
    expect(scan.datasets.map((d) => d.rows?.length)).toEqual([51, 101, 151, 201]);
    for (const entry of scan.datasets) {
      const kept: Row[][] = [];
      for await (const batch of readSheetRows(entry, [0, 1, 2], { batchSize: 40 })) kept.push(batch);
      const streamed: Row[][] = [];
      for await (const batch of readSheetRows({ ...entry, rows: undefined }, [0, 1, 2], { batchSize: 40 }))
        streamed.push(batch);
      expect(kept, entry.sheet).toEqual(streamed);
      // The row problem of the error cell travels too.
      expect(
        kept
          .flat()
          .map((row) => rowProblem(row)?.value)
          .filter(Boolean),
      ).toEqual(entry.sheet === 'S3' ? ['#N/A'] : []);
    }
    // Kept rows are read without the file: gone, the sheet still reads from them.
    const s2 = scan.datasets[1]!;
    rmSync(path);
    let rows = 0;
    for await (const batch of readSheetRows(s2, [0], {})) rows += batch.length;
    expect(rows).toBe(100);
  });
});
