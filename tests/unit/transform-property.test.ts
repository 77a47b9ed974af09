import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { TransformStepConfig } from '../../src/config/schema.ts';
import type { Value } from '../../src/connectors/types.ts';
import { compileMapping } from '../../src/mappers/compile-mapping.ts';
import { REJECT_CODES } from '../../src/mappers/mapping-types.ts';
import { column, dataset, mapping } from './mapping-fixtures.ts';

const STEPS: readonly TransformStepConfig[] = [
  'text',
  'trim',
  'lowercase',
  'uppercase',
  'collapse_spaces',
  'strip_accents',
  { prefix: 'P-' },
  { suffix: '-S' },
  { replace: { pattern: '[aeiou]+', with: '_' } },
  { split: { separator: ' ', index: 1 } },
  { null_if: ['', 'N/A'] },
  { default: 'x' },
  { lookup: { values: { a: 'A' }, onMissing: 'reject' } },
  'number',
  'integer',
  'boolean',
  { date: { formats: ['dd/MM/yyyy', 'yyyyMMdd', 'iso', 'd MMMM yyyy'] } },
  { datetime: { formats: ['dd/MM/yyyy HH:mm', 'iso'], zone: 'Europe/Paris' } },
  'phone',
  'email',
  { hash: { secret: 'property-test-secret-0123456789' } },
  'uuid',
  { expr: 'size(v) > 3 ? upper(v) : v' },
];

const source = dataset('s', [column('v', 'string')]);

/** Strings people type: digits, separators, accents, French words and pure noise. */
const messy = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.stringMatching(/^[0-9 .,'\u00a0\-+/:]{0,20}$/),
  fc.constantFrom('31/02/2024', '29/02/2024', '06 12 34 56 78', 'oui', 'N/A', '1 234,56', 'é', '\u0000'),
);

describe('transforms never throw', () => {
  test.each(STEPS.map((s) => [typeof s === 'string' ? s : Object.keys(s)[0]!, s] as const))(
    '%s returns a value or a rejection for any string',
    (_name, step) => {
      const compiled = compileMapping(mapping({ v: { transform: [step] } }), 0, { source });
      const out: Value[] = [];
      fc.assert(
        fc.property(messy, (text) => {
          const rejection = compiled.map([text], out);
          if (rejection) expect(REJECT_CODES).toContain(rejection.code);
        }),
        { numRuns: 300 },
      );
    },
  );

  test('whole pipelines never throw on any value type either', () => {
    const anyValue = fc.oneof(messy, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.bigInt());
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...STEPS), { minLength: 1, maxLength: 4 }),
        anyValue,
        (steps, value) => {
          const compiled = compileMapping(mapping({ v: { transform: steps } }), 0, { source });
          const rejection = compiled.map([value as Value], []);
          if (rejection) expect(REJECT_CODES).toContain(rejection.code);
        },
      ),
      { numRuns: 500 },
    );
  });
});
