/**
 * NUL characters in CSV text versus binary files: a text file with a few stray NULs is read (the
 * NULs kept and listed as CSV_NUL_BYTES, wherever they are), while binary files (signatures,
 * NUL-heavy or control-heavy bytes) stay CSV_BINARY, and UTF-16 is still read as text.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import { assertText } from '../../src/connectors/csv/csv-sniff.ts';
import type { Connector, Row } from '../../src/connectors/types.ts';
import { isStocktakeError } from '../../src/core/errors.ts';
import { junk, zip } from '../hostile/files-corpus.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-csv-nul-'));
let counter = 0;

function fixture(name: string, content: string | Buffer): string {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function inventoryOf(name: string, content: string | Buffer) {
  const path = fixture(name, content);
  const connector: Connector = await createCsvConnector(
    { kind: 'csv', path },
    { name: 'files', mode: 'audit' },
  );
  const inventory = await connector.inventory();
  return { path, connector, inventory, findings: inventory.findings ?? [] };
}

async function readAll(connector: Connector, name: string): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const batch of connector.read({ name })) rows.push(...batch);
  return rows;
}

/** Seeded pseudo-random bytes (no committed binaries): the hostile corpus's generator, this file's seed. */
const randomBytes = (size: number, seed = 11) => junk(size, seed);

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** A real (tiny) PNG image: signature, IHDR, IDAT, IEND. */
function png(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  randomBytes(raw.length, 5).copy(raw);
  for (let y = 0; y < height; y++) raw[y * (width * 3 + 1)] = 0; // filter type
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-entry ZIP archive (as an .xlsx is), the entry deflated. */
const zipOf = (name: string, text: string) => zip([{ name, data: Buffer.from(text) }]);

/** An ELF executable's first bytes: its header, zero padding, then code-like bytes. */
function elf(): Buffer {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]).copy(header);
  header.writeUInt16LE(2, 16); // executable
  header.writeUInt16LE(0x3e, 18); // x86-64
  return Buffer.concat([header, Buffer.alloc(4000), randomBytes(8000, 3)]);
}

/** A Windows executable's first bytes: "MZ", a DOS header, its stub text, and NUL padding. */
function windowsExecutable(): Buffer {
  const header = Buffer.alloc(512);
  header.write('MZ', 0, 'latin1');
  header.writeUInt16LE(0x90, 2);
  header.writeUInt16LE(3, 4);
  header.writeUInt16LE(4, 8);
  header.writeUInt16LE(0xffff, 12);
  header.writeUInt16LE(0xb8, 16);
  header.writeUInt16LE(0x40, 24);
  header.writeUInt32LE(0x80, 60);
  header.write('This program cannot be run in DOS mode.\r\r\n$', 78, 'latin1');
  header.write('PE\0\0', 0x80, 'latin1');
  return Buffer.concat([
    header,
    Buffer.alloc(1024),
    Buffer.from('.text\0\0\0.rdata\0\0.data\0\0\0'),
    Buffer.alloc(2048),
  ]);
}

function nulFinding(findings: readonly { code: string; evidence?: unknown }[]) {
  return findings.find((f) => f.code === 'CSV_NUL_BYTES')?.evidence as
    | { file: string; count: number; lines: number[] }
    | undefined;
}

