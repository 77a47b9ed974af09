/**
 * Transforms that combine the values of a multi-column `from` (`from: [first_name, last_name]`): join,
 * concat and coalesce. Given a single value they treat it as a list of one (a list value, such as a
 * PostgreSQL array, is combined element by element).
 */
import type { Value } from '../../connectors/types.ts';
import { TransformArgumentError, type TransformDefinition, type TransformFn } from './transform-types.ts';
import { toText } from './value-text.ts';

/** Joins the non-null values' text with `separator`; null when every value is null. */
function joinStep(separator: string): TransformFn {
  return (value: Value) => {
    if (!Array.isArray(value)) return toText(value);
    let out: string | null = null;
    for (let i = 0; i < value.length; i++) {
      const text = toText(value[i] as Value);
      if (text === null) continue;
      out = out === null ? text : out + separator + text;
    }
    return out;
  };
}

function separatorOf(args: unknown, name: string): string {
  if (args === undefined || args === null) return '';
  if (typeof args === 'string') return args;
  if (typeof args === 'object' && typeof (args as { separator?: unknown }).separator === 'string') {
    return (args as { separator: string }).separator;
  }
  throw new TransformArgumentError(`needs a separator: { ${name}: { separator: " " } }`);
}

/** The combining transforms by name. */
export const COMBINE_TRANSFORMS: readonly TransformDefinition[] = [
  {
    name: 'join',
    example: '{ join: { separator: " " } }',
    takesList: true,
    produces: 'string',
    create: (args) => {
      if (args === undefined || args === null) {
        throw new TransformArgumentError('needs a separator: { join: { separator: " " } }');
      }
      return joinStep(separatorOf(args, 'join'));
    },
  },
  {
    name: 'concat',
    takesList: true,
    produces: 'string',
    create: (args) => joinStep(separatorOf(args, 'concat')),
  },
  {
    name: 'coalesce',
    takesList: true,
    create: () => (value: Value) => {
      if (!Array.isArray(value)) return value;
      for (let i = 0; i < value.length; i++)
        if (value[i] !== null && value[i] !== undefined) return value[i] as Value;
      return null;
    },
  },
];
