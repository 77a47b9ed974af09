/**
 * A MySQL/MariaDB FLOAT is read as the 4-byte float it holds (the shortest decimal of it), not as the 6
 * significant digits the server prints: 16777216 stays 16777216, not 16777200. Into SQLite REAL and into
 * another MariaDB FLOAT, verified, and a re-run changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { migrateTwice } from '../helpers/migrate-twice.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { serverAvailable } from '../helpers/servers.ts';

const myUp = await serverAvailable('mysql');
const my = new ScratchMysql('stocktake_mysql_float');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-mysql-float-'));
  if (!myUp) return;
  await my.create(async (admin) => {
    await admin.raw(`CREATE TABLE ${my.name}.src (id int PRIMARY KEY, f float)`);
    await admin.raw(`CREATE TABLE ${my.name}.dst (id int PRIMARY KEY, f float)`);
    await admin.raw(
      `INSERT INTO ${my.name}.src VALUES (1, 16777216), (2, 123456789), (3, 0.1), (4, 1234.5678), (5, -3.25e-20),
        (6, 3.4028234663852886e38)`,
    );
  });
});
afterAll(async () => {
  if (myUp) await my.drop();
  rmSync(dir, { recursive: true, force: true });
});

const EXPECTED = [
  { id: 1, f: 16777216 },
  // 123456789 is stored as the float 123456792, whose shortest decimal is 123456790.
  { id: 2, f: 123456790 },
  { id: 3, f: 0.1 },
  { id: 4, f: 1234.5677 },
  { id: 5, f: -3.25e-20 },
  // The largest float, whose shortest decimal is a hair above it as a double: still written as that float.
  { id: 6, f: 3.4028235e38 },
];

function config(target: Record<string, unknown>, dataset: string): Config {
  return {
    sources: { legacy: { kind: 'mariadb', url: my.url() } },
    targets: { app: target },
    mappings: [
      {
        name: 'floats',
        from: { source: 'legacy', dataset: `${my.name}.src` },
        to: { target: 'app', dataset, key: ['id'], mode: 'upsert' },
        fields: { id: {}, f: {} },
      },
    ],
  } as unknown as Config;
}

describe.skipIf(!myUp)('MariaDB FLOAT', () => {
  it('into SQLite REAL: the floats held, not their 6 printed digits', async () => {
    const path = join(dir, 'app.sqlite');
    const setup = new Database(path);
    setup.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, f REAL)');
    setup.close();
    await migrateTwice(config({ kind: 'sqlite', path }, 't'), join(dir, 'sqlite'), { inserted: 6 });
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT id, f FROM t ORDER BY id').all()).toEqual(EXPECTED);
    } finally {
      db.close();
    }
  });

  it('is profiled as the floats held: min, max and top values', async () => {
    const cfg = {
      sources: { legacy: { kind: 'mariadb', url: my.url(), schemas: [my.name] } },
    } as unknown as Config;
    const profile = await runProfile(cfg, await runInventory(cfg));
    expect(profile.findings.filter((x) => x.code === 'PROFILE_FAILED')).toEqual([]);
    const dataset = profile.datasets.find((d) => d.dataset.endsWith('src'))!;
    const f = dataset.columns.find((c) => c.name === 'f')!;
    expect([f.min, f.max]).toEqual([-3.25e-20, 3.4028235e38]);
    expect(f.topValues.map((t) => t.value).sort((a, b) => Number(a) - Number(b))).toEqual(
      EXPECTED.map((r) => r.f).sort((a, b) => a - b),
    );
  });

  it('into another MariaDB FLOAT: the same floats', async () => {
    await migrateTwice(config({ kind: 'mariadb', url: my.url() }, `${my.name}.dst`), join(dir, 'mariadb'), {
      inserted: 6,
    });
    const db = knexFactory({ client: 'mysql2', connection: my.url(), pool: { min: 0, max: 1 } });
    try {
      const [rows] = await db.raw('SELECT id, CAST(f AS DOUBLE) AS f FROM dst ORDER BY id');
      expect(rows.map((r: { id: number; f: number }) => ({ id: r.id, f: Math.fround(r.f) }))).toEqual(
        EXPECTED.map((r) => ({ id: r.id, f: Math.fround(r.f) })),
      );
    } finally {
      await db.destroy();
    }
  });
});
