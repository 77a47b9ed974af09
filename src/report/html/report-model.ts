/**
 * The data the report's script renders, built once from the documents and embedded as JSON. Columns and
 * findings are positional arrays (their field names travel once, in `columnFields` and `findingFields`)
 * so that 20,000 columns stay within the report's size budget.
 */

import { cutText } from '../../core/cut-text.ts';
import {
  type Column,
  countsInTotal,
  type Dataset,
  type Finding,
  type Inventory,
  nativeTypeLabel,
  type SourceEntry,
} from '../../core/inventory.ts';
import type { ColumnProfile, DatasetProfile, Profile, ProfileValue } from '../../core/profile.ts';
import { compareInventories, type InventoryComparison } from '../../stages/inventory-compare.ts';
import { allFindings } from '../audit-findings.ts';
import { findingTitles } from './finding-titles.ts';
import type { PlanView } from './plan-model.ts';
import { layoutRelations, type RelationEdge, type RelationLayout } from './report-relations.ts';

/** The field order of a column tuple; the script reads it from the data, so the two cannot drift. */
export const COLUMN_FIELDS = [
  'name',
  'type',
  'native',
  'nullable',
  'pk',
  'comment',
  'count',
  'nulls',
  'nullLike',
  'distinct',
  'distinctExact',
  'uniqueness',
  'min',
  'max',
  'inferred',
  'conformance',
  'length',
  'numeric',
  'whitespace',
  'formats',
  'variants',
  'personal',
  'top',
  'patterns',
  'sampled',
] as const;

/** The field order of a finding tuple. */
export const FINDING_FIELDS = [
  'severity',
  'code',
  'source',
  'dataset',
  'column',
  'message',
  'evidence',
] as const;

/** The order of the null-like classes in a column tuple's `nullLike`. */
export const NULL_LIKE_CLASSES = ['empty', 'blank', 'na', 'nullText', 'dash', 'zeroDate'] as const;

/** Severities by rank: the tuple stores the index. */
export const SEVERITIES = ['error', 'warning', 'info'] as const;

/** Above this many datasets in relations, the full diagram is left out and the page shows neighbourhoods. */
export const FULL_DIAGRAM_LIMIT = 120;

/**
 * How many top values and shapes each column keeps in the page: all of the profile's ten in a small estate,
 * five above `LARGE_ESTATE_COLUMNS` columns, so 1,000 tables × 20 columns stay under 10 MB (the workbook
 * and profile.json keep every one).
 */
export const LARGE_ESTATE_COLUMNS = 5000;
const VALUE_LIST_LIMITS = { small: 10, large: 5 } as const;
/** Longer sample values are cut (with `…`) in the page. */
export const MAX_VALUE_CHARS = 80;

/** A column as a positional array in `COLUMN_FIELDS` order. */
export type ColumnTuple = readonly unknown[];

/** A finding as a positional array in `FINDING_FIELDS` order; `dataset` is a dataset id or null. */
export type FindingTuple = readonly [number, string, string, string | null, string | null, string, unknown];

/** A dataset as the script shows it; `id` is `source.dataset`, the key of hash links. */
export interface DatasetView {
  readonly id: string;
  readonly source: string;
  readonly name: string;
  readonly kind: string;
  readonly rows: number | null;
  readonly rowsExact: boolean;
  /** The rows count in totals (not a view's, nor a partition's already in its partitioned table's). */
  readonly inTotal: boolean;
  readonly pk: readonly string[] | null;
  readonly uniqueKeys: readonly (readonly string[])[];
  readonly indexes: readonly [string, readonly string[], 0 | 1][];
  readonly size: number | null;
  readonly comment: string | null;
  readonly file: Readonly<Record<string, string | number>> | null;
  readonly columns: readonly ColumnTuple[];
  readonly profile: DatasetProfileView | null;
}

/** The dataset-level part of a profile, as the script shows it. */
export interface DatasetProfileView {
  readonly rows: number;
  readonly score: number;
  readonly penalties: readonly [string, number][];
  readonly duplicateRows: number;
  readonly candidateKeys: readonly (readonly string[])[];
  readonly keyDuplicates: readonly [readonly string[], number, readonly (readonly ProfileValue[])[]][];
  readonly sample: number | null;
  readonly method: string;
}

/**
 * A relation: `[from id, to id (or the unresolved name), declared, columns, referenced columns, orphans, inclusion]`;
 * orphans and inclusion are null when the profile did not check it.
 */
