/**
 * The PostgreSQL writer's fast path on a real server: batches of new rows are COPYed straight into the
 * table, and whatever the table refuses there (a key that exists after all, a constraint) falls back
 * to the staging path with the same result as if the fast path did not exist.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import { createSqlWriter } from '../../src/connectors/sql/sql-writer.ts';
import type { Value } from '../../src/connectors/types.ts';
import type { Checkpoint, Writer } from '../../src/connectors/writer-types.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const DB = 'st_loadspeed_copy';
const up = await serverAvailable('postgres');

const url = (() => {
  const u = new URL(SERVERS.postgres);
  u.pathname = `/${DB}`;
  return u.toString();
})();

const checkpoint = (batches: number): Checkpoint => ({
  mapping: 'items',
  runId: 'run-1',
  batches,
  sourceRows: batches * 10,
  done: false,
  fingerprint: 'sha256:abc',
  updatedAt: '2024-05-01T10:00:00.000Z',
});

const rowsFrom = (from: number, to: number): Value[][] => {
  const rows: Value[][] = [];
  for (let i = from; i < to; i++) rows.push([i, `name ${i}`, i % 7, `2024-03-0${1 + (i % 9)}T10:00:00Z`]);
  return rows;
};

describe.skipIf(!up)('PostgreSQL writer: COPY straight into the table for new rows', () => {
  let admin: Knex;
  let setup: Knex;
  let connector: SqlConnector;
  let writer: Writer;
  const statements: string[] = [];

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${DB}`);
    setup = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
    await setup.raw(`CREATE TABLE item (id integer PRIMARY KEY, name varchar(20) NOT NULL,
      qty integer CHECK (qty >= 0), seen timestamp)`);
    connector = (await createPostgresConnector(
      { kind: 'postgres', url },
      { name: 'target', mode: 'write' },
    )) as SqlConnector;
    const dataset = (await connector.inventory()).datasets.find((d) => d.table === 'item')!;
    const db = await connector.db();
    db.on('query', (q: { sql: string }) => statements.push(q.sql));
    writer = await createSqlWriter(
      'postgres',
      db,
      { dataset: dataset.name, columns: ['id', 'name', 'qty', 'seen'], key: ['id'] },
      { columns: dataset.columns, schema: dataset.schema, table: dataset.table!, name: 'target' },
    );
  });
  afterAll(async () => {
    await connector?.close();
    await setup?.destroy();
    await admin?.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.destroy();
  });
  beforeEach(async () => {
    await setup.raw('TRUNCATE item');
    statements.length = 0;
  });

  const directCopies = () => statements.filter((s) => /^COPY "public"\."item"/.test(s)).length;
  const stagedCopies = () => statements.filter((s) => /^COPY pg_temp\./.test(s)).length;
  const count = async () => Number((await setup.raw('SELECT count(*) AS n FROM item')).rows[0].n);

  it('suggests batches of 10,000 rows', () => {
    expect(writer.batchRows).toBe(10_000);
  });

  it('loads upserts the diff found new with one COPY into the table, zones converted like the staging path', async () => {
    const result = await writer.applyBatch({
      upserts: rowsFrom(0, 3000),
      upsertsNew: true,
      checkpoint: checkpoint(1),
    });
    expect(result).toEqual({ inserted: 3000, updated: 0, deleted: 0, rejected: [] });
    expect(directCopies()).toBe(1);
    expect(stagedCopies()).toBe(0);
    expect(await count()).toBe(3000);
    const { rows } = await setup.raw(
      `SELECT name, to_char(seen, 'YYYY-MM-DD HH24:MI:SS') AS seen FROM item WHERE id = 12`,
    );
    expect(rows[0]).toEqual({ name: 'name 12', seen: '2024-03-04 10:00:00' });
    expect(await writer.readCheckpoint('items')).toMatchObject({ batches: 1 });
  });

  it('falls back to the upsert when a key exists after all: the row is updated, nothing is lost', async () => {
    await setup.raw(`INSERT INTO item VALUES (5, 'old five', 1, NULL)`);
    const rows = rowsFrom(0, 100);
    const result = await writer.applyBatch({ upserts: rows, upsertsNew: true, checkpoint: checkpoint(2) });
    expect(result).toEqual({ inserted: 99, updated: 1, deleted: 0, rejected: [] });
    expect(directCopies()).toBe(1);
    expect(stagedCopies()).toBe(1);
    expect(await count()).toBe(100);
    expect((await setup.raw('SELECT name FROM item WHERE id = 5')).rows[0].name).toBe('name 5');
  });

  it("isolates a row the table refuses in insert mode with the database's reason, the rest inserted", async () => {
    const rows = rowsFrom(0, 500);
    rows[42] = [42, 'negative', -1, null];
    rows[77] = [77, 'x'.repeat(30), 1, null];
    rows[99] = [99, 'nul \u0000 inside', 1, null];
    const result = await writer.applyBatch({ upserts: [], inserts: rows, checkpoint: checkpoint(3) });
    expect(result.inserted).toBe(497);
    expect(result.rejected.map((r) => [r.list, r.index])).toEqual([
      ['inserts', 42],
      ['inserts', 77],
      ['inserts', 99],
    ]);
    expect(result.rejected[0]!.reason).toMatch(/check constraint/i);
    expect(result.rejected[1]!.reason).toMatch(/too long/i);
    expect(result.rejected[2]!.reason).toMatch(/NUL/);
    expect(await count()).toBe(497);
  });

  it('counts a row refused before the COPY (NUL) out of the fast path too', async () => {
    const rows = rowsFrom(0, 10);
    rows[3] = [3, 'nul \u0000', 1, null];
    const result = await writer.applyBatch({ upserts: rows, upsertsNew: true, checkpoint: checkpoint(4) });
    expect(result).toMatchObject({ inserted: 9, updated: 0 });
    expect(result.rejected).toEqual([{ list: 'upserts', index: 3, reason: expect.stringMatching(/NUL/) }]);
    expect(directCopies()).toBe(1);
    expect(stagedCopies()).toBe(0);
  });

  it('takes the staging path for upserts not known to be new and for deletes, creating the staging table once per session', async () => {
    await writer.applyBatch({ upserts: rowsFrom(0, 10), checkpoint: checkpoint(5) });
    await writer.applyBatch({ upserts: rowsFrom(5, 15), checkpoint: checkpoint(6) });
    await writer.applyBatch({
      upserts: rowsFrom(20, 25),
      upsertsNew: true,
      deletes: [[0]],
      checkpoint: checkpoint(7),
    });
    expect(directCopies()).toBe(0);
    expect(stagedCopies()).toBe(3);
    expect(statements.filter((s) => s.startsWith('CREATE TEMP TABLE')).length).toBeLessThanOrEqual(1);
    expect(await count()).toBe(19);
  });

  it('writes multi-byte, escaped and larger-than-a-chunk values exactly, on both paths', async () => {
    await setup.raw('CREATE TABLE IF NOT EXISTS note (id integer PRIMARY KEY, body text)');
    await setup.raw('TRUNCATE note');
    await connector.close();
    const dataset = (await connector.inventory()).datasets.find((d) => d.table === 'note')!;
    const notes = await createSqlWriter(
      'postgres',
      await connector.db(),
      { dataset: dataset.name, columns: ['id', 'body'], key: ['id'] },
      { columns: dataset.columns, schema: dataset.schema, table: dataset.table!, name: 'target' },
    );
    const body = (i: number) =>
      i % 500 === 7
        ? `${'é€🐘\t\\'.repeat(40_000)}${i}`
        : `entrepôt ${i}\t« tab »\n\\ 🐘 ${'€'.repeat(i % 50)}`;
    const rows: Value[][] = Array.from({ length: 3000 }, (_, i) => [i, body(i)]);
    // New rows are COPYed into the table; the same rows again take the staging path (unchanged: untouched).
    expect(
      await notes.applyBatch({ upserts: rows, upsertsNew: true, checkpoint: checkpoint(10) }),
    ).toMatchObject({ inserted: 3000, rejected: [] });
    const changed: Value[][] = rows.map(([id]) => [id ?? null, body(Number(id) + 1)]);
    expect(await notes.applyBatch({ upserts: changed, checkpoint: checkpoint(11) })).toMatchObject({
      updated: 3000,
      rejected: [],
    });
    const stored = (await setup.raw('SELECT id, body FROM note ORDER BY id')).rows as {
      id: number;
      body: string;
    }[];
    expect(stored).toHaveLength(3000);
    expect(stored.every((r) => r.body === body(r.id + 1))).toBe(true);
  });

  it('recreates the staging table after a rolled-back batch took it along', async () => {
    // A fresh session: its first batch creates the staging table, and fails at the checkpoint.
    await connector.close();
    const db = await connector.db();
    db.on('query', (q: { sql: string }) => statements.push(q.sql));
    const dataset = (await connector.inventory()).datasets.find((d) => d.table === 'item')!;
    const fresh = await createSqlWriter(
      'postgres',
      db,
      { dataset: dataset.name, columns: ['id', 'name', 'qty', 'seen'], key: ['id'] },
      { columns: dataset.columns, schema: dataset.schema, table: dataset.table!, name: 'target' },
    );
    const failing = { ...checkpoint(8), fingerprint: null as unknown as string };
    await expect(fresh.applyBatch({ upserts: rowsFrom(0, 5), checkpoint: failing })).rejects.toThrow();
    expect(await count()).toBe(0);
    const result = await fresh.applyBatch({ upserts: rowsFrom(0, 5), checkpoint: checkpoint(9) });
    expect(result).toMatchObject({ inserted: 5, updated: 0 });
    expect(statements.filter((s) => s.startsWith('CREATE TEMP TABLE')).length).toBe(2);
    writer = fresh;
  });
});
