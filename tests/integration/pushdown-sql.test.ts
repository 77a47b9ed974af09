/**
 * Push-down profiling on every SQL backend that answers (SQLite always): a hostile table name, exact
 * aggregates for columns above the distinct limit that agree with the listed frequencies, sampling that
 * every statement shares and the observation labels, and empty tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import { createPostgresConnector } from '../../src/connectors/postgres/postgres-connector.ts';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';
import { registerStocktakeFunctions } from '../../src/connectors/sqlite/sqlite-functions.ts';
import type { Connector } from '../../src/connectors/types.ts';
import { buildColumnProfile } from '../../src/profilers/column-profile.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

type Backend = 'postgres' | 'mysql' | 'sqlite';
const BACKENDS: Backend[] = ['sqlite'];
if (await serverAvailable('postgres')) BACKENDS.push('postgres');
if (await serverAvailable('mysql')) BACKENDS.push('mysql');

const DB = 'stocktake_it_pushdown';
const HOSTILE = 'x"; DROP TABLE y; --`]';
const dir = mkdtempSync(join(tmpdir(), 'stocktake-pushdown-'));

/** Full dataset names per backend. */
const NAMES: Record<Backend, (table: string) => string> = {
  postgres: (table) => `public.${table}`,
  mysql: (table) => `${DB}.${table}`,
  sqlite: (table) => table,
};

const url = (base: string) => {
  const u = new URL(base);
  u.pathname = `/${DB}`;
  return u.toString();
};

// Longer than every null-like word: one is a padded 'null', the other no word at all.
const WORDS = [
  'Alpha',
  'ALPHA',
  ' alpha',
  'beta ',
  'N/A',
  'null',
  '-',
  'Éclair',
  'eclair',
  'x',
  `null${' '.repeat(22)}`,
  'no null word, only a long value',
];

const WIDE = 450;

async function load(db: Knex, backend: Backend): Promise<void> {
  await db.schema.createTable(HOSTILE, (t) => {
    t.integer('id').notNullable();
    t.string('word', 40);
    if (backend === 'sqlite') t.specificType('price', 'DECIMAL(10,3)');
    else t.decimal('price', 10, 3);
    t.date('day');
  });
  await db.schema.createTable('empty_one', (t) => {
    t.integer('id');
    t.string('note', 10);
  });
  const rows = Array.from({ length: 300 }, (_, i) => ({
    id: i + 1,
    word: i % 13 === 0 ? null : WORDS[i % WORDS.length]!,
    price: i % 11 === 0 ? null : `${(i * 37) % 500}.${String((i * 7) % 1000).padStart(3, '0')}`,
    day: new Date(Date.UTC(2023, 0, 1 + (i % 90))).toISOString().slice(0, 10),
  }));
  await db(HOSTILE).insert(rows);
  // 900 columns: more values than one statement's row holds (PostgreSQL 1,664, SQLite 2,000).
  await db.schema.createTable('wide', (t) => {
    for (let k = 0; k < WIDE; k++) t.integer(`i${k}`);
    // In latin1, MariaDB's 8,126-byte row holds the 450 texts.
    for (let k = 0; k < WIDE; k++)
      if (backend === 'mysql') t.specificType(`s${k}`, 'varchar(10) CHARACTER SET latin1');
      else t.string(`s${k}`, 10);
  });
  await db('wide').insert(
    [1, 2, 3].map((r) =>
      Object.fromEntries(
        Array.from({ length: WIDE }, (_, k) => [
          [`i${k}`, r * 1000 + k],
          [`s${k}`, r === 3 ? null : `v${r}-${k}`],
        ]).flat(),
      ),
    ),
  );
  // Two-column keys: (a, b) integer + date, (a, c) integer + text, (a, d) integers whose ranges multiply past
  // 64 bits; b, c and d repeat one another, so no other pair is a key and no column is one alone.
  await db.schema.createTable('pairs', (t) => {
    t.integer('a').notNullable();
    t.date('b').notNullable();
    t.string('c', 10).notNullable();
    t.bigInteger('d').notNullable();
  });
  await db('pairs').insert(
    Array.from({ length: 60 }, (_, i) => {
      const block = Math.floor(i / 6);
      return {
        a: i % 6,
        b: new Date(Date.UTC(2023, 0, 1 + block)).toISOString().slice(0, 10),
        c: `w${block}`,
        d: (BigInt(block) * 2_000_000_000_000_000_000n - 9_000_000_000_000_000_000n).toString(),
      };
    }),
  );
}

