/** The PostgreSQL count script without a server: which tables are copied, chunk transactions, reading results. */
import { describe, expect, it } from 'vitest';
import {
  COPY_COUNT_MAX_ROWS,
  copyColumns,
  countScript,
  type PgResult,
  type PostgresCountTarget,
} from '../../src/connectors/postgres/postgres-counts.ts';
import { COUNT_CHUNK } from '../../src/connectors/sql/row-counts.ts';

const table = (key: string, extra: Partial<PostgresCountTarget> = {}): PostgresCountTarget => ({
  key,
  schema: 'sales',
  table: `t${key}`,
  copyable: true,
  expectedRows: 10,
  ...extra,
});

const control = (command: string): PgResult => ({ command, rowCount: null, rows: [] });
const copied = (n: number): PgResult => ({ command: 'COPY', rowCount: n, rows: [] });

describe('PostgreSQL count script', () => {
  it('copies each small table by its narrowest fixed-width stored column, the first declared of equal ones', () => {
    const column = (name: string, position: number, width: number, generated: string | null = null) => ({
      name,
      position,
      width,
      generated,
    });
    const columns = new Map([
      // text (-1), int4, a generated boolean, int8, boolean, int2, then a second boolean.
      [
        '1',
        [
          column('note', 1, -1),
          column('id', 2, 4),
          column('flag_gen', 3, 1, 's'),
          column('big', 4, 8),
          column('flag', 5, 1),
          column('small', 6, 2),
          column('other_flag', 7, 1),
        ],
      ],
      ['2', [column('note', 1, -1), column('payload', 2, -2)]],
      ['3', [column('id', 1, 4)]],
      ['4', [column('id', 1, 4)]],
    ]);
    const chosen = copyColumns(
      [table('1'), table('2'), table('3', { expectedRows: COPY_COUNT_MAX_ROWS + 1 }), table('4'), table('5')],
      (key) => columns.get(key),
      (c) => c.width,
    );
    // 2 has only variable-width columns, 3 is too large to copy, 5 has no columns listed.
    expect([...chosen]).toEqual([
      ['1', 'flag'],
      ['4', 'id'],
    ]);
  });

  it('copies small copyable tables that have a fixed-width column and counts the rest', () => {
    const targets = [
      table('1'),
      table('2', { copyable: false }),
      table('3', { expectedRows: COPY_COUNT_MAX_ROWS + 1 }),
      table('4', { expectedRows: null }),
      table('5'),
      table('6', { table: 'what "?"' }),
    ];
    // Table 5 has no fixed-width column.
    const script = countScript(
      targets,
      new Map([
        ['1', 'id'],
        ['2', 'id'],
        ['3', 'id'],
        ['4', 'id'],
        ['6', 'a "b"'],
      ]),
    );
    expect(script.sql.split(';\n')).toEqual([
      'BEGIN',
      'COPY "sales"."t1" ("id") TO STDOUT',
      'COPY "sales"."what ""?""" ("a ""b""") TO STDOUT',
      'SELECT 0 AS i, COUNT(*) AS n FROM "sales"."t2" UNION ALL SELECT 1 AS i, COUNT(*) AS n FROM "sales"."t3" UNION ALL SELECT 2 AS i, COUNT(*) AS n FROM "sales"."t4" UNION ALL SELECT 3 AS i, COUNT(*) AS n FROM "sales"."t5"',
      'COMMIT',
    ]);
    const counts = new Map<string, number>();
    script.read(
      [
        control('BEGIN'),
        copied(7),
        copied(0),
        {
          command: 'SELECT',
          rowCount: 4,
          rows: [
            { i: 0, n: '2' },
            { i: 1, n: '3000' },
            { i: 2, n: '4' },
            { i: 3, n: '5' },
          ],
        },
        control('COMMIT'),
      ],
      counts,
    );
    expect(Object.fromEntries(counts)).toEqual({ '1': 7, '2': 2, '3': 3000, '4': 4, '5': 5, '6': 0 });
  });

  it('gives each chunk of tables its own transaction', () => {
    const targets = Array.from({ length: COUNT_CHUNK + 1 }, (_, i) => table(String(i)));
    const statements = countScript(targets, new Map(targets.map((t) => [t.key, 'id']))).sql.split(';\n');
    expect(statements.filter((s) => s === 'BEGIN')).toHaveLength(2);
    expect(statements.filter((s) => s === 'COMMIT')).toHaveLength(2);
    expect(statements.indexOf('COMMIT')).toBe(COUNT_CHUNK + 1);
    expect(statements.filter((s) => s.startsWith('COPY'))).toHaveLength(COUNT_CHUNK + 1);
  });

  it('refuses results that do not match its statements', () => {
    const script = countScript([table('1')], new Map([['1', 'id']]));
    expect(() => script.read([control('BEGIN'), copied(1)], new Map())).toThrow(/2 results for 3 statements/);
    expect(() =>
      script.read(
        [control('BEGIN'), { command: 'SELECT', rowCount: 1, rows: [] }, control('COMMIT')],
        new Map(),
      ),
    ).toThrow(/expected a COPY result/);
  });
});
