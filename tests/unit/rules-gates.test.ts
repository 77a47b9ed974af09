import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Inventory } from '../../src/core/inventory.ts';
import type { Profile } from '../../src/core/profile.ts';
import { checkRulesAgainstInventory } from '../../src/profilers/rules.ts';
import { suggestRules } from '../../src/profilers/suggest-rules.ts';
import { renderJunit } from '../../src/report/junit.ts';
import { renderSummaryMarkdown } from '../../src/report/summary-md.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { profileExitCode } from '../../src/stages/outputs.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const RULES = `
rules:
  - { dataset: shop.orders, column: status, check: allowed_values, values: [draft, paid], severity: warning }
  - { dataset: shop.orders, column: ref, check: regex, pattern: "^O-[0-9]{3}$", severity: error }
  - { dataset: shop.orders, column: ref, check: unique, severity: error }
  - { dataset: shop.orders, column: note, check: max_null_rate, maxNullRate: 0.5, severity: warning }
  - { dataset: shop.orders, column: amount, check: range, min: 0, max: 100, maxFailRate: 0.25, severity: error }
  - { dataset: shop.orders, column: placed, check: freshness, maxAge: 7d, severity: warning }
  - { dataset: shop.orders, check: row_count_min, minRows: 5, severity: error }
  - { dataset: shop.orders, column: customer, check: foreign_key, references: shop.customers.id, severity: warning }
  - { dataset: shop.customers, column: email, check: format, format: email, severity: error, name: "customer e-mails" }
`;

