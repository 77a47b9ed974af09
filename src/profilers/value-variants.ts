/** Groups of distinct values that are the same once case and accents are folded (`Société` / `SOCIETE`). */
import type { ColumnProfile } from '../core/profile.ts';
import { compareCodePoints } from './value-order.ts';

const MARKS = /\p{M}+/gu;
const MAX_EXAMPLES = 5;
const MAX_EXAMPLE_VALUES = 5;

/** Folds case and accents (NFD, combining marks dropped, lower case); spaces are kept. */
export function foldCaseAndAccents(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) {
      ascii = false;
      break;
    }
  }
  return ascii ? text.toLowerCase() : text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

/** The variant groups among distinct text values: groups of size ≥ 2, values in them, five example groups. */
export function findVariants(texts: Iterable<string>): ColumnProfile['variants'] {
  const byFold = new Map<string, string | string[]>();
  for (const text of texts) {
    const key = foldCaseAndAccents(text);
    const seen = byFold.get(key);
    if (seen === undefined) byFold.set(key, text);
    else if (typeof seen === 'string') byFold.set(key, [seen, text]);
    else seen.push(text);
  }
  let groups = 0;
  let values = 0;
  const examples: string[][] = [];
  for (const group of byFold.values()) {
    if (typeof group === 'string') continue;
    groups++;
    values += group.length;
    examples.push(group.sort(compareCodePoints).slice(0, MAX_EXAMPLE_VALUES));
  }
  // The groups with the smallest values, so every backend, whatever its row order, shows the same ones.
  examples.sort((a, b) => compareCodePoints(a[0]!, b[0]!));
  return { groups, values, examples: examples.slice(0, MAX_EXAMPLES) };
}
