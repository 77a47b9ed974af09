import type { Metafile } from 'esbuild';

/** Builds the command-line bundle into `outdir` (relative to the package root); returns esbuild's metafile. */
export function buildCli(outdir?: string): Promise<Metafile>;
