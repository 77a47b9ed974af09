/**
 * A MariaDB upsert into a table with another unique index than the key, over a column the mapping does not
 * write (it takes its default): ON DUPLICATE KEY UPDATE fired on that index and overwrote the other row.
 * Updates are guarded to rows of the same key whatever columns the index holds, and the colliding row is a
 * database reject.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('mysql');

describe.skipIf(!up)('MariaDB unique index over an unwritten column', () => {
  const scratch = new ScratchMysql('stocktake_it_unique_unwritten');
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-unique-unwritten-'));
  beforeAll(() =>
    scratch.create(async (admin) => {
      await admin.raw(`CREATE TABLE ${scratch.name}.u1 (id int PRIMARY KEY, email varchar(50), name varchar(50),
        region varchar(5) NOT NULL DEFAULT 'EU', UNIQUE KEY uq_er (email, region))`);
      await admin.raw(`INSERT INTO ${scratch.name}.u1 VALUES (1, 'x@ex.org', 'original owner', 'EU')`);
    }),
  );
  afterAll(async () => {
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never overwrites the row that holds the other unique value', async () => {
    writeFileSync(join(dir, 'u.csv'), 'id;email;name\n2;x@ex.org;newcomer\n3;y@ex.org;other\n');
    const config = {
      sources: { f: { kind: 'csv', path: dir } },
      targets: { my: { kind: 'mariadb', url: scratch.url() } },
      mappings: [
        {
          name: 'u1',
          from: { source: 'f', dataset: 'u' },
          to: { target: 'my', dataset: `${scratch.name}.u1`, key: ['id'], mode: 'upsert' },
          fields: { id: {}, email: {}, name: {} },
        },
      ],
    } as unknown as Config;
    const { run } = await runMigrate(config, { rejectsDir: join(dir, 'out') });
    expect(run.mappings[0]).toMatchObject({ inserted: 1, rejected: { mapping: 0, database: 1 } });
    const db = knexFactory({ client: 'mysql2', connection: scratch.url(), pool: { min: 0, max: 1 } });
    try {
      const [rows] = (await db.raw('SELECT id, email, name FROM u1 ORDER BY id')) as [unknown[]];
      expect(rows).toEqual([
        { id: 1, email: 'x@ex.org', name: 'original owner' },
        { id: 3, email: 'y@ex.org', name: 'other' },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
