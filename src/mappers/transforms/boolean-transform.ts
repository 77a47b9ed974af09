/** The boolean transform: French and English words, letters and digits to true/false. */
import type { Value } from '../../connectors/types.ts';
import { fail, type StepFailure, type TransformDefinition } from './transform-types.ts';

const TRUE_WORDS = ['oui', 'vrai', 'yes', 'true', 'o', 'y', '1', 'x', 'on'];
const FALSE_WORDS = ['non', 'faux', 'no', 'false', 'n', '0', 'off'];

interface BooleanArgs {
  readonly true?: readonly string[];
  readonly false?: readonly string[];
}

/** The boolean transform; `{ boolean: { true: [actif], false: [inactif] } }` replaces the word lists. */
export const BOOLEAN_TRANSFORM: TransformDefinition = {
  name: 'boolean',
  produces: 'boolean',
  create: (args) => {
    const spec = (args && typeof args === 'object' ? args : {}) as BooleanArgs;
    const words = new Map<string, boolean>();
    for (const w of spec.true ?? TRUE_WORDS) words.set(w.trim().toLowerCase(), true);
    for (const w of spec.false ?? FALSE_WORDS) words.set(w.trim().toLowerCase(), false);
    return (value: Value, _row, failure: StepFailure) => {
      if (value === null || value === undefined || typeof value === 'boolean') return value ?? null;
      if (typeof value === 'number' || typeof value === 'bigint') {
        if (value === 1 || value === 1n) return true;
        if (value === 0 || value === 0n) return false;
        return fail(failure, 'is not a yes/no value');
      }
      if (typeof value !== 'string') return fail(failure, 'is not a yes/no value', 'REJECT_TYPE');
      const key = value.trim().toLowerCase();
      if (key.length === 0) return null;
      const found = words.get(key);
      return found === undefined ? fail(failure, 'is not a yes/no value') : found;
    };
  },
};
