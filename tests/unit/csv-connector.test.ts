import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../src/config/schema.ts';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import type { Connector, Row } from '../../src/connectors/types.ts';
import { isStocktakeError } from '../../src/core/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-csv-'));
let counter = 0;

afterAll(() => {
  // Left for inspection under the OS temp dir; the OS cleans it.
});

function fixture(name: string, content: string | Buffer): string {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function open(
  path: string,
  options: Partial<Extract<SourceConfig, { kind: 'csv' }>> = {},
): Promise<Connector> {
  return createCsvConnector({ kind: 'csv', path, ...options }, { name: 'files', mode: 'audit' });
}

async function readAll(connector: Connector, name: string, batchSize?: number): Promise<Row[][]> {
  const batches: Row[][] = [];
  for await (const batch of connector.read({ name }, { batchSize })) batches.push(batch);
  return batches;
}

const FRENCH =
  'Nom;Montant;Date;CP\r\nDupont SARL;1 234,50;31/01/2024;01000\r\nÉlodie Lefèvre;12,5;01/02/2024;75001\r\n';

describe('csv sniffing', () => {
  it.each([
    ['utf-8', Buffer.from(FRENCH, 'utf8'), 'utf-8'],
    [
      'utf-8 with BOM',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FRENCH, 'utf8')]),
      'utf-8-bom',
    ],
    ['utf-16le with BOM', iconv.encode(FRENCH, 'utf-16le', { addBOM: true }), 'utf-16le'],
    ['utf-16be with BOM', iconv.encode(FRENCH, 'utf-16be', { addBOM: true }), 'utf-16be'],
    ['windows-1252', iconv.encode(FRENCH, 'win1252'), 'windows-1252'],
  ])('detects and decodes %s', async (_label, bytes, encoding) => {
    const connector = await open(fixture('clients.csv', bytes));
    const inventory = await connector.inventory();
    const dataset = inventory.datasets[0]!;
    expect(dataset.file).toMatchObject({
      encoding,
      delimiter: ';',
      quote: '"',
      lineEnding: 'CRLF',
      headerRow: 1,
      dataRow: 2,
    });
    expect(dataset.columns.map((c) => [c.name, c.type])).toEqual([
      ['Nom', 'string'],
      ['Montant', 'decimal'],
      ['Date', 'date'],
      ['CP', 'string'],
    ]);
    expect(await readAll(connector, 'clients')).toEqual([
      [
        ['Dupont SARL', '1234.50', '2024-01-31', '01000'],
        ['Élodie Lefèvre', '12.5', '2024-02-01', '75001'],
      ],
    ]);
  });

  it.each([
    [',', 'LF', 'a,b\n1,x\n2,y\n'],
    ['\t', 'CR', 'a\tb\r1\tx\r2\ty\r'],
    ['|', 'CRLF', 'a|b\r\n1|x\r\n2|y\r\n'],
  ])('detects delimiter %j and line ending %s', async (delimiter, lineEnding, text) => {
    const inventory = await (await open(fixture('t.csv', text))).inventory();
    expect(inventory.datasets[0]!.file).toMatchObject({ delimiter, lineEnding });
    expect(inventory.datasets[0]!.rowCount).toBe(2);
  });

  it("takes Excel's sep= first line as the delimiter, and the line after it as the header", async () => {
    const text = '\ufeffsep=;\r\ncode;nom;montant\r\n1;Dupont;12,50\r\n2;Durand;7\r\n';
    const connector = await open(fixture('export.csv', text));
    const inventory = await connector.inventory();
    const dataset = inventory.datasets[0]!;
    expect(dataset.file).toMatchObject({ delimiter: ';', headerRow: 2, dataRow: 3 });
    expect(dataset.file!.sniffed).not.toContain('delimiter');
    expect(dataset.columns.map((c) => [c.name, c.type])).toEqual([
      ['code', 'integer'],
      ['nom', 'string'],
      ['montant', 'decimal'],
    ]);
    expect(dataset.rowCount).toBe(2);
    expect(inventory.findings ?? []).toEqual([]);
    expect(await readAll(connector, 'export')).toEqual([
      [
        [1, 'Dupont', '12.50'],
        [2, 'Durand', '7'],
      ],
    ]);
  });

  it('reports bytes Windows-1252 does not define, as a Mac Roman export has them', async () => {
    // "code;libellé\n1;Café crème\n2;Thé\n" in Mac Roman: é is 0x8E (Ž in Windows-1252), è is 0x8F (undefined).
    const bytes = Buffer.from([
      ...Buffer.from('code;libell'),
      0x8e,
      ...Buffer.from('\n1;Caf'),
      0x8e,
      ...Buffer.from(' cr'),
      0x8f,
      ...Buffer.from('me\n2;Th'),
      0x8e,
      0x0a,
    ]);
    const inventory = await (await open(fixture('mac.csv', bytes))).inventory();
    const finding = (inventory.findings ?? []).find((f) => f.code === 'CSV_ENCODING_UNDEFINED');
    expect(finding).toMatchObject({
      severity: 'warning',
      evidence: { line: 2, count: 1, encoding: 'windows-1252' },
    });
    expect(finding!.message).toContain('set `encoding` to read it');
  });

  it('reads an ISO-8859-15 file as Latin-9 when its bytes say so: € beside an amount, œ in a word', async () => {
    const text = 'code;libellé;prix\n1;Cœur de bœuf;12,50 €\n2;Œuvre;€ 7\n';
    const connector = await open(fixture('latin9.csv', iconv.encode(text, 'iso-8859-15')));
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.file).toMatchObject({ encoding: 'iso-8859-15' });
    expect(inventory.findings ?? []).toEqual([]);
    expect(await readAll(connector, 'latin9')).toEqual([
      [
        [1, 'Cœur de bœuf', '12,50 €'],
        [2, 'Œuvre', '€ 7'],
      ],
    ]);
  });

  it.each([
    ['a Windows-1252 € (0x80)', 'code;devise;prix\n1;¤;12,50 €\n'],
    ['a Windows-1252 ’ (0x92)', 'code;devise;note\n1;12 ¤;l’eau\n'],
  ])('keeps Windows-1252 when the file holds %s, ¤ beside a number or not', async (_label, text) => {
    const connector = await open(fixture('cp1252.csv', iconv.encode(text, 'win1252')));
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.file).toMatchObject({ encoding: 'windows-1252' });
    expect(inventory.findings ?? []).toEqual([]);
    expect((await readAll(connector, 'cp1252'))[0]![0]).toEqual(
      text
        .split('\n')[1]!
        .split(';')
        .map((v, i) => (i === 0 ? 1 : v)),
    );
  });

  it('reads a Windows-1252 line whose bytes happen to be UTF-8 (É then a no-break space) as Windows-1252', async () => {
    const lines = ['Code;Nom;Ville'];
    for (let i = 1; i < 500; i++) lines.push(`${i};Hélène Dupré;Besançon`);
    lines.push('500;JOSÉ\u00a0GARCIA;Lyon', '501;CAFÉ–BAR;Orléans');
    for (let i = 502; i < 1000; i++) lines.push(`${i};Élodie;Orléans`);
    const bytes = iconv.encode(`${lines.join('\r\n')}\r\n`, 'win1252');
    const connector = await open(fixture('accidental.csv', bytes));
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.file).toMatchObject({ encoding: 'windows-1252' });
    const rows = (await readAll(connector, 'accidental')).flat();
    expect(rows[499]).toEqual([500, 'JOSÉ\u00a0GARCIA', 'Lyon']);
    expect(rows[500]).toEqual([501, 'CAFÉ–BAR', 'Orléans']);
    // A file that mixes real UTF-8 lines with legacy ones still reads each line as what it is.
    const mixed = Buffer.concat([
      Buffer.from('Code;Nom\r\n1;Hélène\r\n', 'utf8'),
      iconv.encode('2;Élodie\r\n3;JOSÉ\u00a0GARCIA\r\n', 'win1252'),
    ]);
    const both = await open(fixture('mixed.csv', mixed));
    expect((await both.inventory()).datasets[0]!.file).toMatchObject({ encoding: 'utf-8' });
    expect((await readAll(both, 'mixed')).flat()).toEqual([
      [1, 'Hélène'],
      [2, 'Élodie'],
      [3, 'JOSÉ\u00a0GARCIA'],
    ]);
  });

  it('warns when a file sniffed as ISO-8859-15 holds, past the sample, bytes only Windows-1252 defines', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i};Libellé ${i};1`).join('\n');
    const bytes = Buffer.concat([
      iconv.encode(`code;libellé;montant\n1;Cœur;12,50 €\n${rows}\n`, 'iso-8859-15'),
      iconv.encode('5001;l’eau;3\n', 'win1252'),
    ]);
    const connector = await open(fixture('late-quote.csv', bytes));
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.file).toMatchObject({ encoding: 'iso-8859-15' });
    const finding = (inventory.findings ?? []).find((f) => f.code === 'CSV_ENCODING_AMBIGUOUS');
    expect(finding).toMatchObject({
      severity: 'warning',
      evidence: { line: 5003, count: 1, encoding: 'iso-8859-15' },
    });
    expect(finding!.message).toContain('set `encoding: windows-1252`');
  });

  it('warns when a file read as Windows-1252 holds ¤ that ISO-8859-15 would read as €', async () => {
    // Nothing in the sniffed sample tells the encodings apart; the 0xA4 bytes come thousands of lines later.
    const rows = Array.from({ length: 5000 }, (_, i) => `${i};Libellé ${i};1`).join('\n');
    const text = `code;libellé;montant\n${rows}\n5000;Total;12,50 €\n5001;Frais;€3\n`;
    const connector = await open(fixture('late-euro.csv', iconv.encode(text, 'iso-8859-15')));
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.file).toMatchObject({ encoding: 'windows-1252' });
    const finding = (inventory.findings ?? []).find((f) => f.code === 'CSV_ENCODING_AMBIGUOUS');
    expect(finding).toMatchObject({
      severity: 'warning',
      evidence: { line: 5002, count: 2, encoding: 'windows-1252' },
    });
    expect(finding!.message).toContain('set `encoding: iso-8859-15`');
    const configured = await open(fixture('late-euro.csv', iconv.encode(text, 'iso-8859-15')), {
      encoding: 'latin9',
    });
    const batches = await readAll(configured, 'late-euro');
    expect(batches.at(-1)!.slice(-2)).toEqual([
      [5000, 'Total', '12,50 €'],
      [5001, 'Frais', '€3'],
    ]);
    expect((await configured.inventory()).findings ?? []).toEqual([]);
  });

  it('detects single quotes and a missing header', async () => {
    const connector = await open(fixture('t.csv', "'Dupont, Jean',12\n'Martin, Paul',7\n"));
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.file).toMatchObject({ quote: "'", headerRow: null, dataRow: 1 });
    expect(inventory.datasets[0]!.columns.map((c) => c.name)).toEqual(['column_1', 'column_2']);
    expect(await readAll(connector, 't')).toEqual([
      [
        ['Dupont, Jean', 12],
        ['Martin, Paul', 7],
      ],
    ]);
  });

  it('lets explicit options win', async () => {
    const path = fixture('t.csv', iconv.encode('a;b,c\n1,5;é\n', 'latin1'));
    const connector = await open(path, { delimiter: ',', encoding: 'latin1', header: false, decimal: '.' });
    const dataset = (await connector.inventory()).datasets[0]!;
    expect(dataset.file).toMatchObject({
      delimiter: ',',
      encoding: 'latin1',
      headerRow: null,
      sniffed: ['quote'],
    });
    expect(await readAll(connector, 't')).toEqual([
      [
        ['a;b', 'c'],
        ['1', '5;é'],
      ],
    ]);
  });

  it('falls back to windows-1252 when non-UTF-8 bytes come after the sniffed sample', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i},plain ascii text ${i}`).join('\n');
    const bytes = Buffer.concat([
      Buffer.from(`id,name\n${rows}\n`),
      iconv.encode('5000,Hélène\n', 'win1252'),
    ]);
    const connector = await open(fixture('late.csv', bytes));
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.file?.encoding).toBe('windows-1252');
    expect(inventory.findings?.map((f) => f.code)).toEqual(['CSV_ENCODING_FALLBACK']);
    const batches = await readAll(connector, 'late');
    expect(batches.at(-1)!.at(-1)).toEqual([5000, 'Hélène']);
  });
});

