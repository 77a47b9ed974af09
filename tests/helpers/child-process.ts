/**
 * Running a command line in a child process, for tests that kill it mid-run or read what it printed.
 * `CI` is cleared so that the child prints as on a terminal-less machine, not as the test runner's CI.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The command line of this checkout. */
export const STOCKTAKE_BIN = join(dirname(fileURLToPath(import.meta.url)), '../../bin/stocktake.js');

/** How a child ended and what it printed. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node entry ...args` in `cwd`; `done` settles when it has ended, however it ended. */
export function startNode(
  entry: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): { child: ChildProcess; done: Promise<ChildResult> } {
  const child = spawn(process.execPath, [entry, ...args], {
    cwd: options.cwd,
    env: { ...process.env, CI: '', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<ChildResult>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** What `runStocktake` returns: the exit code and what the command printed. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `bin/stocktake.js args` to its end, colours and debug traces off; `cwd` defaults to this process's,
 * `env` adds to its environment.
 */
export function runStocktake(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): CliResult {
  const result = spawnSync(process.execPath, [STOCKTAKE_BIN, ...args], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', STOCKTAKE_DEBUG: '', ...options.env },
    timeout: options.timeout ?? 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
