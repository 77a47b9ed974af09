/**
 * Binds identity maps and references before a mapping is read: an identity mapping gets its map (read
 * once from its target and shared by its passes and by every mapping that references it), and each
 * `ref` step gets a resolver over the map of the mapping it names and, for a dry run or a saved plan
 * read before any write, the old keys that mapping is about to insert (so the reference is pending,
 * not missing).
 */
import { SqlConnector } from '../connectors/sql/sql-connector.ts';
import type { Connector } from '../connectors/types.ts';
import { StocktakeError } from '../core/errors.ts';
import { type IdentityMap, newKeyValue, readIdentityMap } from './identity-map.ts';
import type { PreparedMapping } from './preflight.ts';

/** What binding needs from the stage. */
export interface IdentityBindingContext {
  /** Every prepared mapping of the run or plan (to find the mapping a `ref` names). */
  readonly prepared: readonly PreparedMapping[];
  /** The target connector of a mapping. */
  readonly targetOf: (p: PreparedMapping) => Connector;
  /** The old keys a mapping (by config name) would insert before its references are written, if known. */
  readonly pendingInserts?: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Loads the identity map of `p` (once) and binds the resolvers of its `ref` steps. */
export async function bindIdentity(p: PreparedMapping, context: IdentityBindingContext): Promise<void> {
  const rowsPass = (mapping: string) =>
    context.prepared.find((o) => o.pass === 'rows' && o.mappingName === mapping);
  if (p.identity && !p.identity.map) {
    // A second pass shares the map of its first: the keys that pass inserted are in it.
    const first = p.pass === 'references' ? rowsPass(p.mappingName)?.identity : undefined;
    if (first) first.map ??= await loadMap(p, context);
    p.identity.map = first?.map ?? (await loadMap(p, context));
  }
  for (const slot of p.compiled.references) {
    const owner = rowsPass(slot.mapping);
    const identity = owner?.identity;
    if (!owner || !identity) {
      throw new StocktakeError('INTERNAL', `mapping ${p.config.name}: ref ${slot.mapping} is not prepared`);
    }
    identity.map ??= await loadMap(owner, context);
    const map: IdentityMap = identity.map;
    const type = identity.generated.type;
    const pending = context.pendingInserts?.get(slot.mapping);
    slot.pendingSeen = 0;
    slot.resolvedSeen = 0;
    slot.resolver = {
      newKey: (oldKey) => {
        const text = map.newKeyOf(oldKey);
        return text === undefined ? undefined : newKeyValue(text, type);
      },
      pending: (oldKey) => pending?.has(oldKey) === true,
    };
  }
}

/** True when a read of `p` met references to rows not inserted yet: its rows must be read again before writing. */
export function hasPendingReferences(p: PreparedMapping): boolean {
  return p.compiled.references.some((slot) => slot.pendingSeen > 0);
}

async function loadMap(p: PreparedMapping, context: IdentityBindingContext): Promise<IdentityMap> {
  const connector = context.targetOf(p);
  if (!(connector instanceof SqlConnector)) {
    throw new StocktakeError(
      'MAP_IDENTITY_INVALID',
      `mapping ${p.mappingName}: target ${p.target.name} (${p.target.kind}) cannot keep an identity map`,
      { context: { mapping: p.mappingName } },
    );
  }
  const db = await connector.db();
  const schema = p.target.kind === 'sqlite' ? undefined : p.target.dataset.schema;
  return readIdentityMap(db, schema, p.mappingName);
}
