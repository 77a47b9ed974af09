/**
 * How a diff matches a source row to a target row: by the canonical text of the key fields, compared
 * exactly (binary) in JS, never by a database's sort order. When a target key column compares text
 * case-insensitively (MySQL/MariaDB `_ci` collations, SQL Server `_CI_`), the key is folded the way the
 * database will fold it, so that the plan predicts that `abc` updates the row `ABC` instead of inserting.
 */
import type { Column } from '../core/inventory.ts';

/**
 * How one key column's text is compared by the target database: `case` and `case-accents` as SQL Server's
 * case-insensitive collations (trailing spaces ignored); for MySQL/MariaDB's, `general` as the
 * `_general_ci` ones, `uca400-…` as `utf8mb4_unicode_ci` (UCA 4.0.0) and `uca-…` as the later Unicode
 * collations, each `-nopad` where MySQL 8's `_0900_` and MariaDB's `_nopad_` collations keep trailing
 * spaces; `ascii-case` as SQLite's NOCASE (A–Z only), `rtrim` as SQLite's RTRIM and the case-sensitive
 * collations that pad with spaces (SQL Server's, MySQL's `_bin` and `_cs`), `lower` as PostgreSQL's citext.
 */
export type KeyFolding =
  | 'exact'
  | 'case'
  | 'case-accents'
  | 'general'
  | 'general-nopad'
  | 'uca-case'
  | 'uca-case-nopad'
  | 'uca-case-accents'
  | 'uca-case-accents-nopad'
  | 'uca400-case-accents'
  | 'uca400-case-accents-nopad'
  | 'ascii-case'
  | 'rtrim'
  | 'lower';

/**
 * The folding a target key column applies. MySQL/MariaDB columns list a collation only when it differs
 * from the table's, whose default is case-insensitive: no collation there means folded. SQL Server compares
 * text padded with spaces under every collation, binary ones included: `abc` and `abc ` are one key.
 */
export function keyFoldingOf(column: Column, targetKind: string | undefined): KeyFolding {
  if (column.type !== 'string') return 'exact';
  const collation = (column.collation ?? '').toLowerCase();
  if (targetKind === 'mysql' || targetKind === 'mariadb') {
    if (collation === 'binary') return 'exact';
    // MySQL 8's UCA 9.0.0 collations and MariaDB's `_nopad_` ones keep trailing spaces; the others pad.
    const noPad = /_0900_|nopad/.test(collation);
    if (/_bin$|_cs$/.test(collation)) return noPad ? 'exact' : 'rtrim';
    // The Unicode Collation Algorithm's collations (and a column of the table's default, unknown here: the
    // wider folding rejects a pair of keys rather than merge them): `ß` = `ss`, `ﬀ` = `ff`, a decomposed
    // `é` = `é`, a zero-width space ignored. The others (`_general_ci`, latin1's) fold character by character.
    const uca = collation === '' || /unicode|_0900_|uca1400|_520_/.test(collation);
    if (/_as_ci$/.test(collation)) return noPad ? 'uca-case-nopad' : 'uca-case';
    // `utf8mb4_unicode_ci` weighs by UCA 4.0.0: every character past U+FFFF is one weight, later letters
    // (ẞ, Ꟁ) none of their own, the soft hyphen counts.
    if (/_unicode_(nopad_)?ci$/.test(collation))
      return noPad ? 'uca400-case-accents-nopad' : 'uca400-case-accents';
    if (uca) return noPad ? 'uca-case-accents-nopad' : 'uca-case-accents';
    return noPad ? 'general-nopad' : 'general';
  }
  if (targetKind === 'mssql') {
    if (!/_ci_/.test(collation) && !/_ci$/.test(collation)) return 'rtrim';
    return /_ai/.test(collation) ? 'case-accents' : 'case';
  }
  if (targetKind === 'sqlite') {
    if (collation === 'nocase') return 'ascii-case';
    return collation === 'rtrim' ? 'rtrim' : 'exact';
  }
  // PostgreSQL compares keys bytewise unless the type folds them: citext lowers both sides, by the
  // database's ctype (A–Z alone under C or POSIX, which the catalog gives as the column's collation).
  if (targetKind === 'postgres' && /(^|\.)"?citext"?$/i.test(column.nativeType.trim()))
    return /^"?(c|posix)"?$/.test(collation) ? 'ascii-case' : 'lower';
  return 'exact';
}

const COMBINING_MARKS = /[\u0300-\u036f]/g;

