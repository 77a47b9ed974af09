/**
 * The profile stage: measures every dataset of the inventory (push-down inside databases, one
 * streaming pass over files), derives column and dataset metrics, relations inferred across
 * datasets, the personal-data register, findings, readiness scores and the configured rules.
 */

import pLimit from 'p-limit';
import type { Config } from '../config/schema.ts';
import { openConnector } from '../connectors/registry.ts';
import { withoutQuery } from '../connectors/sql/sql-errors.ts';
import type { Connector } from '../connectors/types.ts';
import type { Dataset, Finding, Inventory, SourceEntry } from '../core/inventory.ts';
import type { ColumnProfile, DatasetProfile, OrphanCheck, Profile, ProfileValue } from '../core/profile.ts';
import { redact } from '../core/secrets.ts';
import { TOOL_VERSION } from '../core/version.ts';
import { buildColumnProfile } from '../profilers/column-profile.ts';
import { profileRows } from '../profilers/dataset-accumulator.ts';
import { datasetFindings } from '../profilers/dataset-findings.ts';
import { countRepeats } from '../profilers/exact-repeats.ts';
import { inclusion, overlap } from '../profilers/inclusion.ts';
import type { ColumnObservation, DatasetObservation, UnreadableParts } from '../profilers/observation.ts';
import { readinessOf } from '../profilers/readiness.ts';
import { evaluateRules, resolveRuleDataset } from '../profilers/rules.ts';
import { maskValue } from '../profilers/value-masking.ts';
import type { ConnectorSession } from './connector-session.ts';

/** Options of `runProfile`. */
export interface ProfileRunOptions {
  /** Sources (`crm`) or datasets (`crm.public.customers`) to profile; default all. */
  readonly only?: readonly string[];
  /** Show sample values unmasked in every output. */
  readonly showSamples?: boolean;
  /** A plain line per step. */
  readonly onStep?: (message: string) => void;
  /** Rows done in the current dataset, for progress bars. */
  readonly onProgress?: (source: string, dataset: string, rows: number, total: number | null) => void;
  /** A dataset profiled: `scanned` when its rows were profiled by the inventory's scan (no read of its own). */
  readonly onDataset?: (source: string, dataset: string, rows: number, ms: number, scanned: boolean) => void;
  /** Connectors the inventory already opened (a file scanned once is not scanned again). */
  readonly session?: ConnectorSession;
  /** Sources profiled at once (default 4, as the inventory scans them). */
  readonly concurrency?: number;
  readonly now?: () => Date;
}

/** What profiling one source produced, joined with the other sources' in inventory order. */
interface SourceProfiles {
  readonly datasets: DatasetProfile[];
  readonly findings: Finding[];
  readonly observations: [string, DatasetObservation][];
  readonly kept: KeptColumn[];
  /** Exact repeats of the columns `unique` rules name, by `source.dataset\u0000column`. */
  readonly repeats: [string, number][];
}

/** Key columns whose observations are kept after their dataset, for inferred relations and rules. */
interface KeptColumn {
  readonly source: string;
  readonly dataset: Dataset;
  readonly observation: ColumnObservation;
}

