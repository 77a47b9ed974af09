/**
 * SQL Server push-down without a server: the statements sent for a table with a hostile name (their
 * number and the SQL Server fragments in them), and the conversion of recorded result sets as tedious
 * returns them (Date for datetime2, boolean for bit, text for the decimals it is asked to convert, text through
 * UNION ALL).
 */
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { quoteMssql } from '../../src/connectors/mssql/mssql-catalog.ts';
import { mssqlValue } from '../../src/connectors/mssql/mssql-dialect.ts';
import { mssqlPushdown } from '../../src/connectors/mssql/mssql-pushdown.ts';
import { pushdownProfile } from '../../src/connectors/sql/sql-pushdown.ts';
import type { Column, Dataset } from '../../src/core/inventory.ts';

const column = (position: number, name: string, type: Column['type'], nativeType: string): Column => ({
  name,
  type,
  nativeType,
  nullable: position !== 1,
  primaryKey: position === 1,
  position,
});

const ORDERS: Dataset = {
  name: 'sales.we]rd "orders"',
  schema: 'sales',
  table: 'we]rd "orders"',
  kind: 'table',
  rowCount: 4,
  rowCountExact: true,
  columns: [
    column(1, 'id', 'integer', 'int'),
    { ...column(2, 'name', 'string', 'nvarchar(80)'), length: 80 },
    column(3, 'amount', 'decimal', 'decimal(12,3)'),
    column(4, 'placed', 'timestamp', 'datetime2(7)'),
    column(5, 'active', 'boolean', 'bit'),
    column(6, 'customer_id', 'integer', 'int'),
  ],
  primaryKey: { columns: ['id'] },
  foreignKeys: [{ columns: ['customer_id'], references: { dataset: 'sales.customer', columns: ['id'] } }],
  indexes: [],
};
const CUSTOMER: Dataset = { ...ORDERS, name: 'sales.customer', table: 'customer', foreignKeys: [] };

/** A knex stand-in that records each statement and answers with a recorded result set. */
function fakeDb(answer: (sql: string) => Record<string, unknown>[]): { db: Knex; sent: string[] } {
  const sent: string[] = [];
  const db = {
    client: { positionBindings: (sql: string) => sql.replaceAll('?', '@p0') },
    raw: async (sql: string) => {
      sent.push(sql);
      return answer(sql);
    },
  } as unknown as Knex;
  return { db, sent };
}

const COUNTS = {
  n: 4,
  c0: 4,
  d0: 4,
  c1: 4,
  d1: 3,
  c2: 3,
  d2: 2,
  c3: 3,
  d3: 3,
  c4: 4,
  d4: 2,
  c5: 3,
  d5: 2,
  fk0: 3,
};

function recorded(sql: string): Record<string, unknown>[] {
  if (sql.startsWith('SELECT COUNT_BIG(*) AS n')) return [COUNTS];
  if (sql.includes('GROUPING SETS')) {
    return [
      { i: 0, v0: 1, n: 1 },
      { i: 0, v0: 2, n: 1 },
      { i: 0, v0: 3, n: 1 },
      { i: 0, v0: 4, n: 1 },
      // Text keys come back with their NCHAR(0) sentinel.
      { i: 1, v1: 'Dupont\0', n: 2 },
      { i: 1, v1: 'DUPONT\0', n: 1 },
      { i: 1, v1: ' N/A\0', n: 1 },
      { i: 2, v2: '1.500', n: 2 },
      { i: 2, v2: '12.000', n: 1 },
      { i: 2, v2: null, n: 1 },
      { i: 3, v3: new Date(Date.UTC(2024, 0, 31, 10, 0, 0, 500)), n: 3 },
      { i: 4, v4: true, n: 3 },
      { i: 4, v4: false, n: 1 },
      { i: 5, v5: 1, n: 2 },
      { i: 5, v5: 9, n: 1 },
    ];
  }
  if (sql.includes('NOT EXISTS')) return [{ i: 0, e6: '9', total: 1, extra: 0 }];
  return [];
}

