/**
 * A mirror's delete that the target refuses (another table still references the row) is a reject with
 * the database's reason, not a failed run: the other deletes and writes of the batch are applied, the
 * verification accepts the row left in place, and the next run refuses it again the same way.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const SCHEMA = 'st_refused_deletes';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-refused-deletes-'));
  // A1 changes, A3 and A5 are gone from the source; A3 is still referenced by an order.
  writeFileSync(join(dir, 'accounts.csv'), 'code;name\nA1;Ann (new)\nA2;Bob\nA4;Dan\nA6;Eve\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(target: unknown, dataset: string): Config {
  return {
    sources: { legacy: { kind: 'csv', path: join(dir, 'accounts.csv') } },
    targets: { newtool: target },
    mappings: [
      {
        name: 'accounts',
        from: { source: 'legacy', dataset: 'accounts' },
        to: { target: 'newtool', dataset, key: ['code'], mode: 'mirror' },
        fields: { code: {}, name: {} },
      },
    ],
  } as unknown as Config;
}

async function migrateTwice(cfg: Config, name: string, warnings: RegExp[]) {
  // The plan names what the deletes do beyond the table.
  const plan = await runPlan(cfg, { samples: 5 });
  expect(plan.mappings[0]).toMatchObject({ deletes: 2 });
  const found = (plan.mappings[0]!.warnings ?? []).filter((w) => w.code === 'MAP_DELETE_REFERENCED');
  expect(found.map((w) => w.path)).toEqual(warnings.map(() => 'mappings[0].to'));
  for (const [i, pattern] of warnings.entries()) expect(found[i]!.message).toMatch(pattern);
  const first = await runMigrate(cfg, { rejectsDir: join(dir, `${name}-1`) });
  expect(first.error).toBeNull();
  expect(first.run.mappings[0]).toMatchObject({
    inserted: 1,
    updated: 1,
    deleted: 1,
    unchanged: 2,
    rejected: { mapping: 0, database: 1 },
    status: 'done',
    reconciliation: { ok: true, unexpected: 0 },
  });
  const rejects = readFileSync(join(dir, `${name}-1`, 'rejects.jsonl'), 'utf8')
    .trim()
    .split('\n');
  expect(rejects).toHaveLength(1);
  const reject = JSON.parse(rejects[0]!);
  expect(reject).toMatchObject({ mapping: 'accounts', key: { code: 'A3' }, code: 'REJECT_DATABASE' });
  expect(reject.reason).toMatch(
    /^the database refused to delete the row, absent from the source: .*foreign key/i,
  );
  const second = await runMigrate(cfg, { rejectsDir: join(dir, `${name}-2`) });
  expect(second.error).toBeNull();
  expect(second.run.mappings[0]).toMatchObject({
    inserted: 0,
    updated: 0,
    deleted: 0,
    unchanged: 4,
    rejected: { mapping: 0, database: 1 },
    reconciliation: { ok: true },
  });
}

describe('mirror deletes the target refuses', () => {
  it('SQLite: rejects the referenced row and applies the rest', async () => {
    const path = join(dir, 'newtool.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE accounts (code TEXT PRIMARY KEY, name TEXT);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, account TEXT REFERENCES accounts (code));
      INSERT INTO accounts VALUES ('A1', 'Ann'), ('A2', 'Bob'), ('A3', 'Cy'), ('A4', 'Dan'), ('A5', 'Flo');
      INSERT INTO orders VALUES (1, 'A3');`);
    db.close();
    await migrateTwice(config({ kind: 'sqlite', path } as never, 'accounts'), 'sqlite', [
      /^deleting 2 rows of accounts: a row still referenced from orders is refused by the database and rejected \(orders\.\(account\) → accounts\.\(code\), ON DELETE NO ACTION\)$/,
    ]);
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT code, name FROM accounts ORDER BY code').all()).toEqual([
      { code: 'A1', name: 'Ann (new)' },
      { code: 'A2', name: 'Bob' },
      { code: 'A3', name: 'Cy' },
      { code: 'A4', name: 'Dan' },
      { code: 'A6', name: 'Eve' },
    ]);
    after.close();
  });

  // Parents and children, both mirrored: P2 and C2 are gone from the source; P3 is gone but C3 stays,
  // still referencing it.
  function family(name: string, maxRejects?: number): { cfg: Config; path: string } {
    const path = join(dir, `${name}.sqlite`);
    const db = new Database(path);
    db.exec(`CREATE TABLE parents (id TEXT PRIMARY KEY, name TEXT);
      CREATE TABLE children (id TEXT PRIMARY KEY, parent TEXT REFERENCES parents (id));
      INSERT INTO parents VALUES ('P1', 'a'), ('P2', 'b'), ('P3', 'c');
      INSERT INTO children VALUES ('C1', 'P1'), ('C2', 'P2'), ('C3', 'P3');`);
    db.close();
    const files = join(dir, name);
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'parents.csv'), 'id;name\nP1;a\n');
    writeFileSync(join(files, 'children.csv'), 'id;parent\nC1;P1\nC3;P3\n');
    const cfg = {
      sources: { legacy: { kind: 'csv', path: files } },
      targets: { newtool: { kind: 'sqlite', path } },
      mappings: [
        {
          name: 'children',
          from: { source: 'legacy', dataset: 'children' },
          to: { target: 'newtool', dataset: 'children', key: ['id'], mode: 'mirror' },
          fields: { id: {}, parent: {} },
        },
        {
          name: 'parents',
          from: { source: 'legacy', dataset: 'parents' },
          to: { target: 'newtool', dataset: 'parents', key: ['id'], mode: 'mirror' },
          fields: { id: {}, name: {} },
          ...(maxRejects !== undefined ? { maxRejects } : {}),
        },
      ],
    } as unknown as Config;
    return { cfg, path };
  }

  const rejectedKeys = (rejectsDir: string) =>
    readFileSync(join(rejectsDir, 'rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).key);

  it('tries the refused deletes of a parent mirror again once its dependent mirror has deleted the referencing rows', async () => {
    const { cfg, path } = family('family');
    const plan = await runPlan(cfg, { samples: 5 });
    const parents = plan.mappings.find((m) => m.name === 'parents')!;
    expect(parents.warnings?.map((w) => w.message)).toEqual([
      'deleting 2 rows of parents: a row still referenced from children is deleted once the mapping that mirrors children has deleted the rows that reference it, and rejected if one still does (children.(parent) → parents.(id), ON DELETE NO ACTION)',
    ]);
    const outcome = await runMigrate(cfg, { rejectsDir: join(dir, 'family-1') });
    expect(outcome.error).toBeNull();
    const byName = new Map(outcome.run.mappings.map((m) => [m.name, m]));
    expect(byName.get('children')).toMatchObject({ deleted: 1, rejected: { mapping: 0, database: 0 } });
    // P2 refused while C2 still stood, deleted once the children were done; P3 is still referenced by C3.
    expect(byName.get('parents')).toMatchObject({
      status: 'done',
      deleted: 1,
      rejected: { mapping: 0, database: 1 },
    });
    expect(rejectedKeys(join(dir, 'family-1'))).toEqual([{ id: 'P3' }]);
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT id FROM parents ORDER BY id').all()).toEqual([{ id: 'P1' }, { id: 'P3' }]);
    expect(after.prepare('SELECT id FROM children ORDER BY id').all()).toEqual([{ id: 'C1' }, { id: 'C3' }]);
    after.close();
  });

  it('counts the deletes still refused at the end against maxRejects', async () => {
    const { cfg } = family('family-max', 0);
    const outcome = await runMigrate(cfg, { rejectsDir: join(dir, 'family-max') });
    expect(outcome.error).toMatchObject({ code: 'MIGRATE_REJECTS_EXCEEDED' });
    expect(outcome.run.status).toBe('rejects-exceeded');
    expect(outcome.run.mappings.find((m) => m.name === 'parents')).toMatchObject({
      status: 'rejects-exceeded',
      deleted: 1,
      rejected: { mapping: 0, database: 1 },
    });
  });

  it('keeps the run record when the retry loses its connection: the mapping is interrupted, its refused rows listed', async () => {
    const { cfg, path } = family('family-lost');
    let seen = 0;
    const outcome = await runMigrate(cfg, {
      rejectsDir: join(dir, 'family-lost'),
      openWriter: async (connector, target) => {
        const writer = await connector.writer!(target);
        return {
          ...writer,
          applyBatch: (batch) => {
            // The second batch deleting P2 is the retry.
            if (batch.deletes?.some((key) => key[0] === 'P2') && ++seen === 2)
              return Promise.reject(new Error('Connection lost: the server closed the connection'));
            return writer.applyBatch(batch);
          },
          readCheckpoint: (mapping) => writer.readCheckpoint(mapping),
          clearCheckpoint: (mapping) => writer.clearCheckpoint(mapping),
        };
      },
    });
    expect(outcome.error).toMatchObject({ code: 'MIGRATE_INTERRUPTED' });
    expect(outcome.run.status).toBe('interrupted');
    expect(outcome.run.mappings.find((m) => m.name === 'parents')).toMatchObject({
      status: 'interrupted',
      rejected: { mapping: 0, database: 2 },
    });
    expect(
      rejectedKeys(join(dir, 'family-lost'))
        .map((k) => k.id)
        .sort(),
    ).toEqual(['P2', 'P3']);
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT id FROM parents ORDER BY id').all()).toEqual([
      { id: 'P1' },
      { id: 'P2' },
      { id: 'P3' },
    ]);
    after.close();
  });

  it('tries the refused deletes of a parent mirror with generated keys again, and forgets the rows deleted from its identity map', async () => {
    const path = join(dir, 'identity-family.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT);
      CREATE TABLE children (id INTEGER PRIMARY KEY, name TEXT, parent_id INTEGER REFERENCES parents (id));`);
    db.close();
    const files = join(dir, 'identity-family');
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'parents.csv'), 'code;name\nP1;a\nP2;b\nP3;c\n');
    writeFileSync(join(files, 'children.csv'), 'code;parent\nC1;P1\nC2;P2\nC3;P3\n');
    const cfg = {
      sources: { legacy: { kind: 'csv', path: files } },
      targets: { newtool: { kind: 'sqlite', path } },
      mappings: [
        {
          name: 'children',
          from: { source: 'legacy', dataset: 'children' },
          to: { target: 'newtool', dataset: 'children', mode: 'mirror', identity: { sourceKey: ['code'] } },
          fields: {
            name: { from: 'code' },
            parent_id: { from: 'parent', transform: [{ ref: { mapping: 'parents' } }] },
          },
        },
        {
          name: 'parents',
          from: { source: 'legacy', dataset: 'parents' },
          to: { target: 'newtool', dataset: 'parents', mode: 'mirror', identity: { sourceKey: ['code'] } },
          fields: { name: {} },
        },
      ],
    } as unknown as Config;
    const first = await runMigrate(cfg, { rejectsDir: join(dir, 'identity-family-1') });
    expect(first.error).toBeNull();
    // P2 and C2 leave the source; P3 leaves it too, but C3 still references it.
    writeFileSync(join(files, 'parents.csv'), 'code;name\nP1;a\n');
    writeFileSync(join(files, 'children.csv'), 'code;parent\nC1;P1\nC3;P3\n');
    const second = await runMigrate(cfg, { rejectsDir: join(dir, 'identity-family-2') });
    expect(second.error).toBeNull();
    const byName = new Map(second.run.mappings.map((m) => [m.name, m]));
    expect(byName.get('children')).toMatchObject({ deleted: 1, rejected: { mapping: 0, database: 0 } });
    expect(byName.get('parents')).toMatchObject({
      status: 'done',
      deleted: 1,
      rejected: { mapping: 0, database: 1 },
    });
    const after = new Database(path, { readonly: true });
    expect(after.prepare('SELECT name FROM parents ORDER BY name').all()).toEqual([
      { name: 'a' },
      { name: 'c' },
    ]);
    // The identity map forgot P2 with its row, and keeps P3, whose row stays.
    expect(
      after
        .prepare("SELECT old_key FROM stocktake_identity WHERE mapping = 'parents' ORDER BY old_key")
        .all(),
    ).toEqual([{ old_key: 'P1' }, { old_key: 'P3' }]);
    after.close();
    // A third run finds P3 refused again, and nothing else to do.
    const third = await runMigrate(cfg, { rejectsDir: join(dir, 'identity-family-3') });
    expect(third.error).toBeNull();
    expect(third.run.mappings.find((m) => m.name === 'parents')).toMatchObject({
      deleted: 0,
      inserted: 0,
      updated: 0,
      rejected: { mapping: 0, database: 1 },
      reconciliation: { ok: true },
    });
  });

  describe.skipIf(!pgUp)('PostgreSQL', () => {
    let pg: Knex;
    beforeAll(async () => {
      pg = knexFactory({ client: 'pg', connection: SERVERS.postgres });
      await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await pg.raw(`CREATE SCHEMA ${SCHEMA}`);
      await pg.raw(`CREATE TABLE ${SCHEMA}.accounts (code text PRIMARY KEY, name text)`);
      await pg.raw(
        `CREATE TABLE ${SCHEMA}.orders (id int PRIMARY KEY, account text REFERENCES ${SCHEMA}.accounts)`,
      );
      await pg.raw(`CREATE TABLE ${SCHEMA}.notes (id int PRIMARY KEY,
        account text REFERENCES ${SCHEMA}.accounts ON DELETE CASCADE)`);
      await pg.raw(`INSERT INTO ${SCHEMA}.accounts VALUES ('A1', 'Ann'), ('A2', 'Bob'), ('A3', 'Cy'), ('A4', 'Dan'),
        ('A5', 'Flo')`);
      await pg.raw(`INSERT INTO ${SCHEMA}.orders VALUES (1, 'A3')`);
      await pg.raw(`INSERT INTO ${SCHEMA}.notes VALUES (1, 'A5'), (2, 'A1')`);
    });
    afterAll(async () => {
      await pg?.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await pg?.destroy();
    });

    it('rejects the referenced row and applies the rest', async () => {
      await migrateTwice(
        config({ kind: 'postgres', url: SERVERS.postgres, schemas: [SCHEMA] } as never, `${SCHEMA}.accounts`),
        'postgres',
        [
          /^deleting 2 rows of st_refused_deletes\.accounts: also deletes the rows of st_refused_deletes\.notes that reference them .*ON DELETE CASCADE\)$/,
          /^deleting 2 rows of st_refused_deletes\.accounts: a row still referenced from st_refused_deletes\.orders is refused .*ON DELETE NO ACTION\)$/,
        ],
      );
      // The cascade took A5's note with it.
      const notes = await pg.raw(`SELECT id FROM ${SCHEMA}.notes ORDER BY id`);
      expect(notes.rows).toEqual([{ id: 2 }]);
      const { rows } = await pg.raw(`SELECT code FROM ${SCHEMA}.accounts ORDER BY code`);
      expect(rows.map((r: { code: string }) => r.code)).toEqual(['A1', 'A2', 'A3', 'A4', 'A6']);
    });
  });
});
