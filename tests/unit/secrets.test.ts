import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { interpolateEnv, registerTreeSecrets, registerUrlPassword } from '../../src/config/env.ts';
import { clearSecrets, redact, redactUrl, registerSecret } from '../../src/core/secrets.ts';
import { readProfile } from '../../src/report/html/report-documents.ts';
import { readInventory } from '../../src/stages/documents.ts';

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

  it('masks sslpassword= but not the value after a config path', () => {
    expect(redact('host=db sslpassword=k3y-pass&x=1')).toBe('host=db sslpassword=***&x=1');
    expect(redact('sources.crm.password: required')).toBe('sources.crm.password: required');
  });

  it('registers the secret query parameters of a URL, as decoded and as written', () => {
    registerUrlPassword('postgres://u@h/db?sslpassword=a%2Fb%26c-long&application_name=app');
    expect(redact('a/b&c-long and a%2Fb%26c-long, app')).toBe('*** and ***, app');
  });

  it('registers values from variables named like secrets, and raw values put in a URL password', () => {
    const { value } = interpolateEnv(
      { where: "token = '${API_TOKEN}'", url: 'postgres://${DB_USER}:${RAW}@h/db', host: '${HOST}' },
      { API_TOKEN: 'tok-123456', DB_USER: 'appuser', RAW: 'p#ss/w?rd', HOST: 'db.example.org' },
    );
    expect(value).toEqual({
      where: "token = 'tok-123456'",
      url: 'postgres://appuser:p#ss/w?rd@h/db',
      host: 'db.example.org',
    });
    // The user name stays readable; the password, unencoded, is masked whole.
    expect(redact('tok-123456 appuser p#ss/w?rd db.example.org')).toBe('*** appuser *** db.example.org');
  });

  it('registers the secrets written in the config tree, numbers too, but not key columns or paths', () => {
    registerTreeSecrets({
      sources: { a: { password: 90417733, ssl: { key: 'client.key' } } },
      mappings: [
        {
          to: { key: ['external_id'] },
          fields: { id: { transform: [{ hash: { secret: 's3cr3t-long-enough' } }] } },
        },
      ],
    });
    expect(redact('90417733 client.key external_id s3cr3t-long-enough')).toBe(
      '*** client.key external_id ***',
    );
  });
});

describe('documents read back for a report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-redact-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const secretText = 'copied from postgres://etl:Sup3rS3cret@db.internal/crm, then password=hunter2222';

  it('masks a secret pasted into a hand-edited inventory, profile or plan', () => {
    const inventory = {
      formatVersion: 1,
      generatedAt: '2026-01-01T00:00:00.000Z',
      sources: [{ name: 'crm', kind: 'postgres', datasets: [{ name: 'public.t', comment: secretText }] }],
    };
    writeFileSync(join(dir, 'inventory.json'), JSON.stringify(inventory));
    const read = JSON.stringify(readInventory(join(dir, 'inventory.json'), { redacted: true }));
    expect(read).not.toContain('Sup3rS3cret');
    expect(read).not.toContain('hunter2222');
    expect(read).toContain('postgres://etl:***@db.internal/crm');
    // Other readers (inventory --compare) see the document as written.
    expect(JSON.stringify(readInventory(join(dir, 'inventory.json')))).toContain('Sup3rS3cret');

    const profile = { formatVersion: 1, datasets: [], findings: [{ code: 'X', message: secretText }] };
    writeFileSync(join(dir, 'profile.json'), JSON.stringify(profile));
    const profileText = JSON.stringify(readProfile(join(dir, 'profile.json')));
    expect(profileText).not.toContain('Sup3rS3cret');
    expect(profileText).not.toContain('hunter2222');
  });
});

describe('documents read back for a report, data and messages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-redact-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves data values and "column: text" messages as written, URL passwords in data masked', () => {
    const profile = {
      formatVersion: 1,
      datasets: [
        {
          readiness: {
            score: 80,
            penalties: [{ reason: 'token: 12.5% of values do not fit its type', points: 15 }],
          },
          columns: [
            {
              name: 'note',
              min: 'Pwd=ok;',
              max: 'secret: not really',
              topValues: [
                { value: 'Pwd=ok;', count: 2 },
                { value: 'see postgres://etl:Sup3rS3cret@db/crm', count: 1 },
              ],
            },
          ],
        },
      ],
      findings: [
        { code: 'X', message: 'token: 3 value(s) do not fit', evidence: { note: 'password=hunter2222' } },
      ],
    };
    writeFileSync(join(dir, 'profile.json'), JSON.stringify(profile));
    const read = readProfile(join(dir, 'profile.json')) as unknown as typeof profile;
    const column = read.datasets[0]!.columns[0]!;
    expect(column.min).toBe('Pwd=ok;');
    expect(column.max).toBe('secret: not really');
    expect(column.topValues.map((t) => t.value)).toEqual(['Pwd=ok;', 'see postgres://etl:***@db/crm']);
    expect(read.datasets[0]!.readiness.penalties[0]!.reason).toBe(
      'token: 12.5% of values do not fit its type',
    );
    expect(read.findings[0]!.message).toBe('token: 3 value(s) do not fit');
    expect(read.findings[0]!.evidence.note).toBe('password=***');
  });
});
