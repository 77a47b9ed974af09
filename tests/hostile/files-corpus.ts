/**
 * A generator of hostile input files (no committed binaries): each case writes its file(s) into a
 * temp dir and states the exact outcome expected from the inventory and the read.
 */
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import iconv from 'iconv-lite';

/** A finding the inventory must report: its code, optionally its severity and listed lines. */
export interface ExpectedFinding {
  readonly code: string;
  readonly severity?: 'error' | 'warning' | 'info';
  readonly lines?: readonly number[];
  /** The message names this file (relative to the case dir). */
  readonly names?: string;
}

/** What one dataset must hold after the inventory and a full read. */
export interface ExpectedDataset {
  readonly name: string;
  readonly columns: readonly string[];
  /** The exact rows; a function when they are too big to spell out. */
  readonly rows: readonly (readonly unknown[])[] | ((rows: unknown[][]) => void);
}

/** One hostile case: how to build it and what must come out. */
export interface HostileCase {
  readonly name: string;
  readonly kind: 'csv' | 'xlsx';
  /** Writes the files into `dir` and returns the source path (file, folder or glob). */
  readonly build: (dir: string) => Promise<string> | string;
  readonly datasets: readonly ExpectedDataset[];
  /** Every finding of the inventory, in order (codes and details). */
  readonly findings: readonly ExpectedFinding[];
  /** The inventory itself throws this code (the source path is unusable). */
  readonly throws?: string;
  /** A decompression or entity bomb: memory growth is bounded and checked. */
  readonly bomb?: boolean;
}

// --- a tiny zip writer (stored or deflated entries, sizes known up front) ---

interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
  /** Pre-compressed raw deflate data, with the uncompressed size and crc. */
  readonly deflated?: { readonly bytes: Buffer; readonly size: number; readonly crc: number };
}

/** Builds a zip archive of the entries (deflated unless given pre-compressed). */
export function zip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const packed = entry.deflated ?? {
      bytes: deflateRawSync(entry.data),
      size: entry.data.length,
      crc: crc32(entry.data),
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(packed.crc >>> 0, 14);
    local.writeUInt32LE(packed.bytes.length, 18);
    local.writeUInt32LE(packed.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(packed.crc >>> 0, 16);
    central.writeUInt32LE(packed.bytes.length, 20);
    central.writeUInt32LE(packed.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed.bytes);
    centrals.push(central, name);
    offset += local.length + name.length + packed.bytes.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Raw-deflates `size` bytes of `byte` without holding them in memory. */
export async function deflatedRun(size: number, byte: number): Promise<ZipEntry['deflated']> {
  const chunk = Buffer.alloc(1 << 20, byte);
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (part: Buffer) => parts.push(part));
  let crc = 0;
  for (let left = size; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = crc32(piece, crc);
    if (!deflate.write(piece)) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  return { bytes: Buffer.concat(parts), size, crc };
}

const xml = (s: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`);
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A cell: a string (shared string index when `shared`), or a number. */
type Cell = string | number | null;

/** The parts of a minimal valid workbook with one sheet per entry of `sheets`. */
export function workbookParts(
  sheets: Record<string, readonly (readonly Cell[])[]>,
  overrides: { workbook?: Buffer; sharedStrings?: Buffer } = {},
): ZipEntry[] {
  const names = Object.keys(sheets);
  const strings: string[] = [];
  const sheetXml = names.map((sheet) => {
    const rows = sheets[sheet]!.map((cells, r) => {
      const body = cells
        .map((value, c) => {
          const ref = `${String.fromCharCode(65 + c)}${r + 1}`;
          if (value === null) return '';
          if (typeof value === 'number') return `<c r="${ref}"><v>${value}</v></c>`;
          strings.push(value);
          return `<c r="${ref}" t="s"><v>${strings.length - 1}</v></c>`;
        })
        .join('');
      return `<row r="${r + 1}">${body}</row>`;
    });
    return xml(`<worksheet xmlns="${MAIN}"><sheetData>${rows.join('')}</sheetData></worksheet>`);
  });
  const shared =
    overrides.sharedStrings ??
    xml(
      `<sst xmlns="${MAIN}" count="${strings.length}" uniqueCount="${strings.length}">${strings
        .map((s) => `<si><t xml:space="preserve">${escapeXml(s)}</t></si>`)
        .join('')}</sst>`,
    );
  return [
    {
      name: '[Content_Types].xml',
      data: xml(
        `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${names
          .map(
            (_, i) =>
              `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join(
            '',
          )}<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
      ),
    },
    {
      name: '_rels/.rels',
      data: xml(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      data:
        overrides.workbook ??
        xml(
          `<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets>${names
            .map((n, i) => `<sheet name="${escapeXml(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`)
            .join('')}</sheets></workbook>`,
        ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: xml(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${names
          .map(
            (_, i) =>
              `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
          )
          .join(
            '',
          )}<Relationship Id="rId${names.length + 1}" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
      ),
    },
    { name: 'xl/sharedStrings.xml', data: shared },
    ...sheetXml.map((data, i) => ({ name: `xl/worksheets/sheet${i + 1}.xml`, data })),
  ];
}

