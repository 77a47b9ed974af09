/**
 * The worker thread that runs an SQLite source's push-down statements (its protocol is in
 * sqlite-query-thread.ts, the only module that starts it): it opens the file read-only, registers
 * stocktake's functions, and answers each statement with its rows, exact integers kept.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { exactRows, registerStocktakeFunctions } from './sqlite-functions.ts';
import type { QueryReply, QueryRequest, QueryThreadData } from './sqlite-query-thread.ts';

const port = parentPort!;
const { path } = workerData as QueryThreadData;
const connection = new Database(path, { readonly: true, fileMustExist: true });
registerStocktakeFunctions(connection);

port.on('message', (request: QueryRequest) => {
  let reply: QueryReply;
  try {
    reply = { id: request.id, rows: exactRows(connection, request.sql) };
  } catch (error) {
    const { message, code } = error as Error & { code?: string };
    reply = { id: request.id, error: { message, ...(code ? { code } : {}) } };
  }
  port.postMessage(reply);
});
