/**
 * Decimal numbers as canonical text (`-1234.5`: no leading or trailing zeros, `.` as separator), the form
 * decimals cross the connector contract in. Parsing accepts the ways people write numbers in France and
 * elsewhere: `1 234,56`, `1.234,56`, `1'234.56`, `1,234.56`.
 */
import { plainNumberText } from '../core/plain-number.ts';

/** Characters that group thousands: space, no-break space, narrow no-break space, thin space, apostrophes. */
const GROUP_CHARS = new Set([' ', '\u00a0', '\u202f', '\u2009', "'", '\u2019']);
const CANONICAL = /^(?!-0$)-?(0|[1-9]\d*)(\.\d*[1-9])?$/;
/** Digits with at most one `,` or `.` and no grouping: most values, parsed without the general scan. */
const SIMPLE = /^(-?)(\d*)(?:[.,](\d*))?$/;

/** True when `text` is already a canonical decimal. */
export function isCanonicalDecimal(text: string): boolean {
  return CANONICAL.test(text);
}

export { plainDecimalText } from '../core/plain-number.ts';

/** Canonical text of integer and fraction digits (either may be empty) with a sign. */
function canonical(negative: boolean, integer: string, fraction: string): string {
  let start = 0;
  while (start < integer.length - 1 && integer.charCodeAt(start) === 48) start++;
  const int = integer.slice(start) || '0';
  let end = fraction.length;
  while (end > 0 && fraction.charCodeAt(end - 1) === 48) end--;
  const frac = fraction.slice(0, end);
  const body = frac ? `${int}.${frac}` : int;
  return negative && body !== '0' ? `-${body}` : body;
}

/** Counts occurrences of `char` in `text`. */
function count(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i !== -1; i = text.indexOf(char, i + 1)) n++;
  return n;
}

/** True when digit groups separated by grouping characters are 1–3 digits, then exactly 3 each. */
function groupsValid(integerPart: string, separators: (c: string) => boolean): boolean {
  let group = 0;
  let groups = 0;
  for (let i = 0; i < integerPart.length; i++) {
    const c = integerPart[i]!;
    if (separators(c)) {
      if (group === 0 || group > 3 || (groups > 0 && group !== 3)) return false;
      groups++;
      group = 0;
    } else {
      group++;
    }
  }
  return group > 0 && (groups === 0 || group === 3);
}

/**
 * Parses a number as people write it into a canonical decimal, or returns null. `decimal` fixes the
 * decimal separator; when absent, the last of `,` and `.` is the separator if both appear, a lone `,` is
 * decimal (French usage), a repeated one groups thousands.
 */
export function parseDecimalText(input: string, decimal?: ',' | '.'): string | null {
  if (input.includes('e') || input.includes('E')) return parseScientific(input, decimal);
  const simple = SIMPLE.exec(input);
  if (simple && (decimal === undefined || simple[3] === undefined || input.includes(decimal))) {
    const integer = simple[2]!;
    const fraction = simple[3] ?? '';
    return integer.length === 0 && fraction.length === 0
      ? null
      : canonical(simple[1] === '-', integer, fraction);
  }
  let text = input.trim();
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 0x2212 || first === 43) {
    negative = first !== 43;
    text = text.slice(1).trimStart();
  }
  if (text.length === 0) return null;
  let separator: string | undefined = decimal;
  if (separator === undefined) {
    const commas = count(text, ',');
    const dots = count(text, '.');
    if (commas > 0 && dots > 0) separator = text.lastIndexOf(',') > text.lastIndexOf('.') ? ',' : '.';
    else if (commas === 1) separator = ',';
    else if (dots === 1) separator = '.';
    else separator = commas > 1 ? '.' : ',';
  }
  const grouping = separator === ',' ? '.' : ',';
  const at = text.indexOf(separator);
  if (at !== -1 && text.indexOf(separator, at + 1) !== -1) return null;
  const integerPart = at === -1 ? text : text.slice(0, at);
  const fractionPart = at === -1 ? '' : text.slice(at + 1);
  let digits = '';
  let grouped = false;
  for (let i = 0; i < integerPart.length; i++) {
    const c = integerPart.charCodeAt(i);
    if (c >= 48 && c <= 57) digits += integerPart[i];
    else if (integerPart[i] === grouping || GROUP_CHARS.has(integerPart[i]!)) grouped = true;
    else return null;
  }
  for (let i = 0; i < fractionPart.length; i++) {
    const c = fractionPart.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  if (digits.length === 0 && fractionPart.length === 0) return null;
  if (grouped && !groupsValid(integerPart, (c) => c === grouping || GROUP_CHARS.has(c))) return null;
  return canonical(negative, digits, fractionPart);
}

