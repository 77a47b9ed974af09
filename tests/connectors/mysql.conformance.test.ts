import knexFactory from 'knex';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';
import { CONFORMANCE_COLUMNS, CONFORMANCE_ROWS, conformanceRow, describeConformance } from './conformance.ts';

const up = await serverAvailable('mysql');
const database = 'stocktake_conformance';

describeConformance(
  'mysql',
  async () => {
    const db = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
    await db.raw(`DROP DATABASE IF EXISTS ${database}`);
    await db.raw(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`);
    await db.raw(`CREATE TABLE ${database}.conformance (id int PRIMARY KEY, name varchar(80) NOT NULL,
      amount decimal(12,2), ratio double, active tinyint(1), day date, at datetime)`);
    const rows = Array.from({ length: CONFORMANCE_ROWS }, (_, i) =>
      Object.fromEntries(
        conformanceRow(i + 1).map((v, c) => [
          CONFORMANCE_COLUMNS[c]!.name,
          v === null ? null : c === 6 ? String(v).replace('T', ' ') : v,
        ]),
      ),
    );
    await db.batchInsert(`${database}.conformance`, rows, 2000);
    await db.destroy();
    const url = new URL(SERVERS.mysql);
    url.pathname = `/${database}`;
    return {
      dataset: `${database}.conformance`,
      open: () =>
        createMysqlConnector({ kind: 'mariadb', url: url.toString() }, { name: 'conf', mode: 'audit' }),
      attemptWrite: async (connector) =>
        (await (connector as SqlConnector).db()).raw(`DELETE FROM ${database}.conformance`),
    };
  },
  { skip: !up },
);
