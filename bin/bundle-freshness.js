// Whether dist/ may run: built (dist/manifest.json) and no input modified or removed since the build began.
import { readFileSync, statSync } from 'node:fs';

/** True when the bundle under `root` (a directory URL) is at least as new as every input it was built from. */
export function bundleIsFresh(root) {
  try {
    const manifest = JSON.parse(readFileSync(new URL('dist/manifest.json', root), 'utf8'));
    // A missing input throws: the bundle is then as stale as when an input is newer.
    return manifest.inputs.every((file) => statSync(new URL(file, root)).mtimeMs <= manifest.builtAt);
  } catch {
    return false;
  }
}
