/** True when the bundle under `root` (a directory URL) is at least as new as every input it was built from. */
export function bundleIsFresh(root: URL): boolean;
