/**
 * A whole `${VAR}` where the config wants a number or a boolean reads the variable's text as one
 * (`port: "${PGPORT}"`): the environment holds only text. Anything else stays a problem with its path.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { isStocktakeError } from '../../src/core/errors.ts';

const text = `
sources:
  crm: { kind: postgres, host: db, port: "\${PGPORT}", database: crm, user: u }
  files: { kind: csv, path: a.csv, threads: "\${THREADS:-1}" }
`;

describe('numbers and booleans from the environment', () => {
  it('reads a whole reference as the number the config wants', () => {
    const { config } = parseConfig(text, 'stocktake.yaml', { PGPORT: '5433' });
    expect((config.sources.crm as { port?: number }).port).toBe(5433);
    expect((config.sources.files as { threads?: number }).threads).toBe(1);
  });

  it('keeps a reference inside other text, or text that is no number, a problem with its path', () => {
    for (const [port, env] of [
      ['"${PGPORT}"', { PGPORT: 'abc' }],
      ['"5${PGPORT}x"', { PGPORT: '4' }],
    ] as const) {
      try {
        parseConfig(text.replace('"${PGPORT}"', port), 'stocktake.yaml', env);
        throw new Error('accepted');
      } catch (error) {
        expect(isStocktakeError(error, 'CONFIG_INVALID')).toBe(true);
        expect((error as Error).message).toContain('sources.crm.port');
      }
    }
  });

  it('never turns the text of a password into a number', () => {
    const { config } = parseConfig(
      `sources:\n  crm: { kind: postgres, host: db, port: "\${PGPORT}", password: "\${PGPASSWORD}" }\n`,
      'stocktake.yaml',
      { PGPORT: '5432', PGPASSWORD: '12345' },
    );
    expect((config.sources.crm as { password?: unknown }).password).toBe('12345');
  });
});

describe('malformed environment references', () => {
  const problems = (value: string, key = 'path') => {
    try {
      parseConfig(`sources:\n  s: { kind: csv, ${key}: "${value}" }\n`, 'stocktake.yaml', { OK: 'ok' });
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  };

  it('names a ${ that opens no reference instead of keeping it as written', () => {
    expect(problems('${BAD-NAME}')).toContain('sources.s.path: "${BAD-NAME}" is no environment reference');
    expect(problems('x${UNCLOSED')).toContain('"${UNCLOSED" is no environment reference');
    expect(problems('p${OK}q${ALSO-BAD}')).toContain('"${ALSO-BAD}" is no environment reference');
    expect(problems('a$${b}')).toBe('');
    expect(problems('${OK:-d}')).toBe('');
  });

  it('shows no part of a secret', () => {
    const message = problems('s3cr3t${oops-', 'password');
    expect(message).toContain('a `${` in this value is no environment reference');
    expect(message).not.toContain('oops');
    const url = problems('postgres://app:s3cr${tPa55word@db.example.com/crm', 'url');
    expect(url).toContain('sources.s.url: a `${` in this value is no environment reference');
    expect(url).not.toContain('Pa55');
  });
});
