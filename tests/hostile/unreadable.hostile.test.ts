/**
 * Sources that cannot be read. Zip bombs refused from the ZIP's central directory, before exceljs inflates anything: a part
 * declared far larger than its compressed bytes, many parts that are together, sizes declared in
 * ZIP64 fields; a workbook that is merely large passes. The directory is all that is read, so the
 * declared sizes here need no real data behind them. A source whose every file fails is a failed
 * source (exit 3) while the others are still inventoried; one bad file among good ones stays a finding.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertWorkbookFile } from '../../src/connectors/xlsx/xlsx-signature.ts';
import { isStocktakeError } from '../../src/core/errors.ts';
import { workbookParts, zip } from './files-corpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'stocktake-zip-bomb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MB = 1024 * 1024;
let counter = 0;

/** A valid small workbook plus parts whose declared inflated sizes are `sizes` over `compressed` bytes each. */
function workbookWith(parts: readonly { name: string; size: number; compressed: number }[]): string {
  const file = join(dir, `book-${++counter}.xlsx`);
  writeFileSync(
    file,
    zip([
      ...workbookParts({ S: [['a'], [1]] }),
      ...parts.map((p) => ({
        name: p.name,
        data: Buffer.alloc(0),
        deflated: { bytes: Buffer.alloc(p.compressed), size: p.size, crc: 0 },
      })),
    ]),
  );
  return file;
}

async function refusal(file: string): Promise<unknown> {
  return assertWorkbookFile(file).then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** One stored part whose sizes are given only in a ZIP64 extra field (0xFFFFFFFF in the entry). */
function zip64Workbook(size: bigint, compressed: number): string {
  const file = join(dir, `zip64-${++counter}.xlsx`);
  const name = Buffer.from('xl/media/huge.bin');
  const data = Buffer.alloc(compressed);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(45, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(0xffffffff, 18);
  local.writeUInt32LE(0xffffffff, 22);
  local.writeUInt16LE(name.length, 26);
  const extra = Buffer.alloc(20);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(16, 2);
  extra.writeBigUInt64LE(size, 4);
  extra.writeBigUInt64LE(BigInt(compressed), 12);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(45, 4);
  central.writeUInt16LE(45, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(0xffffffff, 20);
  central.writeUInt32LE(0xffffffff, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt16LE(extra.length, 30);
  const locals = Buffer.concat([local, name, data]);
  const directory = Buffer.concat([central, name, extra]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(locals.length, 16);
  writeFileSync(file, Buffer.concat([locals, directory, end]));
  return file;
}

describe('zip bombs are refused from the central directory', () => {
  it('refuses one part declared at 200× and 200 MB, naming the file and the part, without inflating it', async () => {
    const file = workbookWith([{ name: 'xl/media/zeros.bin', size: 200 * MB, compressed: MB }]);
    const started = performance.now();
    const error = await refusal(file);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(isStocktakeError(error, 'XLSX_UNREADABLE')).toBe(true);
    expect((error as Error).message).toBe(
      `${file}: the part xl/media/zeros.bin would inflate to 200 MB from 1.00 MB (200×); refused as a possible zip bomb`,
    );
  });

  it('refuses many parts that are a bomb together, naming the largest', async () => {
    const parts = Array.from({ length: 12 }, (_, i) => ({
      name: `xl/media/part${i}.bin`,
      size: (5 + (i === 7 ? 1 : 0)) * MB,
      compressed: 32 * 1024,
    }));
    const error = await refusal(workbookWith(parts));
    expect(isStocktakeError(error, 'XLSX_UNREADABLE')).toBe(true);
    expect((error as Error).message).toMatch(
      /its 18 parts \(the largest xl\/media\/part7\.bin\) would inflate to 61 MB/,
    );
  });

  it('reads sizes declared in ZIP64 fields', async () => {
    const error = await refusal(zip64Workbook(5n * 1024n * BigInt(MB), 4096));
    expect(isStocktakeError(error, 'XLSX_UNREADABLE')).toBe(true);
    expect((error as Error).message).toContain('the part xl/media/huge.bin would inflate to 5120 MB');
  });

  it('lets a large workbook that compresses like one through', async () => {
    // 300 MB at 30×, and a 40 MB part at 400× (below the 50 MB floor).
    await expect(
      assertWorkbookFile(
        workbookWith([
          { name: 'xl/worksheets/sheet9.xml', size: 300 * MB, compressed: 10 * MB },
          { name: 'xl/media/blank.bin', size: 40 * MB, compressed: 100 * 1024 },
        ]),
      ),
    ).resolves.toBeUndefined();
  });
});

describe('a source with nothing readable', () => {
  it('fails with exit 3 and the file named, while the other sources are inventoried', {
    timeout: 60_000,
  }, () => {
    const work = join(dir, 'sources');
    for (const folder of ['junk', 'mixed', 'good', 'books'])
      mkdirSync(join(work, folder), { recursive: true });
    const junk = Buffer.alloc(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256;
    writeFileSync(join(work, 'junk/only.csv'), junk);
    writeFileSync(join(work, 'mixed/bad.csv'), junk);
    writeFileSync(join(work, 'mixed/fine.csv'), 'id,name\n1,a\n');
    writeFileSync(join(work, 'good/clients.csv'), 'id,name\n1,a\n2,b\n');
    writeFileSync(
      join(work, 'books/bomb.xlsx'),
      readFileSync(workbookWith([{ name: 'xl/media/zeros.bin', size: 200 * MB, compressed: MB }])),
    );
    writeFileSync(
      join(work, 'stocktake.yaml'),
      `sources:
  junk: { kind: csv, path: junk }
  mixed: { kind: csv, path: mixed }
  good: { kind: csv, path: good }
  books: { kind: xlsx, path: books }
`,
    );
    const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');
    const run = spawnSync(process.execPath, [join(repo, 'bin/stocktake.js'), 'inventory', '-o', 'out'], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', STOCKTAKE_DEBUG: '' },
    });
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).not.toMatch(/INTERNAL|\n\s+at /);
    const inventory = JSON.parse(readFileSync(join(work, 'out/inventory.json'), 'utf8')) as {
      sources: {
        name: string;
        status: string;
        datasets: { name: string }[];
        error?: { code: string; message: string };
        findings: { code: string }[];
      }[];
    };
    const by = Object.fromEntries(inventory.sources.map((s) => [s.name, s]));
    expect(by.junk!.status).toBe('failed');
    expect(by.junk!.error!.code).toBe('CSV_BINARY');
    expect(by.junk!.error!.message).toContain(join(work, 'junk/only.csv'));
    expect(by.junk!.findings.map((f) => f.code)).toEqual(['CSV_BINARY']);
    expect(by.books!.status).toBe('failed');
    expect(by.books!.error!.code).toBe('XLSX_UNREADABLE');
    expect(by.books!.error!.message).toContain('bomb.xlsx: the part xl/media/zeros.bin');
    // One bad file among good ones: the source is read, the bad file is an error finding.
    expect(by.mixed!.status).toBe('ok');
    expect(by.mixed!.datasets.map((d) => d.name)).toEqual(['fine']);
    expect(by.mixed!.findings.map((f) => f.code)).toEqual(['CSV_BINARY']);
    expect(by.good!.status).toBe('ok');
    expect(by.good!.datasets.map((d) => d.name)).toEqual(['clients']);
  });
});
