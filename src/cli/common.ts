/** Options and error handling every command shares. */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type ExtraChecks, type LoadedConfig, loadConfig } from '../config/load.ts';
import { EXIT, isStocktakeError, StocktakeError } from '../core/errors.ts';
import { writeErrorDocumentOnce } from '../core/json-output.ts';
import { redact } from '../core/secrets.ts';
import { terminalText } from '../core/terminal-text.ts';

/** The options common to the commands that read a config. */
export interface CommonOptions {
  config: string;
  out: string;
  json?: boolean;
  only?: string[];
  quiet?: boolean;
}

/** Adds -c, -o, --json, --only and --quiet to a command; `only` describes what --only selects. */
export function withCommonOptions(
  command: Command,
  only = 'only these sources (crm) or datasets (crm.public.customers)',
): Command {
  return command
    .option('-c, --config <file>', 'config file', 'stocktake.yaml')
    .option('-o, --out <dir>', 'output folder', 'stocktake-out')
    .option('--json', 'machine output on stdout (an error document when the command fails), logs on stderr')
    .option('--only <name...>', only)
    .option('-q, --quiet', 'no progress lines')
    .hook('preAction', jsonErrorsHook);
}

/** A command's preAction hook: with --json, its failure is written on stdout as an error document too. */
export function jsonErrorsHook(command: Command): void {
  jsonErrors = command.opts().json === true;
}

/** True once a command runs with --json: its error is also written on stdout, as a document. */
let jsonErrors = false;

export type { ErrorDocument } from '../core/json-output.ts';

/**
 * Loads the config named by the options (exits 2 with every problem listed when it is invalid), then
 * makes sure the output folder can be written, before anything connects: a bad `-o` is a usage error
 * found in a second, not after an hour's profile or in the middle of a migration.
 */
export function loadConfigFrom(options: CommonOptions, extraChecks?: ExtraChecks): LoadedConfig {
  const loaded = loadConfig(options.config, process.env, extraChecks);
  prepareOutputDir(options.out);
  return loaded;
}

/** Creates the output folder (and its parents) and checks it can be written: OUTPUT_UNWRITABLE, exit 2. */
export function prepareOutputDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST' || code === 'ENOTDIR'
        ? 'a file of that name (or of one of its parent folders) is in the way'
        : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
          ? 'no permission to write there'
          : (error as Error).message;
    throw new StocktakeError('OUTPUT_UNWRITABLE', `cannot write the outputs into ${resolve(dir)}: ${why}`, {
      hint: 'give -o a folder you can write (it is created when missing)',
      context: { path: dir },
      cause: error,
    });
  }
}

/**
 * Runs a command body and turns its outcome into an exit code; errors print one clear block and exit
 * with their code, or with `errorExit` when given (`plan --detailed-exitcode`, whose 2 means changes).
 */
export async function runCommand(body: () => Promise<number>, errorExit?: number): Promise<never> {
  let code: number;
  try {
    code = await body();
  } catch (error) {
    code = reportError(error);
    if (errorExit !== undefined) code = errorExit;
  }
  // Let stdout drain before exiting: a pipeline reading --json must get the whole document.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  process.exit(code);
}

/** Prints an error without a stack trace (unless STOCKTAKE_DEBUG=1) and returns its exit code. */
export function reportError(error: unknown): number {
  if (isStocktakeError(error)) {
    process.stderr.write(`${terminalText(redact(`error ${error.code}: ${error.message}`))}\n`);
    if (error.hint) process.stderr.write(`${terminalText(redact(`  hint: ${error.hint}`))}\n`);
    if (process.env.STOCKTAKE_DEBUG === '1' && error.stack) process.stderr.write(`${redact(error.stack)}\n`);
    writeErrorDocument(error.code, error.message, error.hint, error.exitCode);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  writeErrorDocument('INTERNAL', message, undefined, EXIT.gateFailed);
  process.stderr.write(`${terminalText(redact(`error INTERNAL: ${message}`))}\n`);
  if (process.env.STOCKTAKE_DEBUG === '1' && error instanceof Error && error.stack) {
    process.stderr.write(`${redact(error.stack)}\n`);
  } else {
    process.stderr.write('  hint: run again with STOCKTAKE_DEBUG=1 for details, and report it\n');
  }
  return EXIT.gateFailed;
}

/** With --json, the error as a document on stdout, so that a pipeline reading it gets one either way. */
export function writeErrorDocument(
  code: string,
  message: string,
  hint: string | undefined,
  exitCode: number,
  force = false,
): void {
  // A command that wrote its result document already (run.json's, with the run's status) says it there.
  if (jsonErrors || force) writeErrorDocumentOnce(code, message, hint, exitCode);
}
