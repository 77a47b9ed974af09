import { describe, expect, test } from 'vitest';
import type { Value } from '../../src/connectors/types.ts';
import { isStocktakeError, StocktakeError } from '../../src/core/errors.ts';
import { compileMapping, compileMappings } from '../../src/mappers/compile-mapping.ts';
import { formatRejection } from '../../src/mappers/rejection-text.ts';
import { column, dataset, mapping } from './mapping-fixtures.ts';

const source = dataset('public.customers', [
  column('id', 'integer'),
  column('name', 'string'),
  column('email', 'string'),
  column('created', 'string'),
  column('amount', 'string'),
]);

const target = dataset('contacts', [
  column('external_id', 'string', { nativeType: 'varchar(12)', length: 12, nullable: false }),
  column('name', 'string', { nativeType: 'varchar(10)', length: 10 }),
  column('email', 'string', { nativeType: 'varchar(80)', length: 80 }),
  column('created_on', 'date', { nativeType: 'date' }),
  column('amount', 'decimal', { nativeType: 'numeric(6,2)', precision: 6, scale: 2 }),
  column('age', 'integer', { nativeType: 'smallint' }),
  column('status', 'string', { nativeType: 'status_t', enumValues: ['active', 'closed'] }),
  column('score', 'integer', { nativeType: 'integer', nullable: false }),
  column('row_id', 'integer', { nativeType: 'integer', nullable: false, autoIncrement: true }),
]);

function problemsOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isStocktakeError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('compile problems', () => {
  test('every problem is listed at once, with its path and a did-you-mean', () => {
    const message = problemsOf(() =>
      compileMapping(
        mapping(
          {
            external_id: { from: 'id', transform: ['text', { prefix: 'CRM-' }] },
            nom: { from: 'nom' },
            email: { from: 'email', transform: ['trim', 'lowercse'], validate: 'emial' },
            created_on: {
              from: 'created',
              transform: [{ date: { formats: ['dd/MM/yyyy', 'MM/yyyy'], zone: 'Europe/Pariss' } }],
            },
            amount: { from: ['amount', 'id'] },
            age: { from: 'created', transform: [{ datetime: { zone: 'UTC' } }] },
            note: { transform: [{ expr: 'upper(nme)' }] },
            status: {
              from: 'name',
              transform: [{ replace: { pattern: '(', with: '' } }, { hash: { secret: 'short' } }],
            },
          },
          ['external_id', 'ref'],
        ),
        3,
        { source, target },
      ),
    );
    expect(message).toBe(
      [
        'mapping contacts: 13 problems',
        '  ! mappings[3].fields.nom.from: source dataset public.customers has no column "nom" (did you mean "name"?) (MAP_SOURCE_COLUMN_MISSING)',
        '  ! mappings[3].fields.nom: target dataset contacts has no column "nom" (did you mean "name"?) (MAP_TARGET_COLUMN_MISSING)',
        '  ! mappings[3].fields.email.transform[1]: unknown transform "lowercse" (did you mean "lowercase"?) (MAP_TRANSFORM_UNKNOWN)',
        '  ! mappings[3].fields.email.validate: unknown format "emial" (did you mean "email"?) (MAP_VALIDATE_UNKNOWN)',
        '  ! mappings[3].fields.created_on.transform[0].date.zone: unknown time zone "Europe/Pariss" (an IANA name such as Europe/Paris) (MAP_TRANSFORM_INVALID)',
        '  ! mappings[3].fields.amount.from: names 2 columns: begin `transform` with one that combines them (concat, join, coalesce, hash or uuid), or leave `from` out for an `expr`, which names its own columns (MAP_FIELD_INVALID)',
        '  ! mappings[3].fields.age.transform: produces timestamp values, but target column contacts.age is integer (smallint); add a transform that converts them (MAP_TYPE_MISMATCH)',
        '  ! mappings[3].fields.note.transform[0].expr: the expression names "nme", which is no source column (did you mean "name"?) (MAP_TRANSFORM_INVALID)',
        '  ! mappings[3].fields.note: target dataset contacts has no column "note" (did you mean "name"?) (MAP_TARGET_COLUMN_MISSING)',
        '  ! mappings[3].fields.status.transform[0].replace.pattern: invalid regular expression: /(/g: Unterminated group (MAP_TRANSFORM_INVALID)',
        '  ! mappings[3].fields.status.transform[1].hash.secret: the secret must be at least 16 characters, taken from the environment: secret: "${HASH_SECRET}" (MAP_TRANSFORM_INVALID)',
        '  ! mappings[3].to.key: key field "ref" is not mapped under `fields` (MAP_FIELD_INVALID)',
        '  ! mappings[3].fields: target column contacts.score is NOT NULL without a default, and no field maps it (MAP_TARGET_COLUMN_UNMAPPED)',
      ].join('\n'),
    );
  });

  test('the error is CONFIG_INVALID (exit 2) and carries each problem with a MAP_* code', () => {
    try {
      compileMapping(mapping({ id: { from: 'id', transform: ['trimm', 'prefix'] } }), 0, { source });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(StocktakeError);
      const e = error as StocktakeError;
      expect(e.exitCode).toBe(2);
      expect(e.context.issues).toEqual([
        {
          path: 'mappings[0].fields.id.transform[0]',
          message: 'unknown transform "trimm" (did you mean "trim"?)',
          code: 'MAP_TRANSFORM_UNKNOWN',
        },
        {
          path: 'mappings[0].fields.id.transform[1]',
          message: 'prefix: needs the text to add: { prefix: "…" }',
          code: 'MAP_TRANSFORM_INVALID',
        },
      ]);
    }
  });

  test('the secret of a hash never appears in a problem', () => {
    const message = problemsOf(() =>
      compileMapping(mapping({ id: { from: 'id', transform: [{ hash: { secret: 'tiny-secret' } }] } }), 0, {
        source,
      }),
    );
    expect(message).not.toContain('tiny-secret');
  });

  test('compileMappings reports the problems of every mapping together', () => {
    const message = problemsOf(() =>
      compileMappings([
        { mapping: mapping({ id: { from: 'idd' } }), index: 0, options: { source } },
        { mapping: mapping({ id: { from: 'id', transform: ['upercase'] } }), index: 1, options: { source } },
      ]),
    );
    expect(message).toBe(
      [
        'mappings: 2 problems',
        '  ! mappings[0].fields.id.from: source dataset public.customers has no column "idd" (did you mean "id"?) (MAP_SOURCE_COLUMN_MISSING)',
        '  ! mappings[1].fields.id.transform[0]: unknown transform "upercase" (did you mean "uppercase"?) (MAP_TRANSFORM_UNKNOWN)',
      ].join('\n'),
    );
  });
});