/** `1.5E-10`, `2,5e3` (a comma when the decimal separator is one), `-3e+2`: a mantissa and a power of ten. */
const SCIENTIFIC = /^\s*([-+]?)(\d*)(?:([.,])(\d*))?[eE]([-+]?\d{1,3})\s*$/;

/** A number in scientific notation as a canonical decimal (`1.5E-10` → `0.00000000015`), or null. */
function parseScientific(input: string, decimal?: ',' | '.'): string | null {
  const m = SCIENTIFIC.exec(input);
  if (!m) return null;
  const [, sign, int = '', separator, frac = '', exponent] = m;
  if (int.length + frac.length === 0) return null;
  if (separator !== undefined && decimal !== undefined && separator !== decimal) return null;
  return shifted(sign === '-', int, frac, Number(exponent));
}

/** `int.frac × 10^exponent` as a canonical decimal. */
function shifted(negative: boolean, int: string, frac: string, exponent: number): string {
  const digits = int + frac;
  const point = int.length + exponent;
  if (point <= 0) return canonical(negative, '0', '0'.repeat(-point) + digits);
  if (point >= digits.length) return canonical(negative, digits + '0'.repeat(point - digits.length), '');
  return canonical(negative, digits.slice(0, point), digits.slice(point));
}

/** A finite JS number as a canonical decimal (`1e-7` → `0.0000001`); null for NaN and infinities. */
/** `1.50` → `1.5`, `2.00` → `2`, `-0.0` → `0`: a canonical decimal without the zeros that end its fraction. */
export function trimFraction(text: string): string {
  if (text.indexOf('.') === -1) return text;
  const trimmed = text.replace(/\.?0+$/, '');
  return trimmed === '-0' ? '0' : trimmed;
}

export function numberToDecimal(value: number): string | null {
  return plainNumberText(value) ?? null;
}

/** Integer and fraction digit counts of a canonical decimal (`-12.345` → 2 and 3; `0.5` → 0 and 1). */
export function decimalDigits(text: string): { integer: number; fraction: number } {
  const first = text.charCodeAt(0) === 45 ? 1 : 0;
  const at = text.indexOf('.', first);
  const end = at === -1 ? text.length : at;
  const integer = end - first === 1 && text.charCodeAt(first) === 48 ? 0 : end - first;
  return { integer, fraction: at === -1 ? 0 : text.length - at - 1 };
}

/** Rounds a canonical decimal to `scale` fraction digits, half away from zero (`2.345`, 2 → `2.35`). */
export function roundDecimal(text: string, scale: number): string {
  const negative = text.charCodeAt(0) === 45;
  const body = negative ? text.slice(1) : text;
  const at = body.indexOf('.');
  if (at === -1 || body.length - at - 1 <= scale) return text;
  const int = body.slice(0, at);
  const kept = int + body.slice(at + 1, at + 1 + scale);
  const roundUp = body.charCodeAt(at + 1 + scale) >= 53;
  let digits = kept;
  if (roundUp) {
    const chars = kept.split('');
    let i = chars.length - 1;
    while (i >= 0 && chars[i] === '9') chars[i--] = '0';
    if (i >= 0) chars[i] = String(Number(chars[i]) + 1);
    else chars.unshift('1');
    digits = chars.join('');
  }
  const point = digits.length - scale;
  return canonical(negative, digits.slice(0, point), digits.slice(point));
}
