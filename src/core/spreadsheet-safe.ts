/**
 * Text that a spreadsheet would run as a formula is neutralised before it is exported (OWASP "CSV
 * injection"): a value from the data starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets
 * a leading `'`, which Excel and LibreOffice read as "this is text". Plain numbers (`-3`, `+4.5`)
 * cannot run anything and are left as they are.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?$/;

/** True when a spreadsheet could read `text` as a formula (or a DDE command). */
export function looksLikeFormula(text: string): boolean {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text);
}

/** `text` as a spreadsheet may show it: `'=HYPERLINK(…)` instead of a live formula; anything else unchanged. */
export function neutraliseFormula(text: string): string {
  return looksLikeFormula(text) ? `'${text}` : text;
}
