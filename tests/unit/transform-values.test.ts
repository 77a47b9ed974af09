import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js';
import { v5 } from 'uuid';
import { describe, expect, test } from 'vitest';
import type { TransformStepConfig } from '../../src/config/schema.ts';
import { JsonText } from '../../src/connectors/json-text.ts';
import type { Value } from '../../src/connectors/types.ts';
import { compileMapping } from '../../src/mappers/compile-mapping.ts';
import { frenchE164 } from '../../src/mappers/transforms/contact-transforms.ts';
import { defaultUuidNamespace } from '../../src/mappers/transforms/pseudonym-transforms.ts';
import { column, dataset, mapping, transformOne } from './mapping-fixtures.ts';

describe('number and integer', () => {
  test.each([
    ['1 234,56', '1234.56'],
    ['1\u00a0234,50', '1234.5'],
    ['1\u202f234\u202f567', '1234567'],
    ['1.234.567,89', '1234567.89'],
    ["1'234.5", '1234.5'],
    ['1,234,567.00', '1234567'],
    ['-0,50', '-0.5'],
    ['+12', '12'],
    [',5', '0.5'],
    ['007', '7'],
    ['-0', '0'],
    ['  ', null],
    [12.5, '12.5'],
    [1e-7, '0.0000001'],
    [1e21, '1000000000000000000000'],
    [12n, '12'],
  ] as const)('number %o → %o', (input, expected) => {
    expect(transformOne(['number'], input)).toBe(expected);
  });

  test('refuses 1.234 without a decimal separator, which settles it', () => {
    // One column mixing `1.234` and `2.500,00` read 1.234 and 2500: a value a thousand times too small.
    for (const value of ['1.234', '12.500', ' -999.000 '])
      expect(transformOne(['number'], value)).toMatch(
        /^REJECT_TRANSFORM number: ".+" is ambiguous: one dot before three digits/,
      );
    expect(transformOne([{ number: { decimal: ',' } }], '1.234')).toBe('1234');
    expect(transformOne([{ number: { decimal: '.' } }], '1.234')).toBe('1.234');
    // Not ambiguous: other digit counts, a leading zero, both separators, a comma (French decimal).
    expect(transformOne(['number'], '1.5')).toBe('1.5');
    expect(transformOne(['number'], '0.125')).toBe('0.125');
    expect(transformOne(['number'], '1234.567')).toBe('1234.567');
    expect(transformOne(['number'], '2.500,00')).toBe('2500');
    expect(transformOne(['number'], '1.234.567')).toBe('1234567');
    expect(transformOne(['number'], '1,250')).toBe('1.25');
  });

  test('number takes the value of a decimal column as the decimal it is, whatever its separator option says', () => {
    // A database DECIMAL(12,3) reads `25.000`: twenty-five, never ambiguous and never 25000.
    const source = dataset('public.customers', [column('v', 'decimal')]);
    const run = (steps: TransformStepConfig[], value: Value) => {
      const compiled = compileMapping(mapping({ k: { value: 'k' }, v: { from: 'v', transform: steps } }), 0, {
        source,
      });
      const out: Value[] = [];
      return compiled.map([value], out) ?? out[1];
    };
    expect(run(['number'], '25.000')).toBe('25');
    expect(run([{ number: { decimal: ',' } }], '25.000')).toBe('25');
    expect(run([{ integer: { decimal: ',' } }], '1.000')).toBe(1);
    expect(run([{ number: { decimal: ',' } }], 0.25)).toBe('0.25');
    // After a step that makes text, the separators apply again.
    expect(run(['text', { number: { decimal: ',' } }], '25.000')).toBe('25000');
    // So they do to the text a lookup or a default puts in the column's place.
    expect(run([{ default: '0,5' }, { number: { decimal: ',' } }], null)).toBe('0.5');
    expect(run([{ lookup: { values: { '2.5': '1,250' } } }, { number: { decimal: ',' } }], '2.5')).toBe(
      '1.25',
    );
  });

  test.each([
    ['12 a', 'REJECT_TRANSFORM number: "12 a" is not a number'],
    ['1 23,5', 'REJECT_TRANSFORM number: "1 23,5" is not a number'],
    ['1,2,3.4,5', 'REJECT_TRANSFORM number: "1,2,3.4,5" is not a number'],
    [true, 'REJECT_TYPE number: true is not a number'],
  ] as const)('number rejects %o', (input, expected) => {
    expect(transformOne(['number'], input)).toBe(expected);
  });

  test('integer: whole numbers as numbers, past 2^53 as bigint', () => {
    expect(transformOne(['integer'], '1 200')).toBe(1200);
    expect(transformOne(['integer'], '12,0')).toBe(12);
    expect(transformOne(['integer'], '12345678901234567890')).toBe(12345678901234567890n);
    expect(transformOne(['integer'], '12,5')).toBe('REJECT_TRANSFORM integer: "12,5" is not a whole number');
  });
});

