import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact, registerSecret } from '../../src/core/secrets.ts';

afterEach(() => clearSecrets());

// The patterns `redact` used before its URL pattern was anchored at the start of a run of scheme
// characters: the reference the current implementation must agree with, match for match.
const OLD_URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/\s]+)(@)/gi;
const OLD_KEY_VALUE_SECRET =
  /(?<![.\w])((?:ssl)?password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)(?!(?:YES|NO)\))("[^"]*"|'[^']*'|[^;&\s,}]+)/gi;
const oldRedact = (text: string): string =>
  text.replace(OLD_URL_PASSWORD, '$1***$3').replace(OLD_KEY_VALUE_SECRET, '$1$2***');

/** A small deterministic generator (a linear congruential one), so a failure can be replayed. */
function generator(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % below;
  };
}

describe('redact masks what it masked before', () => {
  it('masks URL passwords, special characters and percent-encoding included', () => {
    expect(redact('postgres://app:s3cr%40t@db:5432/crm')).toBe('postgres://app:***@db:5432/crm');
    expect(redact('mysql://root:p#ss?w:rd!$*@h/db')).toBe('mysql://root:***@h/db');
    expect(redact('redis://:onlyPassword@cache:6379')).toBe('redis://:***@cache:6379');
    expect(redact('POSTGRES://U:Pw@H/x')).toBe('POSTGRES://U:***@H/x');
    expect(redact('see mysql+pymysql://u:pw@h/db.')).toBe('see mysql+pymysql://u:***@h/db.');
    expect(redact('x1-postgres://u:pw@h')).toBe('x1-postgres://u:***@h');
    expect(redact('12.+postgres://u:pw@h')).toBe('12.+postgres://u:***@h');
    expect(redact('(postgres://u:pw%2F%3A@h)')).toBe('(postgres://u:***@h)');
  });

  it('masks every URL of a text', () => {
    expect(
      redact('from postgres://a:one@h1/db to mysql://b:two@h2/db, then https://c:three@h3/ and more'),
    ).toBe('from postgres://a:***@h1/db to mysql://b:***@h2/db, then https://c:***@h3/ and more');
    expect(redact('a://u:p@a://v:q@')).toBe('a://u:***@a://v:***@');
  });

  it('leaves URLs without a password alone', () => {
    for (const text of [
      'postgres://app@db/crm',
      'http://host:5432/db',
      'https://example.org/a:b@c',
      'postgres://u:@h',
      'postgres://u:pw with a space@h',
      '://u:pw@h',
      '1://u:pw@h',
      'postgres:/u:pw@h',
    ]) {
      expect(redact(text)).toBe(text);
    }
  });

  it('masks password= and its kin in connection strings, query strings and messages', () => {
    expect(redact('Server=db;User Id=sa;Password=Tr0ub4dor;')).toBe('Server=db;User Id=sa;Password=***;');
    expect(redact('host=db sslpassword=k3y-pass&x=1')).toBe('host=db sslpassword=***&x=1');
    expect(redact('?user=u&password=p%40ss&db=x')).toBe('?user=u&password=***&db=x');
    expect(redact('token: abc123 and pwd="x y"')).toBe('token: *** and pwd=***');
    expect(redact("passwd = 'a b' secret:s3,api_key=k1 api-key=k2 apikey=k3}")).toBe(
      'passwd = *** secret:***,api_key=*** api-key=*** apikey=***}',
    );
    expect(redact("Access denied for user 'u'@'h' (using password: YES)")).toBe(
      "Access denied for user 'u'@'h' (using password: YES)",
    );
    expect(redact('sources.crm.password: required')).toBe('sources.crm.password: required');
    expect(redact('my_password=x')).toBe('my_password=x');
  });

  it('masks URL passwords, key=value pairs and registered secrets together', () => {
    registerSecret('hunt@r2!x');
    expect(redact('postgres://u:pw@h?password=zz, hunt@r2!x, hunt%40r2!x')).toBe(
      'postgres://u:***@h?password=***, ***, ***',
    );
  });
});

describe('redact agrees with the patterns it used before', () => {
  // Single characters a URL or a key=value pair is made of, and whole pieces, so that schemes,
  // user:password@ parts and keywords come up often.
  const pieces = [
    ...'aZx1 0:/@%.?=&#_-+;,}"\'\t\n()',
    '://',
    ':/',
    'pg',
    'postgres',
    'password',
    'sslpassword',
    'pwd',
    'passwd',
    'token',
    'secret',
    'api_key',
    'api-key',
    'YES)',
    'NO)',
    'u:p@',
    '%40',
  ];

  it('on thousands of short random strings of URL-ish characters', () => {
    const next = generator(20_260_101);
    let masked = 0;
    for (let i = 0; i < 5000; i++) {
      let text = '';
      const length = 1 + next(24);
      for (let j = 0; j < length; j++) text += pieces[next(pieces.length)];
      const expected = oldRedact(text);
      if (expected !== text) masked++;
      expect(redact(text), JSON.stringify(text)).toBe(expected);
    }
    // The comparison means something only if many of the strings hold a secret.
    expect(masked).toBeGreaterThan(500);
  });

  it('on strings built around a URL with a password', () => {
    const next = generator(7);
    const chars = 'aZ1+.-:/@%?#= ';
    const noise = (n: number) => {
      let s = '';
      for (let i = 0; i < n; i++) s += chars[next(chars.length)];
      return s;
    };
    for (let i = 0; i < 2000; i++) {
      const text = `${noise(next(8))}${noise(next(4))}://${noise(next(5))}:${noise(next(6))}@${noise(next(8))}`;
      expect(redact(text), JSON.stringify(text)).toBe(oldRedact(text));
    }
  });
});

describe('redact takes time in proportion to its input', () => {
  const n = 1_000_000;
  const shapes: Record<string, string> = {
    'one letter': 'x'.repeat(n),
    'letters and digits': 'a1'.repeat(n / 2),
    'digits then a letter': `${'1'.repeat(n - 1)}a`,
    'scheme characters': 'ab1+.-'.repeat(n / 6),
    'letter and colon': 'a:'.repeat(n / 2),
    'letter and at sign': 'a@'.repeat(n / 2),
    'schemes without a user': 'a://'.repeat(n / 4),
    'bare separators': '://'.repeat(n / 3),
    'schemes and users without a password': 'a://u:'.repeat(n / 6),
    'one long scheme, one long password and no @': `${'x'.repeat(n / 2)}://u:${'p'.repeat(n / 2)}`,
    'mixed URL-ish characters': 'ab.c:/d@e%f?g=h&i#j_k-l m'.repeat(n / 25),
    'a keyword and no value': `password${' '.repeat(n)}`,
    'a keyword, a separator and no value': `password=${' '.repeat(n)}`,
    'keywords without a separator': 'password '.repeat(n / 9),
  };

  for (const [name, text] of Object.entries(shapes)) {
    it(`returns ${name} (${text.length.toLocaleString('en')} characters) unchanged`, () => {
      expect(redact(text) === text).toBe(true);
    });
  }

  it('still masks the password of a URL after a million letters', () => {
    const text = `${'x'.repeat(n)} postgres://u:pw@h`;
    expect(redact(text) === `${'x'.repeat(n)} postgres://u:***@h`).toBe(true);
    const glued = `${'x'.repeat(n)}postgres://u:pw@h`;
    expect(redact(glued) === `${'x'.repeat(n)}postgres://u:***@h`).toBe(true);
  });
});
