/**
 * Rows a connector read only in part are rejected, never written cut: a CSV record with more fields
 * than its header, a spreadsheet cell holding an error or a formula without a cached result. The plan
 * counts them and the migration writes every other row and lists them in the rejects files.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  dir = mkdtempSync(join(tmpdir(), 'stocktake-partial-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function target(file: string): string {
  const path = join(dir, file);
  const db = new Database(path);
  db.exec('CREATE TABLE people (code TEXT PRIMARY KEY, name TEXT, amount REAL)');
  db.close();
  return path;
}

function config(source: Config['sources'][string], dataset: string, targetPath: string): Config {
  return {
    sources: { legacy: source },
    targets: { newtool: { kind: 'sqlite', path: targetPath } },
    mappings: [
      {
        name: 'people',
        from: { source: 'legacy', dataset },
        to: { target: 'newtool', dataset: 'people', key: ['code'], mode: 'upsert' },
        fields: { code: {}, name: {}, amount: {} },
      },
    ],
  } as unknown as Config;
}

function rejects(rejectsDir: string): { code: string; key: unknown; reason: string; field: unknown }[] {
  return readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

function rows(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT code, name, amount FROM people ORDER BY code').all();
  } finally {
    db.close();
  }
}

describe('rows read only in part', () => {
  it('rejects CSV records with more fields than the header, in the plan and the migration', async () => {
    const csv = join(dir, 'people.csv');
    // K5's trailing delimiter adds an empty field: nothing is lost, the row is written.
    writeFileSync(csv, 'code,name,amount\nK1,Ann,1\nK2,"Bob, Jr",2,extra\nK3,Cy,3,x,y\nK4,Di\nK5,Ed,5,\n');
    const path = target('csv.sqlite');
    const cfg = config({ kind: 'csv', path: csv } as never, 'people', path);
    const plan = await runPlan(cfg, { samples: 10 });
    expect(plan.mappings[0]).toMatchObject({ inserts: 3, rejects: 2 });
    const rejectsDir = join(dir, 'csv-rejects');
    const { run, error } = await runMigrate(cfg, { rejectsDir });
    expect(error).toBeNull();
    expect(run.mappings[0]).toMatchObject({
      inserted: 3,
      rejected: { mapping: 2, database: 0 },
      status: 'done',
    });
    // K4's missing field reads as empty: nothing is lost, the row is written.
    expect(rows(path)).toEqual([
      { code: 'K1', name: 'Ann', amount: 1 },
      { code: 'K4', name: 'Di', amount: null },
      { code: 'K5', name: 'Ed', amount: 5 },
    ]);
    const found = rejects(rejectsDir);
    expect(found.map((r) => [r.code, r.key, r.field])).toEqual([
      ['REJECT_SOURCE_ROW', { code: 'K2' }, null],
      ['REJECT_SOURCE_ROW', { code: 'K3' }, null],
    ]);
    expect(found[0]!.reason).toBe(
      `source: "extra" is a field past the header's 3 (line 3): writing the row would lose it`,
    );
    expect(found[1]!.reason).toBe(
      `source: "x,y" are 2 fields past the header's 3 (line 4): writing the row would lose them`,
    );
  });

  it('rejects spreadsheet rows with an error cell or a formula without a cached result', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('People');
    sheet.addRow(['code', 'name', 'amount']);
    sheet.addRow(['K1', 'Ann', 1]);
    sheet.addRow(['K2', 'Bob', { error: '#DIV/0!' }]);
    sheet.addRow(['K3', 'Cy', { formula: 'C2*2', result: 2 }]);
    sheet.addRow(['K4', 'Di', { formula: 'C2*3' }]);
    const xlsx = join(dir, 'people.xlsx');
    await workbook.xlsx.writeFile(xlsx);
    const path = target('xlsx.sqlite');
    const rejectsDir = join(dir, 'xlsx-rejects');
    const { run, error } = await runMigrate(config({ kind: 'xlsx', path: xlsx } as never, 'People', path), {
      rejectsDir,
    });
    expect(error).toBeNull();
    expect(run.mappings[0]).toMatchObject({ inserted: 2, rejected: { mapping: 2, database: 0 } });
    expect(rows(path)).toEqual([
      { code: 'K1', name: 'Ann', amount: 1 },
      { code: 'K3', name: 'Cy', amount: 2 },
    ]);
    const found = rejects(rejectsDir);
    expect(found.map((r) => [r.code, r.key])).toEqual([
      ['REJECT_SOURCE_ROW', { code: 'K2' }],
      ['REJECT_SOURCE_ROW', { code: 'K4' }],
    ]);
    expect(found[0]!.reason).toBe(
      'source: "#DIV/0!" is what cell C3 holds: writing the row would leave it empty',
    );
  });

  it('refuses a mapping from a file its connector could not read with the error of that file, line included', async () => {
    const csv = join(dir, 'open.csv');
    writeFileSync(csv, 'code,name,amount\nK1,"Ann,1\nK2,Bob,2\n');
    const path = target('open.sqlite');
    const run = runMigrate(config({ kind: 'csv', path: csv } as never, 'open', path), {
      rejectsDir: join(dir, 'open-rejects'),
    });
    await expect(run).rejects.toMatchObject({
      code: 'CSV_QUOTE_NOT_CLOSED',
      exitCode: 3,
      message: `mappings[0].from.dataset: legacy could not read "open": ${csv}: a quote opened at line 2 is never closed (the file ends inside a quoted field)`,
    });
  });

  it('lists every reject the plan lists when maxRejects stops the run before any write', async () => {
    const csv = join(dir, 'many.csv');
    // K2 and K4 miss their required name; K5 is there twice.
    writeFileSync(csv, 'code,name,amount\nK1,Ann,1\nK2,,2\nK3,Cy,3\nK4,,4\nK5,Ed,5\nK5,Eve,6\n');
    const path = target('many.sqlite');
    const cfg = config({ kind: 'csv', path: csv } as never, 'many', path);
    const m = cfg.mappings![0]! as unknown as { maxRejects: number; fields: Record<string, unknown> };
    m.maxRejects = 1;
    m.fields.name = { required: true };
    const plan = await runPlan(cfg, { samples: 10 });
    expect(plan.mappings[0]).toMatchObject({ rejects: 4 });
    const rejectsDir = join(dir, 'many-rejects');
    const { run, error } = await runMigrate(cfg, { rejectsDir });
    expect(error).toMatchObject({
      code: 'MIGRATE_REJECTS_EXCEEDED',
      message: 'mapping people: 4 rejected rows exceed maxRejects (1); nothing written',
    });
    expect(run.mappings[0]).toMatchObject({ status: 'rejects-exceeded', inserted: 0 });
    expect(rejects(rejectsDir).map((r) => [r.code, r.key])).toEqual([
      ['REJECT_REQUIRED', { code: 'K2' }],
      ['REJECT_REQUIRED', { code: 'K4' }],
      ['REJECT_DUPLICATE_KEY', { code: 'K5' }],
      ['REJECT_DUPLICATE_KEY', { code: 'K5' }],
    ]);
    expect(rows(path)).toEqual([]);
  });

  it('names the config path of a filter the source database refuses, before reading or writing', async () => {
    const sourcePath = join(dir, 'filtered.sqlite');
    const db = new Database(sourcePath);
    db.exec(
      "CREATE TABLE people (code TEXT PRIMARY KEY, name TEXT, amount REAL); INSERT INTO people VALUES ('K1', 'Ann', 1)",
    );
    db.close();
    const cfg = config(
      { kind: 'sqlite', path: sourcePath } as never,
      'people',
      target('filtered-target.sqlite'),
    );
    (cfg.mappings![0]!.from as { where?: string }).where = "nme = 'Ann'";
    await expect(runPlan(cfg, {})).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(runPlan(cfg, {})).rejects.toThrow(
      /mappings\[0\]\.from\.where: legacy refused the filter: .*no such column: nme/,
    );
  });

  it('masks each extra field on its own when it looks personal', async () => {
    const csv = join(dir, 'personal.csv');
    writeFileSync(csv, 'code,name,amount\nK1,Ann,1,jean.dupont@example.fr,06 12 34 56 78,note\n');
    const rejectsDir = join(dir, 'personal-rejects');
    await runMigrate(config({ kind: 'csv', path: csv } as never, 'personal', target('personal.sqlite')), {
      rejectsDir,
    });
    const [found] = rejects(rejectsDir);
    expect(found!.reason).not.toContain('jean.dupont');
    expect(found!.reason).not.toContain('12 34 56');
    expect(found!.reason).toMatch(/^source: ".+,.+,note" are 3 fields past the header's 3/);
  });
});
