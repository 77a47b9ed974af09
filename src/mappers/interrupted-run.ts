/**
 * What `plan` knows of an interrupted run: it reads the target's checkpoint table on its read-only
 * session (no writer opened), so that a plan made after a crash says that `migrate` needs `--resume`
 * and counts what the resume would do, including the rows it takes back after a fresh load.
 */

import { SqlConnector } from '../connectors/sql/sql-connector.ts';
import { CHECKPOINT_TABLE } from '../connectors/sql/sql-writer.ts';
import type { Connector } from '../connectors/types.ts';
import { FRESH_LOAD_MARK } from './fresh-load.ts';
import type { PreparedMapping } from './preflight.ts';

/** An interrupted run of a mapping, as its checkpoint records it. */
export interface InterruptedRun {
  readonly runId: string;
  readonly batches: number;
  readonly sourceRows: number;
  /** The run was a fresh load: the target was empty when it began. */
  readonly freshLoad: boolean;
}

/** The mapping's interrupted run, or null when its last run finished (or none ran, or the target has no table). */
export async function readInterruptedRun(
  prepared: PreparedMapping,
  target: Connector,
): Promise<InterruptedRun | null> {
  if (!(target instanceof SqlConnector)) return null;
  const db = await target.db();
  const schema = prepared.target.kind === 'sqlite' ? undefined : prepared.target.dataset.schema;
  const exists =
    schema === undefined
      ? db.schema.hasTable(CHECKPOINT_TABLE)
      : db.schema.withSchema(schema).hasTable(CHECKPOINT_TABLE);
  if (!(await exists)) return null;
  const query = db
    .select('run_id', 'batches', 'source_rows', 'done')
    .from(CHECKPOINT_TABLE)
    .where('mapping', prepared.config.name);
  const rows = (await (schema === undefined ? query : query.withSchema(schema))) as {
    run_id: string;
    batches: number | string;
    source_rows: number | string;
    done: boolean | number | string;
  }[];
  const row = rows[0];
  if (!row || row.done === true || Number(row.done) === 1) return null;
  const runId = String(row.run_id);
  return {
    runId,
    batches: Number(row.batches),
    sourceRows: Number(row.source_rows),
    freshLoad: runId.endsWith(FRESH_LOAD_MARK),
  };
}

/** `MAP_RUN_INTERRUPTED`: the plan shows what `migrate --resume` would do. */
export function interruptedRunWarning(
  prepared: PreparedMapping,
  run: InterruptedRun,
): { path: string; code: string; message: string } {
  return {
    path: `mappings[${prepared.index}]`,
    code: 'MAP_RUN_INTERRUPTED',
    message: `an interrupted run (${run.runId}) stopped after batch ${run.batches} (${run.sourceRows} rows applied): \`migrate\` refuses to start until it is resumed; this plan is what \`migrate --resume\` would do${run.freshLoad ? ', including deleting the rows the fresh load wrote under keys the source holds more than once' : ''}`,
  };
}
