/**
 * A catalog's free texts may hold secrets (a connection URL pasted into a table comment, a password in a
 * view's definition): the inventory masks them before any output, as `stocktake report` does when it reads
 * a document, and leaves names alone.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const SCHEMA = 'st_catalog_secrets';

describe.skipIf(!up)('secrets in catalog texts', () => {
  let pg: Knex;
  beforeAll(async () => {
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${SCHEMA}`);
    await pg.raw(
      `CREATE TABLE ${SCHEMA}.accounts (id int PRIMARY KEY, dsn text DEFAULT 'host=db password=Hunter4Secret')`,
    );
    await pg.raw(
      `COMMENT ON TABLE ${SCHEMA}.accounts IS 'see postgres://admin:Hunter2Secret@db.internal/prod and password=Hunter3Secret'`,
    );
    await pg.raw(
      `COMMENT ON COLUMN ${SCHEMA}.accounts.id IS 'copied with mysql://etl:Hunter5Secret@old/crm'`,
    );
    await pg.raw(
      `CREATE VIEW ${SCHEMA}.v AS SELECT id, 'token=Hunter6Secret'::text AS note FROM ${SCHEMA}.accounts`,
    );
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg?.destroy();
  });

  it('masks URL passwords and password= pairs in comments, defaults and view definitions', async () => {
    const config = {
      sources: { pg: { kind: 'postgres', url: SERVERS.postgres, schemas: [SCHEMA] } },
    } as unknown as Config;
    const inventory = await runInventory(config);
    const text = JSON.stringify(inventory);
    expect(text).not.toMatch(/Hunter\dSecret/);
    const accounts = inventory.sources[0]!.datasets.find((d) => d.name === `${SCHEMA}.accounts`)!;
    expect(accounts.comment).toBe('see postgres://admin:***@db.internal/prod and password=***');
    expect(accounts.columns.map((c) => c.name)).toEqual(['id', 'dsn']);
  });
});