describe('boolean', () => {
  test.each([
    ['oui', true],
    ['NON', false],
    ['Vrai', true],
    ['faux', false],
    ['yes', true],
    ['no', false],
    ['true', true],
    ['False', false],
    ['O', true],
    ['n', false],
    ['y', true],
    ['1', true],
    ['0', false],
    [1, true],
    [0, false],
    [false, false],
    ['', null],
  ] as const)('%o → %o', (input, expected) => {
    expect(transformOne(['boolean'], input)).toBe(expected);
  });

  test('unknown words are rejected; custom word lists replace the defaults', () => {
    expect(transformOne(['boolean'], 'peut-être')).toBe(
      'REJECT_TRANSFORM boolean: "peut-être" is not a yes/no value',
    );
    expect(transformOne([{ boolean: { true: ['actif'], false: ['inactif'] } }], 'Actif')).toBe(true);
    expect(transformOne([{ boolean: { true: ['actif'], false: ['inactif'] } }], 'oui')).toBe(
      'REJECT_TRANSFORM boolean: "oui" is not a yes/no value',
    );
  });
});

describe('phone and email', () => {
  test.each([
    ['06 12 34 56 78', '+33612345678'],
    ['06.12.34.56.78', '+33612345678'],
    ['01-23-45-67-89', '+33123456789'],
    ['+33 6 12 34 56 78', '+33612345678'],
    ['+33 (0)6 12 34 56 78', '+33612345678'],
    ['0033 6 12 34 56 78', '+33612345678'],
    // Overseas departments dial like France and have their own country codes.
    ['0594 12 34 56', '+594594123456'],
    ['0590 12 34 56', '+590590123456'],
    ['06 90 12 34 56', '+590690123456'],
    ['0696 12 34 56', '+596696123456'],
    ['0262 12 34 56', '+262262123456'],
    ['0639 01 23 45', '+262639012345'],
    // The same overseas line however it is written: international, or its nine digits alone.
    ['+33 690 12 34 56', '+590690123456'],
    ['0033 690 12 34 56', '+590690123456'],
    ['690123456', '+590690123456'],
    ['612345678', '+33612345678'],
    ['+32 2 123 45 67', '+3221234567'],
    ['', null],
  ] as const)('phone %o → %o', (input, expected) => {
    expect(transformOne(['phone'], input)).toBe(expected);
  });

  test('a number cell that lost its leading 0 is the same line', () => {
    expect(transformOne(['phone'], 690123456)).toBe('+590690123456');
    expect(transformOne(['phone'], 612345678)).toBe('+33612345678');
  });

  test('invalid phone numbers are rejected with the country', () => {
    expect(transformOne(['phone'], '12345')).toBe(
      'REJECT_FORMAT phone: "12345" is not a valid phone number for FR',
    );
    expect(transformOne([{ phone: { country: 'BE' } }], '02 123 45 67')).toBe('+3221234567');
  });

  test('the French fast path agrees with libphonenumber on random numbers, and with each overseas region', () => {
    const overseas: Record<string, CountryCode> = {
      '590': 'GP',
      '690': 'GP',
      '691': 'GP',
      '594': 'GF',
      '694': 'GF',
      '596': 'MQ',
      '696': 'MQ',
      '697': 'MQ',
      '262': 'RE',
      '263': 'RE',
      '692': 'RE',
      '693': 'RE',
      '269': 'YT',
      '639': 'YT',
    };
    let seed = 42;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const digits = `0${1 + (seed % 9)}${String(seed % 100_000_000).padStart(8, '0')}`;
      const parsed = parsePhoneNumberFromString(digits, 'FR');
      const region = overseas[digits.slice(1, 4)];
      // An overseas number: its region's E.164 (+590…), where libphonenumber reads the digits as +33.
      const expected = !parsed?.isValid()
        ? undefined
        : region
          ? parsePhoneNumberFromString(digits, region)!.number
          : parsed.number;
      expect(frenchE164(digits)).toBe(expected);
    }
    for (const [prefix, region] of Object.entries(overseas)) {
      const digits = `0${prefix}123456`;
      const inRegion = parsePhoneNumberFromString(digits, region);
      if (inRegion?.isValid()) expect(frenchE164(digits)).toBe(inRegion.number);
    }
  });

  test('email trims, lowercases and checks', () => {
    expect(transformOne(['email'], ' Jean.Dupont@Example.FR ')).toBe('jean.dupont@example.fr');
    expect(transformOne(['email'], 'jean@')).toBe('REJECT_FORMAT email: "jean@" is not an e-mail address');
  });
});

