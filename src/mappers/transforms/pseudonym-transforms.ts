/**
 * Transforms that derive stable identifiers: hash (HMAC-SHA256 pseudonyms keyed by a secret from the
 * environment) and uuid (deterministic UUID v5, RFC 9562, from the value or the values of a multi-column
 * `from`).
 */
import { createHmac, createSecretKey } from 'node:crypto';
import { validate as isUuid, v5 as uuidV5 } from 'uuid';
import type { Value } from '../../connectors/types.ts';
import { registerSecret } from '../../core/secrets.ts';
import { TransformArgumentError, type TransformDefinition } from './transform-types.ts';
import { toText } from './value-text.ts';

const MIN_SECRET_LENGTH = 16;
/** Separates the parts of a multi-column value, so that ("ab", "c") and ("a", "bc") differ. */
const UNIT_SEPARATOR = '\u001f';
/** Stands for a null part, so that ("a", null) and ("a", "") differ. */
const NULL_PART = '\u0000';
/** RFC 9562's URL namespace, from which the default namespace of a target dataset is derived. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** The text a value identifies by: a list's parts joined by U+001F; null when everything is null. */
function identityText(value: Value): string | null {
  if (!Array.isArray(value)) return toText(value);
  let out = '';
  let any = false;
  for (let i = 0; i < value.length; i++) {
    const text = toText(value[i] as Value);
    if (text !== null) any = true;
    out += (i > 0 ? UNIT_SEPARATOR : '') + (text ?? NULL_PART);
  }
  return any ? out : null;
}

/** The default namespace of a target dataset: the same ids for the same keys whichever mapping writes it. */
export function defaultUuidNamespace(targetDataset: string): string {
  return uuidV5(`stocktake:${targetDataset}`, URL_NAMESPACE);
}

/** The pseudonym transforms by name. */
export const PSEUDONYM_TRANSFORMS: readonly TransformDefinition[] = [
  {
    name: 'hash',
    example: '{ hash: { secret: "${HASH_SECRET}" } }',
    takesList: true,
    produces: 'string',
    create: (args) => {
      const spec = (args ?? {}) as { secret?: string; length?: number };
      if (typeof spec.secret !== 'string' || spec.secret.length < MIN_SECRET_LENGTH) {
        // Never echo the secret, not even its length.
        throw new TransformArgumentError(
          `the secret must be at least ${MIN_SECRET_LENGTH} characters, taken from the environment: secret: "\${HASH_SECRET}"`,
          '.secret',
        );
      }
      registerSecret(spec.secret);
      const key = createSecretKey(Buffer.from(spec.secret, 'utf8'));
      const length = spec.length ?? 64;
      return (value: Value) => {
        const text = identityText(value);
        if (text === null) return null;
        const hex = createHmac('sha256', key).update(text, 'utf8').digest('hex');
        return length === 64 ? hex : hex.slice(0, length);
      };
    },
  },
  {
    name: 'uuid',
    takesList: true,
    produces: 'string',
    create: (args, context) => {
      const given = (args as { namespace?: string } | null)?.namespace;
      if (given !== undefined && !isUuid(given)) {
        throw new TransformArgumentError(`namespace "${given}" is not a UUID`, '.namespace');
      }
      const namespace = given ?? defaultUuidNamespace(context.targetDataset);
      return (value: Value) => {
        const text = identityText(value);
        return text === null ? null : uuidV5(text, namespace);
      };
    },
  },
];