describe('a compiled mapping', () => {
  const fields = {
    external_id: { from: 'id', transform: ['text', { prefix: 'CRM-' }] },
    name: { from: 'name', transform: ['trim'] },
    email: { from: 'email', transform: ['trim', 'lowercase'], validate: 'email' },
    created_on: { from: 'created', transform: [{ date: { formats: ['dd/MM/yyyy'] } }] },
    amount: { from: 'amount', transform: ['number'] },
    score: { value: 0 },
  } as const;
  const compiled = compileMapping(mapping(structuredClone(fields) as never), 0, { source, target });

  test('declares what it reads and writes', () => {
    expect(compiled.sourceColumns).toEqual(['id', 'name', 'email', 'created', 'amount']);
    expect(compiled.targetFields).toEqual(['external_id', 'name', 'email', 'created_on', 'amount', 'score']);
    expect(compiled.keyFields).toEqual(['external_id']);
    expect(compiled.keyIndexes).toEqual([0]);
  });

  test('maps a row into the target representation', () => {
    const out: Value[] = [];
    expect(compiled.map([42, ' Dupont ', ' Jean@Example.FR', '12/03/2024', '1 234,5'], out)).toBe(null);
    expect(out).toEqual(['CRM-42', 'Dupont', 'jean@example.fr', '2024-03-12', '1234.5', 0]);
  });

  test.each([
    [[1, 'x', 'nope', '12/03/2024', '1'], 'email', 'REJECT_FORMAT', 'email: "nope" is not an e-mail address'],
    [
      [1, 'x', null, '31/02/2024', '1'],
      'created_on',
      'REJECT_TRANSFORM',
      'date: "31/02/2024" is not a date in dd/MM/yyyy',
    ],
    [
      [1, 'Société Générale', null, null, '1'],
      'name',
      'REJECT_TOO_LONG',
      'target: "Société Générale" is 16 characters long; contacts.name (varchar(10)) holds 10',
    ],
    [
      [1, 'x', null, null, '12 345'],
      'amount',
      'REJECT_OUT_OF_RANGE',
      'target: "12345" is too large for contacts.amount (numeric(6,2))',
    ],
    [
      [1, 'x', null, null, '1,234'],
      'amount',
      'REJECT_PRECISION',
      'target: "1.234" has 3 decimals; contacts.amount (numeric(6,2)) keeps 2',
    ],
    [
      [null, 'x', null, null, '1'],
      'external_id',
      'REJECT_REQUIRED',
      'required: null is not allowed: the field is part of the key, and a row without it cannot be matched',
    ],
    [
      [1234567890, 'x', null, null, '1'],
      'external_id',
      'REJECT_TOO_LONG',
      'target: "CRM-1234567890" is 14 characters long; contacts.external_id (varchar(12)) holds 12',
    ],
  ] as const)('rejects %o at %s', (row, field, code, sentence) => {
    const rejection = compiled.map([...row], []);
    expect(rejection).toMatchObject({ field, code });
    expect(formatRejection(rejection!)).toBe(sentence);
  });

  test('a rejection reason never contains the value, so a masked value hides it', () => {
    const rejection = compiled.map([1, 'x', 'jean.dupont@', null, '1'], [])!;
    expect(rejection.reason).not.toContain('jean');
    expect(formatRejection(rejection, 'j**********@')).toBe('email: "j**********@" is not an e-mail address');
  });

  test('applies to 100,000 rows with one compiled function and a reused out array', () => {
    const out: Value[] = [];
    const row: Value[] = [0, '', '', '', ''];
    let rejected = 0;
    let checksum = 0;
    for (let i = 0; i < 100_000; i++) {
      row[0] = i;
      row[1] = ` Nom ${i % 1000} `;
      row[2] = i % 10 === 0 ? 'invalid' : `u${i}@example.org`;
      row[3] = `${String(1 + (i % 28)).padStart(2, '0')}/0${1 + (i % 9)}/2024`;
      row[4] = `${i % 9999},${i % 100}`;
      const rejection = compiled.map(row, out);
      if (rejection) {
        rejected++;
        expect(rejection.code).toBe('REJECT_FORMAT');
        continue;
      }
      checksum += (out[4] as string).length;
      expect(out.length).toBe(6);
    }
    expect(rejected).toBe(10_000);
    expect(checksum).toBeGreaterThan(0);
    // The row function does not grow with use: the same function object, its out array reused.
    expect(out.length).toBe(6);
  });
});

