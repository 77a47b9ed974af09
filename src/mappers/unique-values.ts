/**
 * The target's unique constraints other than the mapping's key, checked among the mapped source rows: two
 * rows with different keys but one value of such a constraint (two accounts with one SIRET) cannot both be
 * written, whatever the diff says. Which one is right cannot be known (nor is read order stable), so, as
 * for a key the source repeats, none of them is written: each is rejected (`REJECT_UNIQUE_SHARED`), its
 * target row, if any, left as it is, and the plan warns per constraint (`MAP_UNIQUE_SHARED`, with the count
 * and no value: they may be personal). A plan of such a source therefore settles: the next run plans the
 * same rejects and nothing to write, where a row the database refused would be planned again each time.
 *
 * Values are compared as the target compares them (its key folding); a NULL in any column of a constraint
 * never conflicts, but on SQL Server, whose unique constraints take one NULL. While the source is read, each
 * constraint keeps two sets of 64-bit hashes, outside the JavaScript heap (32 bytes a row): of the values
 * seen, and of each value with its row's key, so that a value seen again under the same key (a duplicate
 * key, which the diff rejects) is not taken for a shared one. Only when a value was seen under two keys
 * are the stored rows walked again, and the values those hashes flag compared as text, so that a hash
 * collision rejects nothing.
 */
import type { Value } from '../connectors/types.ts';
import { HashSet64 } from '../profilers/hash-set64.ts';
import { hashTexts, ROW_HASH } from './canonical-hash.ts';
import { foldKeyText, KEY_SEPARATOR, type KeyFolding, keyFoldingOf } from './canonical-key.ts';
import { NULL_TEXT } from './canonical-value.ts';
import type { PreparedMapping } from './preflight.ts';
import type { RowReject } from './rejects.ts';
import { type PartitionStore, rowAt } from './spill-partitions.ts';

/** The stable code of the warning. */
export const UNIQUE_SHARED_CODE = 'MAP_UNIQUE_SHARED';

/** What a stored row's rejection says; the caller adds the row's key. */
export type UniqueReject = Omit<RowReject, 'key'>;

interface Constraint {
  readonly label: string;
  readonly columns: readonly string[];
  /** Positions of the constraint's columns among the mapping's target fields. */
  readonly fields: readonly number[];
  readonly foldings: readonly KeyFolding[];
  /** Hashes of the values seen, of each value with its row's key, and of the values seen under two keys. */
  readonly seen: HashSet64;
  readonly withKeys: HashSet64;
  readonly repeated: HashSet64;
  /** True when a NULL is a value like the others (SQL Server: a unique constraint takes one NULL). */
  readonly nullConflicts: boolean;
  /** Source rows sharing a value of the constraint with a row of another key. */
  sharing: number;
}

/** The source rows holding one value the hashes flag: how many, per key. */
type Holders = Map<string, number>;

/** The unique values of one mapping's rows, constraint by constraint. */
export class UniqueValues {
  readonly #prepared: PreparedMapping;
  readonly #constraints: readonly Constraint[];
  readonly #scratch: string[] = ['', ''];
  #repeats = false;

  private constructor(prepared: PreparedMapping, constraints: readonly Constraint[]) {
    this.#prepared = prepared;
    this.#constraints = constraints;
  }

