/**
 * The identity map of a mapping whose target generates its keys: old key (the source key as canonical
 * text, composite parts joined by KEY_SEPARATOR) → new key (the generated key's text), as kept in the
 * target's `stocktake_identity` table. Held in memory in both directions (the diff reads target rows by
 * new key, references look up old keys), up to IDENTITY_MAP_LIMIT entries per mapping.
 */
import type { Knex } from 'knex';
import { IDENTITY_TABLE } from '../connectors/sql/sql-writer.ts';
import type { Value } from '../connectors/types.ts';
import { StocktakeError } from '../core/errors.ts';
import type { LogicalType } from '../core/inventory.ts';

/**
 * Entries one identity map holds in memory: about 110 bytes each for both directions (measured with
 * integer keys), so a map at the limit takes about 110 MB. Above it the run stops (IDENTITY_MAP_TOO_LARGE).
 */
export const IDENTITY_MAP_LIMIT = 1_000_000;

/** One mapping's old key → new key pairs, both ways. */
export class IdentityMap {
  readonly mapping: string;
  readonly #forward = new Map<string, string>();
  readonly #reverse = new Map<string, string>();

  constructor(mapping: string) {
    this.mapping = mapping;
  }

  get size(): number {
    return this.#forward.size;
  }

  /** The new key text of an old key, or undefined. */
  newKeyOf(oldKey: string): string | undefined {
    return this.#forward.get(oldKey);
  }

  /** The old key text of a new key, or undefined when the row is not this mapping's. */
  oldKeyOf(newKey: string): string | undefined {
    return this.#reverse.get(newKey);
  }

  /** Records (or replaces) the new key of an old key. */
  set(oldKey: string, newKey: string): void {
    const before = this.#forward.get(oldKey);
    if (before !== undefined) this.#reverse.delete(before);
    else if (this.#forward.size >= IDENTITY_MAP_LIMIT) throw identityMapTooLarge(this.mapping);
    this.#forward.set(oldKey, newKey);
    this.#reverse.set(newKey, oldKey);
  }

  /** Forgets an old key (its row was deleted by a mirror). */
  forget(oldKey: string): void {
    const before = this.#forward.get(oldKey);
    if (before === undefined) return;
    this.#forward.delete(oldKey);
    this.#reverse.delete(before);
  }
}

/** The error of a map (or a plan's set of pending keys) beyond IDENTITY_MAP_LIMIT. */
export function identityMapTooLarge(mapping: string): StocktakeError {
  return new StocktakeError(
    'IDENTITY_MAP_TOO_LARGE',
    `mapping ${mapping}: the identity map exceeds ${IDENTITY_MAP_LIMIT.toLocaleString('en')} entries, the most held in memory`,
    {
      hint: 'split the mapping with `from.where` into parts of fewer rows, each with its own name',
      context: { mapping },
    },
  );
}

/**
 * Reads a mapping's identity map from the target's identity table (in `schema`, when the target has
 * schemas); an absent table is an empty map. Works on read-only sessions.
 */
export async function readIdentityMap(
  db: Knex,
  schema: string | undefined,
  mapping: string,
): Promise<IdentityMap> {
  const map = new IdentityMap(mapping);
  const exists =
    schema === undefined
      ? db.schema.hasTable(IDENTITY_TABLE)
      : db.schema.withSchema(schema).hasTable(IDENTITY_TABLE);
  if (!(await exists)) return map;
  const query = db.select('old_key', 'new_key').from(IDENTITY_TABLE).where('mapping', mapping);
  const rows = (await (schema === undefined ? query : query.withSchema(schema))) as {
    old_key: string;
    new_key: string;
  }[];
  for (const row of rows) map.set(String(row.old_key), String(row.new_key));
  return map;
}

const INTEGER_TEXT = /^-?\d+$/;

/** A new key's text as the value a referring column receives: integers as numbers (bigint past 2^53). */
export function newKeyValue(text: string, type: LogicalType | undefined): Value {
  if (type === 'integer' && INTEGER_TEXT.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  }
  return text;
}
