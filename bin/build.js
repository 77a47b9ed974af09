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
 * Packages left to node_modules: native code (better-sqlite3), the database drivers, which load only for a
 * source of theirs, and tsx. Every other dependency is bundled: loaded from node_modules, knex, exceljs,
 * zod, yaml and theirs read some 900 files at a start (knex alone 350, 252 of them lodash's); bundled,
 * what a command never calls stays an unparsed function. pg is bundled too (imported dynamically, it still
 * loads only for a PostgreSQL source): its 40-odd files took 35–50 ms to load from node_modules, 20 bundled,
 * on the path of every PostgreSQL inventory. Its stream add-ons stay outside and use the installed copy.
 */
export const EXTERNAL_PACKAGES = [
  'better-sqlite3',
  'pg-query-stream',
  'pg-copy-streams',
  'mysql2',
  'tedious',
  'tsx',
  // Drivers knex requires only for clients stocktake does not use.
  'mysql',
  'mariadb',
  'oracledb',
  'pg-native',
  'sqlite3',
  // pg's socket for Cloudflare Workers, never taken under Node.
  'cloudflare:sockets',
].flatMap((name) => [name, `${name}/*`]);

// Bundled CommonJS packages `require` Node's modules and the drivers, which an ES module has no function for.
export const REQUIRE_BANNER =
  "import { createRequire as __stocktakeCreateRequire } from 'node:module'; const require = __stocktakeCreateRequire(import.meta.url);";

/**
 * esbuild's options for the command line's bundle of `entryPoints` into `outdir` (relative to the package
 * root, inside it so that node_modules resolves); benchmarks bundle their child processes with them.
 */
export function bundleOptions(entryPoints, outdir, external = EXTERNAL_PACKAGES) {
  return {
    absWorkingDir: root,
    // Worker threads are entries of their own, loaded beside the chunks (csv-range-thread.ts,
    // src/core/module-worker.ts).
    entryPoints: [
      ...entryPoints,
      'src/connectors/csv/csv-range-worker.ts',
      'src/mappers/plan-target-worker.ts',
      'src/connectors/sqlite/sqlite-query-worker.ts',
    ],
    entryNames: '[name]',
    outdir,
    bundle: true,
    // One chunk per command module: `stocktake inventory` still never loads the report or the mappers.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    banner: { js: REQUIRE_BANNER },
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  };
}

/** Copies the files read at run time beside the bundle's modules into `outdir`. */
export function copyAssets(outdir) {
  const out = join(root, outdir);
  mkdirSync(out, { recursive: true });
  for (const asset of ASSETS) copyFileSync(join(root, asset), join(out, basename(asset)));
}

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
  const result = await build(bundleOptions(['src/cli/main.ts'], outdir));
  copyAssets(outdir);
  // Paths relative to the package root, as esbuild reports them.
  // Bundled packages are left out: `npm install` rebuilds after changing them (prepare).
  const inputs = [
    ...Object.keys(result.metafile.inputs).filter((input) => !input.startsWith('node_modules/')),
    ...ASSETS,
  ];
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
