/**
 * Loads `stocktake.yaml` in layers: parse YAML, interpolate the environment, validate the shape
 * (zod), run the cross-checks, resolve paths. Every problem of every layer is reported at once,
 * each with its config path, before anything connects.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { StocktakeError } from '../core/errors.ts';
import { plainDecimalText, plainNumberText } from '../core/plain-number.ts';
import { registerSecret } from '../core/secrets.ts';
import { crossCheck } from './cross-checks.ts';
import { didYouMean } from './did-you-mean.ts';
import { interpolateEnv, registerTreeSecrets, registerUrlPassword, scalarsFromEnvironment } from './env.ts';
import { type Config, configSchema, SOURCE_KINDS, TARGET_KINDS } from './schema.ts';

/** A config path problem: `sources.crm.url: environment variable CRM_URL is not set`. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  /** `file:line:column` when the YAML position is known. */
  readonly location?: string;
}

/** A validated config whose relative paths are resolved against `baseDir`. */
export interface LoadedConfig {
  readonly config: Config;
  readonly file: string;
  readonly baseDir: string;
}

/** Reads, interpolates, validates and resolves a config file; throws CONFIG_* errors listing every problem. */
export function loadConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  extraChecks?: ExtraChecks,
): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new StocktakeError('CONFIG_NOT_FOUND', `config file ${file} cannot be read`, {
      hint: 'pass the config with -c FILE (default stocktake.yaml)',
      context: { file },
      cause: error,
    });
  }
  return parseConfig(text, file, env, extraChecks);
}

/**
 * Checks a command adds to the config's own (`plan` and `migrate`: the mappings' steps), listed with the
 * others; kept out of the loader so that a command that does not map loads none of the mappers.
 */
export type ExtraChecks = (config: Config) => readonly ConfigProblem[];

// On a tree the schema refused, a command's checks may meet a shape they cannot read: the schema's
// problems say why, and the others found are kept.
function runExtraChecks(checks: ExtraChecks | undefined, config: Config): readonly ConfigProblem[] {
  try {
    return checks?.(config) ?? [];
  } catch {
    return [];
  }
}

/** Validates config text; `file` names it in errors and anchors relative paths. */
export function parseConfig(
  text: string,
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  extraChecks?: ExtraChecks,
): LoadedConfig {
  const lineCounter = new LineCounter();
  // logLevel 'error': the YAML library would otherwise print its warnings (a mapping used as a key) to the console.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = lineCounter.linePos(e.pos[0]);
      return `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`;
    });
    throw new StocktakeError(
      'CONFIG_PARSE',
      `${file} is not valid YAML:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      {
        context: { file, problems },
      },
    );
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new StocktakeError(
      'CONFIG_INVALID',
      `${file}: the config must be a mapping with a \`sources:\` key`,
      {
        context: { file, problems: ['(root): expected a mapping'] },
      },
    );
  }
  blankChoicesAsText(doc);
  exactRangeBounds(doc);
  const raw = toPlainValue(doc, file) ?? {};
  const { value, problems: envProblems, wholeReferences } = interpolateEnv(raw, env);
  // Before validation: a message about an invalid config must not be able to show a password.
  registerTreeSecrets(value);
  const problems: ConfigProblem[] = [...envProblems];

  let parsed = configSchema.safeParse(value, { reportInput: true });
  if (!parsed.success) {
    // `port: "${PGPORT}"`: the environment gives text where a number or a boolean is wanted.
    // Only where the schema refused the text itself: a field that takes text (a password) keeps it.
    const wanted = new Set(
      parsed.error.issues.map((i) => formatPath(i.path)).filter((path) => wholeReferences.has(path)),
    );
    const scalars = wanted.size > 0 ? scalarsFromEnvironment(value, wanted) : null;
    if (scalars !== null) parsed = configSchema.safeParse(scalars, { reportInput: true });
  }
  if (parsed.success) {
    problems.push(...crossCheck(parsed.data), ...runExtraChecks(extraChecks, parsed.data));
  } else {
    // A value an unset variable left empty already has its problem: the schema's (`must not be empty`) repeats it.
    const unset = new Set(envProblems.map((p) => p.path));
    const shape = parsed.error.issues.flatMap(describeIssue).filter((p) => !unset.has(p.path));
    problems.push(...shape);
    // The cross-checks too (an unknown source named by a mapping…), on what has the right shape, so
    // that fixing the first list does not reveal a second: a tree they cannot read leaves the shape's.
    const tree = value as { sources?: unknown; targets?: unknown };
    const named = (section: unknown) =>
      section === undefined || (section !== null && typeof section === 'object' && !Array.isArray(section));
    // Only when the sections of names have the shape of names: a list instead would yield nonsense.
    if (named(tree?.sources) && named(tree?.targets))
      try {
        // Not about a source or target entry that already has a problem: with its kind or its URL
        // missing, the cross-checks would only guess at what it lacks.
        const entry = (path: string) => /^(sources|targets)\.[^.[]+/.exec(path)?.[0] ?? '';
        const faulty = new Set(problems.map((p) => entry(p.path)).filter((e) => e !== ''));
        const seen = new Set(problems.map((p) => p.path));
        problems.push(
          ...[...crossCheck(value as Config), ...runExtraChecks(extraChecks, value as Config)].filter(
            (p) => !seen.has(p.path) && !faulty.has(entry(p.path)),
          ),
        );
      } catch {
        // The schema's problems say why the tree has no shape to cross-check.
      }
  }
  if (problems.length > 0) {
    const located = problems.map((p) => ({ ...p, ...locate(doc, lineCounter, p.path, file) }));
    // Listed in the order of the file, so the list reads top to bottom beside it.
    located.sort((a, b) => a.offset - b.offset);
    throw configInvalid(
      file,
      located.map(({ offset: _, ...p }) => p),
    );
  }
  const config = parsed.data!;
  registerConfigSecrets(config);
  const baseDir = dirname(resolve(file));
  const resolved = resolvePaths(config, baseDir);
  LOCATORS.set(resolved, (path) => locate(doc, lineCounter, path, file).location);
  return { config: resolved, file, baseDir };
}

