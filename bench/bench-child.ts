/**
 * Benchmarks time stocktake in child processes that run bundled, as the command line runs (bin/build.js
 * builds dist/ at install): no TypeScript transpiled at their start, the drivers of other backends never
 * loaded. Through tsx, loading the sources costs a child 1.5 s or more before its first row.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Native or bench-only packages a bench imports, left to node_modules like the drivers. */
const BENCH_EXTERNAL = ['@duckdb/node-api', 'esbuild'].flatMap((name) => [name, `${name}/*`]);

/**
 * Bundles the benchmark file `benchUrl` (its `import.meta.url`) into bench/out/child-<name>/ and returns
 * the path of the bundled file: run it with `node` and the child's own arguments.
 */
export async function bundledBenchChild(benchUrl: string): Promise<string> {
  // Imported here, not at the top: the bundled child holds this module too, and bin/build.js builds dist/
  // when it is the process's main module, which the child's bundle would be.
  const { build } = await import('esbuild');
  const { bundleOptions, copyAssets, EXTERNAL_PACKAGES } = await import('../bin/build.js');
  const source = fileURLToPath(benchUrl);
  const name = basename(source, '.ts');
  const outdir = join('bench', 'out', `child-${name}`);
  await build(bundleOptions([relative(ROOT, source)], outdir, [...EXTERNAL_PACKAGES, ...BENCH_EXTERNAL]));
  copyAssets(outdir);
  const bundled = join(ROOT, outdir, `${name}.js`);
  if (!existsSync(bundled)) throw new Error(`bundling ${source} wrote no ${bundled}`);
  return bundled;
}
