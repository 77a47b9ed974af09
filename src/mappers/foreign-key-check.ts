/**
 * Predicts foreign-key violations before anything is written: for each foreign key of a mapping's target
 * whose child columns are mapped fields, the parent's referenced key values (read once from the target,
 * plus the keys earlier mappings of the run insert into the parent) are held in memory, and a mapped row
 * whose non-NULL child values name no such parent is rejected with `REJECT_FOREIGN_KEY`, in the plan and
 * in migrate alike. A foreign key referencing the mapping's own table by its key is checked once the
 * whole source is read (`self-reference-check.ts`).
 */
import type { Connector, Value } from '../connectors/types.ts';
import type { Dataset, ForeignKey } from '../core/inventory.ts';
import { foldKeyText, KEY_SEPARATOR, type KeyFolding, keyFoldingOf } from './canonical-key.ts';
import { type Canonicalizer, canonicalizerFor, NULL_TEXT } from './canonical-value.ts';
import type { Rejection } from './mapping-types.ts';
import type { PreparedMapping } from './preflight.ts';
import { type SelfForeignKey, SelfReferences } from './self-reference-check.ts';

/** Parent keys held per foreign key; above it the key is not checked (with a warning). */
export const FOREIGN_KEY_LIMIT = 1_000_000;

/** One foreign key checked: child field positions (in the key's order) and the parent keys known. */
interface CheckedForeignKey {
  readonly fields: readonly number[];
  readonly c: FkColumns;
  readonly keys: ReadonlySet<string>;
  readonly field: string;
  readonly reason: string;
}

/** The foreign keys of one mapping's target, ready to check mapped rows. */
export interface ForeignKeyChecks {
  readonly checks: readonly CheckedForeignKey[];
  /** The foreign keys referencing the mapping's own table, checked once every row is read; null when none. */
  readonly selfReferences: SelfReferences | null;
  /** Foreign keys left unchecked, and why. */
  readonly warnings: { readonly path: string; readonly code: string; readonly message: string }[];
}

/**
 * The referenced key values of the rows one mapping inserts, for each foreign key of another mapping of
 * the run that references its target table; bounded like the target's keys (null beyond the bound).
 */
export class InsertedParents {
  readonly #wanted: { readonly id: string; readonly fields: readonly number[]; readonly c: FkColumns }[] = [];
  readonly #keys = new Map<string, Set<string> | null>();

  constructor(p: PreparedMapping, prepared: readonly PreparedMapping[], datasets: readonly Dataset[]) {
    const parent = p.target.dataset;
    const seen = new Set<string>();
    for (const o of prepared) {
      if (o.target.name !== p.target.name || o.target.dataset.name === parent.name) continue;
      for (const fk of o.target.dataset.foreignKeys) {
        if (fk.references.dataset !== parent.name) continue;
        const id = fk.references.columns.join('\u0001');
        const c = fkColumns(fk, datasets, p.target.kind);
        if (seen.has(id) || !c) continue;
        seen.add(id);
        const fields = fk.references.columns.map((col) => p.compiled.targetFields.indexOf(col));
        // A referenced column the mapping does not write (a generated key): its inserts are unknown.
        this.#keys.set(id, fields.some((f) => f < 0) ? null : new Set<string>());
        if (fields.every((f) => f >= 0)) this.#wanted.push({ id, fields, c });
      }
    }
  }

  /** True when some foreign key of the run references the rows this mapping inserts. */
  get needed(): boolean {
    return this.#wanted.length > 0;
  }

  /** Records one inserted row (target fields first, as the partition store keeps them). */
  add(row: readonly Value[]): void {
    for (const w of this.#wanted) {
      const keys = this.#keys.get(w.id);
      if (!keys) continue;
      const key = keyText(row, w.fields, w.c);
      if (key === null) continue;
      if (keys.size >= FOREIGN_KEY_LIMIT) this.#keys.set(w.id, null);
      else keys.add(key);
    }
  }

  /** The keys inserted for `columns` of the parent; null when unknown or beyond the bound; undefined when not collected. */
  keysOf(columns: readonly string[]): ReadonlySet<string> | null | undefined {
    return this.#keys.get(columns.join('\u0001'));
  }
}

