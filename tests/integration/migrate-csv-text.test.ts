/**
 * A CSV column that feeds only text target columns is written as the file spells it: the type the
 * inventory inferred (boolean, decimal, date) converts it only where a field needs a typed value.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-csv-text-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CSV =
  'ref;actif;montant;jour;code;poids\nA1;Oui;12,50;03/04/2024;1.0;1,5\nA2;Non;7,00;15/05/2024;2.50;2\n';

function setUp(
  name: string,
  fields: Record<string, unknown>,
  text: string = CSV,
): { cfg: Config; path: string } {
  const csv = join(dir, `${name}.csv`);
  writeFileSync(csv, text);
  const path = join(dir, `${name}.sqlite`);
  const db = new Database(path);
  db.exec(
    `CREATE TABLE t (ref TEXT PRIMARY KEY, actif TEXT, montant TEXT, jour TEXT, code TEXT,
       est_actif INTEGER, montant_num NUMERIC, poids TEXT)`,
  );
  db.close();
  const cfg = {
    sources: { legacy: { kind: 'csv', path: csv } },
    targets: { newtool: { kind: 'sqlite', path } },
    mappings: [
      {
        name: 'm',
        from: { source: 'legacy', dataset: name },
        to: { target: 'newtool', dataset: 't', key: ['ref'], mode: 'upsert' },
        fields,
      },
    ],
  } as unknown as Config;
  return { cfg, path };
}

function rows(path: string): Record<string, unknown>[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM t ORDER BY ref').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** The text columns hold the file's cells as written. */
function expectTextAsWritten(path: string): void {
  expect(
    rows(path).map(({ ref, actif, montant, jour, code }) => ({ ref, actif, montant, jour, code })),
  ).toEqual([
    { ref: 'A1', actif: 'Oui', montant: '12,50', jour: '03/04/2024', code: '1.0' },
    { ref: 'A2', actif: 'Non', montant: '7,00', jour: '15/05/2024', code: '2.50' },
  ]);
}

