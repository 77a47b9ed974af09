/**
 * Migrations between real databases: MariaDB → PostgreSQL (transforms, rejects, canonical diff, plan
 * writes nothing, idempotent re-run), PostgreSQL → MariaDB (the collation trap) and CSV → SQLite.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config, MappingConfig } from '../../src/config/schema.ts';
import { openConnector } from '../../src/connectors/registry.ts';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const DB = 'stocktake_mig';
const pgUrl = SERVERS.postgres;
const myUrl = (() => {
  const u = new URL(SERVERS.mysql);
  u.pathname = `/${DB}`;
  return u.toString();
})();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-migrate-it-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONTACTS: MappingConfig = {
  name: 'contacts',
  from: { source: 'legacy', dataset: 'customers', where: 'id > 0' },
  to: { target: 'newtool', dataset: 'contacts', key: ['external_id'], mode: 'upsert' },
  fields: {
    external_id: { from: 'id', transform: ['text', { prefix: 'CRM-' }] },
    name: { from: 'name', transform: ['trim', 'collapse_spaces'], required: true },
    email: { from: 'email', transform: ['trim', 'lowercase'], validate: 'email' },
    amount: { from: 'amount' },
    created: { from: 'created' },
    active: { from: 'active' },
  },
};

describe.skipIf(!pgUp || !myUp)('MariaDB → PostgreSQL', () => {
  let my: Knex;
  let pg: Knex;
  const config = {
    sources: { legacy: { kind: 'mariadb', url: myUrl } },
    targets: { newtool: { kind: 'postgres', url: pgUrl, schemas: [DB] } },
    mappings: [CONTACTS],
  } as unknown as Config;
  const checksum = async () =>
    (
      await pg.raw(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY external_id), '')) AS sum FROM ${DB}.contacts t`,
      )
    ).rows[0] as { n: number; sum: string };

  beforeAll(async () => {
    my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql });
    pg = knexFactory({ client: 'pg', connection: pgUrl });
    await my.raw(`DROP DATABASE IF EXISTS ${DB}`);
    await my.raw(`CREATE DATABASE ${DB}`);
    await my.raw(`CREATE TABLE ${DB}.customers (
      id int PRIMARY KEY, name varchar(80), email varchar(120), amount decimal(10,2), created datetime(3), active tinyint(1))`);
    const rows = [];
    for (let i = 1; i <= 300; i++) {
      rows.push({
        id: i,
        name: `  Client   ${i} `,
        email: i === 7 ? 'not-an-email' : ` Client${i}@Example.org `,
        amount: i === 9 ? '-5.00' : `${i}.50`,
        created: `2024-01-${String((i % 28) + 1).padStart(2, '0')} 10:00:00.250`,
        active: i % 2,
      });
    }
    await my.batchInsert(`${DB}.customers`, rows, 100);
    await pg.raw(`DROP SCHEMA IF EXISTS ${DB} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${DB}`);
    await pg.raw(`CREATE TABLE ${DB}.contacts (
      external_id varchar(30) PRIMARY KEY, name text NOT NULL, email text,
      amount numeric(12,3) CHECK (amount >= 0), created timestamptz, active boolean)`);
    // Equal rows written differently: 1.500 = 1.50, the same instant in another zone.
    await pg.raw(`INSERT INTO ${DB}.contacts VALUES
      ('CRM-1', 'Client 1', 'client1@example.org', 1.500, '2024-01-02 12:00:00.25+02', true),
      ('CRM-2', 'Old name', 'client2@example.org', 2.5, '2024-01-03 10:00:00.25+00', false),
      ('CRM-999', 'Kept', null, 0, null, null)`);
  });

  afterAll(async () => {
    await my?.raw(`DROP DATABASE IF EXISTS ${DB}`);
    await pg?.raw(`DROP SCHEMA IF EXISTS ${DB} CASCADE`);
    await my?.destroy();
    await pg?.destroy();
  });

  it('plans exactly, comparing canonical values, and writes nothing through a read-only session', async () => {
    const before = await checksum();
    const plan = await runPlan(config, { samples: 3, showSamples: true });
    const m = plan.mappings[0]!;
    // 300 rows: 1 unchanged, 1 update, 1 rejected by validation; the negative amount is the database's to refuse.
    expect([m.inserts, m.updates, m.unchanged, m.deletes, m.rejects]).toEqual([297, 1, 1, 0, 1]);
    expect(m.targetOnly).toBe(1);
    expect(m.samples.find((s) => s.kind === 'update')!.changes).toEqual([
      { field: 'name', old: 'Old name', new: 'Client 2' },
    ]);
    expect(await checksum()).toEqual(before);
    const tables = await pg.raw(
      `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'stocktake_checkpoint' AND schemaname = '${DB}'`,
    );
    expect(tables.rows[0].n).toBe(0);
    const target = (await openConnector(config.targets!.newtool!, {
      name: 'newtool',
      mode: 'audit',
    })) as SqlConnector;
    try {
      const db = await target.db();
      expect((await db.raw('SHOW default_transaction_read_only')).rows[0].default_transaction_read_only).toBe(
        'on',
      );
      await expect(db.raw(`DELETE FROM ${DB}.contacts`)).rejects.toThrow(/read-only/);
    } finally {
      await target.close();
    }
  });

  it('migrates with rejects from the mapping and from the database, verifies, and a re-run writes nothing', async () => {
    const first = await runMigrate(config, { rejectsDir: join(dir, 'run1'), batchSize: 50 });
    expect(first.error).toBeNull();
    const run = first.run.mappings[0]!;
    expect(run).toMatchObject({ inserted: 296, updated: 1, unchanged: 1, status: 'done' });
    expect(run.rejected).toEqual({ mapping: 1, database: 1 });
    expect(run.reconciliation).toMatchObject({ ok: true, expectedRows: 298, missing: 0, different: 0 });
    const row = (await pg.raw(`SELECT * FROM ${DB}.contacts WHERE external_id = 'CRM-10'`)).rows[0];
    expect(row).toMatchObject({
      name: 'Client 10',
      email: 'client10@example.org',
      amount: '10.500',
      active: false,
    });
    expect((row.created as Date).toISOString()).toBe('2024-01-11T10:00:00.250Z');
    const after = await checksum();
    const second = await runMigrate(config, { rejectsDir: join(dir, 'run2') });
    expect(second.run.mappings[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 298, status: 'done' });
    expect(await checksum()).toEqual(after);
    const plan = await runPlan(config);
    expect(plan.mappings[0]).toMatchObject({ inserts: 1, updates: 0 }); // the refused row is still pending
  });
});

describe.skipIf(!pgUp || !myUp)('PostgreSQL → MariaDB: keys differing only by case', () => {
  let my: Knex;
  let pg: Knex;
  const config = {
    sources: { legacy: { kind: 'postgres', url: pgUrl, schemas: [`${DB}_src`] } },
    targets: { newtool: { kind: 'mariadb', url: myUrl } },
    mappings: [
      {
        name: 'codes',
        from: { source: 'legacy', dataset: 'codes' },
        to: { target: 'newtool', dataset: 'codes', key: ['code'], mode: 'mirror' },
        fields: { code: {}, label: {} },
      },
    ],
  } as unknown as Config;

  beforeAll(async () => {
    my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql });
    pg = knexFactory({ client: 'pg', connection: pgUrl });
    await pg.raw(`DROP SCHEMA IF EXISTS ${DB}_src CASCADE`);
    await pg.raw(`CREATE SCHEMA ${DB}_src`);
    await pg.raw(`CREATE TABLE ${DB}_src.codes (code text PRIMARY KEY, label text)`);
    await pg.raw(
      `INSERT INTO ${DB}_src.codes VALUES ('abc', 'lower'), ('ABC', 'upper'), ('Zed', 'z'), ('Old', 'kept spelling')`,
    );
    await my.raw(`CREATE DATABASE IF NOT EXISTS ${DB}`);
    await my.raw(`DROP TABLE IF EXISTS ${DB}.codes`);
    await my.raw(
      `CREATE TABLE ${DB}.codes (code varchar(20) PRIMARY KEY, label varchar(40)) COLLATE utf8mb4_general_ci`,
    );
    await my.raw(
      `INSERT INTO ${DB}.codes VALUES ('OLD', 'kept spelling'), ('gone', 'absent from the source')`,
    );
  });

  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${DB}_src CASCADE`);
    await my?.raw(`DROP DATABASE IF EXISTS ${DB}`);
    await my?.destroy();
    await pg?.destroy();
  });

  it('predicts what the case-insensitive key does: colliding keys rejected, `Old` is the row `OLD`', async () => {
    const plan = await runPlan(config, { showSamples: true });
    const m = plan.mappings[0]!;
    expect(m.keyComparison).toBe('folded');
    expect(m.rejectsByCode).toEqual({ REJECT_KEY_COLLISION: 2 });
    expect([m.inserts, m.updates, m.unchanged, m.deletes]).toEqual([1, 0, 1, 1]);
    const outcome = await runMigrate(config, { rejectsDir: join(dir, 'collation') });
    expect(outcome.error).toBeNull();
    expect(outcome.run.mappings[0]).toMatchObject({ inserted: 1, deleted: 1, status: 'done' });
    const rows = await my.raw(`SELECT code, label FROM ${DB}.codes ORDER BY code`);
    expect(rows[0]).toEqual([
      { code: 'OLD', label: 'kept spelling' },
      { code: 'Zed', label: 'z' },
    ]);
    const again = await runPlan(config);
    expect(again.changes).toBe(false);
  });
});

describe('CSV → SQLite', () => {
  it('loads an unsorted, accented CSV file into SQLite and verifies it', async () => {
    const csv = join(dir, 'clients.csv');
    const lines = ['code;nom;ca;date'];
    for (let i = 40; i >= 1; i--)
      lines.push(`C${i};Société ${i};${i} 000,50;${String((i % 28) + 1).padStart(2, '0')}/03/2020`);
    lines.push('C41;;1,00;01/01/2020');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const file = join(dir, 'target.sqlite');
    const db = new Database(file);
    db.exec(
      'CREATE TABLE accounts (code TEXT PRIMARY KEY, name TEXT NOT NULL, revenue DECIMAL(12,2), since DATE)',
    );
    db.close();
    const config = {
      sources: { clients: { kind: 'csv', path: csv } },
      targets: { newtool: { kind: 'sqlite', path: file } },
      mappings: [
        {
          name: 'accounts',
          from: { source: 'clients', dataset: 'clients' },
          to: { target: 'newtool', dataset: 'accounts', key: ['code'], mode: 'upsert' },
          fields: {
            code: {},
            name: { from: 'nom', required: true },
            revenue: { from: 'ca' },
            since: { from: 'date' },
          },
        },
      ],
    } as unknown as Config;
    const plan = await runPlan(config);
    expect(plan.mappings[0]).toMatchObject({ inserts: 40, rejects: 1 });
    const outcome = await runMigrate(config, { rejectsDir: join(dir, 'csv'), batchSize: 7 });
    expect(outcome.error).toBeNull();
    expect(outcome.run.mappings[0]).toMatchObject({ inserted: 40, batches: 6, status: 'done' });
    const check = new Database(file, { readonly: true });
    expect(check.prepare(`SELECT * FROM accounts WHERE code = 'C12'`).get()).toEqual({
      code: 'C12',
      name: 'Société 12',
      revenue: 12000.5,
      since: '2020-03-13',
    });
    check.close();
    expect((await runPlan(config)).changes).toBe(false);
  });
});
