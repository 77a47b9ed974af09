/**
 * Foreign keys of a table that reference the table itself (`employee.manager_id → employee.id`): a row's
 * reference holds when the referenced key stays in the target after the run (it is there and, in mirror
 * mode, not deleted) or belongs to a row the same mapping writes, itself valid. Which rows are valid is
 * known only once the whole source is read, so the mapped rows' keys and references are collected while
 * reading, then resolved parents first (Kahn's order): a row whose parent is missing, rejected, or only
 * reachable through a cycle of new rows is rejected with `REJECT_FOREIGN_KEY`; the others get the round in
 * which they can be written, after every parent the run inserts.
 */
import type { Value } from '../connectors/types.ts';
import { type FkColumns, FOREIGN_KEY_LIMIT, keyText } from './foreign-key-check.ts';
import type { Rejection } from './mapping-types.ts';

/** One self-referencing foreign key, its child fields and referenced columns in the mapping key's order. */
export interface SelfForeignKey {
  readonly fields: readonly number[];
  readonly c: FkColumns;
  /** The child columns, as a rejection names them. */
  readonly field: string;
  /** `public.employee(id)`. */
  readonly parent: string;
}

/** A row of the mapping the self-references reject, with the reference that fails. */
export interface SelfRejection {
  /** The row's key text (the partition stores' key). */
  readonly key: string;
  /** 1-based position of the row in the source read. */
  readonly row: number;
  /** The foreign key that fails (index in `foreignKeys`). */
  readonly fk: number;
  /** True when no row of the source has the referenced key (else that row is rejected, or on a cycle). */
  readonly missing: boolean;
}

/** What resolving found: the rows to reject, and the round each deferred row is written in (1 and up). */
export interface SelfReferenceOrder {
  readonly rejected: readonly SelfRejection[];
  /** Rows written after a parent the run inserts, by key: the round they are written in. */
  readonly rounds: ReadonlyMap<string, number>;
  readonly lastRound: number;
}

/** The self-references of one mapping, collected row by row while the source is read. */
export class SelfReferences {
  readonly foreignKeys: readonly SelfForeignKey[];
  /** The target's keys before the run, as the referenced columns compare them. */
  readonly #targetKeys: ReadonlySet<string>;
  readonly #mirror: boolean;
  readonly #keys: string[] = [];
  readonly #rows: number[] = [];
  /** Per foreign key, per collected row: the referenced key text, or null for a NULL reference. */
  readonly #children: (string | null)[][];
  /** Keys of source rows rejected for another reason: in mirror mode their target rows stay. */
  readonly #rejectedKeys = new Set<string>();
  /** Keys rejected once the whole source was read (`exclude`). */
  readonly #excluded = new Set<string>();
  #overflow = false;

  constructor(foreignKeys: readonly SelfForeignKey[], targetKeys: ReadonlySet<string>, mirror: boolean) {
    this.foreignKeys = foreignKeys;
    this.#targetKeys = targetKeys;
    this.#mirror = mirror;
    this.#children = foreignKeys.map(() => []);
  }

  /** True when more rows were read than the bound: the references are then left to the database. */
  get overflow(): boolean {
    return this.#overflow;
  }

  /** Records a valid mapped row (`out`: its target fields) under its key text. */
  add(row: number, key: string, out: readonly Value[]): void {
    if (this.#overflow) return;
    if (this.#keys.length >= FOREIGN_KEY_LIMIT) {
      this.#overflow = true;
      return;
    }
    this.#keys.push(key);
    this.#rows.push(row);
    for (let f = 0; f < this.foreignKeys.length; f++) {
      const fk = this.foreignKeys[f]!;
      this.#children[f]!.push(keyText(out, fk.fields, fk.c));
    }
  }

  /** Records the key of a source row rejected for another reason. */
  addRejectedKey(key: string): void {
    if (this.#mirror) this.#rejectedKeys.add(key);
  }

  /**
   * Records keys whose rows were collected valid but are rejected after the read (they share a unique
   * value): none is written, so a row referencing one is rejected, as one referencing a duplicate is.
   */
  exclude(keys: ReadonlySet<string>): void {
    for (const key of keys) this.#excluded.add(key);
  }

  /** Resolves every collected reference; see the module's comment. */
  resolve(): SelfReferenceOrder {
    const keys = this.#keys;
    const n = keys.length;
    // A key held by several rows is rejected as a duplicate by the diff: none of its rows is written.
    const rowOf = new Map<string, number>();
    const duplicated = new Set<string>(this.#excluded);
    for (let i = 0; i < n; i++) {
      if (rowOf.has(keys[i]!)) duplicated.add(keys[i]!);
      else rowOf.set(keys[i]!, i);
    }
    // In mirror mode a target row stays only if some source row, valid or rejected, has its key.
    const stays = (key: string) =>
      this.#targetKeys.has(key) && (!this.#mirror || rowOf.has(key) || this.#rejectedKeys.has(key));
    const waiting = new Int32Array(n);
    const round = new Int32Array(n);
    const referencedBy = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      if (duplicated.has(keys[i]!)) continue;
      for (const children of this.#children) {
        const child = children[i]!;
        // A row may reference itself: the databases check it once the row is written.
        if (child === null || child === keys[i] || stays(child)) continue;
        waiting[i]!++;
        const list = referencedBy.get(child);
        if (list) list.push(i);
        else referencedBy.set(child, [i]);
      }
    }
    const ready: number[] = [];
    for (let i = 0; i < n; i++) if (waiting[i] === 0 && !duplicated.has(keys[i]!)) ready.push(i);
    for (let r = 0; r < ready.length; r++) {
      const i = ready[r]!;
      for (const j of referencedBy.get(keys[i]!) ?? []) {
        round[j] = Math.max(round[j]!, round[i]! + 1);
        if (--waiting[j]! === 0) ready.push(j);
      }
    }
    const rejected: SelfRejection[] = [];
    const rounds = new Map<string, number>();
    let lastRound = 0;
    for (let i = 0; i < n; i++) {
      if (duplicated.has(keys[i]!)) continue;
      if (waiting[i]! > 0) {
        const unresolved = (child: string | null) => {
          if (child === null || child === keys[i] || stays(child)) return false;
          const parent = rowOf.get(child);
          return parent === undefined || duplicated.has(child) || waiting[parent]! > 0;
        };
        const fk = this.#children.findIndex((c) => unresolved(c[i]!));
        const child = this.#children[fk]![i]!;
        rejected.push({ key: keys[i]!, row: this.#rows[i]!, fk, missing: !rowOf.has(child) });
      } else if (round[i]! > 0) {
        rounds.set(keys[i]!, round[i]!);
        lastRound = Math.max(lastRound, round[i]!);
      }
    }
    return { rejected, rounds, lastRound };
  }

  /** The rejection of a row `resolve` rejected, given the row's values. */
  rejectionOf(rejected: SelfRejection, row: readonly Value[]): Rejection {
    const fk = this.foreignKeys[rejected.fk]!;
    const value: Value =
      fk.fields.length === 1
        ? (row[fk.fields[0]!] ?? null)
        : fk.fields.map((f) => String(row[f] ?? null)).join(', ');
    return {
      field: fk.field,
      value,
      step: fk.field,
      reason: rejected.missing
        ? `references ${fk.parent}, which is neither in the target nor among the rows of this mapping`
        : `references ${fk.parent}, a row of this mapping that is rejected itself or only reachable through a cycle of new rows`,
      code: 'REJECT_FOREIGN_KEY',
    };
  }
}
