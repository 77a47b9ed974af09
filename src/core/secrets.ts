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
const KEY_VALUE_SECRET =
  /(?<![.\w])((?:ssl)?password|passwd|pwd|secret|token|api[_-]?key)(\s*[=:]\s*)(?!(?:YES|NO)\))("[^"]*"|'[^']*'|[^;&\s,}]+)/gi;

/** Returns `text` with URL passwords, `password=` pairs and every registered secret masked. */
export function redact(text: string): string {
  let out = text.includes('://') ? text.replace(URL_PASSWORD, `$1${MASK}$3`) : text;
  out = out.replace(KEY_VALUE_SECRET, `$1$2${MASK}`);
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join(MASK);
  }
  return out;
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
 * A `JSON.parse` reviver that passes every string through `redact`: a document read back for a report
 * may have been edited by hand since stocktake wrote it (a connection URL pasted into a comment).
 */
export function redactingReviver(_key: string, value: unknown): unknown {
  return typeof value === 'string' ? redact(value) : value;
}
