/** TLS options from the config, with certificate files read from disk. */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { StocktakeError } from '../../core/errors.ts';
import type { NetworkConfig } from './sql-dialect.ts';

/** Node TLS options for the `ssl` entry, or undefined when TLS is not configured. */
export function tlsOptions(ssl: NetworkConfig['ssl'], source: string): ConnectionOptions | undefined {
  if (ssl === undefined || ssl === false) return undefined;
  if (ssl === true) return { rejectUnauthorized: true };
  const read = (path: string | undefined, what: string) => {
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new StocktakeError(
        'SOURCE_UNREACHABLE',
        `source ${source}: cannot read the TLS ${what} file ${path}`,
        {
          hint: 'check ssl.ca / ssl.cert / ssl.key, relative to the config file',
          context: { source, file: path },
          cause: error,
        },
      );
    }
  };
  const options: ConnectionOptions = { rejectUnauthorized: ssl.rejectUnauthorized ?? true };
  const ca = read(ssl.ca, 'CA certificate');
  const cert = read(ssl.cert, 'client certificate');
  const key = read(ssl.key, 'client key');
  if (ca) options.ca = ca;
  if (cert) options.cert = cert;
  if (key) options.key = key;
  if (ssl.servername) options.servername = ssl.servername;
  return options;
}
