/** Wires the PostgreSQL dialect into the shared SQL connector. */
import type { NetworkDatabaseConfig } from '../../config/schema.ts';
import { SqlConnector } from '../sql/sql-connector.ts';
import type { Connector, ConnectorContext } from '../types.ts';
import { postgresDialect } from './postgres-dialect.ts';

/** Opens a PostgreSQL source or target (connections are made on first use). */
export async function createPostgresConnector(
  config: NetworkDatabaseConfig,
  context: ConnectorContext,
): Promise<Connector> {
  return new SqlConnector(postgresDialect, config, context);
}
