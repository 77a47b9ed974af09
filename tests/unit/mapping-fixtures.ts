/** Datasets and one-field mappings for the mapping and transform tests. */

import type { MappingConfig, TransformStepConfig } from '../../src/config/schema.ts';
import type { Value } from '../../src/connectors/types.ts';
import type { Column, Dataset, LogicalType } from '../../src/core/inventory.ts';
import { compileMapping } from '../../src/mappers/compile-mapping.ts';
import { formatRejection } from '../../src/mappers/rejection-text.ts';

/** A column with the given logical type; `extra` overrides the rest. */
export function column(name: string, type: LogicalType, extra: Partial<Column> = {}): Column {
  return { name, type, nativeType: type, nullable: true, primaryKey: false, position: 1, ...extra };
}

/** A table with these columns. */
export function dataset(name: string, columns: readonly Column[]): Dataset {
  return {
    name,
    kind: 'table',
    rowCount: null,
    rowCountExact: false,
    columns: columns.map((c, i) => ({ ...c, position: i + 1 })),
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
  };
}

/** A mapping of `fields` from `customers` to `contacts`, keyed on the first field. */
export function mapping(fields: MappingConfig['fields'], key = [Object.keys(fields)[0]!]): MappingConfig {
  return {
    name: 'contacts',
    from: { source: 'crm', dataset: 'public.customers' },
    to: { target: 'newtool', dataset: 'contacts', key, mode: 'upsert' },
    fields,
  };
}

const SOURCE = dataset('public.customers', [column('v', 'string')]);

/** Runs `steps` on one value: the output value, or the rejection as its sentence prefixed by its code. */
export function transformOne(steps: TransformStepConfig[], value: Value): Value {
  // Keyed on a constant: a key field may not be null, the field under test may.
  const fields = { k: { value: 'k' }, v: { from: 'v', transform: steps } };
  const compiled = compileMapping(mapping(fields), 0, { source: SOURCE });
  const out: Value[] = [];
  const rejection = compiled.map([value], out);
  return rejection ? `${rejection.code} ${formatRejection(rejection)}` : out[1]!;
}
