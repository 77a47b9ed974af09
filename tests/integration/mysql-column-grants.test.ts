/**
 * A MariaDB/MySQL table the audit user reads through column grants alone: information_schema lists only the
 * columns granted, so the inventory cannot know the others; it says so (`COLUMN_NOT_READABLE`) instead of
 * presenting a partial table as whole. A user with SELECT on the table gets no such finding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('mysql');
const scratch = new ScratchMysql('stocktake_it_column_grants');
const DB = scratch.name;
const USER = 'st_column_grants';
const url = (user?: string) => (user ? scratch.url(user, 'pw') : scratch.url());

describe.skipIf(!up)('MySQL/MariaDB column grants', () => {
  beforeAll(() =>
    scratch.create(async (my) => {
      await my.raw(`CREATE TABLE ${DB}.people (id int PRIMARY KEY, name varchar(20), ssn varchar(20))`);
      await my.raw(`CREATE TABLE ${DB}.cities (id int PRIMARY KEY, name varchar(20))`);
      await my.raw(`INSERT INTO ${DB}.people VALUES (1, 'Ann', '1 84 12')`);
      await my.raw(`DROP USER IF EXISTS '${USER}'@'%'`);
      await my.raw(`CREATE USER '${USER}'@'%' IDENTIFIED BY 'pw'`);
      await my.raw(`GRANT SELECT (id, name) ON ${DB}.people TO '${USER}'@'%'`);
      await my.raw(`GRANT SELECT ON ${DB}.cities TO '${USER}'@'%'`);
    }),
  );
  afterAll(() => scratch.drop((my) => my.raw(`DROP USER IF EXISTS '${USER}'@'%'`).then(() => undefined)));

  it('warns that a table read through column grants may have columns it does not list', async () => {
    const c = await createMysqlConnector({ kind: 'mariadb', url: url(USER) } as never, {
      name: 'g',
      mode: 'audit',
    });
    const inventory = await c.inventory();
    await c.close();
    const people = inventory.datasets.find((d) => d.name === `${DB}.people`)!;
    expect(people.columns.map((col) => col.name)).toEqual(['id', 'name']);
    expect((inventory.findings ?? []).filter((f) => f.code === 'COLUMN_NOT_READABLE')).toEqual([
      expect.objectContaining({ severity: 'warning', dataset: `${DB}.people` }),
    ]);

    const whole = await createMysqlConnector({ kind: 'mariadb', url: url() } as never, {
      name: 'r',
      mode: 'audit',
    });
    const rootInventory = await whole.inventory();
    await whole.close();
    expect((rootInventory.findings ?? []).filter((f) => f.code === 'COLUMN_NOT_READABLE')).toEqual([]);
  });
});
