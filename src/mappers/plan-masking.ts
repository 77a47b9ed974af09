/**
 * Masks personal values in plan samples and rejects files: a field is personal when its name (or the
 * source column it comes from) says so, and a single value is masked when it is itself an e-mail
 * address, a phone number, an IBAN or a social security number, whatever its field, or only looks
 * like one: a reject is often a broken address (`jean.dupont@gmail`) or a phone number one digit
 * short, in a column the profile calls personal from its other values.
 */
import type { MappingConfig } from '../config/schema.ts';
import { JsonText } from '../connectors/json-text.ts';
import type { Value } from '../connectors/types.ts';
import { cutText } from '../core/cut-text.ts';
import type { PersonalDataKind, ValueFormat } from '../core/profile.ts';
import { SHOWN_VALUE_CHARS } from '../profilers/column-profile.ts';
import { recogniseFormats } from '../profilers/formats/recognise-formats.ts';
import { classifyPersonalData } from '../profilers/personal-data.ts';
import { maskValue } from '../profilers/value-masking.ts';
import { stepNameAndArgs } from './transforms/transform-types.ts';

/** The personal-data kind of each target field of a mapping (undefined when not personal). */
export function personalKinds(
  mapping: MappingConfig,
  targetFields: readonly string[],
): (PersonalDataKind | undefined)[] {
  return targetFields.map((field) => {
    const byField = classifyPersonalData(field, [], 0);
    if (byField) return byField.kind;
    // A field normalised as a phone number or an e-mail address, or checked as one, holds one.
    const config = mapping.fields[field];
    const steps = (config?.transform ?? []).map((step) => stepNameAndArgs(step).name);
    const validate = config?.validate;
    const formats = (Array.isArray(validate) ? validate : [validate]).filter((v) => typeof v === 'string');
    if (steps.includes('phone') || formats.some((f) => f.startsWith('phone'))) return 'phone';
    if (steps.includes('email') || formats.includes('email')) return 'email';
    if (formats.includes('iban')) return 'iban';
    if (formats.includes('nir')) return 'nir';
    const from = mapping.fields[field]?.from;
    const names = from === undefined ? [] : Array.isArray(from) ? from : [from];
    for (const name of names) {
      const bySource = classifyPersonalData(name, [], 0);
      if (bySource) return bySource.kind;
    }
    return undefined;
  });
}

const VALUE_KINDS: readonly (readonly [ValueFormat, PersonalDataKind])[] = [
  ['email', 'email'],
  ['phone_fr', 'phone'],
  ['phone_e164', 'phone'],
  ['iban', 'iban'],
  ['nir', 'nir'],
];

/** A value as outputs show it: masked when `kind` is personal or the value looks personal; JSON-safe. */
export function showValue(
  value: Value | undefined,
  kind: PersonalDataKind | undefined,
  unmasked: boolean,
): unknown {
  if (value === null || value === undefined) return null;
  const plain = jsonSafe(value);
  if (unmasked) return plain;
  if (kind !== undefined)
    return maskValue(typeof plain === 'object' ? JSON.stringify(plain) : (plain as string), kind);
  if (typeof plain !== 'string') return plain;
  const formats = recogniseFormats(plain.trim());
  for (const [format, found] of VALUE_KINDS) if (formats.includes(format)) return maskValue(plain, found);
  const near = nearPersonalKind(plain.trim());
  return near === undefined ? plain : maskValue(plain, near);
}

/**
 * A shown value (`showValue`'s) as a sample in plan.json, plan.html and the report holds it: a text cut
 * at SHOWN_VALUE_CHARS (as the profile lists values) with `…`, a list or document whose JSON is longer as that JSON cut. The rejects
 * files keep the whole value: they are where a rejected row is recovered from.
 */
export function sampleValue(shown: unknown): unknown {
  if (typeof shown === 'string') return cutText(shown, SHOWN_VALUE_CHARS);
  if (shown === null || typeof shown !== 'object') return shown;
  const json = JSON.stringify(shown);
  return json.length > SHOWN_VALUE_CHARS ? cutText(json, SHOWN_VALUE_CHARS) : shown;
}

/** An e-mail address inside a message, between the quotes, parentheses or spaces a database puts around it. */
const EMAIL_IN_TEXT = /[^\s'"`()=,;<>[\]]+@[^\s'"`()=,;<>[\]]+/gu;

/**
 * A database's message about a row (`Duplicate entry 'zed@example.com' for key 'uq_email'`, `Key
 * (email)=(zed@example.com) already exists`) as outputs show it: each value of a personal field of the
 * row (`values`, with their `kinds`) masked wherever the message repeats it, whatever its case, and any
 * e-mail address left masked as well.
 */
export function maskMessage(
  message: string,
  values: readonly Value[] | undefined,
  kinds: readonly (PersonalDataKind | undefined)[],
  unmasked: boolean,
): string {
  if (unmasked) return message;
  let masked = message;
  if (values) {
    values.forEach((value, i) => {
      const kind = kinds[i];
      if (kind === undefined || value === null || value === undefined) return;
      const text = String(jsonSafe(value));
      if (text.length < 3) return;
      const shown = String(showValue(value, kind, false));
      const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      masked = masked.replace(new RegExp(escaped, 'giu'), () => shown);
    });
  }
  return masked.replace(EMAIL_IN_TEXT, (email) => String(showValue(email, undefined, false)));
}

/** Something `@` something: an e-mail address, valid or not. */
const NEAR_EMAIL = /[\p{L}\p{N}]@[\p{L}\p{N}]/u;
/** A number written as a phone number is: `+` and 8 to 15 digits, or a French 0X and 9 to 11 digits; separators allowed. */
const NEAR_PHONE_INTERNATIONAL = /^\+[\d .\-/()]*$/;
const NEAR_PHONE_FR = /^\(?0[1-9][\d .\-/()]*$/;
/** Two letters, two check digits and a long account part: an IBAN, whatever its checksum. */
const NEAR_IBAN = /^[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){10,}$/;
/** 13 or 15 digits opening with the NIR's sex digit (1, 2, 7 or 8), spaces allowed. */
const NEAR_NIR = /^[1278](?:[ ]?[\dAB]){12}(?:[ ]?\d{2})?$/;

/**
 * The personal kind a value that no format recognises only resembles, or undefined: an `@` between
 * letters, a phone number a digit short or long, an IBAN or NIR with a wrong key. Shapes that
 * are rarely anything else, so that a reject of a broken value in a personal column is not shown.
 */
export function nearPersonalKind(text: string): PersonalDataKind | undefined {
  if (text.length > 320) return undefined;
  if (NEAR_EMAIL.test(text)) return 'email';
  const digits = countDigits(text);
  if (digits >= 8 && digits <= 15 && NEAR_PHONE_INTERNATIONAL.test(text)) return 'phone';
  if (digits >= 9 && digits <= 11 && NEAR_PHONE_FR.test(text)) return 'phone';
  if (NEAR_IBAN.test(text)) return 'iban';
  if ((digits === 13 || digits === 15) && NEAR_NIR.test(text)) return 'nir';
  return undefined;
}

function countDigits(text: string): number {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) digits++;
  }
  return digits;
}

function jsonSafe(value: Value): string | number | boolean | object {
  if (typeof value === 'bigint') return value.toString();
  // NaN and ±Infinity, which JSON has no number for (it would write null), by name.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  // A JSON document as written: parsed, `12345678901234567891` would show as `12345678901234567000`.
  if (value instanceof JsonText) return value.text;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return value as string | number | boolean | object;
}
