/** Transforms about missing values: default (null becomes a constant) and null_if (listed values become null). */
import type { Value } from '../../connectors/types.ts';
import { TransformArgumentError, type TransformDefinition } from './transform-types.ts';

/** The null transforms by name. */
export const NULL_TRANSFORMS: readonly TransformDefinition[] = [
  {
    name: 'default',
    example: '{ default: "FR" }',
    create: (args) => {
      if (args === undefined) throw new TransformArgumentError('needs the value: { default: "FR" }');
      const fallback = args as Value;
      return (value: Value) => (value === null || value === undefined ? fallback : value);
    },
  },
  {
    name: 'null_if',
    example: '{ null_if: ["", "N/A"] }',
    create: (args) => {
      if (!Array.isArray(args)) throw new TransformArgumentError('needs a list: { null_if: ["", "N/A"] }');
      // Compared as text, so `null_if: [0]` also catches the string "0" read from a CSV.
      const nulls = new Set(args.map((a) => String(a)));
      return (value: Value) => {
        if (value === null || value === undefined) return null;
        if (typeof value === 'string') return nulls.has(value) ? null : value;
        if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
          return nulls.has(String(value)) ? null : value;
        }
        return value;
      };
    },
  },
];
