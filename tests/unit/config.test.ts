import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaText } from '../../src/config/json-schema.ts';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { isStocktakeError, type StocktakeError } from '../../src/core/errors.ts';
import { clearSecrets, redact } from '../../src/core/secrets.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

function problemsOf(text: string, env: Record<string, string> = {}): StocktakeError {
  try {
    parseConfig(text, 'stocktake.yaml', env);
  } catch (error) {
    if (isStocktakeError(error)) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('config loading', () => {
  it('lists every problem at once, with paths, suggestions and positions', () => {
    const error = problemsOf(`
sources:
  crm: { kind: postgress, url: "\${CRM_URL}" }
  db2: { kind: postgres, host: x, shemas: [public], port: "abc" }
  files: { kind: csv }
rules:
  - { dataset: crm.public.customers, column: email, check: format, severity: fatal }
mappings:
  - name: m
    from: { source: crm, dataset: x }
    to: { target: nt, dataset: y }
    fields: {}
`);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      [
        'stocktake.yaml: 7 problems',
        '  ! sources.crm.kind: unknown kind "postgress" (did you mean "postgres"?); expected one of postgres, mysql, mariadb, mssql, sqlite, csv, xlsx  (stocktake.yaml:3:16)',
        '  ! sources.crm.url: environment variable CRM_URL is not set (set it, or write ${CRM_URL:-default})  (stocktake.yaml:3:32)',
        '  ! sources.db2.shemas: unknown key (did you mean "schemas"?)  (stocktake.yaml:4:43)',
        '  ! sources.db2.port: expected number, got "abc"  (stocktake.yaml:4:59)',
        '  ! sources.files.path: required  (stocktake.yaml:5:10)',
        '  ! rules[0].severity: expected one of "info", "warning", "error", got "fatal"  (stocktake.yaml:7:78)',
        '  ! mappings[0].to.key: required  (stocktake.yaml:11:9)',
      ].join('\n'),
    );
  });

  it('checks names across sections once the shape is right', () => {
    const error = problemsOf(`
systems:
  crm: { owner: { name: Sales IT } }
sources:
  legacy: { kind: sqlite, path: crm.sqlite, system: crn }
  pg: { kind: postgres }
rules:
  - { dataset: legasy.customers, column: email, check: not_null }
mappings:
  - name: contacts
    from: { source: legacy, dataset: customers }
    to: { target: newtool, dataset: contacts, key: [external_id] }
    fields: { email: { from: email } }
`);
    expect(error.message.split('\n').slice(1)).toEqual([
      '  ! sources.legacy.system: unknown system "crn" (did you mean "crm"?); declared: crm  (stocktake.yaml:5:53)',
      '  ! sources.pg.url: required: give `url` or `host`  (stocktake.yaml:6:7)',
      '  ! rules[0].dataset: unknown source "legasy" (did you mean "legacy"?); declared: legacy, pg (a rule\'s dataset names its source first: crm.public.customers)  (stocktake.yaml:8:16)',
      '  ! mappings[0].to.target: unknown target "newtool"; none is declared  (stocktake.yaml:12:19)',
      '  ! mappings[0].to.key: key column "external_id" has no entry under fields  (stocktake.yaml:12:52)',
    ]);
  });

  it('interpolates ${VAR} and ${VAR:-default}, and keeps $${ literal', () => {
    const { config } = parseConfig(
      `
sources:
  crm: { kind: postgres, url: "\${CRM_URL}", description: "cost $\${HOME} \${MISSING:-none}" }
`,
      '/tmp/x/stocktake.yaml',
      { CRM_URL: 'postgres://app:pa55word@db:5432/crm' },
    );
    expect(config.sources.crm).toMatchObject({
      url: 'postgres://app:pa55word@db:5432/crm',
      description: 'cost ${HOME} none',
    });
    // The password came in through a URL: from now on it is masked wherever it appears.
    expect(redact('failed with pa55word')).toBe('failed with ***');
    clearSecrets();
  });

  it('never lets an environment value change the YAML structure', () => {
    const { config } = parseConfig('sources:\n  f: { kind: csv, path: "${P}" }\n', '/tmp/stocktake.yaml', {
      P: 'a.csv", delimiter: ";',
    });
    expect(config.sources.f).toEqual({ kind: 'csv', path: '/tmp/a.csv", delimiter: ";' });
  });

  it('resolves file paths against the config folder', () => {
    const { config } = parseConfig(
      'sources:\n  crm: { kind: sqlite, path: data/crm.sqlite }\n',
      '/srv/audit/stocktake.yaml',
      {},
    );
    expect(config.sources.crm).toMatchObject({ path: '/srv/audit/data/crm.sqlite' });
  });

  it('reports YAML syntax errors with their line', () => {
    const error = problemsOf('sources:\n  crm: { kind: sqlite, path: [unclosed\n');
    expect(error.code).toBe('CONFIG_PARSE');
    expect(error.message).toMatch(/^stocktake\.yaml is not valid YAML:\n {2}stocktake\.yaml:\d+:\d+: /);
  });

  it('names a missing config file', () => {
    expect(() => loadConfig('/nonexistent/stocktake.yaml')).toThrow(
      /config file \/nonexistent\/stocktake.yaml cannot be read/,
    );
  });

  it('accepts the example configs', () => {
    for (const file of ['examples/stocktake.yaml', 'configs/postgres.example.yaml']) {
      expect(() =>
        loadConfig(join(root, file), { PGPASSWORD: 'x', NEWTOOL_DATABASE_URL: 'postgres://localhost/x' }),
      ).not.toThrow();
    }
  });
});

describe('config JSON Schema', () => {
  it('is committed up to date in configs/stocktake.schema.json (regenerate: npm run schema)', () => {
    expect(readFileSync(join(root, 'configs/stocktake.schema.json'), 'utf8')).toBe(configJsonSchemaText());
  });

  it('rejects unknown keys and documents fields for editors', () => {
    const schema = JSON.parse(configJsonSchemaText());
    expect(schema.additionalProperties).toBe(false);
    const sources =
      schema.properties.sources.additionalProperties.oneOf ??
      schema.properties.sources.additionalProperties.anyOf;
    const kinds = sources.flatMap((s: { properties: { kind: { const?: string; enum?: string[] } } }) =>
      s.properties.kind.const ? [s.properties.kind.const] : s.properties.kind.enum,
    );
    expect(kinds).toEqual(['postgres', 'mysql', 'mariadb', 'mssql', 'sqlite', 'csv', 'xlsx']);
  });
});