describe('onInvalid, required, lossy and column types', () => {
  const src = dataset('s', [column('v', 'string'), column('n', 'integer')]);
  const tgt = dataset('t', [
    column('v', 'string', { nativeType: 'varchar(5)', length: 5 }),
    column('d', 'decimal', { nativeType: 'numeric(4,1)', precision: 4, scale: 1 }),
    column('i', 'integer', { nativeType: 'smallint' }),
    column('s', 'string', { nativeType: 'status', enumValues: ['A', 'B'] }),
    column('b', 'boolean', { nativeType: 'boolean' }),
  ]);
  function one(field: string, config: object, value: Value, options: { target?: boolean } = {}): Value {
    // Keyed on nothing here: a key field may not be null, and these tests are about the field's own rules.
    const compiled = compileMapping(mapping({ [field]: { from: 'v', ...config } }, []), 0, {
      source: src,
      ...(options.target === false ? {} : { target: tgt }),
    });
    const out: Value[] = [];
    const rejection = compiled.map([value, null], out);
    return rejection ? `${rejection.code} ${formatRejection(rejection)}` : out[0]!;
  }

  test('onInvalid: null writes null, keep keeps the value the failing step received', () => {
    const date = { transform: ['trim', { date: 'dd/MM/yyyy' }] };
    expect(one('v', { ...date, onInvalid: 'null' }, ' bad ', { target: false })).toBe(null);
    expect(one('v', { ...date, onInvalid: 'keep' }, ' bad ', { target: false })).toBe('bad');
    expect(one('v', { validate: 'siret', onInvalid: 'null' }, '123', { target: false })).toBe(null);
    expect(one('v', { validate: 'siret', onInvalid: 'keep' }, '123', { target: false })).toBe('123');
    expect(one('v', { validate: 'siret' }, '73282932000074', { target: false })).toBe('73282932000074');
    expect(one('v', { validate: 'siret' }, '73282932000075', { target: false })).toBe(
      'REJECT_FORMAT siret: "73282932000075" is not a SIRET number (14 digits and a valid key)',
    );
  });

  test('values softened by onInvalid are counted per field, for accepted rows only, with the first reason', () => {
    const compiled = compileMapping(
      mapping(
        {
          v: { from: 'v', transform: ['trim', { date: 'dd/MM/yyyy' }], onInvalid: 'null' },
          n: { from: 'n', validate: { allowed: [1, 2] }, onInvalid: 'keep' },
          w: { from: 'n', validate: { allowed: [1, 7, 9] } },
        },
        [],
      ),
      0,
      { source: src },
    );
    const out: Value[] = [];
    compiled.map(['01/02/2024', 1], out);
    // `w` rejects this row: its `v` and `n`, which failed too, are not written and not counted.
    expect(compiled.map(['bad', 3], out)).not.toBeNull();
    expect(compiled.softened()).toEqual([]);
    compiled.map([' 31/02/2024 ', 9], out);
    compiled.map(['01/02/2024', 7], out);
    expect(compiled.softened()).toEqual([
      { field: 'v', action: 'null', count: 1, reason: expect.stringMatching(/^date: /) },
      { field: 'n', action: 'keep', count: 2, reason: expect.stringMatching(/^allowed: /) },
    ]);
  });

  test('onInvalid: null also nulls a value the target column refuses; keep and a NOT NULL column reject it', () => {
    expect(one('i', { onInvalid: 'null' }, '99999')).toBe(null);
    expect(one('d', { onInvalid: 'null' }, '123.45')).toBe(null);
    expect(one('s', { onInvalid: 'null' }, 'C')).toBe(null);
    expect(one('i', { onInvalid: 'keep' }, '99999')).toMatch(/^REJECT_OUT_OF_RANGE /);
    expect(one('i', {}, '99999')).toMatch(/^REJECT_OUT_OF_RANGE /);
    const compiled = compileMapping(mapping({ i: { from: 'v', onInvalid: 'null' } }, []), 0, {
      source: src,
      target: dataset('t', [column('i', 'integer', { nativeType: 'smallint', nullable: false })]),
    });
    const out: Value[] = [];
    expect(compiled.map(['99999', null], out)?.code).toBe('REJECT_OUT_OF_RANGE');
    expect(compiled.softened()).toEqual([]);
    const nullable = compileMapping(mapping({ i: { from: 'v', onInvalid: 'null' } }, []), 0, {
      source: src,
      target: tgt,
    });
    expect(nullable.map(['99999', null], out)).toBeNull();
    expect(nullable.softened()).toEqual([
      { field: 'i', action: 'null', count: 1, reason: expect.stringMatching(/^target: .*smallint/) },
    ]);
  });

  test('required rejects null even when onInvalid writes null', () => {
    expect(
      one('v', { transform: [{ date: 'dd/MM/yyyy' }], onInvalid: 'null', required: true }, 'x', {
        target: false,
      }),
    ).toBe(
      'REJECT_REQUIRED required: null is not allowed: the field is required (it became null as date: is not a date in dd/MM/yyyy)',
    );
  });

  test('a NOT NULL column refusing the null onInvalid wrote names the failure that made it null', () => {
    const notNull = dataset('t', [column('v', 'string', { nativeType: 'text', nullable: false })]);
    const compiled = compileMapping(
      mapping({ v: { from: 'v', transform: [{ date: 'dd/MM/yyyy' }], onInvalid: 'null' } }, []),
      0,
      { source: src, target: notNull },
    );
    const out: Value[] = [];
    const rejection = compiled.map(['x', null], out);
    expect(rejection && `${rejection.code} ${formatRejection(rejection)}`).toBe(
      'REJECT_REQUIRED target: null is not allowed: t.v is NOT NULL (it became null as date: is not a date in dd/MM/yyyy)',
    );
  });

  test('required (and a key) takes an empty or blank text for no value', () => {
    expect(one('v', { required: true }, '', { target: false })).toBe(
      'REJECT_REQUIRED required: "" is empty, which is not allowed: the field is required',
    );
    expect(
      one('v', { required: true, transform: [{ replace: { pattern: '\\d', with: '' } }] }, ' 42 ', {
        target: false,
      }),
    ).toBe('REJECT_REQUIRED required: "  " is empty, which is not allowed: the field is required');
    expect(one('v', { required: true }, 'x', { target: false })).toBe('x');
  });

  test('allowed values and patterns', () => {
    expect(one('v', { validate: { allowed: ['A', 'B'] } }, 'C', { target: false })).toBe(
      'REJECT_NOT_ALLOWED allowed: "C" is not one of "A", "B"',
    );
    expect(one('v', { validate: [{ pattern: '[A-Z]{2}\\d{3}' }] }, 'AB12', { target: false })).toBe(
      'REJECT_FORMAT pattern: "AB12" does not match [A-Z]{2}\\d{3}',
    );
  });

  test('the target column: enum, integer range, decimal scale, boolean, and lossy fits', () => {
    expect(one('s', {}, 'C')).toBe('REJECT_NOT_ALLOWED target: "C" is not one of the values of t.s (A, B)');
    expect(one('i', { transform: ['integer'] }, '40000')).toBe(
      'REJECT_OUT_OF_RANGE target: 40000 is out of the range of smallint (-32768 to 32767)',
    );
    expect(one('i', {}, '12')).toBe(12);
    expect(one('i', {}, '1.5')).toBe('REJECT_TYPE target: "1.5" is not an integer (t.i is smallint)');
    expect(one('d', { transform: ['number'] }, '12,34')).toBe(
      'REJECT_PRECISION target: "12.34" has 2 decimals; t.d (numeric(4,1)) keeps 1',
    );
    expect(one('d', { transform: ['number'], lossy: true }, '12,35')).toBe('12.4');
    expect(one('d', { transform: ['number'], lossy: true }, '999,95')).toBe(
      'REJECT_OUT_OF_RANGE target: "999.95" is too large for t.d (numeric(4,1))',
    );
    expect(one('v', { lossy: true }, 'Générale')).toBe('Génér');
    expect(one('b', { transform: ['boolean'] }, 'oui')).toBe(true);
    expect(one('b', {}, 'oui')).toBe('REJECT_TYPE target: "oui" is not true or false (t.b is boolean)');
  });
});
