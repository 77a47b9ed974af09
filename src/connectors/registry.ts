/**
 * Source kind → connector factory: the only module that knows every connector. Adding a source
 * means adding a folder and one line here.
 */
import type { SourceConfig, TargetConfig } from '../config/schema.ts';
import { StocktakeError } from '../core/errors.ts';
import type { Connector, ConnectorContext } from './types.ts';

type Entry = SourceConfig | TargetConfig;
type Factory = (config: Entry, context: ConnectorContext) => Promise<Connector>;

// Each factory loads its connector lazily, so an audit of CSV files never loads a database driver.
const FACTORIES: Record<Entry['kind'], Factory> = {
  postgres: async (c, ctx) =>
    (await import('./postgres/postgres-connector.ts')).createPostgresConnector(c as never, ctx),
  mysql: async (c, ctx) => (await import('./mysql/mysql-connector.ts')).createMysqlConnector(c as never, ctx),
  mariadb: async (c, ctx) =>
    (await import('./mysql/mysql-connector.ts')).createMysqlConnector(c as never, ctx),
  mssql: async (c, ctx) => (await import('./mssql/mssql-connector.ts')).createMssqlConnector(c as never, ctx),
  sqlite: async (c, ctx) =>
    (await import('./sqlite/sqlite-connector.ts')).createSqliteConnector(c as never, ctx),
  csv: async (c, ctx) => (await import('./csv/csv-connector.ts')).createCsvConnector(c as never, ctx),
  xlsx: async (c, ctx) => (await import('./xlsx/xlsx-connector.ts')).createXlsxConnector(c as never, ctx),
};

/** The kinds a connector exists for. */
export const CONNECTOR_KINDS = Object.keys(FACTORIES) as Entry['kind'][];

/** Opens the connector for a config entry (it connects lazily, on first use). */
export async function openConnector(config: Entry, context: ConnectorContext): Promise<Connector> {
  const factory = FACTORIES[config.kind as Entry['kind']];
  if (!factory) {
    throw new StocktakeError(
      'SOURCE_UNKNOWN_KIND',
      `source ${context.name}: unknown kind "${String(config.kind)}"`,
      {
        context: { source: context.name },
      },
    );
  }
  return factory(config, context);
}
