/**
 * Reads the two sides of a mapping's diff into partition stores: the source streamed through the
 * compiled row function (rejected rows reported, their key kept when it can be computed), and the
 * target's current rows (same fields). Each row is reduced once to canonical texts, a 64-bit content
 * hash and a key text; both sides are fingerprinted on the way.
 */
import { type Connector, type Row, type RowProblem, rowProblem, type Value } from '../connectors/types.ts';
import { StocktakeError } from '../core/errors.ts';
import type { Fingerprint } from '../core/plan.ts';
import { FingerprintAccumulator, hashTexts, ROW_HASH } from './canonical-hash.ts';
import { foldKeyText, KEY_SEPARATOR, type KeyFolding } from './canonical-key.ts';
import { type Canonicalizer, NULL_TEXT, stableJson } from './canonical-value.ts';
import { checkForeignKeys, type ForeignKeyChecks } from './foreign-key-check.ts';
import type { CompiledMapping, Rejection, SoftenedCount } from './mapping-types.ts';
import type { PreparedMapping } from './preflight.ts';
import type { PartitionStore } from './spill-partitions.ts';

/** A source row the mapping rejected. */
export interface RejectedRow {
  /** 1-based position of the row in the source read. */
  readonly row: number;
  /** The target key of the row, when the key fields themselves map; else null. */
  readonly key: Readonly<Record<string, Value>> | null;
  /** The source's primary key values, when the source has one. */
  readonly sourceKey: Readonly<Record<string, Value>> | null;
  readonly rejection: Rejection;
}

/** Options of the side readers. */
export interface SideReadOptions {
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  /** Rows read so far, once per batch. */
  readonly onProgress?: (rows: number) => void;
  /**
   * Source only: the target's foreign keys; a row naming no known parent is rejected, and the rows of a
   * self-referencing key are collected for `SelfReferences.resolve`.
   */
  readonly foreignKeys?: ForeignKeyChecks;
  /** Target only: keep keys and hashes without the rows (a verification that needs no row again). */
  readonly withoutRows?: boolean;
  /** Target only: sees each row's canonical texts, as hashed. */
  readonly onTexts?: (texts: readonly string[]) => void;
  /**
   * Source only: sees each mapped row's canonical texts before key folding, and its mapped values (both in
   * `targetFields` order, valid until the next row), just before it is stored under `key`.
   */
  readonly onMappedTexts?: (texts: readonly string[], values: readonly Value[], key: string) => void;
}

/** What reading one side found. */
export interface SideSummary {
  readonly rows: number;
  readonly fingerprint: Fingerprint;
  readonly ms: number;
}

/**
 * What reading the target side needs of a prepared mapping: a worker thread that reads the target
 * rebuilds this much of it (plan-target-thread.ts).
 */
export interface TargetReading {
  readonly config: { readonly name: string };
  readonly compiled: Pick<CompiledMapping, 'targetFields' | 'keyIndexes'>;
  readonly target: { readonly dataset: { readonly name: string } };
  readonly canonicalizers: readonly Canonicalizer[];
  readonly keyFoldings: readonly KeyFolding[];
  readonly fieldFoldings: readonly KeyFolding[] | null;
  readonly identity: PreparedMapping['identity'];
}

/** The key text of a row of target fields whose canonical texts are in `texts`. */
export function keyTextOf(
  prepared: Pick<TargetReading, 'compiled' | 'keyFoldings'>,
  texts: readonly string[],
): string {
  const indexes = prepared.compiled.keyIndexes;
  const foldings = prepared.keyFoldings;
  if (indexes.length === 1) return foldKeyText(texts[indexes[0]!]!, foldings[0]!);
  let key = '';
  for (let k = 0; k < indexes.length; k++) {
    if (k > 0) key += KEY_SEPARATOR;
    key += foldKeyText(texts[indexes[k]!]!, foldings[k]!);
  }
  return key;
}

/** Folds the texts of folded key fields in place, so that content compares as the target does. */
export function foldContent(prepared: Pick<TargetReading, 'fieldFoldings'>, texts: string[]): void {
  const foldings = prepared.fieldFoldings;
  if (foldings === null) return;
  for (let f = 0; f < foldings.length; f++)
    if (foldings[f] !== 'exact') texts[f] = foldKeyText(texts[f]!, foldings[f]!);
}

/** What reading the source through the mapping found, beside its rows. */
export interface SourceSummary extends SideSummary {
  readonly rejected: number;
  /** Rejected rows whose key fields failed too. */
  readonly unkeyed: number;
  /** Values written as null or unchanged because they failed (`onInvalid`), per field. */
  readonly softened: readonly SoftenedCount[];
}