/** Profiles the inventoried datasets and returns the profile document. */
export async function runProfile(
  config: Config,
  inventory: Inventory,
  options: ProfileRunOptions = {},
): Promise<Profile> {
  const only = options.only ?? [];
  const datasets: DatasetProfile[] = [];
  const findings: Finding[] = [];
  const observations = new Map<string, DatasetObservation>();
  const repeats = new Map<string, number>();
  const kept: KeptColumn[] = [];
  // Frequency tables outlive their dataset only where a rule, a relation or an overlap needs them:
  // memory then grows with those columns, not with every column of every dataset.
  const ruleDatasets = datasetsOfRules(config, inventory);
  const uniqueRules = uniqueRuleColumns(config, inventory);
  const relationNames = relationCandidates(inventory);

  // Sources are profiled side by side (each through its own bounded pool), the datasets of one source one
  // after the other; results are gathered per source and joined in inventory order, so the document does
  // not depend on which source finished first.
  const limit = pLimit(options.concurrency ?? 4);
  const perSource = await Promise.all(
    inventory.sources
      .filter((s) => s.status === 'ok')
      .map((source) =>
        limit(async () => {
          const done: SourceProfiles = {
            datasets: [],
            findings: [],
            observations: [],
            kept: [],
            repeats: [],
          };
          // A dataset the inventory could not read (its finding says why) is not profiled: no PROFILE_FAILED.
          const selected = source.datasets.filter(
            (d) => d.readable !== false && selectedBy(only, source.name, d),
          );
          const entry = config.sources[source.name];
          if (selected.length === 0 || !entry) return done;
          const connector = options.session
            ? await options.session.get(source.name, entry, 'audit')
            : await openConnector(entry, { name: source.name, mode: 'audit' });
          try {
            for (const dataset of selected) {
              const started = performance.now();
              try {
                const { observation, scanned } = await observe(connector, source, dataset, entry, options);
                if (observation.unreadable)
                  done.findings.push(unreadableFinding(source.name, dataset.name, observation.unreadable));
                const key = `${source.name}.${dataset.name}`;
                if (ruleDatasets.has(key)) done.observations.push([key, observation]);
                for (const column of uniqueRules.get(key) ?? []) {
                  const observed = observation.columns.find((c) => c.name === column);
                  // Past the distinct-value limit a stream's distinct count is a sketch's: read the column again.
                  if (observed?.aggregates?.distinctExact !== false) continue;
                  const repeats = await countRepeats(
                    connector.read({ name: dataset.name }, { columns: [column] }),
                    observed.type,
                    observed.count,
                  );
                  done.repeats.push([`${key}\u0000${column}`, repeats]);
                }
                const profile = assemble(
                  source.name,
                  dataset,
                  observation,
                  options,
                  Math.round(performance.now() - started),
                );
                done.datasets.push(profile);
                options.onDataset?.(source.name, dataset.name, profile.rowCount, profile.durationMs, scanned);
                const keyLike = dataset.primaryKey ? undefined : new Set(keyLikeColumns(dataset));
                for (const column of observation.columns)
                  if (worthKeeping(dataset, keyLike, column, relationNames))
                    done.kept.push({ source: source.name, dataset, observation: column });
              } catch (error) {
                done.findings.push({
                  code: 'PROFILE_FAILED',
                  severity: 'error',
                  source: source.name,
                  dataset: dataset.name,
                  // A driver's text may quote a connection string: masked here, where it becomes a finding.
                  message: redact(`profiling failed: ${withoutQuery((error as Error).message)}`),
                  messageFr: redact(`le profilage a échoué : ${withoutQuery((error as Error).message)}`),
                });
              }
            }
          } finally {
            if (!options.session) await connector.close();
          }
          return done;
        }),
      ),
  );
  for (const done of perSource) {
    datasets.push(...done.datasets);
    findings.push(...done.findings);
    kept.push(...done.kept);
    for (const [key, observation] of done.observations) observations.set(key, observation);
    for (const [key, count] of done.repeats) repeats.set(key, count);
  }

  addInferredRelations(datasets, kept);
  const withScores = datasets.map((d) => {
    const dataset = inventoryDataset(inventory, d.source, d.dataset);
    const scored: DatasetProfile = { ...d, readiness: readinessOf(d, dataset) };
    findings.push(...datasetFindings(scored, dataset));
    return scored;
  });
  const personalData = withScores.flatMap((d) =>
    d.columns.flatMap((c) =>
      c.personal
        ? [
            {
              source: d.source,
              dataset: d.dataset,
              column: c.name,
              kind: c.personal.kind,
              reason: c.personal.reason,
              ...(c.personal.reasonFr ? { reasonFr: c.personal.reasonFr } : {}),
            },
          ]
        : [],
    ),
  );
  const rules = evaluateRules(config.rules ?? [], {
    inventory,
    profiles: withScores,
    observations,
    repeats,
    showSamples: options.showSamples === true,
  });
  for (const rule of rules.filter((r) => r.status !== 'passed')) {
    findings.push({
      code: rule.status === 'error' ? 'RULE_ERROR' : 'RULE_FAILED',
      severity: rule.status === 'error' ? 'error' : rule.severity,
      source: rule.dataset.split('.')[0]!,
      dataset: rule.dataset.slice(rule.dataset.indexOf('.') + 1),
      ...(rule.column ? { column: rule.column } : {}),
      message: `${rule.rule}: ${rule.message}`,
      ...(rule.messageFr ? { messageFr: `${rule.rule} : ${rule.messageFr}` } : {}),
      evidence: { checked: rule.checked, failed: rule.failed, failRate: rule.failRate },
    });
  }
  return {
    formatVersion: 1,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    datasets: withScores,
    findings,
    rules,
    personalData,
    overlaps: findOverlaps(kept, withScores, options.showSamples === true),
    samplesShown: options.showSamples === true,
    tool: { name: 'stocktake', version: TOOL_VERSION },
  };
}

