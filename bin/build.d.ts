import type { BuildOptions, Metafile } from 'esbuild';

/** Builds the command-line bundle into `outdir` (relative to the package root); returns esbuild's metafile. */
export function buildCli(outdir?: string): Promise<Metafile>;

/** esbuild's options for the command line's bundle of `entryPoints` (and the CSV worker) into `outdir`. */
export function bundleOptions(
  entryPoints: readonly string[],
  outdir: string,
  external?: readonly string[],
): BuildOptions & { metafile: true };

/** Copies the files read at run time beside the bundle's modules into `outdir`. */
export function copyAssets(outdir: string): void;

/** Packages the bundle leaves to node_modules (drivers, native code, tsx); esbuild `external` patterns. */
export const EXTERNAL_PACKAGES: string[];

/** The banner that gives each ES module chunk a CommonJS `require` for the bundled CommonJS packages. */
export const REQUIRE_BANNER: string;