describe('hash and uuid', () => {
  const secret = 'a-secret-of-32-characters-long!!';
  test('hash is HMAC-SHA256 in hex, cut to the asked length', () => {
    const expected = createHmac('sha256', secret).update('jean.dupont@example.fr').digest('hex');
    expect(transformOne([{ hash: { secret } }], 'jean.dupont@example.fr')).toBe(expected);
    const full = transformOne([{ hash: { secret } }], 'x') as string;
    expect(full).toMatch(/^[0-9a-f]{64}$/);
    expect(transformOne([{ hash: { secret, length: 12 } }], 'x')).toBe(full.slice(0, 12));
    expect(transformOne([{ hash: { secret } }], null)).toBe(null);
  });

  test('uuid is v5 of the value in the target dataset namespace, or a given one', () => {
    expect(defaultUuidNamespace('contacts')).toBe(
      v5('stocktake:contacts', '6ba7b811-9dad-11d1-80b4-00c04fd430c8'),
    );
    expect(transformOne(['uuid'], 'CRM-1')).toBe(v5('CRM-1', defaultUuidNamespace('contacts')));
    const namespace = '1b671a64-40d5-491e-99b0-da01ff1f3341';
    expect(transformOne([{ uuid: { namespace } }], 'CRM-1')).toBe(v5('CRM-1', namespace));
    expect(transformOne(['uuid'], 'CRM-1')).toBe('6f3b221f-4e46-5e99-b498-cf9f0baa8a63');
  });
});

/** Maps one row of `source` (values by column name): the fields' values, or the rejection as `CODE step: reason`. */
function rowRunner(source: ReturnType<typeof dataset>) {
  return (fields: Parameters<typeof mapping>[0], row: Record<string, Value>): Value[] | string => {
    const compiled = compileMapping(mapping(fields), 0, { source });
    const out: Value[] = [];
    const rejection = compiled.map(
      compiled.sourceColumns.map((c) => row[c] ?? null),
      out,
    );
    return rejection ? `${rejection.code} ${rejection.step}: ${rejection.reason}` : out;
  };
}

