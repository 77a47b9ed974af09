/**
 * What a mirror's deletes do beyond its own table: every foreign key of the target database that
 * references the table is named with its ON DELETE action, since the plan counts only the mapping's rows.
 * A CASCADE deletes the referencing rows too, SET NULL or SET DEFAULT changes them, and NO ACTION or
 * RESTRICT refuses the delete of a row still referenced (a `REJECT_DATABASE` reject when migrating).
 */
import type { Dataset } from '../core/inventory.ts';
import type { PreparedMapping } from './preflight.ts';

/** The stable code of a warning about rows that reference rows the plan deletes. */
export const DELETE_REFERENCED_CODE = 'MAP_DELETE_REFERENCED';

/** A warning of the plan: the mapping's `to` path, the code, the sentence. */
export interface DeleteWarning {
  readonly path: string;
  readonly code: typeof DELETE_REFERENCED_CODE;
  readonly message: string;
}

/**
 * The warnings about the foreign keys that reference the rows `deletes` of the mapping's target would remove;
 * `mirroredChildren` names the tables of dependent mirrors in the same run, whose own deletes come first.
 */
export function deleteWarnings(
  prepared: PreparedMapping,
  targetDatasets: readonly Dataset[],
  deletes: number,
  mirroredChildren: ReadonlySet<string> = new Set(),
): DeleteWarning[] {
  if (deletes === 0) return [];
  const table = prepared.target.dataset;
  const path = `mappings[${prepared.index}].to`;
  const rows = `deleting ${deletes} row${deletes === 1 ? '' : 's'} of ${table.name}`;
  const warnings: DeleteWarning[] = [];
  for (const child of targetDatasets) {
    for (const fk of child.foreignKeys) {
      if (!sameDataset(fk.references.dataset, table.name, child.schema)) continue;
      const link = `${child.name}.(${fk.columns.join(', ')}) → ${table.name}.(${fk.references.columns.join(', ')})`;
      warnings.push({
        path,
        code: DELETE_REFERENCED_CODE,
        message: `${rows}: ${effect(fk.onDelete, child.name, link, mirroredChildren.has(child.name))}`,
      });
    }
  }
  return warnings;
}

function effect(action: string | undefined, child: string, link: string, mirrored: boolean): string {
  switch ((action ?? 'NO ACTION').toUpperCase()) {
    case 'CASCADE':
      return `also deletes the rows of ${child} that reference them (${link}, ON DELETE CASCADE)`;
    case 'SET NULL':
      return `sets the reference to NULL in the rows of ${child} that reference them (${link}, ON DELETE SET NULL)`;
    case 'SET DEFAULT':
      return `sets the reference to its default in the rows of ${child} that reference them (${link}, ON DELETE SET DEFAULT)`;
    default:
      return mirrored
        ? `a row still referenced from ${child} is deleted once the mapping that mirrors ${child} has deleted the rows that reference it, and rejected if one still does (${link}, ON DELETE ${(action ?? 'NO ACTION').toUpperCase()})`
        : `a row still referenced from ${child} is refused by the database and rejected (${link}, ON DELETE ${(action ?? 'NO ACTION').toUpperCase()})`;
  }
}

// A reference names the table with its schema, or bare when it is in the referencing table's schema.
function sameDataset(reference: string, table: string, childSchema: string | undefined): boolean {
  if (reference === table) return true;
  if (!reference.includes('.') && childSchema !== undefined) return `${childSchema}.${reference}` === table;
  return false;
}
