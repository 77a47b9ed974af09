import { describe, expect, it } from 'vitest';
import { quoteMssql } from '../../src/connectors/mssql/mssql-catalog.ts';
import {
  createMssqlWriter,
  mssqlCheckpointStatements,
  mssqlStageValue,
  mssqlWriteColumn,
  mssqlWriteStatements,
} from '../../src/connectors/mssql/mssql-writer.ts';
import type { Column } from '../../src/core/inventory.ts';
import { compileColumnCheck } from '../../src/mappers/column-checks.ts';
import { FAILED, type StepFailure } from '../../src/mappers/transforms/transform-types.ts';
import { column, fakeMssql } from './mssql-fixtures.ts';

const COLUMNS: Column[] = [
  column(1, 'id', 'integer', 'int'),
  column(2, 'na]me', 'string', 'nvarchar(10)'),
  column(3, 'amount', 'decimal', 'decimal(12,3)'),
  column(4, 'placed', 'timestamp', 'datetime2(7)'),
  column(5, 'seen', 'timestamp', 'datetimeoffset(7)'),
  column(6, 'doc', 'string', 'xml'),
  column(7, 'bin', 'binary', 'varbinary(max)'),
];
const TABLE = `${quoteMssql('sales')}.${quoteMssql('we]rd "t"; DROP TABLE y; --')}`;