function selectedBy(only: readonly string[], source: string, dataset: Dataset): boolean {
  if (only.length === 0 || only.includes(source)) return true;
  return only.some(
    (o) =>
      o === `${source}.${dataset.name}` ||
      (dataset.table !== undefined && o === `${source}.${dataset.table}`),
  );
}

async function observe(
  connector: Connector,
  source: SourceEntry,
  dataset: Dataset,
  entry: Config['sources'][string],
  options: ProfileRunOptions,
): Promise<{ observation: DatasetObservation; scanned: boolean }> {
  const sample = 'sample' in entry && typeof entry.sample === 'number' ? entry.sample : undefined;
  const onProgress = (rows: number) =>
    options.onProgress?.(source.name, dataset.name, rows, dataset.rowCount);
  if (connector.pushdownProfile) {
    const observation = await connector.pushdownProfile(
      { name: dataset.name },
      { ...(sample ? { sample } : {}), onProgress },
    );
    return { observation, scanned: false };
  }
  const keys = [
    ...(dataset.primaryKey ? [dataset.primaryKey.columns] : []),
    ...(dataset.uniqueKeys ?? []).map((k) => k.columns),
  ];
  // A file profiled in its inventory scan is not read again (CSV files have no declared keys).
  const scanned = keys.length === 0 ? await connector.scannedProfile?.({ name: dataset.name }) : undefined;
  if (scanned !== undefined) {
    onProgress(scanned.rowCount);
    return { observation: scanned, scanned: true };
  }
  const columns = dataset.columns.map((c) => ({ name: c.name, type: c.type }));
  const observation = await profileRows(columns, connector.read({ name: dataset.name }), {
    keys: keys.map((k) => [...k]),
    onProgress,
  });
  return { observation, scanned: false };
}

/** The finding about the parts of a dataset that column privileges kept out of its profile. */
function unreadableFinding(source: string, dataset: string, unreadable: UnreadableParts): Finding {
  const { columns, keys, foreignKeys } = unreadable;
  const unchecked = [
    ...keys.map((key) => `key (${key.join(', ')})`),
    ...foreignKeys.map(
      (fk) =>
        `foreign key (${fk.columns.join(', ')}) → ${fk.references.dataset} (${fk.references.columns.join(', ')})`,
    ),
  ];
  const uncheckedFr = [
    ...keys.map((key) => `clé (${key.join(', ')})`),
    ...foreignKeys.map(
      (fk) =>
        `clé étrangère (${fk.columns.join(', ')}) → ${fk.references.dataset} (${fk.references.columns.join(', ')})`,
    ),
  ];
  const hidden =
    columns.length > 0
      ? `the audit user has no SELECT privilege on ${columns.length} column(s) (${columns.join(', ')}): they are not profiled; the other columns are, and duplicate rows are compared on them only`
      : 'the audit user may not read columns that foreign keys reference';
  const hiddenFr =
    columns.length > 0
      ? `l’utilisateur de l’audit n’a pas le droit SELECT sur ${columns.length} colonne(s) (${columns.join(', ')}) : elles ne sont pas profilées ; les autres le sont, et les lignes en double ne sont comparées que sur elles`
      : 'l’utilisateur de l’audit ne peut pas lire des colonnes que des clés étrangères référencent';
  return {
    code: 'COLUMN_NOT_READABLE',
    severity: 'warning',
    source,
    dataset,
    message: `${hidden}${unchecked.length > 0 ? `; not checked: ${unchecked.join(', ')}` : ''}`,
    messageFr: `${hiddenFr}${uncheckedFr.length > 0 ? ` ; non vérifié : ${uncheckedFr.join(', ')}` : ''}`,
    evidence: { columns, keys, foreignKeys },
  };
}

