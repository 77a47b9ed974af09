/**
 * Preflight: before a row is read or written, every mapping is compiled against the inventories of its
 * source and target (columns, types, lengths, NOT NULL targets without a value), its key is checked to
 * be a primary key or unique constraint of the target, and the mappings are ordered by the targets'
 * foreign keys. Every problem of every mapping is reported at once (CONFIG_INVALID, exit 2).
 */
import { createHash } from 'node:crypto';
import type { Config, MappingConfig } from '../config/schema.ts';
import type { Connector } from '../connectors/types.ts';
import type { Dataset } from '../core/inventory.ts';
import type { PersonalDataKind } from '../core/profile.ts';
import { type KeyFolding, keyFoldingOf } from './canonical-key.ts';
import { type Canonicalizer, canonicalizerFor, stableJson } from './canonical-value.ts';
import { type MappingProblem, mappingProblemsError, tryCompileMapping } from './compile-mapping.ts';
import type { CompiledMapping } from './mapping-types.ts';
import { personalKinds } from './plan-masking.ts';

/** A connector with its inventory, as preflight resolves datasets against it. */
export interface OpenedSide {
  readonly name: string;
  readonly kind: string;
  readonly connector: Connector;
  readonly datasets: readonly Dataset[];
}

/** A mapping ready to plan or run: compiled, resolved, with its key comparison and its place in the order. */
export interface PreparedMapping {
  readonly config: MappingConfig;
  /** Position under `mappings:` in the config. */
  readonly index: number;
  readonly compiled: CompiledMapping;
  /** The key fields alone, compiled without the target, to name the key of a rejected row. */
  readonly keyMapping: CompiledMapping | undefined;
  /** For each `keyMapping.sourceColumns`, its position in a read row. */
  readonly keyPositions: readonly number[];
  readonly source: { readonly name: string; readonly kind: string; readonly dataset: Dataset };
  readonly target: { readonly name: string; readonly kind: string; readonly dataset: Dataset };
  /** Columns to read: the mapping's `sourceColumns`, then the source's primary key columns it lacks. */
  readonly readColumns: readonly string[];
  /** Positions in a read row of the source's primary key, to name a rejected row whose target key is unknown. */
  readonly sourceKey: readonly { readonly name: string; readonly position: number }[];
  /** Canonical text per target field (`compiled.targetFields` order). */
  readonly canonicalizers: readonly Canonicalizer[];
  /** How each key field (`compiled.keyIndexes` order) is compared. */
  readonly keyFoldings: readonly KeyFolding[];
  /**
   * Per target field, the folding its content is compared with: a folded key field compares folded, as
   * the database keeps its own spelling of a key that an upsert matched (writers never rewrite keys).
   * Null when every field compares exactly.
   */
  readonly fieldFoldings: readonly KeyFolding[] | null;
  /** The personal-data kind of each target field, for masking. */
  readonly personal: readonly (PersonalDataKind | undefined)[];
  /** Names of the mappings that must run first (their target is referenced by this one's). */
  readonly dependsOn: readonly string[];
  /** A hash of the mapping's definition. */
  readonly fingerprint: string;
}

/** What preflight checks against. */
export interface PreflightInput {
  readonly config: Config;
  readonly baseDir?: string;
  /** Mapping names to keep (`--only`); default all. */
  readonly only?: readonly string[];
  readonly sources: ReadonlyMap<string, OpenedSide>;
  readonly targets: ReadonlyMap<string, OpenedSide>;
  /** For migrate: whether a target can be written (its connector offers a writer). */
  readonly writable?: (target: OpenedSide) => boolean;
}