describe('CSV text into text columns', () => {
  it('writes the text of the file, not the value its inferred type converts it to; a re-plan finds nothing', async () => {
    const { cfg, path } = setUp('plain', {
      ref: {},
      actif: {},
      montant: { transform: ['trim'] },
      jour: {},
      code: {},
    });
    const { error } = await runMigrate(cfg, { rejectsDir: join(dir, 'plain-rejects') });
    expect(error).toBeNull();
    expectTextAsWritten(path);
    const plan = await runPlan(cfg, { samples: 5 });
    expect(plan.mappings[0]).toMatchObject({ inserts: 0, updates: 0, unchanged: 2, rejects: 0 });
  });

  it('gives the typed value to a field that needs one (a typed target, a parsing step), the text to the others', async () => {
    const { cfg, path } = setUp('typed', {
      // The key, as text, is also the key of a rejected row's name: both read the same.
      ref: { transform: ['trim'] },
      // One column, read both ways: its text for the text column, its boolean for the integer column.
      actif: { transform: [{ lookup: { values: { Oui: 'Actif', Non: 'Inactif' } } }] },
      est_actif: { from: 'actif' },
      montant_num: { from: 'montant' },
      // A parsing step reads the value the whole column's inference decided (`1,5` and `2` are decimals).
      poids: { from: 'poids', transform: ['number'] },
    });
    const { error } = await runMigrate(cfg, { rejectsDir: join(dir, 'typed-rejects') });
    expect(error).toBeNull();
    expect(
      rows(path).map(({ ref, actif, est_actif, montant_num, poids }) => ({
        ref,
        actif,
        est_actif,
        montant_num,
        poids,
      })),
    ).toEqual([
      { ref: 'A1', actif: 'Actif', est_actif: 1, montant_num: 12.5, poids: '1.5' },
      { ref: 'A2', actif: 'Inactif', est_actif: 0, montant_num: 7, poids: '2' },
    ]);
  });

  it('a number step with a decimal separator reads the text of the file; without one, the decimals the scan read', async () => {
    // `25,000` is twenty-five in this file: the scan reads the column as decimals with a comma (`25.000`);
    // `{ decimal: "," }` must apply to the file's text, not to the scan's `25.000` (which it would read as
    // 25000), and a plain `number` takes the scan's decimals as they are, not as ambiguous text.
    // `lot` holds only dot-and-three-digit values: the file's decimal comma makes the scan read them as
    // thousands (1500); the mapping says they are decimals with a dot, and the mapping wins.
    const weights =
      'ref;poids;prix;lot\nA1;25,000;18,50;1.500\nA2;0,250;4,35;2.250\nA3;1,050;1 234,56;3.125\n';
    const { cfg, path } = setUp(
      'weights',
      {
        ref: {},
        poids: { from: 'poids', transform: [{ number: { decimal: ',' } }] },
        montant: { from: 'prix', transform: [{ number: { decimal: ',' } }] },
        code: { from: 'lot', transform: [{ number: { decimal: '.' } }] },
        jour: { from: 'poids', transform: ['number'] },
        montant_num: { from: 'prix', transform: ['number'] },
      },
      weights,
    );
    const { error, run } = await runMigrate(cfg, { rejectsDir: join(dir, 'weights-rejects') });
    expect(error).toBeNull();
    expect(run.mappings[0]?.rejected).toEqual({ mapping: 0, database: 0 });
    expect(
      rows(path).map(({ ref, poids, montant, code, jour, montant_num }) => ({
        ref,
        poids,
        montant,
        code,
        jour,
        montant_num,
      })),
    ).toEqual([
      { ref: 'A1', poids: '25', montant: '18.5', code: '1.5', jour: '25', montant_num: 18.5 },
      { ref: 'A2', poids: '0.25', montant: '4.35', code: '2.25', jour: '0.25', montant_num: 4.35 },
      { ref: 'A3', poids: '1.05', montant: '1234.56', code: '3.125', jour: '1.05', montant_num: 1234.56 },
    ]);
  });

  it('a date step with formats reads the text of the file, whatever the other rows of the column hold', async () => {
    // Every value of `jour` parses day first, so the scan types the column 3 April and 15 May; the
    // mapping says the file writes months first, and a month 15 does not exist.
    const { cfg, path } = setUp('us-dates', {
      ref: {},
      jour: { transform: [{ date: { formats: ['MM/dd/yyyy'] } }] },
    });
    const { error, run } = await runMigrate(cfg, { rejectsDir: join(dir, 'us-dates-rejects') });
    expect(error).toBeNull();
    expect(rows(path).map(({ ref, jour }) => ({ ref, jour }))).toEqual([{ ref: 'A1', jour: '2024-03-04' }]);
    expect(run.mappings[0]?.rejected).toEqual({ mapping: 1, database: 0 });
  });

  it('counts the values onInvalid writes as null, in the plan, the fresh load and a diff run', async () => {
    const { cfg, path } = setUp('softened', {
      ref: {},
      code: { validate: { pattern: '\\d\\.\\d' }, onInvalid: 'null' },
    });
    const warning = {
      path: 'mappings[0].fields.code',
      code: 'MAP_INVALID_NULLED',
      message:
        '1 value(s) of code failed and are written as null (onInvalid: null) instead of rejecting their rows; the first: pattern: does not match \\d\\.\\d',
    };
    const plan = await runPlan(cfg, { samples: 5 });
    expect(plan.mappings[0]?.warnings).toContainEqual(warning);
    const fresh = await runMigrate(cfg, { rejectsDir: join(dir, 'softened-rejects') });
    expect(fresh.run.mappings[0]).toMatchObject({ path: 'fresh-load', warnings: [warning] });
    expect(rows(path).map(({ ref, code }) => ({ ref, code }))).toEqual([
      { ref: 'A1', code: '1.0' },
      { ref: 'A2', code: null },
    ]);
    const again = await runMigrate(cfg, { rejectsDir: join(dir, 'softened-rejects') });
    expect(again.run.mappings[0]).toMatchObject({ path: 'diff', unchanged: 2, warnings: [warning] });
  });

  it('steps before a number step work on the text of the file, not on the number the scan read', async () => {
    // The usual French clean-up: drop the thousands dots, then make the comma a decimal point.
    const { cfg, path } = setUp(
      'cleanup',
      {
        ref: {},
        montant_num: {
          from: 'montant',
          transform: [
            { replace: { pattern: '\\.', with: '' } },
            { replace: { pattern: ',', with: '.' } },
            'number',
          ],
        },
      },
      'ref;montant\nA1;1.234,56\nA2;2,5\nA3;12,75\nA4;1 000,00\n',
    );
    const { error } = await runMigrate(cfg, { rejectsDir: join(dir, 'cleanup-out') });
    expect(error).toBeNull();
    expect(rows(path).map((r) => [r.ref, r.montant_num])).toEqual([
      ['A1', 1234.56],
      ['A2', 2.5],
      ['A3', 12.75],
      ['A4', 1000],
    ]);
  });

  it('a date step without formats after trim still reads the dates the scan read', async () => {
    const { cfg, path } = setUp('trimmed-dates', { ref: {}, jour: { transform: ['trim', 'date'] } });
    const { error } = await runMigrate(cfg, { rejectsDir: join(dir, 'trimmed-dates-out') });
    expect(error).toBeNull();
    expect(rows(path).map((r) => [r.ref, r.jour])).toEqual([
      ['A1', '2024-04-03'],
      ['A2', '2024-05-15'],
    ]);
  });

  it("a number step with a decimal separator takes a sheet's number cells as the numbers they are", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Prix');
    sheet.addRow(['ref', 'prix']);
    sheet.addRow(['A1', 12.345]);
    sheet.addRow(['A2', 1234.5]);
    const file = join(dir, 'prix.xlsx');
    await workbook.xlsx.writeFile(file);
    const { cfg, path } = setUp('prix', {
      ref: {},
      montant: { from: 'prix', transform: [{ number: { decimal: ',' } }] },
    });
    const sheetCfg = {
      ...cfg,
      sources: { legacy: { kind: 'xlsx', path: file } },
      mappings: [{ ...cfg.mappings![0]!, from: { source: 'legacy', dataset: 'Prix' } }],
    } as unknown as Config;
    const { error, run } = await runMigrate(sheetCfg, { rejectsDir: join(dir, 'prix-rejects') });
    expect(error).toBeNull();
    expect(run.mappings[0]?.rejected).toEqual({ mapping: 0, database: 0 });
    expect(rows(path).map(({ ref, montant }) => ({ ref, montant }))).toEqual([
      { ref: 'A1', montant: '12.345' },
      { ref: 'A2', montant: '1234.5' },
    ]);
  });

  it("steps before number read a sheet's text cells as written, and are refused on its number cells", async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Ventes');
    sheet.addRow(['ref', 'montant', 'texte']);
    sheet.addRow(['A1', 1234.56, '1.234,56']);
    sheet.addRow(['A2', 12.5, '12,5']);
    const file = join(dir, 'ventes.xlsx');
    await workbook.xlsx.writeFile(file);
    const french = [
      { replace: { pattern: '\\.', with: '' } },
      { replace: { pattern: ',', with: '.' } },
      'number',
    ];
    const configFor = (from: string) => {
      const { cfg, path } = setUp(`ventes-${from}`, { ref: {}, montant_num: { from, transform: french } });
      return {
        path,
        cfg: {
          ...cfg,
          sources: { legacy: { kind: 'xlsx', path: file } },
          mappings: [{ ...cfg.mappings![0]!, from: { source: 'legacy', dataset: 'Ventes' } }],
        } as unknown as Config,
      };
    };
    const text = configFor('texte');
    const { error } = await runMigrate(text.cfg, { rejectsDir: join(dir, 'ventes-texte') });
    expect(error).toBeNull();
    expect(rows(text.path).map((r) => [r.ref, r.montant_num])).toEqual([
      ['A1', 1234.56],
      ['A2', 12.5],
    ]);
    // The number cells would be rewritten as the text of the number (1234.56 → 123456): refused.
    await expect(
      runMigrate(configFor('montant').cfg, { rejectsDir: join(dir, 'ventes-montant') }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('montant is a column of number cells'),
    });
  });

  it('reads a workbook text cell as written too, as the CSV file', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Clients');
    sheet.addRow(['ref', 'actif', 'montant', 'jour', 'code']);
    sheet.addRow(['A1', 'Oui', '12,50', '03/04/2024', '1.0']);
    sheet.addRow(['A2', 'Non', '7,00', '15/05/2024', '2.50']);
    const file = join(dir, 'clients.xlsx');
    await workbook.xlsx.writeFile(file);
    const { cfg, path } = setUp('sheet', { ref: {}, actif: {}, montant: {}, jour: {}, code: {} });
    const sheetCfg = {
      ...cfg,
      sources: { legacy: { kind: 'xlsx', path: file } },
      mappings: [{ ...cfg.mappings![0]!, from: { source: 'legacy', dataset: 'Clients' } }],
    } as unknown as Config;
    const { error } = await runMigrate(sheetCfg, { rejectsDir: join(dir, 'sheet-rejects') });
    expect(error).toBeNull();
    expectTextAsWritten(path);
  });
});
