import type { Metafile } from 'esbuild';

/** Builds the command-line bundle into `outdir` (relative to the package root); returns esbuild's metafile. */
export function buildCli(outdir?: string): Promise<Metafile>;

/** Packages the bundle leaves to node_modules (drivers, native code, tsx); esbuild `external` patterns. */
export const EXTERNAL_PACKAGES: string[];

/** The banner that gives each ES module chunk a CommonJS `require` for the bundled CommonJS packages. */
export const REQUIRE_BANNER: string;
