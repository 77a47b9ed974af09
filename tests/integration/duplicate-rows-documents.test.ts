/**
 * Copies of whole rows compare every column, bytes and JSON documents included: three documents with the
 * same name and version but other contents are no copies. Pushed down to PostgreSQL (`json` grouped by its
 * text), MariaDB (blobs and documents by their MD5) and SQLite alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const mysqlUp = await serverAvailable('mysql');
const ROWS = `('contrat', 1, X'0102', '{"a": 1}'), ('contrat', 1, X'0303', '{"a": 2}'), ('contrat', 1, X'0404', '{"a": 3}'),
  ('facture', 2, X'01', '{"b": 1}'), ('facture', 2, X'01', '{"b": 1}')`;

describe('duplicate rows with bytes and JSON documents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-dup-docs-'));
  const pg = new ScratchPostgres('stocktake_it_dup_docs');
  const maria = new ScratchMysql('stocktake_it_dup_docs');
  afterAll(async () => {
    if (pgUp) await pg.drop();
    if (mysqlUp) await maria.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    const lite = new Database(join(dir, 'docs.sqlite'));
    lite.exec(
      `CREATE TABLE docs (nom TEXT, version INTEGER, contenu BLOB, meta JSON); INSERT INTO docs VALUES ${ROWS}`,
    );
    lite.close();
    if (pgUp) {
      await pg.create();
      await pg.run(`CREATE TABLE docs (nom text, version int, contenu bytea, meta json, metab jsonb);
        INSERT INTO docs SELECT nom, version, contenu, meta::json, meta::jsonb
        FROM (VALUES ('contrat', 1, '\\x0102'::bytea, '{"a": 1}'), ('contrat', 1, '\\x0303', '{"a": 2}'),
          ('contrat', 1, '\\x0404', '{"a": 3}'), ('facture', 2, '\\x01', '{"b": 1}'),
          ('facture', 2, '\\x01', '{"b": 1}')) v(nom, version, contenu, meta)`);
    }
    if (mysqlUp)
      await maria.create(async (admin) => {
        await admin.raw(
          `CREATE TABLE ${maria.name}.docs (nom varchar(20), version int, contenu blob, meta json)`,
        );
        await admin.raw(`INSERT INTO ${maria.name}.docs VALUES ${ROWS}`);
      });
  });

  it('counts one copy in each database, not three', async () => {
    const sources: Record<string, unknown> = { lite: { kind: 'sqlite', path: join(dir, 'docs.sqlite') } };
    if (pgUp) sources.pg = { kind: 'postgres', url: pg.url() };
    if (mysqlUp) sources.maria = { kind: 'mariadb', url: maria.url() };
    const config = { sources } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const copies = Object.fromEntries(profile.datasets.map((d) => [d.source, d.duplicateRows]));
    expect(copies).toEqual({ lite: 1, ...(pgUp ? { pg: 1 } : {}), ...(mysqlUp ? { maria: 1 } : {}) });
  });
});