  /**
   * The checks of a mapping: the target's primary key and unique constraints whose columns the mapping
   * writes all of, but the one its key is; null when there is none (an identity mapping's rows are keyed by
   * the generated key, which its own check covers).
   */
  static for(prepared: PreparedMapping): UniqueValues | null {
    const dataset = prepared.target.dataset;
    const fields = prepared.compiled.targetFields;
    const key = new Set(prepared.compiled.keyFields);
    const candidates = [
      ...(dataset.primaryKey ? [{ name: dataset.primaryKey.name, columns: dataset.primaryKey.columns }] : []),
      ...(dataset.uniqueKeys ?? []),
    ];
    const constraints: Constraint[] = [];
    for (const c of candidates) {
      const positions = c.columns.map((column) => fields.indexOf(column));
      if (positions.some((p) => p < 0)) continue;
      if (c.columns.length === key.size && c.columns.every((column) => key.has(column))) continue;
      if (constraints.some((k) => k.columns.join('\u0001') === c.columns.join('\u0001'))) continue;
      constraints.push({
        // SQLite's own names (`sqlite_autoindex_t_2`) say nothing the columns do not.
        label: `${c.name && !c.name.startsWith('sqlite_autoindex_') ? `${c.name} ` : ''}(${c.columns.join(', ')})`,
        columns: c.columns,
        fields: positions,
        foldings: c.columns.map((column) =>
          keyFoldingOf(dataset.columns.find((d) => d.name === column)!, prepared.target.kind),
        ),
        seen: new HashSet64(),
        withKeys: new HashSet64(),
        repeated: new HashSet64(16),
        nullConflicts: prepared.target.kind === 'mssql',
        sharing: 0,
      });
    }
    return constraints.length > 0 ? new UniqueValues(prepared, constraints) : null;
  }