describe('csv inventory', () => {
  it('reports ragged rows with their lines, counting them all', async () => {
    const lines = ['a,b,c'];
    for (let i = 1; i <= 30; i++) lines.push(i % 2 === 0 ? `${i},x` : `${i},x,y`);
    lines.push('"multi\nline",x,y,z');
    const connector = await open(fixture('r.csv', `${lines.join('\n')}\n`));
    const inventory = await connector.inventory();
    const finding = inventory.findings!.find((f) => f.code === 'CSV_RAGGED_ROW')!;
    expect(finding.evidence).toMatchObject({ expected: 3, rows: 16, tooFew: 15, tooMany: 1 });
    expect(finding.evidence!.lines).toEqual([3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 32]);
    const rows = (await readAll(connector, 'r')).flat();
    expect(rows[1]).toEqual(['2', 'x', null]);
    expect(rows.at(-1)).toEqual(['multi\nline', 'x', 'y']);
    expect(inventory.datasets[0]!.rowCount).toBe(31);
  });

  it('caps listed ragged lines at 20', async () => {
    const text = `a,b\n${Array.from({ length: 50 }, (_, i) => `${i}`).join('\n')}\n`;
    const inventory = await (await open(fixture('r.csv', text))).inventory();
    const finding = inventory.findings!.find((f) => f.code === 'CSV_RAGGED_ROW')!;
    expect(finding.evidence).toMatchObject({ rows: 50 });
    expect((finding.evidence!.lines as number[]).length).toBe(20);
  });

  it('names blank and repeated headers and reports them', async () => {
    const inventory = await (await open(fixture('h.csv', 'name,,name,Prix,name\n1,2,3,4,5\n'))).inventory();
    expect(inventory.datasets[0]!.columns.map((c) => c.name)).toEqual([
      'name',
      'column_2',
      'name_2',
      'Prix',
      'name_3',
    ]);
    expect(inventory.findings!.map((f) => [f.code, f.evidence?.line])).toEqual([
      ['HEADER_BLANK', 1],
      ['HEADER_DUPLICATE', 1],
    ]);
  });

  it('records the inference of a mixed column', async () => {
    const text = `qty\n${['1', '2', '3', 'n/a', '5'].join('\n')}\n`;
    const column = (await (await open(fixture('m.csv', text))).inventory()).datasets[0]!.columns[0]!;
    expect(column).toMatchObject({
      type: 'string',
      nativeType: 'csv text',
      inference: { dominant: 'integer', conformance: 0.8, count: 5, nulls: 0 },
    });
  });

  it('reads a folder and a glob, one dataset per file, clashing names made unique', async () => {
    const dir = join(root, `folder-${++counter}`);
    mkdirSync(join(dir, '2023'), { recursive: true });
    mkdirSync(join(dir, '2024'), { recursive: true });
    writeFileSync(join(dir, 'stock.csv'), 'a\n1\n');
    writeFileSync(join(dir, 'notes.md'), 'ignored');
    writeFileSync(join(dir, '2023', 'clients.csv'), 'a\n1\n');
    writeFileSync(join(dir, '2024', 'clients.csv'), 'a\n1\n2\n');
    const folder = await (await open(dir)).inventory();
    expect(folder.datasets.map((d) => d.name)).toEqual(['stock']);
    const glob = await open(join(dir, '**/*.csv'));
    const inventory = await glob.inventory();
    expect(inventory.datasets.map((d) => [d.name, d.rowCount])).toEqual([
      ['2023/clients', 1],
      ['2024/clients', 2],
      ['stock', 1],
    ]);
    expect(await readAll(glob, '2024/clients')).toEqual([[[1], [2]]]);
  });

  it('streams in batches and honours columns and limit', async () => {
    const text = `id,name\n${Array.from({ length: 12 }, (_, i) => `${i},n${i}`).join('\n')}\n`;
    const connector = await open(fixture('b.csv', text));
    expect((await readAll(connector, 'b', 5)).map((b) => b.length)).toEqual([5, 5, 2]);
    const rows: Row[] = [];
    for await (const batch of connector.read({ name: 'b' }, { columns: ['name'], limit: 3 }))
      rows.push(...batch);
    expect(rows).toEqual([['n0'], ['n1'], ['n2']]);
    expect(await connector.shape({ name: 'b' }, { columns: ['name', 'id'] })).toEqual({
      columns: [
        { name: 'name', type: 'string' },
        { name: 'id', type: 'integer' },
      ],
    });
  });
});

