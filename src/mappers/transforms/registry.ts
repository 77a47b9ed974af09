/** Every transform by name: the only place that knows them all. A new transform adds one line here. */
import { didYouMean } from '../../config/did-you-mean.ts';
import { BOOLEAN_TRANSFORM } from './boolean-transform.ts';
import { COMBINE_TRANSFORMS } from './combine-transforms.ts';
import { CONTACT_TRANSFORMS } from './contact-transforms.ts';
import { DATE_TRANSFORMS } from './date-transforms.ts';
import { EXPR_TRANSFORM } from './expr-transform.ts';
import { LOOKUP_TRANSFORM } from './lookup-transform.ts';
import { NULL_TRANSFORMS } from './null-transforms.ts';
import { NUMBER_TRANSFORMS } from './number-transforms.ts';
import { PSEUDONYM_TRANSFORMS } from './pseudonym-transforms.ts';
import { REF_TRANSFORM } from './ref-transform.ts';
import { REGEX_TRANSFORMS } from './regex-transforms.ts';
import { TEXT_TRANSFORMS } from './text-transforms.ts';
import type { TransformDefinition } from './transform-types.ts';

/** Short names accepted for the same transform. */
const ALIASES: Readonly<Record<string, string>> = { lower: 'lowercase', upper: 'uppercase' };

const DEFINITIONS: readonly TransformDefinition[] = [
  ...TEXT_TRANSFORMS,
  ...REGEX_TRANSFORMS,
  ...COMBINE_TRANSFORMS,
  ...NULL_TRANSFORMS,
  LOOKUP_TRANSFORM,
  ...NUMBER_TRANSFORMS,
  BOOLEAN_TRANSFORM,
  ...DATE_TRANSFORMS,
  ...CONTACT_TRANSFORMS,
  ...PSEUDONYM_TRANSFORMS,
  EXPR_TRANSFORM,
  REF_TRANSFORM,
];

const BY_NAME = new Map<string, TransformDefinition>(DEFINITIONS.map((d) => [d.name, d]));
for (const [alias, name] of Object.entries(ALIASES)) BY_NAME.set(alias, BY_NAME.get(name)!);

/** Every name a transform step may use, aliases included. */
export const TRANSFORM_NAMES: readonly string[] = [...BY_NAME.keys()];

/** The definition of a transform by name or alias; undefined when none has that name. */
export function findTransform(name: string): TransformDefinition | undefined {
  return BY_NAME.get(name);
}

/** Why a step's name is refused: `unknown transform "trimm" (did you mean "trim"?)`. */
export function unknownTransformMessage(name: string): string {
  return `unknown transform "${name}"${didYouMean(name, TRANSFORM_NAMES)}`;
}
