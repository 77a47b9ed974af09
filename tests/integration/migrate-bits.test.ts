/**
 * Bits cross between PostgreSQL `bit`/`bit varying` (bit strings, `00000010`) and MySQL/MariaDB `bit(n)`
 * (integers) as the same bits, both ways: `00000010` is 2, not 10, and 2 is `00000010`, not `10`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { migrateTwice } from '../helpers/migrate-twice.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = (await serverAvailable('postgres')) && (await serverAvailable('mysql'));
const pg = new ScratchPostgres('stocktake_bits');
const my = new ScratchMysql('stocktake_bits');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-bits-'));
  if (!up) return;
  await pg.create();
  await pg.run(`CREATE TABLE src (id int PRIMARY KEY, b8 bit(8), b64 bit(64), v varbit(8), flag bit(1));
    INSERT INTO src VALUES (1, B'00000010', B'${'0'.repeat(57)}1100100', B'101', B'1'),
                           (2, B'10101010', B'1${'0'.repeat(63)}', B'0', B'0');
    CREATE TABLE back (id int PRIMARY KEY, b8 bit(8), b64 bit(64), v varbit(8), flag bit(1), b8n bit(8))`);
  await my.create(async (admin) => {
    await admin.raw(
      `CREATE TABLE ${my.name}.mid (id int PRIMARY KEY, b8 bit(8), b64 bit(64), v bit(8), flag bit(1), b8n bit(8))`,
    );
  });
});
afterAll(async () => {
  if (!up) return;
  await pg.drop();
  await my.drop();
  rmSync(dir, { recursive: true, force: true });
});

function config(from: string, to: string, fromDataset: string, toDataset: string): Config {
  return {
    sources: {
      pg: { kind: 'postgres', url: pg.url() },
      my: { kind: 'mariadb', url: my.url() },
    },
    targets: {
      pg: { kind: 'postgres', url: pg.url() },
      my: { kind: 'mariadb', url: my.url() },
    },
    mappings: [
      {
        name: 'bits',
        from: { source: from, dataset: fromDataset },
        to: { target: to, dataset: toDataset, key: ['id'], mode: 'upsert' },
        // Through a step that keeps the type (null_if), bits stay bits: `00000010` is 2, not ten.
        fields: {
          id: {},
          b8: {},
          b64: {},
          v: {},
          flag: {},
          b8n: { from: 'b8', transform: [{ null_if: ['11111111'] }] },
        },
      },
    ],
  } as unknown as Config;
}

describe.skipIf(!up)('bits between PostgreSQL and MariaDB', () => {
  it('PostgreSQL bit strings into MariaDB bit(n), and back, keep their bits', async () => {
    await migrateTwice(config('pg', 'my', 'public.src', `${my.name}.mid`), join(dir, 'to-mariadb'), {
      inserted: 2,
    });
    const db = knexFactory({ client: 'mysql2', connection: my.url(), pool: { min: 0, max: 1 } });
    try {
      const [rows] = await db.raw(
        'SELECT id, BIN(b8) AS b8, CAST(CAST(b64 AS UNSIGNED) AS CHAR) AS b64, BIN(v) AS v, BIN(flag) AS flag, BIN(b8n) AS b8n FROM mid ORDER BY id',
      );
      expect(rows.map((r: Record<string, unknown>) => ({ ...r, b64: String(r.b64) }))).toEqual([
        { id: 1, b8: '10', b64: '100', v: '101', flag: '1', b8n: '10' },
        { id: 2, b8: '10101010', b64: '9223372036854775808', v: '0', flag: '0', b8n: '10101010' },
      ]);
    } finally {
      await db.destroy();
    }
    await migrateTwice(config('my', 'pg', `${my.name}.mid`, 'public.back'), join(dir, 'to-postgres'), {
      inserted: 2,
    });
    const target = knexFactory({ client: 'pg', connection: pg.url(), pool: { min: 0, max: 1 } });
    try {
      const { rows } = await target.raw(
        'SELECT id, b8::text, b64::text, v::text, flag::text, b8n::text FROM back ORDER BY id',
      );
      expect(rows).toEqual([
        { id: 1, b8: '00000010', b64: `${'0'.repeat(57)}1100100`, v: '101', flag: '1', b8n: '00000010' },
        { id: 2, b8: '10101010', b64: `1${'0'.repeat(63)}`, v: '0', flag: '0', b8n: '10101010' },
      ]);
    } finally {
      await target.destroy();
    }
  });
});
