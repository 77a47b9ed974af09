/**
 * The database servers the integration suites talk to. Locally a suite whose server does not answer
 * is skipped with a printed reason; under CI=true a missing server fails the run instead.
 */
import net from 'node:net';

/** Connection URLs of the test servers (overridable through the environment). */
export const SERVERS = {
  postgres: process.env.STOCKTAKE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  mysql: process.env.STOCKTAKE_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
} as const;

/** A server the integration tests may need. */
export type ServerName = keyof typeof SERVERS;

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port), timeout: 1500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * True when the server answers. When it does not: under CI=true this throws (a CI run never skips
 * a database suite); otherwise it prints why the suite is skipped and returns false.
 */
export async function serverAvailable(name: ServerName): Promise<boolean> {
  if (await portOpen(SERVERS[name])) return true;
  const reason = `${name} is not reachable at ${SERVERS[name].replace(/:[^:@/]*@/, ':***@')}`;
  if (process.env.CI === 'true') throw new Error(`${reason}; CI=true requires it (.ci/run starts it)`);
  console.warn(`skipping the ${name} suite: ${reason}`);
  return false;
}
