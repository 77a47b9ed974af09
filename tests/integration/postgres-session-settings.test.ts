/**
 * A database (or role) may set its own output formats: extra_float_digits = 0 rounds floats to 6 and 15
 * digits, DateStyle SQL writes dates as 01/01/1000, IntervalStyle and bytea_output change those texts.
 * Stocktake reads values as text, so each session pins the formats its parsers read: the values and the
 * profile are those of a database with the defaults.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import type { Row } from '../../src/connectors/types.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const NAME = 'stocktake_it_session_settings';
const scratch = new ScratchPostgres(NAME);

async function readAll(url = scratch.url()) {
  const connector = await createPostgresConnector({ kind: 'postgres', url } as never, {
    name: 'pg',
    mode: 'audit',
  });
  try {
    await connector.inventory();
    const rows: Row[] = [];
    for await (const batch of connector.read({ name: 'public.t' })) rows.push(...batch);
    const observation = await connector.pushdownProfile!({ name: 'public.t' }, { distinctLimit: 1 });
    const d = observation.columns.find((c) => c.name === 'd')!;
    return { rows, max: d.aggregates?.max, min: d.aggregates?.min };
  } finally {
    await connector.close();
  }
}

describe.skipIf(!up)('PostgreSQL output settings of a database', () => {
  beforeAll(async () => {
    await scratch.create();
    await scratch.run(`CREATE TABLE t (id int PRIMARY KEY, r real, d float8, ts timestamp, day date,
        span interval, bin bytea);
      INSERT INTO t VALUES
        (1, 16777217, 0.30000000000000004, '1000-01-01 00:00:00.5', '1000-01-01', '1 day 02:03:04.5', '\\x00ff'),
        (2, 3.4028235e38, 1.7976931348623157e308, '2024-02-29 13:14:15', '2024-02-29', '-3 mons', '\\x');`);
  });
  afterAll(() => scratch.drop());

  it('reads the same values and profile whatever the database sets', async () => {
    const plain = await readAll();
    expect(plain.rows[0]!.slice(0, 5)).toEqual([
      1,
      16777216,
      0.30000000000000004,
      '1000-01-01T00:00:00.5',
      '1000-01-01',
    ]);
    expect(plain.max).toBe(1.7976931348623157e308);
    await scratch.admin.raw(`ALTER DATABASE ${NAME} SET extra_float_digits = 0`);
    await scratch.admin.raw(`ALTER DATABASE ${NAME} SET DateStyle = 'SQL, DMY'`);
    await scratch.admin.raw(`ALTER DATABASE ${NAME} SET IntervalStyle = 'sql_standard'`);
    await scratch.admin.raw(`ALTER DATABASE ${NAME} SET bytea_output = 'escape'`);
    const set = await readAll();
    expect(set.rows).toEqual(plain.rows);
    expect([set.min, set.max]).toEqual([plain.min, plain.max]);
    // A URL's own options (a search_path) are kept, and do not take the pinned settings away.
    const withOptions = await readAll(
      `${scratch.url()}?options=${encodeURIComponent('-c search_path=public')}`,
    );
    expect(withOptions.rows).toEqual(plain.rows);
  });
});