/** Compiles, checks and orders the mappings; throws CONFIG_INVALID listing every problem. */
export function preflight(input: PreflightInput): PreparedMapping[] {
  const problems: MappingProblem[] = [];
  const prepared: PreparedMapping[] = [];
  const mappings = (input.config.mappings ?? [])
    .map((mapping, index) => ({ mapping, index }))
    .filter(({ mapping }) => !input.only || input.only.length === 0 || input.only.includes(mapping.name));
  for (const { mapping, index } of mappings) {
    const base = `mappings[${index}]`;
    const source = input.sources.get(mapping.from.source);
    const target = input.targets.get(mapping.to.target);
    if (!source || !target) continue; // the config's cross-checks already named an unknown source or target
    const sourceDataset = resolveDataset(source, mapping.from.dataset, `${base}.from.dataset`, problems);
    const targetDataset = resolveDataset(target, mapping.to.dataset, `${base}.to.dataset`, problems);
    if (!sourceDataset || !targetDataset) continue;
    if (input.writable && !input.writable(target)) {
      problems.push({
        path: `${base}.to.target`,
        message: `target ${target.name} (${target.kind}) cannot be written yet: its connector has no writer`,
        code: 'MAP_TARGET_NOT_WRITABLE',
      });
    }
    if (targetDataset.kind !== 'table') {
      problems.push({
        path: `${base}.to.dataset`,
        message: `target ${targetDataset.name} is a ${targetDataset.kind}, not a table`,
        code: 'MAP_TARGET_NOT_WRITABLE',
      });
    }
    if (!hasUniqueKey(targetDataset, mapping.to.key)) {
      problems.push({
        path: `${base}.to.key`,
        message: `(${mapping.to.key.join(', ')}) is neither the primary key nor a unique constraint of ${targetDataset.name}; upserts and the diff match rows on it`,
        code: 'MAP_TARGET_KEY_MISSING',
      });
    }
    const options = {
      source: sourceDataset,
      target: targetDataset,
      targetKind: target.kind,
      ...(input.baseDir ? { baseDir: input.baseDir } : {}),
    };
    const { compiled, problems: found } = tryCompileMapping(mapping, index, options);
    problems.push(...found);
    if (!compiled) continue;
    prepared.push(
      prepare(mapping, index, compiled, source, target, sourceDataset, targetDataset, input.baseDir),
    );
  }
  checkSharedTargets(prepared, problems);
  const ordered = orderByForeignKeys(prepared, problems);
  if (problems.length > 0) throw mappingProblemsError(problems);
  return ordered;
}

function prepare(
  mapping: MappingConfig,
  index: number,
  compiled: CompiledMapping,
  source: OpenedSide,
  target: OpenedSide,
  sourceDataset: Dataset,
  targetDataset: Dataset,
  baseDir: string | undefined,
): PreparedMapping {
  const readColumns = [...compiled.sourceColumns];
  const sourceKey = (sourceDataset.primaryKey?.columns ?? []).map((name) => {
    let position = readColumns.indexOf(name);
    if (position === -1) position = readColumns.push(name) - 1;
    return { name, position };
  });
  const keyFields = Object.fromEntries(mapping.to.key.map((k) => [k, mapping.fields[k]!]));
  const keyOnly = tryCompileMapping({ ...mapping, fields: keyFields }, index, {
    source: sourceDataset,
    ...(baseDir ? { baseDir } : {}),
  }).compiled;
  const keyPositions = (keyOnly?.sourceColumns ?? []).map((name) => readColumns.indexOf(name));
  const columnOf = (field: string) => targetDataset.columns.find((c) => c.name === field)!;
  const keyFoldings = compiled.keyFields.map((f) => keyFoldingOf(columnOf(f), target.kind));
  const fieldFoldings: KeyFolding[] = compiled.targetFields.map(() => 'exact');
  compiled.keyIndexes.forEach((at, k) => {
    fieldFoldings[at] = keyFoldings[k]!;
  });
  return {
    config: mapping,
    index,
    compiled,
    keyMapping: keyOnly,
    keyPositions,
    source: { name: source.name, kind: source.kind, dataset: sourceDataset },
    target: { name: target.name, kind: target.kind, dataset: targetDataset },
    readColumns,
    sourceKey,
    canonicalizers: compiled.targetFields.map((f) => canonicalizerFor(columnOf(f), target.kind)),
    keyFoldings,
    fieldFoldings: keyFoldings.some((f) => f !== 'exact') ? fieldFoldings : null,
    personal: personalKinds(mapping, compiled.targetFields),
    dependsOn: [],
    fingerprint: createHash('sha256').update(stableJson(mapping)).digest('hex').slice(0, 16),
  };
}