/** The counts of `after` less those of `before` (the same compiled mapping read before). */
function softenedSince(before: readonly SoftenedCount[], after: readonly SoftenedCount[]): SoftenedCount[] {
  return after
    .map((a) => ({ ...a, count: a.count - (before.find((b) => b.field === a.field)?.count ?? 0) }))
    .filter((a) => a.count > 0);
}

/** Streams the source through the mapping into `store`; calls `onReject` for each rejected row. */
export async function collectSource(
  prepared: PreparedMapping,
  connector: Connector,
  store: PartitionStore,
  onReject: (rejected: RejectedRow) => void,
  options: SideReadOptions = {},
): Promise<SourceSummary> {
  const started = performance.now();
  const { compiled, canonicalizers } = prepared;
  const softenedBefore = compiled.softened();
  const fieldCount = compiled.targetFields.length;
  const texts: string[] = new Array(fieldCount).fill('');
  const out: Value[] = new Array(fieldCount).fill(null);
  const fingerprint = new FingerprintAccumulator();
  let rowNumber = 0;
  let rejected = 0;
  // Rejected rows whose key fields fail too: no target row can be known to be theirs.
  let unkeyed = 0;
  const from = compiled.from;
  const identity = prepared.identity;
  const keyWidth = identity?.sourceKey.length ?? 0;
  const foreignKeys =
    options.foreignKeys && options.foreignKeys.checks.length > 0 ? options.foreignKeys : null;
  const selfReferences = options.foreignKeys?.selfReferences ?? null;
  for await (const batch of connector.read(
    { name: prepared.source.dataset.name },
    {
      columns: prepared.readColumns,
      ...(prepared.readAsText.length > 0 ? { asText: prepared.readAsText } : {}),
      ...(from.where ? { where: from.where } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  )) {
    for (let r = 0; r < batch.length; r++) {
      const row = batch[r]!;
      rowNumber++;
      const oldKey = identity ? oldKeyText(prepared, row) : '';
      const problem = rowProblem(row);
      let rejection =
        problem !== undefined
          ? sourceRowRejection(problem)
          : oldKey === null
            ? nullOldKey(prepared)
            : compiled.map(row, out);
      if (rejection === null && foreignKeys) rejection = checkForeignKeys(foreignKeys, out);
      if (rejection !== null) {
        rejected++;
        hashRawRow(row, texts);
        fingerprint.add(ROW_HASH[0]!, ROW_HASH[1]!);
        const key = rejectedKey(prepared, row);
        if (key) {
          store.add(key.text, 0, 0, null);
          selfReferences?.addRejectedKey(key.text);
        } else unkeyed++;
        onReject({
          row: rowNumber,
          key: key?.values ?? null,
          sourceKey: sourceKeyOf(prepared, row),
          rejection,
        });
        continue;
      }
      for (let f = 0; f < fieldCount; f++) texts[f] = canonicalizers[f]!(out[f]);
      // An identity mapping's rows are keyed by their old key; the values follow the fields.
      const key = identity ? oldKey! : keyTextOf(prepared, texts);
      options.onMappedTexts?.(texts, out, key);
      foldContent(prepared, texts);
      hashTexts(texts, fieldCount);
      const high = ROW_HASH[0]!;
      const low = ROW_HASH[1]!;
      fingerprint.add(high, low);
      // The store turns the row into text at once: `out` itself is stored unless old key values follow it.
      let stored = out;
      if (keyWidth > 0) {
        stored = out.slice(0, fieldCount);
        for (let k = 0; k < keyWidth; k++) stored.push(row[identity!.sourceKey[k]!.position] ?? null);
      }
      store.add(key, high, low, stored, rowNumber);
      selfReferences?.add(rowNumber, key, out);
    }
    options.onProgress?.(rowNumber);
  }
  return {
    rows: rowNumber,
    rejected,
    unkeyed,
    softened: softenedSince(softenedBefore, compiled.softened()),
    fingerprint: fingerprint.result(),
    ms: Math.round(performance.now() - started),
  };
}

/** Streams the target's current rows (the mapping's fields) into `store`. */
export async function collectTarget(
  prepared: TargetReading,
  connector: Connector,
  store: PartitionStore,
  options: SideReadOptions = {},
): Promise<SideSummary> {
  const started = performance.now();
  const { compiled, canonicalizers } = prepared;
  const fieldCount = compiled.targetFields.length;
  const texts: string[] = new Array(fieldCount).fill('');
  const fingerprint = new FingerprintAccumulator();
  let rows = 0;
  const identity = prepared.identity;
  if (identity && !identity.map)
    throw new StocktakeError('INTERNAL', `mapping ${prepared.config.name}: identity map not loaded`);
  const map = identity?.map;
  const { withoutRows, onTexts } = options;
  for await (const batch of connector.read(
    { name: prepared.target.dataset.name },
    {
      // A generated key is read after the fields; a supplied one is among them.
      columns:
        identity && identity.supplied < 0
          ? [...compiled.targetFields, identity.generated.name]
          : compiled.targetFields,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  )) {
    for (let r = 0; r < batch.length; r++) {
      let row = batch[r]!;
      let key: string;
      if (map) {
        // Only the rows the identity map names are this mapping's; the others are never touched.
        const newKey = row[identity!.supplied < 0 ? fieldCount : identity!.supplied] ?? null;
        const old = map.oldKeyOf(identity!.generatedCanonicalizer(newKey));
        if (old === undefined) continue;
        key = old;
        row = [...row.slice(0, fieldCount), ...old.split(KEY_SEPARATOR), newKey];
        for (let f = 0; f < fieldCount; f++) texts[f] = canonicalizers[f]!(row[f]);
      } else {
        for (let f = 0; f < fieldCount; f++) texts[f] = canonicalizers[f]!(row[f]);
        key = keyTextOf(prepared, texts);
      }
      foldContent(prepared, texts);
      hashTexts(texts, fieldCount);
      fingerprint.add(ROW_HASH[0]!, ROW_HASH[1]!);
      store.add(key, ROW_HASH[0]!, ROW_HASH[1]!, withoutRows ? null : row);
      onTexts?.(texts);
      rows++;
    }
    options.onProgress?.(rows);
  }
  return { rows, fingerprint: fingerprint.result(), ms: Math.round(performance.now() - started) };
}

// A rejected row still counts in the source fingerprint, by its raw values.
function hashRawRow(row: Row, scratch: string[]): void {
  const texts = scratch.length >= row.length ? scratch : new Array<string>(row.length);
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    texts[i] =
      value === null || value === undefined
        ? NULL_TEXT
        : typeof value === 'string'
          ? value
          : typeof value === 'object' && !(value instanceof Uint8Array)
            ? stableJson(value)
            : String(value);
  }
  hashTexts(texts, row.length);
}

/** The old key text of a source row of an identity mapping; null when a part is null. */
export function oldKeyText(prepared: PreparedMapping, row: Row): string | null {
  const { sourceKey, keyCanonicalizers } = prepared.identity!;
  let text = '';
  for (let k = 0; k < sourceKey.length; k++) {
    const value = row[sourceKey[k]!.position] ?? null;
    if (value === null) return null;
    text += (k > 0 ? KEY_SEPARATOR : '') + keyCanonicalizers[k]!(value);
  }
  return text;
}

// The old key is the row's identity: without it the row cannot be recorded.
function nullOldKey(prepared: PreparedMapping): Rejection {
  const column = prepared.identity!.sourceKey.map((k) => k.name).join(', ');
  return {
    field: column,
    value: null,
    step: 'identity',
    reason: 'is not allowed: the old key of a row migrated with an identity map cannot be null',
    code: 'REJECT_REQUIRED',
  };
}

/** The key of a rejected row, computed by the key fields alone; undefined when they fail too. */
/** The rejection of a row its connector read only in part (extra CSV fields, a spreadsheet error cell). */
function sourceRowRejection(problem: RowProblem): Rejection {
  return {
    field: null,
    value: problem.value,
    step: 'source',
    reason: problem.reason,
    code: 'REJECT_SOURCE_ROW',
    ...(problem.parts ? { parts: problem.parts } : {}),
  };
}

function rejectedKey(
  prepared: PreparedMapping,
  row: Row,
): { text: string; values: Record<string, Value> } | undefined {
  if (prepared.identity) {
    const text = oldKeyText(prepared, row);
    if (text === null) return undefined;
    const values: Record<string, Value> = {};
    for (const { name, position } of prepared.identity.sourceKey) values[name] = row[position] ?? null;
    return { text, values };
  }
  const keyMapping = prepared.keyMapping;
  if (!keyMapping) return undefined;
  const input: Value[] = prepared.keyPositions.map((p) => row[p] ?? null);
  const out: Value[] = [];
  if (keyMapping.map(input, out) !== null) return undefined;
  const indexes = prepared.compiled.keyIndexes;
  const texts: string[] = new Array(prepared.compiled.targetFields.length).fill(NULL_TEXT);
  const values: Record<string, Value> = {};
  for (let k = 0; k < keyMapping.targetFields.length; k++) {
    const value = out[k] ?? null;
    texts[indexes[k]!] = prepared.canonicalizers[indexes[k]!]!(value);
    values[keyMapping.targetFields[k]!] = value;
  }
  return { text: keyTextOf(prepared, texts), values };
}

function sourceKeyOf(prepared: PreparedMapping, row: Row): Record<string, Value> | null {
  if (prepared.sourceKey.length === 0) return null;
  const key: Record<string, Value> = {};
  for (const { name, position } of prepared.sourceKey) key[name] = row[position] ?? null;
  return key;
}
