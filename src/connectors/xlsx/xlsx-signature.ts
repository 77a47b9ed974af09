/**
 * Checks a workbook's first bytes before exceljs sees it, so that an old `.xls`, a
 * password-protected workbook (both OLE compound files) or a file that is no ZIP at all gets a
 * clear error naming the file instead of a ZIP parser's complaint. Then reads the ZIP's central
 * directory: a part declared to inflate far beyond its compressed size (a zip bomb) is refused
 * before anything is inflated, since exceljs inflates every part, used or not.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StocktakeError } from '../../core/errors.ts';

const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
// An encrypted OOXML package is an OLE file holding these streams (names in UTF-16LE).
const ENCRYPTION_STREAMS = [
  Buffer.from('EncryptionInfo', 'utf16le'),
  Buffer.from('EncryptedPackage', 'utf16le'),
];

/** Throws XLSX_LEGACY_XLS, XLSX_ENCRYPTED or XLSX_UNREADABLE when the file is not an OOXML ZIP. */
export async function assertWorkbookFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  let head: Buffer;
  try {
    head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    head = head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (head.length === 0) {
    throw new StocktakeError('XLSX_UNREADABLE', `${path}: the workbook is empty (0 bytes)`, {
      context: { file: path },
    });
  }
  if (OLE.every((byte, i) => head[i] === byte)) {
    if (await containsAny(path, ENCRYPTION_STREAMS)) {
      throw new StocktakeError(
        'XLSX_ENCRYPTED',
        `${path}: the workbook is password-protected and cannot be read`,
        {
          hint: 'save an unprotected copy from Excel (File › Info › Protect Workbook › Encrypt with Password, cleared)',
          context: { file: path },
        },
      );
    }
    throw new StocktakeError(
      'XLSX_LEGACY_XLS',
      `${path}: an old Excel 97-2003 (.xls) workbook, which is not supported`,
      {
        hint: 'open it in Excel or LibreOffice and save it as .xlsx',
        context: { file: path },
      },
    );
  }
  if (!(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)) {
    throw new StocktakeError('XLSX_UNREADABLE', `${path}: not an .xlsx workbook (it is not a ZIP archive)`, {
      hint: 'check the file: it may be a CSV or another format with an .xlsx name',
      context: { file: path },
    });
  }
  await assertNoZipBomb(path);
}

/** Above this many inflated bytes, a part (or the whole package) must not be compressed more than MAX_RATIO. */
const BOMB_BYTES = 50 * 1024 * 1024;
const MAX_RATIO = 100;
const MB = 1024 * 1024;

/** One part as the central directory declares it. */
interface ZipPart {
  readonly name: string;
  readonly compressed: number;
  readonly size: number;
}

/** Throws XLSX_UNREADABLE, naming the file and the part, when the declared sizes are those of a zip bomb. */
async function assertNoZipBomb(path: string): Promise<void> {
  const parts = await readCentralDirectory(path);
  if (parts === undefined) return;
  const refuse = (part: ZipPart, what: string) =>
    new StocktakeError(
      'XLSX_UNREADABLE',
      `${path}: ${what} would inflate to ${(part.size / MB).toFixed(0)} MB from ${(part.compressed / MB).toFixed(2)} MB (${ratio(part).toFixed(0)}×); refused as a possible zip bomb`,
      {
        hint: `a workbook compresses about 5 to 20×; if this one is genuine, open it in Excel and save a copy without the part ${part.name}`,
        context: { file: path, part: part.name, size: part.size, compressed: part.compressed },
      },
    );
  for (const part of parts) {
    if (part.size > BOMB_BYTES && ratio(part) > MAX_RATIO) throw refuse(part, `the part ${part.name}`);
  }
  const total = parts.reduce(
    (sum, p) => ({ name: sum.name, compressed: sum.compressed + p.compressed, size: sum.size + p.size }),
    { name: '', compressed: 0, size: 0 },
  );
  if (total.size > BOMB_BYTES && ratio(total) > MAX_RATIO) {
    const worst = parts.reduce((a, b) => (b.size > a.size ? b : a));
    throw refuse({ ...total, name: worst.name }, `its ${parts.length} parts (the largest ${worst.name})`);
  }
}

const ratio = (part: ZipPart) => part.size / Math.max(1, part.compressed);

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_ENTRY = 0x02014b50;
// The end record (22 bytes) is followed by a comment of at most 65,535 bytes.
const TAIL = 22 + 0xffff;
// A directory this large is no workbook's: refused before it is read.
const MAX_DIRECTORY = 64 * MB;

/** The parts the central directory declares, or undefined when it cannot be found (exceljs then reports the file). */
async function readCentralDirectory(path: string): Promise<ZipPart[] | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, TAIL + 20);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let end = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        end = i;
        break;
      }
    }
    if (end < 0) return undefined;
    let count = tail.readUInt16LE(end + 10);
    let length = tail.readUInt32LE(end + 12);
    let offset = tail.readUInt32LE(end + 16);
    // ZIP64: the real figures sit in the ZIP64 end record the locator points at.
    if ((offset === 0xffffffff || length === 0xffffffff || count === 0xffff) && end >= 20) {
      if (tail.readUInt32LE(end - 20) === ZIP64_LOCATOR) {
        const at = Number(tail.readBigUInt64LE(end - 20 + 8));
        const record = Buffer.alloc(56);
        await handle.read(record, 0, 56, at);
        if (record.readUInt32LE(0) !== ZIP64_EOCD) return undefined;
        count = Number(record.readBigUInt64LE(32));
        length = Number(record.readBigUInt64LE(40));
        offset = Number(record.readBigUInt64LE(48));
      }
    }
    if (length > MAX_DIRECTORY || offset + length > size) return undefined;
    const directory = Buffer.alloc(length);
    await handle.read(directory, 0, length, offset);
    return parseDirectory(directory, count);
  } finally {
    await handle.close();
  }
}

function parseDirectory(directory: Buffer, count: number): ZipPart[] {
  const parts: ZipPart[] = [];
  let at = 0;
  for (let n = 0; n < count && at + 46 <= directory.length; n++) {
    if (directory.readUInt32LE(at) !== CENTRAL_ENTRY) break;
    let compressed = directory.readUInt32LE(at + 20);
    let size = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    // ZIP64 sizes: the 0x0001 extra field holds the 8-byte sizes that are 0xFFFFFFFF above, in order.
    if (size === 0xffffffff || compressed === 0xffffffff) {
      let extra = at + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd) {
        const id = directory.readUInt16LE(extra);
        const dataLength = directory.readUInt16LE(extra + 2);
        if (id === 0x0001) {
          let field = extra + 4;
          if (size === 0xffffffff && field + 8 <= extraEnd) {
            size = Number(directory.readBigUInt64LE(field));
            field += 8;
          }
          if (compressed === 0xffffffff && field + 8 <= extraEnd)
            compressed = Number(directory.readBigUInt64LE(field));
          break;
        }
        extra += 4 + dataLength;
      }
    }
    parts.push({ name, compressed, size });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return parts;
}

/** Streams a file looking for any of the byte patterns, carrying a window across chunk borders. */
async function containsAny(path: string, patterns: readonly Buffer[]): Promise<boolean> {
  const keep = Math.max(...patterns.map((p) => p.length)) - 1;
  let carry = Buffer.alloc(0);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const window = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    if (patterns.some((pattern) => window.includes(pattern))) return true;
    carry = Buffer.from(window.subarray(Math.max(0, window.length - keep)));
  }
  return false;
}