/** Per loaded config, where a config path is in its file: problems found after connecting point there too. */
const LOCATORS = new WeakMap<object, (path: string) => string | undefined>();

/**
 * Gives problems found once sources are open (a mapped column the target lacks, a rule's unknown
 * column) the `file:line:column` of their config path, when `config` was loaded from a file.
 */
export function locateProblems<P extends { readonly path: string }>(
  config: object,
  problems: readonly P[],
): (P & { readonly location?: string })[] {
  const locator = LOCATORS.get(config);
  if (!locator) return [...problems];
  return problems.map((p) => {
    const location = locator(p.path);
    return location ? { ...p, location } : p;
  });
}

/**
 * `onInvalid: null` (and `onMissing`) take a bare null as the word null; a key left blank (`onInvalid:`)
 * is no choice at all, so it is read as the empty text, which the schema refuses, not as `null`.
 */
function blankChoicesAsText(doc: ReturnType<typeof parseDocument>): void {
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (key !== 'onInvalid' && key !== 'onMissing') return;
      if (
        pair.value === null ||
        (isScalar(pair.value) && pair.value.value === null && pair.value.source === '')
      )
        pair.value = doc.createNode('');
    },
  });
}

/**
 * A `range` bound written as a number a double cannot hold (`max: 18446744073709551614`, a 40-digit
 * decimal) is kept as the text written, which the rule compares digit by digit: as a double it would be
 * 18446744073709551616, and an out-of-range value would pass the gate.
 */
function exactRangeBounds(doc: ReturnType<typeof parseDocument>): void {
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if ((key !== 'min' && key !== 'max') || !isScalar(pair.value)) return;
      const { value, source } = pair.value as { value: unknown; source?: string };
      if (typeof value !== 'number' || typeof source !== 'string') return;
      const written = source.replace(/^\+/, '');
      const exact = plainDecimalText(written);
      if (exact !== undefined && exact !== plainNumberText(value)) pair.value = doc.createNode(written);
    },
  });
}

/** The document as plain values; an alias before its anchor or an alias bomb is a CONFIG_PARSE error. */
function toPlainValue(doc: ReturnType<typeof parseDocument>, file: string): unknown {
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StocktakeError('CONFIG_PARSE', `${file} is not valid YAML:\n  ${reason}`, {
      context: { file, problems: [reason] },
      cause: error,
    });
  }
  if (isCyclic(value, new Set())) {
    const reason = 'an alias refers to the collection that contains it (`&a [*a]`)';
    throw new StocktakeError('CONFIG_PARSE', `${file} is not valid YAML:\n  ${reason}`, {
      context: { file, problems: [reason] },
    });
  }
  return value;
}

/** True when a collection contains itself, which YAML aliases allow and every later step would loop on. */
function isCyclic(value: unknown, open: Set<object>): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (open.has(value)) return true;
  open.add(value);
  const children = value instanceof Map ? [...value.values()] : Object.values(value);
  const cyclic = children.some((child) => isCyclic(child, open));
  open.delete(value);
  return cyclic;
}

/** The CONFIG_INVALID error listing every problem, one per line. */
function configInvalid(file: string, problems: readonly ConfigProblem[]): StocktakeError {
  const lines = problems.map((p) => formatProblem(p));
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return new StocktakeError('CONFIG_INVALID', `${file}: ${count}\n${lines.join('\n')}`, {
    context: { file, problems: lines },
    hint: 'run `stocktake schema` for the full config reference',
  });
}

/** `  ! sources.crm.url: message  (stocktake.yaml:4:10)` */
export function formatProblem(problem: ConfigProblem): string {
  return `  ! ${problem.path || '(root)'}: ${problem.message}${problem.location ? `  (${problem.location})` : ''}`;
}

type Issue = z.core.$ZodIssue;

