/** Pattern transforms: replace (a regular expression compiled once) and split. */
import type { Row, Value } from '../../connectors/types.ts';
import {
  fail,
  type StepFailure,
  TransformArgumentError,
  type TransformDefinition,
} from './transform-types.ts';
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

/**
 * The pattern in Unicode mode (`.` and `x*` step over whole characters, `\p{L}` names letters), as the
 * `validate` pattern is; a pattern only the legacy syntax reads (`\_`, `\-` outside a class) is compiled
 * without it, and the step then refuses a result it would leave with half a character.
 */
function compileRegex(pattern: string, flags: string): RegExp {
  if (!flags.includes('u')) {
    try {
      return new RegExp(pattern, `${flags}u`);
    } catch {
      // Read by the legacy syntax below.
    }
  }
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    const why = (error as Error).message.replace(/^Invalid regular expression: /, '');
    throw new TransformArgumentError(`invalid regular expression: ${why}`, '.pattern');
  }
}

/** A surrogate without its pair: half of a character beyond U+FFFF (an emoji), which no database stores. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

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
      return (value: Value, _row: Row, failure: StepFailure) => {
        const text = toText(value);
        if (text === null) return null;
        // A sticky or global regex keeps lastIndex between calls; reset it so rows stay independent.
        regex.lastIndex = 0;
        const replaced = text.replace(regex, replacement);
        if (!regex.unicode && LONE_SURROGATE.test(replaced) && !LONE_SURROGATE.test(text))
          return fail(failure, 'would split a character beyond U+FFFF (an emoji) in two', 'REJECT_ENCODING');
        return replaced;
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
