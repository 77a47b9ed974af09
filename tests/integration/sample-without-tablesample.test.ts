/**
 * `sample:` on relations the usual sample does not apply to: PostgreSQL views and foreign tables (TABLESAMPLE
 * takes tables and materialized views only), SQLite views and WITHOUT ROWID tables (no rowid to hash), MariaDB
 * views. Each is sampled by a seeded hash of its rows, every statement of the pass sees the same rows, and every
 * output says the figures come from a sample. A PostgreSQL view too large to sort for its value sample is
 * profiled without reading its pages at random (TABLESAMPLE SYSTEM).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Profile } from '../../src/core/profile.ts';
import { escapeMarkdown, renderSummaryMarkdown } from '../../src/report/summary-md.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const DB = 'stocktake_it_sample_fallback';
const ROWS = 1000;
const withDatabase = (base: string) => {
  const u = new URL(base);
  u.pathname = `/${DB}`;
  return u.toString();
};
const dir = mkdtempSync(join(tmpdir(), 'stocktake-sample-fallback-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Profiles a source sampled at 50%, with a rule on each named dataset so that the rule results say so too. */
async function profileSampled(
  source: Record<string, unknown>,
  datasets: readonly string[],
): Promise<Profile> {
  const config = {
    sources: { src: { ...source, sample: 0.5 } },
    rules: datasets.map((dataset) => ({
      dataset: `src.${dataset}`,
      column: 'id',
      check: 'unique',
      severity: 'error',
    })),
  } as unknown as Config;
  const inventory = await runInventory(config);
  return runProfile(config, inventory);
}

/** The dataset was profiled on about half its rows, and one sample served every statement. */
function expectSampled(profile: Profile, dataset: string): void {
  expect(profile.findings.filter((f) => f.code === 'PROFILE_FAILED')).toEqual([]);
  const profiled = profile.datasets.find((d) => d.dataset === dataset)!;
  expect(profiled.sample, dataset).toEqual({ fraction: 0.5, method: 'row hash' });
  expect(profiled.rowCount, dataset).toBeGreaterThan(ROWS * 0.4);
  expect(profiled.rowCount, dataset).toBeLessThan(ROWS * 0.6);
  const id = profiled.columns.find((c) => c.name === 'id')!;
  expect([id.count, id.nulls, id.distinct], dataset).toEqual([profiled.rowCount, 0, profiled.rowCount]);
  // Every output labels the figures as a sample's.
  const rule = profile.rules.find((r) => r.dataset === `src.${dataset}`)!;
  expect(rule.sampled, dataset).toBe(0.5);
  expect(rule.message, dataset).toContain('(on a 50% sample of the rows)');
  expect(renderSummaryMarkdown(profile)).toContain(`${escapeMarkdown(`src.${dataset}`)} (sample 50%)`);
}