function assemble(
  source: string,
  dataset: Dataset,
  observation: DatasetObservation,
  options: ProfileRunOptions,
  durationMs: number,
): DatasetProfile {
  const columns: ColumnProfile[] = observation.columns.map((c) =>
    buildColumnProfile(c, { showSamples: options.showSamples === true }),
  );
  // Example keys are values too: a personal key column (an e-mail used as a key) is masked in them.
  const maskKey = (names: readonly string[], examples: readonly (readonly ProfileValue[])[]) => {
    if (options.showSamples) return examples;
    const kinds = names.map((name) => columns.find((c) => c.name === name)?.personal?.kind);
    if (kinds.every((k) => k === undefined)) return examples;
    return examples.map((tuple) => tuple.map((v, i) => (kinds[i] ? maskValue(v, kinds[i]) : v)));
  };
  const orphans: OrphanCheck[] = observation.orphans.map((o) => ({
    columns: o.columns,
    references: { source, dataset: o.references.dataset, columns: o.references.columns },
    declared: true,
    orphans: o.orphans,
    inclusion: o.checked === 0 ? 1 : (o.checked - o.orphans) / o.checked,
    examples: maskKey(o.columns, o.examples),
  }));
  const keyDuplicates = observation.keyDuplicates.map((k) => ({
    ...k,
    examples: maskKey(k.columns, k.examples),
  }));
  return {
    source,
    dataset: dataset.name,
    rowCount: observation.rowCount,
    duplicateRows: observation.duplicateRows,
    candidateKeys: observation.candidateKeys,
    columns,
    ...(observation.sample ? { sample: observation.sample } : {}),
    keyDuplicates,
    orphans,
    readiness: { score: 100, penalties: [] },
    method: observation.method,
    durationMs,
  };
}

// A column named like another dataset's single-column key (`customer_id` → customers.id) whose values
// are at least 99% included in that key is an inferred foreign key, checked for orphans.
function addInferredRelations(profiles: DatasetProfile[], kept: readonly KeptColumn[]): void {
  // A parent's key: its declared one-column primary key, or, where it declares none (a file, a sheet), a
  // one-column candidate key the profile found (unique and never null).
  const candidates = new Set(
    profiles.flatMap((p) =>
      p.candidateKeys.filter((k) => k.length === 1).map((k) => `${p.source}\u0000${p.dataset}\u0000${k[0]}`),
    ),
  );
  const keys = kept.filter(
    (k) =>
      k.observation.complete &&
      (k.dataset.primaryKey
        ? k.dataset.primaryKey.columns.length === 1 && k.dataset.primaryKey.columns[0] === k.observation.name
        : candidates.has(`${k.source}\u0000${k.dataset.name}\u0000${k.observation.name}`)),
  );
  for (let i = 0; i < profiles.length; i++) {
    const profile = profiles[i]!;
    const declared = new Set(profile.orphans.map((o) => o.columns.join(',')));
    const extra: OrphanCheck[] = [];
    for (const child of kept.filter(
      (k) => k.source === profile.source && k.dataset.name === profile.dataset,
    )) {
      if (declared.has(child.observation.name) || !child.observation.complete) continue;
      if (
        child.dataset.foreignKeys.some(
          (fk) => fk.columns.length === 1 && fk.columns[0] === child.observation.name,
        )
      )
        continue;
      for (const parent of keys) {
        if (
          parent.dataset === child.dataset ||
          !namesMatch(child.observation.name, parent.dataset, parent.observation.name)
        )
          continue;
        const result = inclusion(child.observation, parent.observation);
        if (result.checked === 0 || result.inclusion < 0.99) continue;
        extra.push({
          columns: [child.observation.name],
          references: {
            source: parent.source,
            dataset: parent.dataset.name,
            columns: [parent.observation.name],
          },
          declared: false,
          orphans: result.orphans,
          inclusion: result.inclusion,
          examples: result.examples.map((v) => [v]),
        });
      }
    }
    if (extra.length > 0) profiles[i] = { ...profile, orphans: [...profile.orphans, ...extra] };
  }
}

/** `customer_id`, `id_customer`, `customerid` match dataset `customers` (or `public.customer`) with key `id`. */
export function namesMatch(column: string, dataset: Dataset, key: string): boolean {
  return matchingNames(dataset, key).includes(normaliseIdentifier(column));
}

function normaliseIdentifier(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]/g, '');
}

/** The normalised column names that `namesMatch` pairs with `dataset`'s key. */
function matchingNames(dataset: Dataset, key: string): string[] {
  const table = normaliseIdentifier(dataset.table ?? dataset.name.split(/[./]/).pop()!);
  const singular = table.replace(/(ies)$/, 'y').replace(/s$/, '');
  const k = normaliseIdentifier(key);
  return [table, singular].flatMap((t) => [`${t}${k}`, `${k}${t}`, ...(k === 'id' ? [t] : [])]);
}

