/** The SQL Server connection settings, checked on the tedious config knex generates, without connecting. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import type { ConnectionConfiguration, Request } from 'tedious';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  AUDIT_SESSION_SQL,
  type MssqlConnectionConfig,
  mssqlKnexConfig,
  parseMssqlUrl,
} from '../../src/connectors/mssql/mssql-connection.ts';
import { describeDriverError } from '../../src/connectors/sql/sql-errors.ts';
import { isStocktakeError, type StocktakeError } from '../../src/core/errors.ts';
import { clearSecrets, registerSecret } from '../../src/core/secrets.ts';

const opened: Knex[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.destroy()));
  clearSecrets();
});

/** The exact config tedious would receive: knex's mssql client builds it in `_generateConnection`. */
function tediousConfig(config: MssqlConnectionConfig, mode: 'audit' | 'write' = 'audit') {
  const db = knexFactory(mssqlKnexConfig(config, mode, 'erp'));
  opened.push(db);
  const client = db.client as unknown as { _generateConnection(): ConnectionConfiguration & TediousAuth };
  return client._generateConnection();
}

interface TediousAuth {
  authentication: { type: string; options: { userName?: string; password?: string } };
}

const PASSWORD = 'S3cret!pw';

describe('SQL Server connection: the tedious config', () => {
  it('maps fields to server, port, database and login, encrypted, with ApplicationIntent=ReadOnly for audits', () => {
    const config = tediousConfig({
      host: 'sql01',
      port: 1444,
      database: 'crm',
      user: 'audit',
      password: PASSWORD,
    });
    expect(config.server).toBe('sql01');
    expect(config.authentication.type).toBe('default');
    expect(config.authentication.options.userName).toBe('audit');
    expect(config.authentication.options.password).toBe(PASSWORD);
    expect(config.options).toMatchObject({
      port: 1444,
      database: 'crm',
      encrypt: true,
      trustServerCertificate: false,
      readOnlyIntent: true,
      connectTimeout: 15_000,
      requestTimeout: 600_000,
      appName: 'stocktake (audit)',
      useUTC: true,
    });
    // knex hides the password from enumeration: a logged config never shows it.
    expect(JSON.stringify(config)).not.toContain(PASSWORD);
  });

  it('parses mssql:// and sqlserver:// URLs, decoding the user, password and database', () => {
    const config = tediousConfig({
      url: 'mssql://app%40corp:p%40ss%2Fw@db.example:1500/sales%20dw?encrypt=false',
    });
    expect(config.server).toBe('db.example');
    expect(config.authentication.options).toMatchObject({ userName: 'app@corp', password: 'p@ss/w' });
    expect(config.options).toMatchObject({ port: 1500, database: 'sales dw', encrypt: false });
    const other = tediousConfig({ url: 'sqlserver://sa:pw@db2/erp?trustServerCertificate=true' });
    expect(other.options).toMatchObject({
      port: 1433,
      database: 'erp',
      encrypt: true,
      trustServerCertificate: true,
    });
  });

  it('lets fields complete or override the URL (a password from the environment, another database)', () => {
    const config = tediousConfig({
      url: 'mssql://audit@db/erp',
      password: PASSWORD,
      database: 'erp_archive',
    });
    expect(config.authentication.options).toMatchObject({ userName: 'audit', password: PASSWORD });
    expect(config.options?.database).toBe('erp_archive');
  });

  it('connects to a named instance through the SQL Browser: instanceName and no port', () => {
    const config = tediousConfig({ host: 'sql02', instanceName: 'HR', database: 'hr' });
    expect(config.options?.instanceName).toBe('HR');
    expect(config.options?.port).toBeUndefined();
    const fromUrl = tediousConfig({ url: 'mssql://u:p@sql02/hr?instanceName=HR' });
    expect([fromUrl.options?.instanceName, fromUrl.options?.port]).toEqual(['HR', undefined]);
  });

  it('does not ask for ApplicationIntent=ReadOnly nor touch the session when opened for writing', () => {
    const knexConfig = mssqlKnexConfig({ host: 'sql01', database: 'crm' }, 'write', 'target');
    expect(knexConfig.pool?.afterCreate).toBeUndefined();
    const config = tediousConfig({ host: 'sql01', database: 'crm' }, 'write');
    expect(config.options).toMatchObject({ readOnlyIntent: false, appName: 'stocktake', encrypt: true });
  });

  it('honours encrypt, trustServerCertificate, connectTimeoutMs and pool.max', () => {
    const knexConfig = mssqlKnexConfig(
      { host: 'h', encrypt: false, trustServerCertificate: true, connectTimeoutMs: 3000, pool: { max: 2 } },
      'audit',
      'erp',
    );
    expect(knexConfig.pool?.max).toBe(2);
    // A statement queued behind busy connections waits for one; connecting has its own timeout.
    expect(knexConfig.acquireConnectionTimeout).toBe(24 * 60 * 60 * 1000);
    const config = tediousConfig({
      host: 'h',
      encrypt: false,
      trustServerCertificate: true,
      connectTimeoutMs: 3000,
    });
    expect(config.options).toMatchObject({
      encrypt: false,
      trustServerCertificate: true,
      connectTimeout: 3000,
    });
  });
});

