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

/**
 * Migrates `clients` (id, siret, name: `sirets` in order, for ids 7, 8 and 9) into a `companies` table
 * whose SIRET is unique, holding `held` already; returns the run and its rejects' codes and keys.
 */
async function migrateClients(name: string, sirets: readonly string[], held: string | null) {
  const source = join(dir, `${name}-crm.sqlite`);
  const legacy = new Database(source);
  legacy.exec('CREATE TABLE clients (id INTEGER PRIMARY KEY, siret TEXT, name TEXT)');
  const insert = legacy.prepare('INSERT INTO clients VALUES (?, ?, ?)');
  for (const [i, siret] of sirets.entries()) insert.run(7 + i, siret, ['Dupont', 'Durand', 'Martin'][i]);
  legacy.close();
  const target = join(dir, `${name}-app.sqlite`);
  const app = new Database(target);
  app.exec('CREATE TABLE companies (id INTEGER PRIMARY KEY AUTOINCREMENT, siret TEXT UNIQUE, name TEXT)');
  if (held) app.prepare("INSERT INTO companies (siret, name) VALUES (?, 'Entered by hand')").run(held);
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
  const rejectsDir = join(dir, name);
  const { error, run } = await runMigrate(config, { rejectsDir });
  expect(error).toBeNull();
  const rejects = readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { code: string; key: unknown })
    .map((r) => [r.code, r.key])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { run, rejects };
}

it('writes the old key of a row the database refused with the type the source gave it', async () => {
  const { run, rejects } = await migrateClients(
    'refused',
    ['44306184100047', '73282932000074', '55203253400646'],
    '73282932000074',
  );
  expect(run.mappings[0]).toMatchObject({ inserted: 2, rejected: { mapping: 0, database: 1 } });
  expect(rejects).toEqual([['REJECT_DATABASE', { id: 8 }]]);
});

it('keys the rejects of identity rows sharing a unique value as the source typed them', async () => {
  const { run, rejects } = await migrateClients(
    'shared',
    ['73282932000074', '73282932000074', '55203253400646'],
    null,
  );
  expect(run.mappings[0]).toMatchObject({ inserted: 1, rejected: { mapping: 2, database: 0 } });
  expect(rejects).toEqual([
    ['REJECT_UNIQUE_SHARED', { id: 7 }],
    ['REJECT_UNIQUE_SHARED', { id: 8 }],
  ]);
});