describe.each(BACKENDS)('push-down profiling on %s', (backend) => {
  let connector: Connector;
  const queries: string[] = [];
  const close: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    let writer: Knex;
    if (backend === 'sqlite') {
      const path = join(dir, 'pushdown.db');
      writer = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: path },
        useNullAsDefault: true,
      });
      await load(writer, backend);
      await writer.destroy();
      connector = await createSqliteConnector({ kind: 'sqlite', path } as never, {
        name: 'lite',
        mode: 'audit',
        onQuery: (sql) => queries.push(sql),
      });
    } else {
      const client = backend === 'postgres' ? 'pg' : 'mysql2';
      const admin = knexFactory({ client, connection: SERVERS[backend], pool: { min: 0, max: 1 } });
      await admin.raw(`DROP DATABASE IF EXISTS ${DB}`);
      await admin.raw(`CREATE DATABASE ${DB}`);
      await admin.destroy();
      writer = knexFactory({ client, connection: url(SERVERS[backend]), pool: { min: 0, max: 1 } });
      await load(writer, backend);
      await writer.destroy();
      const create = backend === 'postgres' ? createPostgresConnector : createMysqlConnector;
      connector = await create({ kind: backend, url: url(SERVERS[backend]) } as never, {
        name: backend,
        mode: 'audit',
        onQuery: (sql) => queries.push(sql),
      });
    }
    close.push(() => connector.close());
    await connector.inventory();
  });

  afterAll(async () => {
    for (const c of close) await c();
  });

  it('quotes a hostile table name and lists every value below the limit', async () => {
    const observation = await connector.pushdownProfile!({ name: NAMES[backend](HOSTILE) });
    expect(observation.rowCount).toBe(300);
    expect(observation.method).toBe('pushdown');
    expect(observation.columns.every((c) => c.complete)).toBe(true);
    const word = observation.columns[1]!;
    // Binary semantics: case, accents and edge spaces keep values apart (MariaDB's collation would merge them).
    expect(word.frequencies.size).toBe(WORDS.length);
    expect(word.frequencies.get(' alpha')).toBe(23);
    expect(observation.candidateKeys).toContainEqual(['id']);
  });

  it('summarises columns above the limit with aggregates that agree with the full frequencies', async () => {
    const full = await connector.pushdownProfile!({ name: NAMES[backend](HOSTILE) });
    const before = queries.length;
    const limited = await connector.pushdownProfile!({ name: NAMES[backend](HOSTILE) }, { distinctLimit: 5 });
    const statements = queries.length - before;
    expect(statements).toBeLessThanOrEqual(backend === 'postgres' ? 5 : 6);
    for (let i = 0; i < full.columns.length; i++) {
      const exact = buildColumnProfile(full.columns[i]!);
      const column = limited.columns[i]!;
      expect(column.complete, column.name).toBe(false);
      const summary = buildColumnProfile(column);
      expect(summary.valuesSampled).toBe(true);
      expect([summary.count, summary.nulls, summary.distinct, summary.min, summary.max], column.name).toEqual(
        [exact.count, exact.nulls, exact.distinct, exact.min, exact.max],
      );
      if (exact.numeric) {
        expect(summary.numeric!.mean).toBeCloseTo(exact.numeric.mean, 9);
        expect(summary.numeric!.stddev).toBeCloseTo(exact.numeric.stddev, 9);
        // PostgreSQL computes quantiles in the database; the others take them from the (here complete) sample.
        expect(summary.numeric!.quantiles.p50).toBeCloseTo(exact.numeric.quantiles.p50, 9);
      }
      if (column.name === 'word') {
        expect(summary.length).toEqual(exact.length);
        expect(summary.whitespace).toEqual(exact.whitespace);
        expect(summary.nullLike).toEqual(exact.nullLike);
      }
    }
  });

  // PostgreSQL's fence (OFFSET 0) keeps the subquery, then drops the empty SubqueryScan from the plan: what it
  // computes once shows in no node of its own. SQLite and MariaDB show the derived table as a step.
  if (backend !== 'postgres')
    it("computes the summarised columns' expressions once: the derived table is not merged", async () => {
      const before = queries.length;
      await connector.pushdownProfile!({ name: NAMES[backend](HOSTILE) }, { distinctLimit: 5 });
      const aggregate = queries.slice(before).find((sql) => / FROM \(SELECT .* d$/s.test(sql));
      expect(aggregate).toBeDefined();
      // Merged, the null-like CASE would be computed once per SUM that reads it, six times a row.
      if (backend === 'sqlite') {
        const db = new Database(join(dir, 'pushdown.db'), { readonly: true });
        registerStocktakeFunctions(db);
        const plan = db.prepare(`EXPLAIN QUERY PLAN ${aggregate}`).all() as { detail: string }[];
        db.close();
        expect(plan.some((step) => /^(CO-ROUTINE|MATERIALIZE)/.test(step.detail))).toBe(true);
      } else {
        const db = knexFactory({
          client: 'mysql2',
          connection: url(SERVERS.mysql),
          pool: { min: 0, max: 1 },
        });
        const [rows] = (await db.raw(`EXPLAIN ${aggregate}`)) as [{ select_type: string }[]];
        await db.destroy();
        expect(rows.map((r) => r.select_type)).toContain('DERIVED');
      }
    });

  it('finds two-column keys of integers, dates and text, however wide their ranges', async () => {
    const observation = await connector.pushdownProfile!({ name: NAMES[backend]('pairs') });
    expect(observation.candidateKeys.map((k) => k.join('+')).sort()).toEqual(['a+b', 'a+c', 'a+d']);
  });

  it('labels a sample, and every statement of the pass sees the same rows', async () => {
    const observation = await connector.pushdownProfile!({ name: NAMES[backend](HOSTILE) }, { sample: 0.5 });
    expect(observation.sample?.fraction).toBe(0.5);
    expect(observation.rowCount).toBeGreaterThan(60);
    expect(observation.rowCount).toBeLessThan(240);
    const id = observation.columns[0]!;
    expect(id.count - id.nulls).toBe(observation.rowCount);
    expect([...id.frequencies.values()].reduce((a, b) => a + b, 0)).toBe(observation.rowCount);
  });

  it('profiles a table of 900 columns, counts and summaries split over statements', async () => {
    for (const distinctLimit of [100, 1]) {
      const observation = await connector.pushdownProfile!(
        { name: NAMES[backend]('wide') },
        { distinctLimit },
      );
      expect(observation.rowCount).toBe(3);
      expect(observation.columns).toHaveLength(2 * WIDE);
      for (let k = 0; k < WIDE; k++) {
        const i = observation.columns[k]!;
        const text = observation.columns[WIDE + k]!;
        expect([i.name, i.count - i.nulls, text.name, text.count - text.nulls]).toEqual([
          `i${k}`,
          3,
          `s${k}`,
          2,
        ]);
        if (distinctLimit === 1) {
          expect([i.aggregates?.min, i.aggregates?.max]).toEqual([1000 + k, 3000 + k]);
          expect([text.aggregates?.min, text.aggregates?.max]).toEqual([`v1-${k}`, `v2-${k}`]);
        } else expect(text.frequencies.get(`v2-${k}`)).toBe(1);
      }
    }
  });

  it('profiles an empty table', async () => {
    const observation = await connector.pushdownProfile!({ name: NAMES[backend]('empty_one') });
    expect(observation.rowCount).toBe(0);
    expect(observation.duplicateRows).toBe(0);
    expect(observation.candidateKeys).toEqual([]);
    expect(observation.columns.map((c) => [c.count, c.nulls, c.frequencies.size])).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