describe('stray NUL characters in a text file', () => {
  it('reads a NUL inside a value of the first data line and lists its line', async () => {
    const { connector, inventory, findings, path } = await inventoryOf(
      'clients.csv',
      'id,nom\n1,a\0b\n2,c\n',
    );
    expect(findings.map((f) => [f.code, f.severity])).toEqual([['CSV_NUL_BYTES', 'warning']]);
    expect(nulFinding(findings)).toEqual({ file: path, count: 1, lines: [2] });
    expect(findings[0]!.message).toBe(
      `${path}: 1 row(s) hold NUL characters (lines 2); kept as they are, though many databases refuse them in text`,
    );
    const dataset = inventory.datasets[0]!;
    expect(dataset.rowCount).toBe(2);
    expect(dataset.columns.map((c) => c.name)).toEqual(['id', 'nom']);
    expect(await readAll(connector, 'clients')).toEqual([
      [1, 'a\0b'],
      [2, 'c'],
    ]);
  });

  it('reads a NUL in the header line (line 1) and at the very start of the file', async () => {
    const header = await inventoryOf('head.csv', 'a,b\0\n1,2\n');
    expect(header.findings.map((f) => f.code)).toEqual(['CSV_NUL_BYTES']);
    expect(nulFinding(header.findings)!.lines).toEqual([1]);
    expect(header.inventory.datasets[0]!.columns.map((c) => c.name)).toEqual(['a', 'b\0']);
    expect(await readAll(header.connector, 'head')).toEqual([[1, 2]]);

    const first = await inventoryOf('first.csv', '\0id,name\n1,x\n2,y\n');
    expect(first.findings.map((f) => f.code)).toEqual(['CSV_NUL_BYTES']);
    expect(nulFinding(first.findings)!.lines).toEqual([1]);
  });

  it('lists a few NULs across the first block exactly as the same NULs past the sniffed sample', async () => {
    const nulLines = new Set([2, 3, 40, 700, 2500]);
    // Line n (from 2) holds row n - 2; the rows of `nulLines` hold two NULs each.
    const rows3000 = Array.from({ length: 3000 }, (_, i) =>
      nulLines.has(i + 2) ? `${i},va\0lue ${i},\0\n` : `${i},value ${i},ok\n`,
    ).join('');
    const early = await inventoryOf('early.csv', `id,text,flag\n${rows3000}`);
    expect(early.findings.map((f) => f.code)).toEqual(['CSV_NUL_BYTES']);
    expect(nulFinding(early.findings)).toMatchObject({ count: 5, lines: [2, 3, 40, 700, 2500] });
    const rows = await readAll(early.connector, 'early');
    expect(rows).toHaveLength(3000);
    expect(rows[0]).toEqual([0, 'va\0lue 0', '\0']);
    expect(rows[698]).toEqual([698, 'va\0lue 698', '\0']);

    // The same rows after 100 000 clean ones: far past the 64 KB sample, same count, lines shifted.
    const filler = Array.from({ length: 100_000 }, (_, i) => `${i},filler,ok\n`).join('');
    const late = await inventoryOf('late.csv', `id,text,flag\n${filler}${rows3000}`);
    expect(late.findings.map((f) => f.code)).toEqual(['CSV_NUL_BYTES']);
    expect(nulFinding(late.findings)).toMatchObject({
      count: 5,
      lines: [2, 3, 40, 700, 2500].map((line) => line + 100_000),
    });
    expect(early.findings[0]!.message).toBe(
      `${early.path}: 5 row(s) hold NUL characters (lines 2, 3, 40, 700, 2500); kept as they are, though many databases refuse them in text`,
    );
    expect(late.findings[0]!.message).toBe(
      `${late.path}: 5 row(s) hold NUL characters (lines 100002, 100003, 100040, 100700, 102500); kept as they are, though many databases refuse them in text`,
    );
  });

  it('reads a windows-1252 file with a stray NUL', async () => {
    const bytes = iconv.encode('nom;ville\nÉlodie;Besançon\0\nAnne;Orléans\n', 'win1252');
    const { connector, inventory, findings } = await inventoryOf('legacy.csv', bytes);
    expect(inventory.datasets[0]!.file?.encoding).toBe('windows-1252');
    expect(findings.map((f) => f.code)).toEqual(['CSV_NUL_BYTES']);
    expect(nulFinding(findings)!.lines).toEqual([2]);
    expect(await readAll(connector, 'legacy')).toEqual([
      ['Élodie', 'Besançon\0'],
      ['Anne', 'Orléans'],
    ]);
  });

  it('lists a NUL of a record that a read chunk cuts, before the cut', async () => {
    // Chunks are 256 KiB: the NUL is just before the cut, the record ends just after it.
    const head = 'id,text\n';
    const line = '1,abcdefghijklmnopqrstuvwxyz\n';
    const count = Math.floor((256 * 1024 - head.length - 8) / line.length);
    const before = head + line.repeat(count);
    const cut = 256 * 1024 - before.length;
    const text = `${before}2,${'x'.repeat(cut - 4)}\0${'y'.repeat(20)}\n3,z\n`;
    expect(text.indexOf('\0')).toBeLessThan(256 * 1024);
    expect(text.indexOf('\n', text.indexOf('\0'))).toBeGreaterThan(256 * 1024);
    const { findings } = await inventoryOf('cut.csv', text);
    expect(findings.map((f) => f.code)).toEqual(['CSV_NUL_BYTES']);
    expect(nulFinding(findings)).toMatchObject({ count: 1, lines: [count + 2] });
  });
});

