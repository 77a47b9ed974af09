/**
 * One migrate at a time per mapping and target table: a run that finds another still writing the same
 * mapping stops with MIGRATE_RUNNING before it reads a checkpoint or writes a row, instead of taking the
 * live run for an interrupted one. The lock is the server's (PostgreSQL advisory lock, MariaDB GET_LOCK),
 * held on a connection of the run's own and let go with it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runLockName } from '../../src/mappers/run-lock.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const SCHEMA = 'st_run_lock';
const dir = mkdtempSync(join(tmpdir(), 'stocktake-run-lock-'));
beforeAll(() => writeFileSync(join(dir, 'items.csv'), 'id;label\n1;a\n2;b\n'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (target: Record<string, unknown>, dataset: string): Config =>
  ({
    sources: { files: { kind: 'csv', path: join(dir, 'items.csv') } },
    targets: { db: target },
    mappings: [
      {
        name: 'items',
        from: { source: 'files', dataset: 'items' },
        to: { target: 'db', dataset, key: ['id'], mode: 'upsert' },
        fields: { id: {}, label: {} },
      },
    ],
  }) as unknown as Config;

async function expectLocked(
  cfg: Config,
  hold: () => Promise<void>,
  release: () => Promise<void>,
  count: () => Promise<number>,
) {
  await hold();
  await expect(runMigrate(cfg, { rejectsDir: join(dir, 'locked') })).rejects.toMatchObject({
    code: 'MIGRATE_RUNNING',
    message: expect.stringContaining('mapping items: another stocktake migrate is writing it'),
  });
  expect(await count()).toBe(0);
  await release();
  const { error, run } = await runMigrate(cfg, { rejectsDir: join(dir, 'free') });
  expect(error).toBeNull();
  expect(run.mappings[0]).toMatchObject({ inserted: 2 });
  // The run let its own lock go: the next one takes it.
  expect((await runMigrate(cfg, { rejectsDir: join(dir, 'again') })).error).toBeNull();
}

describe.skipIf(!pgUp)('the run lock on PostgreSQL', () => {
  let pg: Knex;
  beforeAll(async () => {
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 1, max: 1 } });
    await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${SCHEMA}`);
    await pg.raw(`CREATE TABLE ${SCHEMA}.items (id int PRIMARY KEY, label text)`);
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg?.destroy();
  });

  it('refuses a second run while a first holds the mapping, then runs', async () => {
    const name = runLockName(`${SCHEMA}.items`, 'items');
    await expectLocked(
      config({ kind: 'postgres', url: SERVERS.postgres, schemas: [SCHEMA] }, `${SCHEMA}.items`),
      async () => {
        await pg.raw('SELECT pg_advisory_lock(hashtextextended(?, 0))', [name]);
      },
      async () => {
        await pg.raw('SELECT pg_advisory_unlock(hashtextextended(?, 0))', [name]);
      },
      async () => Number((await pg.raw(`SELECT count(*) AS n FROM ${SCHEMA}.items`)).rows[0].n),
    );
  });
});

describe.skipIf(!myUp)('the run lock on MariaDB', () => {
  let my: Knex;
  beforeAll(async () => {
    my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 1, max: 1 } });
    await my.raw(`DROP TABLE IF EXISTS ${SCHEMA}_items`);
    await my.raw(`CREATE TABLE ${SCHEMA}_items (id int PRIMARY KEY, label varchar(10))`);
    if ((await my.raw("SHOW TABLES LIKE 'stocktake_checkpoint'"))[0].length > 0)
      await my.raw("DELETE FROM stocktake_checkpoint WHERE mapping = 'items'");
  });
  afterAll(async () => {
    await my?.raw(`DROP TABLE IF EXISTS ${SCHEMA}_items`);
    await my?.destroy();
  });

  it('refuses a second run while a first holds the mapping, then runs', async () => {
    const name = runLockName(`test.${SCHEMA}_items`, 'items');
    await expectLocked(
      config({ kind: 'mariadb', url: SERVERS.mysql }, `${SCHEMA}_items`),
      async () => {
        await my.raw('SELECT GET_LOCK(?, 0)', [name]);
      },
      async () => {
        await my.raw('SELECT RELEASE_LOCK(?)', [name]);
      },
      async () => Number((await my.raw(`SELECT count(*) AS n FROM ${SCHEMA}_items`))[0][0].n),
    );
  });
});
