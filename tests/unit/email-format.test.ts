import fc from 'fast-check';
import validator from 'validator';
import { describe, expect, it } from 'vitest';
import { isEmailFormat, plainEmailVerdict } from '../../src/profilers/formats/email.ts';

/** What the recogniser promises: validator's verdict on any text with an `@` of at most 254 characters. */
const validatorVerdict = (text: string) =>
  text.length <= 254 && text.includes('@') && validator.isEmail(text);

// Characters that move validator's verdict: atom specials, dots, `@`, hyphens, underscores, quotes,
// spaces, the `xn` of punycode TLDs, digits, non-ASCII letters and full-width forms.
const pieces = [
  'a',
  'b',
  'Z',
  'x',
  'n',
  'X',
  'N',
  '0',
  '7',
  '.',
  '.',
  '@',
  '-',
  '_',
  '"',
  '+',
  '!',
  '#',
  '~',
  '`',
  ' ',
  '\t',
  '\\',
  '(',
  ',',
  '[',
  'é',
  'ß',
  '\uff21',
  'xn--',
  'com',
  'fr',
  'org',
  'example',
  '..',
  '@@',
];
const texts = fc.array(fc.constantFrom(...pieces), { maxLength: 24 }).map((parts) => parts.join(''));
const addresses = fc
  .tuple(
    texts,
    fc.constantFrom('', '.', '-'),
    texts,
    fc.constantFrom('.fr', '.com', '.xn--p1ai', '.c', '.12', ''),
  )
  .map(([user, joint, domain, tld]) => `${user}${joint}@${domain}${tld}`);

describe('e-mail format', () => {
  it('answers as validator.isEmail on every text', () => {
    fc.assert(
      fc.property(fc.oneof(texts, addresses, fc.string({ maxLength: 40 })), (text) => {
        expect(isEmailFormat(text)).toBe(validatorVerdict(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('answers as validator.isEmail on addresses at the length limits', () => {
    const label = (n: number) => 'a'.repeat(n);
    const cases = [
      `${label(64)}@example.fr`,
      `${label(65)}@example.fr`,
      `a@${label(63)}.fr`,
      `a@${label(64)}.fr`,
      `a@${[label(63), label(63), label(63), label(59)].join('.')}.fr`,
      `a@${[label(63), label(63), label(63), label(60)].join('.')}.fr`,
      `a@b.${label(63)}`,
      `a@b.xn--${label(59)}`,
      'a@b.xn-1',
      'a@b.xn1',
      'a@b.XN-1',
      'a@b.xn--',
      'a@b.xn',
      'a@-b.fr',
      'a@b-.fr',
      'a@b.fr-',
      'a@b_c.fr',
      'a@b..fr',
      'a@.b.fr',
      'a@b.fr.',
      '.a@b.fr',
      'a.@b.fr',
      'a..b@b.fr',
      '"a b"@b.fr',
      '"a@b"@b.fr',
      'a"b@b.fr',
      'a@b"c.fr',
      'jean.dupont+news@sub.example.org',
      "o'brien@example.ie",
      'a@b.c0m',
      'a@127.0.0.1',
      'a@[127.0.0.1]',
      'élodie@exemple.fr',
      'a@exémple.fr',
      'Client1@Example.ORG',
    ];
    for (const text of cases) expect(isEmailFormat(text), text).toBe(validatorVerdict(text));
  });

  it('decides plain ASCII addresses without validator, and leaves quoted or non-ASCII ones to it', () => {
    expect(plainEmailVerdict('client123@example.org')).toBe(true);
    expect(plainEmailVerdict('client123@example')).toBe(false);
    expect(plainEmailVerdict('"client 123"@example.org')).toBeUndefined();
    expect(plainEmailVerdict('élodie@exemple.fr')).toBeUndefined();
  });
});
