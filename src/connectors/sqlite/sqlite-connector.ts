/** Wires the SQLite dialect into the shared SQL connector. */
import type { SourceConfig } from '../../config/schema.ts';
import { SqlConnector } from '../sql/sql-connector.ts';
import type { Connector, ConnectorContext } from '../types.ts';
import { sqliteDialect } from './sqlite-dialect.ts';

/** Opens an SQLite database file (read-only for audits). */
export async function createSqliteConnector(
  config: Extract<SourceConfig, { kind: 'sqlite' }>,
  context: ConnectorContext,
): Promise<Connector> {
  return new SqlConnector(sqliteDialect, config, context);
}
