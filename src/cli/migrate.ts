/** `stocktake migrate`: applies the mappings (or a saved plan), verifies, writes run.json and the rejects files. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { EXIT, StocktakeError } from '../core/errors.ts';
import type { PlanDocument, RunDocument } from '../core/plan.ts';
import { mappingStepProblems } from '../mappers/mapping-step-checks.ts';
import { DEFAULT_MEMORY_ROWS } from '../mappers/spill-partitions.ts';
import { writeDocument } from '../stages/documents.ts';
import { runMigrate } from '../stages/migrate-stage.ts';
import { type CommonOptions, loadConfigFrom, reportError, runCommand, withCommonOptions } from './common.ts';
import { createOutput, type Output } from './output.ts';
import { positiveInteger } from './plan.ts';

/** Options of the migrate command. */
export interface MigrateOptions extends CommonOptions {
  plan?: string;
  resume?: boolean;
  showSamples?: boolean;
  memoryRows?: number;
  concurrency?: number;
  batchSize?: number;
}

/** The migrate command. */
export function migrateCommand(): Command {
  return withCommonOptions(new Command('migrate'), 'only these mappings (by name)')
    .description(
      'apply the mappings in checkpointed batches, verify the targets, write run.json and rejects files',
    )
    .option(
      '--plan <file>',
      'apply exactly this saved plan.json; refused when the source or target changed since',
    )
    .option('--resume', 'continue interrupted runs after their last checkpoint')
    .option('--show-samples', 'write personal values unmasked in the rejects files')
    .option(
      '--memory-rows <n>',
      `rows per side kept in memory before spilling to temporary files (default: ${DEFAULT_MEMORY_ROWS.toLocaleString('en-US')})`,
      positiveInteger,
    )
    .option('--concurrency <n>', 'independent mappings run at once', positiveInteger)
    .option('--batch-size <n>', 'rows per transaction when a mapping does not say', positiveInteger)
    .action((options: MigrateOptions) =>
      runCommand(async () => {
        const output = createOutput(options);
        const { config, baseDir } = loadConfigFrom(options, mappingStepProblems);
        const plan = options.plan ? { file: options.plan, document: readPlan(options.plan) } : undefined;
        const controller = new AbortController();
        const stop = (signal: NodeJS.Signals) => {
          if (controller.signal.aborted) process.exit(EXIT.interrupted);
          output.warn(`${signal}: finishing the current batch, then stopping (again to abort it)`);
          controller.abort();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
        try {
          const { run, error } = await runMigrate(config, {
            baseDir,
            rejectsDir: options.out,
            ...(options.only ? { only: options.only } : {}),
            resume: options.resume === true,
            ...(plan ? { plan } : {}),
            ...(options.memoryRows ? { memoryRows: options.memoryRows } : {}),
            ...(options.concurrency ? { concurrency: options.concurrency } : {}),
            ...(options.batchSize ? { batchSize: options.batchSize } : {}),
            showSamples: options.showSamples === true,
            signal: controller.signal,
            onStep: output.step,
          });
          const file = join(options.out, 'run.json');
          writeDocument(file, run);
          output.json({ run, files: [file, ...run.rejectsFiles] });
          for (const line of summariseRun(run)) output.info(line);
          for (const written of [file, ...run.rejectsFiles]) output.info(`wrote ${written}`);
          if (error) return reportError(error);
          return runExitCode(run, output);
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      }),
    );
}

/** Reads a saved plan.json; throws PLAN_UNREADABLE when it is not one. */
export function readPlan(file: string): PlanDocument {
  let doc: Partial<PlanDocument>;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')) as Partial<PlanDocument>;
  } catch (error) {
    throw new StocktakeError(
      'PLAN_UNREADABLE',
      `${file}: cannot read the plan (${(error as Error).message})`,
      {
        context: { file },
        cause: error,
      },
    );
  }
  if (doc?.kind !== 'plan' || doc.formatVersion !== 1 || !Array.isArray(doc.mappings)) {
    throw new StocktakeError('PLAN_UNREADABLE', `${file}: not a stocktake plan (formatVersion 1 expected)`, {
      hint: 'pass the plan.json written by `stocktake plan`',
      context: { file },
    });
  }
  return doc as PlanDocument;
}

/** The console summary of a run. */
export function summariseRun(run: RunDocument): string[] {
  const lines = run.mappings.map((m) => {
    const verified = m.reconciliation
      ? m.reconciliation.ok
        ? `verified ${m.reconciliation.matched} rows`
        : `VERIFICATION FAILED (MIGRATE_VERIFY_FAILED): ${m.reconciliation.missing} missing, ${m.reconciliation.different} different, ${m.reconciliation.unexpected} unexpected, ${m.reconciliation.aggregates.filter((a) => !a.ok).length} aggregates differ`
      : (m.error?.message ?? m.status);
    return `${m.name}: ${m.status}; +${m.inserted} ~${m.updated} -${m.deleted} =${m.unchanged} rejected ${m.rejected.mapping + m.rejected.database}${m.resumed ? ' (resumed)' : ''}; ${verified}`;
  });
  lines.push(`Run ${run.runId}: ${run.status}.`);
  return lines;
}

/** 1 when a verification failed (listing example keys on stderr), else 0. */
export function runExitCode(run: RunDocument, output: Output): number {
  let code: number = EXIT.ok;
  for (const m of run.mappings) {
    if (m.reconciliation && !m.reconciliation.ok) {
      code = EXIT.gateFailed;
      const keys = m.reconciliation.examples.map((e) => `${e.problem} ${JSON.stringify(e.key)}`).join('; ');
      output.warn(`${m.name}: the target does not match the mapped source, e.g. ${keys}`);
      for (const a of m.reconciliation.aggregates.filter((x) => !x.ok))
        output.warn(
          `${m.name}: ${a.aggregate} of ${a.field} is ${JSON.stringify(a.target)} in the target, ${JSON.stringify(a.source)} in the mapped source`,
        );
    }
  }
  return code;
}
