/** The PostgreSQL backend of the shared SQL connector. */
import type { SqlDialect } from '../sql/sql-dialect.ts';
import { toPlainValue } from '../sql/sql-values.ts';
import { quotePostgres } from './postgres-catalog.ts';
import { postgresKnexConfig } from './postgres-connection.ts';
import { postgresPushdown } from './postgres-pushdown.ts';
import { openPostgresCatalog } from './postgres-sessions.ts';
import { streamPostgresRowArrays } from './postgres-stream.ts';

/** PostgreSQL: pg driver, pg_catalog inventory over pg's own pool (postgres-sessions.ts), double-quoted identifiers. */
export const postgresDialect: SqlDialect = {
  kind: 'postgres',
  product: 'PostgreSQL',
  knexConfig: (config, mode, source) => postgresKnexConfig(config as never, mode, source),
  openCatalog: (config, mode, source, onQuery) => openPostgresCatalog(config as never, mode, source, onQuery),
  quoteIdentifier: quotePostgres,
  toValue: toPlainValue,
  streamRowArrays: streamPostgresRowArrays,
  pushdown: postgresPushdown,
};
