/**
 * The knex configuration of a SQL Server source or target (knex's `mssql` client drives tedious).
 *
 * Audits and writes: SQL Server has no read-only session switch (nothing like PostgreSQL's
 * `default_transaction_read_only` or MySQL's `SET SESSION TRANSACTION READ ONLY`). Audit sessions
 * therefore (1) log in with `ApplicationIntent=ReadOnly` (tedious `readOnlyIntent`), which makes an
 * Always On availability group listener route the session to a readable secondary, where writes are
 * impossible; on a standalone server or without read-only routing it is only a label and does NOT
 * prevent writes; (2) run `AUDIT_SESSION_SQL` on every new connection, which keeps the audit from
 * harming production work (it loses deadlocks, gives up on long lock waits) but cannot forbid a write;
 * (3) only ever send SELECT statements (catalog, counts, reads). The catalog reports whether the
 * database accepts writes (finding `SESSION_NOT_READ_ONLY`); a login limited to `db_datareader` and
 * `VIEW DEFINITION` is the only hard guarantee.
 *
 * @example
 * ```yaml
 * sources:
 *   erp: { kind: mssql, url: "mssql://audit:${ERP_PASSWORD}@sql01:1433/erp?encrypt=true" }
 *   hr:  { kind: mssql, host: sql02, instanceName: HR, database: hr, user: audit, password: "${HR_PASSWORD}" }
 * ```
 */
import type { Knex } from 'knex';
import { Request } from 'tedious';
import type { SourceConfig, TargetConfig } from '../../config/schema.ts';
import { StocktakeError } from '../../core/errors.ts';
import { type NetworkConfig, POOL_WAIT_MS } from '../sql/sql-dialect.ts';
import { tlsOptions } from '../sql/sql-tls.ts';
import type { OpenMode } from '../types.ts';

/** The connection fields of a SQL Server entry: the network fields plus instance and encryption. */
export type MssqlConnectionConfig = NetworkConfig &
  Partial<
    Pick<
      Extract<SourceConfig | TargetConfig, { kind: 'mssql' }>,
      'instanceName' | 'encrypt' | 'trustServerCertificate'
    >
  >;

/** The connection facts after URL and fields are merged; what tedious receives. */
export interface MssqlEndpoint {
  readonly server: string;
  readonly port: number | undefined;
  readonly instanceName: string | undefined;
  readonly database: string | undefined;
  readonly user: string | undefined;
  readonly password: string | undefined;
  readonly encrypt: boolean | undefined;
  readonly trustServerCertificate: boolean | undefined;
}

/** Default port when neither URL, fields nor an instance name give one. */
export const MSSQL_DEFAULT_PORT = 1433;

/**
 * Run on every new audit connection: lose any deadlock against production work, and give up after
 * 30 s waiting for a lock instead of queueing writers behind the audit's shared-lock request.
 */
export const AUDIT_SESSION_SQL = 'SET DEADLOCK_PRIORITY LOW; SET LOCK_TIMEOUT 30000;';

// Time to the first response packet (tedious clears it then); exact counts of large tables may take a while.
const REQUEST_TIMEOUT_MS = 600_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;

const URL_PARAMETERS = ['encrypt', 'trustServerCertificate', 'instanceName'] as const;

