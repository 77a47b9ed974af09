/**
 * A database's refusal copies the refused value into its message (`Duplicate entry 'zed@example.com' for
 * key …`): the rejects files mask it, as they mask the value of a personal field (PostgreSQL's message
 * names the constraint only).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const pg = new ScratchPostgres('stocktake_reject_masking');
const my = new ScratchMysql('stocktake_reject_masking');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-reject-masking-'));
  writeFileSync(
    join(dir, 'people.csv'),
    'code;email;phone\nA1;zed@example.com;0612345678\nA2;amy@example.com;0698765432\n',
  );
  const table = `(code varchar(10) PRIMARY KEY, email varchar(80) UNIQUE, phone varchar(20) UNIQUE)`;
  const held = `('X9', 'zed@example.com', '0600000000'), ('X8', 'other@example.com', '0698765432')`;
  if (pgUp) {
    await pg.create();
    await pg.run(`CREATE TABLE people ${table}; INSERT INTO people VALUES ${held}`);
  }
  if (myUp)
    await my.create(async (admin) => {
      await admin.raw(`CREATE TABLE ${my.name}.people ${table}`);
      await admin.raw(`INSERT INTO ${my.name}.people VALUES ${held}`);
    });
});
afterAll(async () => {
  if (pgUp) await pg.drop();
  if (myUp) await my.drop();
  rmSync(dir, { recursive: true, force: true });
});

const targets = [
  ['postgres', pgUp, () => ({ kind: 'postgres', url: pg.url() })],
  ['mariadb', myUp, () => ({ kind: 'mariadb', url: my.url() })],
] as const;

describe.each(targets)('a row %s refuses', (name, up, entry) => {
  it.skipIf(!up)('is listed with the values in the database’s message masked', async () => {
    const config = {
      sources: { files: { kind: 'csv', path: join(dir, 'people.csv') } },
      targets: { app: entry() },
      mappings: [
        {
          name: 'people',
          from: { source: 'files', dataset: 'people' },
          to: { target: 'app', dataset: 'people', key: ['code'], mode: 'upsert' },
          fields: { code: {}, email: {}, phone: {} },
        },
      ],
    } as unknown as Config;
    const out = join(dir, name);
    const { run } = await runMigrate(config, { rejectsDir: out });
    expect(run.mappings[0]).toMatchObject({ rejected: { database: 2 } });
    const files =
      readFileSync(join(out, 'rejects.jsonl'), 'utf8') + readFileSync(join(out, 'rejects.csv'), 'utf8');
    expect(files).toContain('REJECT_DATABASE');
    expect(files).not.toContain('zed@example.com');
    expect(files).not.toContain('0698765432');
    // PostgreSQL names the constraint only; MariaDB repeats the value, masked here.
    if (name === 'mariadb') expect(files).toMatch(/Duplicate entry 'z\*\*\*@e\*\*\*\.com'/);
  });
});
