/**
 * The temporary directories of this process (spill files of a diff, which hold rows in clear), named
 * with its pid so that one call removes them all, the worker threads' included, when a signal ends the
 * process before its `exit` handlers would run.
 */
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The prefix of this process's spill directories under the OS temporary directory. */
export function spillPrefix(): string {
  return `stocktake-diff-${process.pid}-`;
}

/** Removes every spill directory this process (any of its threads) made. */
export function removeSpillDirectories(): void {
  const prefix = spillPrefix();
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names)
    if (name.startsWith(prefix)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
}
