/** Turns any value into the text that text transforms work on; one rule for every transform. */
import type { Value } from '../../connectors/types.ts';

const HEX = '0123456789abcdef';

/** The value as text: strings as they are, numbers and booleans printed, bytes as hex, objects as JSON; null stays null. */
export function toText(value: Value): string | null {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value);
    default:
      if (value instanceof Uint8Array) {
        let out = '';
        for (let i = 0; i < value.length; i++) out += HEX[value[i]! >> 4]! + HEX[value[i]! & 15]!;
        return out;
      }
      return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));
  }
}

/** True for null, an empty string or one of only white space (including no-break spaces). */
export function isBlank(value: Value): boolean {
  if (value === null || value === undefined) return true;
  return typeof value === 'string' && value.trim().length === 0;
}
