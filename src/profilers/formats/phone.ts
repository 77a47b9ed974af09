/**
 * Recognises French phone numbers in their national layouts and international numbers with a `+`,
 * validated against the numbering plans of libphonenumber-js (its default metadata: lengths and leading
 * digits, not the per-type ranges, so a well-formed but unallocated mobile still counts).
 */
import { isValidPhoneNumber } from 'libphonenumber-js';

/**
 * `0123456789`, `01 23 45 67 89`, `01.23.45.67.89`, `01-23-45-67-89`: ten digits in pairs, one separator
 * kind; or four digits then pairs, as overseas numbers are often written (`0590 12 34 56`).
 */
const FR_NATIONAL = /^0[1-9](?:([ .-]?)\d{2}(?:\1\d{2}){3}|\d{2}([ .-])\d{2}\2\d{2}\2\d{2})$/;
/** The trunk zero some write in brackets after the country code: `+33 (0)1 23 45 67 89`. */
const TRUNK_ZERO = /^(\+[1-9]\d{0,2}) ?\(0\) ?/;
/** `+33612345678` (E.164), also grouped by spaces, dots or dashes as people write it: `+33 6 12 34 56 78`. */
const INTERNATIONAL = /^\+[1-9][\d .-]{6,18}\d$/;

/** True for a French number in a national layout that the French numbering plan accepts. */
export function isFrenchPhoneFormat(text: string): boolean {
  return text.length >= 10 && text.length <= 14 && FR_NATIONAL.test(text) && isValidPhoneNumber(text, 'FR');
}

/**
 * True for an international number (`+` and country code), E.164 or grouped, valid in its country's plan;
 * `(0)` after the country code is read as the phone transform reads it (dropped).
 */
export function isE164PhoneFormat(text: string): boolean {
  if (text.charCodeAt(0) !== 43) return false;
  const number = text.includes('(') ? text.replace(TRUNK_ZERO, '$1 ') : text;
  return INTERNATIONAL.test(number) && isValidPhoneNumber(number);
}
