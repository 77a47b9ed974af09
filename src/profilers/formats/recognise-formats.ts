/**
 * Runs every format recogniser on one value. The profile calls it once per DISTINCT value and
 * weights by the value's count, so the library checks (phone numbering plans, e-mail grammar) cost
 * O(distinct), not O(rows).
 */
import { VALUE_FORMATS, type ValueFormat } from '../../core/profile.ts';
import {
  isCompactDateFormat,
  isDmyDateFormat,
  isDmyDotDateFormat,
  isIsoDateFormat,
  isIsoDateTimeFormat,
} from './dates.ts';
import { isEmailFormat } from './email.ts';
import { isIbanFormat } from './iban.ts';
import { isNirFormat } from './nir.ts';
import { isE164PhoneFormat, isFrenchPhoneFormat } from './phone.ts';
import { isFrenchPostalCodeFormat } from './postal-code.ts';
import { isSirenFormat, isSiretFormat } from './siren-siret.ts';
import { isUrlFormat, isUuidFormat } from './web.ts';

/** One recogniser per format, in the order of `VALUE_FORMATS`. */
export const FORMAT_RECOGNISERS: Readonly<Record<ValueFormat, (text: string) => boolean>> = {
  email: isEmailFormat,
  phone_fr: isFrenchPhoneFormat,
  phone_e164: isE164PhoneFormat,
  postal_code_fr: isFrenchPostalCodeFormat,
  siren: isSirenFormat,
  siret: isSiretFormat,
  iban: isIbanFormat,
  nir: isNirFormat,
  url: isUrlFormat,
  uuid: isUuidFormat,
  date_iso: isIsoDateFormat,
  date_dmy: isDmyDateFormat,
  date_dmy_dot: isDmyDotDateFormat,
  date_compact: isCompactDateFormat,
  datetime_iso: isIsoDateTimeFormat,
};

const RECOGNISERS = VALUE_FORMATS.map((format) => FORMAT_RECOGNISERS[format]);
/** Values longer than any recognised format are skipped without running a check. */
const LONGEST_FORMAT = 2083;

/** Every format `text` matches (a value can match several: `20240131` is no SIREN, `75001` only a postal code). */
export function recogniseFormats(text: string): ValueFormat[] {
  const formats: ValueFormat[] = [];
  if (text.length === 0 || text.length > LONGEST_FORMAT) return formats;
  for (let i = 0; i < RECOGNISERS.length; i++) if (RECOGNISERS[i]!(text)) formats.push(VALUE_FORMATS[i]!);
  return formats;
}

/** Adds `count` to `counts[i]` for every format i (index in `VALUE_FORMATS`) that `text` matches. */
export function countFormats(text: string, count: number, counts: Float64Array): void {
  if (text.length === 0 || text.length > LONGEST_FORMAT) return;
  for (let i = 0; i < RECOGNISERS.length; i++) if (RECOGNISERS[i]!(text)) counts[i]! += count;
}