/** What loading the checks needs from the stage. */
export interface ForeignKeyContext {
  /** Every prepared mapping of the run or plan. */
  readonly prepared: readonly PreparedMapping[];
  /** The parents each mapping (by config name) inserts before this one writes; absent once written. */
  readonly inserted?: ReadonlyMap<string, InsertedParents>;
  /** The datasets of a mapping's target, as its inventory lists them. */
  readonly targetDatasets: (p: PreparedMapping) => readonly Dataset[];
}

/** Reads the parent keys of every checkable foreign key of `p`'s target. */
export async function loadForeignKeyChecks(
  p: PreparedMapping,
  target: Connector,
  context: ForeignKeyContext,
): Promise<ForeignKeyChecks> {
  const checks: CheckedForeignKey[] = [];
  const selfKeys: SelfForeignKey[] = [];
  const warnings: { path: string; code: string; message: string }[] = [];
  if (p.pass !== 'rows') return { checks, selfReferences: null, warnings };
  const dataset = p.target.dataset;
  const targetFields = p.compiled.targetFields;
  const refFields = new Set(p.compiled.references.map((slot) => slot.field));
  const warn = (fk: ForeignKey, why: string) =>
    warnings.push({
      path: `mappings[${p.index}]`,
      code: 'MAP_FOREIGN_KEY_UNCHECKED',
      message: `${fkText(fk)} is not checked before writing: ${why}`,
    });
  const datasets = context.targetDatasets(p);
  for (const fk of dataset.foreignKeys) {
    const fields = fk.columns.map((c) => targetFields.indexOf(c));
    // Unmapped columns are left to the database; a `ref` already rejects missing references.
    if (fields.some((f) => f < 0) || fk.columns.some((c) => refFields.has(c))) continue;
    if (fk.references.dataset === dataset.name) {
      const why = selfReferenceProblem(p, fk);
      if (why) warn(fk, why);
      else {
        const self = selfForeignKey(p, fk, datasets);
        if (self) selfKeys.push(self);
      }
      continue;
    }
    const c = fkColumns(fk, datasets, p.target.kind);
    if (!c) continue;
    const writers = context.prepared.filter(
      (o) =>
        o.pass === 'rows' &&
        o.target.name === p.target.name &&
        o.target.dataset.name === fk.references.dataset &&
        p.dependsOn.includes(o.config.name),
    );
    const keys = new Set<string>();
    let unknown = '';
    for (const o of writers) {
      const inserted = context.inserted?.get(o.config.name)?.keysOf(fk.references.columns);
      if (inserted === null) {
        unknown = o.config.name;
        break;
      }
      if (inserted) for (const key of inserted) keys.add(key);
    }
    if (unknown) {
      warn(
        fk,
        `the parents mapping ${unknown} inserts are not known (a generated key) or exceed ${FOREIGN_KEY_LIMIT.toLocaleString('en-US')}`,
      );
      continue;
    }
    if (!(await readParentKeys(target, fk.references.dataset, fk.references.columns, c, keys))) {
      warn(
        fk,
        `the parent ${fk.references.dataset} has more than ${FOREIGN_KEY_LIMIT.toLocaleString('en-US')} keys`,
      );
      continue;
    }
    const names = writers.map((o) => o.config.name);
    checks.push({
      fields,
      c,
      keys,
      field: fk.columns.join(', '),
      reason: `references ${fk.references.dataset}(${fk.references.columns.join(', ')}), which is neither in the target nor inserted by ${names.length > 0 ? `mapping ${names.join(', ')}` : 'any mapping of this run'}`,
    });
  }
  let selfReferences: SelfReferences | null = null;
  if (selfKeys.length > 0) {
    // The target's own keys, in the mapping key's order, as the self-references compare them.
    const targetKeys = new Set<string>();
    if (await readParentKeys(target, dataset.name, p.compiled.keyFields, selfKeys[0]!.c, targetKeys))
      selfReferences = new SelfReferences(selfKeys, targetKeys, p.config.to.mode === 'mirror');
    else
      warnings.push({
        path: `mappings[${p.index}]`,
        code: 'MAP_FOREIGN_KEY_UNCHECKED',
        message: `${selfKeys.map((k) => `foreign key (${k.field}) → ${k.parent}`).join(', ')} is not checked before writing: the table has more than ${FOREIGN_KEY_LIMIT.toLocaleString('en-US')} keys`,
      });
  }
  return { checks, selfReferences, warnings };
}

