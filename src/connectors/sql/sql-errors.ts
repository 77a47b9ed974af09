/**
 * Turns driver errors into StocktakeErrors with one clear line: what failed, for which source,
 * and what to check. Driver messages pass through `redact` so that no password leaks.
 */
import { StocktakeError } from '../../core/errors.ts';
import { redact } from '../../core/secrets.ts';

interface DriverError {
  code?: string | number;
  errno?: number;
  number?: number;
  message?: string;
  errors?: DriverError[];
}

/**
 * A driver message without the statement knex puts before it (`SELECT … - no such table: main.gone`): a
 * push-down statement runs to kilobytes, and the cause is what a reader needs.
 */
export function withoutQuery(message: string): string {
  const text = message.trimStart();
  if (!/^(?:SELECT|WITH|INSERT|UPDATE|DELETE|MERGE|COPY|BEGIN|SET|PRAGMA|CREATE|DROP|TRUNCATE)\b/i.test(text))
    return message;
  const at = text.lastIndexOf(' - ');
  return at < 0 ? message : text.slice(at + 3);
}

// Messages of pg and mysql2 about a connection that is gone, whatever their code.
const LOST_CONNECTION =
  /Connection terminated|not queryable|terminating connection|server closed the connection|connection is in closed state|Connection lost/i;

/**
 * The StocktakeError for a failure to connect to or query `source` (a `product` such as PostgreSQL);
 * `where` says whether it is a target (opened to write) and which file an SQLite database is.
 */
export function describeDriverError(
  error: unknown,
  source: string,
  product: string,
  where: { readonly role?: 'source' | 'target'; readonly file?: string } = {},
): StocktakeError {
  if (error instanceof StocktakeError) return error;
  const e = (error ?? {}) as DriverError;
  // Node's AggregateError (several addresses tried) carries the useful code on its members.
  const inner = e.errors?.[0] ?? e;
  const code = String(e.code ?? inner.code ?? '');
  const raw = redact(withoutQuery(String(e.message || inner.message || error)));
  const context = { source, driverCode: code };
  const fail = (kind: ConstructorParameters<typeof StocktakeError>[0], what: string, hint: string) =>
    new StocktakeError(kind, `${where.role ?? 'source'} ${source}: ${what}`, { hint, context, cause: error });
  const noAnswer = () =>
    fail(
      'SOURCE_UNREACHABLE',
      `no answer from the ${product} server (${raw})`,
      'check host, port and firewall',
    );

  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'ESOCKET'].includes(code)) {
    return fail(
      'SOURCE_UNREACHABLE',
      `cannot reach the ${product} server (${code}: ${raw})`,
      'check host, port, network and that the server is running',
    );
  }
  // pg's connect timeouts ("Connection terminated due to connection timeout" from the client, "timeout
  // exceeded when trying to connect" from its pool) read like a lost session but mean no answer at all.
  if (/connection timeout|timeout expired|timeout exceeded when trying to connect/i.test(raw))
    return noAnswer();
  // A session the server ended (pg_terminate_backend, KILL, restart) or a pooled connection found dead. A
  // reset socket is one too: a backend the server terminates may reset the socket before its last message
  // is read, and a reset during the handshake is a server that went away as it was reached.
  if (
    /^(08...|57P0[123])$/.test(code) ||
    [
      'ECONNRESET',
      'EPIPE',
      'PROTOCOL_CONNECTION_LOST',
      'ER_CONNECTION_KILLED',
      'ER_SERVER_SHUTDOWN',
    ].includes(code) ||
    LOST_CONNECTION.test(raw)
  ) {
    return fail(
      'SOURCE_UNREACHABLE',
      `the connection to the ${product} server was lost (${code ? `${code}: ` : ''}${raw})`,
      'check that the server is running and that nothing ends its sessions, then run again (a migration: with --resume)',
    );
  }
  if (/ssl|tls|certificate|self[- ]signed|HANDSHAKE_NO_SSL/i.test(`${code} ${raw}`)) {
    return fail(
      'SOURCE_UNREACHABLE',
      `TLS with the ${product} server failed (${code ? `${code}: ` : ''}${raw})`,
      'check `ssl` (CA file, rejectUnauthorized, servername) and whether the server has TLS enabled',
    );
  }
  if (/timeout|timed out/i.test(raw) && !/statement timeout/i.test(raw)) return noAnswer();
  if (code === 'SQLITE_CANTOPEN' || /unable to open database|directory does not exist/i.test(raw)) {
    return fail(
      'SOURCE_UNREACHABLE',
      `cannot open the SQLite file${where.file ? ` ${where.file}` : ''} (${raw})`,
      'check the `path`, relative to the config file',
    );
  }
  if (code === 'SQLITE_NOTADB' || /file is not a database/i.test(raw)) {
    return fail(
      'SOURCE_UNREACHABLE',
      `${where.file ?? 'the file'} is not an SQLite database (${raw})`,
      'check the `path`',
    );
  }
  // PostgreSQL SQLSTATE, MySQL error names, SQL Server login errors.
  if (
    ['28P01', '28000', 'ER_ACCESS_DENIED_ERROR', 'ER_DBACCESS_DENIED_ERROR', 'ELOGIN'].includes(code) ||
    /password authentication failed|access denied|login failed/i.test(raw)
  ) {
    return fail(
      'SOURCE_AUTH_FAILED',
      `${product} refused the login (${raw})`,
      'check the user and the password (given through the environment)',
    );
  }
  if (
    ['3D000', 'ER_BAD_DB_ERROR'].includes(code) ||
    /database .* does not exist|unknown database|cannot open database "/i.test(raw)
  ) {
    return fail(
      'SOURCE_DATABASE_MISSING',
      `the database does not exist (${raw})`,
      'check the database name in the URL or the `database` field',
    );
  }
  if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
    return fail(
      'SOURCE_DRIVER_MISSING',
      `the ${product} driver is not installed (${raw})`,
      'run npm install',
    );
  }
  return fail(
    'SOURCE_QUERY_FAILED',
    `${product} error${code ? ` ${code}` : ''}: ${raw}`,
    // The same translation serves catalog reads, profiling and writes: the server's message says which.
    'the server refused the statement: its message names the cause (a privilege the user lacks, a lock, a constraint)',
  );
}