describe('SQLite', () => {
  it('samples a WITHOUT ROWID table and a view by a hash of their rows', async () => {
    const path = join(dir, 'codes.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE codes (id TEXT PRIMARY KEY, label TEXT) WITHOUT ROWID;
      CREATE TABLE plain (id INTEGER PRIMARY KEY, label TEXT);
      CREATE VIEW codes_v AS SELECT id, label FROM codes;`);
    const codes = db.prepare('INSERT INTO codes VALUES (?, ?)');
    const plain = db.prepare('INSERT INTO plain VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) {
        codes.run(`C${String(i).padStart(4, '0')}`, `L${i % 7}`);
        plain.run(i + 1, `L${i % 7}`);
      }
    })();
    db.close();
    const profile = await profileSampled({ kind: 'sqlite', path }, ['codes', 'codes_v', 'plain']);
    expectSampled(profile, 'codes');
    expectSampled(profile, 'codes_v');
    // A table with a rowid keeps its rowid sample.
    expect(profile.datasets.find((d) => d.dataset === 'plain')!.sample?.method).toBe('rowid hash');
  });

  it('samples by the rowid under another of its names when a column is named rowid', async () => {
    const path = join(dir, 'shadow.sqlite');
    const db = new Database(path);
    // `rowid` names the column here (1 in every row), not the table's rowid: a hash of it keeps all or none.
    db.exec(
      'CREATE TABLE shadow (rowid INT, id INTEGER, label TEXT); CREATE TABLE shadow3 (rowid, _rowid_, oid, id);',
    );
    const insert = db.prepare('INSERT INTO shadow VALUES (1, ?, ?)');
    const insert3 = db.prepare('INSERT INTO shadow3 VALUES (1, 1, 1, ?)');
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) {
        insert.run(i + 1, `L${i % 7}`);
        insert3.run(i + 1);
      }
    })();
    db.close();
    const profile = await profileSampled({ kind: 'sqlite', path }, ['shadow', 'shadow3']);
    const shadow = profile.datasets.find((d) => d.dataset === 'shadow')!;
    expect(shadow.sample).toEqual({ fraction: 0.5, method: 'rowid hash' });
    expect(shadow.rowCount).toBeGreaterThan(ROWS * 0.4);
    expect(shadow.rowCount).toBeLessThan(ROWS * 0.6);
    // Every name of the rowid taken: a hash of the whole row.
    expectSampled(profile, 'shadow3');
  });
});

describe.skipIf(!pgUp)('PostgreSQL', () => {
  let admin: Knex;
  let fileFdw = false;

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${DB}`);
    const db = knexFactory({
      client: 'pg',
      connection: withDatabase(SERVERS.postgres),
      pool: { min: 0, max: 1 },
    });
    await db.raw(`
      CREATE TABLE people (id int PRIMARY KEY, name text, born date);
      INSERT INTO people SELECT i, 'n' || (i % 37), DATE '1950-01-01' + i FROM generate_series(1, ${ROWS}) i;
      CREATE VIEW people_v AS SELECT id, name, born FROM people;
      -- Past 80,000 rows with a column above the distinct limit: the value sample would read random pages.
      CREATE TABLE big (id int PRIMARY KEY, h text);
      INSERT INTO big SELECT i, md5(i::text) FROM generate_series(1, 100500) i;
      CREATE VIEW big_v AS SELECT id, h FROM big;`);
    // A foreign table where the server offers file_fdw (a contrib module), fed by a program on the server.
    const available = await db.raw("SELECT 1 FROM pg_available_extensions WHERE name = 'file_fdw'");
    fileFdw = available.rows.length > 0;
    if (fileFdw) {
      await db.raw(`CREATE EXTENSION file_fdw; CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
        CREATE FOREIGN TABLE remote (id int) SERVER files OPTIONS (program 'seq 1 ${ROWS}', format 'csv')`);
    }
    await db.destroy();
  });

  afterAll(async () => {
    await admin?.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.destroy();
  });

  it('samples a view by a hash of its rows, and a table still with TABLESAMPLE', async () => {
    const profile = await profileSampled(
      { kind: 'postgres', url: withDatabase(SERVERS.postgres), include: ['people', 'people_v'] },
      ['public.people_v', 'public.people'],
    );
    expectSampled(profile, 'public.people_v');
    expect(profile.datasets.find((d) => d.dataset === 'public.people')!.sample?.method).toBe(
      'TABLESAMPLE BERNOULLI',
    );
  });

  it('samples a foreign table by a hash of its rows', async (context) => {
    if (!fileFdw) context.skip('file_fdw is not installed on this server');
    const profile = await profileSampled(
      { kind: 'postgres', url: withDatabase(SERVERS.postgres), include: ['remote'] },
      ['public.remote'],
    );
    expectSampled(profile, 'public.remote');
  });

  it('profiles a large view without sampling its pages', async () => {
    const config = {
      sources: { src: { kind: 'postgres', url: withDatabase(SERVERS.postgres), include: ['big_v'] } },
    } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    expect(profile.findings.filter((f) => f.code === 'PROFILE_FAILED')).toEqual([]);
    const h = profile.datasets[0]!.columns.find((c) => c.name === 'h')!;
    expect([h.distinct, h.valuesSampled]).toEqual([100500, true]);
  });
});

describe.skipIf(!myUp)('MariaDB', () => {
  let admin: Knex;

  beforeAll(async () => {
    admin = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${DB}`);
    await admin.raw(`CREATE DATABASE ${DB}`);
    await admin.raw(`CREATE TABLE ${DB}.people (id INT PRIMARY KEY, name VARCHAR(20))`);
    const rows = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 'n${i % 37}')`).join(', ');
    await admin.raw(`INSERT INTO ${DB}.people VALUES ${rows}`);
    await admin.raw(`CREATE VIEW ${DB}.people_v AS SELECT id, name FROM ${DB}.people`);
  });

  afterAll(async () => {
    await admin?.raw(`DROP DATABASE IF EXISTS ${DB}`);
    await admin?.destroy();
  });

  it('samples a view by a hash of its rows', async () => {
    const profile = await profileSampled(
      { kind: 'mariadb', url: withDatabase(SERVERS.mysql), rowCounts: { views: true } },
      [`${DB}.people_v`],
    );
    const view = profile.datasets.find((d) => d.dataset === `${DB}.people_v`)!;
    expect(view.sample).toEqual({ fraction: 0.5, method: 'CRC32 row hash' });
    expect(view.rowCount).toBeGreaterThan(ROWS * 0.4);
    expect(view.rowCount).toBeLessThan(ROWS * 0.6);
  });
});
