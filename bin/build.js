#!/usr/bin/env node
// Bundles the command line into dist/ (run by `npm install` through `prepare`, or `npm run build`), so a
// start loads a few JavaScript files instead of transpiling every TypeScript source. bin/stocktake.js runs
// the bundle only while dist/manifest.json says no input changed since the build began.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// Files read at run time beside the module that reads them (new URL('./…', import.meta.url)).
const ASSETS = ['src/report/html/report-client.js'];

/**
 * Builds the bundle into `outdir` (relative to the package root, inside it so that node_modules resolves)
 * and returns esbuild's metafile.
 */
export async function buildCli(outdir = 'dist') {
  const out = join(root, outdir);
  // Taken before reading any input: a source saved while the build runs counts as newer than the bundle.
  const builtAt = Date.now();
  rmSync(out, { recursive: true, force: true });
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    // The CSV scan's worker thread is its own entry, loaded beside the chunks (csv-range-thread.ts).
    entryPoints: ['src/cli/main.ts', 'src/connectors/csv/csv-range-worker.ts'],
    entryNames: '[name]',
    outdir,
    bundle: true,
    // One chunk per command module: `stocktake inventory` still never loads the report or the mappers.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Dependencies (native better-sqlite3, drivers knex loads on demand) load from node_modules as usual.
    packages: 'external',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  mkdirSync(out, { recursive: true });
  for (const asset of ASSETS) copyFileSync(join(root, asset), join(out, basename(asset)));
  // Paths relative to the package root, as esbuild reports them.
  const inputs = [...Object.keys(result.metafile.inputs), ...ASSETS];
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify({ builtAt, inputs }, null, 1)}\n`);
  return result.metafile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const metafile = await buildCli();
    console.error(`stocktake: bundled ${Object.keys(metafile.inputs).length} sources into dist/`);
  } catch (error) {
    // An install without esbuild (dev dependencies left out) still works: the command line runs the sources.
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes("'esbuild'")) throw error;
    console.error('stocktake: esbuild is not installed; the command line will run the TypeScript sources');
  }
}
