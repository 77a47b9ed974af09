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
const SECRET_KEY = /password|passwd|secret|token|key$/i;

/** Replaces environment references in every string of `tree`; returns the new tree and the problems found. */
export function interpolateEnv(
  tree: unknown,
  env: Readonly<Record<string, string | undefined>>,
): { value: unknown; problems: EnvProblem[] } {
  const problems: EnvProblem[] = [];
  const visit = (node: unknown, path: string, key: string): unknown => {
    if (typeof node === 'string') return interpolateString(node, path, key);
    if (Array.isArray(node)) return node.map((item, i) => visit(item, `${path}[${i}]`, key));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = visit(v, path ? `${path}.${k}` : k, k);
      return out;
    }
    return node;
  };
  const interpolateString = (text: string, path: string, key: string): string =>
    text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const value = env[name!];
      if (value !== undefined && value !== '') {
        // A value pulled from the environment into a password or URL is a secret from now on.
        if (SECRET_KEY.test(key)) registerSecret(value);
        if (key === 'url') registerUrlPassword(value);
        return value;
      }
      if (fallback !== undefined) return fallback;
      problems.push({
        path,
        message: `environment variable ${name} is not set (set it, or write \${${name}:-default})`,
      });
      return '';
    });
  return { value: visit(tree, '', ''), problems };
}

/** Registers the password part of a connection URL as a secret. */
export function registerUrlPassword(url: string): void {
  try {
    const parsed = new URL(url);
    if (parsed.password) {
      registerSecret(parsed.password);
      registerSecret(decodeURIComponent(parsed.password));
    }
  } catch {
    // Not a URL: nothing to register.
  }
}
