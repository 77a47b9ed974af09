/** The two ways data enters the HTML file: escaped text on the server, and one embedded JSON block. */

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute value; every server-rendered value goes through it. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

const JSON_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * Serialises `value` for a `<script type="application/json">` block: `<`, `>` and `&` become `\u` escapes,
 * so neither `</script>` nor `<!--` in the data can end the block, and `JSON.parse` reads it back unchanged.
 */
export function embedJson(value: unknown): string {
  return JSON.stringify(value, jsonReplacer).replace(/[<>&\u2028\u2029]/g, (c) => JSON_ESCAPES[c]!);
}

// Large integers travel as strings, as in the documents themselves.
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
