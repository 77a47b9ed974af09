/**
 * The servers' own statement logs, read back by the hostile suites: what PostgreSQL and MariaDB really
 * executed, not what stocktake believes it sent. PostgreSQL logs every statement of one role
 * (`ALTER ROLE … SET log_statement = 'all'`) to its server log, read through `pg_read_file` as superuser;
 * MariaDB's general log goes to `mysql.general_log` while a test holds it (a named lock serialises the
 * suites that switch it on, and the globals are put back after). A small tokenizer then checks each
 * statement: one statement, a known first keyword, no write keyword outside quoted names and literals.
 */
import type { Knex } from 'knex';

/** One statement the server executed. */
export interface LoggedStatement {
  readonly user: string | undefined;
  readonly sql: string;
}

// --- PostgreSQL -------------------------------------------------------------------------------------

/** Where the PostgreSQL server log is, and where it ended when the window opened. */
export interface PostgresLogWindow {
  readonly file: string;
  readonly start: number;
}

/**
 * Opens a window on the server log: with `logging_collector` the current log file; without it (Debian's
 * clusters, as `.ci/run` starts them) the server's stderr, which every backend inherits as fd 2.
 */
export async function openPostgresLog(admin: Knex): Promise<PostgresLogWindow> {
  const current = (await admin.raw('SELECT pg_current_logfile() AS file')).rows[0].file as string | null;
  const file = current ?? '/proc/self/fd/2';
  const size = (await admin.raw('SELECT (pg_stat_file(?)).size::bigint AS size', [file])).rows[0].size;
  return { file, start: Number(size) };
}

/** The statements logged (by `log_statement`) since the window opened, of `user` when the prefix names users. */
export async function readPostgresLog(
  admin: Knex,
  window: PostgresLogWindow,
  user: string,
): Promise<LoggedStatement[]> {
  // The log is written asynchronously by each backend; a short pause lets the last lines land.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const size = Number(
    (await admin.raw('SELECT (pg_stat_file(?)).size::bigint AS size', [window.file])).rows[0].size,
  );
  if (size <= window.start) return [];
  const text = (
    await admin.raw('SELECT pg_read_file(?, ?, ?) AS text', [window.file, window.start, size - window.start])
  ).rows[0].text as string;
  return parsePostgresLog(text).filter((s) => s.user === undefined || s.user === user);
}

// `%m [%p] %q%u@%d ` (Debian's default prefix): the user is named when the prefix carries it.
const PG_LINE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[\d+\] (?:(\S*)@\S* )?(\w+):\s+(.*)$/;
const PG_STATEMENT = /^(?:statement|execute [^:]*): ([\s\S]*)$/;

/** Statement records of a stderr-format PostgreSQL log; continuation lines start with a tab. */
export function parsePostgresLog(text: string): LoggedStatement[] {
  const records: { user: string | undefined; level: string; message: string }[] = [];
  for (const line of text.split('\n')) {
    const m = PG_LINE.exec(line);
    if (m) records.push({ user: m[1] || undefined, level: m[2]!, message: m[3]! });
    else if (records.length > 0 && line.startsWith('\t'))
      records[records.length - 1]!.message += `\n${line.slice(1)}`;
  }
  const statements: LoggedStatement[] = [];
  for (const r of records) {
    const m = r.level === 'LOG' ? PG_STATEMENT.exec(r.message) : null;
    if (m) statements.push({ user: r.user, sql: m[1]! });
  }
  return statements;
}

// --- MariaDB ----------------------------------------------------------------------------------------

/** The general log switched on for a test, and how to put it back. */
export interface MariaDbLogWindow {
  readonly since: string;
  /** Restores the globals and releases the lock. */
  close(): Promise<void>;
}

const LOG_LOCK = 'stocktake_hostile_general_log';

/**
 * Switches the general log on (to `mysql.general_log`) on an admin connection of its own, which holds a
 * named lock until `close`, so that two suites never switch it off under each other.
 */
export async function openMariaDbLog(url: string): Promise<MariaDbLogWindow> {
  const { default: knexFactory } = await import('knex');
  const admin = knexFactory({ client: 'mysql2', connection: url, pool: { min: 1, max: 1 } });
  const [[locked]] = await admin.raw('SELECT GET_LOCK(?, 300) AS ok', [LOG_LOCK]);
  if (Number(locked.ok) !== 1) throw new Error('the general log is held by another suite for 300 s');
  const [[before]] = await admin.raw('SELECT @@global.general_log AS on_, @@global.log_output AS output');
  // Times in the table are the server's local time, compared with the server's own NOW(6).
  const [[now]] = await admin.raw("SELECT DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f') AS now");
  await admin.raw("SET GLOBAL log_output = 'TABLE', GLOBAL general_log = 1");
  return {
    since: String(now.now),
    async close() {
      try {
        await admin.raw('SET GLOBAL general_log = ?, GLOBAL log_output = ?', [
          Number(before.on_),
          String(before.output),
        ]);
        await admin.raw('SELECT RELEASE_LOCK(?)', [LOG_LOCK]);
      } finally {
        await admin.destroy();
      }
    },
  };
}

