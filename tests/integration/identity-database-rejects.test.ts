/**
 * A row of an identity mapping that the target database refuses (a unique constraint beside the generated
 * key, whose value a row of another origin holds) is a `REJECT_DATABASE` reject whose key is the old key as
 * the source typed it: `{ "id": 8 }`, as the mapping's other rejects write it, not its canonical text
 * `{ "id": "8" }`. Two source rows sharing the value are both rejected before writing, keyed the same way.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-identity-rejects-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('writes the old key of a row the database refused with the type the source gave it', async () => {
  const source = join(dir, 'crm.sqlite');
  const legacy = new Database(source);
  legacy.exec(`CREATE TABLE clients (id INTEGER PRIMARY KEY, siret TEXT, name TEXT);
    INSERT INTO clients VALUES (7, '44306184100047', 'Dupont'), (8, '73282932000074', 'Durand'), (9, '55203253400646', 'Martin');`);
  legacy.close();
  const target = join(dir, 'app.sqlite');
  const app = new Database(target);
  app.exec(`CREATE TABLE companies (id INTEGER PRIMARY KEY AUTOINCREMENT, siret TEXT UNIQUE, name TEXT);
    INSERT INTO companies (siret, name) VALUES ('73282932000074', 'Entered by hand');`);
  app.close();
  const config = {
    sources: { crm: { kind: 'sqlite', path: source } },
    targets: { app: { kind: 'sqlite', path: target } },
    mappings: [
      {
        name: 'companies',
        from: { source: 'crm', dataset: 'clients' },
        to: { target: 'app', dataset: 'companies', mode: 'upsert', identity: {} },
        fields: { siret: {}, name: {} },
      },
    ],
  } as unknown as Config;
  const rejectsDir = join(dir, 'out');
  const { error, run } = await runMigrate(config, { rejectsDir });
  expect(error).toBeNull();
  expect(run.mappings[0]).toMatchObject({ inserted: 2, rejected: { mapping: 0, database: 1 } });
  const rejects = readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { code: string; key: unknown });
  expect(rejects.map((r) => [r.code, r.key])).toEqual([['REJECT_DATABASE', { id: 8 }]]);
});

it('keys the rejects of identity rows sharing a unique value as the source typed them', async () => {
  const source = join(dir, 'crm2.sqlite');
  const legacy = new Database(source);
  legacy.exec(`CREATE TABLE clients (id INTEGER PRIMARY KEY, siret TEXT, name TEXT);
    INSERT INTO clients VALUES (7, '73282932000074', 'Dupont'), (8, '73282932000074', 'Durand'), (9, '55203253400646', 'Martin');`);
  legacy.close();
  const target = join(dir, 'app2.sqlite');
  const app = new Database(target);
  app.exec('CREATE TABLE companies (id INTEGER PRIMARY KEY AUTOINCREMENT, siret TEXT UNIQUE, name TEXT)');
  app.close();
  const config = {
    sources: { crm: { kind: 'sqlite', path: source } },
    targets: { app: { kind: 'sqlite', path: target } },
    mappings: [
      {
        name: 'companies',
        from: { source: 'crm', dataset: 'clients' },
        to: { target: 'app', dataset: 'companies', mode: 'upsert', identity: {} },
        fields: { siret: {}, name: {} },
      },
    ],
  } as unknown as Config;
  const rejectsDir = join(dir, 'out2');
  const { error, run } = await runMigrate(config, { rejectsDir });
  expect(error).toBeNull();
  expect(run.mappings[0]).toMatchObject({ inserted: 1, rejected: { mapping: 2, database: 0 } });
  const rejects = readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { code: string; key: unknown });
  expect(
    rejects.map((r) => [r.code, r.key]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  ).toEqual([
    ['REJECT_UNIQUE_SHARED', { id: 7 }],
    ['REJECT_UNIQUE_SHARED', { id: 8 }],
  ]);
});
