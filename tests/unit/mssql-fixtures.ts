/**
 * Fixtures of the SQL Server tests: columns, and a recording stand-in for a tedious connection behind knex's mssql client, for the SQL Server writer's
 * tests: every statement is logged (a MERGE as `MERGE from-to`, others by their first line), bulk loads
 * keep their rows, and `answer` gives a statement's rows, an error to fail it, or undefined for an empty
 * success.
 */
import type { Knex } from 'knex';
import type { Request } from 'tedious';
import { quoteMssql } from '../../src/connectors/mssql/mssql-catalog.ts';
import { mssqlValue } from '../../src/connectors/mssql/mssql-dialect.ts';
import { mssqlPushdown } from '../../src/connectors/mssql/mssql-pushdown.ts';
import { pushdownProfile } from '../../src/connectors/sql/sql-pushdown.ts';
import type { Column, Dataset } from '../../src/core/inventory.ts';
import type { DatasetObservation } from '../../src/profilers/observation.ts';

/** A SQL Server column at `position`; the first is the primary key, the others nullable. */
export const column = (
  position: number,
  name: string,
  type: Column['type'],
  nativeType: string,
  extra: Partial<Column> = {},
): Column => ({
  name,
  type,
  nativeType,
  nullable: position !== 1,
  primaryKey: position === 1,
  position,
  ...extra,
});

/** Rows for a statement, the error it fails with, or undefined: no rows. */
export type FakeAnswer = (
  sql: string,
  params: Readonly<Record<string, unknown>>,
) => Record<string, unknown>[] | Error | undefined;

/** The fake's knex handle, its log and the rows of its last bulk load. */
export interface FakeMssql {
  readonly db: Knex;
  readonly log: string[];
  readonly bulk: { rows: unknown[][] };
}

export function fakeMssql(answer: FakeAnswer): FakeMssql {
  const log: string[] = [];
  const bulk = { rows: [] as unknown[][] };
  const connection = {
    execSqlBatch: (request: Request) => respond(request),
    execSql: (request: Request) => respond(request),
    newBulkLoad: (_table: string, _options: unknown, done: (error: Error | null) => void) => ({
      addColumn: () => undefined,
      done,
    }),
    execBulkLoad: (load: { done: (error: Error | null) => void }, rows: unknown[][]) => {
      bulk.rows = rows;
      log.push(`BULK ${rows.length}`);
      load.done(null);
    },
  };
  function respond(request: Request): void {
    const text = request.sqlTextOrProcedure ?? '';
    const params = Object.fromEntries(request.parameters.map((p) => [p.name, p.value]));
    log.push(text.startsWith('DECLARE @actions') ? `MERGE ${params.p1}-${params.p2}` : text.split('\n')[0]!);
    queueMicrotask(() => {
      const answered = answer(text, params);
      if (answered instanceof Error) {
        request.callback(answered as never, 0);
        return;
      }
      for (const row of answered ?? []) {
        request.emit(
          'row',
          Object.entries(row).map(([colName, value]) => ({ value, metadata: { colName } })),
        );
      }
      request.callback(undefined as never, 0);
    });
  }
  const db = {
    client: { acquireConnection: async () => connection, releaseConnection: async () => undefined },
    emit: () => true,
  } as unknown as Knex;
  return { db, log, bulk };
}

/**
 * Profiles `dataset` through the SQL Server push-down against recorded answers (`answer` gives a statement's
 * rows, as tedious would hand them over); returns the statements sent and the observation.
 */
export async function profileWithAnswers(
  dataset: Dataset,
  answer: (sql: string) => Record<string, unknown>[] = () => [],
  distinctLimit = 100,
): Promise<{ sent: string[]; observation: DatasetObservation }> {
  const sent: string[] = [];
  const db = {
    client: { positionBindings: (sql: string) => sql },
    raw: async (sql: string) => {
      sent.push(sql);
      return answer(sql);
    },
  } as unknown as Knex;
  const observation = await pushdownProfile(
    { db, dataset, resolve: () => undefined, quote: quoteMssql, toValue: mssqlValue, dialect: mssqlPushdown },
    { distinctLimit },
  );
  return { sent, observation };
}
