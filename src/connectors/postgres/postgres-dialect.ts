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
  // An array of a type the driver has no parser for (an enum, a range, hstore, a composite) comes as the
  // array's literal text (`{sad,ok}`, which reads as a JSON object when empty): read as text[] instead.
  selectColumn: (quoted, column) =>
    column.array && !PARSED_ELEMENTS.has(elementType(column.nativeType)) ? `(${quoted})::text[]` : quoted,
};

/** Element types whose arrays the driver (pg-types, postgres-connection.ts) parses into arrays. */
const PARSED_ELEMENTS: ReadonlySet<string> = new Set([
  ...['boolean', 'smallint', 'integer', 'bigint', 'real', 'double precision', 'numeric', 'money', 'oid'],
  ...['text', 'character varying', 'character', 'bpchar', 'name', '"char"', 'json', 'jsonb', 'uuid'],
  ...['date', 'timestamp without time zone', 'timestamp with time zone', 'time without time zone'],
  ...['time with time zone', 'interval', 'inet', 'cidr', 'macaddr', 'bytea', 'point', 'regproc'],
]);

/** `character varying(20)[]` → `character varying`. */
function elementType(nativeType: string): string {
  return nativeType
    .replace(/(\[\d*\])+$/, '')
    .replace(/\(.*\)$/, '')
    .replace(/\(\d+\)/, '')
    .trim();
}
