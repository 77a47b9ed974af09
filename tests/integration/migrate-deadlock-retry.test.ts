/**
 * A batch the target rolls back as a deadlock's victim is sent again: the run finishes with every row
 * written once. A batch refused as a victim at every attempt stops the run as interrupted (exit 4), its
 * committed batches kept for `--resume`. The victim is made by a trigger that raises the database's own
 * deadlock error inside the writer's transaction, counted by a sequence (which a rollback does not undo).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { DEADLOCK_ATTEMPTS } from '../../src/mappers/apply-batches.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const SCHEMA = 'st_deadlock_retry';
const ROWS = 30;

const dir = mkdtempSync(join(tmpdir(), 'stocktake-deadlock-'));
beforeAll(() => {
  const lines = Array.from({ length: ROWS }, (_, i) => `${i + 1};item ${i + 1}`);
  writeFileSync(join(dir, 'items.csv'), `id;label\n${lines.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(target: Record<string, unknown>, dataset: string): Config {
  return {
    sources: { files: { kind: 'csv', path: dir } },
    targets: { db: target },
    mappings: [
      {
        name: 'items',
        from: { source: 'files', dataset: 'items' },
        to: { target: 'db', dataset, key: ['id'], mode: 'upsert' },
        batchSize: 10,
        fields: { id: {}, label: {} },
      },
    ],
  } as unknown as Config;
}

interface Dialect {
  readonly cfg: Config;
  /**
   * Makes every row written while the trigger's counter is in [from, to] a deadlock's victim; `seeded`
   * leaves a row in the table (the run then diffs and upserts through its staging path).
   */
  arm(from: number, to: number, seeded?: boolean): Promise<void>;
  /** How many times the trigger raised the deadlock: one per attempt it failed. */
  victims(): Promise<number>;
  labels(): Promise<string[]>;
}

async function expectRetried(d: Dialect, name: string, seeded = false) {
  // Rows 15 and 16 (the second batch) fail twice: the third attempt passes.
  await d.arm(15, 16, seeded);
  const { run, error } = await runMigrate(d.cfg, { rejectsDir: join(dir, name) });
  expect(error).toBeNull();
  expect(run.mappings[0]).toMatchObject({
    status: 'done',
    path: seeded ? 'diff' : 'fresh-load',
    inserted: seeded ? ROWS - 1 : ROWS,
    updated: seeded ? 1 : 0,
    rejected: { mapping: 0, database: 0 },
    reconciliation: { ok: true },
  });
  expect(await d.victims()).toBe(2);
  expect(await d.labels()).toEqual(Array.from({ length: ROWS }, (_, i) => `item ${i + 1}`));
}

