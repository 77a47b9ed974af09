/**
 * `${VAR}` and `${VAR:-default}` interpolation over the parsed config tree, so a value from the
 * environment can never change the YAML structure. `$${` writes a literal `${`.
 */
import { registerSecret } from '../core/secrets.ts';

/** A problem found while interpolating, with the config path it sits at. */
export interface EnvProblem {
  readonly path: string;
  readonly message: string;
}

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
// Keys whose value is a secret (`password`, `sslpassword`, `secret`, `apiKey`), and variables named like one.
const SECRET_KEY = /password|passwd|passphrase|secret|token|api_?key$/i;
const SECRET_VARIABLE = /password|passwd|passphrase|secret|token|api_?key|credential|_pwd$|_pass$/i;
// The text before a reference that sits in a URL's password part: `postgres://user:${PASSWORD}@`
// (not the user name before the colon, which is no secret).
const IN_USER_INFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s:]*:[^/?#@\s]*$/i;

const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/**
 * Replaces environment references in every string of `tree`; returns the new tree, the problems found,
 * and the paths whose whole value is one reference (`port: "${PGPORT}"`): the environment holds only
 * text, so such a value may stand for a number or a boolean where the config wants one.
 */
export function interpolateEnv(
  tree: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { value: unknown; problems: EnvProblem[]; wholeReferences: Set<string> } {
  const problems: EnvProblem[] = [];
  const wholeReferences = new Set<string>();
  const interpolateString = (text: string, path: string, key: string): string => {
    // A URL may hold a password: no part of it is shown either.
    checkReferences(text, path, SECRET_KEY.test(key) || key === 'url', problems);
    return replaceReferences(text, path, key);
  };
  const replaceReferences = (text: string, path: string, key: string): string =>
    text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined, at: number) => {
      if (match === '$${') return '${';
      const value = env[name!];
      if (value !== undefined && value !== '') {
        // A value pulled from the environment into a password, a URL's password or a variable named
        // like a secret is a secret from now on, wherever it ends up.
        if (SECRET_KEY.test(key) || SECRET_VARIABLE.test(name!)) registerSecret(value);
        if (key === 'url') {
          registerUrlPassword(value);
          // Unencoded characters (`/`, `#`, `?`) would stop the URL parser finding the password: keep it whole.
          if (IN_USER_INFO.test(text.slice(0, at))) registerSecret(value);
        }
        return value;
      }
      if (fallback !== undefined) return fallback;
      problems.push({
        path,
        message: `environment variable ${name} is not set (set it, or write \${${name}:-default})`,
      });
      return '';
    });
  const value = mapStrings(tree, (text, path, key) => {
    if (WHOLE_REFERENCE.test(text)) wholeReferences.add(path);
    return interpolateString(text, path, key);
  });
  return { value, problems, wholeReferences };
}

/**
 * `tree` with every string replaced by what `map` returns for it, given its path (`a.b[0].c`) and the
 * key it sits under (an array's items under their array's key).
 */
function mapStrings(tree: unknown, map: (text: string, path: string, key: string) => unknown): unknown {
  const visit = (node: unknown, path: string, key: string): unknown => {
    if (typeof node === 'string') return map(node, path, key);
    if (Array.isArray(node)) return node.map((item, i) => visit(item, `${path}[${i}]`, key));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = visit(v, path ? `${path}.${k}` : k, k);
      return out;
    }
    return node;
  };
  return visit(tree, '', '');
}

/**
 * The tree with the values at `paths` (as `a.b[0].c`) read as numbers or booleans where their text is
 * one (`"5432"` → 5432, `"true"` → true); null when none is. For the paths a schema wanted a number or a
 * boolean at and that hold the text of a whole environment reference.
 */
export function scalarsFromEnvironment(tree: unknown, paths: ReadonlySet<string>): unknown | null {
  let changed = false;
  const value = mapStrings(tree, (text, path) => {
    if (!paths.has(path)) return text;
    const trimmed = text.trim();
    if (/^-?\d+(\.\d+)?$/.test(trimmed)) {
      changed = true;
      return Number(trimmed);
    }
    if (trimmed === 'true' || trimmed === 'false') {
      changed = true;
      return trimmed === 'true';
    }
    return text;
  });
  return changed ? value : null;
}

const OPENING = /\$?\$\{/g;
const REFERENCE = new RegExp(PATTERN.source, 'y');

/**
 * A `${` that opens no reference (`${BAD-NAME}`, `${UNCLOSED`) would reach a password or a path as it is
 * written: a problem, with the way to write a literal one.
 */
function checkReferences(text: string, path: string, secret: boolean, problems: EnvProblem[]): void {
  for (const found of text.matchAll(OPENING)) {
    if (found[0] === '$${') continue;
    REFERENCE.lastIndex = found.index;
    if (REFERENCE.test(text)) continue;
    // Part of a secret is not shown: only whole registered secrets are masked in messages.
    const shown = secret
      ? 'a `${` in this value'
      : `"${text.slice(found.index, found.index + 24)}${text.length > found.index + 24 ? '…' : ''}"`;
    problems.push({
      path,
      message: `${shown} is no environment reference: write \${NAME} (letters, digits and _, closed by }) or \${NAME:-default}, or $\${ for a literal \${`,
    });
  }
}

/** Registers the password of a connection URL, and its secret query parameters (`?sslpassword=`), as secrets. */
export function registerUrlPassword(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL: nothing to register (`redact` still masks what looks like `scheme://user:password@`).
    return;
  }
  if (parsed.password) {
    registerSecret(parsed.password);
    registerSecret(safeDecode(parsed.password));
  }
  for (const [name, value] of parsed.searchParams) {
    if (!SECRET_KEY.test(name)) continue;
    // Both the decoded value and the text as written in the URL (`%2F` or `+` kept).
    registerSecret(value);
    const raw = new RegExp(`[?&]${name}=([^&#]*)`).exec(parsed.search)?.[1];
    if (raw) registerSecret(raw);
  }
}

/** Registers every secret written in the config tree itself: `password:` fields (a number too) and URL passwords. */
export function registerTreeSecrets(tree: unknown, key = ''): void {
  if (typeof tree === 'string' || typeof tree === 'number') {
    if (SECRET_FIELD.test(key)) registerSecret(String(tree));
    if (key === 'url' && typeof tree === 'string') registerUrlPassword(tree);
    return;
  }
  // A list's own strings are names (`key: [id]`); the mappings inside it (`transform: [{ hash: … }]`) are looked into.
  if (Array.isArray(tree)) {
    for (const item of tree) if (item !== null && typeof item === 'object') registerTreeSecrets(item);
    return;
  }
  if (tree !== null && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree)) registerTreeSecrets(v, k);
  }
}

// Fields that hold a secret themselves, as opposed to `ssl.key`, a file path, or `to.key`, column names.
const SECRET_FIELD = /^(password|passwd|passphrase|secret|token|api_?key)$/i;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
