/**
 * Field validation declared in the config (`validate: email`, `{ allowed: [...] }`, `{ pattern: … }`),
 * compiled once into checks with the same signature as transform steps. Formats reuse the profilers'
 * recognisers, so a value the audit counted as a valid SIRET is one the migration accepts.
 */

import { closest } from '../config/did-you-mean.ts';
import type { FieldConfig, ValidateStepConfig } from '../config/schema.ts';
import type { Value } from '../connectors/types.ts';
import { isE164PhoneFormat, isFrenchPhoneFormat } from '../profilers/formats/phone.ts';
import { FORMAT_RECOGNISERS } from '../profilers/formats/recognise-formats.ts';
import { quoteValue } from './rejection-text.ts';
import {
  fail,
  type StepFailure,
  TransformArgumentError,
  type TransformFn,
} from './transforms/transform-types.ts';
import { toText } from './transforms/value-text.ts';

/** The calling codes of France and of its overseas departments and territories. */
const FRENCH_CALLING_CODES = /^\+(33|262|269|508|590|594|596|681|687|689)/;

/** Every format `validate:` accepts, with how a failing value is described. */
const FORMATS: Readonly<Record<string, { test: (text: string) => boolean; reason: string }>> = {
  email: { test: FORMAT_RECOGNISERS.email, reason: 'is not an e-mail address' },
  phone: {
    test: (t) => isFrenchPhoneFormat(t) || isE164PhoneFormat(t),
    reason: 'is not a phone number (French or international with +)',
  },
  // A French number in a national layout, or in E.164 as the `phone` transform writes it (`+33…`, and the
  // overseas departments' own codes: `+590…`, `+262…`).
  phone_fr: {
    test: (t) =>
      isFrenchPhoneFormat(t) || (isE164PhoneFormat(t) && FRENCH_CALLING_CODES.test(t.replace(/[ .-]/g, ''))),
    reason: 'is not a French phone number',
  },
  phone_e164: { test: FORMAT_RECOGNISERS.phone_e164, reason: 'is not an international phone number (+…)' },
  postal_code_fr: { test: FORMAT_RECOGNISERS.postal_code_fr, reason: 'is not a French postal code' },
  siren: { test: FORMAT_RECOGNISERS.siren, reason: 'is not a SIREN number (9 digits and a valid key)' },
  siret: { test: FORMAT_RECOGNISERS.siret, reason: 'is not a SIRET number (14 digits and a valid key)' },
  iban: { test: FORMAT_RECOGNISERS.iban, reason: 'is not an IBAN (country layout and mod-97 key)' },
  nir: { test: FORMAT_RECOGNISERS.nir, reason: 'is not a French social security number (NIR)' },
  url: { test: FORMAT_RECOGNISERS.url, reason: 'is not an http(s) or ftp URL' },
  uuid: { test: FORMAT_RECOGNISERS.uuid, reason: 'is not a UUID' },
  date_iso: { test: FORMAT_RECOGNISERS.date_iso, reason: 'is not a date in YYYY-MM-DD' },
  datetime_iso: { test: FORMAT_RECOGNISERS.datetime_iso, reason: 'is not an ISO 8601 date-time' },
};

/** The format names `validate:` accepts. */
export const VALIDATE_FORMATS: readonly string[] = Object.keys(FORMATS);

const MAX_LISTED = 10;

/** A compiled check and the name it reports failures under. */
export interface FieldCheck {
  readonly name: string;
  readonly check: TransformFn;
}

function formatCheck(format: string): FieldCheck {
  const spec = FORMATS[format];
  if (!spec) {
    const guess = closest(format, VALIDATE_FORMATS);
    throw new TransformArgumentError(
      `unknown format "${format}"${guess ? ` (did you mean "${guess}"?)` : `; known: ${VALIDATE_FORMATS.join(', ')}`}`,
    );
  }
  const { test, reason } = spec;
  return {
    name: format,
    check: (value: Value, _row, failure: StepFailure) => {
      const text = toText(value);
      if (text === null) return null;
      return test(text) ? value : fail(failure, reason, 'REJECT_FORMAT');
    },
  };
}

/** Compiles one `validate:` entry; throws TransformArgumentError for an unknown format or a bad pattern. */
export function compileValidation(step: ValidateStepConfig): FieldCheck {
  if (typeof step === 'string') return formatCheck(step);
  if ('allowed' in step) {
    const allowed = new Set(step.allowed.map((v) => String(v)));
    const shown = step.allowed.slice(0, MAX_LISTED).map((v) => quoteValue(v));
    const reason = `is not one of ${shown.join(', ')}${step.allowed.length > MAX_LISTED ? ', …' : ''}`;
    return {
      name: 'allowed',
      check: (value: Value, _row, failure: StepFailure) => {
        const text = toText(value);
        if (text === null) return null;
        return allowed.has(text) ? value : fail(failure, reason, 'REJECT_NOT_ALLOWED');
      },
    };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${step.pattern})$`, 'u');
  } catch (error) {
    throw new TransformArgumentError(`invalid regular expression: ${(error as Error).message}`, '.pattern');
  }
  const reason = `does not match ${step.pattern}`;
  return {
    name: 'pattern',
    check: (value: Value, _row, failure: StepFailure) => {
      const text = toText(value);
      if (text === null) return null;
      return regex.test(text) ? value : fail(failure, reason, 'REJECT_FORMAT');
    },
  };
}

/**
 * A field's `validate` (one entry or a list) compiled, and the problems of the entries that do not
 * compile, each with its config path under `path` (`mappings[0].fields.email`).
 */
export function compileValidations(
  validate: FieldConfig['validate'],
  path: string,
): { checks: FieldCheck[]; problems: { path: string; message: string }[] } {
  const entries = validate === undefined ? [] : Array.isArray(validate) ? validate : [validate];
  const checks: FieldCheck[] = [];
  const problems: { path: string; message: string }[] = [];
  entries.forEach((entry, i) => {
    try {
      checks.push(compileValidation(entry));
    } catch (error) {
      const sub = error instanceof TransformArgumentError ? error.sub : '';
      problems.push({
        path: `${path}.validate${Array.isArray(validate) ? `[${i}]` : ''}${sub}`,
        message: (error as Error).message,
      });
    }
  });
  return { checks, problems };
}
