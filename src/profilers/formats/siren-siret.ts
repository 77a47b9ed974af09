/**
 * Recognises SIREN (9 digits) and SIRET (14 digits) numbers of the French company register. Our own
 * functions: the rule is a Luhn checksum plus La Poste's exception, which the validation libraries on
 * npm do not handle.
 */

/** La Poste's SIREN: its establishments' SIRETs are checked by the sum of their digits, not Luhn. */
const LA_POSTE_SIREN = '356000000';

function allDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** True when the digits pass the Luhn checksum (every second digit from the right doubled). */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** True for zeros alone: a placeholder (`000000000`), whose Luhn sum of 0 would pass. */
function allZeros(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== 48) return false;
  return true;
}

/** True for a 9-digit SIREN with a valid Luhn key (`732829320`); zeros alone are a placeholder. */
export function isSirenFormat(text: string): boolean {
  return text.length === 9 && allDigits(text) && !allZeros(text) && passesLuhn(text);
}

/**
 * True for a 14-digit SIRET: its SIREN part valid and the whole number passing Luhn, or, for La
 * Poste (`356000000xxxxx`), the sum of its 14 digits a multiple of 5 (INSEE's rule for its many
 * establishments; the head office, 35600000000048, passes Luhn instead).
 */
export function isSiretFormat(text: string): boolean {
  if (text.length !== 14 || !allDigits(text) || allZeros(text.slice(0, 9))) return false;
  if (text.startsWith(LA_POSTE_SIREN)) {
    let sum = 0;
    for (let i = 0; i < 14; i++) sum += text.charCodeAt(i) - 48;
    return sum % 5 === 0 || passesLuhn(text);
  }
  return passesLuhn(text) && passesLuhn(text.slice(0, 9));
}
