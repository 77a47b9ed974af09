/** The `stocktake` command line: parses arguments and hands each command to its module. */
import { Command, CommanderError } from 'commander';
import { EXIT } from '../core/errors.ts';
import { boundHeapGrowth } from '../core/heap.ts';
import { writeErrorDocumentOnce } from '../core/json-output.ts';
import { removeSpillDirectories } from '../core/temp-files.ts';
import { TOOL_VERSION } from '../core/version.ts';
import { COMMAND_SUMMARIES } from './command-summaries.ts';

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

/** Commander's own errors (an unknown option, a missing argument) printed with their stable code. */
function withUsageCode(command: Command): Command {
  return command.configureOutput({
    outputError: (text, write) => write(text.replace(/^error: /, 'error USAGE: ')),
  });
}

/** The program without its commands. */
function baseProgram(): Command {
  return withUsageCode(new Command('stocktake'))
    .description('Inventory, audit and migrate the data an organisation already has.')
    .version(TOOL_VERSION)
    .showHelpAfterError('(run stocktake --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 a quality gate or verification failed, 2 bad config or usage,\n' +
        '3 a source or target could not be reached, 4 interrupted (resumable).',
    )
    .exitOverride();
}

/** Builds the program with the commands named (all of them by default); exported for tests. */
export async function buildProgram(names: readonly string[] = Object.keys(COMMANDS)): Promise<Command> {
  const program = baseProgram();
  for (const name of names) program.addCommand(withUsageCode((await COMMANDS[name]!()).exitOverride()));
  return program;
}

/**
 * Node warns about `new Buffer()` (DEP0005) only when the caller lies outside node_modules. In the bundle
 * (bin/build.js), exceljs's archiver and unzipper make such calls from dist/; from node_modules Node stays
 * quiet about them, and so does the bundle. Every other warning passes.
 */
function ignoreBundledBufferDeprecation(): void {
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' ? (rest[0] as { code?: unknown } | null)?.code : rest[1];
    if (code !== 'DEP0005') emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** The program whose commands are only their summaries: enough to list them, or to suggest one for a typo. */
function summaryProgram(): Command {
  const program = baseProgram();
  for (const [name, summary] of Object.entries(COMMAND_SUMMARIES)) {
    program.addCommand(withUsageCode(new Command(name).description(summary).exitOverride()));
  }
  return program;
}

/**
 * A signal ends a command (but `migrate`, which finishes its batch) at once, as it would end it unhandled
 * (exit 130 or 143), but first removes the spill files of its diffs, which hold rows in clear, and with
 * `--json` writes the document that says so.
 */
function endOnSignals(args: readonly string[]): void {
  if (args[0] === 'migrate') return;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      removeSpillDirectories();
      if (args.includes('--json'))
        writeErrorDocumentOnce(
          'INTERRUPTED',
          `stopped by ${signal}: nothing was written`,
          'run the command again',
          code,
        );
      process.exit(code);
    });
  }
}

boundHeapGrowth();
ignoreBundledBufferDeprecation();
const args = process.argv.slice(2);
endOnSignals(args);
const isCommand = (arg: string | undefined) => arg !== undefined && Object.hasOwn(COMMANDS, arg);
// A known command loads alone; a command named further on loads them all, as commander finds it; help, a typo
// or no command lists the summaries without loading any command module.
const program = isCommand(args[0])
  ? await buildProgram([args[0]!])
  : args.some(isCommand)
    ? await buildProgram()
    : summaryProgram();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not errors; every other parsing problem is a usage error.
    const ok = ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code);
    // With --json, a pipeline reading stdout gets the usage error as a document too.
    if (!ok && args.includes('--json')) {
      const { writeErrorDocument } = await import('./common.ts');
      writeErrorDocument('USAGE', error.message.replace(/^error: /, ''), undefined, EXIT.usage, true);
    }
    process.exit(ok ? EXIT.ok : EXIT.usage);
  }
  throw error;
}