describe('SQL Server connection: TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-mssql-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the CA and client certificate to tedious as cryptoCredentialsDetails', () => {
    writeFileSync(join(dir, 'ca.pem'), 'CA PEM');
    writeFileSync(join(dir, 'client.pem'), 'CERT PEM');
    const config = tediousConfig({
      host: 'h',
      ssl: { ca: join(dir, 'ca.pem'), cert: join(dir, 'client.pem'), servername: 'sql.example.org' },
    });
    expect(config.options).toMatchObject({
      encrypt: true,
      trustServerCertificate: false,
      cryptoCredentialsDetails: { ca: 'CA PEM', cert: 'CERT PEM' },
      serverName: 'sql.example.org',
    });
  });

  it('trusts the server certificate when ssl.rejectUnauthorized is false, and turns encryption off for ssl: false', () => {
    expect(
      tediousConfig({ host: 'h', ssl: { rejectUnauthorized: false } }).options?.trustServerCertificate,
    ).toBe(true);
    expect(tediousConfig({ host: 'h', ssl: false }).options?.encrypt).toBe(false);
    expect(tediousConfig({ host: 'h', ssl: false, encrypt: true }).options?.encrypt).toBe(true);
  });
});

describe('SQL Server connection: the audit session', () => {
  it('runs the session settings on every new audit connection before the pool hands it out', async () => {
    const knexConfig = mssqlKnexConfig({ host: 'h' }, 'audit', 'erp');
    const afterCreate = knexConfig.pool?.afterCreate as (
      c: unknown,
      done: (e: Error | null, c: unknown) => void,
    ) => void;
    const sent: Request[] = [];
    const connection = { execSqlBatch: (request: Request) => sent.push(request) };
    const handedOut = new Promise<[Error | null, unknown]>((resolve) => {
      afterCreate(connection, (error, c) => resolve([error, c]));
    });
    expect(sent).toHaveLength(1);
    const request = sent[0] as Request & { sqlTextOrProcedure: string; callback: (error?: Error) => void };
    expect(request.sqlTextOrProcedure).toBe(AUDIT_SESSION_SQL);
    expect(AUDIT_SESSION_SQL).toBe('SET DEADLOCK_PRIORITY LOW; SET LOCK_TIMEOUT 30000;');
    request.callback();
    expect(await handedOut).toEqual([null, connection]);
  });
});

describe('SQL Server connection: errors never show the password', () => {
  const failure = (url: string): StocktakeError => {
    try {
      parseMssqlUrl(url, 'erp');
    } catch (error) {
      if (isStocktakeError(error, 'CONFIG_INVALID')) return error;
      throw error;
    }
    throw new Error('expected a CONFIG_INVALID error');
  };
  const shown = (error: StocktakeError) =>
    JSON.stringify([error.message, error.hint, error.context, error.stack]);

  it.each([
    ['an unknown parameter', `mssql://sa:${PASSWORD}@db/erp?bogus=1`, /unknown parameter "bogus"/],
    ['a wrong scheme', `postgres://sa:${PASSWORD}@db/erp`, /scheme "postgres"/],
    ['a bad flag', `mssql://sa:${PASSWORD}@db/erp?encrypt=maybe`, /encrypt must be true or false/],
    ['a JDBC-style URL', `sqlserver://db:1433;databaseName=erp;password=${PASSWORD}`, /JDBC-style/],
    ['an unparsable URL', `mssql://sa:${PASSWORD}@db:99999999/erp`, /cannot be parsed/],
  ])('rejects %s without echoing the URL', (_, url, message) => {
    const error = failure(url);
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^source erp: /);
    expect(shown(error)).not.toContain(PASSWORD);
  });

  it('requires a host', () => {
    expect(() => mssqlKnexConfig({ database: 'x', password: PASSWORD }, 'audit', 'erp')).toThrow(
      /no SQL Server host/,
    );
  });

  it('redacts the password from a tedious login failure', () => {
    registerSecret(PASSWORD);
    const login = Object.assign(new Error(`Login failed for user 'sa' (password ${PASSWORD}).`), {
      code: 'ELOGIN',
    });
    const error = describeDriverError(login, 'erp', 'SQL Server');
    expect(error.code).toBe('SOURCE_AUTH_FAILED');
    expect(error.message).not.toContain(PASSWORD);
    const unreachable = describeDriverError(
      Object.assign(new Error('Failed to connect to sql01:1433 - getaddrinfo ENOTFOUND sql01'), {
        code: 'ESOCKET',
      }),
      'erp',
      'SQL Server',
    );
    expect(unreachable.code).toBe('SOURCE_UNREACHABLE');
  });
});
