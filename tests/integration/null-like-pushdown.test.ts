/**
 * Null-like words counted in a push-down as the file profile counts them (trimmed, lower case, NFC).
 * SQLite's lower() folds A–Z alone: it missed `NÉANT`, and a decomposed `néant` too; stocktake registers a
 * fold of its own there. PostgreSQL and MariaDB fold case themselves but do not compose accents: the words
 * are listed in both forms, so a decomposed `néant` counts on every backend.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';
import type { Connector } from '../../src/connectors/types.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const NOTES = [
  'NÉANT',
  'Néant',
  'ne\u0301ant',
  'NE\u0301ANT',
  '\u00a0N/A ',
  'NULL',
  '—',
  'Paris',
  'Lyon',
  '',
  '  ',
];
const EXPECTED = { empty: 1, blank: 1, na: 5, nullText: 1, dash: 1, zeroDate: 0 };
const TABLE = 'st_null_like';
const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');

async function nullLikeOf(connector: Connector, dataset: string) {
  try {
    await connector.inventory();
    // Past a distinct limit of 1, the column is summarised in SQL, its null-like words counted there.
    const observation = await connector.pushdownProfile!({ name: dataset }, { distinctLimit: 1 });
    const note = observation.columns.find((c) => c.name === 'note')!;
    expect(note.complete).toBe(false);
    return note.aggregates?.nullLike;
  } finally {
    await connector.close();
  }
}

describe('null-like words in a push-down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-null-like-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('SQLite: counts NÉANT, Néant, a decomposed néant and an edged N/A as the file profile does', async () => {
    const path = join(dir, 'words.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)');
    const insert = db.prepare('INSERT INTO t (note) VALUES (?)');
    for (const note of NOTES) insert.run(note);
    db.close();
    const connector = await createSqliteConnector({ kind: 'sqlite', path } as never, {
      name: 'lite',
      mode: 'audit',
    });
    expect(await nullLikeOf(connector, 't')).toEqual(EXPECTED);
  });

  it.skipIf(!pgUp)('PostgreSQL: the same counts', async () => {
    const pg = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    try {
      await pg.raw(`DROP SCHEMA IF EXISTS ${TABLE} CASCADE`);
      await pg.raw(`CREATE SCHEMA ${TABLE}`);
      await pg.raw(`CREATE TABLE ${TABLE}.t (id serial PRIMARY KEY, note text)`);
      await pg(`${TABLE}.t`).insert(NOTES.map((note) => ({ note })));
      const connector = await createPostgresConnector(
        { kind: 'postgres', url: SERVERS.postgres, schemas: [TABLE] } as never,
        { name: 'pg', mode: 'audit' },
      );
      expect(await nullLikeOf(connector, `${TABLE}.t`)).toEqual(EXPECTED);
    } finally {
      await pg.raw(`DROP SCHEMA IF EXISTS ${TABLE} CASCADE`);
      await pg.destroy();
    }
  });

  it.skipIf(!myUp)('MariaDB: the same counts', async () => {
    const my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
    try {
      await my.raw(`DROP TABLE IF EXISTS ${TABLE}`);
      await my.raw(
        `CREATE TABLE ${TABLE} (id int AUTO_INCREMENT PRIMARY KEY, note varchar(20)) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
      );
      await my(TABLE).insert(NOTES.map((note) => ({ note })));
      const connector = await createMysqlConnector({ kind: 'mariadb', url: SERVERS.mysql } as never, {
        name: 'my',
        mode: 'audit',
      });
      expect(await nullLikeOf(connector, `test.${TABLE}`)).toEqual(EXPECTED);
    } finally {
      await my.raw(`DROP TABLE IF EXISTS ${TABLE}`);
      await my.destroy();
    }
  });
});
