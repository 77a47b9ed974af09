/** Wires the SQL Server dialect into the shared SQL connector. */
import type { NetworkDatabaseConfig } from '../../config/schema.ts';
import { SqlConnector } from '../sql/sql-connector.ts';
import type { Connector, ConnectorContext } from '../types.ts';
import { mssqlDialect } from './mssql-dialect.ts';

/** Opens a SQL Server source or target (connections are made on first use). */
export async function createMssqlConnector(
  config: NetworkDatabaseConfig,
  context: ConnectorContext,
): Promise<Connector> {
  return new SqlConnector(mssqlDialect, config, context);
}
