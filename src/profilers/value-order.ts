/** The one order of profile values: numbers numerically, text by code point (a database's binary collation). */
import type { ProfileValue } from '../core/profile.ts';

/** Texts longer than this are compared by the engine where its order is the code point order. */
const LONG = 256;
/** A UTF-16 unit from D800: a surrogate, or a BMP unit from E000. */
const FROM_D800 = /[\ud800-\uffff]/;

/**
 * Compares two strings by code point. JS `<` compares UTF-16 units, which puts U+10000 and above
 * before U+E000–U+FFFF; binary UTF-8 collations (and this function) put them after.
 */
export function compareCodePoints(a: string, b: string): number {
  // Long texts (10 MB values sharing a prefix): the engine's own comparison, where it orders as code
  // points do. UTF-16 order differs from code point order only at a surrogate against a unit from E000,
  // so when either text holds no unit from D800 the engine's order is the code point order.
  if (a.length > LONG && b.length > LONG) {
    if (a === b) return 0;
    if (!FROM_D800.test(a) || !FROM_D800.test(b)) return a < b ? -1 : 1;
  }
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (D800–DFFF) stands for a code point above every BMP unit from E000.
    const xHigh = x >= 0xd800 && x <= 0xdfff;
    const yHigh = y >= 0xd800 && y <= 0xdfff;
    if (xHigh !== yHigh && (x >= 0xe000 || y >= 0xe000)) return xHigh ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** Compares two profile values: booleans false < true, numbers numerically, then text by code point. */
export function compareValues(a: ProfileValue, b: ProfileValue): number {
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'number' && tb === 'number') return (a as number) - (b as number);
  if (ta === 'string' && tb === 'string') return compareCodePoints(a as string, b as string);
  if (ta === 'boolean' && tb === 'boolean') return (a ? 1 : 0) - (b ? 1 : 0);
  // Mixed kinds only meet in odd columns (a bigint past 2^53 kept as text): booleans, numbers, text.
  const rank = (t: string) => (t === 'boolean' ? 0 : t === 'number' ? 1 : 2);
  return rank(ta) - rank(tb);
}

/** Compares decimal texts (`-1.5`, `12`) numerically without losing digits to floating point. */
export function compareDecimalTexts(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (na !== nb) return na < nb ? -1 : 1;
  if (a === b) return 0;
  // Equal as doubles but different digits: compare sign, integer part, then fraction exactly.
  const negative = a.startsWith('-');
  if (negative !== b.startsWith('-')) return negative ? -1 : 1;
  const [ai = '', af = ''] = (negative ? a.slice(1) : a).split('.');
  const [bi = '', bf = ''] = (negative ? b.slice(1) : b).split('.');
  let order = ai.length !== bi.length ? ai.length - bi.length : ai < bi ? -1 : ai > bi ? 1 : 0;
  if (order === 0) {
    const width = Math.max(af.length, bf.length);
    const x = af.padEnd(width, '0');
    const y = bf.padEnd(width, '0');
    order = x < y ? -1 : x > y ? 1 : 0;
  }
  return negative ? -order : order;
}

/**
 * Compares time keys as the signed durations they are: MySQL's TIME runs from `-838:59:59` to
 * `838:59:59` (`25:00:00`, `-00:00:01`), which code-point order ranks wrongly. A key that is no time falls
 * back to `compareValues`.
 */
export function compareTimeKeys(a: ProfileValue, b: ProfileValue): number {
  const x = typeof a === 'string' ? timeMicros(a) : Number.NaN;
  const y = typeof b === 'string' ? timeMicros(b) : Number.NaN;
  if (Number.isNaN(x) || Number.isNaN(y)) return compareValues(a, b);
  return x - y;
}

const TIME_KEY = /^([+-]?)(\d+):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** Microseconds of a signed duration written `[±]H+:MM[:SS[.f]]` (a MySQL TIME, an interval's clock part), or NaN. */
export function timeMicros(text: string): number {
  const m = TIME_KEY.exec(text);
  if (!m) return Number.NaN;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0);
  const micros = seconds * 1e6 + Math.round(Number(`0.${m[5] ?? '0'}`) * 1e6);
  return m[1] === '-' ? -micros : micros;
}