/** Every normalised column name that could reference a single-column key of the inventory. */
function relationCandidates(inventory: Inventory): Set<string> {
  const names = new Set<string>();
  for (const source of inventory.sources) {
    for (const dataset of source.datasets) {
      const key = dataset.primaryKey?.columns;
      const keys = key ? (key.length === 1 ? key : []) : keyLikeColumns(dataset);
      for (const column of keys) for (const name of matchingNames(dataset, column)) names.add(name);
    }
  }
  return names;
}

const KEY_LIKE_NAME = /^(id|code|ref|reference|num|numero|number|no|key|cle)$/;

/**
 * The columns of a dataset that declares no key (a file, a sheet) named as a key may be: `id`, `code`,
 * `numero`…, or the dataset's name with one (`client_id` in `clients`). The profile tells whether one is a
 * candidate key; kept until then, it may be a parent of inferred relations.
 */
function keyLikeColumns(dataset: Dataset): string[] {
  const own = new Set(matchingNames(dataset, 'id'));
  return dataset.columns
    .map((c) => c.name)
    .filter((name) => {
      const normalised = normaliseIdentifier(name);
      return KEY_LIKE_NAME.test(normalised) || own.has(normalised);
    });
}

/** A column is kept past its dataset when it may be a relation's key or child, or an overlap's name. */
function worthKeeping(
  dataset: Dataset,
  keyLike: ReadonlySet<string> | undefined,
  column: ColumnObservation,
  relationNames: ReadonlySet<string>,
): boolean {
  const key = dataset.primaryKey?.columns;
  if (key?.length === 1 && key[0] === column.name) return true;
  if (keyLike?.has(column.name)) return true;
  if (column.type === 'string' && ENTITY_NAME_COLUMN.test(normaliseName(column.name))) return true;
  return relationNames.has(normaliseIdentifier(column.name));
}

/** The columns `unique` rules name, by `source.dataset`. */
function uniqueRuleColumns(config: Config, inventory: Inventory): Map<string, Set<string>> {
  const columns = new Map<string, Set<string>>();
  for (const rule of config.rules ?? []) {
    if (rule.check !== 'unique' || !rule.column) continue;
    const target = resolveRuleDataset(inventory, rule.dataset);
    if (typeof target === 'string') continue;
    const key = `${target.source}.${target.dataset.name}`;
    if (!columns.has(key)) columns.set(key, new Set());
    columns.get(key)!.add(rule.column);
  }
  return columns;
}

function datasetsOfRules(config: Config, inventory: Inventory): Set<string> {
  const keys = new Set<string>();
  for (const rule of config.rules ?? []) {
    const references = [rule.dataset];
    if (rule.references) references.push(rule.references.slice(0, rule.references.lastIndexOf('.')));
    for (const reference of references) {
      const target = resolveRuleDataset(inventory, reference);
      if (typeof target !== 'string') keys.add(`${target.source}.${target.dataset.name}`);
    }
  }
  return keys;
}

const ENTITY_NAME_COLUMN =
  /^(raison_sociale|denomination|nom|name|company|company_name|societe|client|customer|customer_name|nom_client|libelle_client)$/;

function normaliseName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

// Text columns named alike in two different sources (a customer name in the CRM and in an export)
// are compared on a normalised key: case, accents, punctuation and legal forms folded.
function findOverlaps(
  kept: readonly KeptColumn[],
  profiles: readonly DatasetProfile[],
  showSamples: boolean,
): Profile['overlaps'] {
  const personal = (k: KeptColumn) =>
    profiles
      .find((p) => p.source === k.source && p.dataset === k.dataset.name)
      ?.columns.find((c) => c.name === k.observation.name)?.personal?.kind;
  const named = kept.filter(
    (k) => k.observation.type === 'string' && ENTITY_NAME_COLUMN.test(normaliseName(k.observation.name)),
  );
  const out: Profile['overlaps'][number][] = [];
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      const left = named[i]!;
      const right = named[j]!;
      if (left.source === right.source) continue;
      const result = overlap(left.observation, right.observation);
      if (result.matched === 0) continue;
      const kind = personal(left) ?? personal(right);
      out.push({
        left: { source: left.source, dataset: left.dataset.name, column: left.observation.name },
        right: { source: right.source, dataset: right.dataset.name, column: right.observation.name },
        ...result,
        examples: kind && !showSamples ? result.examples.map((e) => maskValue(e, kind)) : result.examples,
      });
    }
  }
  return out;
}

function inventoryDataset(inventory: Inventory, source: string, dataset: string): Dataset | undefined {
  return inventory.sources.find((s) => s.name === source)?.datasets.find((d) => d.name === dataset);
}
