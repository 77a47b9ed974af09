/**
 * A CSV file scanned as two byte ranges (the second in a worker thread) gives exactly the scan of one
 * pass: dataset, findings with their line numbers, and the profile taken during the scan, value
 * sample and exact aggregates included. The files mix what could go wrong at a cut: quoted fields
 * holding line breaks and doubled quotes, multi-byte UTF-8, windows-1252 lines, ragged rows, blank
 * lines, fields past the oversized limit on both sides, and a quote the parity rule misreads.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CsvFileScan, RANGE_SCAN_BYTES, scanCsvFile } from '../../src/connectors/csv/csv-scan.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-range-scan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(name: string, parts: (string | Buffer)[]): string {
  const path = join(root, name);
  writeFileSync(path, Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p))));
  return path;
}

async function scan(path: string, rangeScanBytes: number): Promise<CsvFileScan> {
  const file = { path, name: 'data' };
  return scanCsvFile('files', file, { kind: 'csv', path }, undefined, { observe: true, rangeScanBytes });
}

/** Both scans, and what must be equal: everything but how many ranges were read. */
async function bothScans(path: string): Promise<[CsvFileScan, CsvFileScan]> {
  const { ranges: one, ...single } = await scan(path, Number.POSITIVE_INFINITY);
  const { ranges: two, ...ranged } = await scan(path, 0);
  expect(one).toBe(1);
  expect(ranged).toEqual(single);
  return [
    { ...single, ranges: one },
    { ...ranged, ranges: two },
  ];
}

/** 130,000 rows (past the distinct limit) of every kind, with the traps listed above on both sides. */
function trickyRows(lineEnd: string): (string | Buffer)[] {
  const parts: (string | Buffer)[] = [`id,name,amount,day,note,code${lineEnd}`];
  for (let i = 1; i <= 130_000; i++) {
    let note = `note ${i % 89}`;
    if (i % 97 === 0) note = `"two${lineEnd}lines, ""quoted"""`;
    if (i % 1013 === 0) note = `"Zoë 𝄞 ${i % 7}"`;
    const ragged = i % 4999 === 0 ? '' : i % 7001 === 0 ? ',extra' : '';
    const code = i % 4999 === 0 ? '' : `,C${i % 50_000}`;
    parts.push(
      `${i},Client ${i},${(i % 1000) / 4},2024-02-${String((i % 28) + 1).padStart(2, '0')},${note}${code}${ragged}${lineEnd}`,
    );
    if (i % 20_011 === 0) parts.push(lineEnd);
    // A windows-1252 line: é as one byte.
    if (i % 33_333 === 0)
      parts.push(Buffer.from([0x34, 0x32, 0x2c, 0xe9, 0x2c, 0x31, 0x2c, 0x2c, 0x2c]), lineEnd);
    if (i === 1000 || i === 120_000) parts.push(`0,"${'x'.repeat(1_100_000 + i)}",1,,,${lineEnd}`);
  }
  return parts;
}

describe('CSV scan in two byte ranges', () => {
  it('is used only when asked (threads: 2), from its size on', async () => {
    const path = write('small.csv', ['a,b\n1,x\n2,y\n']);
    expect(statSync(path).size).toBeLessThan(RANGE_SCAN_BYTES);
    const file = { path, name: 'small' };
    expect((await scanCsvFile('files', file, { kind: 'csv', path })).ranges).toBe(1);
    const asked = await scanCsvFile('files', file, { kind: 'csv', path, threads: 2 }, undefined, {
      rangeScanBytes: RANGE_SCAN_BYTES,
    });
    expect(asked.ranges).toBe(1);
  });

  it('equals one pass on a file of every trap (LF)', async () => {
    const [single, ranged] = await bothScans(write('tricky-lf.csv', trickyRows('\n')));
    expect(ranged.ranges).toBe(2);
    expect(single.observation).toBeDefined();
    expect(single.observation!.columns[0]!.complete).toBe(false);
    expect(single.findings.map((f) => f.code).sort()).toEqual([
      'CSV_BLANK_LINES',
      'CSV_ENCODING_MIXED',
      'CSV_RAGGED_ROW',
      'FIELD_OVERSIZED',
    ]);
  });

  it('equals one pass with CRLF line endings', async () => {
    const [, ranged] = await bothScans(write('tricky-crlf.csv', trickyRows('\r\n')));
    expect(ranged.ranges).toBe(2);
  });

  it('falls back to one thread, with the same result, when a stray quote fools the cut', async () => {
    // `ab"c` is text to the tokenizer (a quote inside an unquoted field) but flips the parity rule.
    const parts = trickyRows('\n');
    parts.splice(10, 0, 'stray,ab"c,1,,,\n');
    const [, ranged] = await bothScans(write('stray-quote.csv', parts));
    expect(ranged.ranges).toBe(1);
  });

  it("equals one pass after Excel's sep= line, which neither range counts as a row", async () => {
    const [single, ranged] = await bothScans(write('sep-line.csv', ['sep=,\n', ...trickyRows('\n')]));
    expect(ranged.ranges).toBe(2);
    expect(single.dataset.columns.map((c) => c.name)).toEqual([
      'id',
      'name',
      'amount',
      'day',
      'note',
      'code',
    ]);
    expect(single.dataset.file).toMatchObject({ headerRow: 2, dataRow: 3 });
  });
});
