import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configJsonSchemaText } from '../../src/config/json-schema.ts';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { isStocktakeError, type StocktakeError } from '../../src/core/errors.ts';
import { clearSecrets, redact } from '../../src/core/secrets.ts';
import { mappingStepProblems } from '../../src/mappers/mapping-step-checks.ts';

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
        'stocktake.yaml: 8 problems',
        '  ! sources.crm.kind: unknown kind "postgress" (did you mean "postgres"?); expected one of postgres, mysql, mariadb, mssql, sqlite, csv, xlsx  (stocktake.yaml:3:16)',
        '  ! sources.crm.url: environment variable CRM_URL is not set (set it, or write ${CRM_URL:-default})  (stocktake.yaml:3:32)',
        '  ! sources.db2.shemas: unknown key (did you mean "schemas"?)  (stocktake.yaml:4:43)',
        '  ! sources.db2.port: expected number, got "abc"  (stocktake.yaml:4:59)',
        '  ! sources.files.path: required  (stocktake.yaml:5:10)',
        '  ! rules[0].severity: expected one of "info", "warning", "error", got "fatal"  (stocktake.yaml:7:78)',
        '  ! mappings[0].to.key: required  (stocktake.yaml:11:9)',
        // A name checked across sections is listed beside the shape's problems, not after they are fixed.
        '  ! mappings[0].to.target: unknown target "nt"; none is declared  (stocktake.yaml:11:19)',
      ].join('\n'),
    );
  });

  it('names unknown transforms, validate formats and time zones with the rest, before any source is opened', () => {
    const text = `sources:
  legacy: { kind: postgres, url: "postgres://x@127.0.0.1:1/none" }
targets:
  app: { kind: sqlite, path: app.sqlite }
mappings:
  - name: m
    from: { source: legacy, dataset: customers }
    to: { target: app, dataset: clients, key: [code], mode: upsrt }
    fields:
      code: { transform: [trimm] }
      email: { validate: [emial, { pattern: "([" }] }
      born: { transform: [{ date: { formats: [dd/MM/yyyy], zone: Europe/Pariss } }] }
`;
    // Only the commands that map add these checks (\`plan\`, \`migrate\`): the others load no mapper.
    expect(problemsOf(text).message).not.toContain('trimm');
    let error: StocktakeError | undefined;
    try {
      parseConfig(text, 'stocktake.yaml', {}, mappingStepProblems);
    } catch (caught) {
      if (isStocktakeError(caught)) error = caught;
    }
    if (!error) throw new Error('the config was accepted');
    expect(
      error.message
        .split('\n')
        .slice(1)
        .map((line) => line.replace(/ {2}\(stocktake.yaml.*$/, '')),
    ).toEqual([
      '  ! mappings[0].to.mode: expected one of "insert", "upsert", "mirror", got "upsrt" (did you mean "upsert"?)',
      '  ! mappings[0].fields.code.transform[0]: unknown transform "trimm" (did you mean "trim"?) (MAP_TRANSFORM_UNKNOWN)',
      '  ! mappings[0].fields.email.validate[0]: unknown format "emial" (did you mean "email"?) (MAP_VALIDATE_UNKNOWN)',
      '  ! mappings[0].fields.email.validate[1].pattern: invalid regular expression: Invalid regular expression: /^(?:([)$/u: Unterminated character class (MAP_VALIDATE_UNKNOWN)',
      '  ! mappings[0].fields.born.transform[0].date.zone: unknown time zone "Europe/Pariss" (an IANA name such as Europe/Paris) (MAP_TRANSFORM_INVALID)',
    ]);
  });

  it("keeps the config's other problems when a field's steps have no shape the mapping checks can read", () => {
    const text = `sources:
  legacy: { kind: csv, path: a.csv }
targets:
  app: { kind: sqlite, path: app.sqlite }
mappings:
  - name: m
    from: { source: legacyy, dataset: a }
    to: { target: app, dataset: t, key: [code] }
    fields:
      code: {}
      name: { transform: trim, validate: 7 }
`;
    let error: StocktakeError | undefined;
    try {
      parseConfig(text, 'stocktake.yaml', {}, mappingStepProblems);
    } catch (caught) {
      if (isStocktakeError(caught)) error = caught;
    }
    expect(error?.message).toContain('mappings[0].from.source: unknown source "legacyy"');
    expect(error?.message).toContain('mappings[0].fields.name.transform: expected array');
  });

  it('says once that a variable is unset, not again that the value it left is empty', () => {
    const error = problemsOf('sources:\n  pg: { kind: postgres, url: "${PG_URL}" }\n');
    expect(error.message).toBe(
      [
        'stocktake.yaml: 1 problem',
        '  ! sources.pg.url: environment variable PG_URL is not set (set it, or write ${PG_URL:-default})  (stocktake.yaml:2:30)',
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

describe('rule arguments', () => {
  const rules = (...lines: string[]) =>
    `sources:\n  crm: { kind: sqlite, path: crm.sqlite }\nrules:\n${lines.map((l) => `  - ${l}\n`).join('')}`;
  const problemLines = (text: string) =>
    problemsOf(text)
      .message.split('\n')
      .slice(1)
      .map((line) => line.replace(/ {2}\(stocktake\.yaml:\d+:\d+\)$/, ''));

  it('rejects a regex that does not compile as CONFIG_INVALID, with the engine’s reason', () => {
    const error = problemsOf(rules('{ dataset: crm.customers, column: code, check: regex, pattern: "([" }'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      [
        'stocktake.yaml: 1 problem',
        '  ! rules[0].pattern: not a valid regular expression: /([/: Unterminated character class  (stocktake.yaml:4:68)',
      ].join('\n'),
    );
  });

  it('rejects a freshness maxAge that is not a duration, naming the accepted forms', () => {
    expect(
      problemLines(
        rules(
          '{ dataset: crm.orders, column: updated_at, check: freshness, maxAge: banana }',
          '{ dataset: crm.orders, column: updated_at, check: freshness, maxAge: 24x }',
          '{ dataset: crm.orders, column: updated_at, check: freshness, maxAge: 0h }',
          '{ dataset: crm.orders, column: updated_at, check: freshness, maxAge: "" }',
        ),
      ),
    ).toEqual([
      '  ! rules[0].maxAge: expected a duration, a number and a unit, m (minutes), h (hours), d (days) or w (weeks): 30m, 24h, 7d, 2w; got "banana"',
      '  ! rules[1].maxAge: expected a duration, a number and a unit, m (minutes), h (hours), d (days) or w (weeks): 30m, 24h, 7d, 2w; got "24x"',
      '  ! rules[2].maxAge: must be more than 0: a number and a unit, m (minutes), h (hours), d (days) or w (weeks): 30m, 24h, 7d, 2w',
      '  ! rules[3].maxAge: expected a duration, a number and a unit, m (minutes), h (hours), d (days) or w (weeks): 30m, 24h, 7d, 2w; got ""',
    ]);
    for (const age of ['30m', '24h', '7d', '2w', '1.5d', '12 h'])
      expect(() =>
        parseConfig(
          rules(`{ dataset: crm.orders, column: updated_at, check: freshness, maxAge: "${age}" }`),
          'stocktake.yaml',
          {},
        ),
      ).not.toThrow();
  });

  it('rejects range bounds that are neither numbers nor ISO dates, or that no value could satisfy', () => {
    expect(
      problemLines(
        rules(
          '{ dataset: crm.orders, column: placed, check: range, min: "abc" }',
          '{ dataset: crm.orders, column: total, check: range, min: "10", max: 2024-02-30 }',
          '{ dataset: crm.orders, column: total, check: range, min: 100, max: 10 }',
          '{ dataset: crm.orders, column: placed, check: range, min: 2024-12-31, max: 2024-01-01 }',
          '{ dataset: crm.orders, column: placed, check: range, min: 0, max: 2024-01-01 }',
          '{ dataset: crm.orders, column: placed, check: range }',
        ),
      ),
    ).toEqual([
      '  ! rules[0].min: expected a number (10, -2.5) or an ISO 8601 date, date-time or time (2024-01-31, 2024-01-31T08:00:00Z, 08:30); got "abc"',
      '  ! rules[1].max: "2024-02-30" is not a valid date or time',
      '  ! rules[2].min: greater than max (10): no value could pass',
      '  ! rules[3].min: greater than max (2024-01-01): no value could pass',
      '  ! rules[4].max: min is a number and max a date: give both as numbers, dates or times',
      '  ! rules[5].min: check range needs min, max or both',
    ]);
    expect(() =>
      parseConfig(
        rules(
          '{ dataset: crm.order_lines, column: quantity, check: range, min: 1 }',
          '{ dataset: crm.orders, column: total, check: range, min: -2.5, max: 1e6 }',
          '{ dataset: crm.orders, column: placed, check: range, min: 2020-01-01, max: "2030-01-01T00:00:00Z" }',
          '{ dataset: crm.shops, column: opens, check: range, min: "08:00", max: "10:30:00" }',
        ),
        'stocktake.yaml',
        {},
      ),
    ).not.toThrow();
  });

  it('rejects unknown formats, empty value lists, rates outside 0–1 and missing arguments', () => {
    expect(
      problemLines(
        rules(
          '{ dataset: crm.customers, column: email, check: format, format: emial }',
          '{ dataset: crm.customers, column: email, check: format }',
          '{ dataset: crm.orders, column: status, check: allowed_values, values: [] }',
          '{ dataset: crm.orders, column: status, check: allowed_values }',
          '{ dataset: crm.customers, column: email, check: max_null_rate, maxNullRate: 1.5 }',
          '{ dataset: crm.customers, column: email, check: not_null, maxFailRate: -0.1 }',
          '{ dataset: crm.customers, column: code, check: regex }',
          '{ dataset: crm.order_lines, column: order_id, check: foreign_key, references: crm.orders }',
          '{ dataset: crm.order_lines, column: order_id, check: foreign_key }',
          '{ dataset: crm.customers, check: unique }',
        ),
      ),
    ).toEqual([
      '  ! rules[0].format: expected one of "email", "phone_fr", "phone_e164", "postal_code_fr", "siren", "siret", "iban", "nir", "url", "uuid", "date_iso", "date_dmy", "date_dmy_dot", "date_compact", "datetime_iso", got "emial" (did you mean "email"?)',
      '  ! rules[1].format: required for check format: one of email, phone_fr, phone_e164, postal_code_fr, siren, siret, iban, nir, url, uuid, date_iso, date_dmy, date_dmy_dot, date_compact, datetime_iso',
      '  ! rules[2].values: give at least one allowed value',
      '  ! rules[3].values: required for check allowed_values: the list of allowed values, e.g. [draft, sent, paid]',
      '  ! rules[4].maxNullRate: a rate is between 0 and 1 (0.05 = 5%)',
      '  ! rules[5].maxFailRate: a rate is between 0 and 1 (0.05 = 5%)',
      '  ! rules[6].pattern: required for check regex: a regular expression, e.g. "^C[0-9]{5}$"',
      '  ! rules[7].references: write source.dataset.column, e.g. crm.orders.id',
      '  ! rules[8].references: required for check foreign_key: source.dataset.column, e.g. crm.orders.id',
      '  ! rules[9].column: required for check unique',
    ]);
  });

  it('rejects arguments the check would ignore', () => {
    expect(
      problemLines(
        rules(
          '{ dataset: crm.customers, column: email, check: not_null, pattern: "^a", values: [a] }',
          '{ dataset: crm.customers, column: email, check: max_null_rate, maxFailRate: 0.1 }',
          '{ dataset: crm.orders, column: updated_at, check: freshness, maxAge: 24h, maxFailRate: 0.1 }',
          '{ dataset: crm.orders, check: row_count_min, minRows: 5, min: 5 }',
          '{ dataset: crm.orders, column: id, check: row_count_min, minRows: 1 }',
        ),
      ),
    ).toEqual([
      '  ! rules[0].pattern: not used by check not_null (pattern is an argument of check regex)',
      '  ! rules[0].values: not used by check not_null (values is an argument of check allowed_values)',
      '  ! rules[1].maxFailRate: not used by check max_null_rate: give its limit as maxNullRate',
      '  ! rules[2].maxFailRate: not used by check freshness, which passes or fails as a whole (no share of values can fail)',
      '  ! rules[3].min: not used by check row_count_min (min is an argument of check range)',
      '  ! rules[4].column: not used by check row_count_min, which counts the rows of the dataset: remove it',
    ]);
  });

  it('lists rule problems with the rest of the config’s problems, at once and in file order', () => {
    expect(
      problemLines(`
sources:
  crm: { kind: sqlit, path: crm.sqlite }
rules:
  - { dataset: crm.customers, column: code, check: regex, pattern: "a{2,1}" }
  - { dataset: crm.orders, column: updated_at, check: freshness, maxAge: banana, severity: fatal }
  - { dataset: crm.orders, column: placed, check: range, min: "abc", max: 5 }
`),
    ).toEqual([
      '  ! sources.crm.kind: unknown kind "sqlit" (did you mean "sqlite"?); expected one of postgres, mysql, mariadb, mssql, sqlite, csv, xlsx',
      '  ! rules[0].pattern: not a valid regular expression: /a{2,1}/: numbers out of order in {} quantifier',
      '  ! rules[1].maxAge: expected a duration, a number and a unit, m (minutes), h (hours), d (days) or w (weeks): 30m, 24h, 7d, 2w; got "banana"',
      '  ! rules[1].severity: expected one of "info", "warning", "error", got "fatal"',
      '  ! rules[2].min: expected a number (10, -2.5) or an ISO 8601 date, date-time or time (2024-01-31, 2024-01-31T08:00:00Z, 08:30); got "abc"',
    ]);
  });

  it('lists a url that is no URL with the other problems, without repeating it (it may hold a password)', () => {
    const lines = problemLines(`
sources:
  a: { kind: postgres, url: "postgres://u:Hunter2 not a url@" }
  m: { kind: mssql, url: "mssql://sql01:1433;database=erp" }
  b: { kind: mysql, url: "mysql://root@127.0.0.1:3306/x" }
  f: { kind: csv, pth: x.csv }
`);
    expect(lines).toEqual([
      '  ! sources.a.url: not a valid URL: write it as scheme://user:${DB_PASSWORD}@host:port/database, special characters of the password percent-encoded',
      '  ! sources.m.url: not a valid URL: JDBC-style `;key=value` settings are not supported; write mssql://user:${DB_PASSWORD}@host:1433/database?encrypt=true',
      '  ! sources.f.path: required',
      '  ! sources.f.pth: unknown key (did you mean "path"?)',
    ]);
    expect(lines.join('\n')).not.toContain('Hunter2');
  });

  it('checks the source a foreign key references once the shape is right', () => {
    expect(
      problemLines(
        rules(
          '{ dataset: crm.order_lines, column: order_id, check: foreign_key, references: crn.orders.id }',
        ),
      ),
    ).toEqual([
      '  ! rules[0].references: unknown source "crn" (did you mean "crm"?); declared: crm (write source.dataset.column: crm.orders.id)',
    ]);
  });

  it('accepts every rule the README shows', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /### Rules\n\n```yaml\n(rules:\n[\s\S]*?)```/.exec(readme)![1]!;
    const { config } = parseConfig(
      `sources:\n  crm: { kind: sqlite, path: crm.sqlite }\n  clients: { kind: csv, path: clients.csv }\n${block}`,
      'stocktake.yaml',
      {},
    );
    expect(config.rules).toHaveLength(9);
  });
});

describe('CSV source options', () => {
  it('names an unknown encoding or an unsupported date format with the config, not at scan time', () => {
    const error = problemsOf(
      'sources:\n  s: { kind: csv, path: a.csv, encoding: latin-9x, dateFormat: yyyy/dd/MM }\n',
    );
    expect(error.message).toContain('sources.s.encoding: unknown encoding "latin-9x": use utf-8');
    expect(error.message).toContain(
      'sources.s.dateFormat: unsupported dateFormat "yyyy/dd/MM": use dd/MM/yyyy',
    );
    expect(() =>
      parseConfig(
        'sources:\n  s: { kind: csv, path: a.csv, encoding: cp1252, dateFormat: MM/dd/yyyy }\n',
        's.yaml',
        {},
      ),
    ).not.toThrow();
  });

  it('takes a delimiter of one character (or a tab written \\t or tab), and refuses two with the path', () => {
    const error = problemsOf('sources:\n  s: { kind: csv, path: a.csv, delimiter: ";;" }\n');
    expect(error.message).toContain('sources.s.delimiter: one character');
    for (const delimiter of ['";"', '"|"', '"\\\\t"', 'tab'])
      expect(() =>
        parseConfig(`sources:\n  s: { kind: csv, path: a.csv, delimiter: ${delimiter} }\n`, 's.yaml', {}),
      ).not.toThrow();
  });
});
