/** Wires the MySQL/MariaDB dialect into the shared SQL connector. */
import type { NetworkDatabaseConfig } from '../../config/schema.ts';
import { SqlConnector } from '../sql/sql-connector.ts';
import type { Connector, ConnectorContext } from '../types.ts';
import { mysqlDialect } from './mysql-dialect.ts';

/** Opens a MySQL or MariaDB source or target (connections are made on first use). */
export async function createMysqlConnector(
  config: NetworkDatabaseConfig,
  context: ConnectorContext,
): Promise<Connector> {
  return new SqlConnector(mysqlDialect, config, context);
}
