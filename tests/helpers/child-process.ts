/**
 * Running a command line in a child process, for tests that kill it mid-run or read what it printed.
 * `CI` is cleared so that the child prints as on a terminal-less machine, not as the test runner's CI.
 */
import { type ChildProcess, spawn } from 'node:child_process';

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
