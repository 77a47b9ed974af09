/** `stocktake audit`: every audit stage in one run (today: the inventory and its outputs). */
import { Command } from 'commander';
import { summariseInventory } from '../report/inventory-console.ts';
import { runInventory } from '../stages/inventory-stage.ts';
import { type CommonOptions, loadConfigFrom, runCommand, withCommonOptions } from './common.ts';
import { exitCodeOf, writeInventoryOutputs } from './inventory.ts';
import { createOutput } from './output.ts';

/** The audit command. */
export function auditCommand(): Command {
  return withCommonOptions(new Command('audit'))
    .description('inventory every source and write the audit outputs')
    .action((options: CommonOptions) => runCommand(() => auditAction(options)));
}

async function auditAction(options: CommonOptions): Promise<number> {
  const output = createOutput(options);
  const { config } = loadConfigFrom(options);
  const inventory = await runInventory(config, {
    ...(options.only ? { only: options.only } : {}),
    onStep: output.step,
  });
  const files = await writeInventoryOutputs(inventory, options.out, output);
  output.json({ inventory, files });
  for (const line of summariseInventory(inventory)) output.info(line);
  output.info('');
  output.info(`Audit outputs in ${options.out}/:`);
  for (const file of files) output.info(`  ${file}`);
  return exitCodeOf(inventory);
}
