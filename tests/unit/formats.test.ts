import { describe, expect, it } from 'vitest';
import { frenchE164 } from '../../src/mappers/transforms/contact-transforms.ts';
import { FORMAT_RECOGNISERS, recogniseFormats } from '../../src/profilers/formats/recognise-formats.ts';

const { email, phone_fr, phone_e164, postal_code_fr, siren, siret, iban, nir, url, uuid } =
  FORMAT_RECOGNISERS;

describe('format recognisers', () => {
  it('e-mail', () => {
    expect(email('dupont@example.fr')).toBe(true);
    expect(email('jean.dupont+news@sub.example.org')).toBe(true);
    expect(email('dupont@')).toBe(false);
    expect(email('dupont example.fr')).toBe(false);
    expect(email('dupont@@example.fr')).toBe(false);
  });

  it('French phones in national layouts', () => {
    for (const v of ['0123456789', '01 23 45 67 89', '01.23.45.67.89', '01-23-45-67-89', '06 12 34 56 78']) {
      expect(phone_fr(v), v).toBe(true);
    }
    for (const v of [
      '0012345678',
      '01 23 45 67 8',
      '01.23 45.67.89',
      '123456789',
      '+33123456789',
      '01 2345 6789',
    ]) {
      expect(phone_fr(v), v).toBe(false);
    }
  });

  it('international phones (E.164, grouped)', () => {
    expect(phone_e164('+33612345678')).toBe(true);
    expect(phone_e164('+33 6 12 34 56 78')).toBe(true);
    expect(phone_e164('+14155552671')).toBe(true);
    expect(phone_e164('+3361234567')).toBe(false);
    expect(phone_e164('0612345678')).toBe(false);
  });

  it('reads the layouts the phone transform reads: overseas 4-2-2-2, and +33 (0)…', () => {
    for (const v of ['0590 12 34 56', '0692.12.34.56', '0262-12-34-56', '0590123456'])
      expect([phone_fr(v), frenchE164(v)], v).toEqual([
        true,
        `+${v.startsWith('059') ? '590' : '262'}${v.replace(/\D/g, '').slice(1)}`,
      ]);
    for (const v of ['0590 12 3456', '0590 12.34 56', '05901 23 45 6']) expect(phone_fr(v), v).toBe(false);
    for (const v of ['+33 (0)1 23 45 67 89', '+33(0)612345678', '+33 (0) 6 12 34 56 78'])
      expect(phone_e164(v), v).toBe(true);
    for (const v of ['+33 (1) 23 45 67 89', '+33 (0)(0)1 23 45 67 89', '(0)1 23 45 67 89'])
      expect(phone_e164(v), v).toBe(false);
  });

  it('French postal codes', () => {
    for (const v of ['01000', '75001', '20000', '95999', '97400', '98000'])
      expect(postal_code_fr(v), v).toBe(true);
    for (const v of ['00999', '96000', '99000', '7500', '750011', '2A004'])
      expect(postal_code_fr(v), v).toBe(false);
  });

  it('SIREN and SIRET (Luhn, La Poste)', () => {
    expect(siren('732829320')).toBe(true);
    expect(siren('732829321')).toBe(false);
    expect(siren('73282932')).toBe(false);
    expect(siret('73282932000074')).toBe(true);
    expect(siret('73282932000075')).toBe(false);
    // La Poste: the head office passes Luhn, the other establishments have a digit sum multiple of 5.
    expect(siret('35600000000048')).toBe(true);
    expect(siret('35600000049837')).toBe(true);
    expect(siret('35600000049838')).toBe(false);
    // Zeros alone pass Luhn (a sum of 0) but are placeholders, not register numbers.
    expect(siren('000000000')).toBe(false);
    expect(siret('00000000000000')).toBe(false);
    expect(siret('00000000012347')).toBe(false);
  });

  it('IBAN (mod 97)', () => {
    expect(iban('FR7630006000011234567890189')).toBe(true);
    expect(iban('FR76 3000 6000 0112 3456 7890 189')).toBe(true);
    expect(iban('GB82WEST12345698765432')).toBe(true);
    expect(iban('FR7630006000011234567890188')).toBe(false);
    expect(iban('FR763000600001123456789018')).toBe(false);
  });

  it('NIR with its key and the Corsican substitution', () => {
    expect(nir('255081416802538')).toBe(true);
    expect(nir('2 55 08 14 168 025 38')).toBe(true);
    expect(nir('255081416802539')).toBe(false);
    // 2A counts as 19 and 2B as 18 in the key: 97 − (1850519123456 mod 97) = 33, 97 − (1850518123456 mod 97) = 60.
    expect(nir('185052A12345633')).toBe(true);
    expect(nir('185052B12345660')).toBe(true);
    expect(nir('185052A12345660')).toBe(false);
    expect(nir('185152A12345633')).toBe(false);
  });

  it('URL and UUID', () => {
    expect(url('https://example.fr/a?b=1')).toBe(true);
    expect(url('example.fr')).toBe(false);
    expect(uuid('123e4567-e89b-12d3-a456-426614174000')).toBe(true);
    expect(uuid('123e4567-e89b-12d3-a456-42661417400')).toBe(false);
  });

  it('dates by layout, real calendar days only', () => {
    expect(recogniseFormats('2024-01-31')).toEqual(['date_iso']);
    expect(recogniseFormats('31/01/2024')).toEqual(['date_dmy']);
    expect(recogniseFormats('31.01.2024')).toEqual(['date_dmy_dot']);
    expect(recogniseFormats('20240131')).toEqual(['date_compact']);
    expect(recogniseFormats('2024-01-31T10:20:30.5Z')).toEqual(['datetime_iso']);
    expect(recogniseFormats('2024-01-31 10:20')).toEqual(['datetime_iso']);
    expect(recogniseFormats('2023-02-29')).toEqual([]);
    expect(recogniseFormats('31/04/2024')).toEqual([]);
    expect(recogniseFormats('29/02/2024')).toEqual(['date_dmy']);
    expect(recogniseFormats('20241301')).toEqual([]);
    expect(recogniseFormats('2024-01-31T24:00')).toEqual([]);
  });

  it('lists every format a value matches, none for plain text', () => {
    expect(recogniseFormats('75001')).toEqual(['postal_code_fr']);
    expect(recogniseFormats('Dupont')).toEqual([]);
    expect(recogniseFormats('')).toEqual([]);
  });
});