/** A minimal OLE compound file whose directory names the given streams. */
export function oleFile(streams: readonly string[]): Buffer {
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

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A workbook whose first sheet's `<sheetData>` is `body` verbatim (the header cell A1 is shared string 0, `a`). */
export function rawSheetWorkbook(body: string): Buffer {
  const data = xml(`<worksheet xmlns="${MAIN}"><sheetData>${body}</sheetData></worksheet>`);
  return zip(
    workbookParts({ S: [['a']] }).map((p) => (p.name === 'xl/worksheets/sheet1.xml' ? { ...p, data } : p)),
  );
}

const HEADER_A = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>';

/** Deterministic junk bytes (a linear congruential generator), so a failure reproduces. */
export function junk(size: number, seed = 7): Buffer {
  const bytes = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

function write(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const csvFile =
  (name: string, content: string | Buffer | (() => string | Buffer)) =>
  (dir: string): string =>
    write(dir, name, typeof content === 'function' ? content() : content);

const xlsxFile =
  (name: string, content: () => Buffer | Promise<Buffer>) =>
  async (dir: string): Promise<string> =>
    write(dir, name, await content());

const ONE_MB = 1024 * 1024;
const BOM = '\uFEFF';

/** Every hostile case, csv first; expectations are exact. */
export const HOSTILE_CASES: readonly HostileCase[] = [
  // --- CSV ---
  {
    name: 'binary junk named .csv',
    kind: 'csv',
    build: csvFile('junk.csv', junk(4096)),
    datasets: [],
    findings: [{ code: 'CSV_BINARY', severity: 'error', names: 'junk.csv' }],
  },
  {
    name: 'a ZIP archive named .csv',
    kind: 'csv',
    build: csvFile('archive.csv', zip(workbookParts({ S: [['a']] }))),
    datasets: [],
    findings: [{ code: 'CSV_BINARY', severity: 'error', names: 'archive.csv' }],
  },
  {
    name: 'a PDF named .csv',
    kind: 'csv',
    build: csvFile(
      'report.csv',
      Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), junk(1024, 5)]),
    ),
    datasets: [],
    findings: [{ code: 'CSV_BINARY', severity: 'error', names: 'report.csv' }],
  },
  {
    name: 'truncated UTF-8 at the end of an ASCII file',
    kind: 'csv',
    build: csvFile('trunc.csv', Buffer.concat([Buffer.from('name,city\nAnne,Montr'), Buffer.from([0xc3])])),
    // The cut character's bytes are read as windows-1252, where 0xC3 is "Ã": every byte kept, and said.
    datasets: [{ name: 'trunc', columns: ['name', 'city'], rows: [['Anne', 'Montr\u00c3']] }],
    findings: [{ code: 'CSV_UTF8_TRUNCATED', severity: 'warning', lines: [2], names: 'trunc.csv' }],
  },
  {
    name: 'truncated UTF-8 at the end of a UTF-8 file past the sniffed sample',
    kind: 'csv',
    build: csvFile('trunc-late.csv', () =>
      Buffer.concat([
        Buffer.from(`name,city
${'Zoé,Orléans\n'.repeat(10_000)}Anne,Montr`),
        Buffer.from([0xc3]),
      ]),
    ),
    datasets: [
      {
        name: 'trunc-late',
        columns: ['name', 'city'],
        rows: (rows) => {
          if (rows.length !== 10_001) throw new Error(`expected 10001 rows, got ${rows.length}`);
          const first = JSON.stringify(rows[0]);
          if (first !== JSON.stringify(['Zoé', 'Orléans'])) throw new Error(`first row ${first}`);
          const last = JSON.stringify(rows.at(-1));
          if (last !== JSON.stringify(['Anne', 'Montr\u00c3'])) throw new Error(`last row ${last}`);
        },
      },
    ],
    findings: [{ code: 'CSV_UTF8_TRUNCATED', severity: 'warning', lines: [10_002], names: 'trunc-late.csv' }],
  },
  {
    name: 'mixed encodings: UTF-8 lines and windows-1252 lines in one file',
    kind: 'csv',
    build: csvFile('mixed-enc.csv', () =>
      Buffer.concat([
        Buffer.from('id,city\n1,Orléans\n'),
        iconv.encode('2,Besançon\n', 'win1252'),
        Buffer.from('3,Nîmes\n'),
        iconv.encode('4,Créteil — 10 €\n', 'win1252'),
      ]),
    ),
    // Each line in its own encoding: nothing turned into U+FFFD or mojibake, and the legacy lines named.
    datasets: [
      {
        name: 'mixed-enc',
        columns: ['id', 'city'],
        rows: [
          [1, 'Orléans'],
          [2, 'Besançon'],
          [3, 'Nîmes'],
          [4, 'Créteil — 10 €'],
        ],
      },
    ],
    findings: [{ code: 'CSV_ENCODING_MIXED', severity: 'warning', lines: [3, 5], names: 'mixed-enc.csv' }],
  },
  {
    name: 'mixed encodings: windows-1252 lines far past a UTF-8 sample',
    kind: 'csv',
    build: csvFile('mixed-late.csv', () =>
      Buffer.concat([
        Buffer.from(`id,city\n${'1,Orléans\n'.repeat(20_000)}`),
        iconv.encode('2,Besançon\n', 'win1252'),
        Buffer.from('3,Nîmes\n'),
      ]),
    ),
    datasets: [
      {
        name: 'mixed-late',
        columns: ['id', 'city'],
        rows: (rows) => {
          if (rows.length !== 20_002) throw new Error(`expected 20002 rows, got ${rows.length}`);
          const tail = JSON.stringify(rows.slice(-3));
          const expected = JSON.stringify([
            [1, 'Orléans'],
            [2, 'Besançon'],
            [3, 'Nîmes'],
          ]);
          if (tail !== expected) throw new Error(`last rows ${tail}`);
        },
      },
    ],
    findings: [{ code: 'CSV_ENCODING_MIXED', severity: 'warning', lines: [20_002], names: 'mixed-late.csv' }],
  },
  {
    name: 'a windows-1252 export whose accents start past the sniffed sample',
    kind: 'csv',
    build: csvFile('legacy.csv', () =>
      Buffer.concat([
        Buffer.from(`id,city\n${'1,Paris\n'.repeat(20_000)}`),
        iconv.encode('2,Besançon\n', 'win1252'),
      ]),
    ),
    datasets: [
      {
        name: 'legacy',
        columns: ['id', 'city'],
        rows: (rows) => {
          const last = JSON.stringify(rows.at(-1));
          if (last !== JSON.stringify([2, 'Besançon'])) throw new Error(`last row ${last}`);
        },
      },
    ],
    findings: [{ code: 'CSV_ENCODING_FALLBACK', severity: 'info', lines: [20_002], names: 'legacy.csv' }],
  },
  {
    // A stray NUL is text (kept and listed), wherever it is: not a binary file.
    name: 'NUL bytes in the first line',
    kind: 'csv',
    build: csvFile('nul.csv', Buffer.from('a,b\u0000\n1,2\n')),
    datasets: [{ name: 'nul', columns: ['a', 'b\u0000'], rows: [[1, 2]] }],
    findings: [{ code: 'CSV_NUL_BYTES', severity: 'warning', lines: [1], names: 'nul.csv' }],
  },
  {
    name: 'a NUL byte inside a value of the first data line',
    kind: 'csv',
    build: csvFile('nul-value.csv', Buffer.from('id,nom\n1,a\u0000b\n2,c\n')),
    datasets: [
      {
        name: 'nul-value',
        columns: ['id', 'nom'],
        rows: [
          [1, 'a\u0000b'],
          [2, 'c'],
        ],
      },
    ],
    findings: [{ code: 'CSV_NUL_BYTES', severity: 'warning', lines: [2], names: 'nul-value.csv' }],
  },
  {
    name: 'a text file padded with NUL bytes',
    kind: 'csv',
    build: csvFile('padded.csv', Buffer.concat([Buffer.from('a,b\n1,2\n'), Buffer.alloc(4096)])),
    datasets: [],
    findings: [{ code: 'CSV_BINARY', severity: 'error', names: 'padded.csv' }],
  },
  {
    name: 'a NUL byte far past the sniffed sample',
    kind: 'csv',
    build: csvFile('nul-late.csv', () => `a,b\n${'1,2\n'.repeat(40_000)}3,x\u0000y\n`),
    datasets: [
      {
        name: 'nul-late',
        columns: ['a', 'b'],
        rows: (rows) => {
          if (rows.length !== 40_001) throw new Error(`expected 40001 rows, got ${rows.length}`);
          const last = JSON.stringify(rows.at(-1));
          if (last !== JSON.stringify([3, 'x\u0000y'])) throw new Error(`last row ${last}`);
        },
      },
    ],
    findings: [{ code: 'CSV_NUL_BYTES', severity: 'warning', lines: [40_002], names: 'nul-late.csv' }],
  },
  {
    name: 'a whitespace-only file',
    kind: 'csv',
    build: csvFile('spaces.csv', '   \n\t \r\n  '),
    datasets: [{ name: 'spaces', columns: [], rows: [] }],
    findings: [{ code: 'FILE_BLANK', severity: 'warning', names: 'spaces.csv' }],
  },
  {
    name: 'control characters and a lone surrogate',
    kind: 'csv',
    build: csvFile(
      'control.csv',
      Buffer.concat([
        Buffer.from('a,b\n1,\u0001\u0007\u001b[31m\n2,'),
        Buffer.from([0xed, 0xa0, 0x80, 0x0a]),
      ]),
    ),
    datasets: [],
    findings: [{ code: 'CSV_BINARY', severity: 'error', names: 'control.csv' }],
  },
  {
    name: 'a 1 MB cell (at the oversize limit, not over it)',
    kind: 'csv',
    build: csvFile('cell1mb.csv', () => `id,text\n1,${'x'.repeat(ONE_MB)}\n2,short\n`),
    datasets: [
      {
        name: 'cell1mb',
        columns: ['id', 'text'],
        rows: [
          [1, 'x'.repeat(ONE_MB)],
          [2, 'short'],
        ],
      },
    ],
    findings: [],
  },
  {
    name: 'a 10 MB quoted cell',
    kind: 'csv',
    build: csvFile('cell10mb.csv', () => `id,text\n1,"${'y'.repeat(10 * ONE_MB)}"\n2,short\n`),
    datasets: [
      {
        name: 'cell10mb',
        columns: ['id', 'text'],
        rows: [
          [1, 'y'.repeat(10 * ONE_MB)],
          [2, 'short'],
        ],
      },
    ],
    findings: [{ code: 'FIELD_OVERSIZED', severity: 'warning', names: 'cell10mb.csv' }],
  },
  {
    name: 'a 100,000-column header',
    kind: 'csv',
    build: csvFile(
      'wide.csv',
      () =>
        `${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',')}\n${Array.from({ length: 100_000 }, (_, i) => i).join(',')}\n`,
    ),
    datasets: [
      {
        name: 'wide',
        columns: Array.from({ length: 100_000 }, (_, i) => `c${i}`),
        rows: [Array.from({ length: 100_000 }, (_, i) => i)],
      },
    ],
    findings: [],
  },
  {
    name: 'an unterminated quote at line 4',
    kind: 'csv',
    build: csvFile('openquote.csv', 'id,text\n1,a\n2,b\n3,"never closed\n4,c\n'),
    datasets: [],
    findings: [{ code: 'CSV_QUOTE_NOT_CLOSED', severity: 'error', lines: [4], names: 'openquote.csv' }],
  },
  {
    name: 'ragged rows (too few and too many fields)',
    kind: 'csv',
    build: csvFile('ragged.csv', 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n'),
    datasets: [
      {
        name: 'ragged',
        columns: ['a', 'b', 'c'],
        rows: [
          [1, 2, 3],
          [4, 5, null],
          [6, 7, 8],
          [10, 11, 12],
        ],
      },
    ],
    findings: [{ code: 'CSV_RAGGED_ROW', severity: 'warning', lines: [3, 4], names: 'ragged.csv' }],
  },
  {
    name: 'a BOM in the middle of the file',
    kind: 'csv',
    build: csvFile('midbom.csv', `a,b\n1,x\n${BOM}2,y\n`),
    // Kept as data (it is one), so the column is text rather than a silently altered number.
    datasets: [
      {
        name: 'midbom',
        columns: ['a', 'b'],
        rows: [
          ['1', 'x'],
          [`${BOM}2`, 'y'],
        ],
      },
    ],
    findings: [],
  },
  {
    name: 'a BOM at the start',
    kind: 'csv',
    build: csvFile('bom.csv', `${BOM}a,b\n1,x\n`),
    datasets: [{ name: 'bom', columns: ['a', 'b'], rows: [[1, 'x']] }],
    findings: [],
  },
  {
    name: 'CR-only line endings',
    kind: 'csv',
    build: csvFile('cr.csv', 'a,b\r1,x\r2,y\r'),
    datasets: [
      {
        name: 'cr',
        columns: ['a', 'b'],
        rows: [
          [1, 'x'],
          [2, 'y'],
        ],
      },
    ],
    findings: [],
  },
  {
    name: 'CRLF with a line break inside a quoted field',
    kind: 'csv',
    build: csvFile('crlf.csv', 'a,b\r\n1,"x\ny"\r\n2,z\r\n'),
    datasets: [
      {
        name: 'crlf',
        columns: ['a', 'b'],
        rows: [
          [1, 'x\ny'],
          [2, 'z'],
        ],
      },
    ],
    findings: [],
  },
  {
    name: 'an empty file',
    kind: 'csv',
    build: csvFile('empty.csv', ''),
    datasets: [{ name: 'empty', columns: [], rows: [] }],
    findings: [{ code: 'FILE_EMPTY', severity: 'warning', names: 'empty.csv' }],
  },
  {
    name: 'a header only',
    kind: 'csv',
    build: csvFile('header.csv', 'a,b,c\n'),
    datasets: [{ name: 'header', columns: ['a', 'b', 'c'], rows: [] }],
    findings: [{ code: 'FILE_HEADER_ONLY', severity: 'warning', lines: [1], names: 'header.csv' }],
  },
  {
    name: 'a single field and no line break',
    kind: 'csv',
    build: csvFile('one.csv', 'lonely'),
    datasets: [{ name: 'one', columns: ['lonely'], rows: [] }],
    findings: [{ code: 'FILE_HEADER_ONLY', severity: 'warning', lines: [1], names: 'one.csv' }],
  },
  {
    name: 'only blank lines',
    kind: 'csv',
    build: csvFile('blank.csv', '\n\n\n\n'),
    datasets: [{ name: 'blank', columns: [], rows: [] }],
    findings: [{ code: 'FILE_BLANK', severity: 'warning', names: 'blank.csv' }],
  },
  {
    name: 'blank lines between rows',
    kind: 'csv',
    build: csvFile('gaps.csv', 'a,b\n\n\n1,x\n\n2,y\n'),
    datasets: [
      {
        name: 'gaps',
        columns: ['a', 'b'],
        rows: [
          [1, 'x'],
          [2, 'y'],
        ],
      },
    ],
    findings: [{ code: 'CSV_BLANK_LINES', severity: 'info', names: 'gaps.csv' }],
  },
  {
    name: 'duplicate and blank header names',
    kind: 'csv',
    build: csvFile('dupes.csv', 'id,,id,name,\n1,2,3,4,5\n'),
    datasets: [
      { name: 'dupes', columns: ['id', 'column_2', 'id_2', 'name', 'column_5'], rows: [[1, 2, 3, 4, 5]] },
    ],
    findings: [
      { code: 'HEADER_BLANK', severity: 'warning', lines: [1], names: 'dupes.csv' },
      { code: 'HEADER_DUPLICATE', severity: 'warning', lines: [1], names: 'dupes.csv' },
    ],
  },
  {
    name: 'a 100,000-character header name',
    kind: 'csv',
    build: csvFile('hugehead.csv', () => `id,${'h'.repeat(100_000)}\n1,2\n`),
    datasets: [{ name: 'hugehead', columns: ['id', 'h'.repeat(100_000)], rows: [[1, 2]] }],
    findings: [],
  },
  {
    name: 'formula-looking values',
    kind: 'csv',
    build: csvFile(
      'formulas.csv',
      `id,value\n1,"=cmd|' /C calc'!A0"\n2,+1+1\n3,@SUM(A1:A2)\n4,-2+3\n5,"=HYPERLINK(""http://x"")"\n`,
    ),
    // Read as the text they are: never evaluated, never turned into numbers.
    datasets: [
      {
        name: 'formulas',
        columns: ['id', 'value'],
        rows: [
          [1, "=cmd|' /C calc'!A0"],
          [2, '+1+1'],
          [3, '@SUM(A1:A2)'],
          [4, '-2+3'],
          [5, '=HYPERLINK("http://x")'],
        ],
      },
    ],
    findings: [],
  },
  {
    name: 'quotes, semicolons and newlines in fields',
    kind: 'csv',
    build: csvFile('quoted.csv', 'id,note\n1,"say ""hi""; bye"\n2,"line one\nline two"\n3,plain\n'),
    datasets: [
      {
        name: 'quoted',
        columns: ['id', 'note'],
        rows: [
          [1, 'say "hi"; bye'],
          [2, 'line one\nline two'],
          [3, 'plain'],
        ],
      },
    ],
    findings: [],
  },
  {
    name: 'UTF-16LE without a BOM',
    kind: 'csv',
    build: csvFile('utf16.csv', Buffer.from('a,b\n1,x\n', 'utf16le')),
    datasets: [{ name: 'utf16', columns: ['a', 'b'], rows: [[1, 'x']] }],
    findings: [],
  },
  {
    name: 'a folder with one good and one bad file',
    kind: 'csv',
    build: (dir) => {
      const folder = join(dir, 'mixed');
      mkdirSync(folder);
      write(folder, 'good.csv', 'a,b\n1,x\n');
      write(folder, 'bad.csv', junk(2048, 3));
      return folder;
    },
    datasets: [{ name: 'good', columns: ['a', 'b'], rows: [[1, 'x']] }],
    findings: [{ code: 'CSV_BINARY', severity: 'error', names: 'bad.csv' }],
  },
  {
    name: 'a glob matching nothing',
    kind: 'csv',
    build: (dir) => join(dir, 'nothing-*.csv'),
    datasets: [],
    findings: [{ code: 'FILE_NOT_FOUND', severity: 'warning', names: 'nothing-*.csv' }],
  },
  {
    name: 'a path that does not exist',
    kind: 'csv',
    build: (dir) => join(dir, 'missing.csv'),
    datasets: [],
    findings: [],
    throws: 'FILE_NOT_FOUND',
  },
  {
    name: 'file names with quotes, semicolons, a newline and Unicode',
    kind: 'csv',
    build: (dir) => {
      const folder = join(dir, 'names');
      mkdirSync(folder);
      write(folder, `it's "q"; x.csv`, 'a\n1\n');
      write(folder, 'new\nline.csv', 'a\n2\n');
      write(folder, 'répertoire-日本.csv', 'a\n3\n');
      return folder;
    },
    datasets: [
      { name: `it's "q"; x`, columns: ['a'], rows: [[1]] },
      { name: 'new\nline', columns: ['a'], rows: [[2]] },
      { name: 'répertoire-日本', columns: ['a'], rows: [[3]] },
    ],
    findings: [],
  },
  {
    name: 'a broken file whose name holds a quote and a semicolon',
    kind: 'csv',
    build: csvFile(`bad"; rm -rf.csv`, 'id,text\n1,"open\n'),
    datasets: [],
    findings: [{ code: 'CSV_QUOTE_NOT_CLOSED', severity: 'error', lines: [2], names: `bad"; rm -rf.csv` }],
  },
  // --- XLSX ---
  {
    name: 'a valid minimal workbook',
    kind: 'xlsx',
    build: xlsxFile('ok.xlsx', () =>
      zip(
        workbookParts({
          People: [
            ['name', 'age'],
            ['Anne', 31],
            ['Bob', 42],
          ],
        }),
      ),
    ),
    datasets: [
      {
        name: 'ok/People',
        columns: ['name', 'age'],
        rows: [
          ['Anne', 31],
          ['Bob', 42],
        ],
      },
    ],
    findings: [],
  },
  {
    name: 'an empty sheet',
    kind: 'xlsx',
    build: xlsxFile('emptysheet.xlsx', () => zip(workbookParts({ Empty: [] }))),
    datasets: [{ name: 'emptysheet/Empty', columns: [], rows: [] }],
    findings: [{ code: 'SHEET_EMPTY', severity: 'info', names: 'emptysheet.xlsx' }],
  },
  {
    name: 'a sheet of one cell',
    kind: 'xlsx',
    build: xlsxFile('onecell.xlsx', () => zip(workbookParts({ One: [['only']] }))),
    datasets: [{ name: 'onecell/One', columns: ['only'], rows: [] }],
    // The one cell is read as a header: a sheet with no data says so.
    findings: [{ code: 'SHEET_HEADER_ONLY', severity: 'warning', names: 'onecell.xlsx' }],
  },
  {
    name: 'formula-looking strings in a workbook',
    kind: 'xlsx',
    build: xlsxFile('formulas.xlsx', () =>
      zip(workbookParts({ F: [['v'], ["=cmd|' /C calc'!A0"], ['+1+1'], ['@SUM(A1)']] })),
    ),
    datasets: [
      { name: 'formulas/F', columns: ['v'], rows: [["=cmd|' /C calc'!A0"], ['+1+1'], ['@SUM(A1)']] },
    ],
    findings: [],
  },
  {
    name: 'duplicate and blank headers in a workbook',
    kind: 'xlsx',
    build: xlsxFile('dupes.xlsx', () =>
      zip(
        workbookParts({
          D: [
            ['id', null, 'id'],
            [1, 2, 3],
          ],
        }),
      ),
    ),
    datasets: [{ name: 'dupes/D', columns: ['id', 'column_2', 'id_2'], rows: [[1, 2, 3]] }],
    findings: [
      { code: 'HEADER_BLANK', severity: 'warning', lines: [1], names: 'dupes.xlsx' },
      { code: 'HEADER_DUPLICATE', severity: 'warning', lines: [1], names: 'dupes.xlsx' },
    ],
  },
  {
    name: 'an error cell alone on its row',
    kind: 'xlsx',
    build: xlsxFile('errors.xlsx', () =>
      rawSheetWorkbook(
        `${HEADER_A}<row r="2"><c r="A2" t="e"><v>#REF!</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>`,
      ),
    ),
    datasets: [{ name: 'errors/S', columns: ['a'], rows: [[null], [2]] }],
    findings: [{ code: 'XLSX_CELL_ERROR', severity: 'warning', names: 'errors.xlsx' }],
  },
  {
    name: 'numbers that are not finite (NaN, 1e999)',
    kind: 'xlsx',
    build: xlsxFile('nonfinite.xlsx', () =>
      rawSheetWorkbook(
        `${HEADER_A}<row r="2"><c r="A2"><v>NaN</v></c></row><row r="3"><c r="A3"><v>1e999</v></c></row><row r="4"><c r="A4"><v>2</v></c></row>`,
      ),
    ),
    datasets: [{ name: 'nonfinite/S', columns: ['a'], rows: [[null], [null], [2]] }],
    findings: [{ code: 'XLSX_CELL_ERROR', severity: 'warning', names: 'nonfinite.xlsx' }],
  },
  {
    name: 'a shared-string index past the table',
    kind: 'xlsx',
    build: xlsxFile('badindex.xlsx', () =>
      rawSheetWorkbook(`${HEADER_A}<row r="2"><c r="A2" t="s"><v>99999999</v></c></row>`),
    ),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'badindex.xlsx' }],
  },
  {
    name: 'a cell reference out of bounds',
    kind: 'xlsx',
    build: xlsxFile('badref.xlsx', () =>
      rawSheetWorkbook(`${HEADER_A}<row r="2"><c r="ZZZZZZ2"><v>1</v></c></row>`),
    ),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'badref.xlsx' }],
  },
  {
    name: 'a sheet named like an injection',
    kind: 'xlsx',
    build: xlsxFile('inject.xlsx', () => zip(workbookParts({ 'x"; DROP TABLE y; --': [['a'], [1]] }))),
    datasets: [{ name: 'inject/x"; DROP TABLE y; --', columns: ['a'], rows: [[1]] }],
    findings: [],
  },
  {
    name: 'an .xls (OLE) file named .xlsx',
    kind: 'xlsx',
    build: xlsxFile('legacy.xlsx', () => oleFile(['Workbook'])),
    datasets: [],
    findings: [{ code: 'XLSX_LEGACY_XLS', severity: 'error', names: 'legacy.xlsx' }],
  },
  {
    name: 'an encrypted workbook',
    kind: 'xlsx',
    build: xlsxFile('locked.xlsx', () => oleFile(['EncryptionInfo', 'EncryptedPackage'])),
    datasets: [],
    findings: [{ code: 'XLSX_ENCRYPTED', severity: 'error', names: 'locked.xlsx' }],
  },
  {
    name: 'an empty .xlsx file',
    kind: 'xlsx',
    build: xlsxFile('zero.xlsx', () => Buffer.alloc(0)),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'zero.xlsx' }],
  },
  {
    name: 'a truncated .xlsx',
    kind: 'xlsx',
    build: xlsxFile('cut.xlsx', () => {
      const full = zip(workbookParts({ S: [['a'], [1]] }));
      return full.subarray(0, Math.floor(full.length / 2));
    }),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'cut.xlsx' }],
  },
  {
    name: 'an .xlsx that is CSV text',
    kind: 'xlsx',
    build: xlsxFile('text.xlsx', () => Buffer.from('a,b\n1,2\n')),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'text.xlsx' }],
  },
  {
    name: 'junk after a ZIP signature',
    kind: 'xlsx',
    build: xlsxFile('junkzip.xlsx', () =>
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), junk(4096, 11)]),
    ),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'junkzip.xlsx' }],
  },
  {
    name: 'a shared-strings part that is not XML',
    kind: 'xlsx',
    build: xlsxFile('badstrings.xlsx', () =>
      zip(workbookParts({ S: [['a'], ['b']] }, { sharedStrings: Buffer.from('   ') })),
    ),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'badstrings.xlsx' }],
  },
  {
    name: 'zip bomb: 256 MB of zeros in an unused part',
    kind: 'xlsx',
    build: xlsxFile('bomb-extra.xlsx', async () =>
      zip([
        ...workbookParts({ S: [['a'], [1]] }),
        { name: 'xl/media/zeros.bin', data: Buffer.alloc(0), deflated: await deflatedRun(256 * ONE_MB, 0) },
      ]),
    ),
    // Refused from the ZIP's central directory before exceljs inflates the part.
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'bomb-extra.xlsx' }],
    bomb: true,
  },
  {
    name: 'zip bomb: the sheet part inflates to 256 MB of zeros',
    kind: 'xlsx',
    build: xlsxFile('bomb-sheet.xlsx', async () => {
      const parts = workbookParts({ S: [['a']] }).filter((p) => !p.name.startsWith('xl/worksheets/'));
      const run = await deflatedRun(256 * ONE_MB, 0);
      return zip([...parts, { name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(0), deflated: run }]);
    }),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'bomb-sheet.xlsx' }],
    bomb: true,
  },
  {
    name: 'zip bomb: 256 MB of spaces as the shared strings',
    kind: 'xlsx',
    build: xlsxFile('bomb-spaces.xlsx', async () => {
      const run = await deflatedRun(256 * ONE_MB, 0x20);
      return zip(
        workbookParts({ S: [['a']] }).map((p) =>
          p.name === 'xl/sharedStrings.xml' ? { ...p, deflated: run } : p,
        ),
      );
    }),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'bomb-spaces.xlsx' }],
    bomb: true,
  },
  {
    name: 'billion laughs in sharedStrings.xml',
    kind: 'xlsx',
    build: xlsxFile('laughs-ss.xlsx', () =>
      zip(
        workbookParts(
          { S: [['a'], ['b']] },
          {
            sharedStrings: xml(`${LAUGHS}<sst xmlns="${MAIN}"><si><t>&lol9;</t></si><si><t>b</t></si></sst>`),
          },
        ),
      ),
    ),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'laughs-ss.xlsx' }],
    bomb: true,
  },
  {
    name: 'billion laughs in workbook.xml',
    kind: 'xlsx',
    build: xlsxFile('laughs-wb.xlsx', () =>
      zip(
        workbookParts(
          { S: [['a'], ['b']] },
          {
            workbook: xml(
              `${LAUGHS}<workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>`,
            ),
          },
        ),
      ),
    ),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'laughs-wb.xlsx' }],
    bomb: true,
  },
  {
    name: 'an external entity (XXE) in sharedStrings.xml',
    kind: 'xlsx',
    build: xlsxFile('xxe.xlsx', () =>
      zip(
        workbookParts(
          { S: [['a'], ['b']] },
          {
            sharedStrings: xml(
              `<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst xmlns="${MAIN}"><si><t>&xxe;</t></si><si><t>b</t></si></sst>`,
            ),
          },
        ),
      ),
    ),
    datasets: [],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'xxe.xlsx' }],
  },
  {
    name: 'a workbook folder with one good and one bad file',
    kind: 'xlsx',
    build: (dir) => {
      const folder = join(dir, 'books');
      mkdirSync(folder);
      write(folder, 'good.xlsx', zip(workbookParts({ S: [['a'], [1]] })));
      write(folder, 'bad.xlsx', Buffer.from('not a zip'));
      return folder;
    },
    datasets: [{ name: 'good/S', columns: ['a'], rows: [[1]] }],
    findings: [{ code: 'XLSX_UNREADABLE', severity: 'error', names: 'bad.xlsx' }],
  },
  {
    name: 'a workbook glob matching nothing',
    kind: 'xlsx',
    build: (dir) => join(dir, '*.xlsx'),
    datasets: [],
    findings: [{ code: 'FILE_NOT_FOUND', severity: 'warning', names: '*.xlsx' }],
  },
];

const LAUGHS = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;"><!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;"><!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>`;
