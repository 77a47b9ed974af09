import knexFactory from 'knex';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';
import { CONFORMANCE_COLUMNS, CONFORMANCE_ROWS, conformanceRow, describeConformance } from './conformance.ts';

const up = await serverAvailable('postgres');

describeConformance(
  'postgres',
  async () => {
    const db = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await db.raw('DROP SCHEMA IF EXISTS stocktake_conformance CASCADE; CREATE SCHEMA stocktake_conformance');
    await db.raw(`CREATE TABLE stocktake_conformance.conformance (id integer PRIMARY KEY, name text NOT NULL,
      amount numeric(12,2), ratio float8, active boolean, day date, at timestamp)`);
    const rows = Array.from({ length: CONFORMANCE_ROWS }, (_, i) =>
      Object.fromEntries(conformanceRow(i + 1).map((v, c) => [CONFORMANCE_COLUMNS[c]!.name, v])),
    );
    await db.batchInsert('stocktake_conformance.conformance', rows, 2000);
    await db.destroy();
    return {
      dataset: 'stocktake_conformance.conformance',
      open: () =>
        createPostgresConnector(
          { kind: 'postgres', url: SERVERS.postgres, schemas: ['stocktake_conformance'] },
          { name: 'conf', mode: 'audit' },
        ),
      attemptWrite: async (connector) =>
        (await (connector as SqlConnector).db()).raw('DELETE FROM stocktake_conformance.conformance'),
    };
  },
  { skip: !up },
);