describe('rules and quality gates', () => {
  let dir: string;
  let inventory: Inventory;
  let profile: Profile;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-rules-'));
    const db = new Database(join(dir, 'shop.sqlite'));
    db.exec(`
      CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT);
      CREATE TABLE orders (id INTEGER PRIMARY KEY, ref TEXT, status TEXT, note TEXT, amount DECIMAL(8,2), placed DATE, customer INTEGER);
      INSERT INTO customers VALUES (1, 'a@example.org'), (2, 'not-an-email'), (3, 'c@example.org');
      INSERT INTO orders VALUES
        (1, 'O-001', 'draft', NULL, 10, '2026-11-20', 1),
        (2, 'O-002', 'paid', 'x', 20, '2026-11-21', 2),
        (3, 'O-002', 'sent', NULL, 500, '2026-11-22', 9),
        (4, 'bad', 'paid', 'y', 30, '2026-11-25', 3);
    `);
    db.close();
    const { config } = parseConfig(
      `sources:\n  shop: { kind: sqlite, path: shop.sqlite }\n${RULES}`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    inventory = await runInventory(config);
    profile = await runProfile(config, inventory, { now: () => new Date('2026-11-27T12:00:00Z') });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('evaluates every kind of rule with exact counts', () => {
    const results = profile.rules.map((r) => [r.check, r.status, r.failed, r.checked]);
    expect(results).toEqual([
      ['allowed_values', 'failed', 1, 4],
      ['regex', 'failed', 1, 4],
      ['unique', 'failed', 1, 4],
      ['max_null_rate', 'passed', 2, 4],
      ['range', 'passed', 1, 4],
      ['freshness', 'passed', 0, 1],
      ['row_count_min', 'failed', 1, 1],
      ['foreign_key', 'failed', 1, 4],
      ['format', 'failed', 1, 3],
    ]);
    expect(profile.rules[8]!.rule).toBe('customer e-mails');
  });

  it('writes the message of each rule in French too, with French numbers, for reports in French', () => {
    expect(profile.rules.map((r) => r.messageFr)).toEqual([
      '1 sur 4 valeurs ne sont pas admises',
      '1 sur 4 valeurs ne suivent pas /^O-[0-9]{3}$/',
      '1 sur 4 valeurs répètent une valeur précédente',
      '50,0\u00a0% des valeurs manquent ; au plus 50,0\u00a0% toléré',
      '1 sur 4 valeurs sortent de [0 ; 100] ; 25,0\u00a0% toléré',
      'valeur la plus récente 2026-11-25 ; ancienneté d’au plus 7\u00a0j tolérée',
      '4 lignes ; au moins 5 requises',
      '1 sur 4 valeurs n’ont pas de correspondance dans shop.customers.id',
      '1 sur 3 valeurs ne sont pas au format email',
    ]);
    const failed = profile.findings.filter((f) => f.code === 'RULE_FAILED');
    expect(failed.map((f) => f.messageFr)).toContain(
      'customer e-mails : 1 sur 3 valeurs ne sont pas au format email',
    );
  });

  it('fails the gate on error-level rules only, or on warnings when asked', () => {
    expect(profileExitCode(profile)).toBe(1);
    const warningsOnly: Profile = {
      ...profile,
      rules: profile.rules.filter((r) => r.severity === 'warning'),
    };
    expect(profileExitCode(warningsOnly)).toBe(0);
    expect(profileExitCode(warningsOnly, 'warning')).toBe(1);
  });

  it('writes one JUnit test case per rule, failures for failed error-level rules', () => {
    const xml = renderJunit(profile);
    expect(xml.match(/<testcase /g)).toHaveLength(9);
    expect(xml).toContain('tests="9" failures="4" errors="0"');
    expect(xml).toContain('<testcase name="customer e-mails" classname="stocktake.shop.customers">');
  });

  it('keeps the line breaks and tabs of a name in a JUnit attribute as character references', () => {
    const [first] = profile.rules;
    const xml = renderJunit({ ...profile, rules: [{ ...first!, rule: 'a|b\nc\td' }] });
    expect(xml).toContain('name="a|b&#10;c&#9;d"');
    expect(xml).not.toMatch(/name="[^"]*\n/);
  });

  it('summarises gates and readiness in Markdown, escaping what it shows', () => {
    const md = renderSummaryMarkdown(profile);
    expect(md).toContain('## Quality gates: 4 failed');
    expect(md).toContain('| ❌ | regex(ref) on shop.orders | shop.orders.ref | 1 of 4 (25.0%) | error |');
    expect(md).toContain('| ⚠️ | allowed\\_values(status) on shop.orders');
    // Rules about the dataset as a whole show what they measured, not `1 of 1`.
    expect(md).toContain(
      '| ❌ | row\\_count\\_min on shop.orders | shop.orders | 4 rows; at least 5 required | error |',
    );
    expect(md).toContain(
      '| ✅ | freshness(placed) on shop.orders | shop.orders.placed | newest value 2026-11-25; at most 7d old allowed | warning |',
    );
    expect(md).toMatch(/\| shop\.orders \| \d+ \| 4 \|/);
  });

  it('names rules that point at a missing dataset or column, with their paths', () => {
    const { config } = parseConfig(
      `sources:\n  shop: { kind: sqlite, path: shop.sqlite }\nrules:\n  - { dataset: shop.order, column: ref, check: unique }\n  - { dataset: shop.orders, column: reff, check: unique }\n  - { dataset: shop.orders, column: customer, check: foreign_key, references: shop.customers.idd }\n`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    expect(checkRulesAgainstInventory(config.rules!, inventory)).toEqual([
      { path: 'rules[0].dataset', message: 'source shop has no dataset "order" (did you mean "orders"?)' },
      {
        path: 'rules[1].column',
        message:
          'shop.orders has no column "reff" (did you mean "ref"?) (columns: id, ref, status, note, amount, placed, customer)',
      },
      {
        path: 'rules[2].references',
        message: 'shop.customers has no column "idd" (did you mean "id"?) (columns: id, email)',
      },
    ]);
  });

  it('rejects range bounds that do not suit the column type before profiling, naming the bound', () => {
    const { config } = parseConfig(
      `sources:\n  shop: { kind: sqlite, path: shop.sqlite }\nrules:
  - { dataset: shop.orders, column: placed, check: range, min: 0 }
  - { dataset: shop.orders, column: amount, check: range, min: 2026-01-01, max: 2026-12-31 }
  - { dataset: shop.orders, column: placed, check: range, min: 2026-01-01, max: "2026-12-31T23:59:59Z" }
  - { dataset: shop.orders, column: amount, check: range, min: 0, max: 100 }
  - { dataset: shop.orders, column: ref, check: range, min: 0 }
`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    expect(checkRulesAgainstInventory(config.rules!, inventory)).toEqual([
      {
        path: 'rules[0].min',
        message:
          '0 is a number but shop.orders.placed is a date column; give a date: 2024-01-31 or 2024-01-31T08:00:00Z',
      },
      {
        path: 'rules[1].min',
        message: '"2026-01-01" is a date but shop.orders.amount is a decimal column; give a number',
      },
      {
        path: 'rules[1].max',
        message: '"2026-12-31" is a date but shop.orders.amount is a decimal column; give a number',
      },
    ]);
  });

  it('reports a rule that cannot be evaluated as a rule error naming its config path, not a crash', async () => {
    // Rules as a caller could pass them without the config validation that rejects them.
    const rules = [
      { dataset: 'shop.orders', column: 'ref', check: 'regex', pattern: '([', severity: 'error' },
      { dataset: 'shop.orders', column: 'placed', check: 'freshness', maxAge: 'banana', severity: 'error' },
      { dataset: 'shop.orders', column: 'placed', check: 'range', min: 'abc', severity: 'error' },
      { dataset: 'shop.orders', column: 'placed', check: 'range', min: 0, severity: 'error' },
    ] as NonNullable<Config['rules']>;
    const { config } = parseConfig(
      'sources:\n  shop: { kind: sqlite, path: shop.sqlite }\n',
      join(dir, 'stocktake.yaml'),
      {},
    );
    const checked = await runProfile({ ...config, rules }, inventory, { only: ['shop.orders'] });
    expect(checked.rules.map((r) => [r.status, r.message])).toEqual([
      ['error', 'rules[0].pattern: not a valid regular expression: /([/: Unterminated character class'],
      [
        'error',
        'rules[1].maxAge: expected a duration, a number and a unit, m (minutes), h (hours), d (days) or w (weeks): 30m, 24h, 7d, 2w; got "banana"',
      ],
      [
        'error',
        'rules[2].min: "abc" is neither a number nor an ISO 8601 date, date-time or time but shop.orders.placed is a date column; give a date: 2024-01-31 or 2024-01-31T08:00:00Z',
      ],
      [
        'error',
        'rules[3].min: 0 is a number but shop.orders.placed is a date column; give a date: 2024-01-31 or 2024-01-31T08:00:00Z',
      ],
    ]);
  });

  it('suggests rules that hold on the data as it is', () => {
    const suggested = suggestRules(profile);
    const customers = suggested.filter((r) => r.dataset === 'shop.customers');
    expect(customers).toContainEqual({
      dataset: 'shop.customers',
      column: 'id',
      check: 'not_null',
      severity: 'error',
    });
    expect(customers).toContainEqual({
      dataset: 'shop.customers',
      column: 'id',
      check: 'unique',
      severity: 'error',
    });
    // Four orders whose dates and customers differ by chance: no key to guard there, but the id is one.
    const orders = suggested.filter((r) => r.dataset === 'shop.orders');
    expect(orders.filter((r) => r.check === 'unique').map((r) => r.column)).toEqual(['id']);
    // Amounts were never negative: the sign is the rule, not today's largest amount.
    expect(orders.filter((r) => r.check === 'range')).toContainEqual({
      dataset: 'shop.orders',
      column: 'amount',
      check: 'range',
      min: 0,
      severity: 'warning',
    });
    expect(orders.some((r) => r.check === 'range' && 'max' in r)).toBe(false);
    // Suggested rules are valid config: they load as the rules block of a config.
    const yaml = `sources:\n  shop: { kind: sqlite, path: shop.sqlite }\nrules: ${JSON.stringify(suggested)}\n`;
    expect(parse(yaml).rules).toHaveLength(suggested.length);
    expect(() => parseConfig(yaml, join(dir, 'stocktake.yaml'), {})).not.toThrow();
  });

  it('scores readiness by the documented penalties', () => {
    const customers = profile.datasets.find((d) => d.dataset === 'customers')!;
    // One malformed e-mail in three is 33% (over 10%): the full weight of invalid formats, 10.
    expect(customers.readiness).toEqual({
      score: 90,
      penalties: [
        {
          reason: "email: 33.3% of values break the column's format",
          reasonFr: 'email : 33,3\u00a0% des valeurs sortent du format de la colonne',
          points: 10,
        },
      ],
    });
    // customer → customers.id is only 75% included: not inferred as a relation, so no orphan penalty.
    const orders = profile.datasets.find((d) => d.dataset === 'orders')!;
    expect(orders.orphans).toEqual([]);
    expect(orders.readiness.score).toBe(100);
  });

  it('reads a text column as its values are written: placeholders are missing, other non-numbers fail', async () => {
    // `-` and `N/A` keep the columns text (the inventory types a column only when every value fits); a
    // range rule still reads `1.500` as fifteen hundred beside `12.345.678`, `-3,25` as a negative
    // amount and `10/10/2023` as a date, where text order made the gates pass.
    writeFileSync(
      join(dir, 'n.csv'),
      [
        'id;qty;amount;day;label',
        '1;1.500;12,50;15/03/2021;Dupont',
        '2;2.000;-3,25;10/10/2023;Durand',
        '3;12.345.678;1 000,00;31/12/2019;12',
        '4;-;N/A;-;N/A',
        '5;7;7;abc;7',
      ].join('\n'),
    );
    const { config } = parseConfig(
      `sources:
  f: { kind: csv, path: n.csv }
rules:
  - { dataset: f.n, column: qty, check: range, max: 1000 }
  - { dataset: f.n, column: amount, check: range, min: 0 }
  - { dataset: f.n, column: day, check: range, max: "2022-01-01" }
  - { dataset: f.n, column: day, check: freshness, maxAge: 7d }
  - { dataset: f.n, column: label, check: range, min: 0 }
`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    const files = await runInventory(config);
    expect(files.sources[0]!.datasets[0]!.columns.map((c) => c.type)).toEqual([
      'integer',
      'string',
      'string',
      'string',
      'string',
    ]);
    const checked = await runProfile(config, files, { now: () => new Date('2026-11-27T12:00:00Z') });
    expect(checked.rules.map((r) => [r.status, r.message])).toEqual([
      ['failed', '3 of 4 values fall outside [-∞, 1000]'],
      ['failed', '1 of 4 values fall outside [0, +∞]'],
      ['failed', '2 of 4 values fall outside [-∞, 2022-01-01] (1 of them are not dates)'],
      ['failed', 'newest value 2023-10-10; at most 7d old allowed'],
      ['failed', '2 of 4 values fall outside [0, +∞] (2 of them are not numbers)'],
    ]);
    expect(checked.rules[2]!.messageFr).toBe(
      '2 sur 4 valeurs sortent de [-∞ ; 2022-01-01] (dont 1 ne sont pas des dates)',
    );
  });

  it('points a rule naming a sheet alone to the workbook/sheet dataset', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Stock').addRows([
      ['ref', 'prix'],
      ['A', 1],
    ]);
    await workbook.xlsx.writeFile(join(dir, 'stock.xlsx'));
    const { config } = parseConfig(
      `sources:
  stock: { kind: xlsx, path: stock.xlsx }
rules:
  - { dataset: stock.Stock, column: ref, check: unique }
  - { dataset: stock.stock, column: ref, check: unique }
`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    const sheets = await runInventory(config);
    expect(sheets.sources[0]!.datasets.map((d) => d.name)).toEqual(['stock/Stock']);
    const hint =
      'source stock has no dataset "%s" (did you mean "stock/Stock"? a sheet is named workbook/sheet)';
    expect(checkRulesAgainstInventory(config.rules!, sheets)).toEqual([
      { path: 'rules[0].dataset', message: hint.replace('%s', 'Stock') },
      { path: 'rules[1].dataset', message: hint.replace('%s', 'stock') },
    ]);
  });

  it('judges freshness on a text column past the distinct-value limit by its exact newest value', async () => {
    // 150,000 minutes of 2020, a placeholder (which keeps the column text), then today's event last: the
    // values listed past 100,000 distinct are a sample that may well miss it.
    const lines = ['id;at'];
    const start = Date.UTC(2020, 0, 1);
    for (let i = 0; i < 150_000; i++)
      lines.push(`${i};${new Date(start + i * 60_000).toISOString().slice(0, 19)}`);
    lines.push('150000;-', '150001;2026-11-27T08:00:00');
    writeFileSync(join(dir, 'events.csv'), `${lines.join('\n')}\n`);
    const { config } = parseConfig(
      `sources:\n  f: { kind: csv, path: events.csv }\nrules:\n  - { dataset: f.events, column: at, check: freshness, maxAge: 7d }\n`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    const events = await runInventory(config);
    const checked = await runProfile(config, events, { now: () => new Date('2026-11-27T12:00:00Z') });
    expect(checked.rules.map((r) => [r.status, r.message])).toEqual([
      ['passed', 'newest value 2026-11-27T08:00:00; at most 7d old allowed'],
    ]);
  });

  it('counts a range rule on a column past the distinct-value limit in the whole column, as formats are', async () => {
    // 150,000 distinct amounts, a tenth of them above the bound: counted on a sample, stated for the column.
    const lines = ['id;montant'];
    for (let i = 0; i < 150_000; i++) lines.push(`${i};${i}`);
    writeFileSync(join(dir, 'ventes.csv'), `${lines.join('\n')}\n`);
    const { config } = parseConfig(
      `sources:\n  f: { kind: csv, path: ventes.csv }\nrules:\n  - { dataset: f.ventes, column: montant, check: range, min: 0, max: 134999 }\n`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    const checked = await runProfile(config, await runInventory(config));
    const [rule] = checked.rules;
    expect(rule!.checked).toBe(150_000);
    expect(rule!.failed / 150_000).toBeCloseTo(0.1, 1);
    expect(rule!.message).toMatch(
      /^\d+ of 150000 values fall outside \[0, 134999\] \(estimated from a sample of the values\)$/,
    );
  });

  it('keeps a range bound past a double as written, and compares it digit by digit', async () => {
    writeFileSync(
      join(dir, 'big.csv'),
      'id;n\n1;5\n2;9007199254740993\n3;18446744073709551614\n4;18446744073709551615\n',
    );
    const { config } = parseConfig(
      `sources:\n  f: { kind: csv, path: big.csv }\nrules:\n  - { dataset: f.big, column: n, check: range, max: 18446744073709551614 }\n  - { dataset: f.big, column: n, check: range, min: 9007199254740993 }\n`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    expect(config.rules!.map((r) => [r.min, r.max])).toEqual([
      [undefined, '18446744073709551614'],
      ['9007199254740993', undefined],
    ]);
    const checked = await runProfile(config, await runInventory(config));
    expect(checked.rules.map((r) => [r.checked, r.failed])).toEqual([
      [4, 1],
      [4, 1],
    ]);
    expect(checked.rules[0]!.message).toContain('[-∞, 18446744073709551614]');
  });

  it('leaves zero dates out of a range rule on a date column: missing, as the profile counts them', async () => {
    const db = new Database(join(dir, 'dates.sqlite'));
    db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, d DATE);
      INSERT INTO events VALUES (1, '0000-00-00'), (2, '2024-00-15'), (3, '2024-02-00'), (4, '2024-02-29'),
        (5, '1850-06-01');`);
    db.close();
    const { config } = parseConfig(
      `sources:\n  z: { kind: sqlite, path: dates.sqlite }\nrules:\n  - { dataset: z.events, column: d, check: range, min: "1900-01-01" }\n`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    const checked = await runProfile(config, await runInventory(config));
    expect(checked.rules[0]).toMatchObject({ checked: 2, failed: 1 });
  });

  it('masks the newest value of a personal-data column in the freshness message, unless --show-samples', async () => {
    writeFileSync(join(dir, 'patients.csv'), 'id;date_naissance\n1;1980-05-17\n2;2002-03-01\n3;1975-11-30\n');
    const { config } = parseConfig(
      `sources:\n  h: { kind: csv, path: patients.csv }\nrules:\n  - { dataset: h.patients, column: date_naissance, check: freshness, maxAge: 1d }\n`,
      join(dir, 'stocktake.yaml'),
      {},
    );
    const inventory = await runInventory(config);
    const masked = await runProfile(config, inventory);
    expect(masked.datasets[0]!.columns[1]!.personal?.kind).toBe('birth_date');
    const [rule] = masked.rules;
    expect(rule!.message).toBe('newest value 2***-**-**; at most 1d old allowed');
    expect(rule!.messageFr).toContain('2***-**-**');
    expect(JSON.stringify(masked)).not.toContain('2002-03-01');
    const shown = await runProfile(config, inventory, { showSamples: true });
    expect(shown.rules[0]!.message).toBe('newest value 2002-03-01; at most 1d old allowed');
  });
});
