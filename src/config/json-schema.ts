/** The JSON Schema of the config, generated from the zod schemas, for editors and `stocktake schema`. */
import { z } from 'zod';
import { configSchema } from './schema.ts';

/** The config's JSON Schema (draft 2020-12), describing what a user writes (defaults optional). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  });
  return {
    ...schema,
    $id: 'https://stocktake.dev/schema/stocktake.schema.json',
    title: 'stocktake configuration',
    description: 'Sources to inventory and profile, rules, targets and mappings for migration.',
  };
}

/** The schema as committed in configs/stocktake.schema.json. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
