/**
 * Starts a worker thread on one of stocktake's worker modules (a bundle entry of its own, see
 * bin/build.js), wherever the code runs from: beside the bundle's chunks when bundled; from the
 * TypeScript sources (tests, benchmarks, a clone without a build), the bundled module while the bundle is
 * as new as every source, as the command line decides (bin/stocktake.js), and otherwise the source
 * through tsx's loader.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { bundleIsFresh } from '../../bin/bundle-freshness.js';

/**
 * Starts the worker module `name` (its file name without extension) found at `source`, a path relative
 * to the package root (`src/mappers/plan-target-worker.ts`), with `workerData` and V8 `resourceLimits`.
 */
export function startModuleWorker(
  name: string,
  source: string,
  workerData: unknown,
  resourceLimits?: ResourceLimits,
): Worker {
  const here = import.meta.url;
  const options = { workerData, ...(resourceLimits ? { resourceLimits } : {}) };
  if (!here.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, here), options);
  const root = new URL('../../', here);
  if (bundleIsFresh(root)) return new Worker(new URL(`dist/${name}.js`, root), options);
  const script = new URL(source, root).href;
  const bootstrap = `const { register } = await import(${JSON.stringify(tsxLoader())}); register(); await import(${JSON.stringify(script)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
}

/** The URL of tsx's ESM loader API, resolved from this package. */
function tsxLoader(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = JSON.parse(readFileSync(manifest, 'utf8')).exports['./esm/api'].import.default as string;
  return pathToFileURL(join(dirname(manifest), exports)).href;
}