describe('csv bad input', () => {
  async function inventoryOf(files: Record<string, string | Buffer>) {
    const dir = join(root, `bad-${++counter}`);
    mkdirSync(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const connector = await open(dir);
    return { connector, inventory: await connector.inventory(), dir };
  }

  it('lists each failure and goes on with the other files', async () => {
    const { connector, inventory, dir } = await inventoryOf({
      'good.csv': 'a,b\n1,2\n',
      'junk.csv': Buffer.from([0x00, 0x01, 0x02, 0xff, 0x10, 0x00, 0x41, 0x42]),
      'empty.csv': '',
      'header.csv': 'a,b\n',
      'quote.csv': 'a,b\n1,2\n3,"never closed\n4,5\n',
      'zip.csv': Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]),
    });
    expect(inventory.datasets.map((d) => [d.name, d.rowCount])).toEqual([
      ['empty', 0],
      ['good', 1],
      ['header', 0],
    ]);
    const findings = inventory.findings!.map((f) => [f.dataset, f.code, f.severity, f.evidence?.line]);
    expect(findings).toEqual([
      ['empty', 'FILE_EMPTY', 'warning', undefined],
      ['header', 'FILE_HEADER_ONLY', 'warning', 1],
      ['junk', 'CSV_BINARY', 'error', 1],
      ['quote', 'CSV_QUOTE_NOT_CLOSED', 'error', 3],
      ['zip', 'CSV_BINARY', 'error', 1],
    ]);
    const quote = inventory.findings!.find((f) => f.dataset === 'quote')!;
    expect(quote.message).toBe(
      `${join(dir, 'quote.csv')}: a quote opened at line 3 is never closed (the file ends inside a quoted field)`,
    );
    expect(inventory.findings!.find((f) => f.dataset === 'zip')!.message).toContain('it is a ZIP archive');
    await expect(readAll(connector, 'quote')).rejects.toSatisfy((e) =>
      isStocktakeError(e, 'CSV_QUOTE_NOT_CLOSED'),
    );
    expect(await readAll(connector, 'empty')).toEqual([]);
    expect(await readAll(connector, 'header')).toEqual([]);
  });

  it('reads a 10 MB single cell and reports it', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const connector = await open(fixture('big.csv', `id,blob\n1,"${big}"\n2,small\n`));
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.rowCount).toBe(2);
    const finding = inventory.findings!.find((f) => f.code === 'FIELD_OVERSIZED')!;
    expect(finding.evidence).toEqual({
      file: expect.any(String),
      fields: [{ line: 2, column: 'blob', length: big.length }],
    });
    const rows = (await readAll(connector, 'big')).flat();
    expect((rows[0]![1] as string).length).toBe(big.length);
    expect(rows[1]).toEqual([2, 'small']);
  });

  it('rejects a missing path and bad options with stable codes', async () => {
    await expect((await open(join(root, 'nope.csv'))).connect()).rejects.toSatisfy((e) =>
      isStocktakeError(e, 'FILE_NOT_FOUND'),
    );
    await expect(open(join(root, 'x.csv'), { encoding: 'klingon' })).rejects.toSatisfy((e) =>
      isStocktakeError(e, 'CSV_OPTION_INVALID'),
    );
    await expect(open(join(root, 'x.csv'), { dateFormat: 'yy/dd' })).rejects.toSatisfy((e) =>
      isStocktakeError(e, 'CSV_OPTION_INVALID'),
    );
  });

  it('reads month-first dates when dateFormat says so', async () => {
    const connector = await open(fixture('us.csv', 'd\n01/31/2024\n12/01/2024\n'), {
      dateFormat: 'MM/dd/yyyy',
    });
    expect(await readAll(connector, 'us')).toEqual([[['2024-01-31'], ['2024-12-01']]]);
  });
});

