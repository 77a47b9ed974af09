/** `stocktake inventory`: scans the sources and writes inventory.json and inventory.xlsx. */
import { join } from 'node:path';
import { Command } from 'commander';
import { ERROR_CODES, type ErrorCode } from '../core/errors.ts';
import type { Inventory } from '../core/inventory.ts';
import { summariseInventory } from '../report/inventory-console.ts';
import { readInventory, writeDocument } from '../stages/documents.ts';
import { compareInventories, describeComparison } from '../stages/inventory-compare.ts';
import { inventoryExitCode, runInventory } from '../stages/inventory-stage.ts';
import { writeInventoryOutputs } from '../stages/outputs.ts';
import { type CommonOptions, loadConfigFrom, runCommand, withCommonOptions } from './common.ts';
import { createOutput } from './output.ts';

interface InventoryOptions extends CommonOptions {
  compare?: string;
}

/** The inventory command. */
export function inventoryCommand(): Command {
  return withCommonOptions(new Command('inventory'))
    .description('scan every source: datasets, columns, keys, relations, row counts')
    .option('--compare <inventory.json>', 'list what changed since an earlier inventory')
    .action((options: InventoryOptions) => runCommand(() => inventoryAction(options)));
}

async function inventoryAction(options: InventoryOptions): Promise<number> {
  const output = createOutput(options);
  const { config } = loadConfigFrom(options);
  // Read the earlier inventory before scanning, so a bad path fails fast.
  const previous = options.compare ? readInventory(options.compare) : undefined;
  const inventory = await runInventory(config, {
    ...(options.only ? { only: options.only } : {}),
    onStep: output.step,
  });
  const files = await writeInventoryOutputs(inventory, options.out);
  const comparison = previous ? compareInventories(previous, inventory) : undefined;
  if (comparison) {
    const file = join(options.out, 'inventory-diff.json');
    writeDocument(file, comparison);
    files.push(file);
  }
  output.json({ inventory, ...(comparison ? { comparison } : {}), files });
  for (const line of summariseInventory(inventory)) output.info(line);
  if (comparison) {
    const lines = describeComparison(comparison);
    output.info('');
    output.info(
      `Since ${comparison.before}: ${lines.length === 0 ? 'no change' : `${lines.length} change(s)`}`,
    );
    for (const line of lines) output.info(`  ${line}`);
  }
  output.info('');
  for (const file of files) output.info(`wrote ${file}`);
  return exitCodeOf(inventory);
}

/** The exit code of an inventory run: the worst failed source's (2 or 3), else 0. */
export function exitCodeOf(inventory: Inventory): number {
  return inventoryExitCode(inventory, (code) => ERROR_CODES[code as ErrorCode] ?? 1);
}