describe('SQL Server push-down', () => {
  it('profiles a table in four statements with BIN2 comparison and GROUPING SETS', async () => {
    const { db, sent } = fakeDb(recorded);
    const observation = await pushdownProfile({
      db,
      dataset: ORDERS,
      resolve: (name) => (name === 'sales.customer' ? CUSTOMER : undefined),
      quote: quoteMssql,
      toValue: mssqlValue,
      dialect: mssqlPushdown,
    });
    // Counts, frequencies (one scan), the (name, active) key candidate, orphans; id proves no duplicate rows.
    expect(sent).toHaveLength(4);
    expect(sent[0]).toContain('FROM [sales].[we]]rd "orders"] t');
    expect(sent[0]).toContain('COUNT_BIG(DISTINCT (t.[name] + NCHAR(0)) COLLATE Latin1_General_BIN2) AS d1');
    expect(sent[1]).toContain(
      'GROUP BY GROUPING SETS ((t.[id]), ((t.[name] + NCHAR(0)) COLLATE Latin1_General_BIN2), (t.[amount])',
    );
    expect(sent[1]).toContain('CONVERT(varchar(48), t.[amount]) AS v2');
    expect(sent[2]).toContain(
      'GROUP BY GROUPING SETS (((t.[name] + NCHAR(0)) COLLATE Latin1_General_BIN2, t.[active]))',
    );
    expect(sent[3]).toContain(
      'NOT EXISTS (SELECT 1 FROM [sales].[customer] r WHERE r.[id] = t.[customer_id])',
    );
    expect(sent[3]).toContain('CONVERT(nvarchar(max), x.g0) AS e6');
    expect(sent[3]).toContain('CAST(NULL AS nvarchar(max)) AS e1');

    const byName = new Map(observation.columns.map((c) => [c.name, c]));
    expect([...byName.get('name')!.frequencies]).toEqual([
      ['Dupont', 2],
      ['DUPONT', 1],
      [' N/A', 1],
    ]);
    expect([...byName.get('amount')!.frequencies]).toEqual([
      ['1.5', 2],
      ['12', 1],
    ]);
    expect([...byName.get('placed')!.frequencies]).toEqual([['2024-01-31T10:00:00.5', 3]]);
    expect([...byName.get('active')!.frequencies]).toEqual([
      [true, 3],
      [false, 1],
    ]);
    expect(observation.candidateKeys).toEqual([['id']]);
    expect(observation.duplicateRows).toBe(0);
    expect(observation.keyDuplicates).toEqual([{ columns: ['id'], duplicates: 0, examples: [] }]);
    expect(observation.orphans).toEqual([
      {
        columns: ['customer_id'],
        references: { dataset: 'sales.customer', columns: ['id'] },
        orphans: 1,
        checked: 3,
        examples: [[9]],
      },
    ]);
  });

  it('counts the values of a wide table 24 columns a statement, each value in its own column', async () => {
    const columns = Array.from({ length: 50 }, (_, j) => column(j + 1, `c${j}`, 'integer', 'int'));
    const wide: Dataset = { ...CUSTOMER, name: 'sales.wide', table: 'wide', columns, primaryKey: null };
    const counts: Record<string, number> = { n: 2 };
    for (let j = 0; j < columns.length; j++) Object.assign(counts, { [`c${j}`]: 2, [`d${j}`]: 1 });
    const { db, sent } = fakeDb((sql) => {
      if (sql.startsWith('SELECT COUNT_BIG(*) AS n')) return [counts];
      if (!sql.includes('GROUPING SETS')) return [];
      // Each statement's k-th value is its k-th grouping set's column: answer that column's number.
      const listed = [...sql.slice(sql.indexOf('GROUPING SETS')).matchAll(/\(t\.\[c(\d+)\]\)/g)].map((m) =>
        Number(m[1]),
      );
      return listed.map((j, k) => ({ i: k, [`v${k}`]: j * 10, n: 2 }));
    });
    const observation = await pushdownProfile({
      db,
      dataset: wide,
      resolve: () => undefined,
      quote: quoteMssql,
      toValue: mssqlValue,
      dialect: mssqlPushdown,
    });
    const statements = sent.filter((sql) => sql.includes('GROUPING SETS ((t.[c'));
    const sets = (sql: string) => sql.slice(sql.indexOf('GROUPING SETS')).match(/\(t\.\[c\d+\]\)/g)!.length;
    expect(statements.map(sets)).toEqual([24, 24, 2]);
    expect(observation.columns.map((c) => [...c.frequencies])).toEqual(columns.map((_, j) => [[j * 10, 2]]));
  });

  it('summarises columns above the limit with SQL Server aggregates, quantiles and a sample', async () => {
    const { db, sent } = fakeDb((sql) => {
      if (sql.startsWith('SELECT COUNT_BIG(*) AS n')) return [COUNTS];
      if (sql.startsWith('SELECT MIN(')) {
        return [
          {
            mn1: ' N/A\0',
            mx1: 'Dupont\0',
            ln1: 4,
            lx1: 6,
            la1: 5.5,
            wl1: 1,
            wt1: 0,
            z1_2: 1,
            mn2: '1.500',
            mx2: '12.000',
          },
        ];
      }
      return [];
    });
    const observation = await pushdownProfile(
      {
        db,
        dataset: ORDERS,
        resolve: () => undefined,
        quote: quoteMssql,
        toValue: mssqlValue,
        dialect: mssqlPushdown,
      },
      { distinctLimit: 1, sample: 0.1 },
    );
    const aggregates = sent.find((s) => s.startsWith('SELECT MIN('))!;
    expect(aggregates).toContain("(LEN(d.x1 + N'.') - 1)");
    expect(aggregates).toContain('UNICODE(RIGHT(d.x1, 1)) IN (32, 9, 10, 13, 160, 8239)');
    expect(aggregates).toContain(
      "LOWER(LTRIM(RTRIM(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(t.[name], NCHAR(9), N' '), NCHAR(10), N' '), NCHAR(13), N' '), NCHAR(160), N' '), NCHAR(8239), N' ')))) COLLATE Latin1_General_BIN2",
    );
    expect(aggregates).toContain("WHEN N'néant' THEN 3");
    expect(aggregates).toContain('STDEVP(CAST(d.x2 AS float))');
    expect(aggregates).toContain(
      "(CAST(DATEDIFF_BIG(microsecond, '19700101', d.x3) AS float) / 86400000000.0)",
    );
    expect(
      sent.every(
        (s) => !s.includes('FROM [sales]') || s.includes('TABLESAMPLE (10 PERCENT) REPEATABLE (20240521)'),
      ),
    ).toBe(true);
    expect(
      sent.some((s) =>
        s.startsWith('SELECT TOP (1) PERCENTILE_CONT(0.05) WITHIN GROUP (ORDER BY t.[id]) OVER () AS q0_0'),
      ),
    ).toBe(true);
    expect(
      sent.some((s) => s.startsWith('SELECT TOP (20000) t.[id] AS v0') && s.endsWith('ORDER BY NEWID()')),
    ).toBe(true);

    const name = observation.columns[1]!;
    expect(name.complete).toBe(false);
    expect(name.aggregates).toMatchObject({
      distinct: 3,
      min: ' N/A',
      max: 'Dupont',
      length: { min: 4, max: 6, mean: 5.5 },
      whitespace: { leading: 1, trailing: 0 },
      nullLike: { empty: 0, blank: 0, na: 1, nullText: 0, dash: 0, zeroDate: 0 },
    });
    expect(observation.columns[2]!.aggregates).toMatchObject({ min: '1.5', max: '12' });
    expect(observation.sample).toEqual({ fraction: 0.1, method: 'TABLESAMPLE (pages)' });
  });

  it('samples a view by a hash of its rows: TABLESAMPLE reads pages, which a view has none of', async () => {
    const { db, sent } = fakeDb(() => []);
    await pushdownProfile(
      {
        db,
        dataset: { ...ORDERS, kind: 'view' },
        resolve: () => undefined,
        quote: quoteMssql,
        toValue: mssqlValue,
        dialect: mssqlPushdown,
      },
      { distinctLimit: 1, sample: 0.1 },
    ).then((observation) => expect(observation.sample).toEqual({ fraction: 0.1, method: 'row hash' }));
    expect(sent.length).toBeGreaterThan(0);
    for (const statement of sent) {
      expect(statement).not.toContain('TABLESAMPLE');
      if (statement.includes('FROM [sales]'))
        expect(statement).toContain('ABS(BINARY_CHECKSUM(*) % 1000000) < 100000');
    }
  });
});
