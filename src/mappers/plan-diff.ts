/**
 * The diff of one partition: source records (mapped rows, or keys of rejected rows) against target
 * records, matched by key text. The result holds indexes into both record lists, so that the plan can
 * count and sample and the applier can batch, without copying rows.
 */
import type { PartitionRecords } from './spill-partitions.ts';

/** What one partition's diff found, as indexes into the source (`s`) and target (`t`) records. */
export interface PartitionDiff {
  /** Source rows whose key the target lacks. */
  readonly inserts: number[];
  /** Pairs (source, target) whose content differs: `updates[2k]` is the source index, `updates[2k+1]` the target. */
  readonly updates: number[];
  /** Target rows whose key the source lacks (deleted in mirror mode, left alone otherwise). */
  readonly targetOnly: number[];
  /**
   * Source rows whose key appears more than once in the source (among the valid rows, or beside a row
   * rejected for another reason): none is written.
   */
  readonly duplicates: number[];
  /** For keys of `duplicates` that rejected rows share too, how many rejected rows have them. */
  twins: Map<string, number> | null;
  /** Target rows left alone because their key belongs to rejected or duplicated source rows. */
  kept: number;
  unchanged: number;
}

/** An empty diff. */
export function emptyDiff(): PartitionDiff {
  return { inserts: [], updates: [], targetOnly: [], duplicates: [], twins: null, kept: 0, unchanged: 0 };
}

const DUPLICATE = -2;

/** Diffs one partition of each side into `out` (which must be empty). */
export function diffPartition(source: PartitionRecords, target: PartitionRecords, out: PartitionDiff): void {
  const index = new Map<string, number>();
  // Keys of rejected source rows, with how many: their target rows are neither updated nor deleted.
  let rejectedKeys: Map<string, number> | undefined;
  let duplicated = false;
  const keys = source.keys;
  const rows = source.rows;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (rows[i] === null) {
      rejectedKeys ??= new Map();
      rejectedKeys.set(key, (rejectedKeys.get(key) ?? 0) + 1);
      continue;
    }
    const seen = index.get(key);
    if (seen === undefined) index.set(key, i);
    else if (seen !== DUPLICATE) {
      index.set(key, DUPLICATE);
      duplicated = true;
    }
  }
  // A valid row whose key a rejected row has too is a duplicate as well: which of them is the right one
  // cannot be known, so the valid one is not written over (or beside) what the target holds.
  if (rejectedKeys) {
    for (const [key, count] of rejectedKeys) {
      if (index.get(key) === undefined) continue;
      index.set(key, DUPLICATE);
      duplicated = true;
      out.twins ??= new Map();
      out.twins.set(key, count);
    }
  }
  if (duplicated) {
    for (let i = 0; i < keys.length; i++)
      if (rows[i] !== null && index.get(keys[i]!) === DUPLICATE) out.duplicates.push(i);
  }
  const matched = new Uint8Array(keys.length);
  const sourceHighs = source.highs;
  const sourceLows = source.lows;
  const targetKeys = target.keys;
  for (let j = 0; j < targetKeys.length; j++) {
    const key = targetKeys[j]!;
    const i = index.get(key);
    if (i === undefined) {
      if (rejectedKeys?.has(key)) out.kept++;
      else out.targetOnly.push(j);
      continue;
    }
    if (i === DUPLICATE) {
      out.kept++;
      continue;
    }
    if (matched[i] === 1) {
      // Two target rows under one key: possible only where the database folds keys differently than predicted.
      out.targetOnly.push(j);
      continue;
    }
    matched[i] = 1;
    if (sourceHighs[i] === target.highs[j] && sourceLows[i] === target.lows[j]) out.unchanged++;
    else out.updates.push(i, j);
  }
  for (const i of index.values()) if (i !== DUPLICATE && matched[i] === 0) out.inserts.push(i);
  out.inserts.sort((a, b) => a - b);
}
