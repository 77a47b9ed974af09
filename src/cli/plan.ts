/** `stocktake plan`: the dry run of the mappings; writes plan.json and plan.html, nothing to any target. */
import { Command, InvalidArgumentError } from 'commander';
import { EXIT } from '../core/errors.ts';
import type { PlanDocument } from '../core/plan.ts';
import { mappingStepProblems } from '../mappers/mapping-step-checks.ts';
import { DEFAULT_MEMORY_ROWS } from '../mappers/spill-partitions.ts';
import { planExitCode, runPlan, writePlanOutputs } from '../stages/plan-stage.ts';
import { type CommonOptions, loadConfigFrom, runCommand, withCommonOptions } from './common.ts';
import { createOutput } from './output.ts';
import { createProgress } from './progress.ts';

/** Options of the plan command. */
export interface PlanOptions extends CommonOptions {
  detailedExitcode?: boolean;
  samples: number;
  showSamples?: boolean;
  memoryRows?: number;
  concurrency?: number;
}

/** Parses a positive integer option. */
export function positiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

/** The plan command. */
export function planCommand(): Command {
  return withCommonOptions(new Command('plan'), 'only these mappings (by name)')
    .description('dry-run the mappings: what migrate would insert, update, delete and reject; writes nothing')
    .option(
      '--detailed-exitcode',
      'exit 0 when nothing would change, 2 when changes are pending, 1 on any error',
    )
    .option('--samples <n>', 'sample rows kept per kind of change', positiveInteger, 5)
    .option('--show-samples', 'show personal values unmasked in the samples')
    .option(
      '--memory-rows <n>',
      `rows per side kept in memory before spilling to temporary files (default: ${DEFAULT_MEMORY_ROWS.toLocaleString('en-US')})`,
      positiveInteger,
    )
    .option('--concurrency <n>', 'mappings planned at once', positiveInteger)
    .action((options: PlanOptions) =>
      runCommand(
        async () => {
          const output = createOutput(options);
          const { config, baseDir } = loadConfigFrom(options, mappingStepProblems);
          const progress = createProgress(output, options);
          let plan: PlanDocument;
          try {
            plan = await runPlan(config, {
              baseDir,
              ...(options.only ? { only: options.only } : {}),
              samples: options.samples,
              showSamples: options.showSamples === true,
              ...(options.memoryRows ? { memoryRows: options.memoryRows } : {}),
              ...(options.concurrency ? { concurrency: options.concurrency } : {}),
              onStep: output.step,
              onProgress: (mapping, side, rows) => progress.update(`${mapping} (${side})`, rows, null),
            });
          } finally {
            progress.stop();
          }
          const files = writePlanOutputs(plan, options.out);
          output.json({ plan, files });
          for (const m of plan.mappings)
            for (const w of m.warnings ?? []) output.warn(`${w.path}: ${w.message} (${w.code})`);
          for (const line of summarisePlan(plan)) output.info(line);
          output.info('');
          for (const file of files) output.info(`wrote ${file}`);
          return planExitCode(plan, options.detailedExitcode === true);
        },
        options.detailedExitcode === true ? EXIT.gateFailed : undefined,
      ),
    );
}

/** The console summary of a plan: one line per mapping and a total. */
export function summarisePlan(plan: PlanDocument): string[] {
  const lines = plan.mappings.map((m) => {
    const warn = m.maxRejectsExceeded ? `  ! rejects exceed maxRejects (${m.maxRejects})` : '';
    const refs = (m.references ?? [])
      .map(
        (r) =>
          `; ${r.field} → ${r.mapping}: ${r.resolved} resolved to new keys, ${r.pending} pending on rows inserted first`,
      )
      .join('');
    return `${m.name}: +${m.inserts} ~${m.updates} -${m.deletes} =${m.unchanged} rejected ${m.rejects}${refs}${warn}`;
  });
  const t = plan.totals;
  lines.push(
    plan.changes
      ? `Plan: ${t.inserts} to insert, ${t.updates} to update, ${t.deletes} to delete, ${t.unchanged} unchanged, ${t.rejects} rejected.`
      : t.rejects === 0
        ? `No changes: the targets already hold the mapped sources (${t.unchanged} rows).`
        : `No changes to write: ${t.unchanged} rows already in the targets; ${t.rejects} rejected rows would not be written (see plan.json).`,
  );
  return lines;
}
