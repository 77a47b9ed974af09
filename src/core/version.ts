/** The version of stocktake, read from package.json. */
// An import rather than a read relative to this file: the bundle in dist/ carries it (bin/build.js).
import packageJson from '../../package.json' with { type: 'json' };

/** The package version written into every document. */
export const TOOL_VERSION: string = packageJson.version;
