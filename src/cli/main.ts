/** The `stocktake` command line: parses arguments and hands each command to its module. */
import { Command, CommanderError } from 'commander';
import { EXIT } from '../core/errors.ts';
import { TOOL_VERSION } from '../core/version.ts';
import { auditCommand } from './audit.ts';
import { inventoryCommand } from './inventory.ts';
import { migrateCommand } from './migrate.ts';
import { planCommand } from './plan.ts';
import { profileCommand } from './profile.ts';
import { reportCommand } from './report.ts';
import { schemaCommand } from './schema.ts';

/** Builds the program; exported for tests. */
export function buildProgram(): Command {
  const program = new Command('stocktake')
    .description('Inventory, audit and migrate the data an organisation already has.')
    .version(TOOL_VERSION)
    .showHelpAfterError('(run stocktake --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 a quality gate or verification failed, 2 bad config or usage,\n' +
        '3 a source or target could not be reached, 4 interrupted (resumable).',
    )
    .exitOverride();
  for (const command of [
    inventoryCommand(),
    profileCommand(),
    auditCommand(),
    planCommand(),
    migrateCommand(),
    reportCommand(),
    schemaCommand(),
  ]) {
    program.addCommand(command.exitOverride());
  }
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not errors; every other parsing problem is a usage error.
    const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
    process.exit(ok ? EXIT.ok : EXIT.usage);
  }
  throw error;
}