describe('multi-column fields and expressions', () => {
  const source = dataset('public.customers', [
    column('id', 'integer'),
    column('first', 'string'),
    column('last', 'string'),
    column('mobile', 'string'),
    column('phone', 'string'),
    column('amount', 'decimal'),
  ]);

  const run = rowRunner(source);

  test('concat, join and coalesce read the listed columns in order', () => {
    const row = { id: 7, first: 'Jean', last: 'Dupont', mobile: null, phone: '0123456789' };
    expect(
      run(
        {
          full: { from: ['first', 'last'], transform: [{ join: { separator: ' ' } }] },
          code: { from: ['last', 'id'], transform: ['concat', 'uppercase'] },
          tel: { from: ['mobile', 'phone'], transform: ['coalesce', 'phone'] },
        },
        row,
      ),
    ).toEqual(['Jean Dupont', 'DUPONT7', '+33123456789']);
  });

  test('uuid and hash of several columns separate them, so (ab, c) and (a, bc) differ', () => {
    const fields = { id: { from: ['first', 'last'], transform: ['uuid'] } };
    expect(run(fields, { first: 'ab', last: 'c' })).not.toEqual(run(fields, { first: 'a', last: 'bc' }));
  });

  test('expr is CEL over the source columns and value, integers as CEL ints', () => {
    expect(
      run(
        { name: { transform: [{ expr: "upper(first) + ' ' + last" }] } },
        { first: 'jean', last: 'Dupont' },
      ),
    ).toEqual(['JEAN Dupont']);
    expect(run({ n: { from: 'id', transform: [{ expr: 'value * 2 + 1' }] } }, { id: 20 })).toEqual([41]);
    expect(run({ n: { from: 'first', transform: [{ expr: 'value == null ? "?" : value' }] } }, {})).toEqual([
      '?',
    ]);
    expect(run({ n: { from: 'first', transform: [{ expr: 'upper(value)' }] } }, { first: null })).toBe(
      "REJECT_TRANSFORM expr: makes the expression fail: found no matching overload for 'upper(null)'",
    );
  });

  test('expr reads a decimal column as a double; a failure names the values it read', () => {
    // A decimal arrives as its exact text (`12.50`): CEL has no decimal, so the expression sees 12.5.
    expect(
      run(
        {
          ttc: { transform: [{ expr: 'amount * 1.2' }] },
          size: { transform: [{ expr: "amount > 10.0 ? 'big' : 'small'" }] },
        },
        { amount: '12.50' },
      ),
    ).toEqual([15, 'big']);
    expect(run({ n: { from: 'amount', transform: [{ expr: 'value * 2.0' }] } }, { amount: '12.50' })).toEqual(
      [25],
    );
    expect(
      run({ n: { from: 'amount', transform: [{ expr: 'value' }] } }, { amount: '1234567890123456.7' }),
    ).toBe(
      'REJECT_PRECISION expr: cannot read the value: an expression computes with doubles, which keep about 15 significant digits',
    );
    // A decimal a double would change is refused, never rounded.
    expect(run({ n: { transform: [{ expr: 'amount' }] } }, { amount: '12345678901234567.89' })).toBe(
      'REJECT_PRECISION expr: cannot read amount = "12345678901234567.89": an expression computes with doubles, which keep about 15 significant digits',
    );
    expect(run({ n: { transform: [{ expr: 'amount' }] } }, { amount: '123456789012.50' })).toEqual([
      123456789012.5,
    ]);
    expect(run({ n: { transform: [{ expr: 'amount + first' }] } }, { amount: '1.5', first: 'x' })).toBe(
      'REJECT_TRANSFORM expr: makes the expression fail: no such overload: dyn<double> + dyn<string> (first = "x", amount = 1.5)',
    );
  });
});

