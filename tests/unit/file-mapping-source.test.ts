/**
 * A CSV file or a sheet as the source of a mapping: `plan` and `migrate` type its columns from every
 * value before a row is read for the mapping, so that what only the end of the file shows (a first
 * date, a decimal comma, a text among numbers) is known to preflight, to the read and to the saved
 * plan. Also: a mapped column missing from the header is refused by name, and a file changed since a
 * saved plan makes that plan stale. Nothing is written to the target when a run is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';

/** Rows enough to end well past the 64 KB the dialect is sniffed from. */
const ROWS = 4000;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-file-mapping-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `id,email,amount,since` lines (`since` empty), then `last` (raw CSV lines) at the very end. */
function writeClients(last: readonly string[] = [], header = 'id,email,amount,since'): string {
  const lines = [header];
  for (let i = 1; i <= ROWS; i++) lines.push(`${i},client.${i}@example.org,${i % 500},`);
  lines.push(...last);
  const path = join(dir, 'clients.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function sqliteTarget(): string {
  const file = join(dir, 'target.sqlite');
  const db = new Database(file);
  db.exec('CREATE TABLE accounts (id INTEGER PRIMARY KEY, email TEXT, amount NUMERIC(10, 2))');
  db.close();
  return file;
}

function configFor(
  path: string,
  target: string,
  fields?: Record<string, unknown>,
  source: { kind: 'csv' | 'xlsx'; dataset: string } = { kind: 'csv', dataset: 'clients' },
): Config {
  return {
    sources: { legacy: { kind: source.kind, path } },
    targets: { newtool: { kind: 'sqlite', path: target } },
    mappings: [
      {
        name: 'accounts',
        from: { source: 'legacy', dataset: source.dataset },
        to: { target: 'newtool', dataset: 'accounts', key: ['id'], mode: 'upsert' },
        fields: fields ?? { id: {}, email: { transform: ['lowercase'] }, amount: {} },
      },
    ],
  } as unknown as Config;
}

/** The rows of the target table and whether the run left a checkpoint table behind. */
function targetState(file: string): { rows: number; checkpoints: boolean } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = (db.prepare('SELECT count(*) AS n FROM accounts').get() as { n: number }).n;
    const checkpoints =
      db.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'stocktake_checkpoint'`).get() !== undefined;
    return { rows, checkpoints };
  } finally {
    db.close();
  }
}

describe('a CSV file as a mapping source', () => {
  it('refuses at preflight a column whose only value, on the last line, is a date the target cannot hold', async () => {
    const target = sqliteTarget();
    const csv = writeClients([`${ROWS + 1},late@example.org,1,13/03/2020`]);
    const config = configFor(csv, target, { id: {}, amount: { from: 'since' } });
    const refused = {
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /mappings\[0\]\.fields\.amount: produces date values, but target column accounts\.amount is decimal/,
      ),
    };
    await expect(runPlan(config)).rejects.toMatchObject(refused);
    await expect(runMigrate(config, { rejectsDir: join(dir, 'rejects') })).rejects.toMatchObject(refused);
    expect(targetState(target)).toEqual({ rows: 0, checkpoints: false });
  });

  it('reads every value by the type the whole file gives its column (a decimal comma on the last line)', async () => {
    const target = sqliteTarget();
    const config = configFor(writeClients([`${ROWS + 1},late@example.org,"3,5",`]), target);
    const plan = await runPlan(config);
    expect(plan.mappings[0]!.source.columns).toEqual([
      { name: 'id', type: 'integer', nativeType: 'csv text' },
      { name: 'email', type: 'string', nativeType: 'csv text' },
      { name: 'amount', type: 'decimal', nativeType: 'csv text' },
      { name: 'since', type: 'string', nativeType: 'csv text' },
    ]);
    expect(plan.mappings[0]).toMatchObject({ inserts: ROWS + 1, rejects: 0 });
    const outcome = await runMigrate(config, { rejectsDir: join(dir, 'rejects') });
    expect(outcome.error).toBeNull();
    expect(outcome.run.mappings[0]).toMatchObject({ inserted: ROWS + 1, status: 'done' });
    const db = new Database(target, { readonly: true });
    expect(db.prepare('SELECT amount FROM accounts WHERE id IN (499, ?) ORDER BY id').all(ROWS + 1)).toEqual([
      { amount: 499 },
      { amount: 3.5 },
    ]);
    db.close();
  });

  it('refuses a mapped column missing from the header by its name, before anything is written', async () => {
    const target = sqliteTarget();
    const config = configFor(writeClients([], 'id,mail,amount,since'), target);
    const refused = {
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /mappings\[0\]\.fields\.email: source dataset clients has no column "email"/,
      ),
    };
    await expect(runPlan(config)).rejects.toMatchObject(refused);
    await expect(runMigrate(config, { rejectsDir: join(dir, 'rejects') })).rejects.toMatchObject(refused);
    const misspelt = configFor(writeClients(), target, { id: {}, email: { from: 'emial' } });
    await expect(runMigrate(misspelt, { rejectsDir: join(dir, 'rejects') })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('has no column "emial" (did you mean "email"?)'),
    });
    expect(targetState(target)).toEqual({ rows: 0, checkpoints: false });
  });

  it('makes a saved plan stale when the file changed since: a column retyped, a row added', async () => {
    const target = sqliteTarget();
    const csv = writeClients();
    const config = configFor(csv, target);
    const plan = await runPlan(config);
    const saved = { file: 'plan.json', document: plan };

    writeClients([`${ROWS + 1},late@example.org,n/a,`]);
    await expect(runMigrate(config, { rejectsDir: join(dir, 'rejects'), plan: saved })).rejects.toMatchObject(
      {
        code: 'PLAN_STALE',
        message: expect.stringContaining('source dataset legacy.clients retyped amount (integer → string)'),
      },
    );

    writeClients([`${ROWS + 1},late@example.org,7,`]);
    await expect(runMigrate(config, { rejectsDir: join(dir, 'rejects'), plan: saved })).rejects.toMatchObject(
      {
        code: 'PLAN_STALE',
        message: expect.stringContaining(`(${ROWS} rows then, ${ROWS + 1} now`),
      },
    );
    expect(targetState(target).rows).toBe(0);

    writeClients();
    const applied = await runMigrate(config, { rejectsDir: join(dir, 'rejects'), plan: saved });
    expect(applied.error).toBeNull();
    expect(applied.run.mappings[0]).toMatchObject({ inserted: ROWS, status: 'done' });
  });
});

describe('a sheet as a mapping source', () => {
  it('refuses at preflight a column whose only value, in the last row, is a date the target cannot hold', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Clients');
    sheet.addRow(['id', 'email', 'amount', 'since']);
    for (let i = 1; i <= ROWS; i++) sheet.addRow([i, `client.${i}@example.org`, i % 500, null]);
    sheet.addRow([ROWS + 1, 'late@example.org', 1, new Date(Date.UTC(2020, 2, 13))]);
    const path = join(dir, 'clients.xlsx');
    await workbook.xlsx.writeFile(path);
    const target = sqliteTarget();
    const sheetSource = { kind: 'xlsx', dataset: 'clients/Clients' } as const;
    const config = configFor(path, target, { id: {}, amount: { from: 'since' } }, sheetSource);
    await expect(runMigrate(config, { rejectsDir: join(dir, 'rejects') })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /mappings\[0\]\.fields\.amount: produces date values, but target column accounts\.amount is decimal/,
      ),
    });
    expect(targetState(target)).toEqual({ rows: 0, checkpoints: false });
    const typed = configFor(path, target, { id: {}, amount: {} }, sheetSource);
    const plan = await runPlan(typed);
    expect(plan.mappings[0]!.source.columns.map((c) => c.type)).toEqual([
      'integer',
      'string',
      'integer',
      'date',
    ]);
  });
});
