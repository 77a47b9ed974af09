/**
 * A text holding JSON (a CSV cell, a TEXT column of payloads) mapped into a JSON column is written as the
 * document it spells, exactly as written (a number past 2^53 kept), not as a JSON string holding the
 * text; text that is not JSON is a reject; a re-run finds nothing to change. PostgreSQL jsonb, MariaDB
 * json and an SQLite JSON column, by the fresh load and by the diff path.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const pg = new ScratchPostgres('stocktake_json_text');
const my = new ScratchMysql('stocktake_json_text');
let dir: string;

const LINES = [
  'id;payload',
  '1;"{""n"": 12345678901234567890, ""tags"": [""a"", ""b""]}"',
  '2;[1,2.50]',
  '3;"""just text"""',
  '4;not json',
  '5;',
];
/** The file once changed: row 1's number one unit further past 2^53, two new rows (one the document `null`). */
const CHANGED = [
  ...LINES.slice(0, 1),
  '1;"{""n"": 12345678901234567891, ""tags"": [""a"", ""b""]}"',
  ...LINES.slice(2),
  '10;"{""n"":12345678901234567891,""p"":2.50}"',
  '11;null',
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-json-text-'));
  if (pgUp) {
    await pg.create();
    await pg.run('CREATE TABLE events (id integer PRIMARY KEY, payload jsonb)');
  }
  if (myUp)
    await my.create((admin) =>
      admin.raw(`CREATE TABLE ${my.name}.events (id int PRIMARY KEY, payload json)`),
    );
});
afterAll(async () => {
  if (pgUp) await pg.drop();
  if (myUp) await my.drop();
  rmSync(dir, { recursive: true, force: true });
});

function config(target: Record<string, unknown>, name: string): Config {
  const folder = join(dir, name);
  return {
    sources: { files: { kind: 'csv', path: join(folder, 'events.csv') } },
    targets: { app: target },
    mappings: [
      {
        name: 'events',
        from: { source: 'files', dataset: 'events' },
        to: { target: 'app', dataset: 'events', key: ['id'], mode: 'upsert' },
        fields: { id: {}, payload: {} },
      },
    ],
  } as unknown as Config;
}

/**
 * Migrates, checks the rejects, re-plans and re-runs: nothing left to change; then the file changes and
 * the diff path (the target holds rows) writes the changes exactly, and nothing is left to change again.
 */
async function migrateTwice(cfg: Config, name: string): Promise<void> {
  const file = (cfg.sources.files as { path: string }).path;
  mkdirSync(join(dir, name), { recursive: true });
  writeFileSync(file, `${LINES.join('\n')}\n`);
  const first = await runMigrate(cfg, { rejectsDir: join(dir, `${name}-1`) });
  expect(first.error).toBeNull();
  expect(first.run.mappings[0]).toMatchObject({ inserted: 4, rejected: { mapping: 1, database: 0 } });
  expect(first.run.mappings[0]!.reconciliation?.ok).toBe(true);
  const plan = await runPlan(cfg, { samples: 5 });
  expect(plan.mappings[0]).toMatchObject({ inserts: 0, updates: 0, unchanged: 4, rejects: 1 });
  expect(plan.mappings[0]!.rejectsByCode).toEqual({ REJECT_TYPE: 1 });
  const again = await runMigrate(cfg, { rejectsDir: join(dir, `${name}-2`) });
  expect(again.run.mappings[0]).toMatchObject({ path: 'diff', inserted: 0, updated: 0, unchanged: 4 });
  writeFileSync(file, `${CHANGED.join('\n')}\n`);
  // The plan shows a document as written: its numbers are not rounded through a double.
  const preview = await runPlan(cfg, { samples: 5 });
  const shown = preview.mappings[0]!.samples.flatMap((s) => s.changes.map((c) => c.new));
  expect(shown).toContain('{"n":12345678901234567891,"p":2.50}');
  const changed = await runMigrate(cfg, { rejectsDir: join(dir, `${name}-3`) });
  expect(changed.error).toBeNull();
  expect(changed.run.mappings[0]).toMatchObject({ path: 'diff', inserted: 2, updated: 1, unchanged: 3 });
  expect(changed.run.mappings[0]!.reconciliation?.ok).toBe(true);
  const settled = await runPlan(cfg, { samples: 5 });
  expect(settled.mappings[0]).toMatchObject({ inserts: 0, updates: 0, unchanged: 6, rejects: 1 });
}

