/**
 * Secrets never reach logs, errors or reports. Every password that enters through the config is
 * registered here, and every text that leaves the process passes through `redact`.
 */

const MASK = '***';
const registered = new Set<string>();

/** Remembers a secret value (a password, a token) so that `redact` removes it wherever it appears. */
export function registerSecret(value: string | undefined | null): void {
  // Very short values would mask ordinary words; a real secret is longer than this.
  if (value && value.length >= 3) registered.add(value);
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  registered.clear();
}

// scheme://user:password@host — the password part of any URL.
// A match may only begin where a run of scheme characters begins (the lookbehind), skipping the
// digits, `+`, `.` and `-` that lead the run up to its first letter. Without that anchor the engine
// tried every letter of a long run as the start of a scheme and scanned the rest of the run from each:
// quadratic time on a long word with no URL in it (200,000 × `x` took 26 s). Every start inside a run
// ends its scheme at the same place, the end of the run, so they all succeed or fail together and the
// leftmost letter is the one the unanchored pattern would have chosen: the matches are the same.
const URL_PASSWORD = /((?<![a-z0-9+.-])[0-9+.-]*[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@/\s]+)(@)/gi;
// password=… in connection strings and query strings, sslpassword= included.
// MySQL's own "(using password: YES)" says whether one was sent, not what it is; a config path
// (`sources.crm.password: required`) names a field, not its value.
const SECRET_NAMES = '(?:ssl)?password|passwd|pwd|secret|token|api[_-]?key';
const SECRET_VALUE = String.raw`("[^"]*"|'[^']*'|[^;&\s,}]+)`;
const KEY_VALUE_SECRET = new RegExp(
  String.raw`(?<![.\w])(${SECRET_NAMES})(\s*[=:]\s*)(?!(?:YES|NO)\))` + SECRET_VALUE,
  'gi',
);
/** `password=…`, `token=…` as a connection or query string writes them: the `=` form only. */
const ASSIGNED_SECRET = new RegExp(String.raw`(?<![.\w])(${SECRET_NAMES})(\s*=\s*)` + SECRET_VALUE, 'gi');

/** Returns `text` with URL passwords, `password=` pairs and every registered secret masked. */
export function redact(text: string): string {
  return redactWith(text, KEY_VALUE_SECRET);
}

/** URL passwords, the `pairs` form of named secrets, and every registered secret, masked. */
function redactWith(text: string, pairs: RegExp): string {
  let out = redactUrlPasswords(text).replace(pairs, `$1$2${MASK}`);
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(MASK);
  }
  return out;
}

/**
 * A text a source's catalog holds (a table's or a column's comment, a view's definition, a default): URL
 * passwords and `password=` pairs masked, as `redactDocument` masks them when a report reads a document.
 */
export function redactMetadata(text: string): string {
  return redactWith(text, ASSIGNED_SECRET);
}

/** Returns a URL for display: the password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    for (const key of [...parsed.searchParams.keys()]) {
      if (/password|pwd|secret|token/i.test(key)) parsed.searchParams.set(key, MASK);
    }
    return parsed.toString();
  } catch {
    return redact(url);
  }
}

/**
 * Properties of stocktake's documents whose whole subtree is data read from a source (values, keys,
 * examples): shown as the document holds them, masked by the personal-data rules when it was written.
 */
const DATA_PROPERTIES = new Set([
  'value',
  'min',
  'max',
  'old',
  'new',
  'key',
  'sourceKey',
  'examples',
  'topValues',
  'variants',
]);

/**
 * Masks secrets in a document read back for a report, which may have been edited by hand since stocktake
 * wrote it (a connection URL pasted into a comment): URL passwords, `password=` pairs and registered
 * secrets in its texts. Values taken from the data (under `DATA_PROPERTIES`) lose URL passwords only, so
 * that a value `Pwd=ok;` reads as `audit` wrote it; and the `name: text` form is left alone everywhere,
 * as stocktake's own messages write column names so (`token: 12.5% of values…`). Changes the document
 * in place.
 */
export function redactDocument<T>(document: T): T {
  return redactTree(document, false) as T;
}

function redactTree(value: unknown, data: boolean): unknown {
  if (typeof value === 'string') return data ? redactUrlPasswords(value) : redactWith(value, ASSIGNED_SECRET);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = redactTree(value[i], data);
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object))
      object[key] = redactTree(object[key], data || DATA_PROPERTIES.has(key));
  }
  return value;
}

function redactUrlPasswords(text: string): string {
  return text.includes('://') ? text.replace(URL_PASSWORD, `$1${MASK}$3`) : text;
}
