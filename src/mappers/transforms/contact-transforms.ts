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
const SEPARATORS = /[\s.-]/g;
/** A French number in national (`06…`) or international (`+336…`) form, once separators are gone. */
const FRENCH_NUMBER = /^(?:0|\+33)([1-9]\d{8})$/;

/**
 * E.164 of a French number without calling libphonenumber: its FR metadata accepts exactly the nine
 * national digits `[1-9]\d{8}`, so the result is the same (a test compares both on random numbers), and
 * ten times faster. Undefined for anything else, which goes to libphonenumber.
 */
export function frenchE164(text: string): string | undefined {
  const compact = text.replace(SEPARATORS, '');
  const match = FRENCH_NUMBER.exec(compact);
  return match ? `+33${match[1]}` : undefined;
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