/** Parses `mssql://user:pass@host:1433/db?encrypt=true` (or `sqlserver://…`); never echoes the URL in errors. */
export function parseMssqlUrl(url: string, source: string): Partial<MssqlEndpoint> {
  const invalid = (why: string) =>
    new StocktakeError('CONFIG_INVALID', `source ${source}: the SQL Server url is not valid (${why})`, {
      hint: 'write mssql://user:password@host:1433/database?encrypt=true (sqlserver:// is accepted too)',
      context: { source },
    });
  if (/^[a-z]+:\/\/[^/?#]*;/i.test(url)) {
    throw invalid('JDBC-style `;key=value` settings are not supported; use ?encrypt=true&instanceName=…');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('it cannot be parsed as a URL');
  }
  if (parsed.protocol !== 'mssql:' && parsed.protocol !== 'sqlserver:') {
    throw invalid(`scheme "${parsed.protocol.replace(/:$/, '')}" instead of mssql or sqlserver`);
  }
  const decode = (text: string) => (text === '' ? undefined : decodeURIComponent(text));
  const parameters = new Map([...parsed.searchParams].map(([key, value]) => [key.toLowerCase(), value]));
  const flag = (key: string): boolean | undefined => {
    const text = parameters.get(key.toLowerCase());
    if (text === undefined) return undefined;
    if (/^(true|yes|1)$/i.test(text)) return true;
    if (/^(false|no|0)$/i.test(text)) return false;
    throw invalid(`${key} must be true or false`);
  };
  for (const key of parameters.keys()) {
    if (!URL_PARAMETERS.some((known) => known.toLowerCase() === key)) {
      throw invalid(`unknown parameter "${key}"; known: ${URL_PARAMETERS.join(', ')}`);
    }
  }
  const database = decode(parsed.pathname.replace(/^\//, ''));
  return {
    ...(parsed.hostname ? { server: decode(parsed.hostname) } : {}),
    ...(parsed.port ? { port: Number(parsed.port) } : {}),
    ...(database !== undefined ? { database } : {}),
    ...(parsed.username ? { user: decode(parsed.username) } : {}),
    ...(parsed.password ? { password: decode(parsed.password) } : {}),
    ...(parameters.has('instancename') ? { instanceName: parameters.get('instancename') } : {}),
    ...(flag('encrypt') !== undefined ? { encrypt: flag('encrypt') } : {}),
    ...(flag('trustServerCertificate') !== undefined
      ? { trustServerCertificate: flag('trustServerCertificate') }
      : {}),
  };
}

/** Merges the URL with the fields; a field given in the config wins over the same part of the URL. */
export function resolveMssqlEndpoint(config: MssqlConnectionConfig, source: string): MssqlEndpoint {
  const fromUrl = config.url ? parseMssqlUrl(config.url, source) : {};
  const server = config.host ?? fromUrl.server;
  if (!server) {
    throw new StocktakeError(
      'CONFIG_INVALID',
      `source ${source}: no SQL Server host (give \`url\` or \`host\`)`,
      {
        context: { source },
      },
    );
  }
  const instanceName = config.instanceName ?? fromUrl.instanceName;
  const port = config.port ?? fromUrl.port;
  return {
    server,
    // With an instance name tedious asks the SQL Browser (UDP 1434) for the port; an explicit port wins.
    port: port ?? (instanceName ? undefined : MSSQL_DEFAULT_PORT),
    instanceName: port === undefined ? instanceName : undefined,
    database: config.database ?? fromUrl.database,
    user: config.user ?? fromUrl.user,
    password: config.password ?? fromUrl.password,
    encrypt: config.encrypt ?? fromUrl.encrypt,
    trustServerCertificate: config.trustServerCertificate ?? fromUrl.trustServerCertificate,
  };
}

/** Knex config for SQL Server: encrypted by default, `readOnlyIntent` and the audit session settings for audits. */
export function mssqlKnexConfig(config: MssqlConnectionConfig, mode: OpenMode, source: string): Knex.Config {
  const endpoint = resolveMssqlEndpoint(config, source);
  const tls = tlsOptions(config.ssl, source);
  const connectTimeout = config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  // `ssl: false` turns encryption off unless `encrypt` says otherwise; everything else encrypts.
  const encrypt = endpoint.encrypt ?? config.ssl !== false;
  const trustServerCertificate =
    endpoint.trustServerCertificate ??
    (typeof config.ssl === 'object' && config.ssl.rejectUnauthorized === false);
  const options: Record<string, unknown> = {
    encrypt,
    trustServerCertificate,
    connectTimeout,
    requestTimeout: REQUEST_TIMEOUT_MS,
    appName: mode === 'audit' ? 'stocktake (audit)' : 'stocktake',
    useUTC: true,
    readOnlyIntent: mode === 'audit',
    ...(endpoint.instanceName ? { instanceName: endpoint.instanceName } : {}),
    ...(endpoint.port !== undefined ? { port: endpoint.port } : {}),
    ...(tls ? { cryptoCredentialsDetails: secureContextOf(tls) } : {}),
    ...(typeof config.ssl === 'object' && config.ssl.servername ? { serverName: config.ssl.servername } : {}),
  };
  // knex's mssql client maps these fields to tedious's `server`, `authentication` and `options` (dialects/mssql).
  const connection = {
    server: endpoint.server,
    ...(endpoint.database !== undefined ? { database: endpoint.database } : {}),
    ...(endpoint.user !== undefined ? { user: endpoint.user } : {}),
    ...(endpoint.password !== undefined ? { password: endpoint.password } : {}),
    options,
  };
  return {
    client: 'mssql',
    connection: connection as Knex.StaticConnectionConfig,
    pool: {
      min: 0,
      max: config.pool?.max ?? 4,
      ...(mode === 'audit' ? { afterCreate: runAuditSessionSql } : {}),
    },
    acquireConnectionTimeout: POOL_WAIT_MS,
  };
}

// The secure-context part of Node's TLS options; certificate checking is tedious's `trustServerCertificate`.
function secureContextOf(tls: NonNullable<ReturnType<typeof tlsOptions>>): Record<string, unknown> {
  const { ca, cert, key } = tls;
  return { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}

interface TediousConnection {
  execSqlBatch(request: Request): void;
}

// knex's pool hook: the connection joins the pool only once the settings are applied.
function runAuditSessionSql(
  connection: TediousConnection,
  done: (error: Error | null, connection: unknown) => void,
): void {
  const request = new Request(AUDIT_SESSION_SQL, (error) => done(error ?? null, connection));
  connection.execSqlBatch(request);
}
