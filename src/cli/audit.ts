/** `stocktake audit`: inventory, profile and their outputs in one run. */
import { Command, Option } from 'commander';
import type { Inventory } from '../core/inventory.ts';
import type { Profile } from '../core/profile.ts';
import { summariseInventory } from '../report/inventory-console.ts';
import { summariseProfile } from '../report/profile-console.ts';
import { ConnectorSession } from '../stages/connector-session.ts';
import { profileExitCode, writeInventoryOutputs, writeProfileOutputs } from '../stages/outputs.ts';
import { loadConfigFrom, runCommand, withCommonOptions } from './common.ts';
import { exitCodeOf } from './inventory.ts';
import { createOutput } from './output.ts';
import { inventoryAndProfile, type ProfileOptions, withProfileOptions } from './profile.ts';
import { writeReportOutputs } from './report.ts';

/** The audit command. */
export function auditCommand(): Command {
  return withProfileOptions(withCommonOptions(new Command('audit')))
    .description('inventory and profile every source, evaluate the rules, and write every audit output')
    .addOption(
      new Option(
        '--lang <lang>',
        'language of the report (default: `report.lang` in the config, else en)',
      ).choices(['en', 'fr']),
    )
    .action((options: AuditOptions) => runCommand(() => auditAction(options)));
}

/** Options of the audit command: the profile's, and the report's language. */
interface AuditOptions extends ProfileOptions {
  lang?: 'en' | 'fr';
}

async function auditAction(options: AuditOptions): Promise<number> {
  const output = createOutput(options);
  const { config } = loadConfigFrom(options);
  // One set of connectors for both stages: a file scanned for the inventory is not scanned again.
  const session = new ConnectorSession();
  let inventory: Inventory;
  let profile: Profile;
  let files: string[];
  try {
    ({ inventory, profile } = await inventoryAndProfile(config, options, output, session));
    files = await writeInventoryOutputs(inventory, options.out);
  } finally {
    await session.close();
  }
  files.push(
    ...writeProfileOutputs(profile, options.out, {
      suggestRules: options.suggestRules === true,
      inventory,
      failOn: options.failOn,
    }),
  );
  files.push(
    ...(await writeReportOutputs(
      {
        inventory,
        profile,
        ...((options.lang ?? config.report?.lang) ? { lang: options.lang ?? config.report!.lang! } : {}),
        ...(config.report?.title ? { title: config.report.title } : {}),
      },
      options.out,
    )),
  );
  output.json({ inventory, profile, files });
  for (const line of summariseInventory(inventory)) output.info(line);
  output.info('');
  for (const line of summariseProfile(profile, { inventory, failOn: options.failOn })) output.info(line);
  output.info('');
  output.info(`Audit outputs in ${options.out}/:`);
  for (const file of files) output.info(`  ${file}`);
  // A source that could not be reached (3) outranks a failed gate (1).
  return Math.max(exitCodeOf(inventory), profileExitCode(profile, options.failOn, inventory));
}
