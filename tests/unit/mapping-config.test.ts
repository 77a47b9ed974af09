import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { Value } from '../../src/connectors/types.ts';
import { isStocktakeError } from '../../src/core/errors.ts';
import { compileMapping } from '../../src/mappers/compile-mapping.ts';
import { column, dataset } from './mapping-fixtures.ts';

const CONFIG = `
sources:
  crm: { kind: sqlite, path: crm.db }
targets:
  newtool: { kind: sqlite, path: new.db }
mappings:
  - name: contacts
    from: { source: crm, dataset: customers, where: "deleted = 0" }
    to:   { target: newtool, dataset: contacts, key: [external_id], mode: upsert }
    fields:
      external_id: { from: id, transform: [text, { prefix: "CRM-" }] }
      email:       { from: email, transform: [trim, lowercase], validate: email, onInvalid: reject }
      created_at:  { from: date_creation, transform: [{ date: { formats: [dd/MM/yyyy, yyyy-MM-dd] } }] }
      pseudo:      { from: email, transform: [{ hash: { secret: "\${HASH_SECRET}", length: 16 } }] }
`;

/** A config of one mapping `m` from crm.customers, up to its `to:` line. */
const ONE_MAPPING = `sources:
  crm: { kind: sqlite, path: crm.db }
targets:
  newtool: { kind: sqlite, path: new.db }
mappings:
  - name: m
    from: { source: crm, dataset: customers }`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'stocktake.yaml', { HASH_SECRET: 'a-secret-from-the-environment' });
  } catch (error) {
    if (isStocktakeError(error, 'CONFIG_INVALID')) return error.context.problems as string[];
    throw error;
  }
  return [];
}

describe('mappings as the config writes them', () => {
  test('the DESIGN.md mapping loads and compiles', () => {
    const { config } = parseConfig(CONFIG, 'stocktake.yaml', {
      HASH_SECRET: 'a-secret-from-the-environment',
    });
    const source = dataset('customers', [
      column('id', 'integer'),
      column('email', 'string'),
      column('date_creation', 'string'),
    ]);
    const compiled = compileMapping(config.mappings![0]!, 0, { source });
    const out: Value[] = [];
    expect(compiled.map([7, ' A@B.FR ', '01/02/2024'], out)).toBe(null);
    expect(out.slice(0, 3)).toEqual(['CRM-7', 'a@b.fr', '2024-02-01']);
    expect(out[3]).toMatch(/^[0-9a-f]{16}$/);
  });

  test('`null` written bare (a YAML null) is the word null for onInvalid and onMissing', () => {
    const text = `${ONE_MAPPING}
    to: { target: newtool, dataset: contacts, identity: {} }
    fields:
      day: { transform: [{ date: dd/MM/yyyy }], onInvalid: null }
      town: { transform: [{ lookup: { values: { P: Paris }, onMissing: null } }] }
      boss: { transform: [{ ref: { mapping: m, onMissing: null } }] }
      other: { onInvalid: nul }
      blank: { onInvalid: }
`;
    expect(problems(text)).toEqual([
      '  ! mappings[0].fields.other.onInvalid: expected one of "reject", "null", "keep", got "nul" (did you mean "null"?)  (stocktake.yaml:13:27)',
      // Left blank, it is no choice: refused, not read as null.
      '  ! mappings[0].fields.blank.onInvalid: expected one of "reject", "null", "keep", got ""  (stocktake.yaml:14:14)',
    ]);
    const fixed = text
      .replace('onInvalid: nul }', 'onInvalid: null }')
      .replace('onInvalid: }', 'onInvalid: keep }');
    const { config } = parseConfig(fixed, 'stocktake.yaml', {});
    const fields = config.mappings![0]!.fields;
    expect(fields.day!.onInvalid).toBe('null');
    expect(fields.other!.onInvalid).toBe('null');
    expect(fields.town!.transform).toEqual([{ lookup: { values: { P: 'Paris' }, onMissing: 'null' } }]);
    expect(fields.boss!.transform).toEqual([{ ref: { mapping: 'm', onMissing: 'null' } }]);
  });

  test('concat takes its separator as join does: bare, as text, or as an object', () => {
    const text = (step: string) => `${ONE_MAPPING}
    to: { target: newtool, dataset: contacts, key: [id] }
    fields:
      id: {}
      full: { from: [first, last], transform: [${step}] }
`;
    const source = dataset('customers', [
      column('id', 'integer'),
      column('first', 'string'),
      column('last', 'string'),
    ]);
    for (const [step, expected] of [
      ['concat', 'JeanDupont'],
      ['{ concat: ", " }', 'Jean, Dupont'],
      ['{ concat: { separator: " " } }', 'Jean Dupont'],
    ] as const) {
      expect(problems(text(step))).toEqual([]);
      const { config } = parseConfig(text(step), 'stocktake.yaml', {});
      const out: Value[] = [];
      expect(compileMapping(config.mappings![0]!, 0, { source }).map([1, 'Jean', 'Dupont'], out)).toBe(null);
      expect(out[1]).toBe(expected);
    }
  });

  test('the schema catches misspelt transform keys and bad arguments with their paths', () => {
    const bad = CONFIG.replace(
      '{ date: { formats: [dd/MM/yyyy, yyyy-MM-dd] } }',
      '{ dat: { formats: [dd/MM/yyyy] } }',
    )
      .replace('{ prefix: "CRM-" }', '{ prefix: "CRM-", suffix: "-X" }')
      .replace('length: 16', 'length: 4');
    expect(problems(bad)).toEqual([
      '  ! mappings[0].fields.external_id.transform[1]: a transform step has exactly one key: its name  (stocktake.yaml:11:50)',
      '  ! mappings[0].fields.created_at.transform[0].dat: unknown key (did you mean "date"?)  (stocktake.yaml:13:62)',
      '  ! mappings[0].fields.pseudo.transform[0].hash.length: Too small: expected number to be >=8  (stocktake.yaml:14:91)',
    ]);
  });

  test('a transform written as a field key is pointed to the transform list', () => {
    const bad = CONFIG.replace(
      '{ from: email, transform: [trim, lowercase], validate: email, onInvalid: reject }',
      '{ expr: "lower(email)" }',
    );
    expect(problems(bad)).toEqual([
      '  ! mappings[0].fields.email.expr: unknown key (expr is a transform: write it in the list, `transform: [{ expr: … }]` (an expression names its own columns: leave `from` out))  (stocktake.yaml:12:28)',
    ]);
  });
});
