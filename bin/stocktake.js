#!/usr/bin/env node
// Runs the bundle that `npm install` builds into dist/ (bin/build.js) while no source it was built from has
// changed since; otherwise the TypeScript sources directly (tsx), so an edited source never runs stale and
// a clone without the bundle still works. STOCKTAKE_FROM_SOURCES=1 forces the sources.
import { bundleIsFresh } from './bundle-freshness.js';

if (!process.env.STOCKTAKE_FROM_SOURCES && bundleIsFresh(new URL('../', import.meta.url))) {
  await import('../dist/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