describe('replace', () => {
  test('works on whole characters: an emoji is never cut in two', () => {
    expect(transformOne([{ replace: { pattern: 'x*', with: '-' } }], '😀')).toBe('-😀-');
    expect(transformOne([{ replace: { pattern: '^.', with: '' } }], '😀abc')).toBe('abc');
    expect(transformOne([{ replace: { pattern: '\\p{L}', with: 'x' } }], 'é1')).toBe('x1');
  });

  test('reads a pattern only the legacy syntax takes, and refuses a result with half a character', () => {
    expect(transformOne([{ replace: { pattern: '\\_', with: ' ' } }], 'a_b')).toBe('a b');
    expect(transformOne([{ replace: { pattern: '\\_|^.', with: '' } }], '😀a')).toBe(
      'REJECT_ENCODING replace: "😀a" would split a character beyond U+FFFF (an emoji) in two',
    );
  });
});

describe('expr results and failures', () => {
  const source = dataset('s', [
    column('nom', 'string'),
    column('telephone', 'string'),
    column('code', 'string'),
    column('type', 'string'),
    column('int', 'integer'),
  ]);

  const run = rowRunner(source);

  test('a failure masks the personal values it names', () => {
    const reason = run(
      { n: { transform: [{ expr: 'int(nom) + size(telephone)' }] } },
      { nom: 'Dupont', telephone: '06 12 34 56 78', code: 'A1' },
    ) as string;
    expect(reason).toMatch(/^REJECT_TRANSFORM expr: makes the expression fail: /);
    expect(reason).not.toContain('Dupont');
    expect(reason).not.toContain('12 34 56');
    expect(reason).toContain('nom = "D');
    // CEL's own message quoting a value is masked too.
    const quoted = run({ n: { transform: [{ expr: 'duration(nom)' }] } }, { nom: 'Dupont' }) as string;
    expect(quoted).toMatch(/^REJECT_TRANSFORM expr: makes the expression fail: /);
    expect(quoted).not.toContain('Dupont');
  });

  test('a list or a map is a JSON document, its integers whole', () => {
    const [list] = run({ n: { transform: [{ expr: '[1, 2, 9007199254740993]' }] } }, {}) as Value[];
    expect(list).toEqual(new JsonText('[1,2,9007199254740993]'));
    const [map] = run({ n: { transform: [{ expr: '{"a": [1], "b": [2, 3]}' }] } }, {}) as Value[];
    expect(map).toEqual(new JsonText('{"a":[1],"b":[2,3]}'));
  });

  test('a source column named as a CEL type does not stop the expression', () => {
    expect(
      run({ n: { from: 'code', transform: [{ expr: 'value + "!"' }] } }, { code: 'A', type: 'B', int: 1 }),
    ).toEqual(['A!']);
  });
});

