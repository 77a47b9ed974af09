/**
 * `sample:` on PostgreSQL relations TABLESAMPLE does not apply to (a view, a foreign table) whose audit user may
 * SELECT only some columns: the row hash that draws the sample reads the readable columns only, so the relation
 * is profiled on a sample of those columns instead of failing on the ones it may not read.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Profile } from '../../src/core/profile.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const DB = 'h4_sampled_column_privileges';
const ROLE = 'h4_sampled_column_reader';
const ROWS = 1000;
const withDatabase = (user?: string) => {
  const u = new URL(SERVERS.postgres);
  u.pathname = `/${DB}`;
  if (user) u.username = user;
  return u.toString();
};

describe.skipIf(!up)('PostgreSQL sampled relations with column privileges', () => {
  let admin: Knex;
  let fileFdw = false;

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.raw(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin.raw(`CREATE DATABASE ${DB}`);
    await admin.raw(`CREATE ROLE ${ROLE} LOGIN`);
    const db = knexFactory({ client: 'pg', connection: withDatabase(), pool: { min: 0, max: 1 } });
    await db.raw(`
      CREATE SCHEMA h4_cg;
      CREATE TABLE h4_cg.people (id int PRIMARY KEY, name text, ssn text);
      INSERT INTO h4_cg.people SELECT i, 'n' || (i % 37), 'S' || i FROM generate_series(1, ${ROWS}) i;
      CREATE VIEW h4_cg.v AS SELECT id, name, ssn FROM h4_cg.people;
      GRANT USAGE ON SCHEMA h4_cg TO ${ROLE};
      GRANT SELECT (id, name) ON h4_cg.v TO ${ROLE};`);
    const available = await db.raw("SELECT 1 FROM pg_available_extensions WHERE name = 'file_fdw'");
    fileFdw = available.rows.length > 0;
    if (fileFdw) {
      await db.raw(`CREATE EXTENSION file_fdw; CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
        CREATE FOREIGN TABLE h4_cg.remote (id int, secret int) SERVER files
          OPTIONS (program 'seq 1 ${ROWS} | sed "s/.*/&,&/"', format 'csv');
        GRANT USAGE ON FOREIGN SERVER files TO ${ROLE};
        GRANT SELECT (id) ON h4_cg.remote TO ${ROLE};`);
    }
    await db.destroy();
  });

  afterAll(async () => {
    await admin?.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.raw(`DROP ROLE IF EXISTS ${ROLE}`);
    await admin?.destroy();
  });

  const profileSampled = async (include: string): Promise<Profile> => {
    const config = {
      sources: { pg: { kind: 'postgres', url: withDatabase(ROLE), include: [include], sample: 0.5 } },
    } as unknown as Config;
    return runProfile(config, await runInventory(config));
  };

  /** Profiled on about half its rows, on the readable columns, with the hidden ones named. */
  const expectSampledReadable = (profile: Profile, dataset: string, readable: string[], hidden: string[]) => {
    expect(profile.findings.filter((f) => f.code === 'PROFILE_FAILED')).toEqual([]);
    const profiled = profile.datasets.find((d) => d.dataset === dataset)!;
    expect(profiled.sample).toEqual({ fraction: 0.5, method: 'row hash' });
    expect(profiled.rowCount).toBeGreaterThan(ROWS * 0.4);
    expect(profiled.rowCount).toBeLessThan(ROWS * 0.6);
    expect(profiled.columns.map((c) => c.name)).toEqual(readable);
    const id = profiled.columns.find((c) => c.name === 'id')!;
    expect([id.count, id.nulls, id.distinct]).toEqual([profiled.rowCount, 0, profiled.rowCount]);
    const finding = profile.findings.find((f) => f.code === 'COLUMN_NOT_READABLE' && f.dataset === dataset);
    expect(finding?.evidence).toEqual({ columns: hidden, keys: [], foreignKeys: [] });
  };

  it('samples a view by a hash of the columns it may read', async () => {
    expectSampledReadable(await profileSampled('h4_cg.v'), 'h4_cg.v', ['id', 'name'], ['ssn']);
  });

  it('samples a foreign table by a hash of the columns it may read', async (context) => {
    if (!fileFdw) context.skip('file_fdw is not installed on this server');
    expectSampledReadable(await profileSampled('h4_cg.remote'), 'h4_cg.remote', ['id'], ['secret']);
  });
});
