/**
 * Classifies a column as personal data (the GDPR register): by its values first (≥ 50% of non-null
 * values are e-mails, phones, IBANs or NIRs), then by its name in French or English.
 */

import { frCount } from '../core/french.ts';
import type { PersonalDataKind, ValueFormat } from '../core/profile.ts';
import { foldCaseAndAccents } from './value-variants.ts';

/** A personal-data classification and the evidence for it. */
export interface PersonalDataClass {
  readonly kind: PersonalDataKind;
  readonly reason: string;
  /** The reason in French, for reports written in French. */
  readonly reasonFr: string;
}

/** Share of non-null values a format must reach for the values to decide. */
export const PERSONAL_VALUE_SHARE = 0.5;

const VALUE_KINDS: readonly (readonly [PersonalDataKind, readonly ValueFormat[], string, string])[] = [
  ['email', ['email'], 'e-mail addresses', 'des adresses e-mail'],
  ['phone', ['phone_fr', 'phone_e164'], 'phone numbers', 'des numéros de téléphone'],
  ['iban', ['iban'], 'IBANs', 'des IBAN'],
  ['nir', ['nir'], 'social security numbers (NIR)', 'des numéros de sécurité sociale (NIR)'],
];

/** Name tokens per kind, accents folded; checked in this order so that `nom_ville` is an address, not a name. */
const NAME_KINDS: readonly (readonly [PersonalDataKind, ReadonlySet<string>])[] = [
  ['email', new Set(['email', 'mail', 'courriel', 'emails', 'mel'])],
  [
    'phone',
    new Set(['tel', 'telephone', 'phone', 'portable', 'mobile', 'gsm', 'fax', 'cellphone', 'phonenumber']),
  ],
  ['iban', new Set(['iban', 'rib'])],
  ['nir', new Set(['nir', 'secu', 'numsecu', 'ssn', 'insee_personne', 'securite'])],
  [
    'birth_date',
    new Set(['naissance', 'datenaissance', 'birth', 'birthdate', 'birthday', 'dob', 'datenais', 'ddn']),
  ],
  [
    'address',
    new Set([
      'adresse',
      'address',
      'addr',
      'rue',
      'street',
      'voie',
      'cp',
      'codepostal',
      'postal',
      'zip',
      'zipcode',
      'postcode',
      'ville',
      'city',
      'commune',
      'localite',
    ]),
  ],
  [
    'name',
    new Set([
      'nom',
      'prenom',
      'name',
      'firstname',
      'lastname',
      'surname',
      'givenname',
      'fullname',
      'nomfamille',
    ]),
  ],
];

/** Tokens that make a `name`-like column something other than a person's name (`nom_produit`, `company_name`). */
const NOT_PERSON = new Set([
  'company',
  'societe',
  'entreprise',
  'raison',
  'sociale',
  'produit',
  'product',
  'article',
  'item',
  'fichier',
  'file',
  'table',
  'dataset',
  'column',
  'colonne',
  'enseigne',
  'marque',
  'brand',
  'categorie',
  'category',
  'projet',
  'project',
  'service',
  'host',
  'domaine',
  'domain',
  'pays',
  'country',
  'region',
  'departement',
]);

/** Splits a column name into folded tokens: `dateNaissance`, `date_naissance`, `Date de naissance` → date, naissance. */
export function nameTokens(name: string): string[] {
  const spaced = name.replace(/([\p{Ll}\d])(\p{Lu})/gu, '$1 $2');
  return foldCaseAndAccents(spaced)
    .split(/[^a-z0-9]+/)
    .filter((token) => token.length > 0);
}

function formatShare(
  formats: readonly { format: ValueFormat; count: number }[],
  wanted: readonly ValueFormat[],
): number {
  let count = 0;
  for (const entry of formats) if (wanted.includes(entry.format)) count += entry.count;
  return count;
}

/**
 * Classifies one column from its name, its recognised formats (counts over `nonNull` values) and
 * returns the kind with its evidence, or undefined when nothing suggests personal data.
 */
export function classifyPersonalData(
  name: string,
  formats: readonly { readonly format: ValueFormat; readonly count: number }[],
  nonNull: number,
): PersonalDataClass | undefined {
  if (nonNull > 0) {
    for (const [kind, wanted, label, labelFr] of VALUE_KINDS) {
      const count = formatShare(formats, wanted);
      if (count / nonNull >= PERSONAL_VALUE_SHARE) {
        const share = Math.round((count / nonNull) * 100);
        return {
          kind,
          reason: `${share}% of values (${count} of ${nonNull}) are ${label}`,
          reasonFr: `${share}\u00a0% des valeurs (${frCount(count)} sur ${frCount(nonNull)}) sont ${labelFr}`,
        };
      }
    }
  }
  const tokens = nameTokens(name);
  const joined = tokens.join('');
  for (const [kind, words] of NAME_KINDS) {
    const hit = tokens.find((token) => words.has(token)) ?? (words.has(joined) ? joined : undefined);
    if (hit === undefined) continue;
    if (kind === 'name' && tokens.some((token) => NOT_PERSON.has(token))) continue;
    return {
      kind,
      reason: `column name "${name}" suggests ${KIND_LABELS[kind]} ("${hit}")`,
      reasonFr: `le nom de colonne « ${name} » évoque ${KIND_LABELS_FR[kind]} (« ${hit} »)`,
    };
  }
  return undefined;
}

const KIND_LABELS: Readonly<Record<PersonalDataKind, string>> = {
  email: 'an e-mail address',
  phone: 'a phone number',
  name: "a person's name",
  address: 'a postal address',
  birth_date: 'a birth date',
  iban: 'a bank account (IBAN)',
  nir: 'a social security number',
};

const KIND_LABELS_FR: Readonly<Record<PersonalDataKind, string>> = {
  email: 'une adresse e-mail',
  phone: 'un numéro de téléphone',
  name: 'le nom d’une personne',
  address: 'une adresse postale',
  birth_date: 'une date de naissance',
  iban: 'un compte bancaire (IBAN)',
  nir: 'un numéro de sécurité sociale',
};
