/** Options and error handling every command shares. */
import type { Command } from 'commander';
import { type ExtraChecks, type LoadedConfig, loadConfig } from '../config/load.ts';
import { EXIT, isStocktakeError } from '../core/errors.ts';
import { redact } from '../core/secrets.ts';

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
    .option('--json', 'machine output on stdout, logs on stderr')
    .option('--only <name...>', only)
    .option('-q, --quiet', 'no progress lines');
}

/** Loads the config named by the options (exits 2 with every problem listed when it is invalid). */
export function loadConfigFrom(options: CommonOptions, extraChecks?: ExtraChecks): LoadedConfig {
  return loadConfig(options.config, process.env, extraChecks);
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
    process.stderr.write(`${redact(`error ${error.code}: ${error.message}`)}\n`);
    if (error.hint) process.stderr.write(`${redact(`  hint: ${error.hint}`)}\n`);
    if (process.env.STOCKTAKE_DEBUG === '1' && error.stack) process.stderr.write(`${redact(error.stack)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${redact(`error INTERNAL: ${message}`)}\n`);
  if (process.env.STOCKTAKE_DEBUG === '1' && error instanceof Error && error.stack) {
    process.stderr.write(`${redact(error.stack)}\n`);
  } else {
    process.stderr.write('  hint: run again with STOCKTAKE_DEBUG=1 for details, and report it\n');
  }
  return EXIT.gateFailed;
}