export type RelationTuple = readonly [
  string,
  string,
  0 | 1,
  readonly string[],
  readonly string[],
  number | null,
  number | null,
];

/** Everything the report's script needs, embedded once in the page. */
export interface ReportData {
  readonly formatVersion: 1;
  readonly lang: string;
  readonly locale: string;
  readonly messages: Readonly<Record<string, string>>;
  readonly title: string;
  readonly generatedAt: string;
  readonly profiledAt: string | null;
  readonly samplesShown: boolean;
  readonly columnFields: readonly string[];
  readonly findingFields: readonly string[];
  readonly nullLikeClasses: readonly string[];
  readonly sources: readonly { name: string; kind: string; system: string | null; failed: string | null }[];
  readonly datasets: readonly DatasetView[];
  readonly findings: readonly FindingTuple[];
  /** What each finding code shown means, in the report's language. */
  readonly findingTitles: Readonly<Record<string, string>>;
  readonly rules: readonly (readonly [
    string,
    string,
    string | null,
    number,
    string,
    number,
    number,
    string,
  ])[];
  readonly relations: readonly RelationTuple[];
  readonly layout: RelationLayout | null;
  readonly plan: PlanView | null;
}

/** The documents a report is rendered from. */
export interface ReportDocuments {
  readonly inventory: Inventory;
  readonly profile?: Profile | undefined;
  readonly plan?: PlanView | undefined;
  readonly previous?: Inventory | undefined;
}

/** Builds the embedded data from the documents. */
export function buildReportData(
  docs: ReportDocuments,
  meta: { lang: string; locale: string; title: string; messages: Readonly<Record<string, string>> },
): ReportData {
  const { inventory, profile } = docs;
  const profiles = new Map<string, DatasetProfile>();
  for (const d of profile?.datasets ?? []) profiles.set(`${d.source}.${d.dataset}`, d);
  const personal = new Map<string, { kind: string; reason: string }>();
  for (const p of profile?.personalData ?? []) personal.set(`${p.source}.${p.dataset}\u0000${p.column}`, p);

  const datasets: DatasetView[] = [];
  const relations: RelationTuple[] = [];
  let columnCount = 0;
  for (const source of inventory.sources) for (const d of source.datasets) columnCount += d.columns.length;
  const limit = columnCount > LARGE_ESTATE_COLUMNS ? VALUE_LIST_LIMITS.large : VALUE_LIST_LIMITS.small;
  for (const source of inventory.sources) {
    const names = new Set(source.datasets.map((d) => d.name));
    // Each row once in the rows the report shows, a profile's count where it shows one.
    const inTotal = countsInTotal(source.datasets, (d) =>
      shownRows(d, profiles.get(`${source.name}.${d.name}`)),
    );
    for (const dataset of source.datasets) {
      const id = `${source.name}.${dataset.name}`;
      const dp = profiles.get(id);
      datasets.push(datasetView(source, dataset, dp, personal, limit, inTotal(dataset)));
      for (const fk of dataset.foreignKeys) {
        const target = resolveDataset(fk.references.dataset, names);
        const check = dp?.orphans.find((o) => o.declared && sameList(o.columns, fk.columns));
        relations.push([
          id,
          target === undefined ? fk.references.dataset : `${source.name}.${target}`,
          1,
          fk.columns,
          fk.references.columns,
          check ? check.orphans : null,
          check ? round(check.inclusion, 4) : null,
        ]);
      }
    }
  }
  for (const dp of profile?.datasets ?? []) {
    for (const o of dp.orphans) {
      if (o.declared) continue;
      relations.push([
        `${dp.source}.${dp.dataset}`,
        `${o.references.source}.${o.references.dataset}`,
        0,
        o.columns,
        o.references.columns,
        o.orphans,
        round(o.inclusion, 4),
      ]);
    }
  }

  const findings = allFindings(inventory, profile).map(findingTuple);
  return {
    formatVersion: 1,
    lang: meta.lang,
    locale: meta.locale,
    messages: meta.messages,
    title: meta.title,
    generatedAt: inventory.generatedAt,
    profiledAt: profile?.generatedAt ?? null,
    samplesShown: profile?.samplesShown === true,
    columnFields: COLUMN_FIELDS,
    findingFields: FINDING_FIELDS,
    nullLikeClasses: NULL_LIKE_CLASSES,
    sources: inventory.sources.map((s) => ({
      name: s.name,
      kind: s.kind,
      system: s.system,
      failed: s.status === 'failed' ? (s.error ? `${s.error.code}: ${s.error.message}` : 'failed') : null,
    })),
    datasets,
    findings,
    findingTitles: findingTitles(new Set(findings.map((f) => f[1])), meta.lang === 'fr' ? 'fr' : 'en'),
    rules: (profile?.rules ?? []).map(
      (r) =>
        [
          r.rule,
          r.dataset,
          r.column ?? null,
          SEVERITIES.indexOf(r.severity),
          r.status,
          r.checked,
          r.failed,
          r.message,
        ] as const,
    ),
    relations,
    layout: relationLayout(datasets, relations),
    plan: docs.plan ?? null,
  };
}

