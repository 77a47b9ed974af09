/** The version of stocktake, read from package.json. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package version written into every document. */
export const TOOL_VERSION: string = (require('../../package.json') as { version: string }).version;
