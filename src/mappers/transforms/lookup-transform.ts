/** The lookup transform: replaces codes by values from an inline table or a CSV file read once at compile time. */
import type { Value } from '../../connectors/types.ts';
import {
  fail,
  type StepFailure,
  TransformArgumentError,
  type TransformDefinition,
} from './transform-types.ts';
import { toText } from './value-text.ts';

type OnMissing = 'keep' | 'null' | 'reject';

interface LookupArgs {
  readonly values?: Readonly<Record<string, unknown>>;
  readonly file?: string;
  readonly key?: string;
  readonly value?: string;
  readonly onMissing?: OnMissing;
}

/** The lookup transform. */
export const LOOKUP_TRANSFORM: TransformDefinition = {
  name: 'lookup',
  example: '{ lookup: { values: { M: "Monsieur", MME: "Madame" } } }',
  create: (args, context) => {
    if (!args || typeof args !== 'object') {
      throw new TransformArgumentError('needs { values } or { file, key, value }');
    }
    const spec = args as LookupArgs;
    let table: ReadonlyMap<string, Value>;
    let origin: string;
    if (spec.values) {
      table = new Map(Object.entries(spec.values) as [string, Value][]);
      origin = 'the lookup values';
    } else if (spec.file && spec.key && spec.value) {
      try {
        table = context.loadLookup(spec.file, spec.key, spec.value);
      } catch (error) {
        throw new TransformArgumentError((error as Error).message, '.file');
      }
      origin = spec.file;
    } else {
      throw new TransformArgumentError('needs { values } or { file, key, value }');
    }
    const onMissing = spec.onMissing ?? 'reject';
    const reason = `is not in ${origin}`;
    return (value: Value, _row, failure: StepFailure) => {
      const text = toText(value);
      if (text === null) return null;
      const found = table.get(text);
      if (found !== undefined) return found;
      if (onMissing === 'keep') return value;
      if (onMissing === 'null') return null;
      return fail(failure, reason, 'REJECT_LOOKUP_MISSING');
    };
  },
};