describe('binary files are still not read', () => {
  it.each([
    ['a PNG image', () => png(16, 16), 'it is a PNG image'],
    ['a tiny PNG image', () => png(1, 1), 'it is a PNG image'],
    [
      'a ZIP archive (an .xlsx renamed)',
      () => zipOf('xl/workbook.xml', '<workbook/>'.repeat(50)),
      'ZIP archive',
    ],
    ['a PDF', () => Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), randomBytes(2048)]), 'PDF'],
    ['a gzip file', () => Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), randomBytes(500)]), 'gzip'],
    [
      'a JPEG image',
      () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), Buffer.from('JFIF')]),
      'JPEG',
    ],
    ['an ELF executable', elf, 'it is an executable'],
    ['a Windows executable (no signature test: NUL-heavy)', windowsExecutable, 'NUL byte(s)'],
    ['random bytes', () => randomBytes(4096), 'control bytes'],
    ['64 KB of random bytes', () => randomBytes(64 * 1024, 17), 'control bytes'],
    [
      'eight random bytes',
      () => Buffer.from([0x00, 0x01, 0x02, 0xff, 0x10, 0x00, 0x41, 0x42]),
      'control bytes',
    ],
    ['a file of zeros', () => Buffer.alloc(4096), 'NUL byte(s)'],
    ['a few zero bytes', () => Buffer.alloc(3), 'NUL byte(s)'],
    [
      'text followed by zero padding',
      () => Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.alloc(4096)]),
      'NUL byte(s)',
    ],
    [
      'text with NULs in more than 1 in 100 bytes',
      () => `id,name\n${Array.from({ length: 400 }, (_, i) => `${i},n\0${i}\n`).join('')}`,
      'NUL byte(s)',
    ],
  ])('%s is CSV_BINARY', async (_label, build, detail) => {
    const { inventory, findings, path } = await inventoryOf('data.csv', build());
    expect(inventory.datasets).toEqual([]);
    expect(findings.map((f) => [f.code, f.severity, f.evidence])).toEqual([
      ['CSV_BINARY', 'error', { file: path, line: 1 }],
    ]);
    expect(findings[0]!.message).toMatch(/^.*: not a text file \(.*\); it cannot be read as CSV$/);
    expect(findings[0]!.message).toContain(detail);
  });

  it('names the first NUL and the counts of a NUL-heavy sample', () => {
    const sample = Buffer.concat([Buffer.from('a,b\n'), Buffer.alloc(100)]);
    expect(() => assertText(sample, 'utf-8', 'x.csv')).toThrow(
      'x.csv: not a text file (100 NUL byte(s), the first at offset 4, and 0 other control byte(s) in the first 104); it cannot be read as CSV',
    );
    try {
      assertText(sample, 'utf-8', 'x.csv');
    } catch (error) {
      expect(isStocktakeError(error, 'CSV_BINARY')).toBe(true);
    }
  });

  it('tolerates NULs up to 1 in 100 bytes of the first 8 KB, other control bytes included', () => {
    const text = Buffer.from('1,abcdefgh\n'.repeat(800)); // 8 800 bytes: 8 192 looked at
    const withNuls = (nuls: number, controls = 0) => {
      const sample = Buffer.from(text);
      for (let i = 0; i < nuls; i++) sample[5 + i * 11] = 0;
      for (let i = 0; i < controls; i++) sample[7 + i * 11] = 0x01;
      return sample;
    };
    expect(() => assertText(withNuls(81), 'utf-8', 'x.csv')).not.toThrow();
    expect(() => assertText(withNuls(82), 'utf-8', 'x.csv')).toThrow(/82 NUL byte\(s\)/);
    expect(() => assertText(withNuls(40, 41), 'utf-8', 'x.csv')).not.toThrow();
    expect(() => assertText(withNuls(40, 42), 'utf-8', 'x.csv')).toThrow(/40 NUL byte\(s\).* and 42 other/);
    // Without NULs, other control bytes keep their own limit (2%), as before.
    expect(() => assertText(withNuls(0, 160), 'utf-8', 'x.csv')).not.toThrow();
    expect(() => assertText(withNuls(0, 170), 'utf-8', 'x.csv')).toThrow(/170 control bytes/);
    // A tiny file: up to 8 NULs, never more than a quarter of its bytes.
    const tiny = (nuls: number) => Buffer.from(`id,name\n${'1,ab\0\n'.repeat(nuls)}`.padEnd(48, ' '));
    expect(() => assertText(tiny(8), 'utf-8', 'x.csv')).not.toThrow();
    expect(() => assertText(tiny(9), 'utf-8', 'x.csv')).toThrow(/9 NUL byte\(s\)/);
    expect(() => assertText(Buffer.from('a,\0\n'), 'utf-8', 'x.csv')).not.toThrow();
    expect(() => assertText(Buffer.from('\0\0\n'), 'utf-8', 'x.csv')).toThrow(/2 NUL byte\(s\)/);
  });
});