describe('a file written to while it is read', () => {
  it('fails the read with FILE_CHANGED instead of handing over rows of neither version', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `C${i};Name ${i};${i}`);
    const path = fixture('live.csv', `code;name;amount\n${rows.join('\n')}\n`);
    const connector = await open(path);
    await connector.inventory();
    const read = async () => {
      let seen = 0;
      for await (const batch of connector.read({ name: 'live' }, { batchSize: 50 })) {
        // Rewritten in place after the first batch, as `cat other > live.csv` does.
        if (seen === 0) writeFileSync(path, `code;name;amount\n${rows.slice(0, 100).join('\n')}\nC100;Na`);
        seen += batch.length;
      }
      return seen;
    };
    await expect(read()).rejects.toMatchObject({
      code: 'FILE_CHANGED',
      message: expect.stringContaining('live.csv: the file changed while it was read'),
    });
    // Read again once it is complete, it is rescanned and read whole.
    const again: Row[] = [];
    for await (const batch of connector.read({ name: 'live' })) again.push(...batch);
    expect(again).toHaveLength(101);
  });
});

describe('a source path that cannot be listed', () => {
  it('is FILE_UNREADABLE naming the path, not an empty source', async () => {
    const dir = join(root, `case-${++counter}`);
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
    for (const path of [join(dir, 'loop'), join(dir, 'loop', '*.csv')]) {
      const connector = await createCsvConnector({ kind: 'csv', path }, { name: 'files', mode: 'audit' });
      await expect(connector.inventory()).rejects.toMatchObject({
        code: 'FILE_UNREADABLE',
        message: expect.stringMatching(/loop cannot be read \(a loop of symbolic links\)$/),
      });
    }
    // A folder that is not there is still FILE_NOT_FOUND.
    const gone = await createCsvConnector(
      { kind: 'csv', path: join(dir, 'gone') },
      { name: 'files', mode: 'audit' },
    );
    await expect(gone.inventory()).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('a folder holding a link to a file', () => {
  it('reads the linked file as one of its own', async () => {
    const dir = join(root, `case-${++counter}`);
    mkdirSync(join(dir, 'real'), { recursive: true });
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'real', 'r.csv'), 'id;x\n1;a\n');
    writeFileSync(join(dir, 'src', 'own.csv'), 'id;y\n1;b\n');
    symlinkSync(join(dir, 'real', 'r.csv'), join(dir, 'src', 'linked.csv'));
    for (const path of [join(dir, 'src'), join(dir, 'src', '*.csv')]) {
      const connector = await createCsvConnector({ kind: 'csv', path }, { name: 'files', mode: 'audit' });
      const inventory = await connector.inventory();
      expect(inventory.datasets.map((d) => d.name).sort()).toEqual(['linked', 'own']);
    }
  });
});
