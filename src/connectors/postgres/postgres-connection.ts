/** The connection of a PostgreSQL source or target, for knex and for the catalog's own pool; audits get read-only sessions. */
import type { Knex } from 'knex';
import { StocktakeError } from '../../core/errors.ts';
import { JsonText } from '../json-text.ts';
import { AUDIT_LOCK_TIMEOUT_MS, type NetworkConfig, POOL_WAIT_MS } from '../sql/sql-dialect.ts';
import { tlsOptions } from '../sql/sql-tls.ts';
import type { OpenMode } from '../types.ts';
import { POSTGRES_OIDS, postgresTimestampToIso } from './postgres-types.ts';

const keepText = (value: string) => value;

/** A parsed array of element texts as one JSON array (nested: arrays of arrays), each element as `json` writes it. */
function arrayAsJson(value: unknown, json: (element: string) => string): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => arrayAsJson(item, json)).join(',')}]`;
  return json(String(value));
}

/** A numeric[] element: a decimal as a JSON number, NaN and ±Infinity (no JSON number) as strings. */
const numberAsJson = (text: string) => (/^-?\d+(?:\.\d+)?$/.test(text) ? text : JSON.stringify(text));
const floatOrText = (value: string): number | string => {
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
};

// Dates and timestamps keep their exact text (no JS Date, no time-zone shift, no lost microseconds).
const PARSERS: Readonly<Record<number, (value: string) => unknown>> = {
  [POSTGRES_OIDS.int8]: keepText,
  [POSTGRES_OIDS.date]: keepText,
  [POSTGRES_OIDS.time]: keepText,
  [POSTGRES_OIDS.timetz]: keepText,
  [POSTGRES_OIDS.timestamp]: postgresTimestampToIso,
  [POSTGRES_OIDS.timestamptz]: postgresTimestampToIso,
  // json and jsonb as the server prints them (kept exact as JsonText); interval and the geometric types
  // as their text, not pg's objects ({ days: 1, hours: 2 }, { x, y }).
  114: keepText,
  3802: keepText,
  1186: keepText,
  600: keepText,
  601: keepText,
  602: keepText,
  603: keepText,
  604: keepText,
  628: keepText,
  718: keepText,
  1042: withoutPadding,
};

// character(n) without its padding, as PostgreSQL's own cast to text or varchar gives it: the spaces are no
// part of the value (`ab` and `ab   ` are equal there), and written into a varchar they would be.
function withoutPadding(text: string): string {
  return text.replace(/ +$/, '');
}

/** The pg driver and the connection options of a source or target: UTC sessions, exact date text, and `default_transaction_read_only` for audits. */
export async function postgresConnection(
  config: NetworkConfig,
  mode: OpenMode,
  source: string,
): Promise<{ pg: typeof import('pg').default; connection: Record<string, unknown> }> {
  const pg = await loadPg();
  // Arrays of dates, times and intervals hold their elements' text (timestamps as ISO), as their columns do,
  // not pg's Date objects, which cut microseconds and turn a BC date or `infinity` into another value.
  const arrayOf =
    (element: (text: string) => unknown) =>
    (text: string): unknown =>
      (
        pg.types as unknown as {
          arrayParser: { create(text: string, transform: (entry: string) => unknown): { parse(): unknown } };
        }
      ).arrayParser
        .create(text, (entry) => (entry === null ? null : element(entry)))
        .parse();
  // numeric[] as a JSON document of its numbers as the server wrote them (`[1.10,12345678901234567890.5]`),
  // not rounded through doubles: exact into a JSON column, into another numeric[], and when compared.
  const numericArray = (text: string): JsonText =>
    new JsonText(arrayAsJson(arrayOf(keepText)(text), numberAsJson));
  // json[] and jsonb[] as the JSON array of their documents as the server wrote them (pg's parser runs
  // JSON.parse on each, rounding a number past 2^53); an SQL NULL element is the document null.
  const documentArray = (text: string): JsonText =>
    new JsonText(arrayAsJson(arrayOf(keepText)(text), keepText));
  const arrays: Readonly<Record<number, (text: string) => unknown>> = {
    1231: numericArray,
    199: documentArray,
    3807: documentArray,
    // float4[]/float8[] elements as numbers (the server writes each float's shortest exact text), but NaN and
    // ±Infinity as their text, which JSON cannot hold.
    1021: arrayOf(floatOrText),
    1022: arrayOf(floatOrText),
    1182: arrayOf(keepText),
    1014: arrayOf(withoutPadding),
    // bytea[] elements as the server writes them (`\\x00ff`): pg parses them into Buffers, which JSON cannot hold.
    1001: arrayOf(keepText),
    1183: arrayOf(keepText),
    1270: arrayOf(keepText),
    1187: arrayOf(keepText),
    1115: arrayOf(postgresTimestampToIso),
    1185: arrayOf(postgresTimestampToIso),
  };
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      PARSERS[oid] ?? arrays[oid] ?? pg.types.getTypeParser(oid, format ?? 'text'),
  };
  // Values are read as text in the server's output formats: a database or role may set them otherwise
  // (extra_float_digits=0 rounds floats to 6 and 15 digits, DateStyle=SQL writes 01/01/1000, bytea_output
  // escape, IntervalStyle sql_standard), so each session pins the formats the parsers read.
  const settings = [
    '-c TimeZone=UTC',
    '-c extra_float_digits=3',
    '-c DateStyle=ISO',
    '-c IntervalStyle=postgres',
    '-c bytea_output=hex',
  ];
  // A read starts at the table's first page, not where a concurrent (or just abandoned) scan stands:
  // two reads of an unchanged table return rows in the same order, so row numbers stay the same.
  // An audit waits at most 30 s for a lock (a table held by ALTER TABLE or VACUUM FULL), then that table's
  // count or profile fails with its own finding, instead of the whole audit hanging.
  if (mode === 'audit')
    settings.push(
      '-c default_transaction_read_only=on',
      '-c synchronize_seqscans=off',
      `-c lock_timeout=${AUDIT_LOCK_TIMEOUT_MS}`,
    );
  const ssl = tlsOptions(config.ssl, source);
  if (config.url) checkUrl(config.url, source);
  // pg lays a URL's own `?options=` (`-c search_path=app`) over the config's: the session settings above
  // would be lost. The URL's options go first, the pinned ones after them, which win.
  let url = config.url;
  if (url && /[?&]options=/.test(url)) {
    const parsed = new URL(url);
    const own = parsed.searchParams.get('options');
    parsed.searchParams.delete('options');
    url = parsed.toString();
    if (own) settings.unshift(own);
  }
  const connection: Record<string, unknown> = {
    ...(url
      ? { connectionString: url }
      : {
          host: config.host,
          port: config.port ?? 5432,
          database: config.database ?? 'postgres',
          user: config.user,
          password: config.password,
        }),
    // The server lists each source's sessions under its own name (pg_stat_activity); a URL's
    // `?application_name=` wins. PostgreSQL keeps 63 bytes of it.
    application_name: `stocktake:${source}`.slice(0, 63),
    options: settings.join(' '),
    types,
    connectionTimeoutMillis: config.connectTimeoutMs ?? 10_000,
  };
  if (ssl) connection.ssl = ssl;
  return { pg, connection };
}

/** Knex config for PostgreSQL: the connection of `postgresConnection`, in a pool of `pool.max` (4). */
export async function postgresKnexConfig(
  config: NetworkConfig,
  mode: OpenMode,
  source: string,
): Promise<Knex.Config> {
  const { connection } = await postgresConnection(config, mode, source);
  return {
    client: 'pg',
    connection,
    pool: { min: 0, max: config.pool?.max ?? 4 },
    acquireConnectionTimeout: POOL_WAIT_MS,
  };
}

/**
 * Loads the pg driver. To tell whether it runs in a Cloudflare Worker, pg reads `navigator.userAgent`,
 * which Node has from version 21, and otherwise builds a fetch `Response`, which loads Node's whole
 * fetch implementation (about 25 ms of start-up): given Node 21's `navigator` while it loads, it does not.
 */
async function loadPg(): Promise<typeof import('pg').default> {
  if ('navigator' in globalThis) return (await import('pg')).default;
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` },
    configurable: true,
  });
  try {
    return (await import('pg')).default;
  } finally {
    delete (globalThis as { navigator?: unknown }).navigator;
  }
}

/** A URL the driver could not parse is a config error naming the source, not a query failure. */
function checkUrl(url: string, source: string): void {
  try {
    new URL(url);
  } catch {
    // No cause: Node's URL error carries the input, password included.
    throw new StocktakeError('CONFIG_INVALID', `source ${source}: the url is not a valid URL`, {
      hint: 'write it as postgres://user:${DB_PASSWORD}@host:5432/database, with special characters of the password percent-encoded',
      context: { source },
    });
  }
}