describe.skipIf(!pgUp)('into PostgreSQL jsonb', () => {
  it('writes documents, not strings', async () => {
    await migrateTwice(config({ kind: 'postgres', url: pg.url() }, 'pg'), 'pg');
    const db: Knex = knexFactory({ client: 'pg', connection: pg.url(), pool: { min: 0, max: 1 } });
    try {
      const rows = (
        await db.raw(
          'SELECT id, jsonb_typeof(payload) AS kind, payload::text AS text FROM events ORDER BY id',
        )
      ).rows;
      expect(rows).toEqual([
        { id: 1, kind: 'object', text: '{"n": 12345678901234567891, "tags": ["a", "b"]}' },
        { id: 2, kind: 'array', text: '[1, 2.50]' },
        { id: 3, kind: 'string', text: '"just text"' },
        { id: 5, kind: null, text: null },
        { id: 10, kind: 'object', text: '{"n": 12345678901234567891, "p": 2.50}' },
        { id: 11, kind: 'null', text: 'null' },
      ]);
    } finally {
      await db.destroy();
    }
  });
});

describe.skipIf(!myUp)('into MariaDB json', () => {
  it('writes documents, not strings', async () => {
    await migrateTwice(config({ kind: 'mariadb', url: my.url() }, 'my'), 'my');
    const db: Knex = knexFactory({ client: 'mysql2', connection: my.url(), pool: { min: 0, max: 1 } });
    try {
      const [rows] = await db.raw(
        'SELECT id, JSON_TYPE(payload) AS kind, CAST(payload AS CHAR) AS payload FROM events ORDER BY id',
      );
      expect(rows.map((r: Record<string, unknown>) => ({ ...r }))).toEqual([
        { id: 1, kind: 'OBJECT', payload: '{"n": 12345678901234567891, "tags": ["a", "b"]}' },
        { id: 2, kind: 'ARRAY', payload: '[1,2.50]' },
        { id: 3, kind: 'STRING', payload: '"just text"' },
        { id: 5, kind: null, payload: null },
        { id: 10, kind: 'OBJECT', payload: '{"n":12345678901234567891,"p":2.50}' },
        { id: 11, kind: 'NULL', payload: 'null' },
      ]);
    } finally {
      await db.destroy();
    }
  });
});

describe('into an SQLite JSON column', () => {
  it('writes documents, not strings', async () => {
    const path = join(dir, 'app.sqlite');
    const setup = new Database(path);
    setup.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, payload JSON)');
    setup.close();
    await migrateTwice(config({ kind: 'sqlite', path }, 'sqlite'), 'sqlite');
    const db = new Database(path, { readonly: true });
    try {
      expect(
        db.prepare('SELECT id, json_type(payload) AS kind, payload FROM events ORDER BY id').all(),
      ).toEqual([
        { id: 1, kind: 'object', payload: '{"n": 12345678901234567891, "tags": ["a", "b"]}' },
        { id: 2, kind: 'array', payload: '[1,2.50]' },
        { id: 3, kind: 'text', payload: '"just text"' },
        { id: 5, kind: null, payload: null },
        { id: 10, kind: 'object', payload: '{"n":12345678901234567891,"p":2.50}' },
        { id: 11, kind: 'null', payload: 'null' },
      ]);
    } finally {
      db.close();
    }
  });
});
