import { describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/config/schema.ts';
import { maskMessage, nearPersonalKind, personalKinds, showValue } from '../../src/mappers/plan-masking.ts';

describe('plan and rejects masking', () => {
  it.each([
    ['jean.dupont@gmail', 'email', 'j***@g***'],
    ['jean dupont@example.fr', 'email', 'j***@e***.fr'],
    ['06 12 34 56 7', 'phone', '06 ** ** *6 7'],
    ['06123456789', 'phone', '06*******89'],
    ['+33 6 12 34 5', 'phone', '+33 6 ** *4 5'],
    ['FR76 3000 6000 0112 3456 7890 188', 'iban', 'F*** **** **** **** **** **** ***'],
    ['1 84 12 75 123 456 99', 'nir', '1 ** ** ** *** *** **'],
  ])('masks %s, which only looks like a %s, in a field not known as personal', (value, kind, masked) => {
    expect(nearPersonalKind(value)).toBe(kind);
    expect(showValue(value, undefined, false)).toBe(masked);
    expect(showValue(value, undefined, true)).toBe(value);
  });

  it.each([
    'CUST-000123',
    '00012345',
    '12345678901234',
    '2024-01-15',
    '1 234,50',
    '75011',
    'Dupont & fils',
    'a@',
    '0,5',
    'FR',
  ])('leaves %s as it is', (value) => {
    expect(nearPersonalKind(value)).toBeUndefined();
    expect(showValue(value, undefined, false)).toBe(value);
  });

  it('shows NaN and infinities by name, which JSON would write as null', () => {
    expect(
      [NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5].map((v) =>
        showValue(v, undefined, false),
      ),
    ).toEqual(['NaN', 'Infinity', '-Infinity', 1.5]);
  });

  it("masks a personal field's value and any e-mail address in a database's message", () => {
    const kinds = [undefined, 'email', 'phone'] as const;
    const values = ['A1', 'Zed@Example.com', '06 12 34 56 78'];
    expect(
      maskMessage(
        "Duplicate entry 'zed@example.com' for key 'uq_email'; Key (phone)=(06 12 34 56 78) already exists; A1 is kept",
        values,
        kinds,
        false,
      ),
    ).toBe(
      "Duplicate entry 'Z***@E***.com' for key 'uq_email'; Key (phone)=(06 ** ** ** 78) already exists; A1 is kept",
    );
    // An address of no field of the row (a value the database folded, a trigger's message) is masked too.
    expect(maskMessage('refused: (bob@corp.fr)', [], [], false)).toBe('refused: (b***@c***.fr)');
    expect(maskMessage("Duplicate entry 'zed@example.com'", values, kinds, true)).toBe(
      "Duplicate entry 'zed@example.com'",
    );
  });
});

describe('the personal fields of a mapping', () => {
  it('counts a field normalised or checked as a phone number, an e-mail address, an IBAN or a NIR, whatever its name', () => {
    const mapping = {
      name: 'm',
      from: { source: 's', dataset: 'd' },
      to: { target: 't', dataset: 'x', key: ['id'], mode: 'upsert' },
      fields: {
        id: {},
        contact: { from: 'c1', transform: ['trim', 'phone'] },
        out: { from: 'c2', transform: ['email'] },
        checked: { from: 'c3', validate: ['phone_fr'] },
        account: { from: 'c4', validate: 'iban' },
        label: { from: 'c5', transform: ['trim'] },
      },
    } as unknown as MappingConfig;
    expect(personalKinds(mapping, ['id', 'contact', 'out', 'checked', 'account', 'label'])).toEqual([
      undefined,
      'phone',
      'email',
      'phone',
      'iban',
      undefined,
    ]);
  });
});
