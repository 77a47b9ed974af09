/** `stocktake schema`: prints the config's JSON Schema. */
import { Command } from 'commander';
import { configJsonSchemaText } from '../config/json-schema.ts';

/** The schema command. */
export function schemaCommand(): Command {
  return new Command('schema')
    .description("print the config's JSON Schema (for editor completion)")
    .action(() => {
      process.stdout.write(configJsonSchemaText());
    });
}
