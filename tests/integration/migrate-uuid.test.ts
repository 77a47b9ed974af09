/**
 * UUIDs written in the other forms PostgreSQL reads (upper case, braces, no hyphens) into a `uuid` column,
 * which stores them in lower case: the fresh load's verification inside the target passes, a re-plan finds
 * nothing to change, and a `uuid` key matches the stored row whatever form the source writes it in.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const SCHEMA = 'st_uuid';

describe.skipIf(!up)('UUID columns in PostgreSQL', () => {
  let pg: Knex;
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-uuid-'));

  beforeAll(async () => {
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${SCHEMA}`);
    await pg.raw(`CREATE TABLE ${SCHEMA}.devices (id int PRIMARY KEY, serial uuid)`);
    await pg.raw(`CREATE TABLE ${SCHEMA}.tokens (token uuid PRIMARY KEY, label text)`);
  });

  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (dataset: string, key: string, fields: string[]): Config =>
    ({
      sources: { files: { kind: 'csv', path: dir } },
      targets: { pg: { kind: 'postgres', url: SERVERS.postgres, schemas: [SCHEMA] } },
      mappings: [
        {
          name: dataset,
          from: { source: 'files', dataset },
          to: { target: 'pg', dataset: `${SCHEMA}.${dataset}`, key: [key], mode: 'upsert' },
          fields: Object.fromEntries(fields.map((f) => [f, {}])),
        },
      ],
    }) as unknown as Config;

  it('verifies a load of UUIDs in upper case, braces or without hyphens, and re-plans nothing', async () => {
    writeFileSync(
      join(dir, 'devices.csv'),
      'id;serial\n1;A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11\n2;{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12}\n3;a0eebc999c0b4ef8bb6d6bb9bd380a13\n',
    );
    const devices = config('devices', 'id', ['id', 'serial']);
    const { run, error } = await runMigrate(devices, { rejectsDir: join(dir, 'run-1') });
    expect(error).toBeNull();
    expect(run.mappings[0]).toMatchObject({ path: 'fresh-load', inserted: 3, reconciliation: { ok: true } });
    const plan = await runPlan(devices, {});
    expect(plan.mappings[0]).toMatchObject({ inserts: 0, updates: 0, unchanged: 3, rejects: 0 });
  });

  it('matches a uuid key written in upper case to the stored row', async () => {
    await pg.raw(`INSERT INTO ${SCHEMA}.tokens VALUES ('b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'old')`);
    writeFileSync(join(dir, 'tokens.csv'), 'token;label\nB0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11;new\n');
    const tokens = config('tokens', 'token', ['token', 'label']);
    expect((await runPlan(tokens, {})).mappings[0]).toMatchObject({ inserts: 0, updates: 1 });
    const { run, error } = await runMigrate(tokens, { rejectsDir: join(dir, 'run-2') });
    expect(error).toBeNull();
    expect(run.mappings[0]).toMatchObject({ inserted: 0, updated: 1, reconciliation: { ok: true } });
    expect((await pg.raw(`SELECT token, label FROM ${SCHEMA}.tokens`)).rows).toEqual([
      { token: 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', label: 'new' },
    ]);
  });
});