describe('lookup from a CSV file', () => {
  test('reads a ; separated file once, relative to baseDir', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-lookup-'));
    writeFileSync(join(dir, 'pays.csv'), 'code;libelle\nFR;France\nBE;Belgique\n');
    const source = dataset('s', [column('v', 'string')]);
    const compiled = compileMapping(
      mapping({ v: { transform: [{ lookup: { file: 'pays.csv', key: 'code', value: 'libelle' } }] } }),
      0,
      { source, baseDir: dir },
    );
    const out: Value[] = [];
    expect(compiled.map(['BE'], out)).toBe(null);
    expect(out).toEqual(['Belgique']);
    expect(compiled.map(['DE'], out)).toMatchObject({
      code: 'REJECT_LOOKUP_MISSING',
      reason: 'is not in pays.csv',
    });
  });

  test('separates by the one delimiter its header uses: a ; file keeps the commas of its cells', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-lookup-'));
    writeFileSync(join(dir, 'formes.csv'), 'code;libelle\nSA;Société anonyme, au capital\nA;1,5\n');
    writeFileSync(join(dir, 'tabs.csv'), 'code\tlibelle\nSA;x\tun; deux\n');
    const source = dataset('s', [column('v', 'string')]);
    const run = (file: string, key: string) => {
      const compiled = compileMapping(
        mapping({ v: { transform: [{ lookup: { file, key: 'code', value: 'libelle' } }] } }),
        0,
        { source, baseDir: dir },
      );
      const out: Value[] = [];
      compiled.map([key], out);
      return out[0];
    };
    expect(run('formes.csv', 'SA')).toBe('Société anonyme, au capital');
    expect(run('formes.csv', 'A')).toBe('1,5');
    expect(run('tabs.csv', 'SA;x')).toBe('un; deux');
    // One `;` and one `,` in the header: `;` wins; Excel's `sep=` line names the separator.
    writeFileSync(join(dir, 'tie.csv'), 'code;libelle, court\nSA;Société anonyme\n');
    writeFileSync(join(dir, 'sep.csv'), 'sep=;\ncode;libelle\nSA;S.A., société\n');
    const other = (file: string) => {
      const compiled = compileMapping(
        mapping({
          v: {
            transform: [
              { lookup: { file, key: 'code', value: file === 'tie.csv' ? 'libelle, court' : 'libelle' } },
            ],
          },
        }),
        0,
        { source, baseDir: dir },
      );
      const out: Value[] = [];
      compiled.map(['SA'], out);
      return out[0];
    };
    expect(other('tie.csv')).toBe('Société anonyme');
    expect(other('sep.csv')).toBe('S.A., société');
  });

  test('reads a Windows-1252 file as such, and refuses one mixing encodings with the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-lookup-'));
    // "forme;libellé\nSté;Société\n" as a legacy Excel export writes it.
    writeFileSync(join(dir, 'formes.csv'), Buffer.from('forme;libell\xe9\nSt\xe9;Soci\xe9t\xe9\n', 'latin1'));
    const source = dataset('s', [column('v', 'string')]);
    const compiled = compileMapping(
      mapping({ v: { transform: [{ lookup: { file: 'formes.csv', key: 'forme', value: 'libellé' } }] } }),
      0,
      { source, baseDir: dir },
    );
    const out: Value[] = [];
    expect(compiled.map(['Sté'], out)).toBe(null);
    expect(out).toEqual(['Société']);

    writeFileSync(
      join(dir, 'mixed.csv'),
      Buffer.concat([
        Buffer.from('forme;libellé\nSté;Société\n'),
        Buffer.from('SA;Soci\xe9t\xe9 anonyme\n', 'latin1'),
      ]),
    );
    expect(() =>
      compileMapping(
        mapping({ v: { transform: [{ lookup: { file: 'mixed.csv', key: 'forme', value: 'libellé' } }] } }),
        0,
        { source, baseDir: dir },
      ),
    ).toThrow('mixed.csv mixes encodings: line 3 is not UTF-8');
  });
});

describe('phone', () => {
  test('refuses a value that holds more than a number, rather than drop the rest', () => {
    for (const text of ['01 23 45 67 89 ext. 12', '+33612345678a', 'Tel: 06 12 34 56 78'])
      expect(transformOne(['phone'], text)).toBe(
        `REJECT_FORMAT phone: "${text}" is not a valid phone number for FR: it holds more than a phone number`,
      );
    expect(transformOne(['phone'], '+33 (0)6 12 34 56 78'.replace('(0)', ''))).toBe('+33612345678');
    expect(transformOne(['phone'], '(01) 23.45.67-89')).toBe('+33123456789');
  });
});

describe('validate: phone_fr after the phone transform', () => {
  test('accepts the E.164 numbers the transform writes, France and overseas, and no other country', () => {
    const steps = { transform: ['phone' as const], validate: 'phone_fr' };
    const source = dataset('s', [column('v', 'string')]);
    const run = (value: string) => {
      const compiled = compileMapping(mapping({ v: steps }), 0, { source });
      const out: Value[] = [];
      const rejection = compiled.map([value], out);
      return rejection ? rejection.code : out[0];
    };
    expect(run('06 12 34 56 78')).toBe('+33612345678');
    expect(run('0590 12 34 56')).toBe('+590590123456');
    expect(run('+32 470 12 34 56')).toBe('REJECT_FORMAT');
  });
});
