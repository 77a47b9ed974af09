/**
 * Values tedious would lose, without a server: exact numerics (rounded to JavaScript numbers unless SQL Server is
 * asked for their text) and the system CLR types (handed over as bytes unless asked for their text form), in
 * reads and in push-down profiles. Recorded answers give what tedious returns for the SQL actually sent.
 */
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import { quoteMssql } from '../../src/connectors/mssql/mssql-catalog.ts';
import { mssqlDialect, mssqlValue } from '../../src/connectors/mssql/mssql-dialect.ts';
import { mssqlPushdown } from '../../src/connectors/mssql/mssql-pushdown.ts';
import { mssqlLogicalType, mssqlTextKind } from '../../src/connectors/mssql/mssql-types.ts';
import { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import type { SqlDialect, SqlEntryConfig } from '../../src/connectors/sql/sql-dialect.ts';
import { pushdownProfile } from '../../src/connectors/sql/sql-pushdown.ts';
import type { Dataset } from '../../src/core/inventory.ts';
import { canonicalKey } from '../../src/profilers/canonical-key.ts';
import type { DatasetObservation } from '../../src/profilers/observation.ts';
import { column, profileWithAnswers } from './mssql-fixtures.ts';

const AMOUNTS: Dataset = {
  name: 'dbo.amounts',
  schema: 'dbo',
  table: 'amounts',
  kind: 'table',
  rowCount: 3,
  rowCountExact: true,
  columns: [
    column(1, 'id', 'integer', 'int'),
    column(2, 'big', 'decimal', 'decimal(38,10)', { precision: 38, scale: 10 }),
    column(3, 'rate', 'decimal', 'numeric(9,4)', { precision: 9, scale: 4 }),
    column(4, 'price', 'decimal', 'money'),
    column(5, 'fee', 'decimal', 'smallmoney'),
  ],
  primaryKey: { columns: ['id'] },
  foreignKeys: [],
  indexes: [],
};

// The text SQL Server gives for CONVERT(varchar(48), …) (money: style 2) of each row's values, by column.
const TEXTS: Readonly<Record<string, readonly string[]>> = {
  big: ['12345678901234567890.1234567890', '12345678901234567890.1234567890', '-0.0000000001'],
  rate: ['1.5000', '1.5000', '0.1000'],
  price: ['922337203685477.5807', '922337203685477.5807', '0.5000'],
  fee: ['-214748.3648', '-214748.3648', '12.0000'],
};

// What PostgreSQL's push-down returns for the same values (numeric as text), as its canonical frequency keys.
const POSTGRES_KEYS: Readonly<Record<string, readonly string[]>> = {
  big: ['12345678901234567890.1234567890', '-0.0000000001'],
  rate: ['1.5000', '0.1000'],
  price: ['922337203685477.5807', '0.5000'],
  fee: ['-214748.3648', '12.0000'],
};

/**
 * What tedious returns for the decimal a statement selects as `alias`: the text when the statement asks SQL Server
 * to convert it, else the JavaScript number tedious makes of it (rounded past 15 or so digits).
 */
function tediousDecimal(sql: string, alias: string, text: string): string | number {
  const converted = new RegExp(
    `CONVERT\\(varchar\\(48\\), (t\\.\\[\\w+\\]|MIN\\(d\\.k\\d+\\)|MAX\\(d\\.k\\d+\\))(, 2)?\\) AS ${alias}\\b`,
  );
  return converted.test(sql) ? text : Number(text);
}

/** Profiles AMOUNTS against a stand-in answering like SQL Server behind tedious; returns the SQL sent too. */
async function profileAmounts(
  distinctLimit: number,
): Promise<{ sent: string[]; observation: DatasetObservation }> {
  const names = AMOUNTS.columns.map((c) => c.name);
  const answer = (sql: string): Record<string, unknown>[] => {
    if (sql.startsWith('SELECT COUNT_BIG(*) AS n')) {
      return [{ n: 3, c0: 3, d0: 3, c1: 3, d1: 2, c2: 3, d2: 2, c3: 3, d3: 2, c4: 3, d4: 2 }];
    }
    if (sql.includes('GROUPING SETS')) {
      // One frequency row per distinct value of each decimal column (k: its place in the list, after id).
      return ['big', 'rate', 'price', 'fee'].flatMap((name, j) => {
        const k = j + 1;
        const [a, , c] = TEXTS[name]!;
        return [
          { i: k, [`v${k}`]: tediousDecimal(sql, `v${k}`, a!), n: 2 },
          { i: k, [`v${k}`]: tediousDecimal(sql, `v${k}`, c!), n: 1 },
        ];
      });
    }
    if (sql.startsWith('SELECT MIN(') || sql.includes(' AS mn1')) {
      const row: Record<string, unknown> = {};
      for (const [name, texts] of Object.entries(TEXTS)) {
        const i = names.indexOf(name);
        const sorted = [...texts].sort((x, y) => Number(x) - Number(y));
        row[`mn${i}`] = tediousDecimal(sql, `mn${i}`, sorted[0]!);
        row[`mx${i}`] = tediousDecimal(sql, `mx${i}`, sorted.at(-1)!);
      }
      return [row];
    }
    if (sql.startsWith('SELECT TOP (20000)')) {
      return [0, 1, 2].map((r) =>
        Object.fromEntries(
          Object.entries(TEXTS).map(([name, texts]) => {
            const alias = `v${names.indexOf(name)}`;
            return [alias, tediousDecimal(sql, alias, texts[r]!)];
          }),
        ),
      );
    }
    return [];
  };
  return profileWithAnswers(AMOUNTS, answer, distinctLimit);
}

describe('SQL Server push-down of decimal, numeric, money and smallmoney', () => {
  it('groups the numbers and returns each frequency key as exact text, canonical as PostgreSQL gives it', async () => {
    const { sent, observation } = await profileAmounts(100);
    const frequencies = sent.find((s) => s.includes('GROUPING SETS'))!;
    // Grouped as numbers (no text that sorts or compares differently), returned as text.
    expect(frequencies).toContain(
      'GROUP BY GROUPING SETS ((t.[id]), (t.[big]), (t.[rate]), (t.[price]), (t.[fee]))',
    );
    expect(frequencies).toContain('t.[id] AS v0');
    expect(frequencies).toContain('CONVERT(varchar(48), t.[big]) AS v1');
    expect(frequencies).toContain('CONVERT(varchar(48), t.[rate]) AS v2');
    expect(frequencies).toContain('CONVERT(varchar(48), t.[price], 2) AS v3');
    expect(frequencies).toContain('CONVERT(varchar(48), t.[fee], 2) AS v4');

    const byName = new Map(observation.columns.map((c) => [c.name, c]));
    expect([...byName.get('big')!.frequencies]).toEqual([
      ['12345678901234567890.123456789', 2],
      ['-0.0000000001', 1],
    ]);
    expect([...byName.get('rate')!.frequencies]).toEqual([
      ['1.5', 2],
      ['0.1', 1],
    ]);
    expect([...byName.get('price')!.frequencies]).toEqual([
      ['922337203685477.5807', 2],
      ['0.5', 1],
    ]);
    expect([...byName.get('fee')!.frequencies]).toEqual([
      ['-214748.3648', 2],
      ['12', 1],
    ]);
    for (const [name, texts] of Object.entries(POSTGRES_KEYS)) {
      expect([...byName.get(name)!.frequencies.keys()]).toEqual(texts.map((t) => canonicalKey(t, 'decimal')));
    }
  });

  it('orders min and max as numbers and returns them, and the value sample, as exact text', async () => {
    const { sent, observation } = await profileAmounts(1);
    const aggregates = sent.find((s) => s.startsWith('SELECT MIN(') || s.includes(' AS mn1'))!;
    expect(aggregates).toContain('t.[big] AS k1');
    expect(aggregates).toContain(
      'CONVERT(varchar(48), MIN(d.k1)) AS mn1, CONVERT(varchar(48), MAX(d.k1)) AS mx1',
    );
    expect(aggregates).toContain(
      'CONVERT(varchar(48), MIN(d.k3), 2) AS mn3, CONVERT(varchar(48), MAX(d.k3), 2) AS mx3',
    );
    // The mean and standard deviation stay floating point, as on every backend.
    expect(aggregates).toContain('AVG(CAST(d.x1 AS float)) AS av1');
    const sample = sent.find((s) => s.startsWith('SELECT TOP (20000)'))!;
    expect(sample).toContain('CONVERT(varchar(48), t.[big]) AS v1');
    expect(sample).toContain('CONVERT(varchar(48), t.[fee], 2) AS v4');

    const [, big, rate, price, fee] = observation.columns;
    expect(big!.aggregates).toMatchObject({ min: '-0.0000000001', max: '12345678901234567890.123456789' });
    expect(rate!.aggregates).toMatchObject({ min: '0.1', max: '1.5' });
    expect(price!.aggregates).toMatchObject({ min: '0.5', max: '922337203685477.5807' });
    expect(fee!.aggregates).toMatchObject({ min: '-214748.3648', max: '12' });
    expect([...big!.frequencies]).toEqual([
      ['12345678901234567890.123456789', 2],
      ['-0.0000000001', 1],
    ]);
    expect([...price!.frequencies]).toEqual([
      ['922337203685477.5807', 2],
      ['0.5', 1],
    ]);
  });
});

const PLACES: Dataset = {
  name: 'geo.places',
  schema: 'geo',
  table: 'places',
  kind: 'table',
  rowCount: 2,
  rowCountExact: true,
  columns: [
    column(1, 'id', 'integer', 'int'),
    column(2, 'node', 'string', 'hierarchyid'),
    column(3, 'site', 'string', 'geography'),
    column(4, 'outline', 'string', 'geometry'),
    // A user CLR type: no known text method, read as its bytes.
    column(5, 'shape', 'string', 'Point'),
  ],
  primaryKey: { columns: ['id'] },
  foreignKeys: [],
  indexes: [],
};

describe('SQL Server hierarchyid, geography and geometry', () => {
  it('are strings in the inventory, keeping their type name as the native type', () => {
    for (const type of ['hierarchyid', 'geography', 'geometry']) {
      expect(mssqlLogicalType(type)).toBe('string');
      expect(mssqlTextKind(type)).toBe('clr');
    }
    expect(mssqlTextKind('Point')).toBe('clr-bytes');
    expect(mssqlTextKind('sysname')).toBe('character');
  });

  it('are read as their text form: a hierarchyid path, WKT with Z and M', async () => {
    const sent: string[] = [];
    const dialect: SqlDialect = {
      ...mssqlDialect,
      openCatalog: undefined,
      catalog: async () => ({ datasets: [PLACES] }),
      async *streamRowArrays(_db, sql) {
        sent.push(sql);
        // What SQL Server returns for those method calls, and a user CLR value's bytes.
        yield [
          [
            1,
            '/1/2/',
            'POINT (-122.349 47.651 10.3 12)',
            'POLYGON ((0 0, 1 0, 1 1, 0 0))',
            Buffer.from([1, 0xab]),
          ],
        ];
        yield [[2, null, null, null, null]];
      },
    };
    const config = {
      kind: 'mssql',
      host: 'sql01',
      database: 'gis',
      user: 'u',
      password: 'p',
    } as SqlEntryConfig;
    const connector = new SqlConnector(dialect, config, { name: 'gis', mode: 'audit' });
    const rows = [];
    for await (const batch of connector.read({ name: 'geo.places' }, { limit: 5 })) rows.push(...batch);
    await connector.close();
    expect(sent).toEqual([
      'SELECT TOP (5) [id] AS c0, [node].ToString() AS c1, [site].AsTextZM() AS c2, [outline].AsTextZM() AS c3, [shape] AS c4 FROM [geo].[places]',
    ]);
    expect(rows).toEqual([
      [1, '/1/2/', 'POINT (-122.349 47.651 10.3 12)', 'POLYGON ((0 0, 1 0, 1 1, 0 0))', '0x01AB'],
      [2, null, null, null, null],
    ]);
  });

  it('are profiled on the same text in the push-down', async () => {
    const sent: string[] = [];
    const db = {
      client: { positionBindings: (sql: string) => sql },
      raw: async (sql: string) => {
        sent.push(sql);
        if (sql.startsWith('SELECT COUNT_BIG(*) AS n')) {
          return [{ n: 2, c0: 2, d0: 2, c1: 2, d1: 2, c2: 2, d2: 1, c3: 1, d3: 1, c4: 1, d4: 1 }];
        }
        if (sql.includes('GROUPING SETS')) {
          // Text keys come back with their NCHAR(0) sentinel.
          return [
            { i: 0, v0: 1, n: 1 },
            { i: 0, v0: 2, n: 1 },
            { i: 1, v1: '/1/\0', n: 1 },
            { i: 1, v1: '/1/2/\0', n: 1 },
            { i: 2, v2: 'POINT (2 1)\0', n: 2 },
            { i: 3, v3: 'LINESTRING (0 0, 1 1)\0', n: 1 },
            { i: 4, v4: '0x01AB\0', n: 1 },
          ];
        }
        return [];
      },
    } as unknown as Knex;
    const observation = await pushdownProfile({
      db,
      dataset: PLACES,
      resolve: () => undefined,
      quote: quoteMssql,
      toValue: mssqlValue,
      dialect: mssqlPushdown,
    });
    const key = (text: string) => `(${text} + NCHAR(0)) COLLATE Latin1_General_BIN2`;
    const counts = sent[0]!;
    expect(counts).toContain(
      `COUNT_BIG(DISTINCT ${key('CAST(t.[node].ToString() AS nvarchar(max))')}) AS d1`,
    );
    expect(counts).toContain(
      `COUNT_BIG(DISTINCT ${key('CAST(t.[site].AsTextZM() AS nvarchar(max))')}) AS d2`,
    );
    expect(counts).toContain(
      `COUNT_BIG(DISTINCT ${key('CAST(t.[outline].AsTextZM() AS nvarchar(max))')}) AS d3`,
    );
    expect(counts).toContain(
      `COUNT_BIG(DISTINCT ${key('CONVERT(nvarchar(max), CAST(t.[shape] AS varbinary(max)), 1)')}) AS d4`,
    );
    expect(sent.join('\n')).not.toContain('CAST(t.[node] AS varbinary(max))');

    const byName = new Map(observation.columns.map((c) => [c.name, c]));
    expect([...byName.get('node')!.frequencies]).toEqual([
      ['/1/', 1],
      ['/1/2/', 1],
    ]);
    expect([...byName.get('site')!.frequencies]).toEqual([['POINT (2 1)', 2]]);
    expect([...byName.get('outline')!.frequencies]).toEqual([['LINESTRING (0 0, 1 1)', 1]]);
    expect([...byName.get('shape')!.frequencies]).toEqual([['0x01AB', 1]]);
  });
});
