/**
 * The fresh load's verification inside the target (`RowDigest`), on real PostgreSQL and MariaDB: a CSV of
 * values that test every rendering (quotes, backslashes, commas, parentheses, spaces, empty text, non-ASCII,
 * control characters, NULLs, decimals below their scale, fractional and zoned instants, the first and
 * last years, dates, booleans) loads and passes by
 * the digest alone, while a target that does not hold what was written (a trigger changes one value as
 * it is inserted) fails the digest, falls back to the read and fails the verification naming the key.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Column } from '../../src/core/inventory.ts';
import type { AggregatePlan } from '../../src/mappers/reconcile-aggregates.ts';
import { digestSql } from '../../src/mappers/target-digest.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const NAME = 'st_target_digest';
const VERIFIED_INSIDE = 'verified inside the target';

/** The header and rows of the source CSV (`\\N` marks an empty field: NULL). */
const HEADER = 'id,label,amount,flag,day,at,atz';
const ROWS = [
  '1,plain,12.5,true,2024-02-29,2024-02-29T12:34:56.789,2024-03-01T10:00:00+02:00',
  '2,"a ""quoted"" word",-0.5,false,1999-12-31,1999-12-31 23:59:59,1999-12-31T23:59:59Z',
  '3,"comma, and (parens)",0,true,2000-01-01,2000-01-01T00:00:00.1,2000-01-01T00:00:00.5+00:00',
  '4,back\\slash,1234567890.12,false,1970-01-01,1970-01-01T00:00:00,1969-12-31T23:59:59.999-01:00',
  "5,it's entrepôt — 😀,7,true,2038-01-19,2038-01-19T03:14:07,2038-01-19T03:14:07Z",
  '6, leading and trailing ,,,,,',
  '7,,3.10,true,2024-01-01,1900-01-01T01:02:03.4,2024-01-01T01:02:03Z',
  '8,"tab\tand\vvertical\ftab",,,1000-01-01,9999-12-31T23:59:59.999,1999-06-30T12:00:00-03:00',
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-target-digest-'));
  writeFileSync(join(dir, 'items.csv'), `${[HEADER, ...ROWS].join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFor(target: Record<string, unknown>, table: string): Config {
  return {
    sources: { legacy: { kind: 'csv', path: join(dir, 'items.csv') } },
    targets: { newtool: target },
    mappings: [
      {
        name: 'items',
        from: { source: 'legacy', dataset: 'items' },
        to: { target: 'newtool', dataset: table, key: ['id'], mode: 'upsert' },
        fields: { id: {}, label: {}, amount: {}, flag: {}, day: {}, at: {}, atz: {} },
      },
    ],
  } as unknown as Config;
}

/** Runs the migration into `table`, returning its mapping run and the steps it reported. */
async function migrate(target: Record<string, unknown>, table: string) {
  const steps: string[] = [];
  const outcome = await runMigrate(configFor(target, table), {
    rejectsDir: join(dir, table),
    batchSize: 3,
    onStep: (step) => steps.push(step),
  });
  return { run: outcome.run.mappings[0]!, steps };
}

/** A fresh load of every row, verified by the target's digest alone (no read of its rows). */
function expectVerifiedInside(
  run: Awaited<ReturnType<typeof migrate>>['run'],
  steps: readonly string[],
): void {
  expect(run).toMatchObject({ path: 'fresh-load', status: 'done', inserted: ROWS.length });
  expect(run.reconciliation).toMatchObject({ ok: true, expectedRows: ROWS.length, targetRows: ROWS.length });
  expect(steps.some((s) => s.includes(VERIFIED_INSIDE))).toBe(true);
}

describe.skipIf(!pgUp)('verification inside the target: PostgreSQL', () => {
  let pg: Knex;
  const target = { kind: 'postgres', url: SERVERS.postgres, schemas: [NAME] };

  beforeAll(async () => {
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres });
    await pg.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${NAME}`);
    for (const table of ['items', 'tampered'])
      await pg.raw(`CREATE TABLE ${NAME}.${table} (id bigint PRIMARY KEY, label text, amount numeric(12, 2),
        flag boolean, day date, at timestamp(3), atz timestamptz)`);
    await pg.raw(`CREATE FUNCTION ${NAME}.tamper() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.id = 3 THEN NEW.label := 'comma, and (parens) '; END IF; RETURN NEW; END $$`);
    await pg.raw(
      `CREATE TRIGGER tamper BEFORE INSERT ON ${NAME}.tampered FOR EACH ROW EXECUTE FUNCTION ${NAME}.tamper()`,
    );
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${NAME} CASCADE`);
    await pg?.destroy();
  });

  it('passes by the digest alone when the target holds the rows written', async () => {
    const { run, steps } = await migrate(target, `${NAME}.items`);
    expectVerifiedInside(run, steps);
    const sums = run.reconciliation!.aggregates.filter((a) => a.aggregate === 'sum' && a.field === 'amount');
    expect(sums).toEqual([
      { field: 'amount', aggregate: 'sum', source: '1234567912.22', target: '1234567912.22', ok: true },
    ]);
  });

  it("computes each row's hash once, though its sum and its XOR are both taken", async () => {
    const names = ['id', 'label', 'amount', 'flag', 'day', 'at', 'atz'];
    const columns = names.map((name) => ({ name }) as Column);
    // Sums of id and amount, the date range of day, the instant ranges of at and atz (as `aggregatePlanOf` plans them).
    const plan = { kinds: [1, 0, 1, 0, 4, 2, 2] } as unknown as AggregatePlan;
    const sql = digestSql('postgres', `${NAME}.items`, columns, plan);
    const { rows } = (await pg.raw(`EXPLAIN (VERBOSE, FORMAT JSON) ${sql}`)) as {
      rows: { 'QUERY PLAN': unknown }[];
    };
    const nodes: { type: string; output: string }[] = [];
    const visit = (node: Record<string, unknown>) => {
      nodes.push({ type: String(node['Node Type']), output: ((node.Output as string[]) ?? []).join(', ') });
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
    };
    visit((rows[0]!['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
    const count = (text: string, part: string) => text.split(part).length - 1;
    // One node computes the hash, once; the aggregates above it only refer to its result, which EXPLAIN
    // prints as the expression in parentheses. Pulled up, the aggregate would compute it twice itself.
    const computing = nodes.filter((n) => n.output.includes('hashtextextended'));
    const projectSet = nodes.find((n) => n.type === 'ProjectSet');
    expect(projectSet && count(projectSet.output, 'hashtextextended')).toBe(1);
    for (const node of computing.filter((n) => n !== projectSet))
      expect(count(node.output, 'hashtextextended')).toBe(
        count(node.output, '(unnest(ARRAY[hashtextextended'),
      );
  });

  it('fails the digest, then the verification by key, when one value differs', async () => {
    const { run, steps } = await migrate(target, `${NAME}.tampered`);
    expect(run.status).toBe('verification-failed');
    expect(steps.some((s) => s.includes(VERIFIED_INSIDE))).toBe(false);
    expect(run.reconciliation).toMatchObject({ ok: false, different: 1, missing: 0 });
    expect(run.reconciliation!.examples).toEqual([{ problem: 'different', key: { id: 3 } }]);
  });
});

describe.skipIf(!myUp)('verification inside the target: MariaDB', () => {
  let my: Knex;
  const url = (() => {
    const u = new URL(SERVERS.mysql);
    u.pathname = `/${NAME}`;
    return u.toString();
  })();
  const target = { kind: 'mariadb', url };

  beforeAll(async () => {
    my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql });
    await my.raw(`DROP DATABASE IF EXISTS ${NAME}`);
    await my.raw(`CREATE DATABASE ${NAME} CHARACTER SET utf8mb4`);
    for (const table of ['items', 'tampered'])
      await my.raw(`CREATE TABLE ${NAME}.${table} (id bigint PRIMARY KEY, label varchar(80), amount decimal(12, 2),
        flag tinyint(1), day date, at datetime(3), atz timestamp(3) NULL)`);
    await my.raw(`CREATE TRIGGER ${NAME}.tamper BEFORE INSERT ON ${NAME}.tampered FOR EACH ROW
      SET NEW.amount = IF(NEW.id = 3, 0.01, NEW.amount)`);
  });
  afterAll(async () => {
    await my?.raw(`DROP DATABASE IF EXISTS ${NAME}`);
    await my?.destroy();
  });

  it('passes by the digest alone when the target holds the rows written', async () => {
    const { run, steps } = await migrate(target, 'items');
    expectVerifiedInside(run, steps);
  });

  it("computes each row's hash once: the server fills the derived table instead of merging it", async () => {
    const names = ['id', 'label', 'amount', 'flag', 'day', 'at', 'atz'];
    const columns = names.map((name) => ({ name, type: 'string' }) as Column);
    const plan = { kinds: [1, 0, 1, 0, 4, 2, 2] } as unknown as AggregatePlan;
    const sql = digestSql('mysql', `${NAME}.items`, columns, plan);
    const [rows] = (await my.raw(`EXPLAIN ${sql}`)) as [{ select_type: string; table: string }[]];
    // Merged, the plan is one SIMPLE read of the table whose every aggregate computes the hash again.
    expect(rows.map((r) => r.select_type)).toEqual(['PRIMARY', 'DERIVED']);
  });

  it('fails the digest, then the verification by key, when one value differs', async () => {
    const { run, steps } = await migrate(target, 'tampered');
    expect(run.status).toBe('verification-failed');
    expect(steps.some((s) => s.includes(VERIFIED_INSIDE))).toBe(false);
    expect(run.reconciliation).toMatchObject({ ok: false, different: 1, missing: 0 });
    expect(run.reconciliation!.examples).toEqual([{ problem: 'different', key: { id: 3 } }]);
  });
});