describe('UTF-16 is still read as text', () => {
  const TEXT = 'id;nom\r\n1;Élodie\r\n2;Zoé\r\n';
  it.each([
    ['utf-16le with BOM', iconv.encode(TEXT, 'utf-16le', { addBOM: true }), 'utf-16le'],
    ['utf-16be with BOM', iconv.encode(TEXT, 'utf-16be', { addBOM: true }), 'utf-16be'],
    ['utf-16le without BOM', iconv.encode(TEXT, 'utf-16le'), 'utf-16le'],
    ['utf-16be without BOM', iconv.encode(TEXT, 'utf-16be'), 'utf-16be'],
  ])('%s', async (_label, bytes, encoding) => {
    expect(bytes.indexOf(0)).toBeGreaterThanOrEqual(0);
    const { connector, inventory, findings } = await inventoryOf('wide.csv', bytes);
    expect(findings).toEqual([]);
    expect(inventory.datasets[0]!.file?.encoding).toBe(encoding);
    expect(inventory.datasets[0]!.columns.map((c) => c.name)).toEqual(['id', 'nom']);
    expect(await readAll(connector, 'wide')).toEqual([
      [1, 'Élodie'],
      [2, 'Zoé'],
    ]);
  });

  it('lists a U+0000 character of a UTF-16 file as a NUL', async () => {
    const bytes = iconv.encode('id;nom\r\n1;a\0b\r\n2;c\r\n', 'utf-16le', { addBOM: true });
    const { connector, findings } = await inventoryOf('wide-nul.csv', bytes);
    expect(findings.map((f) => f.code)).toEqual(['CSV_NUL_BYTES']);
    expect(nulFinding(findings)!.lines).toEqual([2]);
    expect(await readAll(connector, 'wide-nul')).toEqual([
      [1, 'a\0b'],
      [2, 'c'],
    ]);
  });
});