async function expectGivenUp(d: Dialect, name: string) {
  // From its 15th row on, every row is a victim: the second batch never passes.
  await d.arm(15, 1_000_000);
  const { run, error } = await runMigrate(d.cfg, { rejectsDir: join(dir, name) });
  expect(error).toMatchObject({ code: 'MIGRATE_INTERRUPTED', exitCode: 4 });
  expect((error as Error).message).toMatch(/deadlock's victim after batch 1/);
  expect(run.mappings[0]).toMatchObject({ status: 'interrupted', checkpoint: { batches: 1, done: false } });
  expect(await d.labels()).toHaveLength(10);
  expect(await d.victims()).toBe(DEADLOCK_ATTEMPTS);
}

describe.skipIf(!pgUp)('deadlock victims in PostgreSQL', () => {
  let pg: Knex;
  const d: Dialect = {
    cfg: config({ kind: 'postgres', url: SERVERS.postgres, schemas: [SCHEMA] }, `${SCHEMA}.items`),
    async arm(from, to, seeded) {
      await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await pg.raw(`CREATE SCHEMA ${SCHEMA}`);
      await pg.raw(`CREATE TABLE ${SCHEMA}.items (id int PRIMARY KEY, label text)`);
      if (seeded) await pg.raw(`INSERT INTO ${SCHEMA}.items VALUES (1, 'old')`);
      await pg.raw(`CREATE SEQUENCE ${SCHEMA}.fired`);
      await pg.raw(`CREATE SEQUENCE ${SCHEMA}.victims`);
      // (BETWEEN would evaluate nextval twice.)
      await pg.raw(`CREATE FUNCTION ${SCHEMA}.victim() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE n bigint := nextval('${SCHEMA}.fired');
        BEGIN
          IF n BETWEEN ${from} AND ${to} THEN
            PERFORM nextval('${SCHEMA}.victims');
            RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01';
          END IF;
          RETURN NEW;
        END $$`);
      await pg.raw(
        `CREATE TRIGGER victim BEFORE INSERT OR UPDATE ON ${SCHEMA}.items FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.victim()`,
      );
    },
    async victims() {
      const { rows } = await pg.raw(`SELECT last_value, is_called FROM ${SCHEMA}.victims`);
      return rows[0].is_called ? Number(rows[0].last_value) : 0;
    },
    async labels() {
      const { rows } = await pg.raw(`SELECT label FROM ${SCHEMA}.items ORDER BY id`);
      return rows.map((r: { label: string }) => r.label);
    },
  };
  beforeAll(() => {
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg?.destroy();
  });

  it('sends the batch again and finishes with every row once', () => expectRetried(d, 'pg-retried'));
  it('does so on the diff path too', () => expectRetried(d, 'pg-retried-diff', true));
  it('stops as interrupted when every attempt is a victim', () => expectGivenUp(d, 'pg-given-up'));
});

describe.skipIf(!myUp)('deadlock victims in MariaDB', () => {
  let my: Knex;
  const d: Dialect = {
    cfg: config({ kind: 'mariadb', url: SERVERS.mysql }, `${SCHEMA}_items`),
    async arm(from, to, seeded) {
      await my.raw(`DROP TABLE IF EXISTS ${SCHEMA}_items`);
      await my.raw(`DROP SEQUENCE IF EXISTS ${SCHEMA}_fired`);
      await my.raw(`DROP SEQUENCE IF EXISTS ${SCHEMA}_victims`);
      // The checkpoint table of the database is shared with other suites: only this mapping's row goes.
      if ((await my.raw("SHOW TABLES LIKE 'stocktake_checkpoint'"))[0].length > 0)
        await my.raw("DELETE FROM stocktake_checkpoint WHERE mapping = 'items'");
      await my.raw(`CREATE TABLE ${SCHEMA}_items (id int PRIMARY KEY, label varchar(50))`);
      if (seeded) await my.raw(`INSERT INTO ${SCHEMA}_items VALUES (1, 'old')`);
      for (const sequence of ['fired', 'victims'])
        await my.raw(`CREATE SEQUENCE ${SCHEMA}_${sequence} START WITH 1 INCREMENT BY 1 NOCACHE`);
      for (const event of ['INSERT', 'UPDATE'])
        await my.raw(`CREATE TRIGGER ${SCHEMA}_${event.toLowerCase()} BEFORE ${event} ON ${SCHEMA}_items FOR EACH ROW
          BEGIN
            DECLARE n BIGINT DEFAULT NEXTVAL(${SCHEMA}_fired);
            IF n BETWEEN ${from} AND ${to} THEN
              DO NEXTVAL(${SCHEMA}_victims);
              SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found when trying to get lock';
            END IF;
          END`);
    },
    async victims() {
      const [next] = await my.raw(`SELECT next_not_cached_value AS n FROM ${SCHEMA}_victims`);
      return Number(next[0].n) - 1;
    },
    async labels() {
      const [rows] = await my.raw(`SELECT label FROM ${SCHEMA}_items ORDER BY id`);
      return rows.map((r: { label: string }) => r.label);
    },
  };
  beforeAll(() => {
    my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
  });
  afterAll(async () => {
    await my?.raw(`DROP TABLE IF EXISTS ${SCHEMA}_items`);
    await my?.raw(`DROP SEQUENCE IF EXISTS ${SCHEMA}_fired`);
    await my?.raw(`DROP SEQUENCE IF EXISTS ${SCHEMA}_victims`);
    await my?.destroy();
  });

  it('sends the batch again and finishes with every row once', () => expectRetried(d, 'my-retried'));
  it('does so on the diff path too', () => expectRetried(d, 'my-retried-diff', true));
  it('stops as interrupted when every attempt is a victim', () => expectGivenUp(d, 'my-given-up'));
});
