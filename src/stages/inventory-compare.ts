/**
 * What changed between two inventories: datasets and columns added, removed and changed, so an
 * audit re-run shows the drift of a legacy estate since the last one.
 */
import type { Column, Dataset, Inventory } from '../core/inventory.ts';

/** One changed attribute: `nativeType: varchar(80) → varchar(120)`. */
export interface AttributeChange {
  readonly attribute: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** A column that exists in both inventories with different attributes. */
export interface ColumnChange {
  readonly column: string;
  readonly changes: readonly AttributeChange[];
}

/** A dataset that exists in both inventories and differs. */
export interface DatasetChange {
  readonly dataset: string;
  readonly columnsAdded: readonly string[];
  readonly columnsRemoved: readonly string[];
  readonly columnsChanged: readonly ColumnChange[];
  readonly changes: readonly AttributeChange[];
}

/** The difference between an earlier and a later inventory; datasets are named `source.dataset`. */
export interface InventoryComparison {
  readonly before: string;
  readonly after: string;
  readonly datasetsAdded: readonly string[];
  readonly datasetsRemoved: readonly string[];
  readonly datasetsChanged: readonly DatasetChange[];
  readonly unchanged: number;
}

const COLUMN_ATTRIBUTES = [
  'type',
  'nativeType',
  'domain',
  'nullable',
  'primaryKey',
  'default',
  'autoIncrement',
] as const;
const DATASET_ATTRIBUTES = ['kind', 'primaryKey', 'foreignKeys', 'rowCount'] as const;

/** Compares two inventories; sources missing from the later one (failed scans) are not reported as removals. */
export function compareInventories(before: Inventory, after: Inventory): InventoryComparison {
  const failedAfter = new Set(after.sources.filter((s) => s.status === 'failed').map((s) => s.name));
  const index = (inventory: Inventory) => {
    const map = new Map<string, Dataset>();
    for (const source of inventory.sources) {
      for (const dataset of source.datasets) map.set(`${source.name}.${dataset.name}`, dataset);
    }
    return map;
  };
  const old = index(before);
  const now = index(after);
  const datasetsAdded = [...now.keys()].filter((k) => !old.has(k)).sort();
  const datasetsRemoved = [...old.keys()]
    .filter((k) => !now.has(k) && !failedAfter.has(k.split('.')[0]!))
    .sort();
  const datasetsChanged: DatasetChange[] = [];
  let unchanged = 0;
  for (const [key, previous] of old) {
    const current = now.get(key);
    if (!current) continue;
    const change = compareDataset(key, previous, current);
    if (change) datasetsChanged.push(change);
    else unchanged++;
  }
  datasetsChanged.sort((a, b) => a.dataset.localeCompare(b.dataset));
  return {
    before: before.generatedAt,
    after: after.generatedAt,
    datasetsAdded,
    datasetsRemoved,
    datasetsChanged,
    unchanged,
  };
}

function compareDataset(name: string, before: Dataset, after: Dataset): DatasetChange | undefined {
  const oldColumns = new Map(before.columns.map((c) => [c.name, c]));
  const newColumns = new Map(after.columns.map((c) => [c.name, c]));
  const columnsAdded = after.columns.filter((c) => !oldColumns.has(c.name)).map((c) => c.name);
  const columnsRemoved = before.columns.filter((c) => !newColumns.has(c.name)).map((c) => c.name);
  const columnsChanged: ColumnChange[] = [];
  for (const column of after.columns) {
    const previous = oldColumns.get(column.name);
    if (!previous) continue;
    const changes = diffAttributes<Column>(previous, column, COLUMN_ATTRIBUTES);
    if (changes.length > 0) columnsChanged.push({ column: column.name, changes });
  }
  const changes = diffAttributes<Dataset>(before, after, DATASET_ATTRIBUTES);
  if (columnsAdded.length + columnsRemoved.length + columnsChanged.length + changes.length === 0)
    return undefined;
  return { dataset: name, columnsAdded, columnsRemoved, columnsChanged, changes };
}

function diffAttributes<T>(
  before: T,
  after: T,
  attributes: readonly (keyof T & string)[],
): AttributeChange[] {
  const changes: AttributeChange[] = [];
  for (const attribute of attributes) {
    const a = before[attribute];
    const b = after[attribute];
    if (JSON.stringify(a ?? null) !== JSON.stringify(b ?? null)) {
      changes.push({ attribute, before: a ?? null, after: b ?? null });
    }
  }
  return changes;
}

/** Human-readable lines for a comparison: `+ crm.public.invoices`, `~ crm.public.customers: column email added`. */
export function describeComparison(comparison: InventoryComparison): string[] {
  const lines: string[] = [];
  for (const d of comparison.datasetsAdded) lines.push(`+ ${d}`);
  for (const d of comparison.datasetsRemoved) lines.push(`- ${d}`);
  for (const d of comparison.datasetsChanged) {
    for (const c of d.columnsAdded) lines.push(`~ ${d.dataset}: column ${c} added`);
    for (const c of d.columnsRemoved) lines.push(`~ ${d.dataset}: column ${c} removed`);
    for (const c of d.columnsChanged) {
      for (const change of c.changes) {
        lines.push(
          `~ ${d.dataset}.${c.column}: ${change.attribute} ${show(change.before)} → ${show(change.after)}`,
        );
      }
    }
    for (const change of d.changes) {
      lines.push(`~ ${d.dataset}: ${change.attribute} ${show(change.before)} → ${show(change.after)}`);
    }
  }
  return lines;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
