import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { transformOne } from './mapping-fixtures.ts';

describe('text transforms', () => {
  test.each([
    [['text'], 42, '42'],
    [['text'], true, 'true'],
    [['text'], 12345678901234567890n, '12345678901234567890'],
    [['trim'], '\u00a0 Dupont \t', 'Dupont'],
    [['lowercase'], 'ÉLODIE', 'élodie'],
    [['lower'], 'ABC', 'abc'],
    [['uppercase'], 'crème', 'CRÈME'],
    [['upper'], 'abc', 'ABC'],
    [['collapse_spaces'], 'Jean   \u00a0Paul  Sartre', 'Jean Paul Sartre'],
    [['strip_accents'], 'Société Générale', 'Societe Generale'],
    [['strip_accents'], 'Œuvre cœur Noël ça', 'OEuvre coeur Noel ca'],
    [['text', { prefix: 'CRM-' }], 17, 'CRM-17'],
    [[{ suffix: '-FR' }], 'A1', 'A1-FR'],
    [['trim', 'lowercase', { prefix: 'x:' }], null, null],
  ] as const)('%o on %o', (steps, input, expected) => {
    expect(transformOne([...steps] as never, input)).toBe(expected);
  });
});

describe('pattern transforms', () => {
  test('replace uses a regex compiled once, global by default, with groups', () => {
    const steps = [{ replace: { pattern: '(\\d{2})(?=\\d)', with: '$1 ' } }];
    expect(transformOne(steps, '0612345678')).toBe('06 12 34 56 78');
    expect(transformOne(steps, '0102030405')).toBe('01 02 03 04 05');
    expect(transformOne([{ replace: { pattern: 'a', with: 'b', flags: 'i' } }], 'AaA')).toBe('baA');
  });

  test('split keeps one part, counts from the end when negative, null when absent', () => {
    expect(transformOne([{ split: { separator: ' ', index: 0 } }], 'Jean Dupont')).toBe('Jean');
    expect(transformOne([{ split: { separator: ' ', index: -1 } }], 'Jean de La Fontaine')).toBe('Fontaine');
    expect(transformOne([{ split: { separator: ' ', index: 1 } }], 'Cher')).toBe(null);
    expect(transformOne([{ split: { separator: ';' } }], 'a;b')).toEqual(['a', 'b']);
  });
});

describe('null transforms', () => {
  test('null_if compares as text, default replaces null only', () => {
    const steps = [{ null_if: ['', 'N/A', 0] }, { default: 'inconnu' }];
    expect(transformOne(steps, 'N/A')).toBe('inconnu');
    expect(transformOne(steps, '')).toBe('inconnu');
    expect(transformOne(steps, '0')).toBe('inconnu');
    expect(transformOne(steps, null)).toBe('inconnu');
    expect(transformOne(steps, 'Paris')).toBe('Paris');
  });
});

describe('lookup', () => {
  const values = { M: 'Monsieur', MME: 'Madame' };
  test('inline values; a missing value is rejected, kept or nulled as asked', () => {
    expect(transformOne([{ lookup: { values } }], 'MME')).toBe('Madame');
    expect(transformOne([{ lookup: { values } }], 'DR')).toBe(
      'REJECT_LOOKUP_MISSING lookup: "DR" is not in the lookup values',
    );
    expect(transformOne([{ lookup: { values, onMissing: 'keep' } }], 'DR')).toBe('DR');
    expect(transformOne([{ lookup: { values, onMissing: 'null' } }], 'DR')).toBe(null);
  });
});

describe('collapse_spaces', () => {
  test('equals replacing every run of whitespace by one space, whatever the text', () => {
    const whitespace = [' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u2009', '\u3000', '\ufeff', 'a', 'é', '-'];
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...whitespace), { maxLength: 12 }),
        fc.string(),
        (parts, extra) => {
          const text = parts.join('') + extra;
          expect(transformOne(['collapse_spaces'], text)).toBe(text.replace(/\s+/g, ' '));
        },
      ),
    );
  });
});
