import { describe, expect, it } from 'vitest';
import { mssqlDialect } from '../../src/connectors/mssql/mssql-dialect.ts';
import { mssqlPushdown } from '../../src/connectors/mssql/mssql-pushdown.ts';
import {
  createMssqlWriter,
  mssqlIdentityStatements,
  mssqlWriteColumn,
  mssqlWriteStatements,
} from '../../src/connectors/mssql/mssql-writer.ts';
import { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import type { SqlDialect, SqlEntryConfig } from '../../src/connectors/sql/sql-dialect.ts';
import type { WriteBatch } from '../../src/connectors/writer-types.ts';
import type { Dataset } from '../../src/core/inventory.ts';
import { column, type FakeAnswer, fakeMssql, profileWithAnswers } from './mssql-fixtures.ts';

const TABLE = '[dbo].[t]';

describe('SQL Server writer: values that do not convert', () => {
  const columns = [
    column(1, 'id', 'integer', 'int'),
    column(2, 'amount', 'decimal', 'decimal(12,3)'),
    column(3, 'placed', 'timestamp', 'datetime'),
    column(4, 'ref', 'string', 'uniqueidentifier'),
    column(5, 'name', 'string', 'nvarchar(40)', { length: 40 }),
  ].map(mssqlWriteColumn);
  const sql = mssqlWriteStatements(TABLE, columns, [0], '#s');

  it('are deleted from the staging table by one statement that returns them with the first bad column', () => {
    const check = (i: number, type: string) =>
      `WHEN DATALENGTH(s.c${i}) > 8000 THEN ${i} WHEN s.c${i} IS NOT NULL AND ${type} IS NULL THEN ${i}`;
    expect(sql.rejectUnconvertible).toBe(
      `DELETE s OUTPUT DELETED.l, DELETED.o, x.c FROM #s AS s
CROSS APPLY (SELECT CASE ${[
        check(0, 'TRY_CAST(s.c0 AS int)'),
        check(1, 'TRY_CAST(s.c1 AS decimal(12,3))'),
        check(2, 'TRY_CAST(TRY_CAST(s.c2 AS datetime2(7)) AS datetime)'),
        check(3, 'TRY_CAST(s.c3 AS uniqueidentifier)'),
      ].join(' ')} END AS c) AS x
WHERE x.c IS NOT NULL;`,
    );
    const text = mssqlWriteStatements(TABLE, [columns[4]!], [0], '#s');
    expect(text.rejectUnconvertible).toBeNull();
  });

  it('are rejected by stage, so the MERGE never meets them and takes no savepoint split', async () => {
    const { writer, log } = await recordedWriter((text) =>
      text.startsWith('DELETE s OUTPUT')
        ? [
            { l: 0, o: 1, c: 1 },
            { l: 1, o: 0, c: 2 },
            { l: 2, o: 0, c: 0 },
          ]
        : undefined,
    );
    const result = await writer.applyBatch(batch());
    expect(result.rejected).toEqual([
      { list: 'upserts', index: 1, reason: 'column "amount": the value does not convert to decimal(12,3)' },
      { list: 'inserts', index: 0, reason: 'column "placed": the value does not convert to datetime' },
    ]);
    expect(log.filter((l) => l.startsWith('MERGE') || l.startsWith('ROLLBACK'))).toEqual(['MERGE 0-3']);
  });

  it('fail the batch when the database still finds one: a conversion error is no row error', async () => {
    const conversion = Object.assign(
      new Error("Conversion failed when converting the nvarchar value 'x' to data type int."),
      { number: 245 },
    );
    const { writer, log } = await recordedWriter((text) =>
      text.startsWith('DECLARE @actions') ? conversion : undefined,
    );
    await expect(writer.applyBatch(batch())).rejects.toThrow();
    expect(log).not.toContain('ROLLBACK TRANSACTION stocktake_rows');
    expect(log.at(-1)).toBe('IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION');
  });
});

describe('SQL Server writer: text cast to datetime and smalldatetime', () => {
  it('goes through datetime2(7), which takes all 7 fraction digits the staged wall clock has', () => {
    const columns = [
      column(1, 'id', 'integer', 'int'),
      column(2, 'at', 'timestamp', 'datetime'),
      column(3, 'on', 'timestamp', 'smalldatetime'),
      column(4, 'exact', 'timestamp', 'datetime2(7)', { scale: 7 }),
    ].map(mssqlWriteColumn);
    const sql = mssqlWriteStatements(TABLE, columns, [0], '#s');
    expect(sql.upsert).toContain(
      'CAST(CAST(s.c1 AS datetime2(7)) AS datetime) AS [at], CAST(CAST(s.c2 AS datetime2(7)) AS smalldatetime) AS [on], CAST(s.c3 AS datetime2(7)) AS [exact]',
    );
    expect(sql.insert).toContain('CAST(CAST(s.c1 AS datetime2(7)) AS datetime)');
    const keyed = mssqlWriteStatements(TABLE, columns, [1], '#s');
    expect(keyed.delete).toContain('t.[at] = CAST(CAST(s.c1 AS datetime2(7)) AS datetime)');
  });
});

describe('SQL Server writer: staged text and the collation of tempdb', () => {
  it("declares staged text in the target column's collation, else the database's, never an unchecked name", () => {
    const columns = [
      column(1, 'code', 'string', 'varchar(20)', { collation: 'Latin1_General_CI_AS' }),
      column(2, 'n', 'integer', 'int'),
      column(3, 'evil', 'string', 'nvarchar(10)', {
        collation: 'Latin1_General_CI_AS NULL); DROP TABLE x; --',
      }),
      column(4, 'pic', 'binary', 'varbinary(max)'),
    ].map(mssqlWriteColumn);
    expect(mssqlWriteStatements(TABLE, columns, [0], '#s').prepareStaging).toContain(
      '(l tinyint NOT NULL, o int NOT NULL, c0 nvarchar(max) COLLATE Latin1_General_CI_AS NULL, c1 nvarchar(max) COLLATE DATABASE_DEFAULT NULL, c2 nvarchar(max) COLLATE DATABASE_DEFAULT NULL, c3 varbinary(max) NULL);',
    );
  });
});

describe('SQL Server writer: what counts as a change', () => {
  const columns = [
    column(1, 'id', 'integer', 'int'),
    column(2, 'name', 'string', 'nvarchar(50)', { collation: 'SQL_Latin1_General_CP1_CI_AS' }),
    column(3, 'notes', 'string', 'ntext'),
    column(4, 'seen', 'timestamp', 'datetimeoffset(7)', { scale: 7 }),
    column(5, 'pic', 'binary', 'image'),
    column(6, 'ref', 'string', 'uniqueidentifier'),
    column(7, 'doc', 'string', 'xml'),
  ].map(mssqlWriteColumn);
  const upsert = mssqlWriteStatements(TABLE, columns, [0], '#s').upsert;
  const side = (a: string) =>
    [
      `CAST(CAST(${a}.[name] AS nvarchar(max)) AS varbinary(max))`,
      `CAST(CAST(${a}.[notes] AS nvarchar(max)) AS varbinary(max))`,
      `${a}.[seen], DATEPART(TZoffset, ${a}.[seen])`,
      `CAST(${a}.[pic] AS varbinary(max))`,
      `${a}.[ref]`,
      `CAST(CAST(${a}.[doc] AS nvarchar(max)) AS varbinary(max))`,
    ].join(', ');

  it('compares text as bytes (case, accents, trailing spaces), offsets too, images as bytes, GUIDs as GUIDs', () => {
    expect(upsert).toContain(`WHEN MATCHED AND EXISTS (SELECT ${side('s')} EXCEPT SELECT ${side('t')}) THEN`);
  });
});

describe('SQL Server writer: an identity column that is no key', () => {
  const columns = [
    column(1, 'code', 'string', 'nvarchar(20)', { length: 20 }),
    column(2, 'id', 'integer', 'int', { autoIncrement: true }),
    column(3, 'name', 'string', 'nvarchar(50)', { length: 50 }),
  ].map(mssqlWriteColumn);

  it('is inserted (IDENTITY_INSERT) but never updated nor compared', () => {
    const sql = mssqlWriteStatements(TABLE, columns, [0], '#s');
    expect(sql.upsert).toContain(
      `WHEN MATCHED AND EXISTS (SELECT CAST(CAST(s.[name] AS nvarchar(max)) AS varbinary(max)) EXCEPT SELECT CAST(CAST(t.[name] AS nvarchar(max)) AS varbinary(max))) THEN
  UPDATE SET t.[name] = s.[name]
`,
    );
    expect(sql.upsert).toContain('INSERT ([code], [id], [name]) VALUES (s.[code], s.[id], s.[name])');
    expect(sql.upsert).toContain(`SET IDENTITY_INSERT ${TABLE} ON;`);
    const identity = mssqlIdentityStatements(TABLE, columns, [0], '#s', '[dbo].[stocktake_identity]');
    expect(identity.update).toMatch(/^UPDATE t SET t\.\[name\] = s\.c2\n/);
  });
});

const ORDERS: Dataset = {
  name: 'dbo.orders',
  schema: 'dbo',
  table: 'orders',
  kind: 'table',
  rowCount: 4,
  rowCountExact: true,
  columns: [
    column(1, 'id', 'string', 'uniqueidentifier'),
    column(2, 'name', 'string', 'nvarchar(80)', { length: 80 }),
    column(3, 'doc', 'string', 'xml'),
    column(4, 'notes', 'string', 'ntext'),
    column(5, 'node', 'string', 'hierarchyid'),
    column(6, 'memo', 'string', 'varchar(max)'),
    column(7, 'price', 'decimal', 'money'),
  ],
  primaryKey: { columns: ['id'] },
  uniqueKeys: [{ columns: ['name', 'price'] }],
  foreignKeys: [],
  indexes: [],
};

/** The counts statement's answer for 4 rows of `dataset`, every value present, `distinct` of each. */
const countsOf = (dataset: Dataset, distinct: number) =>
  Object.fromEntries([
    ['n', 4],
    ...dataset.columns.flatMap((_, i) => [
      [`c${i}`, 4],
      [`d${i}`, distinct],
    ]),
  ]);

/** Counts of ORDERS with 4 rows, every value present and distinct. */
const EVERY_VALUE_DISTINCT = countsOf(ORDERS, 4);

/** The first statement of a profile: row, non-null and distinct counts. */
const isCounts = (sql: string) => /^SELECT COUNT(_BIG)?\(\*\) AS n,/.test(sql);

/** Profiles ORDERS against recorded answers; returns the statements sent and the observation. */
function profile(answer?: (sql: string) => Record<string, unknown>[], distinctLimit = 100) {
  return profileWithAnswers(ORDERS, answer, distinctLimit);
}

describe('SQL Server push-down keys', () => {
  it('collates character text only, converting GUIDs, xml, (n)text and hierarchyid (its path) first', async () => {
    const { sent } = await profile();
    const counts = sent[0]!;
    const key = (text: string) => `(${text} + NCHAR(0)) COLLATE Latin1_General_BIN2`;
    expect(counts).toContain(`COUNT_BIG(DISTINCT ${key('CONVERT(nvarchar(max), t.[id])')}) AS d0`);
    expect(counts).toContain(`COUNT_BIG(DISTINCT ${key('t.[name]')}) AS d1`);
    expect(counts).toContain(`COUNT_BIG(DISTINCT ${key('CONVERT(nvarchar(max), t.[doc])')}) AS d2`);
    expect(counts).toContain(`COUNT_BIG(DISTINCT ${key('CAST(t.[notes] AS nvarchar(max))')}) AS d3`);
    // ToString() is an nvarchar(4000): nvarchar(max) keeps the sentinel of the longest path.
    expect(counts).toContain(
      `COUNT_BIG(DISTINCT ${key('CAST(t.[node].ToString() AS nvarchar(max))')}) AS d4`,
    );
    // A long text would overflow nvarchar(4000) and lose its sentinel: nvarchar(max) keeps it.
    expect(counts).toContain(`COUNT_BIG(DISTINCT ${key('CAST(t.[memo] AS nvarchar(max))')}) AS d5`);
    for (const name of ['id', 'doc', 'notes', 'node', 'memo'])
      expect(counts).not.toContain(`t.[${name}] COLLATE`);
  });

  it('keeps trailing spaces apart: SQL Server pads before comparing, the key ends with NCHAR(0) instead', async () => {
    const { observation } = await profile((sql) => {
      if (isCounts(sql)) return [{ n: 4, c1: 4, d1: 2 }];
      if (sql.includes('GROUPING SETS'))
        return [
          { i: 1, v1: 'abc\0', n: 3 },
          { i: 1, v1: 'abc \0', n: 1 },
        ];
      return [];
    });
    expect([...observation.columns[1]!.frequencies]).toEqual([
      ['abc', 3],
      ['abc ', 1],
    ]);
  });

  it('reads the value sample through the key, so every sampled text is stripped alike', async () => {
    const { sent } = await profile((sql) => (isCounts(sql) ? [{ n: 4, c1: 4, d1: 4 }] : []), 1);
    const sample = sent.find((s) => s.startsWith('SELECT TOP (20000)'))!;
    expect(sample).toContain('(t.[name] + NCHAR(0)) COLLATE Latin1_General_BIN2 AS v1');
    expect(mssqlPushdown.driverValue!('x \0', ORDERS.columns[1]!)).toBe('x ');
  });

  it('measures the text of GUIDs, xml, (n)text and CLR types, which LEN, UNICODE and TRIM refuse as such', async () => {
    const { sent } = await profile((sql) => (isCounts(sql) ? [EVERY_VALUE_DISTINCT] : []), 1);
    const aggregates = sent.find((s) => s.startsWith('SELECT MIN('))!;
    expect(aggregates).toContain("(LEN(CONVERT(nvarchar(max), d.x0) + N'.') - 1)");
    expect(aggregates).toContain('UNICODE(RIGHT(CONVERT(nvarchar(max), d.x2), 1))');
    expect(aggregates).toContain("REPLACE(CAST(t.[notes] AS nvarchar(max)), NCHAR(9), N' ')");
    expect(aggregates).toContain('UNICODE(CAST(d.x4.ToString() AS nvarchar(max)))');
  });

  it('keys image columns as varbinary(max), measures long texts whole, and trims without SQL Server 2017’s TRIM', async () => {
    const dataset: Dataset = {
      ...ORDERS,
      columns: [
        column(1, 'id', 'integer', 'int'),
        column(2, 'scan', 'binary', 'image'),
        column(3, 'body', 'string', 'nvarchar(4000)', { length: 4000 }),
        column(4, 'code', 'string', 'varchar(8000)', { length: 8000 }),
        column(5, 'tag', 'string', 'nvarchar(20)', { length: 20 }),
      ],
      // No key: copies of whole rows are counted.
      primaryKey: null,
      uniqueKeys: [],
    };
    // Every value present, none unique: no candidate key, so copies of whole rows are looked for.
    const counted = countsOf(dataset, 2);
    const { sent } = await profileWithAnswers(dataset, (sql) => (isCounts(sql) ? [counted] : []), 1);
    const counts = sent[0]!;
    // COUNT(DISTINCT image) is error 306: text, ntext and image cannot be compared.
    expect(counts).toContain('COUNT_BIG(DISTINCT CAST(t.[scan] AS varbinary(max)))');
    expect(counts).not.toMatch(/DISTINCT t\.\[scan\]/);
    const aggregates = sent.find((s) => s.startsWith('SELECT MIN('))!;
    // A concatenation of types other than max stops at 4,000 characters: LEN would say 3,999.
    expect(aggregates).toContain("(LEN(CAST(d.x2 AS nvarchar(max)) + N'.') - 1)");
    expect(aggregates).toContain("(LEN(CAST(d.x3 AS nvarchar(max)) + N'.') - 1)");
    expect(aggregates).toContain("(LEN(d.x4 + N'.') - 1)");
    for (const statement of sent) expect(statement).not.toMatch(/\bTRIM\(/);
    // Binary examples travel as `0x…` hex (style 1) and come back as the bytes.
    const scan = dataset.columns[1]!;
    expect(mssqlPushdown.transport!('x.g0', scan)).toBe(
      'CONVERT(nvarchar(max), CAST(x.g0 AS varbinary(max)), 1)',
    );
    expect(mssqlPushdown.driverValue!('0x01FF', scan)).toEqual(Buffer.from([1, 255]));
    // Copies of whole rows compare the bytes too, by their digest.
    const copies = sent.find((s) => s.includes('HAVING COUNT_BIG(*) > 1') && s.includes('t.[tag]'))!;
    expect(copies).toContain("HASHBYTES('SHA2_256', CAST(t.[scan] AS varbinary(max)))");
  });
});

describe('SQL Server push-down counts', () => {
  it('count in bigint (COUNT_BIG), and never pass text, ntext or image to COUNT', async () => {
    const { sent } = await profile();
    const counts = sent[0]!;
    expect(counts).toMatch(/^SELECT COUNT_BIG\(\*\) AS n, COUNT_BIG\(t\.\[id\]\) AS c0, /);
    expect(counts).toContain('COUNT_BIG(CASE WHEN t.[notes] IS NOT NULL THEN 1 END) AS c3');
    expect(counts).toContain(
      'COUNT_BIG(CASE WHEN t.[name] IS NOT NULL AND t.[price] IS NOT NULL THEN 1 END) AS kr1',
    );
    expect(counts).not.toMatch(/\bCOUNT\(|SUM\(CASE/);
  });

  it('count frequencies, aggregates and duplicates in bigint too', async () => {
    const { sent } = await profile((sql) => (isCounts(sql) ? [{ n: 4, c1: 4, d1: 4, c0: 4, d0: 3 }] : []), 2);
    expect(sent.filter((s) => /\bCOUNT\(|SUM\(CASE/.test(s))).toEqual([]);
    expect(
      sent.some((s) => s.includes('COUNT_BIG(*) AS n FROM [dbo].[orders] t GROUP BY GROUPING SETS')),
    ).toBe(true);
    expect(sent.some((s) => s.includes('HAVING COUNT_BIG(*) > 1'))).toBe(true);
    const aggregates = sent.find((s) => s.startsWith('SELECT MIN('))!;
    expect(aggregates).toContain('COUNT_BIG(CASE WHEN d.z1 = 1 THEN 1 END) AS z1_0');
  });
});

describe('SQL Server exact numerics', () => {
  it('carry money through text with all 4 decimals (style 2), not the default 2', async () => {
    const { sent } = await profile();
    expect(sent[0]).toContain(
      "LEN(CONVERT(nvarchar(max), t.[price], 2) + N'.') - 1, N':', CONVERT(nvarchar(max), t.[price], 2)",
    );
  });

  it('are read as text: decimal and numeric exact, money with its 4 decimals', async () => {
    const dataset: Dataset = {
      ...ORDERS,
      columns: [
        column(1, 'id', 'integer', 'int'),
        column(2, 'big', 'decimal', 'decimal(38,3)', { precision: 38, scale: 3 }),
        column(3, 'rate', 'decimal', 'numeric(9,4)', { precision: 9, scale: 4 }),
        column(4, 'price', 'decimal', 'money'),
        column(5, 'fee', 'decimal', 'smallmoney'),
      ],
      primaryKey: { columns: ['id'] },
      uniqueKeys: [],
    };
    const sent: string[] = [];
    const dialect: SqlDialect = {
      ...mssqlDialect,
      openCatalog: undefined,
      catalog: async () => ({ datasets: [dataset] }),
      async *streamRowArrays(_db, sql) {
        sent.push(sql);
        // What SQL Server returns for those CONVERTs.
        yield [[1, '12345678901234567890123456789012345.125', '0.0001', '922337203685477.5807', '-0.0001']];
      },
    };
    const config = {
      kind: 'mssql',
      host: 'sql01',
      database: 'crm',
      user: 'u',
      password: 'p',
    } as SqlEntryConfig;
    const connector = new SqlConnector(dialect, config, { name: 'erp', mode: 'audit' });
    const rows = [];
    for await (const batch of connector.read({ name: 'dbo.orders' })) rows.push(...batch);
    await connector.close();
    expect(sent).toEqual([
      'SELECT [id] AS c0, CONVERT(varchar(48), [big]) AS c1, CONVERT(varchar(48), [rate]) AS c2, CONVERT(varchar(48), [price], 2) AS c3, CONVERT(varchar(48), [fee], 2) AS c4 FROM [dbo].[orders]',
    ]);
    expect(rows).toEqual([
      [1, '12345678901234567890123456789012345.125', '0.0001', '922337203685477.5807', '-0.0001'],
    ]);
  });
});

// A writer over a recording stand-in for tedious (`fakeMssql`).
async function recordedWriter(answer: FakeAnswer) {
  const { db, log } = fakeMssql(answer);
  const writer = await createMssqlWriter(
    db,
    { dataset: 'dbo.t', columns: ['id', 'amount', 'placed'], key: ['id'] },
    {
      columns: [
        column(1, 'id', 'integer', 'int'),
        column(2, 'amount', 'decimal', 'decimal(12,3)'),
        column(3, 'placed', 'timestamp', 'datetime'),
      ],
    },
  );
  return { writer, log };
}

function batch(): WriteBatch {
  return {
    upserts: [
      [1, '1.5', '2024-01-01T00:00:00Z'],
      [2, 'abc', '2024-01-01T00:00:00Z'],
      [3, '2', '2024-01-01T00:00:00Z'],
    ],
    inserts: [[4, '1', 'not a date']],
    deletes: [['x']],
    checkpoint: {
      mapping: 'm',
      runId: 'r',
      batches: 1,
      sourceRows: 4,
      done: false,
      fingerprint: 'f',
      updatedAt: '2024-05-01T10:00:00.000Z',
    },
  };
}
