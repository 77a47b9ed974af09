/**
 * The ref transform: an old key (the field's `from`, one value or the columns of a composite key) becomes
 * the new key another mapping's identity map recorded for it. The step is compiled before any map is
 * known: preflight binds its slot to the referenced mapping's old-key canonicalizers, and the stage binds
 * the map itself (and, for a dry run, the old keys that mapping is about to insert) before the source is read.
 */
import type { Value } from '../../connectors/types.ts';
import {
  fail,
  type StepFailure,
  TransformArgumentError,
  type TransformDefinition,
} from './transform-types.ts';

/** Marks a reference to a row the same plan or run inserts first: its new key is not known yet. */
export const PENDING_MARK = '\u0002';

/** True when a value is a pending reference (`→ new customers row (old key 42)`, marked). */
export function isPendingReference(value: unknown): value is string {
  return typeof value === 'string' && value.charCodeAt(0) === 2;
}

/** A pending reference as people read it (the mark removed). */
export function pendingReferenceText(value: string): string {
  return value.slice(1);
}

/** What a bound reference looks keys up in. */
export interface ReferenceResolver {
  /** The new key of an old key text, or undefined. */
  newKey(oldKey: string): Value | undefined;
  /** True when the referenced mapping will insert the row of this old key before the reference is written. */
  pending(oldKey: string): boolean;
}

/** One `ref` step of a compiled mapping, bound by preflight and by the stage. */
export class ReferenceSlot {
  readonly mapping: string;
  readonly onMissing: 'reject' | 'null';
  /** The field the step belongs to; set by the compiler. */
  field = '';
  /** The old key text of the step's input (a value or the list of a composite key); null when a part is null. */
  keyText: (value: Value) => string | null = () => null;
  resolver: ReferenceResolver | null = null;
  /** Pending references met since the resolver was bound. */
  pendingSeen = 0;
  /** References turned into a new key since the resolver was bound. */
  resolvedSeen = 0;

  constructor(mapping: string, onMissing: 'reject' | 'null') {
    this.mapping = mapping;
    this.onMissing = onMissing;
  }
}

interface RefArgs {
  readonly mapping?: unknown;
  readonly onMissing?: unknown;
}

/** The ref transform. */
export const REF_TRANSFORM: TransformDefinition = {
  name: 'ref',
  example: '{ ref: { mapping: customers } }',
  takesList: true,
  produces: 'any',
  create: (args, context) => {
    const spec = (args ?? {}) as RefArgs;
    if (typeof spec.mapping !== 'string' || spec.mapping === '')
      throw new TransformArgumentError('needs { mapping: <a mapping with to.identity> }');
    if (spec.onMissing !== undefined && spec.onMissing !== 'reject' && spec.onMissing !== 'null')
      throw new TransformArgumentError('onMissing is reject or null', '.onMissing');
    const slot = new ReferenceSlot(spec.mapping, (spec.onMissing as 'reject' | 'null') ?? 'reject');
    if (!context.addReference) throw new TransformArgumentError('references are resolved by preflight only');
    context.addReference(slot);
    const label = `→ new ${slot.mapping} row (old key `;
    const reason = `has no new key in mapping ${slot.mapping}: that row was rejected or is not in its source`;
    return (value: Value, _row, failure: StepFailure) => {
      if (value === null) return null;
      const oldKey = slot.keyText(value);
      if (oldKey === null) return null;
      const resolver = slot.resolver;
      if (resolver === null)
        return fail(
          failure,
          `cannot be resolved: mapping ${slot.mapping} has no identity map loaded`,
          'REJECT_REFERENCE_MISSING',
        );
      const found = resolver.newKey(oldKey);
      if (found !== undefined) {
        slot.resolvedSeen++;
        return found;
      }
      if (resolver.pending(oldKey)) {
        slot.pendingSeen++;
        return `${PENDING_MARK}${label}${oldKey.replaceAll('\u0001', ', ')})`;
      }
      if (slot.onMissing === 'null') return null;
      return fail(failure, reason, 'REJECT_REFERENCE_MISSING');
    };
  },
};
