/** A MySQL/MariaDB TIME is a duration: -838:59:59 to 838:59:59 copy from TIME to TIME, and a re-run changes nothing. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const myUp = await serverAvailable('mysql');
const pgUp = await serverAvailable('postgres');
const my = new ScratchMysql('stocktake_mysql_time');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-mysql-time-'));
  if (!myUp) return;
  await my.create(async (admin) => {
    await admin.raw(`CREATE TABLE ${my.name}.src (id int PRIMARY KEY, t time(6))`);
    await admin.raw(`CREATE TABLE ${my.name}.dst (id int PRIMARY KEY, t time(6))`);
    await admin.raw(
      `INSERT INTO ${my.name}.src VALUES (1, '838:59:59'), (2, '-01:00:00'), (3, '12:00:00.25'), (4, '-838:59:59')`,
    );
  });
});
afterAll(async () => {
  if (myUp) await my.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!myUp)('MariaDB TIME durations', () => {
  it('copies times past 24 hours and negative ones', async () => {
    const cfg = {
      sources: { legacy: { kind: 'mariadb', url: my.url() } },
      targets: { app: { kind: 'mariadb', url: my.url() } },
      mappings: [
        {
          name: 'times',
          from: { source: 'legacy', dataset: `${my.name}.src` },
          to: { target: 'app', dataset: `${my.name}.dst`, key: ['id'], mode: 'upsert' },
          fields: { id: {}, t: {} },
        },
      ],
    } as unknown as Config;
    const first = await runMigrate(cfg, { rejectsDir: join(dir, 'first') });
    expect(first.run.mappings[0]).toMatchObject({ inserted: 4, rejected: { mapping: 0, database: 0 } });
    expect(first.run.mappings[0]!.reconciliation?.ok).toBe(true);
    const again = await runMigrate(cfg, { rejectsDir: join(dir, 'again') });
    expect(again.run.mappings[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
    const db = knexFactory({ client: 'mysql2', connection: my.url(), pool: { min: 0, max: 1 } });
    try {
      const [rows] = await db.raw('SELECT id, CAST(t AS CHAR) AS t FROM dst ORDER BY id');
      expect(rows.map((r: { t: string }) => r.t)).toEqual([
        '838:59:59.000000',
        '-01:00:00.000000',
        '12:00:00.250000',
        '-838:59:59.000000',
      ]);
    } finally {
      await db.destroy();
    }
  });

  it('profiles the bounds as signed durations, not as text', async () => {
    const cfg = { sources: { legacy: { kind: 'mariadb', url: my.url() } } } as unknown as Config;
    const profile = await runProfile(cfg, await runInventory(cfg));
    const src = profile.datasets.find((d) => d.dataset === `${my.name}.src`)!;
    const t = src.columns.find((c) => c.name === 't')!;
    expect([t.min, t.max]).toEqual(['-838:59:59', '838:59:59']);
  });

  it.skipIf(!pgUp)(
    'copies TIME(3) into a PostgreSQL interval, verified, and a re-run changes nothing',
    async () => {
      const admin = knexFactory({ client: 'mysql2', connection: my.url(), pool: { min: 0, max: 1 } });
      await admin.raw(`CREATE TABLE ${my.name}.spans (id int PRIMARY KEY, t3 time(3))`);
      await admin.raw(
        `INSERT INTO ${my.name}.spans VALUES (1, '10:00:00.500'), (2, '00:00:00.000'), (3, '23:59:59.990'), (4, '-01:00:00.100'), (5, '838:59:59.000')`,
      );
      await admin.destroy();
      const pg = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
      try {
        await pg.raw('DROP SCHEMA IF EXISTS st_time_interval CASCADE');
        await pg.raw('CREATE SCHEMA st_time_interval');
        await pg.raw('CREATE TABLE st_time_interval.spans (id int PRIMARY KEY, t3 interval)');
        const cfg = {
          sources: { legacy: { kind: 'mariadb', url: my.url() } },
          targets: { app: { kind: 'postgres', url: SERVERS.postgres, schemas: ['st_time_interval'] } },
          mappings: [
            {
              name: 'spans',
              from: { source: 'legacy', dataset: `${my.name}.spans` },
              to: { target: 'app', dataset: 'st_time_interval.spans', key: ['id'], mode: 'mirror' },
              fields: { id: {}, t3: {} },
            },
          ],
        } as unknown as Config;
        const first = await runMigrate(cfg, { rejectsDir: join(dir, 'interval-1') });
        expect(first.error).toBeNull();
        expect(first.run.mappings[0]).toMatchObject({ inserted: 5, reconciliation: { ok: true } });
        const again = await runMigrate(cfg, { rejectsDir: join(dir, 'interval-2') });
        expect(again.run.mappings[0]).toMatchObject({ inserted: 0, updated: 0, deleted: 0, unchanged: 5 });
        const { rows } = await pg.raw('SELECT t3::text AS t FROM st_time_interval.spans ORDER BY id');
        expect(rows.map((r: { t: string }) => r.t)).toEqual([
          '10:00:00.5',
          '00:00:00',
          '23:59:59.99',
          '-01:00:00.1',
          '838:59:59',
        ]);
      } finally {
        await pg.raw('DROP SCHEMA IF EXISTS st_time_interval CASCADE');
        await pg.destroy();
      }
    },
  );
});
