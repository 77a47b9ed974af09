/**
 * Orphans and overlaps computed from frequency tables: which child values have no parent value (a
 * foreign key, declared or inferred), and how many entities two sources share once their names are
 * normalised. Exact when both tables are complete; on a sampled table, figures are the sample's.
 */
import type { ProfileValue } from '../core/profile.ts';
import type { ColumnObservation } from './observation.ts';
import { compareValues } from './value-order.ts';
import { foldCaseAndAccents } from './value-variants.ts';

const EXAMPLES = 5;

/** The result of checking a child column's values against a parent key. */
export interface InclusionResult {
  /** Non-null child rows checked. */
  readonly checked: number;
  /** Child rows whose value is not in the parent. */
  readonly orphans: number;
  /** Share of checked rows found in the parent (1 when nothing was checked). */
  readonly inclusion: number;
  /** Up to five orphan values, most frequent first. */
  readonly examples: readonly ProfileValue[];
}

/** The other spelling of a key across backends: `12` ↔ `'12'` (an id stored as text on one side). */
function alternate(value: ProfileValue): ProfileValue | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string' && value.length > 0 && value.length < 16) {
    const number = Number(value);
    if (Number.isSafeInteger(number) && String(number) === value) return number;
  }
  return undefined;
}

/** Checks every child value against the parent's values (single-column keys), weighted by row counts. */
export function inclusion(child: ColumnObservation, parent: ColumnObservation): InclusionResult {
  const parents = parent.frequencies;
  let checked = 0;
  let orphans = 0;
  const missing: { value: ProfileValue; count: number }[] = [];
  for (const [value, count] of child.frequencies) {
    checked += count;
    if (parents.has(value)) continue;
    const other = alternate(value);
    if (other !== undefined && parents.has(other)) continue;
    orphans += count;
    missing.push({ value, count });
  }
  missing.sort((a, b) => b.count - a.count || compareValues(a.value, b.value));
  return {
    checked,
    orphans,
    inclusion: checked === 0 ? 1 : (checked - orphans) / checked,
    examples: missing.slice(0, EXAMPLES).map((m) => m.value),
  };
}

/** Legal forms dropped from organisation names before matching (French first, then common foreign ones). */
const LEGAL_FORMS = new Set([
  'sarl',
  'sas',
  'sasu',
  'sa',
  'eurl',
  'sci',
  'snc',
  'scop',
  'sca',
  'scs',
  'scp',
  'selarl',
  'selas',
  'ei',
  'eirl',
  'gie',
  'sem',
  'earl',
  'gaec',
  'cie',
  'inc',
  'ltd',
  'llc',
  'plc',
  'gmbh',
  'ag',
  'bv',
  'nv',
  'srl',
  'spa',
  'corp',
]);
const DOTS = /\./g;
const NOT_ALNUM = /[^a-z0-9]+/;

/** `S.A.R.L. Dupont & Fils` → `dupontfils`: case, accents, punctuation, spaces and legal forms folded. */
export function normaliseEntityName(text: string): string {
  const words = foldCaseAndAccents(text).replace(DOTS, '').split(NOT_ALNUM);
  let key = '';
  for (const word of words) if (word.length > 0 && !LEGAL_FORMS.has(word) && word !== 'et') key += word;
  return key;
}

/** How many normalised values two columns share. */
export interface OverlapResult {
  /** Distinct normalised values on each side. */
  readonly leftValues: number;
  readonly rightValues: number;
  /** Normalised values found on both sides. */
  readonly matched: number;
  /** Up to five matches as written on the left, with the right's spelling when it differs (`A ↔ B`). */
  readonly examples: readonly string[];
}

// A column is compared with every name column of the other sources: its keys are computed once.
const ENTITY_KEYS = new WeakMap<ColumnObservation, Map<string, string>>();

function normalisedValues(
  observation: ColumnObservation,
  normalise: (text: string) => string,
): Map<string, string> {
  const memo = normalise === normaliseEntityName;
  const cached = memo ? ENTITY_KEYS.get(observation) : undefined;
  if (cached) return cached;
  const keys = new Map<string, string>();
  for (const value of observation.frequencies.keys()) {
    const key = normalise(String(value));
    if (key.length > 0 && !keys.has(key)) keys.set(key, String(value));
  }
  if (memo) ENTITY_KEYS.set(observation, keys);
  return keys;
}

/** Compares two columns on a normalised key (`normaliseEntityName` unless told otherwise). */
export function overlap(
  left: ColumnObservation,
  right: ColumnObservation,
  normalise: (text: string) => string = normaliseEntityName,
): OverlapResult {
  const lefts = normalisedValues(left, normalise);
  const rights = normalisedValues(right, normalise);
  let matched = 0;
  const examples: string[] = [];
  for (const [key, written] of lefts) {
    const other = rights.get(key);
    if (other === undefined) continue;
    matched++;
    if (examples.length < EXAMPLES) examples.push(other === written ? written : `${written} ↔ ${other}`);
  }
  return { leftValues: lefts.size, rightValues: rights.size, matched, examples };
}
