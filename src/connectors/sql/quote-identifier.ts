/** Standard SQL identifier quoting (PostgreSQL, SQLite): `"a""b"`. */

/** Quotes an identifier with double quotes, doubling any inside. */
export function quoteDoubleQuoted(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
