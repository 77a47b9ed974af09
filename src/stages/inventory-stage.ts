/**
 * The inventory stage: opens every configured source read-only, asks its connector for the
 * inventory, and assembles the `inventory.json` document. A source that fails is recorded with its
 * error and the others go on.
 */
import pLimit from 'p-limit';
import { didYouMean } from '../config/did-you-mean.ts';
import type { Config } from '../config/schema.ts';
import { openConnector } from '../connectors/registry.ts';
import { ERROR_CODES, EXIT, isStocktakeError, StocktakeError } from '../core/errors.ts';
import type { Finding, Inventory, SourceEntry } from '../core/inventory.ts';
import { redact, redactMetadata } from '../core/secrets.ts';
import { TOOL_VERSION } from '../core/version.ts';
import type { ConnectorSession } from './connector-session.ts';
import { buildEstateRegister } from './estate-register.ts';

/** Options of `runInventory`. */
export interface InventoryRunOptions {
  /** Source names (or `source.dataset` names) to scan; default all. */
  readonly only?: readonly string[];
  /**
   * Datasets scanned too when they exist, beside `only` (the parents of the foreign_key rules about what
   * `only` selects); one that does not exist is no `--only` error: the rule that names it says so.
   */
  readonly also?: readonly string[];
  /** Sources scanned at once (default 4). */
  readonly concurrency?: number;
  /** Called once per step with a plain line. */
  readonly onStep?: (message: string) => void;
  /** Called for every SQL statement sent, with the source name. */
  readonly onQuery?: (source: string, sql: string) => void;
  /** Clock for `generatedAt` (tests). */
  readonly now?: () => Date;
  /** Connectors shared with later stages of the run (kept open); default: opened and closed here. */
  readonly session?: ConnectorSession;
}

/** Scans the sources of a config and returns the inventory document. */
export async function runInventory(config: Config, options: InventoryRunOptions = {}): Promise<Inventory> {
  const only = options.only ?? [];
  const scope = only.length === 0 ? only : [...only, ...(options.also ?? [])];
  // Names that match no source fail before anything is scanned; datasets are checked once scanned.
  checkOnlyMatched(config, null, only);
  const selected = Object.entries(config.sources).filter(
    ([name]) => scope.length === 0 || scope.some((o) => o === name || o.startsWith(`${name}.`)),
  );
  const limit = pLimit(options.concurrency ?? 4);
  const sources = await Promise.all(
    selected.map(([name, source]) => limit(() => scanSource(name, source, options))),
  );
  checkOnlyMatched(config, sources, only);
  const narrowed = sources.map((s) => redactCatalogTexts(narrowSource(s, scope)));
  const register = buildEstateRegister(config, narrowed, { partial: only.length > 0 });
  return {
    formatVersion: 1,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    systems: register.systems,
    sources: narrowed,
    tool: { name: 'stocktake', version: TOOL_VERSION },
    findings: register.findings,
  };
}

async function scanSource(
  name: string,
  source: Config['sources'][string],
  options: InventoryRunOptions,
): Promise<SourceEntry> {
  const started = performance.now();
  const base = { name, kind: source.kind, system: source.system ?? null };
  options.onStep?.(`${name}: scanning (${source.kind})`);
  const onQuery = options.onQuery;
  let connector: Awaited<ReturnType<typeof openConnector>> | undefined;
  const queryHook = onQuery ? { onQuery: (sql: string) => onQuery(name, sql) } : {};
  try {
    connector = options.session
      ? await options.session.get(name, source, 'audit', queryHook.onQuery)
      : await openConnector(source, { name, mode: 'audit', ...queryHook });
    await connector.connect();
    const inventory = await connector.inventory({ ...(options.onStep ? { onStep: options.onStep } : {}) });
    const durationMs = Math.round(performance.now() - started);
    const findings = (inventory.findings ?? []).map((f) => ({ ...f, source: name }));
    const unreadable = nothingReadable(name, inventory.datasets.length, findings);
    if (unreadable) {
      options.onStep?.(`${name}: FAILED ${unreadable.code}: ${unreadable.message}`);
      return { ...base, status: 'failed', datasets: [], error: unreadable, findings, durationMs };
    }
    options.onStep?.(`${name}: ${inventory.datasets.length} datasets in ${(durationMs / 1000).toFixed(1)} s`);
    return {
      ...base,
      status: 'ok',
      datasets: inventory.datasets,
      ...(inventory.server ? { server: inventory.server } : {}),
      findings,
      durationMs,
      ...(inventory.catalogQueries !== undefined ? { catalogQueries: inventory.catalogQueries } : {}),
    };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    const code = isStocktakeError(error) ? error.code : 'INTERNAL';
    const message = redact(error instanceof Error ? error.message : String(error));
    const hint = isStocktakeError(error) && error.hint ? redact(error.hint) : undefined;
    options.onStep?.(`${name}: FAILED ${code}: ${message}${hint ? ` (${hint})` : ''}`);
    return {
      ...base,
      status: 'failed',
      datasets: [],
      error: { code, message, ...(hint ? { hint } : {}) },
      findings: [{ code, severity: 'error', source: name, message }],
      durationMs,
    };
  } finally {
    if (!options.session) await connector?.close().catch(() => undefined);
  }
}

