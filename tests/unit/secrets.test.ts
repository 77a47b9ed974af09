import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact, redactUrl, registerSecret } from '../../src/core/secrets.ts';

afterEach(() => clearSecrets());

describe('secret redaction', () => {
  it('masks URL passwords, key=value secrets and registered values', () => {
    registerSecret('hunt@r2!x');
    expect(redact('connect postgres://app:s3cr%40t@db:5432/crm failed')).toBe(
      'connect postgres://app:***@db:5432/crm failed',
    );
    expect(redact('Server=db;User Id=sa;Password=Tr0ub4dor;')).toBe('Server=db;User Id=sa;Password=***;');
    expect(redact('token: abc123 and pwd="x y"')).toBe('token: *** and pwd=***');
    expect(redact("Access denied for user 'u'@'h' (using password: YES)")).toBe(
      "Access denied for user 'u'@'h' (using password: YES)",
    );
    expect(redact('login failed for hunt@r2!x and hunt%40r2!x')).toBe('login failed for *** and ***');
    expect(redactUrl('mysql://root:pw@h/db?password=zz')).toBe('mysql://root:***@h/db?password=***');
  });

  it('leaves ordinary text alone', () => {
    registerSecret('ab');
    expect(redact('table ab has 3 rows')).toBe('table ab has 3 rows');
  });
});
