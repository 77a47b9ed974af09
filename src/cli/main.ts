/** The `stocktake` command line: parses arguments and hands each command to its module. */
import { Command, CommanderError } from 'commander';
import { EXIT } from '../core/errors.ts';
import { TOOL_VERSION } from '../core/version.ts';

/** Each command's module, loaded only when needed: `stocktake inventory` never loads the report or the mappers. */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  inventory: async () => (await import('./inventory.ts')).inventoryCommand(),
  profile: async () => (await import('./profile.ts')).profileCommand(),
  audit: async () => (await import('./audit.ts')).auditCommand(),
  plan: async () => (await import('./plan.ts')).planCommand(),
  migrate: async () => (await import('./migrate.ts')).migrateCommand(),
  report: async () => (await import('./report.ts')).reportCommand(),
  schema: async () => (await import('./schema.ts')).schemaCommand(),
};

/** Builds the program with the commands named (all of them by default); exported for tests. */
export async function buildProgram(names: readonly string[] = Object.keys(COMMANDS)): Promise<Command> {
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
  for (const name of names) program.addCommand((await COMMANDS[name]!()).exitOverride());
  return program;
}

// A known command loads alone; help, a typo or no command loads them all (help lists them, typos get a suggestion).
const requested = process.argv[2];
const names = requested !== undefined && requested in COMMANDS ? [requested] : Object.keys(COMMANDS);

try {
  await (await buildProgram(names)).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not errors; every other parsing problem is a usage error.
    const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
    process.exit(ok ? EXIT.ok : EXIT.usage);
  }
  throw error;
}
