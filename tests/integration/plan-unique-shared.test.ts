/**
 * A unique constraint of the target other than the mapping's key: source rows with different keys and one
 * value of it (two accounts with one SIRET) cannot all be written, and which one is right cannot be known.
 * None of them is written: the plan rejects them all (`REJECT_UNIQUE_SHARED`) and warns per constraint
 * (`MAP_UNIQUE_SHARED`, no value shown), the migration writes the others, and the next plan settles on the
 * same rejects with nothing to write. NULLs never conflict, and values compare as the target compares them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-unique-shared-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rejectsOf = (run: string) =>
  readFileSync(join(dir, run, 'rejects.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as {
          key: Record<string, string>;
          code: string;
          field: string | null;
          reason: string;
        },
    )
    .map((r) => `${r.key.code} ${r.code} ${r.field ?? '-'}: ${r.reason}`)
    .sort();

function configFor(name: string, mode: string, rows: string[]): Config {
  writeFileSync(join(dir, `${name}.csv`), ['code;siret;email', ...rows].join('\n'));
  const path = join(dir, `${name}.sqlite`);
  const db = new Database(path);
  db.exec(`CREATE TABLE IF NOT EXISTS accounts (code TEXT PRIMARY KEY, siret TEXT UNIQUE,
    email TEXT, UNIQUE (email COLLATE NOCASE))`);
  db.close();
  return {
    sources: { legacy: { kind: 'csv', path: join(dir, `${name}.csv`) } },
    targets: { newtool: { kind: 'sqlite', path } },
    mappings: [
      {
        name: 'accounts',
        from: { source: 'legacy', dataset: name },
        to: { target: 'newtool', dataset: 'accounts', key: ['code'], mode },
        fields: { code: {}, siret: {}, email: {} },
      },
    ],
  } as unknown as Config;
}

const codes = (path: string) =>
  (
    new Database(path, { readonly: true }).prepare('SELECT code FROM accounts ORDER BY code').all() as {
      code: string;
    }[]
  ).map((r) => r.code);

describe('unique values shared by source rows', () => {
  it('rejects every row sharing a value, writes the others, and the next plan has nothing to write', async () => {
    const cfg = configFor('accounts', 'upsert', [
      'A1;44306184100047;ann@example.org',
      'A2;44306184100047;bob@example.org',
      'A3;;cy@example.org',
      'A4;;ANN@example.org',
      'A5;73282932000074;dan@example.org',
    ]);
    const plan = await runPlan(cfg, { samples: 5 });
    const mapping = plan.mappings[0]!;
    const warnings = (mapping.warnings ?? []).filter((w) => w.code === 'MAP_UNIQUE_SHARED');
    // A1 and A2 share a SIRET; ann@ and ANN@ are one e-mail address under NOCASE; A3 and A4 have none.
    expect(warnings.map((w) => w.message)).toEqual([
      '2 source rows share values of unique accounts (siret) with rows of other keys: none of these rows is written (REJECT_UNIQUE_SHARED), as the database would keep only one',
      '2 source rows share values of unique accounts (email) with rows of other keys: none of these rows is written (REJECT_UNIQUE_SHARED), as the database would keep only one',
    ]);
    expect(JSON.stringify(warnings)).not.toContain('44306184100047');
    // A1 is rejected once, for the first constraint it shares a value of; each constraint counts it.
    expect(mapping).toMatchObject({ inserts: 2, rejects: 3 });
    const outcome = await runMigrate(cfg, { rejectsDir: join(dir, 'run1') });
    expect(outcome.run.mappings[0]).toMatchObject({ inserted: 2, rejected: { mapping: 3, database: 0 } });
    expect(outcome.run.mappings[0]!.reconciliation?.ok).toBe(true);
    expect(codes(join(dir, 'accounts.sqlite'))).toEqual(['A3', 'A5']);
    expect(rejectsOf('run1')).toEqual([
      'A1 REJECT_UNIQUE_SHARED siret: shares its value of unique accounts (siret) with 1 source row of other keys: the database would keep one, and which one is right cannot be known, so none of them is written',
      'A2 REJECT_UNIQUE_SHARED siret: shares its value of unique accounts (siret) with 1 source row of other keys: the database would keep one, and which one is right cannot be known, so none of them is written',
      'A4 REJECT_UNIQUE_SHARED email: shares its value of unique accounts (email) with 1 source row of other keys: the database would keep one, and which one is right cannot be known, so none of them is written',
    ]);
    // Each reject names its row in the file.
    const rows = readFileSync(join(dir, 'run1', 'rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: { code: string }; row: number })
      .map((r) => `${r.key.code}:${r.row}`)
      .sort();
    expect(rows).toEqual(['A1:1', 'A2:2', 'A4:4']);
    // The run settled: the same rejects, nothing to write.
    const again = await runPlan(cfg, { samples: 5 });
    expect(again.mappings[0]).toMatchObject({ inserts: 0, updates: 0, unchanged: 2, rejects: 3 });
    expect(again.changes).toBe(false);
  });

  it('leaves the target row of a key that now shares a value, and rejects the other rows of its key too', async () => {
    const cfg = configFor('mirror', 'mirror', [
      'B1;44306184100047;b1@example.org',
      'B2;73282932000074;b2@example.org',
    ]);
    await runMigrate(cfg, { rejectsDir: join(dir, 'run2') });
    const path = join(dir, 'mirror.sqlite');
    expect(codes(path)).toEqual(['B1', 'B2']);
    // B3 takes B1's SIRET, and B2 appears twice, once with B1's SIRET: B1, B2 and B3 are rejected, and
    // the mirror deletes none of their target rows; a hash-equal value never seen twice rejects nothing.
    writeFileSync(
      join(dir, 'mirror.csv'),
      [
        'code;siret;email',
        'B1;44306184100047;b1@example.org',
        'B2;73282932000074;b2@example.org',
        'B3;44306184100047;b3@example.org',
        'B2;44306184100047;b2bis@example.org',
        'B4;;b4@example.org',
      ].join('\n'),
    );
    const outcome = await runMigrate(cfg, { rejectsDir: join(dir, 'run3') });
    expect(outcome.run.mappings[0]).toMatchObject({
      inserted: 1,
      deleted: 0,
      rejected: { mapping: 4, database: 0 },
    });
    expect(outcome.run.mappings[0]!.reconciliation?.ok).toBe(true);
    expect(codes(path)).toEqual(['B1', 'B2', 'B4']);
    expect(rejectsOf('run3').map((r) => r.slice(0, r.indexOf(':')))).toEqual([
      'B1 REJECT_UNIQUE_SHARED siret',
      'B2 REJECT_DUPLICATE_KEY -',
      'B2 REJECT_UNIQUE_SHARED siret',
      'B3 REJECT_UNIQUE_SHARED siret',
    ]);
    expect(rejectsOf('run3')[1]).toContain(
      'the key appears 2 times in the source (1 of them rejected for another reason',
    );
  });

  it('rejects a row whose parent in the same table is rejected for a shared value', async () => {
    writeFileSync(
      join(dir, 'staff.csv'),
      ['id;badge;manager_id', '1;X;', '2;X;', '3;Y;1', '4;Z;5', '5;W;'].join('\n'),
    );
    const path = join(dir, 'staff.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE staff (id INTEGER PRIMARY KEY, badge TEXT UNIQUE,
      manager_id INTEGER REFERENCES staff(id))`);
    db.close();
    const cfg = {
      sources: { legacy: { kind: 'csv', path: join(dir, 'staff.csv') } },
      targets: { newtool: { kind: 'sqlite', path } },
      mappings: [
        {
          name: 'staff',
          from: { source: 'legacy', dataset: 'staff' },
          to: { target: 'newtool', dataset: 'staff', key: ['id'], mode: 'upsert' },
          fields: { id: {}, badge: {}, manager_id: {} },
        },
      ],
    } as unknown as Config;
    const plan = await runPlan(cfg, { samples: 5 });
    expect(plan.mappings[0]).toMatchObject({
      inserts: 2,
      rejects: 3,
      rejectsByCode: { REJECT_UNIQUE_SHARED: 2, REJECT_FOREIGN_KEY: 1 },
    });
    const outcome = await runMigrate(cfg, { rejectsDir: join(dir, 'run4') });
    expect(outcome.run.mappings[0]).toMatchObject({ inserted: 2, rejected: { mapping: 3, database: 0 } });
    const ids = new Database(path, { readonly: true }).prepare('SELECT id FROM staff ORDER BY id').all();
    expect(ids).toEqual([{ id: 4 }, { id: 5 }]);
  });

  it('takes a value repeated under one key for a duplicate key, not a shared value, and counts other keys only', async () => {
    // C1 twice with one SIRET (a duplicate key, rejected by the diff); C2 shares C3's SIRET, and C3 twice.
    const cfg = configFor('dupkeys', 'upsert', [
      'C1;44306184100047;c1@example.org',
      'C1;44306184100047;c1b@example.org',
      'C2;73282932000074;c2@example.org',
      'C3;73282932000074;c3@example.org',
      'C3;73282932000074;c3b@example.org',
    ]);
    const plan = await runPlan(cfg, { samples: 5 });
    expect(plan.mappings[0]!.rejectsByCode).toEqual({ REJECT_DUPLICATE_KEY: 2, REJECT_UNIQUE_SHARED: 3 });
    await runMigrate(cfg, { rejectsDir: join(dir, 'run5') });
    const reasons = rejectsOf('run5');
    expect(reasons).toContain(
      'C2 REJECT_UNIQUE_SHARED siret: shares its value of unique accounts (siret) with 2 source rows of other keys: the database would keep one, and which one is right cannot be known, so none of them is written',
    );
    expect(reasons.filter((r) => r.startsWith('C3 REJECT_UNIQUE_SHARED'))[0]).toContain(
      'with 1 source row of other keys',
    );
    expect(reasons.filter((r) => r.startsWith('C1'))).toHaveLength(2);
    expect(reasons.filter((r) => r.startsWith('C1')).every((r) => r.includes('REJECT_DUPLICATE_KEY'))).toBe(
      true,
    );
  });
});
