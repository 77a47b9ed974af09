/** Contact transforms: phone numbers to E.164 (libphonenumber-js) and e-mail addresses normalised and checked. */
import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Value } from '../../connectors/types.ts';
import { isEmailFormat } from '../../profilers/formats/email.ts';
import {
  fail,
  type StepFailure,
  TransformArgumentError,
  type TransformDefinition,
} from './transform-types.ts';

const DEFAULT_COUNTRY = 'FR';
/** A phone number as written: digits, an optional leading `+`, and the separators people put between them. */
const PHONE_TEXT = /^\+?[\d\s\u00a0\u202f.\-/()]+$/;
const SEPARATORS = /[\s.-]/g;
/**
 * A French number once separators are gone: national (`06…`), international (`+336…`, `00336…`), or its nine
 * digits alone, as a spreadsheet's number cell keeps them once it has dropped the leading 0.
 */
const FRENCH_NUMBER = /^(?:0|\+33|0033)?([1-9]\d{8})$/;

/**
 * The overseas departments dialled from France with a 0 like any French number, whose E.164 has their own
 * country code (ARCEP numbering plan): Guadeloupe, Saint-Martin and Saint-Barthélemy +590 (0590, 0690,
 * 0691), Guyane +594 (0594, 0694), Martinique +596 (0596, 0696, 0697), La Réunion +262 (0262, 0263, 0692,
 * 0693) and Mayotte +262 (0269, 0639). libphonenumber's FR metadata takes them as +33, a number no
 * network routes.
 */
const OVERSEAS: Readonly<Record<string, string>> = {
  '590': '590',
  '690': '590',
  '691': '590',
  '594': '594',
  '694': '594',
  '596': '596',
  '696': '596',
  '697': '596',
  '262': '262',
  '263': '262',
  '692': '262',
  '693': '262',
  '269': '262',
  '639': '262',
};

/**
 * E.164 of a French number without calling libphonenumber: its FR metadata accepts exactly the nine
 * national digits `[1-9]\d{8}`, so the result is the same (a test compares both on random numbers), and
 * ten times faster; a number of an overseas department takes that department's country code, in every form.
 * Undefined for anything else, which goes to libphonenumber.
 */
export function frenchE164(text: string): string | undefined {
  const compact = text.replace(SEPARATORS, '');
  const match = FRENCH_NUMBER.exec(compact);
  if (!match) return undefined;
  // However it is written, an overseas number is the same line: `0690…`, `690…` and `+33 690…` are +590 690….
  return `+${OVERSEAS[match[1]!.slice(0, 3)] ?? '33'}${match[1]}`;
}

/** The contact transforms by name. */
export const CONTACT_TRANSFORMS: readonly TransformDefinition[] = [
  {
    name: 'phone',
    produces: 'string',
    create: (args) => {
      const country = ((args as { country?: string } | null)?.country ?? DEFAULT_COUNTRY).toUpperCase();
      if (!isSupportedCountry(country)) {
        throw new TransformArgumentError(
          `unknown country "${country}" (an ISO 3166 code such as FR)`,
          '.country',
        );
      }
      const reason = `is not a valid phone number for ${country}`;
      return (value: Value, _row, failure: StepFailure) => {
        if (value === null || value === undefined) return null;
        if (typeof value !== 'string' && typeof value !== 'number')
          return fail(failure, reason, 'REJECT_TYPE');
        const text = typeof value === 'number' ? String(value) : value.trim();
        if (text.length === 0) return null;
        if (country === 'FR') {
          const fast = frenchE164(text);
          if (fast !== undefined) return fast;
        }
        // libphonenumber finds a number inside any text (`01 23 45 67 89 ext. 12`, `+33612345678a`) and
        // drops the rest: a value that holds more than a number is refused, not cut.
        if (!PHONE_TEXT.test(text))
          return fail(failure, `${reason}: it holds more than a phone number`, 'REJECT_FORMAT');
        const parsed = parsePhoneNumberFromString(text, country as CountryCode);
        return parsed?.isValid() ? parsed.number : fail(failure, reason, 'REJECT_FORMAT');
      };
    },
  },
  {
    name: 'email',
    produces: 'string',
    create: () => (value: Value, _row, failure: StepFailure) => {
      if (value === null || value === undefined) return null;
      if (typeof value !== 'string') return fail(failure, 'is not an e-mail address', 'REJECT_TYPE');
      const text = value.trim().toLowerCase();
      if (text.length === 0) return null;
      return isEmailFormat(text) ? text : fail(failure, 'is not an e-mail address', 'REJECT_FORMAT');
    },
  },
];