/** Finds a dataset by its full name, or by its table name when that is unambiguous. */
export function resolveDataset(
  side: OpenedSide,
  name: string,
  path: string,
  problems: MappingProblem[],
): Dataset | undefined {
  const exact = side.datasets.find((d) => d.name === name);
  if (exact) return exact;
  const matches = side.datasets.filter((d) => d.table === name || d.name.split('/').pop() === name);
  if (matches.length === 1) return matches[0];
  problems.push({
    path,
    message:
      matches.length > 1
        ? `"${name}" is ambiguous in ${side.name} (${matches.map((m) => m.name).join(', ')}); name the schema`
        : `${side.name} has no dataset "${name}"${
            side.datasets.length > 0
              ? ` (it has ${side.datasets
                  .slice(0, 8)
                  .map((d) => d.name)
                  .join(', ')}${side.datasets.length > 8 ? ', …' : ''})`
              : ''
          }`,
    code: 'DATASET_NOT_FOUND',
  });
  return undefined;
}

function hasUniqueKey(dataset: Dataset, key: readonly string[]): boolean {
  const same = (columns: readonly string[]) =>
    columns.length === key.length && columns.every((c) => key.includes(c));
  if (dataset.primaryKey && same(dataset.primaryKey.columns)) return true;
  if ((dataset.uniqueKeys ?? []).some((k) => same(k.columns))) return true;
  return dataset.indexes.some((i) => i.unique && !i.partial && same(i.columns));
}

// Two mappings may fill one table, but a mirror would delete the other's rows.
function checkSharedTargets(prepared: readonly PreparedMapping[], problems: MappingProblem[]): void {
  const byTable = new Map<string, PreparedMapping[]>();
  for (const p of prepared) {
    const id = `${p.target.name}.${p.target.dataset.name}`;
    byTable.set(id, [...(byTable.get(id) ?? []), p]);
  }
  for (const [id, group] of byTable) {
    if (group.length < 2) continue;
    for (const p of group.filter((g) => g.config.to.mode === 'mirror')) {
      problems.push({
        path: `mappings[${p.index}].to.mode`,
        message: `mirror would delete the rows the other mappings of ${id} write (${group
          .filter((g) => g !== p)
          .map((g) => g.config.name)
          .join(', ')}); use upsert`,
        code: 'MAP_FIELD_INVALID',
      });
    }
  }
}

/**
 * Orders mappings so that a mapping whose target table references another mapping's target table (a
 * foreign key, same target database) runs after it, and mappings of one table run in config order;
 * config order otherwise. A cycle is a problem.
 */
function orderByForeignKeys(prepared: PreparedMapping[], problems: MappingProblem[]): PreparedMapping[] {
  const writers = new Map<string, PreparedMapping[]>();
  for (const p of prepared) {
    const id = `${p.target.name}\u0000${p.target.dataset.name}`;
    writers.set(id, [...(writers.get(id) ?? []), p]);
  }
  const deps = new Map<PreparedMapping, Set<PreparedMapping>>();
  for (const p of prepared) {
    const set = new Set<PreparedMapping>();
    // Mappings filling one table run one after the other, in config order: each diffs a settled table.
    for (const other of writers.get(`${p.target.name}\u0000${p.target.dataset.name}`) ?? []) {
      if (other === p) break;
      set.add(other);
    }
    for (const fk of p.target.dataset.foreignKeys) {
      if (fk.references.dataset === p.target.dataset.name) continue; // a self-reference orders nothing
      for (const parent of writers.get(`${p.target.name}\u0000${fk.references.dataset}`) ?? [])
        set.add(parent);
    }
    deps.set(p, set);
  }
  const ordered: PreparedMapping[] = [];
  const placed = new Set<PreparedMapping>();
  let progress = true;
  while (progress && ordered.length < prepared.length) {
    progress = false;
    for (const p of prepared) {
      if (placed.has(p)) continue;
      if ([...deps.get(p)!].every((d) => placed.has(d))) {
        placed.add(p);
        ordered.push(p);
        progress = true;
      }
    }
  }
  const stuck = prepared.filter((p) => !placed.has(p));
  if (stuck.length > 0) {
    problems.push({
      path: 'mappings',
      message: `the foreign keys between the targets of ${stuck
        .map((p) => p.config.name)
        .join(
          ', ',
        )} form a cycle, so no order loads parents first; split a mapping or load the cycle's foreign key column in a second mapping`,
      code: 'MAP_ORDER_CYCLE',
    });
  }
  return [...ordered, ...stuck].map((p) => ({
    ...p,
    dependsOn: [...deps.get(p)!].map((d) => d.config.name),
  }));
}
