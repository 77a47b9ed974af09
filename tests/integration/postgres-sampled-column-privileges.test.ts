/**
 * `sample:` on PostgreSQL relations TABLESAMPLE does not apply to (a view, a foreign table) whose audit user may
 * SELECT only some columns: the row hash that draws the sample reads the readable columns only, so the relation
 * is profiled on a sample of those columns instead of failing on the ones it may not read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Profile } from '../../src/core/profile.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const ROLE = 'stocktake_it_sampled_reader';
const ROWS = 1000;
const scratch = new ScratchPostgres('stocktake_it_sampled_column_privileges', { [ROLE]: '' });

describe.skipIf(!up)('PostgreSQL sampled relations with column privileges', () => {
  let fileFdw = false;

  beforeAll(async () => {
    await scratch.create();
    await scratch.run(`
      CREATE SCHEMA cg;
      CREATE TABLE cg.people (id int PRIMARY KEY, name text, ssn text);
      INSERT INTO cg.people SELECT i, 'n' || (i % 37), 'S' || i FROM generate_series(1, ${ROWS}) i;
      CREATE VIEW cg.v AS SELECT id, name, ssn FROM cg.people;
      GRANT USAGE ON SCHEMA cg TO ${ROLE};
      GRANT SELECT (id, name) ON cg.v TO ${ROLE};`);
    const available = await scratch.admin.raw(
      "SELECT 1 FROM pg_available_extensions WHERE name = 'file_fdw'",
    );
    fileFdw = available.rows.length > 0;
    if (fileFdw) {
      await scratch.run(`CREATE EXTENSION file_fdw; CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
        CREATE FOREIGN TABLE cg.remote (id int, secret int) SERVER files
          OPTIONS (program 'seq 1 ${ROWS} | sed "s/.*/&,&/"', format 'csv');
        GRANT USAGE ON FOREIGN SERVER files TO ${ROLE};
        GRANT SELECT (id) ON cg.remote TO ${ROLE};`);
    }
  });
  afterAll(() => scratch.drop());

  const profileSampled = async (include: string): Promise<Profile> => {
    const config = {
      sources: { pg: { kind: 'postgres', url: scratch.url(ROLE), include: [include], sample: 0.5 } },
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
    expectSampledReadable(await profileSampled('cg.v'), 'cg.v', ['id', 'name'], ['ssn']);
  });

  it('samples a foreign table by a hash of the columns it may read', async (context) => {
    if (!fileFdw) context.skip('file_fdw is not installed on this server');
    expectSampledReadable(await profileSampled('cg.remote'), 'cg.remote', ['id'], ['secret']);
  });
});
