/**
 * Masks personal values in plan samples and rejects files: a field is personal when its name (or the
 * source column it comes from) says so, and a single value is masked when it is itself an e-mail
 * address, a phone number, an IBAN or a social security number, whatever its field.
 */
import type { MappingConfig } from '../config/schema.ts';
import type { Value } from '../connectors/types.ts';
import type { PersonalDataKind, ValueFormat } from '../core/profile.ts';
import { recogniseFormats } from '../profilers/formats/recognise-formats.ts';
import { classifyPersonalData } from '../profilers/personal-data.ts';
import { maskValue } from '../profilers/value-masking.ts';

/** The personal-data kind of each target field of a mapping (undefined when not personal). */
export function personalKinds(
  mapping: MappingConfig,
  targetFields: readonly string[],
): (PersonalDataKind | undefined)[] {
  return targetFields.map((field) => {
    const byField = classifyPersonalData(field, [], 0);
    if (byField) return byField.kind;
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
  return plain;
}

function jsonSafe(value: Value): string | number | boolean | object {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return value as string | number | boolean | object;
}
