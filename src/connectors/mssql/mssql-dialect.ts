/** The SQL Server backend of the shared SQL connector. */
import type { Knex } from 'knex';
import { Request } from 'tedious';
import type { Column } from '../../core/inventory.ts';
import type { SqlDialect } from '../sql/sql-dialect.ts';
import { toPlainValue } from '../sql/sql-values.ts';
import type { Value } from '../types.ts';
import { mssqlCatalog, quoteMssql } from './mssql-catalog.ts';
import { type MssqlConnectionConfig, mssqlKnexConfig } from './mssql-connection.ts';
import { mssqlPushdown } from './mssql-pushdown.ts';
import { mssqlClrText, mssqlNumericText } from './mssql-value-text.ts';

/** Rows buffered before the request is paused; at most twice this many are held (one batch yielded, one filling). */
export const MSSQL_STREAM_HIGH_WATER = 2000;

/** SQL Server: tedious through knex, sys.* inventory, bracketed identifiers, paused streaming reads. */
export const mssqlDialect: SqlDialect = {
  kind: 'mssql',
  product: 'SQL Server',
  knexConfig: (config, mode, source) => mssqlKnexConfig(config as MssqlConnectionConfig, mode, source),
  catalog: mssqlCatalog,
  quoteIdentifier: quoteMssql,
  toValue: mssqlValue,
  selectColumn: mssqlSelectColumn,
  streamRowArrays: streamMssqlRowArrays,
  pushdown: mssqlPushdown,
};

/**
 * Reads decimal and numeric as their exact text (tedious gives a JavaScript number, which rounds past 15
 * digits), money with all 4 of its decimals, and hierarchyid, geography and geometry as their text form (a path,
 * WKT) instead of their storage bytes.
 */
export function mssqlSelectColumn(quoted: string, column: Column): string {
  if (column.type === 'decimal') return mssqlNumericText(quoted, column.nativeType) ?? quoted;
  if (column.type === 'string') return mssqlClrText(quoted, column.nativeType) ?? quoted;
  return quoted;
}

/** Converts a tedious value: times and naive timestamps keep their declared fractional digits and no zone. */
export function mssqlValue(value: unknown, column: Column): Value {
  if (value instanceof Date) {
    if (column.type === 'time') return clockOf(value, fractionDigits(column)).replace(/^.*T/, '');
    if (column.type === 'timestamp') {
      const text = clockOf(value, fractionDigits(column));
      // Only datetimeoffset is an instant (tedious gives it in UTC); the others are wall-clock values.
      return column.nativeType.startsWith('datetimeoffset') ? `${text}Z` : text;
    }
  }
  // User CLR types arrive in their binary form; hex keeps them intact and readable.
  if (column.type === 'string' && Buffer.isBuffer(value)) return `0x${value.toString('hex').toUpperCase()}`;
  return toPlainValue(value, column);
}

/**
 * Streams the rows of a query with tedious's pause/resume, so a slow consumer never buffers a table:
 * batches of what has arrived, each row its values in select-list order.
 */
export async function* streamMssqlRowArrays(db: Knex, sql: string): AsyncIterable<unknown[][]> {
  const client = db.client as unknown as PoolClient;
  db.emit('query', { sql });
  const connection = await client.acquireConnection();
  let buffer: unknown[][] = [];
  let done = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  let completed!: () => void;
  const completion = new Promise<void>((resolve) => {
    completed = resolve;
  });
  const request = new Request(sql, (error) => {
    done = true;
    failure = error ?? undefined;
    wake?.();
    completed();
  });
  request.on('row', (columns: readonly RawColumnValue[]) => {
    const row: unknown[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) row[i] = columns[i]!.value;
    buffer.push(row);
    if (buffer.length >= MSSQL_STREAM_HIGH_WATER) request.pause();
    wake?.();
  });
  try {
    connection.execSql(request);
    while (true) {
      if (failure) throw failure;
      if (buffer.length === 0) {
        if (done) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      const ready = buffer;
      buffer = [];
      request.resume();
      yield ready;
    }
  } finally {
    // The consumer stopped early (or failed): cancel the request so the connection is clean for the pool.
    if (!done) {
      connection.cancel();
      await completion;
    }
    await client.releaseConnection(connection);
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

// `YYYY-MM-DDTHH:MM:SS.fffffff` from the UTC fields (tedious reads with useUTC) plus its sub-millisecond part.
function clockOf(date: Date & { nanosecondsDelta?: number }, digits: number): string {
  const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const clock = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  if (digits === 0) return `${day}T${clock}`;
  const ticks = date.getUTCMilliseconds() * 10_000 + Math.round((date.nanosecondsDelta ?? 0) * 10_000_000);
  return `${day}T${clock}.${pad(ticks, 7).slice(0, digits)}`;
}

function fractionDigits(column: Column): number {
  if (column.scale !== undefined) return column.scale;
  if (column.nativeType === 'smalldatetime') return 0;
  return 3;
}

interface PoolClient {
  acquireConnection(): Promise<TediousConnection>;
  releaseConnection(connection: TediousConnection): Promise<unknown>;
}

interface TediousConnection {
  execSql(request: Request): void;
  cancel(): boolean;
}

interface RawColumnValue {
  value: unknown;
}
