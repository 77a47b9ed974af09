/** Recognises IBANs with validator's `isIBAN`: per-country length and layout, then the mod-97 checksum. */
import validator from 'validator';

const GROUP_SPACES = / /g;

/** True for an IBAN, compact (`FR7630006000011234567890189`) or printed in groups of four. */
export function isIbanFormat(text: string): boolean {
  if (text.length < 15 || text.length > 42) return false;
  const first = text.charCodeAt(0);
  if (first < 65 || first > 90) return false;
  const compact = text.includes(' ') ? text.replace(GROUP_SPACES, '') : text;
  return validator.isIBAN(compact);
}
