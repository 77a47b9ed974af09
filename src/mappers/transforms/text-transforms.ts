/** Text clean-up transforms: text, trim, lower/upper case, collapse_spaces, strip_accents, prefix, suffix. */
import type { Value } from '../../connectors/types.ts';
import { TransformArgumentError, type TransformDefinition, type TransformFn } from './transform-types.ts';
import { toText } from './value-text.ts';

const SPACE_RUNS = /\s+/g;
// Two whitespace characters in a row, or one other than a plain space: only then is there a run to collapse.
const COLLAPSIBLE = /\s\s|[^\S ]/;
const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARKS = /\p{M}+/gu;
const LIGATURES = /[œŒæÆß]/g;
const LIGATURE_TEXT: Readonly<Record<string, string>> = { œ: 'oe', Œ: 'OE', æ: 'ae', Æ: 'AE', ß: 'ss' };

/** Builds a step that applies `edit` to the value's text; null passes through. */
function textStep(edit: (text: string) => string): TransformFn {
  return (value: Value) => {
    const text = toText(value);
    return text === null ? null : edit(text);
  };
}

/** `Société Générale` → `Societe Generale`; `cœur` → `coeur` (ligatures spelt out, as French sorts them). */
export function stripAccents(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(LIGATURES, (c) => LIGATURE_TEXT[c]!)
    .normalize('NFC');
}

function textArgument(name: string, args: unknown): string {
  if (typeof args === 'string') return args;
  if (typeof args === 'number') return String(args);
  throw new TransformArgumentError(`needs the text to add: { ${name}: "…" }`);
}

/** The text transforms by name. */
export const TEXT_TRANSFORMS: readonly TransformDefinition[] = [
  { name: 'text', produces: 'string', create: () => textStep((t) => t) },
  { name: 'trim', produces: 'string', create: () => textStep((t) => t.trim()) },
  { name: 'lowercase', produces: 'string', create: () => textStep((t) => t.toLowerCase()) },
  { name: 'uppercase', produces: 'string', create: () => textStep((t) => t.toUpperCase()) },
  {
    name: 'collapse_spaces',
    produces: 'string',
    create: () => textStep((t) => (COLLAPSIBLE.test(t) ? t.replace(SPACE_RUNS, ' ') : t)),
  },
  { name: 'strip_accents', produces: 'string', create: () => textStep(stripAccents) },
  {
    name: 'prefix',
    example: '{ prefix: "CRM-" }',
    produces: 'string',
    create: (args) => {
      const prefix = textArgument('prefix', args);
      return textStep((t) => prefix + t);
    },
  },
  {
    name: 'suffix',
    example: '{ suffix: "-FR" }',
    produces: 'string',
    create: (args) => {
      const suffix = textArgument('suffix', args);
      return textStep((t) => t + suffix);
    },
  },
];
