/**
 * The target's unique constraints other than the mapping's key, checked among the mapped source rows: two
 * rows with different keys but one value of such a constraint (two accounts with one SIRET) cannot both be
 * written, whatever the diff says; the database keeps the first and refuses the others. The plan says so
 * (`MAP_UNIQUE_SHARED`) with the count (no values: they may be personal). Values are compared as the target compares them (its
 * key folding); a NULL in any column of a constraint never conflicts. Each constraint keeps a set of 64-bit
 * hashes of the values seen: 16 bytes a row, outside the JavaScript heap.
 */
import { HashSet64 } from '../profilers/hash-set64.ts';
import { hashTexts, ROW_HASH } from './canonical-hash.ts';
import { foldKeyText, KEY_SEPARATOR, type KeyFolding, keyFoldingOf } from './canonical-key.ts';
import { NULL_TEXT } from './canonical-value.ts';
import type { PreparedMapping } from './preflight.ts';

/** The stable code of the warning. */
export const UNIQUE_SHARED_CODE = 'MAP_UNIQUE_SHARED';

interface Constraint {
  readonly label: string;
  readonly columns: readonly string[];
  /** Positions of the constraint's columns among the mapping's target fields. */
  readonly fields: readonly number[];
  readonly foldings: readonly KeyFolding[];
  readonly seen: HashSet64;
  shared: number;
}

/** The unique values of one mapping's rows, constraint by constraint. */
export class UniqueValues {
  readonly #prepared: PreparedMapping;
  readonly #constraints: readonly Constraint[];
  readonly #scratch: string[] = [''];

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
        shared: 0,
      });
    }
    return constraints.length > 0 ? new UniqueValues(prepared, constraints) : null;
  }

  /** Adds one mapped row by its canonical texts (in `targetFields` order). */
  add(texts: readonly string[]): void {
    for (const c of this.#constraints) {
      let value = '';
      let withNull = false;
      for (let k = 0; k < c.fields.length; k++) {
        const text = texts[c.fields[k]!]!;
        if (text === NULL_TEXT) {
          withNull = true;
          break;
        }
        value += (k > 0 ? KEY_SEPARATOR : '') + foldKeyText(text, c.foldings[k]!);
      }
      if (withNull) continue;
      this.#scratch[0] = value;
      hashTexts(this.#scratch, 1);
      if (!c.seen.add(ROW_HASH[1]!, ROW_HASH[0]!)) c.shared++;
    }
  }

  /** A warning per constraint some rows share a value of. */
  warnings(): { path: string; code: typeof UNIQUE_SHARED_CODE; message: string }[] {
    const dataset = this.#prepared.target.dataset.name;
    return this.#constraints
      .filter((c) => c.shared > 0)
      .map((c) => ({
        path: `mappings[${this.#prepared.index}].fields`,
        code: UNIQUE_SHARED_CODE,
        message: `${c.shared} source row${c.shared === 1 ? ' repeats' : 's repeat'} a value of unique ${dataset} ${c.label} another source row has: the database keeps the first written and refuses the others`,
      }));
  }
}
