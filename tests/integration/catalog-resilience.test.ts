/**
 * One object a catalog cannot count or read costs only itself: a view that fails when counted, a
 * materialized view never refreshed, a schema without USAGE, an SQLite view over a dropped table, a
 * MariaDB system-versioned table's hidden period column in its key. The others are counted and profiled;
 * the failing one is listed with a finding that names it, and is not profiled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Inventory } from '../../src/core/inventory.ts';
import { keyFoldingOf } from '../../src/mappers/canonical-key.ts';
import { renderJunit } from '../../src/report/junit.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { profileExitCode } from '../../src/stages/outputs.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const DB = 'stocktake_it_resilience';
const ROLE = 'stocktake_it_resilience_ro';
const withDatabase = (base: string, database: string, user?: string) => {
  const u = new URL(base);
  u.pathname = `/${database}`;
  if (user) u.username = user;
  return u.toString();
};
const dir = mkdtempSync(join(tmpdir(), 'stocktake-resilience-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const datasetOf = (inventory: Inventory, name: string) =>
  inventory.sources[0]!.datasets.find((d) => d.name === name)!;
const findingsOf = (inventory: Inventory, code: string) =>
  inventory.sources[0]!.findings.filter((f) => f.code === code);

describe('SQLite', () => {
  it('lists a view over a dropped table as broken and a view that fails when counted with a finding', async () => {
    const path = join(dir, 'lite.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE ok (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO ok VALUES (1, 'a'), (2, 'b');
      CREATE TABLE gone (id INT); CREATE VIEW v_broken AS SELECT id FROM gone; DROP TABLE gone;
      CREATE VIEW v_overflow AS SELECT id FROM ok WHERE abs(-9223372036854775807 - 1) > 0;`);
    db.close();
    const config = {
      sources: { lite: { kind: 'sqlite', path, rowCounts: { views: true } } },
    } as unknown as Config;
    const inventory = await runInventory(config);
    expect(inventory.sources[0]!.status).toBe('ok');
    expect(datasetOf(inventory, 'ok').rowCount).toBe(2);
    expect(datasetOf(inventory, 'v_broken').readable).toBe(false);
    expect(findingsOf(inventory, 'VIEW_BROKEN').map((f) => [f.dataset, f.message])).toEqual([
      [
        'v_broken',
        'cannot be read (no such table: main.gone): listed without columns, neither counted nor profiled',
      ],
    ]);
    expect(findingsOf(inventory, 'ROW_COUNT_FAILED').map((f) => f.dataset)).toEqual(['v_overflow']);
    expect(findingsOf(inventory, 'ROW_COUNT_FAILED')[0]!.message).toMatch(
      /^could not be counted \(integer overflow\)/,
    );
    const profile = await runProfile(config, inventory);
    expect(profile.datasets.map((d) => d.dataset)).toEqual(['ok']);
    expect(
      profile.findings.filter((f) => f.code === 'PROFILE_FAILED').map((f) => [f.dataset, f.message]),
    ).toEqual([['v_overflow', 'profiling failed: source lite: SQLite error SQLITE_ERROR: integer overflow']]);
    // Not read is not passed: exit 3, and an error case in junit.xml.
    expect(profileExitCode(profile, 'error', inventory)).toBe(3);
    expect(renderJunit(profile, { inventory })).toMatch(
      /<testcase name="lite\.v_overflow is profiled" classname="stocktake\.datasets">\s*<error message="profiling failed: [^"]*integer overflow"\/>/,
    );
  });
});

describe('SQLite virtual tables', () => {
  it('lists an FTS5 table with its own columns, and neither its hidden columns nor its shadow tables', async () => {
    const path = join(dir, 'fts.sqlite');
    const db = new Database(path);
    db.exec(`CREATE VIRTUAL TABLE docs USING fts5(title, body);
      INSERT INTO docs VALUES ('Contrat', 'signé le 4 juin'), ('Avenant', 'annule le contrat');
      CREATE TABLE docs_notes (id INTEGER PRIMARY KEY, note TEXT);`);
    db.close();
    const config = { sources: { lite: { kind: 'sqlite', path } } } as unknown as Config;
    const inventory = await runInventory(config);
    const datasets = inventory.sources[0]!.datasets;
    // docs_notes is the user's own table: only the module's suffixes are shadows.
    expect(datasets.map((d) => d.name)).toEqual(['docs', 'docs_notes']);
    expect(datasets[0]!.columns.map((c) => c.name)).toEqual(['title', 'body']);
    expect(datasets[0]!.rowCount).toBe(2);
    const profile = await runProfile(config, inventory);
    expect(profile.findings.filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe.skipIf(!pgUp)('PostgreSQL', () => {
  let admin: Knex;
  let inventory: Inventory;
  let config: Config;

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.raw(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin.raw(`CREATE DATABASE ${DB}`);
    await admin.raw(`CREATE ROLE ${ROLE} LOGIN`);
    const db = knexFactory({
      client: 'pg',
      connection: withDatabase(SERVERS.postgres, DB),
      pool: { min: 0, max: 1 },
    });
    await db.raw(`
      CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');
      CREATE MATERIALIZED VIEW mv AS SELECT id FROM t WITH NO DATA;
      CREATE VIEW v_div AS SELECT id FROM t WHERE 1 / (id - id) = 1;
      CREATE SCHEMA hidden; CREATE TABLE hidden.h (id int PRIMARY KEY);
      GRANT SELECT ON t, mv, v_div, hidden.h TO ${ROLE};`);
    await db.destroy();
    config = {
      sources: {
        pg: {
          kind: 'postgres',
          url: withDatabase(SERVERS.postgres, DB, ROLE),
          schemas: ['public', 'hidden'],
          rowCounts: { views: true },
        },
      },
    } as unknown as Config;
    inventory = await runInventory(config);
  });

  afterAll(async () => {
    await admin?.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.raw(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin?.destroy();
  });

  it('counts the others, and names the view that fails, the unrefreshed view and the hidden schema', async () => {
    expect(inventory.sources[0]!.status).toBe('ok');
    expect(datasetOf(inventory, 'public.t')).toMatchObject({ rowCount: 3, rowCountExact: true });
    expect(findingsOf(inventory, 'ROW_COUNT_FAILED').map((f) => [f.dataset, f.message])).toEqual([
      ['public.v_div', expect.stringMatching(/^could not be counted \(division by zero\)/)],
    ]);
    expect(findingsOf(inventory, 'VIEW_NOT_POPULATED')[0]!.evidence).toEqual({ datasets: ['public.mv'] });
    expect(findingsOf(inventory, 'TABLE_NOT_READABLE')[0]!.evidence).toEqual({ datasets: ['hidden.h'] });
    expect(datasetOf(inventory, 'public.mv').readable).toBe(false);
    expect(datasetOf(inventory, 'hidden.h').readable).toBe(false);
    const profile = await runProfile(config, inventory);
    expect(profile.datasets.map((d) => d.dataset)).toEqual(['public.t']);
    expect(profile.findings.filter((f) => f.code === 'PROFILE_FAILED').map((f) => f.dataset)).toEqual([
      'public.v_div',
    ]);
    // The cause, not the push-down's statement.
    expect(profile.findings.find((f) => f.code === 'PROFILE_FAILED')!.message).toBe(
      'profiling failed: source pg: PostgreSQL error 22012: division by zero',
    );
  });
});

describe.skipIf(!myUp)('MariaDB', () => {
  const MY_DB = 'stocktake_it_resilience';
  let admin: Knex;

  beforeAll(async () => {
    admin = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${MY_DB}`);
    await admin.raw(`CREATE DATABASE ${MY_DB}`);
    await admin.raw(
      `CREATE TABLE ${MY_DB}.versioned (id INT PRIMARY KEY, v VARCHAR(10)) WITH SYSTEM VERSIONING`,
    );
    await admin.raw(`INSERT INTO ${MY_DB}.versioned VALUES (1, 'a'), (2, 'b')`);
    await admin.raw(`UPDATE ${MY_DB}.versioned SET v = 'c' WHERE id = 1`);
    await admin.raw(`CREATE TABLE ${MY_DB}.gone (id INT)`);
    await admin.raw(`CREATE VIEW ${MY_DB}.v_gone AS SELECT id FROM ${MY_DB}.gone`);
    await admin.raw(`DROP TABLE ${MY_DB}.gone`);
    await admin.raw(
      `CREATE TABLE ${MY_DB}.codes (code VARCHAR(10) PRIMARY KEY) DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_bin`,
    );
  });

  afterAll(async () => {
    await admin?.raw(`DROP DATABASE IF EXISTS ${MY_DB}`);
    await admin?.destroy();
  });

  it('keys a system-versioned table by its listed columns, and names a view over a dropped table', async () => {
    const config = {
      sources: {
        my: { kind: 'mariadb', url: withDatabase(SERVERS.mysql, MY_DB), rowCounts: { views: true } },
      },
    } as unknown as Config;
    const inventory = await runInventory(config);
    expect(inventory.sources[0]!.status).toBe('ok');
    const versioned = datasetOf(inventory, `${MY_DB}.versioned`);
    expect(versioned.primaryKey?.columns).toEqual(['id']);
    expect(versioned.rowCount).toBe(2);
    expect(findingsOf(inventory, 'ROW_COUNT_FAILED').map((f) => f.dataset)).toEqual([`${MY_DB}.v_gone`]);
    const profile = await runProfile(config, inventory);
    const profiled = profile.datasets.find((d) => d.dataset === `${MY_DB}.versioned`)!;
    expect(profiled.rowCount).toBe(2);
    expect(profiled.keyDuplicates).toEqual([{ columns: ['id'], duplicates: 0, examples: [] }]);
    // A case-exact table's columns say so, and its keys are compared case-exactly (F1 and f1 are two keys),
    // trailing spaces aside, as utf8mb4_bin pads with them.
    const code = datasetOf(inventory, `${MY_DB}.codes`).columns[0]!;
    expect(code.collation).toBe('utf8mb4_bin');
    expect(keyFoldingOf(code, 'mariadb')).toBe('rtrim');
  });
});
