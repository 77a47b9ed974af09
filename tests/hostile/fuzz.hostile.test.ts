import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as csvStringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify as yamlStringify } from 'yaml';
import { parseConfig } from '../../src/config/load.ts';
import type { TransformStepConfig } from '../../src/config/schema.ts';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import type { Value } from '../../src/connectors/types.ts';
import { isStocktakeError } from '../../src/core/errors.ts';
import { compileMapping } from '../../src/mappers/compile-mapping.ts';
import { REJECT_CODES } from '../../src/mappers/mapping-types.ts';
import { TypeInference } from '../../src/profilers/type-inference.ts';
import { convertValue, INVALID } from '../../src/profilers/type-inference-convert.ts';
import { column, dataset, mapping } from '../unit/mapping-fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-fuzz-'));
let counter = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes `content` as a fresh CSV file and reads it whole through the connector. */
async function readCsv(
  content: Buffer | string,
  options: { delimiter?: string } = {},
): Promise<{ rows: unknown[][]; columns: string[] }> {
  const dir = join(root, `f${++counter}`);
  mkdirSync(dir);
  const path = join(dir, 'data.csv');
  writeFileSync(path, content);
  const connector = await createCsvConnector(
    { kind: 'csv', path, ...options },
    { name: 'fuzz', mode: 'audit' },
  );
  const inventory = await connector.inventory();
  const rows: unknown[][] = [];
  const columns: string[] = [];
  for (const found of inventory.datasets) {
    columns.push(...found.columns.map((c) => c.name));
    for await (const batch of connector.read({ name: found.name })) rows.push(...batch);
  }
  return { rows, columns };
}