// Why a foreign key to the mapping's own table cannot be checked; undefined when it can.
function selfReferenceProblem(p: PreparedMapping, fk: ForeignKey): string | undefined {
  if (p.identity) return 'it references the same table, whose keys the database generates';
  const key = p.compiled.keyFields;
  const columns = fk.references.columns;
  if (columns.length !== key.length || !columns.every((c) => key.includes(c)))
    return `it references the same table by columns other than the mapping's key (${key.join(', ')})`;
  return undefined;
}

// A self-referencing foreign key with its child fields and the referenced columns in the mapping key's order.
function selfForeignKey(
  p: PreparedMapping,
  fk: ForeignKey,
  datasets: readonly Dataset[],
): SelfForeignKey | undefined {
  const key = p.compiled.keyFields;
  const at = key.map((k) => fk.references.columns.indexOf(k));
  const ordered: ForeignKey = {
    ...fk,
    columns: at.map((i) => fk.columns[i]!),
    references: { ...fk.references, columns: [...key] },
  };
  const c = fkColumns(ordered, datasets, p.target.kind);
  if (!c) return undefined;
  return {
    fields: ordered.columns.map((col) => p.compiled.targetFields.indexOf(col)),
    c,
    field: fk.columns.join(', '),
    parent: `${fk.references.dataset}(${fk.references.columns.join(', ')})`,
  };
}

/** The first foreign key a mapped row (target fields in `out`) violates, as a rejection; else null. */
export function checkForeignKeys(checks: ForeignKeyChecks, out: readonly Value[]): Rejection | null {
  for (const fk of checks.checks) {
    const key = keyText(out, fk.fields, fk.c);
    // A NULL in any child column never violates (MATCH SIMPLE).
    if (key === null || fk.keys.has(key)) continue;
    const shown: Value =
      fk.fields.length === 1 ? (out[fk.fields[0]!] ?? null) : key.split(KEY_SEPARATOR).join(', ');
    return { field: fk.field, value: shown, step: fk.field, reason: fk.reason, code: 'REJECT_FOREIGN_KEY' };
  }
  return null;
}

/** How the referenced columns of a foreign key compare: the parent columns' canonical text and folding. */
export interface FkColumns {
  readonly canonicalizers: readonly Canonicalizer[];
  readonly foldings: readonly KeyFolding[];
}

function fkColumns(fk: ForeignKey, datasets: readonly Dataset[], kind: string): FkColumns | undefined {
  const parent = datasets.find((d) => d.name === fk.references.dataset);
  const columns = fk.references.columns.map((c) => parent?.columns.find((col) => col.name === c));
  if (!parent || columns.some((c) => c === undefined) || columns.length !== fk.columns.length)
    return undefined;
  return {
    canonicalizers: columns.map((c) => canonicalizerFor(c!, kind)),
    foldings: columns.map((c) => keyFoldingOf(c!, kind)),
  };
}

/** The key text of `fields` of `row` as the parent compares it; null when a part is NULL. */
export function keyText(row: readonly Value[], fields: readonly number[], c: FkColumns): string | null {
  let key = '';
  for (let k = 0; k < fields.length; k++) {
    const value = row[fields[k]!] ?? null;
    if (value === null) return null;
    const text = c.canonicalizers[k]!(value);
    if (text === NULL_TEXT) return null;
    if (k > 0) key += KEY_SEPARATOR;
    key += foldKeyText(text, c.foldings[k]!);
  }
  return key;
}

function fkText(fk: ForeignKey): string {
  return `foreign key (${fk.columns.join(', ')}) → ${fk.references.dataset}(${fk.references.columns.join(', ')})`;
}

// One SELECT of the referenced columns; false when the parent holds more keys than the bound.
async function readParentKeys(
  target: Connector,
  dataset: string,
  columns: readonly string[],
  c: FkColumns,
  keys: Set<string>,
): Promise<boolean> {
  const fields = columns.map((_, i) => i);
  for await (const batch of target.read({ name: dataset }, { columns })) {
    for (const row of batch) {
      const key = keyText(row, fields, c);
      if (key === null) continue;
      keys.add(key);
      if (keys.size > FOREIGN_KEY_LIMIT) return false;
    }
  }
  return true;
}
