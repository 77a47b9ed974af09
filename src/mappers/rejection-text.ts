/** Writes a rejection as one sentence for people: `date: "31/02/2024" is not a date in dd/MM/yyyy`. */
import type { Value } from '../connectors/types.ts';
import type { Rejection } from './mapping-types.ts';

const MAX_SHOWN = 60;

/** A value as a sentence shows it: strings quoted and cut at 60 characters, the rest by type. */
export function quoteValue(value: Value): string {
  if (value === null) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (!Array.isArray(value)) return 'an object';
  // A composite key (the old key of a `ref`, a multi-column `from`): its first values, each as above.
  const shown = value.slice(0, 5).map((v) => quoteValue(v as Value));
  return `[${shown.join(', ')}${value.length > 5 ? `, … (${value.length} values)` : ''}]`;
}

/** The rejection's sentence; pass `shownValue` (e.g. a masked value) to print it instead of the real one. */
export function formatRejection(rejection: Rejection, shownValue: Value = rejection.value): string {
  return `${rejection.step}: ${quoteValue(shownValue)} ${rejection.reason}`;
}
