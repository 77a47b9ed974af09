/** Classifies null-like text (values that mean "nothing" but are not SQL NULL), per `NullLikeCounts`. */
import type { NullLikeCounts } from '../core/profile.ts';

/** The kinds of null-like value, keys of `NullLikeCounts`. */
export type NullLikeKind = keyof NullLikeCounts;

/** The words (trimmed, lower case) of each null-like kind beyond empty and blank; SQL push-down uses the same list. */
export const NULL_LIKE_WORDS: readonly (readonly [NullLikeKind, readonly string[]])[] = [
  ['na', ['n/a', 'na', 'n.a.', '#n/a', 'none', 'néant', 'nc', 'n/c']],
  ['nullText', ['null', 'nil', '(null)']],
  ['dash', ['-', '--', '—', '?']],
  ['zeroDate', ['0000-00-00', '0000-00-00 00:00:00', '00/00/0000']],
];

const KINDS: ReadonlyMap<string, NullLikeKind> = new Map(
  NULL_LIKE_WORDS.flatMap(([kind, words]) => words.map((word) => [word, kind] as const)),
);
/** The longest listed word; longer trimmed values are never null-like, so they skip the lookup. */
const LONGEST = 19;
/** First characters of the listed words, lower-cased by `| 0x20` (which maps `?`, `#`, `(`, `-`, `0` to themselves). */
const FIRST_CHARS = new Set([...KINDS.keys()].map((word) => word.charCodeAt(0) | 0x20));
const EDGE_BLANKS = /^[\s\u00a0\u202f]+|[\s\u00a0\u202f]+$/g;

/** The first ten characters of a date with a zero month or day, then the end or the time. */
const ZERO_IN_DATE = /^\d{4}-(?:00-\d\d|\d\d-00)(?:$|[ T])/;

/**
 * True for a date or timestamp key whose month or day is zero: MySQL/MariaDB's zero date `0000-00-00`
 * (`0000-00-00 00:00:00`) and the dates an sql_mode without NO_ZERO_IN_DATE lets in (`2020-00-15`,
 * `2021-03-00`). No calendar holds them: a date column counts them as null-like (`zeroDate`).
 */
export function isZeroDate(key: string): boolean {
  // Most keys are real dates: two character tests settle them before the pattern does.
  if (key.charCodeAt(4) !== 45) return false;
  const zeroMonth = key.charCodeAt(5) === 48 && key.charCodeAt(6) === 48;
  const zeroDay = key.charCodeAt(8) === 48 && key.charCodeAt(9) === 48;
  return (zeroMonth || zeroDay) && ZERO_IN_DATE.test(key);
}

/** Null-like counts all at zero. */
export function emptyNullLikeCounts(): NullLikeCounts {
  return { empty: 0, blank: 0, na: 0, nullText: 0, dash: 0, zeroDate: 0 };
}

/** The null-like kind of a text value after trimming, case-insensitively; undefined for a real value. */
export function classifyNullLike(text: string): NullLikeKind | undefined {
  if (text.length === 0) return 'empty';
  // Fast exit for the common case: no edge blank and a first character no null-like word starts with.
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  if (first > 32 && first !== 160 && first !== 0x202f && last > 32 && last !== 160 && last !== 0x202f) {
    if (text.length > LONGEST || !FIRST_CHARS.has(first | 0x20)) return undefined;
  }
  const trimmed = text.replace(EDGE_BLANKS, '');
  if (trimmed.length === 0) return 'blank';
  if (trimmed.length > LONGEST) return undefined;
  return KINDS.get(foldNullLike(trimmed));
}

/**
 * A text as null-like words are compared: edge blanks trimmed, lower case, and NFC so that a decomposed
 * `néant` (e + combining acute) reads like the composed one. SQLite's push-down calls it too.
 */
export function foldNullLike(text: string): string {
  return text.replace(EDGE_BLANKS, '').toLowerCase().normalize('NFC');
}
