/** Reading and writing the JSON documents the stages exchange (inventory, profile, plan, run). */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { StocktakeError } from '../core/errors.ts';
import type { Inventory } from '../core/inventory.ts';
import { redactDocument } from '../core/secrets.ts';

/** Writes a document atomically (temporary file, then rename), creating the folder. */
export function writeDocument(file: string, document: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(document, jsonReplacer, 2)}\n`);
  renameSync(temporary, file);
}

// BigInt has no JSON form: large integers are written as strings; bytes as base64.
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}

/**
 * Reads an `inventory.json`; throws INVENTORY_UNREADABLE naming the file when it is not one. `redacted`
 * masks secrets in every text of it, for output built from a document that may have been edited by hand.
 */
export function readInventory(file: string, options: { redacted?: boolean } = {}): Inventory {
  let parsed: unknown;
  try {
    // A document saved by an editor that writes a byte-order mark reads as the same document.
    parsed = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    if (options.redacted) parsed = redactDocument(parsed);
  } catch (error) {
    throw new StocktakeError(
      'INVENTORY_UNREADABLE',
      `${file}: cannot read the inventory (${(error as Error).message})`,
      {
        context: { file },
        cause: error,
      },
    );
  }
  const doc = parsed as Partial<Inventory>;
  if (doc?.formatVersion !== 1 || !Array.isArray(doc.sources)) {
    throw new StocktakeError(
      'INVENTORY_UNREADABLE',
      `${file}: not a stocktake inventory (formatVersion 1 expected)`,
      {
        context: { file },
      },
    );
  }
  return doc as Inventory;
}