  /** Adds one mapped row by its canonical texts (in `targetFields` order) and its key text. */
  add(texts: readonly string[], key: string): void {
    for (const c of this.#constraints) {
      const value = constraintValue(c, texts);
      if (value === null) continue;
      this.#scratch[0] = value;
      this.#scratch[1] = key;
      hashTexts(this.#scratch, 2);
      const pairLow = ROW_HASH[1]!;
      const pairHigh = ROW_HASH[0]!;
      hashTexts(this.#scratch, 1);
      // A value seen before, but never under this key: a row of another key has it.
      if (!c.seen.add(ROW_HASH[1]!, ROW_HASH[0]!) && c.withKeys.add(pairLow, pairHigh)) {
        c.repeated.add(ROW_HASH[1]!, ROW_HASH[0]!);
        this.#repeats = true;
      } else c.withKeys.add(pairLow, pairHigh);
    }
  }

  /**
   * Once the whole source is in `store`: finds the rows that share a value of a constraint with a row of
   * another key, hands each to `reject` (and every other row of their keys, as the diff rejects a valid
   * row beside a rejected one of its key), and returns their keys, for the store to load without rows.
   */
  rejectShared(
    store: PartitionStore,
    reject: (row: readonly Value[], rejection: UniqueReject) => void,
  ): Set<string> {
    const keys = new Set<string>();
    if (!this.#repeats) return keys;
    const holders = this.#constraints.map(() => new Map<string, Holders>());
    const partitions: number[] = [];
    this.#walk(store, (p, key, row) => {
      let found = false;
      for (let c = 0; c < this.#constraints.length; c++) {
        const value = this.#repeatedValue(this.#constraints[c]!, row);
        if (value === null) continue;
        found = true;
        let held = holders[c]!.get(value);
        if (!held) {
          held = new Map();
          holders[c]!.set(value, held);
        }
        held.set(key, (held.get(key) ?? 0) + 1);
      }
      if (found && partitions.at(-1) !== p) partitions.push(p);
    });
    // Rows of other keys holding a row's value of constraint `c` (0: the value is not shared).
    const others = (c: number, value: string | null, key: string) => {
      const held = value === null ? undefined : holders[c]!.get(value);
      if (!held || held.size < 2) return 0;
      let rows = 0;
      for (const [k, n] of held) if (k !== key) rows += n;
      return rows;
    };
    // The rows of one key are in one partition: a key's other rows are found in the walk of its partition.
    for (const p of partitions) {
      const records = store.load(p);
      const rejectedHere = new Map<string, number>();
      for (let i = 0; i < records.keys.length; i++) {
        const row = rowAt(records, i);
        if (row === null) continue;
        const key = records.keys[i]!;
        let rejected = false;
        for (let c = 0; c < this.#constraints.length; c++) {
          const constraint = this.#constraints[c]!;
          const shared = others(c, this.#repeatedValue(constraint, row), key);
          if (shared === 0) continue;
          constraint.sharing++;
          // One reject a row, for the first constraint it shares a value of; each constraint counts it.
          if (rejected) continue;
          rejected = true;
          rejectedHere.set(key, (rejectedHere.get(key) ?? 0) + 1);
          const single = constraint.columns.length === 1;
          reject(row, {
            ...(records.numbers[i]! > 0 ? { row: records.numbers[i]! } : {}),
            field: single ? constraint.columns[0]! : null,
            ...(single ? { value: row[constraint.fields[0]!] ?? null } : {}),
            reason: `shares its value of unique ${this.#prepared.target.dataset.name} ${constraint.label} with ${shared} source row${shared === 1 ? '' : 's'} of other keys: the database would keep one, and which one is right cannot be known, so none of them is written`,
            code: 'REJECT_UNIQUE_SHARED',
          });
        }
      }
      // How many rows each such key has, and how many of them are rejected (here, or while reading).
      const times = new Map<string, number>();
      for (let i = 0; i < records.keys.length; i++) {
        const key = records.keys[i]!;
        if (!rejectedHere.has(key)) continue;
        times.set(key, (times.get(key) ?? 0) + 1);
        if (records.rows[i] === null) rejectedHere.set(key, rejectedHere.get(key)! + 1);
      }
      for (let i = 0; i < records.keys.length; i++) {
        const key = records.keys[i]!;
        const twins = rejectedHere.get(key);
        if (twins === undefined) continue;
        keys.add(key);
        const row = rowAt(records, i);
        if (row === null || this.#constraints.some((c, k) => others(k, this.#repeatedValue(c, row), key) > 0))
          continue;
        reject(row, {
          ...(records.numbers[i]! > 0 ? { row: records.numbers[i]! } : {}),
          reason: `the key appears ${times.get(key)} times in the source (${twins} of them rejected for another reason, so the right one cannot be known); none of these rows is written`,
          code: 'REJECT_DUPLICATE_KEY',
        });
      }
    }
    return keys;
  }

  /** A warning per constraint whose values rows of different keys share. */
  warnings(): { path: string; code: typeof UNIQUE_SHARED_CODE; message: string }[] {
    const dataset = this.#prepared.target.dataset.name;
    return this.#constraints
      .filter((c) => c.sharing > 0)
      .map((c) => ({
        path: `mappings[${this.#prepared.index}].fields`,
        code: UNIQUE_SHARED_CODE,
        message: `${c.sharing} source row${c.sharing === 1 ? ' shares a value' : 's share values'} of unique ${dataset} ${c.label} with rows of other keys: none of these rows is written (REJECT_UNIQUE_SHARED), as the database would keep only one`,
      }));
  }

  #walk(store: PartitionStore, visit: (partition: number, key: string, row: readonly Value[]) => void): void {
    for (let p = 0; p < store.partitions; p++) {
      const records = store.load(p);
      for (let i = 0; i < records.keys.length; i++) {
        const row = rowAt(records, i);
        if (row !== null) visit(p, records.keys[i]!, row);
      }
    }
  }

  // The value of `c` in a stored row when its hash was seen more than once; null otherwise.
  #repeatedValue(c: Constraint, row: readonly Value[]): string | null {
    if (c.repeated.size === 0) return null;
    const canonicalizers = this.#prepared.canonicalizers;
    const texts = this.#texts;
    for (const f of c.fields) texts[f] = canonicalizers[f]!(row[f]);
    const value = constraintValue(c, texts);
    if (value === null) return null;
    this.#scratch[0] = value;
    hashTexts(this.#scratch, 1);
    return c.repeated.has(ROW_HASH[1]!, ROW_HASH[0]!) ? value : null;
  }

  readonly #texts: string[] = [];
}

// The constraint's value in a row's canonical texts, its columns folded as the target compares them; null
// when a column is NULL (a NULL never conflicts).
function constraintValue(c: Constraint, texts: readonly string[]): string | null {
  let value = '';
  for (let k = 0; k < c.fields.length; k++) {
    const text = texts[c.fields[k]!]!;
    if (text === NULL_TEXT) {
      if (!c.nullConflicts) return null;
      value += (k > 0 ? KEY_SEPARATOR : '') + text;
      continue;
    }
    value += (k > 0 ? KEY_SEPARATOR : '') + foldKeyText(text, c.foldings[k]!);
  }
  return value;
}