/** Runs `work` and returns its error; rethrows nothing, so the property can judge it. */
async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('the CSV reader on arbitrary input', () => {
  it('reads arbitrary bytes as rows or fails with a StocktakeError', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 2048 }),
      fc
        .array(fc.constantFrom(...'a,;\t"\r\n\u00e9 1.'.split('')), { maxLength: 400 })
        .map((chars) => chars.join('')),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (content) => {
        const error = await caught(() =>
          readCsv(typeof content === 'string' ? content : Buffer.from(content)),
        );
        if (error !== undefined) expect(isStocktakeError(error), String(error)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('reads a table written by csv-stringify (any delimiter, LF or CRLF) back as the same text', async () => {
    // Letters first, so no column is typed as a number or date and the text comes back verbatim.
    const cell = fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => `v${s}`);
    const table = fc
      .integer({ min: 1, max: 6 })
      .chain((width) =>
        fc.tuple(
          fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), { minLength: width, maxLength: width }),
          fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 20 }),
        ),
      );
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.constantFrom(',', ';', '\t', '|'),
        fc.constantFrom('unix', 'windows'),
        async ([header, rows], delimiter, eol) => {
          // The delimiter is given: a one-column file holding commas is ambiguous to any sniffer.
          const text = csvStringify([header, ...rows], { delimiter, record_delimiter: eol as 'unix' });
          const { rows: back, columns } = await readCsv(text, { delimiter });
          expect(columns).toEqual(header);
          expect(back).toEqual(rows);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('type inference on arbitrary strings', () => {
  const text = fc.oneof(
    fc.string(),
    fc.stringMatching(/^[0-9 .,\-+/:eE]{0,16}$/),
    fc.constantFrom('1', '1.5', '1,5', '2024-02-30', '31/12/2024', 'true', 'oui', 'NaN', '1e400', '', ' '),
  );

  it('never throws and types a column so that every non-empty value converts', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 30 }), fc.constantFrom('dmy', 'mdy'), (values, dateOrder) => {
        const inference = new TypeInference({ dateOrder: dateOrder as 'dmy' | 'mdy' });
        for (const value of values) inference.addText(value);
        const result = inference.result();
        const plan = {
          type: result.type,
          decimalSeparator: result.decimalSeparator,
          dateOrder: result.dateOrder,
        };
        for (const value of values) {
          expect(convertValue(value, plan), `${JSON.stringify(value)} as ${result.type}`).not.toBe(INVALID);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on values of any kind', () => {
    const anything = fc.oneof(
      text,
      fc.double(),
      fc.integer(),
      fc.bigInt(),
      fc.boolean(),
      fc.date(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(anything, { maxLength: 20 }), (values) => {
        const inference = new TypeInference();
        for (const value of values) inference.add(value);
        expect(() => inference.result()).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});

const STEPS: readonly TransformStepConfig[] = [
  'text',
  'trim',
  'lowercase',
  'uppercase',
  'collapse_spaces',
  'strip_accents',
  { prefix: 'P-' },
  { replace: { pattern: '(a+)+$', with: '_' } },
  { split: { separator: ' ', index: 3 } },
  { null_if: ['', 'N/A'] },
  { default: 0 },
  { lookup: { values: { a: 'A' }, onMissing: 'keep' } },
  'number',
  'integer',
  'boolean',
  { date: { formats: ['dd/MM/yyyy', 'iso'] } },
  { datetime: { formats: ['iso'], zone: 'America/New_York' } },
  'phone',
  'email',
  { hash: { secret: 'fuzz-secret-0123456789abcdef' } },
  'uuid',
  { expr: 'string(v) + "!"' },
];

describe('transforms on arbitrary values', () => {
  const source = dataset('s', [column('v', 'string')]);
  const anyValue = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.boolean(),
    fc.constant(null),
    fc.date({ noInvalidDate: true }),
  );

  it.each(STEPS.map((s) => [typeof s === 'string' ? s : Object.keys(s)[0]!, s] as const))(
    '%s returns a value or a rejection',
    (_name, step) => {
      const compiled = compileMapping(mapping({ v: { transform: [step] } }), 0, { source });
      fc.assert(
        fc.property(anyValue, (value) => {
          const rejection = compiled.map([value as Value], []);
          if (rejection) expect(REJECT_CODES).toContain(rejection.code);
        }),
        { numRuns: 150 },
      );
    },
  );
});

const CONFIG_CODES = ['CONFIG_PARSE', 'CONFIG_INVALID', 'CONFIG_ENV_MISSING'];

function parseOutcome(text: string): unknown {
  try {
    parseConfig(text, '/fuzz/stocktake.yaml', { HOME_DIR: '/home' });
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('the config loader on arbitrary text', () => {
  const yamlish = fc.oneof(
    fc.string(),
    fc
      .array(
        fc.constantFrom(
          'sources:',
          '\n',
          '  ',
          '- ',
          'kind: csv',
          'kind: postgres',
          'path: ${HOME_DIR}/x',
          'url: ${MISSING}',
          '&a [*a, *a]',
          '*a',
          '!!binary',
          '{',
          '}',
          '"',
          ':',
          '#',
          'x',
          '? ',
          '---',
          'rules:',
          'mappings:',
        ),
        { maxLength: 30 },
      )
      .map((parts) => parts.join('')),
  );

  it('fails with a CONFIG_* StocktakeError or accepts, on YAML-ish text', () => {
    fc.assert(
      fc.property(yamlish, (text) => {
        const error = parseOutcome(text);
        if (error === undefined) return;
        expect(isStocktakeError(error), String(error)).toBe(true);
        expect(CONFIG_CODES).toContain((error as { code: string }).code);
      }),
      { numRuns: 300 },
    );
  });

  it('fails with a CONFIG_* StocktakeError or accepts, on arbitrary JSON trees', () => {
    const tree = fc.oneof(
      fc.jsonValue(),
      fc.record({ sources: fc.dictionary(fc.string(), fc.jsonValue()) }),
      fc.record({
        sources: fc.dictionary(
          fc.stringMatching(/^[a-z]{1,6}$/),
          fc.record({
            kind: fc.constantFrom('csv', 'xlsx', 'sqlite', 'postgres', 'x'),
            path: fc.jsonValue(),
          }),
        ),
        rules: fc.jsonValue(),
      }),
    );
    fc.assert(
      fc.property(tree, (value) => {
        const error = parseOutcome(JSON.stringify(value));
        if (error === undefined) return;
        expect(isStocktakeError(error), String(error)).toBe(true);
        expect(CONFIG_CODES).toContain((error as { code: string }).code);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['an alias before its anchor', '? *a'],
    ['an alias inside its own anchor', 'sources: &a [*a, *a]'],
    [
      'an alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\nsources: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
    ],
  ])('rejects %s as CONFIG_PARSE naming the file', (_label, text) => {
    const error = parseOutcome(text);
    expect(isStocktakeError(error, 'CONFIG_PARSE')).toBe(true);
    expect((error as Error).message).toContain('/fuzz/stocktake.yaml');
  });

  it('round-trips a valid config through YAML stringify and parse', () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
    const fileSource = fc.record({
      kind: fc.constantFrom('csv', 'xlsx', 'sqlite'),
      path: fc.stringMatching(/^\/[a-zA-Z0-9 _.'"#:-]{1,20}$/),
    });
    const config = fc.record({ sources: fc.dictionary(name, fileSource, { minKeys: 1, maxKeys: 4 }) });
    fc.assert(
      fc.property(config, (raw) => {
        const first = parseConfig(yamlStringify(raw), '/fuzz/a.yaml', {}).config;
        const again = parseConfig(yamlStringify(first), '/fuzz/b.yaml', {}).config;
        expect(again).toEqual(first);
      }),
      { numRuns: 150 },
    );
  });
});
