/** The knex configuration of a MySQL/MariaDB source or target; audits get read-only sessions. */
import type { Knex } from 'knex';
import { StocktakeError } from '../../core/errors.ts';
import { AUDIT_LOCK_TIMEOUT_MS, type NetworkConfig, POOL_WAIT_MS } from '../sql/sql-dialect.ts';
import { tlsOptions } from '../sql/sql-tls.ts';
import type { OpenMode } from '../types.ts';

// Every session reads TIMESTAMP columns in UTC; audits may not write (DML fails with error 1792).
const SESSION_SQL = ["SET time_zone = '+00:00'"];
// An audit waits at most 30 s for a metadata lock (a table under ALTER or LOCK TABLES … WRITE; MariaDB's
// default is a day), then that table's count or profile fails with its own finding.
const AUDIT_SQL = [
  ...SESSION_SQL,
  'SET SESSION TRANSACTION READ ONLY',
  `SET SESSION lock_wait_timeout = ${AUDIT_LOCK_TIMEOUT_MS / 1000}`,
];

/**
 * Knex config for MySQL/MariaDB through mysql2: utf8mb4, UTC sessions, dates and big numbers as exact
 * text, and `SET SESSION TRANSACTION READ ONLY` on every pooled connection for audits.
 */
export function mysqlKnexConfig(config: NetworkConfig, mode: OpenMode, source: string): Knex.Config {
  const fromUrl = config.url ? fieldsOfUrl(config.url, source) : undefined;
  const ssl = tlsOptions(config.ssl ?? fromUrl?.ssl, source);
  const timeout = config.connectTimeoutMs ?? 10_000;
  const connection: Record<string, unknown> = {
    ...(fromUrl ? fromUrl.fields : fieldsOfConfig(config)),
    charset: 'utf8mb4',
    timezone: 'Z',
    // No JS Date (no time-zone shift, no lost microseconds, zero dates kept); decimals stay strings.
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    // JSON arrives as text and is parsed once at the edge, the same way for MySQL and MariaDB.
    jsonStrings: true,
    connectTimeout: timeout,
  };
  // mysql2 checks the certificate's host name only when asked to (and always against `host`, never `servername`).
  if (ssl) connection.ssl = { ...ssl, verifyIdentity: ssl.rejectUnauthorized !== false };
  const statements = mode === 'audit' ? AUDIT_SQL : SESSION_SQL;
  return {
    client: 'mysql2',
    connection,
    pool: {
      min: 0,
      max: config.pool?.max ?? 4,
      afterCreate: (raw: RawConnection, done: (error: Error | null, raw: RawConnection) => void) =>
        runSession(raw, statements, 0, done),
    },
    acquireConnectionTimeout: POOL_WAIT_MS,
  };
}

// The session statements go straight to the driver: they are set-up, not catalog queries.
function runSession(
  raw: RawConnection,
  statements: readonly string[],
  index: number,
  done: (error: Error | null, raw: RawConnection) => void,
): void {
  if (index >= statements.length) {
    done(null, raw);
    return;
  }
  raw.query(statements[index]!, (error) => {
    if (error) done(error, raw);
    else runSession(raw, statements, index + 1, done);
  });
}

function fieldsOfConfig(config: NetworkConfig): Record<string, unknown> {
  return {
    host: config.host ?? 'localhost',
    port: config.port ?? 3306,
    ...(config.database ? { database: config.database } : {}),
    ...(config.user ? { user: config.user } : {}),
    ...(config.password !== undefined ? { password: config.password } : {}),
  };
}

/** TLS as a URL's `ssl`, `ssl-mode` or `sslmode` parameter asks for it (MySQL's, libpq's and mysql2's spellings). */
const URL_TLS: Readonly<Record<string, NetworkConfig['ssl']>> = {
  true: true,
  '1': true,
  required: { rejectUnauthorized: false },
  require: { rejectUnauthorized: false },
  verify_ca: true,
  'verify-ca': true,
  verify_identity: true,
  'verify-full': true,
  false: false,
  '0': false,
  disabled: false,
  disable: false,
};

/**
 * mysql://user:password@host:3306/database?ssl-mode=REQUIRED; the path is the default schema. TLS is read
 * from `ssl`, `ssl-mode` or `sslmode`, a password from `password`; any other parameter is refused rather
 * than dropped (a TLS option spelt otherwise would connect in plain text).
 */
function fieldsOfUrl(
  url: string,
  source: string,
): { fields: Record<string, unknown>; ssl?: NetworkConfig['ssl'] } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No cause: Node's URL error carries the input, password included.
    throw urlProblem(
      source,
      'the url is not a valid URL',
      'write it as mysql://user:${DB_PASSWORD}@host:3306/database',
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  let ssl: NetworkConfig['ssl'] | undefined;
  let password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  for (const [name, value] of parsed.searchParams) {
    const key = name.toLowerCase();
    if (key === 'password') password = value;
    else if (key === 'ssl' || key === 'ssl-mode' || key === 'sslmode' || key === 'ssl_mode') {
      const tls = URL_TLS[value.toLowerCase()];
      // Asked twice, the last would win unseen (`?ssl-mode=REQUIRED&ssl-mode=DISABLED`): refused.
      if (ssl !== undefined && JSON.stringify(ssl) !== JSON.stringify(tls))
        throw urlProblem(source, 'the url asks for TLS twice, differently', 'give ssl-mode once');
      if (tls === undefined)
        throw urlProblem(
          source,
          `the url's ${name}=${value} is not a TLS mode stocktake knows`,
          'use ssl-mode=REQUIRED, VERIFY_CA, VERIFY_IDENTITY or DISABLED, or the ssl: field for certificates',
        );
      ssl = tls;
    } else
      throw urlProblem(
        source,
        `the url's parameter "${name}" is not one stocktake reads for MySQL/MariaDB`,
        'the url takes ssl-mode (or ssl, sslmode) and password; write other connection options as fields (ssl:, connectTimeoutMs:)',
      );
  }
  return {
    fields: {
      host: decodeURIComponent(host) || 'localhost',
      port: parsed.port ? Number(parsed.port) : 3306,
      ...(database ? { database } : {}),
      ...(parsed.username ? { user: decodeURIComponent(parsed.username) } : {}),
      ...(password !== undefined ? { password } : {}),
    },
    ...(ssl !== undefined ? { ssl } : {}),
  };
}

// A url the config gives that cannot be read as written.
function urlProblem(source: string, message: string, hint: string): StocktakeError {
  return new StocktakeError('CONFIG_INVALID', `source ${source}: ${message}`, { hint, context: { source } });
}

interface RawConnection {
  query(sql: string, callback: (error: Error | null) => void): void;
}
