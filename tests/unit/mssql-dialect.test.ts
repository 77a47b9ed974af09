/** SQL Server SQL generation and reads without a server: quoting, exact counts, TOP (n), values, paused streams. */
import { EventEmitter } from 'node:events';
import type { Knex } from 'knex';
import type { Request } from 'tedious';
import { describe, expect, it } from 'vitest';
import { MSSQL_COUNT_EXPRESSION, quoteMssql } from '../../src/connectors/mssql/mssql-catalog.ts';
import {
  MSSQL_STREAM_HIGH_WATER,
  mssqlDialect,
  mssqlValue,
  streamMssqlRowArrays,
} from '../../src/connectors/mssql/mssql-dialect.ts';
import { countRowsExactly } from '../../src/connectors/sql/row-counts.ts';
import { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import type { SqlDialect, SqlEntryConfig } from '../../src/connectors/sql/sql-dialect.ts';
import type { Column, Dataset } from '../../src/core/inventory.ts';

describe('SQL Server identifiers', () => {
  it('brackets names and doubles closing brackets', () => {
    expect(quoteMssql('we]ird')).toBe('[we]]ird]');
    expect(quoteMssql('order')).toBe('[order]');
    expect(quoteMssql('a "b" [c]')).toBe('[a "b" [c]]]');
    expect(mssqlDialect.quoteIdentifier('x]]y')).toBe('[x]]]]y]');
  });
});

describe('SQL Server exact counts', () => {
  it('counts every table of a chunk in one COUNT_BIG UNION ALL statement', async () => {
    const sent: string[] = [];
    const db = {
      raw: async (sql: string) => {
        sent.push(sql);
        return [
          { i: 0, n: '12' },
          { i: 1, n: '3000000000' },
        ];
      },
    } as unknown as Knex;
    const counts = await countRowsExactly(
      db,
      [
        { key: '201', schema: 'audit', table: 'we]ird' },
        { key: '102', schema: 'sales', table: 'order' },
      ],
      quoteMssql,
      MSSQL_COUNT_EXPRESSION,
    );
    expect(sent).toEqual([
      'SELECT 0 AS i, COUNT_BIG(*) AS n FROM [audit].[we]]ird] UNION ALL SELECT 1 AS i, COUNT_BIG(*) AS n FROM [sales].[order]',
    ]);
    expect(counts).toEqual(
      new Map([
        ['201', 12],
        ['102', 3_000_000_000],
      ]),
    );
  });
});

const column = (
  name: string,
  type: Column['type'],
  nativeType: string,
  extra: Partial<Column> = {},
): Column => ({
  name,
  type,
  nativeType,
  nullable: true,
  primaryKey: false,
  position: 1,
  ...extra,
});

const WEIRD: Dataset = {
  name: 'audit.we]rd "name" x',
  kind: 'table',
  rowCount: 2,
  rowCountExact: true,
  columns: [
    column('id', 'integer', 'int'),
    column('changed at', 'timestamp', 'datetimeoffset(7)', { scale: 7 }),
  ],
  primaryKey: null,
  foreignKeys: [],
  indexes: [],
  schema: 'audit',
  table: 'we]rd "name" x',
};

describe('SQL Server reads through the shared connector', () => {
  const open = () => {
    const sent: string[] = [];
    const dialect: SqlDialect = {
      ...mssqlDialect,
      openCatalog: undefined,
      catalog: async () => ({ datasets: [WEIRD] }),
      async *streamRowArrays(_db, sql) {
        sent.push(sql);
        // Values come back in the order the columns were asked for.
        yield [[new Date('2024-05-06T07:08:09.123Z'), 1]];
        yield [[null, 2]];
      },
    };
    const config = {
      kind: 'mssql',
      host: 'sql01',
      database: 'crm',
      user: 'audit',
      password: 'pw',
    } as SqlEntryConfig;
    return { connector: new SqlConnector(dialect, config, { name: 'erp', mode: 'audit' }), sent };
  };

  it('limits with SELECT TOP (n) and quotes every identifier', async () => {
    const { connector, sent } = open();
    const batches = [];
    for await (const batch of connector.read(
      { name: 'we]rd "name" x' },
      { limit: 10, columns: ['changed at', 'id'] },
    )) {
      batches.push(batch);
    }
    await connector.close();
    expect(sent).toEqual(['SELECT TOP (10) [changed at] AS c0, [id] AS c1 FROM [audit].[we]]rd "name" x]']);
    expect(batches).toEqual([
      [
        ['2024-05-06T07:08:09.1230000Z', 1],
        [null, 2],
      ],
    ]);
  });

  it('reads every column without TOP when no limit is given', async () => {
    const { connector, sent } = open();
    for await (const _ of connector.read({ name: WEIRD.name }, { where: '[id] > 0' })) {
      // drain
    }
    await connector.close();
    expect(sent).toEqual([
      'SELECT [id] AS c0, [changed at] AS c1 FROM [audit].[we]]rd "name" x] WHERE [id] > 0',
    ]);
  });
});

describe('SQL Server values', () => {
  // tedious (useUTC) gives times and datetime2 as Dates holding the wall clock in their UTC fields,
  // with the digits below the millisecond in a non-enumerable nanosecondsDelta (in seconds).
  const tediousDate = (iso: string, nanosecondsDelta = 0) => {
    const date = new Date(iso);
    Object.defineProperty(date, 'nanosecondsDelta', { enumerable: false, value: nanosecondsDelta });
    return date;
  };

  it('keeps the declared fractional digits of times and timestamps, and a zone only for datetimeoffset', () => {
    const at = tediousDate('2024-02-29T13:14:15.123Z', 0.0000456);
    expect(mssqlValue(at, column('t', 'timestamp', 'datetime2(7)', { scale: 7 }))).toBe(
      '2024-02-29T13:14:15.1230456',
    );
    expect(mssqlValue(at, column('t', 'timestamp', 'datetime2(0)', { scale: 0 }))).toBe(
      '2024-02-29T13:14:15',
    );
    expect(mssqlValue(at, column('t', 'timestamp', 'datetime'))).toBe('2024-02-29T13:14:15.123');
    expect(mssqlValue(at, column('t', 'timestamp', 'datetimeoffset(3)', { scale: 3 }))).toBe(
      '2024-02-29T13:14:15.123Z',
    );
    expect(mssqlValue(tediousDate('2024-02-29T13:14:00Z'), column('t', 'timestamp', 'smalldatetime'))).toBe(
      '2024-02-29T13:14:00',
    );
    expect(
      mssqlValue(tediousDate('1970-01-01T23:59:58.5Z'), column('t', 'time', 'time(2)', { scale: 2 })),
    ).toBe('23:59:58.50');
    expect(mssqlValue(tediousDate('2024-02-29T00:00:00Z'), column('d', 'date', 'date'))).toBe('2024-02-29');
  });

  it('converts bigint text, decimals, bits, binaries and CLR types', () => {
    expect(mssqlValue('9007199254740993', column('n', 'integer', 'bigint'))).toBe(9007199254740993n);
    expect(mssqlValue('42', column('n', 'integer', 'bigint'))).toBe(42);
    expect(mssqlValue(1234.5, column('m', 'decimal', 'decimal(12,3)'))).toBe('1234.5');
    expect(mssqlValue(true, column('b', 'boolean', 'bit'))).toBe(true);
    expect(mssqlValue(Buffer.from([1, 2]), column('v', 'binary', 'varbinary(max)'))).toEqual(
      new Uint8Array([1, 2]),
    );
    // A user CLR type has no known text method: its bytes as hex.
    expect(mssqlValue(Buffer.from([0x58, 0xa0]), column('p', 'string', 'Point'))).toBe('0x58A0');
    expect(mssqlValue('/1/2/', column('h', 'string', 'hierarchyid'))).toBe('/1/2/');
    expect(
      mssqlValue('6F9619FF-8B86-D011-B42D-00C04FC964FF', column('g', 'string', 'uniqueidentifier')),
    ).toBe('6F9619FF-8B86-D011-B42D-00C04FC964FF');
    expect(mssqlValue(null, column('x', 'string', 'xml'))).toBeNull();
  });
});

/** A stand-in tedious connection: sends `total` rows, honouring pause/resume and cancel like tedious does. */
function fakeTedious(total: number) {
  const state = { maxBuffered: 0, released: 0, canceled: false, sent: 0, sql: '' };
  let current: (Request & EventEmitter & { callback: (error?: Error) => void }) | undefined;
  const connection = {
    execSql(request: Request) {
      current = request as typeof current;
      state.sql = (request as unknown as { sqlTextOrProcedure: string }).sqlTextOrProcedure;
      const pump = () => {
        const r = current!;
        if (state.canceled) return r.callback(Object.assign(new Error('Canceled.'), { code: 'ECANCEL' }));
        while (!r.paused && state.sent < total) {
          state.sent++;
          r.emit('row', [
            { value: state.sent, metadata: { colName: 'id' } },
            { value: `n${state.sent}`, metadata: { colName: 'name' } },
          ]);
        }
        if (state.sent >= total) return r.callback();
        const next = () => {
          r.off('resume', next);
          r.off('cancel', next);
          setImmediate(pump);
        };
        r.on('resume', next);
        r.on('cancel', next);
      };
      setImmediate(pump);
    },
    cancel() {
      state.canceled = true;
      current?.cancel();
      return true;
    },
  };
  const queries: string[] = [];
  const db = Object.assign(new EventEmitter(), {
    client: {
      acquireConnection: async () => connection,
      releaseConnection: async () => {
        state.released++;
      },
    },
  });
  db.on('query', (q: { sql: string }) => queries.push(q.sql));
  return { db: db as unknown as Knex, state, queries };
}

describe('SQL Server streaming reads', () => {
  it('pauses the request at the high-water mark so a slow reader never buffers the table', async () => {
    const total = MSSQL_STREAM_HIGH_WATER * 5 + 17;
    const { db, state, queries } = fakeTedious(total);
    let seen = 0;
    let last: unknown[] | undefined;
    for await (const batch of streamMssqlRowArrays(db, 'SELECT [id], [name] FROM [dbo].[t]')) {
      for (const row of batch) {
        seen++;
        last = row;
        state.maxBuffered = Math.max(state.maxBuffered, state.sent - seen);
        if (seen % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
    }
    expect(seen).toBe(total);
    expect(last).toEqual([total, `n${total}`]);
    // One batch being yielded plus one being filled: memory is bounded by twice the high-water mark.
    expect(state.maxBuffered).toBeLessThanOrEqual(2 * MSSQL_STREAM_HIGH_WATER);
    expect(state.maxBuffered).toBeGreaterThan(0);
    expect([state.released, state.canceled]).toEqual([1, false]);
    expect(queries).toEqual(['SELECT [id], [name] FROM [dbo].[t]']);
    expect(state.sql).toBe('SELECT [id], [name] FROM [dbo].[t]');
  });

  it('cancels the request and releases the connection when the reader stops early', async () => {
    const { db, state } = fakeTedious(MSSQL_STREAM_HIGH_WATER * 10);
    let seen = 0;
    for await (const batch of streamMssqlRowArrays(db, 'SELECT 1')) {
      seen += batch.length;
      if (seen >= 10) break;
    }
    expect([state.canceled, state.released]).toEqual([true, 1]);
    expect(state.sent).toBeLessThan(MSSQL_STREAM_HIGH_WATER * 10);
  });
});
