/** Pattern transforms: replace (a regular expression compiled once) and split. */
import type { Value } from '../../connectors/types.ts';
import { TransformArgumentError, type TransformDefinition } from './transform-types.ts';
import { toText } from './value-text.ts';

interface ReplaceArgs {
  readonly pattern: string;
  readonly with: string;
  readonly flags?: string;
}

interface SplitArgs {
  readonly separator: string;
  readonly index?: number;
}

function compileRegex(pattern: string, flags: string): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    const why = (error as Error).message.replace(/^Invalid regular expression: /, '');
    throw new TransformArgumentError(`invalid regular expression: ${why}`, '.pattern');
  }
}

/** The pattern transforms by name. */
export const REGEX_TRANSFORMS: readonly TransformDefinition[] = [
  {
    name: 'replace',
    example: '{ replace: { pattern: "^0", with: "+33" } }',
    produces: 'string',
    create: (args) => {
      if (!args || typeof args !== 'object') {
        throw new TransformArgumentError(
          'needs { pattern, with }: { replace: { pattern: "^0", with: "+33" } }',
        );
      }
      const { pattern, with: replacement, flags } = args as ReplaceArgs;
      const regex = compileRegex(pattern, flags ?? 'g');
      return (value: Value) => {
        const text = toText(value);
        if (text === null) return null;
        // A sticky or global regex keeps lastIndex between calls; reset it so rows stay independent.
        regex.lastIndex = 0;
        return text.replace(regex, replacement);
      };
    },
  },
  {
    name: 'split',
    example: '{ split: { separator: " ", index: 0 } }',
    create: (args) => {
      if (!args || typeof args !== 'object') {
        throw new TransformArgumentError(
          'needs { separator, index? }: { split: { separator: " ", index: 0 } }',
        );
      }
      const { separator, index } = args as SplitArgs;
      if (separator === '') throw new TransformArgumentError('the separator must not be empty', '.separator');
      if (index === undefined) {
        return (value: Value) => {
          const text = toText(value);
          return text === null ? null : text.split(separator);
        };
      }
      // A missing part is null: `Dupont` split on " " has no part 1 (a first name alone has no last name).
      return (value: Value) => {
        const text = toText(value);
        if (text === null) return null;
        const parts = text.split(separator);
        return parts.at(index) ?? null;
      };
    },
  },
];