/** The comparison with a previous inventory, when one is given. */
export function comparisonOf(docs: ReportDocuments): InventoryComparison | undefined {
  return docs.previous ? compareInventories(docs.previous, docs.inventory) : undefined;
}

function findingTuple(f: Finding): FindingTuple {
  const rank = SEVERITIES.indexOf(f.severity);
  return [
    rank < 0 ? 2 : rank,
    f.code,
    f.source,
    f.dataset === undefined ? null : `${f.source}.${f.dataset}`,
    f.column ?? null,
    f.message,
    f.evidence ?? null,
  ];
}

/** The rows the report shows for a dataset: a sampled profile counts its sample, so the table's are the inventory's. */
function shownRows(dataset: Dataset, dp: DatasetProfile | undefined): number | null {
  return dp && !dp.sample ? dp.rowCount : dataset.rowCount;
}

function datasetView(
  source: SourceEntry,
  dataset: Dataset,
  dp: DatasetProfile | undefined,
  personal: ReadonlyMap<string, { kind: string; reason: string }>,
  limit: number,
  inTotal: boolean,
): DatasetView {
  const id = `${source.name}.${dataset.name}`;
  const byName = new Map((dp?.columns ?? []).map((c) => [c.name, c]));
  const columns: ColumnTuple[] = dataset.columns.map((c) =>
    columnTuple(c, byName.get(c.name), personal.get(`${id}\u0000${c.name}`), limit),
  );
  // A profiled column the inventory does not list (should not happen) is still shown.
  const declared = new Set(dataset.columns.map((c) => c.name));
  for (const c of dp?.columns ?? [])
    if (!declared.has(c.name)) columns.push(columnTuple(undefined, c, undefined, limit));
  const file = dataset.file;
  return {
    id,
    source: source.name,
    name: dataset.name,
    kind: datasetKind(dataset),
    rows: shownRows(dataset, dp),
    rowsExact: dp && !dp.sample ? true : dataset.rowCountExact,
    inTotal,
    pk: dataset.primaryKey ? dataset.primaryKey.columns : null,
    uniqueKeys: (dataset.uniqueKeys ?? []).map((k) => k.columns),
    indexes: dataset.indexes.map((i) => [i.name, i.columns, i.unique ? 1 : 0] as [string, string[], 0 | 1]),
    size: dataset.sizeBytes ?? file?.sizeBytes ?? null,
    comment: dataset.comment ?? null,
    file: file
      ? compact({
          path: file.path,
          modifiedAt: file.modifiedAt,
          encoding: file.encoding,
          delimiter: file.delimiter,
          lineEnding: file.lineEnding,
          sheet: file.sheet,
          sheetState: file.sheetState,
          headerRow: file.headerRow ?? undefined,
        })
      : null,
    columns,
    profile: dp
      ? {
          rows: dp.rowCount,
          score: dp.readiness.score,
          penalties: dp.readiness.penalties.map((p) => [p.reason, p.points]),
          duplicateRows: dp.duplicateRows,
          candidateKeys: dp.candidateKeys,
          keyDuplicates: dp.keyDuplicates.map((k) => [k.columns, k.duplicates, k.examples.slice(0, 5)]),
          sample: dp.sample ? dp.sample.fraction : null,
          method: dp.method,
        }
      : null,
  };
}

