import { describe, expect, it } from 'vitest';
import { mysqlKnexConfig } from '../../src/connectors/mysql/mysql-connection.ts';

const connectionOf = (url: string) =>
  mysqlKnexConfig({ url } as never, 'audit', 'm').connection as Record<string, unknown>;

describe('a MySQL/MariaDB url', () => {
  it('reads TLS from its ssl-mode, ssl or sslmode parameter', () => {
    expect(connectionOf('mysql://u@h/db').ssl).toBeUndefined();
    expect(connectionOf('mysql://u@h/db?ssl-mode=REQUIRED').ssl).toMatchObject({ rejectUnauthorized: false });
    expect(connectionOf('mysql://u@h/db?sslmode=require').ssl).toMatchObject({ rejectUnauthorized: false });
    expect(connectionOf('mysql://u@h/db?ssl=true').ssl).toMatchObject({
      rejectUnauthorized: true,
      verifyIdentity: true,
    });
    expect(connectionOf('mysql://u@h/db?ssl-mode=VERIFY_IDENTITY').ssl).toMatchObject({
      rejectUnauthorized: true,
    });
    expect(connectionOf('mysql://u@h/db?ssl-mode=DISABLED').ssl).toBeUndefined();
  });

  it('reads a password parameter, and refuses any other parameter rather than drop it', () => {
    expect(connectionOf('mysql://u@h:3307/db?password=s%3Dcret')).toMatchObject({
      host: 'h',
      port: 3307,
      database: 'db',
      user: 'u',
      password: 's=cret',
    });
    expect(() => connectionOf('mysql://u@h/db?bogus=1')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('"bogus"') }),
    );
    expect(() => connectionOf('mysql://u@h/db?ssl-mode=REQUIRED&ssl-mode=DISABLED')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('TLS twice') }),
    );
    expect(() => connectionOf('mysql://u@h/db?ssl-mode=PREFERED')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