describe('SQL Server writer statements', () => {
  const columns = COLUMNS.map(mssqlWriteColumn);
  const sql = mssqlWriteStatements(TABLE, columns, [0], '#stocktake_stage_9');

  it('stages text and bytes and casts only non-text columns, so a cast never truncates', () => {
    expect(columns.map((c) => c.cast)).toEqual([
      'int',
      null,
      'decimal(12,3)',
      'datetime2(7)',
      'datetimeoffset(7)',
      null,
      null,
    ]);
    expect(sql.prepareStaging).toBe(
      `IF OBJECT_ID(N'tempdb..#stocktake_stage_9') IS NULL CREATE TABLE #stocktake_stage_9 (l tinyint NOT NULL, o int NOT NULL, c0 nvarchar(max) COLLATE DATABASE_DEFAULT NULL, c1 nvarchar(max) COLLATE DATABASE_DEFAULT NULL, c2 nvarchar(max) COLLATE DATABASE_DEFAULT NULL, c3 nvarchar(max) COLLATE DATABASE_DEFAULT NULL, c4 nvarchar(max) COLLATE DATABASE_DEFAULT NULL, c5 nvarchar(max) COLLATE DATABASE_DEFAULT NULL, c6 varbinary(max) NULL);
TRUNCATE TABLE #stocktake_stage_9;`,
    );
  });

  it('writes a sql_variant as an nvarchar(4000), which it holds (an nvarchar(max) is error 206)', () => {
    const variant = column(8, 'any', 'string', 'sql_variant');
    expect(mssqlWriteColumn(variant).cast).toBe('nvarchar(4000)');
    const check = compileColumnCheck(variant, { dataset: 't', targetKind: 'mssql' });
    const failure: StepFailure = { reason: '', code: 'REJECT_TRANSFORM' };
    expect(check('x'.repeat(4000), [], failure)).toBe('x'.repeat(4000));
    expect(check('x'.repeat(4001), [], failure)).toBe(FAILED);
    expect(failure.code).toBe('REJECT_TOO_LONG');
  });

  it('merges by key, updates only rows whose columns differ, and counts the OUTPUT actions', () => {
    expect(sql.upsert).toBe(`DECLARE @actions TABLE (a nvarchar(10) NOT NULL);
MERGE INTO [sales].[we]]rd "t"; DROP TABLE y; --] WITH (HOLDLOCK) AS t
USING (SELECT CAST(s.c0 AS int) AS [id], s.c1 AS [na]]me], CAST(s.c2 AS decimal(12,3)) AS [amount], CAST(s.c3 AS datetime2(7)) AS [placed], CAST(s.c4 AS datetimeoffset(7)) AS [seen], s.c5 AS [doc], s.c6 AS [bin] FROM #stocktake_stage_9 AS s WHERE s.l = @p0 AND s.o >= @p1 AND s.o < @p2) AS s
ON t.[id] = s.[id]
WHEN MATCHED AND EXISTS (SELECT CAST(CAST(s.[na]]me] AS nvarchar(max)) AS varbinary(max)), s.[amount], s.[placed], s.[seen], DATEPART(TZoffset, s.[seen]), CAST(CAST(s.[doc] AS nvarchar(max)) AS varbinary(max)), s.[bin] EXCEPT SELECT CAST(CAST(t.[na]]me] AS nvarchar(max)) AS varbinary(max)), t.[amount], t.[placed], t.[seen], DATEPART(TZoffset, t.[seen]), CAST(CAST(t.[doc] AS nvarchar(max)) AS varbinary(max)), t.[bin]) THEN
  UPDATE SET t.[na]]me] = s.[na]]me], t.[amount] = s.[amount], t.[placed] = s.[placed], t.[seen] = s.[seen], t.[doc] = s.[doc], t.[bin] = s.[bin]
WHEN NOT MATCHED BY TARGET THEN
  INSERT ([id], [na]]me], [amount], [placed], [seen], [doc], [bin]) VALUES (s.[id], s.[na]]me], s.[amount], s.[placed], s.[seen], s.[doc], s.[bin])
OUTPUT $action INTO @actions (a);
SELECT COUNT(CASE WHEN a = N'INSERT' THEN 1 END) AS inserted, COUNT(CASE WHEN a = N'UPDATE' THEN 1 END) AS updated FROM @actions;`);
  });

  it('inserts, deletes by staged key, and turns IDENTITY_INSERT on around statements writing an identity', () => {
    expect(sql.insert).toMatch(/^INSERT INTO \[sales\]\.\[we\]\]rd "t"; DROP TABLE y; --\] \(\[id\], /);
    expect(sql.insert).toContain('WHERE s.l = @p0 AND s.o >= @p1 AND s.o < @p2;');
    expect(sql.delete).toBe(
      `DELETE t FROM ${TABLE} AS t JOIN #stocktake_stage_9 AS s ON s.l = 2 AND s.o >= @p0 AND s.o < @p1 AND t.[id] = CAST(s.c0 AS int);`,
    );
    const identity = mssqlWriteStatements(
      TABLE,
      [mssqlWriteColumn({ ...COLUMNS[0]!, autoIncrement: true }), columns[1]!],
      [0],
      '#s',
    );
    expect(identity.insert.startsWith(`SET IDENTITY_INSERT ${TABLE} ON;\nINSERT INTO`)).toBe(true);
    expect(identity.insert.endsWith(`SET IDENTITY_INSERT ${TABLE} OFF;`)).toBe(true);
    expect(identity.upsert).toContain(`SET IDENTITY_INSERT ${TABLE} ON;\nMERGE INTO`);
  });

  it('names the checkpoint table only through quoting and binds every value', () => {
    const checkpoint = mssqlCheckpointStatements('[sales].[stocktake_checkpoint]');
    expect(checkpoint.create).toMatch(
      /^IF OBJECT_ID\(@name, N'U'\) IS NULL CREATE TABLE \[sales\]\.\[stocktake_checkpoint\] /,
    );
    expect(checkpoint.save).toContain(
      'WHERE mapping = @p0;\nIF @@ROWCOUNT = 0 INSERT INTO [sales].[stocktake_checkpoint]',
    );
    expect(checkpoint.read).toContain('CONVERT(nvarchar(40), updated_at, 127) AS updated_at');
  });

  it('stages values as text: instants as UTC wall clock for zone-less types, JSON, flags, big integers, bytes', () => {
    const [id, name, , placed, seen, , bin] = columns;
    expect(mssqlStageValue(9007199254740993n, id!)).toBe('9007199254740993');
    expect(mssqlStageValue(true, id!)).toBe('1');
    expect(mssqlStageValue('2024-03-04T00:30:00.1234567+01:00', placed!)).toBe('2024-03-03T23:30:00.1234567');
    expect(mssqlStageValue('2024-03-04T00:30:00+01:00', seen!)).toBe('2024-03-04T00:30:00+01:00');
    expect(mssqlStageValue({ a: 1 }, name!)).toBe('{"a":1}');
    expect(mssqlStageValue(new Uint8Array([1, 2]), bin!)).toEqual(Buffer.from([1, 2]));
    expect(mssqlStageValue(null, name!)).toBeNull();
    const json = mssqlWriteColumn(column(8, 'j', 'json', 'nvarchar(max)'));
    expect(mssqlStageValue('text', json)).toBe('"text"');
  });
});