/**
 * A source whose every file failed (a lone corrupt CSV, a refused workbook) has nothing to audit:
 * it fails like a source that cannot be reached (exit 3), its findings naming each file, while the
 * other sources go on. A folder with no file at all stays a warning.
 */
function nothingReadable(
  name: string,
  datasets: number,
  findings: readonly Finding[],
): { code: string; message: string; hint: string } | undefined {
  const errors = findings.filter((f) => f.severity === 'error');
  if (datasets > 0 || errors.length === 0) return undefined;
  const first = errors[0]!;
  // The first file's own code when it is a source failure (CSV_BINARY, XLSX_UNREADABLE…).
  const known = (ERROR_CODES as Record<string, number>)[first.code] === EXIT.unreachable;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more failed file(s))` : '';
  return {
    code: known ? first.code : 'FILE_UNREADABLE',
    message: redact(`source ${name}: no dataset could be read: ${first.message}${more}`),
    hint: 'fix or replace the file(s); the findings name each one',
  };
}

/**
 * Refuses `--only` names that select nothing: a name that is no source, or a dataset no scanned source
 * holds (a source that could not be scanned is reported by its own error, its datasets unknown).
 */
function checkOnlyMatched(
  config: Config,
  sources: readonly SourceEntry[] | null,
  only: readonly string[],
): void {
  const names = Object.keys(config.sources);
  const known = [
    ...names,
    ...(sources ?? []).flatMap((s) =>
      s.datasets.flatMap((d) => [`${s.name}.${d.name}`, ...(d.table ? [`${s.name}.${d.table}`] : [])]),
    ),
  ];
  const unmatched = only.filter((o) => {
    if (names.includes(o)) return false;
    if (sources === null) return !names.some((name) => o.startsWith(`${name}.`));
    const source = sources.find((s) => o.startsWith(`${s.name}.`));
    if (!source) return true;
    if (source.status !== 'ok') return false;
    const rest = o.slice(source.name.length + 1);
    return !source.datasets.some((d) => d.name === rest || d.table === rest);
  });
  if (unmatched.length === 0) return;
  const listed = unmatched.map((o) => `"${o}"${didYouMean(o, known)}`);
  throw new StocktakeError('FILTER_MATCHED_NOTHING', `--only: nothing is named ${listed.join(', ')}`, {
    hint: `name a source (${names.join(', ')}) or one of its datasets (source.dataset)`,
    context: { only: unmatched },
  });
}

// `--only crm.public.customers` keeps that dataset of the source; `--only crm` keeps all of it.
/** A scanned source with only the datasets `only` names (all of them when it names the source, or none of its datasets). */
export function narrowSource(entry: SourceEntry, only: readonly string[]): SourceEntry {
  const datasetNames = only
    .filter((o) => o.startsWith(`${entry.name}.`))
    .map((o) => o.slice(entry.name.length + 1));
  if (datasetNames.length === 0 || only.includes(entry.name)) return entry;
  const keep = entry.datasets.filter(
    (d) => datasetNames.includes(d.name) || datasetNames.includes(d.table ?? ''),
  );
  return { ...entry, datasets: keep };
}

/** The process exit code an inventory leads to: the worst failed source's, or 0. */
export function inventoryExitCode(inventory: Inventory, exitCodeOf: (code: string) => number): number {
  return inventory.sources.reduce(
    (worst, s) => (s.status === 'failed' ? Math.max(worst, exitCodeOf(s.error!.code)) : worst),
    0,
  );
}

/**
 * Masks the secrets a catalog's free texts may hold (`see postgres://admin:…@db/prod` in a table comment,
 * a `password=` in a view's definition) before the inventory reaches any output: inventory.json, the
 * workbooks and the report show what `stocktake report` would. Names are left alone: a registered
 * password that happens to be a table's name must not rename it.
 */
function redactCatalogTexts(source: SourceEntry): SourceEntry {
  for (const dataset of source.datasets ?? []) {
    const d = dataset as { comment?: string; definition?: string };
    if (d.comment !== undefined) d.comment = redactMetadata(d.comment);
    if (d.definition !== undefined) d.definition = redactMetadata(d.definition);
    for (const column of dataset.columns) {
      const c = column as { comment?: string; default?: string };
      if (c.comment !== undefined) c.comment = redactMetadata(c.comment);
      if (typeof c.default === 'string') c.default = redactMetadata(c.default);
    }
  }
  return source;
}
