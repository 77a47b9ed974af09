/**
 * A unique constraint of the target other than the mapping's key: source rows with different keys and one
 * value of it (two accounts with one SIRET) cannot all be written. The plan says how many repeat a value
 * (`MAP_UNIQUE_SHARED`, no value shown), and the migration then writes the first and lists the others as the
 * database refuses them. NULLs never conflict, and values compare as the target compares them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

describe('unique values shared by source rows', () => {
  it('warns in the plan, and the migration writes the first and rejects the others', async () => {
    writeFileSync(
      join(dir, 'accounts.csv'),
      [
        'code;siret;email',
        'A1;44306184100047;ann@example.org',
        'A2;44306184100047;bob@example.org',
        'A3;;cy@example.org',
        'A4;;ANN@example.org',
        'A5;73282932000074;dan@example.org',
      ].join('\n'),
    );
    const path = join(dir, 'newtool.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE accounts (code TEXT PRIMARY KEY, siret TEXT UNIQUE,
      email TEXT, UNIQUE (email COLLATE NOCASE))`);
    db.close();
    const cfg = {
      sources: { legacy: { kind: 'csv', path: join(dir, 'accounts.csv') } },
      targets: { newtool: { kind: 'sqlite', path } },
      mappings: [
        {
          name: 'accounts',
          from: { source: 'legacy', dataset: 'accounts' },
          to: { target: 'newtool', dataset: 'accounts', key: ['code'], mode: 'upsert' },
          fields: { code: {}, siret: {}, email: {} },
        },
      ],
    } as unknown as Config;
    const plan = await runPlan(cfg, { samples: 5 });
    const warnings = (plan.mappings[0]!.warnings ?? []).filter((w) => w.code === 'MAP_UNIQUE_SHARED');
    // A1 and A2 share a SIRET; ann@ and ANN@ are one e-mail address under NOCASE; A3 and A4 have none.
    expect(warnings.map((w) => w.message)).toEqual([
      '1 source row repeats a value of unique accounts (siret) another source row has: the database keeps the first written and refuses the others',
      '1 source row repeats a value of unique accounts (email) another source row has: the database keeps the first written and refuses the others',
    ]);
    expect(warnings[0]!.message).not.toContain('44306184100047');
    const outcome = await runMigrate(cfg, { rejectsDir: join(dir, 'rejects') });
    expect(outcome.run.mappings[0]).toMatchObject({ inserted: 3, rejected: { mapping: 0, database: 2 } });
  });
});
