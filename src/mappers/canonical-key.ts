/**
 * How a diff matches a source row to a target row: by the canonical text of the key fields, compared
 * exactly (binary) in JS, never by a database's sort order. When a target key column compares text
 * case-insensitively (MySQL/MariaDB `_ci` collations, SQL Server `_CI_`), the key is folded the way the
 * database will fold it, so that the plan predicts that `abc` updates the row `ABC` instead of inserting.
 */
import type { Column } from '../core/inventory.ts';

/**
 * How one key column's text is compared by the target database: `case` and `case-accents` as MySQL's and
 * SQL Server's case-insensitive collations (Unicode, trailing spaces ignored), `case-nopad` and
 * `case-accents-nopad` as MySQL 8's `_0900_` and MariaDB's `_nopad_` ones (trailing spaces count),
 * `ascii-case` as SQLite's NOCASE (A–Z only), `rtrim` as SQLite's RTRIM and the case-sensitive collations
 * that pad with spaces (SQL Server's, MySQL's `_bin` and `_cs`), `lower` as PostgreSQL's citext.
 */
export type KeyFolding =
  | 'exact'
  | 'case'
  | 'case-accents'
  | 'case-nopad'
  | 'case-accents-nopad'
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
    if (/_as_ci$/.test(collation)) return noPad ? 'case-nopad' : 'case';
    return noPad ? 'case-accents-nopad' : 'case-accents';
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
  const noPad = folding === 'case-nopad' || folding === 'case-accents-nopad';
  const lower = noPad ? text.toLowerCase() : text.toLowerCase().replace(/ +$/, '');
  return folding === 'case' || folding === 'case-nopad'
    ? lower
    : lower.normalize('NFD').replace(COMBINING_MARKS, '');
}

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
