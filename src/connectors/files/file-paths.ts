/**
 * Expands a file source's `path` (one file, a folder, or a glob) into the files it names, each with
 * the dataset name it gets: the file name without its extension, made unique by its folder when two
 * files share a name.
 */
import type { Stats } from 'node:fs';
import { statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { StocktakeError } from '../../core/errors.ts';

/** One file of a file source and the dataset name it gets. */
export interface SourceFile {
  readonly path: string;
  /** `clients` for `clients.csv`; `2024/clients` when another `clients.csv` sits in another folder. */
  readonly name: string;
}

/** Lists the files a source path names; `extensions` (lower case, with the dot) filter folders and globs. */
export async function expandSourcePath(
  source: string,
  path: string,
  extensions: readonly string[],
): Promise<SourceFile[]> {
  const scan = picomatch.scan(path);
  let base: string;
  let files: string[];
  if (scan.isGlob) {
    base = scan.base === '' ? '.' : scan.base;
    const matches = picomatch(path, { windows: sep === '\\' });
    files = (await listFiles(source, base, scan.isGlobstar || scan.glob.includes('/'))).filter((file) =>
      matches(file),
    );
  } else {
    let info: Stats;
    try {
      info = await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StocktakeError('FILE_NOT_FOUND', `source ${source}: ${path} does not exist`, {
          hint: 'check the `path` of the source; relative paths start from the config file',
          context: { source, file: path },
        });
      throw unreadable(source, path, error);
    }
    if (info.isFile()) return [{ path, name: stem(path) }];
    base = path;
    files = (await listFiles(source, path, false)).filter((file) =>
      extensions.includes(extname(file).toLowerCase()),
    );
  }
  files.sort();
  return nameFiles(base, files);
}

// A folder that is not there lists nothing (a glob's base); one that cannot be listed (no permission, a
// symbolic link loop) is an error, not an empty source.
async function listFiles(source: string, dir: string, recursive: boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw unreadable(source, dir, error);
  });
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(entry.parentPath ?? dir, entry.name);
    // A link to a file is that file (a link to a folder is not followed: it could loop).
    if (entry.isFile() || (entry.isSymbolicLink() && isFileSync(path))) files.push(path);
  }
  return files;
}

function stem(path: string): string {
  return basename(path, extname(path));
}

/** Names each file by its stem; clashing stems take their path below `base`, then their extension. */
function nameFiles(base: string, files: readonly string[]): SourceFile[] {
  const byStem = new Map<string, number>();
  for (const file of files) byStem.set(stem(file), (byStem.get(stem(file)) ?? 0) + 1);
  const named = files.map((path) => {
    if (byStem.get(stem(path)) === 1) return { path, name: stem(path) };
    const rel = relative(base, path).split(sep).join('/');
    return { path, name: rel.slice(0, rel.length - extname(rel).length) };
  });
  const byName = new Map<string, number>();
  for (const file of named) byName.set(file.name, (byName.get(file.name) ?? 0) + 1);
  return named.map((file) =>
    byName.get(file.name) === 1
      ? file
      : { path: file.path, name: relative(base, file.path).split(sep).join('/') },
  );
}

/** Size and modification time of a file, to notice that it changed between a scan and a read. */
export function stampOf(info: Stats): string {
  return `${info.size}:${info.mtimeMs}`;
}

/** The current stamp of a file; undefined when it is gone. */
export async function fileStamp(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info ? stampOf(info) : undefined;
}

function unreadable(source: string, path: string, error: unknown): StocktakeError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'ELOOP'
        ? 'a loop of symbolic links'
        : code === 'ENOTDIR'
          ? 'a file where a folder is expected'
          : (code ?? (error as Error).message);
  return new StocktakeError('FILE_UNREADABLE', `source ${source}: ${path} cannot be read (${why})`, {
    hint: 'check the permissions and links of the `path` of the source',
    context: { source, file: path },
  });
}

function isFileSync(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
