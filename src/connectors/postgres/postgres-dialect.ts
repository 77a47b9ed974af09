/** The PostgreSQL backend of the shared SQL connector. */
import type { SqlDialect } from '../sql/sql-dialect.ts';
import { toPlainValue } from '../sql/sql-values.ts';
import { postgresCatalog, quotePostgres } from './postgres-catalog.ts';
import { postgresKnexConfig } from './postgres-connection.ts';
import { postgresPushdown } from './postgres-pushdown.ts';
import { streamPostgresRowArrays } from './postgres-stream.ts';

/** PostgreSQL: pg driver, pg_catalog inventory, double-quoted identifiers. */
export const postgresDialect: SqlDialect = {
  kind: 'postgres',
  product: 'PostgreSQL',
  knexConfig: (config, mode, source) => postgresKnexConfig(config as never, mode, source),
  catalog: postgresCatalog,
  quoteIdentifier: quotePostgres,
  toValue: toPlainValue,
  streamRowArrays: streamPostgresRowArrays,
  pushdown: postgresPushdown,
};