/** Turns one zod issue into readable problems; unions are unwrapped to the branch the user meant. */
function describeIssue(issue: Issue): ConfigProblem[] {
  const path = formatPath(issue.path);
  switch (issue.code) {
    case 'invalid_union': {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (discriminator === 'kind' || path.endsWith('.kind')) {
        return [unknownKind(issue, path)];
      }
      // Report the branch the value was meant for: one whose type matched, then the fewest issues.
      const branches = (issue.errors ?? []).filter((b) => b.length > 0);
      if (branches.length > 0) {
        const cost = (b: readonly Issue[]) =>
          b.length + (b.some((i) => i.code === 'invalid_type' && i.path.length === 0) ? 1000 : 0);
        const best = branches.reduce((a, b) => (cost(b) < cost(a) ? b : a));
        return best.flatMap((inner) =>
          describeIssue({ ...inner, path: [...issue.path, ...inner.path] } as Issue),
        );
      }
      return [{ path, message: issue.message }];
    }
    case 'invalid_type':
      if (issue.input === undefined) return [{ path, message: 'required' }];
      // A password of the wrong type is described by its type only (a numeric password stays unsaid).
      if (SECRET_PATH.test(path))
        return [{ path, message: `expected ${issue.expected}, got a ${typeOf(issue.input)}` }];
      return [{ path, message: `expected ${issue.expected}, got ${describeValue(issue.input)}` }];
    case 'invalid_value':
      return [
        {
          path,
          message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(issue.input)}${suggest(issue.input, issue.values)}`,
        },
      ];
    case 'unrecognized_keys': {
      // The schema's error map wrote one `unknown key "k" (did you mean …)` part per key.
      const parts = issue.message.split('; ');
      return issue.keys.map((key) => {
        const part = parts.find((p) => p.startsWith(`unknown key ${JSON.stringify(key)}`)) ?? 'unknown key';
        return {
          path: path ? `${path}.${key}` : key,
          message: part.replace(/^unknown key "[^"]*"/, 'unknown key'),
        };
      });
    }
    default:
      return [{ path, message: issue.message }];
  }
}

function unknownKind(issue: Issue, path: string): ConfigProblem {
  const kinds: readonly string[] = path.startsWith('targets') ? TARGET_KINDS : SOURCE_KINDS;
  const kindPath = path.endsWith('.kind') ? path : `${path}.kind`;
  const got =
    issue.input && typeof issue.input === 'object' ? (issue.input as { kind?: unknown }).kind : issue.input;
  if (got === undefined) return { path: kindPath, message: `required: one of ${kinds.join(', ')}` };
  return {
    path: kindPath,
    message: `unknown kind ${describeValue(got)}${suggest(got, kinds)}; expected one of ${kinds.join(', ')}`,
  };
}

function suggest(input: unknown, values: readonly unknown[]): string {
  if (typeof input !== 'string') return '';
  return didYouMean(
    input,
    values.filter((v): v is string => typeof v === 'string'),
  );
}

const SECRET_PATH = /\.(password|passwd|passphrase|secret|token|api_?key)$/i;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value === 'object' ? 'mapping' : typeof value;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return `${typeof value} ${String(value)}`;
}

/** `sources.crm.url`, `mappings[0].to.key` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** The `file:line:col` of a config path and its offset, when the YAML has it. */
function locate(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: string,
  file: string,
): { location?: string; offset: number } {
  if (!path) return { offset: -1 };
  const parts = path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
  const keys = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  // Walk up until a node exists: a missing key points at its parent.
  for (let n = keys.length; n > 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node?.range) {
      const pos = lines.linePos(node.range[0]);
      return { location: `${file}:${pos.line}:${pos.col}`, offset: node.range[0] };
    }
  }
  return { offset: -1 };
}

function registerConfigSecrets(config: Config): void {
  for (const entry of [...Object.values(config.sources), ...Object.values(config.targets ?? {})]) {
    if ('password' in entry) registerSecret(entry.password);
    if ('url' in entry && entry.url) registerUrlPassword(entry.url);
  }
}

function resolvePaths(config: Config, baseDir: string): Config {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const resolveEntry = <T extends object>(entry: T): T => {
    const out: Record<string, unknown> = { ...(entry as Record<string, unknown>) };
    if (typeof out.path === 'string') out.path = abs(out.path);
    if (out.ssl && typeof out.ssl === 'object') {
      const ssl: Record<string, unknown> = { ...(out.ssl as Record<string, unknown>) };
      for (const key of ['ca', 'cert', 'key'])
        if (typeof ssl[key] === 'string') ssl[key] = abs(ssl[key] as string);
      out.ssl = ssl;
    }
    return out as T;
  };
  const mapValues = <T extends object>(record: Record<string, T> | undefined) =>
    record && Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolveEntry(v)]));
  return {
    ...config,
    sources: mapValues(config.sources)!,
    ...(config.targets ? { targets: mapValues(config.targets) } : {}),
  };
}
