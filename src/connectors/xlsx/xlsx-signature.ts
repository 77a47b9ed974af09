/**
 * Checks a workbook's first bytes before exceljs sees it, so that an old `.xls`, a
 * password-protected workbook (both OLE compound files) or a file that is no ZIP at all gets a
 * clear error naming the file instead of a ZIP parser's complaint.
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
