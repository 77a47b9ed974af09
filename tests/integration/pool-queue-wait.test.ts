/**
 * A statement queued behind the pool's busy connections waits for one as long as the statements before it
 * run: on large tables a profile's statements take minutes, and a queued one used to fail with knex's
 * "Timeout acquiring a connection" once the connect timeout plus 5 s had passed. Connecting keeps its own
 * timeout: a server that does not answer still fails fast.
 */
import knexFactory from 'knex';
import { describe, expect, it } from 'vitest';
import { mysqlKnexConfig } from '../../src/connectors/mysql/mysql-connection.ts';
import { postgresKnexConfig } from '../../src/connectors/postgres/postgres-connection.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const mysqlUp = await serverAvailable('mysql');
// Connecting may take 500 ms; the statement ahead in the queue holds the one connection for 6 s.
const CONNECT_MS = 500;
const HELD_S = 6;

describe('a statement queued behind a busy pool', () => {
  const SERVER_CASES = [
    {
      name: 'PostgreSQL',
      up: pgUp,
      config: () =>
        postgresKnexConfig(
          {
            kind: 'postgres',
            url: SERVERS.postgres,
            connectTimeoutMs: CONNECT_MS,
            pool: { max: 1 },
          } as never,
          'audit',
          'pool-wait',
        ),
      sleep: `SELECT pg_sleep(${HELD_S})`,
      // pg answers { rows }.
      answer: (result: unknown) => (result as { rows: unknown[] }).rows,
    },
    {
      name: 'MariaDB',
      up: mysqlUp,
      config: async () =>
        mysqlKnexConfig(
          { kind: 'mariadb', url: SERVERS.mysql, connectTimeoutMs: CONNECT_MS, pool: { max: 1 } } as never,
          'audit',
          'pool-wait',
        ),
      sleep: `SELECT SLEEP(${HELD_S})`,
      // mysql2 answers [rows, fields].
      answer: (result: unknown) => (result as [unknown[]])[0],
    },
  ];

  for (const server of SERVER_CASES)
    it.skipIf(!server.up)(
      `${server.name}: waits for the connection, however long the statement before it runs`,
      async () => {
        const db = knexFactory(await server.config());
        try {
          const [slow, queued] = await Promise.allSettled([
            db.raw(server.sleep),
            db.raw('SELECT 42 AS answer'),
          ]);
          expect(slow.status).toBe('fulfilled');
          expect(queued.status).toBe('fulfilled');
          expect(server.answer((queued as PromiseFulfilledResult<unknown>).value)).toEqual([{ answer: 42 }]);
        } finally {
          await db.destroy();
        }
      },
    );

  it('a server that does not answer still fails by the connect timeout', async () => {
    // A port nothing listens on: the connection is refused at once, and the queued statements learn it.
    const config = await postgresKnexConfig(
      {
        kind: 'postgres',
        url: 'postgres://postgres@127.0.0.1:1/none',
        connectTimeoutMs: CONNECT_MS,
      } as never,
      'audit',
      'pool-wait',
    );
    const db = knexFactory(config);
    const started = Date.now();
    try {
      const results = await Promise.allSettled([db.raw('SELECT 1'), db.raw('SELECT 2')]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await db.destroy();
    }
  });
});