/** The statements (queries, prepared and executed statements) of `user` since the window opened. */
export async function readMariaDbLog(
  admin: Knex,
  window: MariaDbLogWindow,
  user: string,
): Promise<LoggedStatement[]> {
  const [rows] = await admin.raw(
    `SELECT CONVERT(argument USING utf8mb4) AS sql_text FROM mysql.general_log
     WHERE event_time >= ? AND user_host LIKE ? AND command_type IN ('Query', 'Execute')
     ORDER BY event_time`,
    [window.since, `${user.replaceAll('_', '\\_')}[%`],
  );
  return (rows as { sql_text: string }[]).map((r) => ({ user, sql: r.sql_text }));
}

// --- Checking statements ----------------------------------------------------------------------------

/** The quoting rules of a dialect's tokenizer. */
export type Quoting = 'postgres' | 'mysql' | 'mssql' | 'sqlite';

/** A statement with its quoted names and literals replaced by `"…"` and `'…'`, and comments dropped. */
export function stripQuoted(sql: string, quoting: Quoting): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  const skipQuoted = (close: string, backslash: boolean): void => {
    i++;
    while (i < n) {
      const c = sql[i]!;
      if (backslash && c === '\\') {
        i += 2;
        continue;
      }
      if (c === close) {
        if (sql[i + 1] === close) {
          i += 2;
          continue;
        }
        i++;
        return;
      }
      i++;
    }
    throw new Error(`unterminated ${close} in: ${sql}`);
  };
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      out += ' ';
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`unterminated comment in: ${sql}`);
      i = end + 2;
      out += ' ';
    } else if (c === "'") {
      // PostgreSQL's E'…' literals take backslash escapes; MariaDB's literals always do.
      const escaped = quoting === 'mysql' || (quoting === 'postgres' && /[eE]$/.test(out));
      skipQuoted("'", escaped);
      out += "'…'";
    } else if (c === '"') {
      skipQuoted('"', quoting === 'mysql');
      out += '"…"';
    } else if (c === '`' && quoting === 'mysql') {
      skipQuoted('`', false);
      out += '"…"';
    } else if (c === '[' && quoting === 'mssql') {
      skipQuoted(']', false);
      out += '"…"';
    } else if (c === '$' && quoting === 'postgres' && /^\$[A-Za-z_]*\$/.test(sql.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))![0];
      const end = sql.indexOf(tag, i + tag.length);
      if (end < 0) throw new Error(`unterminated ${tag} in: ${sql}`);
      i = end + tag.length;
      out += "'…'";
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Words that change data, schema, rights or locks. None may appear outside quoted names in an audit, not
 * even nested (a data-modifying `WITH w AS (INSERT …)`, `SELECT … FOR UPDATE`); verbs that only start a
 * statement (CALL, DO, REPLACE INTO…) are caught by the first-keyword check instead.
 */
export const WRITE_WORDS = [
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'UPSERT',
  'CREATE',
  'DROP',
  'ALTER',
  'TRUNCATE',
  'RENAME',
  'GRANT',
  'REVOKE',
  'LOCK',
  'COPY',
  'VACUUM',
  'ANALYZE',
  'CLUSTER',
  'REINDEX',
  'KILL',
] as const;

/** What a check of logged statements found wrong: one line per statement. */
export function statementProblems(
  statements: readonly LoggedStatement[],
  quoting: Quoting,
  allowed: {
    /** First keywords a statement may start with. */
    readonly first: readonly string[];
    /** Keywords that may not appear anywhere outside quotes (default: none). */
    readonly forbidden?: readonly string[];
    /** Extra checks of the stripped text, returning a problem or undefined. */
    readonly check?: (stripped: string, sql: string) => string | undefined;
  },
): string[] {
  const problems: string[] = [];
  for (const { sql } of statements) {
    let stripped: string;
    try {
      stripped = stripQuoted(sql, quoting);
    } catch (error) {
      problems.push((error as Error).message);
      continue;
    }
    // Several statements sent in one round trip (PostgreSQL's row counts) are checked one by one: a name that
    // escaped its quotes to chain a statement still shows as that statement.
    const bodies = stripped
      .split(';')
      .map((body) => body.trim())
      .filter((body) => body !== '');
    for (const body of bodies) {
      // Copying a table to the client reads it (COPY … FROM and COPY … TO 'file' do not match).
      if (quoting === 'postgres' && COPY_TO_CLIENT.test(body)) continue;
      const first = /^\(*\s*([A-Za-z]+)/.exec(body)?.[1]?.toUpperCase();
      if (!first || !allowed.first.includes(first)) problems.push(`unexpected statement (${first}): ${sql}`);
      const words = new Set(body.toUpperCase().match(/[A-Z_]+/g) ?? []);
      for (const word of allowed.forbidden ?? []) if (words.has(word)) problems.push(`${word} in: ${sql}`);
      const extra = allowed.check?.(body, sql);
      if (extra) problems.push(extra);
    }
  }
  return problems;
}

/** `COPY "schema"."table" ("column") TO STDOUT` once its names are stripped. */
const COPY_TO_CLIENT = /^COPY\s+"…"\s*\.\s*"…"\s*\(\s*"…"\s*\)\s+TO\s+STDOUT$/i;
