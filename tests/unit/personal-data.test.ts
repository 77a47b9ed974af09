import { describe, expect, it } from 'vitest';
import { classifyPersonalData, nameTokens } from '../../src/profilers/personal-data.ts';

describe('personal data classification', () => {
  it('splits names into folded tokens', () => {
    expect(nameTokens('dateNaissance')).toEqual(['date', 'naissance']);
    expect(nameTokens('Téléphone portable')).toEqual(['telephone', 'portable']);
  });

  it.each([
    ['nom', 'name'],
    ['prénom', 'name'],
    ['first_name', 'name'],
    ['lastName', 'name'],
    ['email', 'email'],
    ['courriel', 'email'],
    ['adresse_mail', 'email'],
    ['tél', 'phone'],
    ['téléphone', 'phone'],
    ['portable', 'phone'],
    ['adresse', 'address'],
    ['rue', 'address'],
    ['code_postal', 'address'],
    ['cp', 'address'],
    ['nom_ville', 'address'],
    ['city', 'address'],
    ['date_naissance', 'birth_date'],
    ['dob', 'birth_date'],
    ['iban', 'iban'],
    ['rib', 'iban'],
    ['numero_secu', 'nir'],
    ['ssn', 'nir'],
  ])('classifies column %s as %s by its name', (name, kind) => {
    expect(classifyPersonalData(name, [], 0)?.kind).toBe(kind);
  });

  it.each(['nom_produit', 'company_name', 'date_creation', 'montant', 'raison_sociale'])(
    'leaves %s alone',
    (name) => {
      expect(classifyPersonalData(name, [], 0)).toBeUndefined();
    },
  );

  it('lets values win over names, with the evidence', () => {
    expect(classifyPersonalData('nom', [{ format: 'email', count: 6 }], 10)).toEqual({
      kind: 'email',
      reason: '60% of values (6 of 10) are e-mail addresses',
      reasonFr: '60\u00a0% des valeurs (6 sur 10) sont des adresses e-mail',
    });
    expect(
      classifyPersonalData(
        'contact',
        [
          { format: 'phone_fr', count: 3 },
          { format: 'phone_e164', count: 2 },
        ],
        10,
      ),
    ).toMatchObject({ kind: 'phone', reason: '50% of values (5 of 10) are phone numbers' });
    expect(classifyPersonalData('ref', [{ format: 'iban', count: 4 }], 10)).toBeUndefined();
    expect(classifyPersonalData('x', [{ format: 'nir', count: 9 }], 10)?.kind).toBe('nir');
    expect(classifyPersonalData('nom', [], 10)?.reason).toBe(
      'column name "nom" suggests a person\'s name ("nom")',
    );
    expect(classifyPersonalData('nom', [], 10)?.reasonFr).toBe(
      'le nom de colonne « nom » évoque le nom d’une personne (« nom »)',
    );
  });
});