/** Folds a canonical key text like the column's collation does (trailing spaces are ignored by PAD SPACE). */
export function foldKeyText(text: string, folding: KeyFolding): string {
  switch (folding) {
    case 'exact':
      return text;
    case 'ascii-case':
      return /[A-Z]/.test(text) ? text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase()) : text;
    case 'rtrim':
      return text.replace(/ +$/, '');
    case 'lower':
      return lowerEachCodePoint(text);
  }
  const noPad = folding.endsWith('-nopad');
  const padded = noPad ? text : text.replace(/ +$/, '');
  if (folding === 'general' || folding === 'general-nopad') return foldGeneral(padded);
  if (folding.startsWith('uca400-')) return foldUca400(padded);
  if (folding.startsWith('uca-')) return foldUca(padded, folding.startsWith('uca-case-accents'));
  const lower = padded.toLowerCase();
  return folding === 'case' ? lower : lower.normalize('NFD').replace(COMBINING_MARKS, '');
}

/**
 * As MySQL's `_general_ci` collations weigh text: one character at a time, case folded, a precomposed Latin
 * letter as its base letter (`é`, `Ā`, `ș` as `e`, `a`, `s`; `ß` as `s`), while a combining mark, a letter
 * such as `æ` or `ø` and any character past Latin Extended-B keep weights of their own.
 */
function foldGeneral(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    // Every character past U+FFFF weighs the same there.
    if (code > 0xffff) out += '\ufffd';
    else if (code === 0xdf) out += 's';
    else {
      // The weight is the upper case (`ſ` is `S`, `ı` is `I`, `µ` is `Μ`); a precomposed letter of the
      // alphabets below U+2000 weighs as its base letter (`é`, `Ā`, `ά`, `ё`); a letter whose upper case is
      // two characters (`ŉ`) keeps its own weight.
      const upper = ch.toUpperCase();
      const one = upper.length === ch.length ? upper : ch;
      out += code < 0x2000 ? one.normalize('NFD').replace(MARKS, '') || one : one;
    }
  }
  return out.toLowerCase();
}

/**
 * As `utf8mb4_unicode_ci` (UCA 4.0.0) compares: `foldUca` with accents, but every character past U+FFFF
 * one weight, the soft hyphen not ignored, and the letters later versions added (ẞ, Latin Extended-D's)
 * left as they are.
 */
function foldUca400(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  let run = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const unknown = code === 0x1e9e || (code >= 0xa720 && code <= 0xa7ff) || code === 0xad;
    if (code > 0xffff || unknown) {
      out += foldUca(run, true, false) + (code > 0xffff ? '\ufffd' : ch);
      run = '';
    } else run += ch;
  }
  return out + foldUca(run, true, false);
}

/**
 * As a Unicode Collation Algorithm collation compares text at its first two or three levels: compatibility
 * forms as their letters (`ﬀ`, `①`, full-width `ｆ`), canonical equivalents alike, ignorable characters
 * (zero-width space, soft hyphen) left out, `ß` as `ss` and `œ` as `oe`, case folded, and with
 * `accents` the accents too.
 */
function foldUca(text: string, accents: boolean, later = true): string {
  if (ASCII.test(text)) return text.toLowerCase();
  const folded = text
    .normalize('NFKD')
    .replace(IGNORABLE, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/œ/g, 'oe');
  // UCA 5.2 and later weigh these as their letters; 4.0.0 (`foldUca400`) gives them weights of their own.
  const lower = later ? folded.replace(LATER_EXPANSIONS, (ch) => LATER_EXPANSION[ch]!) : folded;
  return accents ? lower.replace(MARKS, '') : lower.normalize('NFC');
}

const ASCII = /^[\x00-\x7f]*$/;
const LATER_EXPANSION: Readonly<Record<string, string>> = { æ: 'ae', đ: 'd', ł: 'l' };
const LATER_EXPANSIONS = /[æđł]/g;
const MARKS = /\p{M}/gu;
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * Lower case one code point at a time, as PostgreSQL's lower() maps each character (towlower): no context
 * (a final Σ is σ, not ς), and İ is i, where JavaScript's toLowerCase() gives two code points.
 */
function lowerEachCodePoint(text: string): string {
  let out = '';
  for (const ch of text) {
    if (ch === '\u0130') out += 'i';
    else out += ch.toLowerCase();
  }
  return out;
}

/** Separates key parts: a character no canonical text contains unescaped. */
export const KEY_SEPARATOR = '\u0001';