function columnTuple(
  c: Column | undefined,
  p: ColumnProfile | undefined,
  register: { kind: string; reason: string } | undefined,
  limit: number,
): ColumnTuple {
  const name = c?.name ?? p?.name ?? '';
  const personal = p?.personal ?? register;
  const nullLike = p ? NULL_LIKE_CLASSES.map((k) => p.nullLike[k]) : null;
  const n = p?.numeric;
  // Unique columns' top values all count 1: three of them say as much as ten.
  const top = p ? p.topValues.slice(0, p.topValues.every((v) => v.count === 1) ? 3 : limit) : null;
  return [
    name,
    c?.type ?? p?.type ?? null,
    c ? nativeTypeLabel(c) : null,
    c ? (c.nullable ? 1 : 0) : null,
    c?.primaryKey ? 1 : 0,
    c?.comment ?? null,
    p ? p.count : null,
    p ? p.nulls : null,
    nullLike?.some((v) => v > 0) ? nullLike : 0,
    p ? p.distinct : null,
    p ? (p.distinctExact ? 1 : 0) : null,
    p && p.uniqueness !== null ? round(p.uniqueness, 4) : null,
    p ? cut(p.min) : null,
    p ? cut(p.max) : null,
    p ? p.inferredType : null,
    p ? round(p.conformance, 4) : null,
    p?.length ? [p.length.min, p.length.max, round(p.length.mean, 1)] : null,
    n
      ? [
          sig(n.mean),
          sig(n.stddev),
          sig(n.quantiles.p5),
          sig(n.quantiles.p25),
          sig(n.quantiles.p50),
          sig(n.quantiles.p75),
          sig(n.quantiles.p95),
          n.histogram[0]?.from ?? null,
          n.histogram.at(-1)?.to ?? null,
          n.histogram.map((b) => b.count),
          n.outliers.count,
          // The Tukey fences (the outlier counts below and above are in the profile, not shown here).
          sig(n.quantiles.p25 - 1.5 * (n.quantiles.p75 - n.quantiles.p25)),
          sig(n.quantiles.p75 + 1.5 * (n.quantiles.p75 - n.quantiles.p25)),
          n.outliers.examples.slice(0, 5),
          // Dates and timestamps are summarised as days since 1970-01-01: shown as dates.
          p?.type === 'date' || p?.type === 'timestamp' ? p.type : null,
        ]
      : null,
    p && p.whitespace.leading + p.whitespace.trailing > 0 ? [p.whitespace.leading, p.whitespace.trailing] : 0,
    p ? p.formats.map((f) => [f.format, f.count]) : null,
    p && p.variants.groups > 0 ? [p.variants.groups, p.variants.values, p.variants.examples.slice(0, 5)] : 0,
    personal ? [personal.kind, personal.reason] : 0,
    top ? top.map((v) => [cut(v.value), v.count]) : null,
    p ? p.patterns.slice(0, limit).map((v) => [cut(v.pattern), v.count]) : null,
    p?.valuesSampled ? 1 : 0,
  ];
}

function relationLayout(
  datasets: readonly DatasetView[],
  relations: readonly RelationTuple[],
): RelationLayout | null {
  const known = new Map(datasets.map((d) => [d.id, d.source]));
  const ids = new Set<string>();
  const edges: RelationEdge[] = [];
  for (const [from, to, declared] of relations) {
    if (!known.has(from) || !known.has(to)) continue;
    ids.add(from);
    ids.add(to);
    edges.push({ from, to, declared: declared === 1 });
  }
  if (ids.size === 0 || ids.size > FULL_DIAGRAM_LIMIT) return null;
  return layoutRelations(
    [...ids].map((id) => ({ id, source: known.get(id)! })),
    edges,
  );
}

/** `public.customers` or `customers`: the dataset a foreign key names, looked up within its source. */
function resolveDataset(name: string, names: ReadonlySet<string>): string | undefined {
  if (names.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const bare = dot < 0 ? name : name.slice(dot + 1);
  const matches = [...names].filter((n) => n === bare || n.endsWith(`.${bare}`));
  return matches.length === 1 ? matches[0] : undefined;
}

function datasetKind(d: Dataset): string {
  if (d.materialized) return 'materialized view';
  if (d.partitionOf) return 'partition';
  if (d.partitioned) return 'partitioned table';
  return d.kind;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function compact(record: Record<string, string | number | undefined>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v;
  return out;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** A sample value as the page shows it: text longer than `MAX_VALUE_CHARS` is cut with `…`. */
export function cut<T extends ProfileValue | null>(value: T): T | string {
  return typeof value === 'string' ? cutText(value, MAX_VALUE_CHARS) : value;
}

/**
 * A summary figure with 15 significant digits, all a double holds reliably: fewer would move an invoice
 * number's median (20240125.5 → 20240100), put the mean of 16-digit identifiers below their minimum, or shift
 * a date-time's quantile (days since 1970) by hours.
 */
function sig(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(15)) : value;
}