describe('SQL Server writer batch flow', () => {
  it('bulk loads, isolates a refused row by savepoints, and commits the checkpoint with the rows', async () => {
    // The MERGE over a range holding row 1 fails as SQL Server would for a CHECK constraint (547).
    const { db, log, bulk } = fakeMssql((text, params) => {
      if (!text.startsWith('DECLARE @actions')) return undefined;
      const from = Number(params.p1);
      const to = Number(params.p2);
      if (from <= 1 && to > 1)
        return Object.assign(
          new Error('The INSERT statement conflicted with the CHECK constraint "ck_qty".'),
          {
            number: 547,
          },
        );
      return [{ inserted: to - from, updated: 0 }];
    });
    const writer = await createMssqlWriter(
      db,
      { dataset: 'sales.t', columns: ['id', 'na]me'], key: ['id'] },
      { columns: COLUMNS },
    );
    const result = await writer.applyBatch({
      upserts: [
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
      deletes: [[9]],
      checkpoint: {
        mapping: 'm',
        runId: 'r',
        batches: 1,
        sourceRows: 3,
        done: false,
        fingerprint: 'f',
        updatedAt: '2024-05-01T10:00:00.000Z',
      },
    });
    expect(result).toEqual({
      inserted: 2,
      updated: 0,
      deleted: 0,
      rejected: [{ list: 'upserts', index: 1, reason: expect.stringContaining('CHECK constraint "ck_qty"') }],
    });
    expect(bulk.rows).toEqual([
      [0, 0, '1', 'a'],
      [0, 1, '2', 'b'],
      [0, 2, '3', 'c'],
      [2, 0, '9', null],
    ]);
    expect(log).toEqual([
      "IF OBJECT_ID(@name, N'U') IS NULL CREATE TABLE [sales].[stocktake_checkpoint] (mapping nvarchar(450) NOT NULL PRIMARY KEY,",
      'SET XACT_ABORT OFF',
      'BEGIN TRANSACTION',
      "IF OBJECT_ID(N'tempdb..#stocktake_stage_1') IS NULL CREATE TABLE #stocktake_stage_1 (l tinyint NOT NULL, o int NOT NULL, c0 nvarchar(max) COLLATE DATABASE_DEFAULT NULL, c1 nvarchar(max) COLLATE DATABASE_DEFAULT NULL);",
      'BULK 4',
      'DELETE s OUTPUT DELETED.l, DELETED.o, x.c FROM #stocktake_stage_1 AS s',
      'SAVE TRANSACTION stocktake_rows',
      'DELETE t FROM [sales].[t] AS t JOIN #stocktake_stage_1 AS s ON s.l = 2 AND s.o >= @p0 AND s.o < @p1 AND t.[id] = CAST(s.c0 AS int);',
      'SAVE TRANSACTION stocktake_rows',
      'MERGE 0-3',
      'ROLLBACK TRANSACTION stocktake_rows',
      'SAVE TRANSACTION stocktake_rows',
      'MERGE 0-2',
      'ROLLBACK TRANSACTION stocktake_rows',
      'SAVE TRANSACTION stocktake_rows',
      'MERGE 0-1',
      'SAVE TRANSACTION stocktake_rows',
      'MERGE 1-2',
      'ROLLBACK TRANSACTION stocktake_rows',
      'SAVE TRANSACTION stocktake_rows',
      'MERGE 2-3',
      'UPDATE [sales].[stocktake_checkpoint] SET run_id = @p1, batches = @p2, source_rows = @p3, done = @p4, fingerprint = @p5,',
      'COMMIT TRANSACTION',
    ]);
  });
});
