/** `stocktake report`: renders HTML, XLSX, Markdown and JUnit from saved JSON documents; never opens a source. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { isStocktakeError, StocktakeError } from '../core/errors.ts';
import { readPlan, readProfile } from '../report/html/report-documents.ts';
import { writeReportOutputs } from '../report/html/report-outputs.ts';
import { renderJunit } from '../report/junit.ts';
import { renderSummaryMarkdown } from '../report/summary-md.ts';
import { readInventory } from '../stages/documents.ts';
import { jsonErrorsHook, prepareOutputDir, runCommand } from './common.ts';
import { createOutput } from './output.ts';

export { writeReportOutputs } from '../report/html/report-outputs.ts';

/** The formats `report` can write. */
const FORMATS = ['html', 'xlsx', 'md', 'junit'] as const;
type ReportFormatName = (typeof FORMATS)[number];

interface ReportOptions {
  inventory: string;
  profile?: string;
  plan?: string;
  previous?: string;
  lang: 'en' | 'fr';
  title?: string;
  format?: ReportFormatName[];
  out: string;
  json?: boolean;
  quiet?: boolean;
}

/** The report command. */
export function reportCommand(): Command {
  return new Command('report')
    .description('render report.html, audit.xlsx, summary.md and junit.xml from saved JSON documents')
    .option('--inventory <file>', 'inventory.json to render', 'stocktake-out/inventory.json')
    .option('--profile <file>', 'profile.json: metrics, findings, readiness and rules')
    .option('--plan <file>', 'plan.json: the migration plan section')
    .option('--previous <file>', 'an earlier inventory.json: the overview lists what changed since')
    .addOption(new Option('--lang <lang>', 'language of the report').choices(['en', 'fr']).default('en'))
    .option('--title <text>', 'title of the HTML report')
    .addOption(
      new Option(
        '--format <format...>',
        'formats to write (default: html xlsx, plus md junit with a profile)',
      ).choices(FORMATS),
    )
    .option('-o, --out <dir>', 'output folder', 'stocktake-out')
    .option('--json', 'machine output on stdout, logs on stderr')
    .option('-q, --quiet', 'no progress lines')
    .hook('preAction', jsonErrorsHook)
    .action((options: ReportOptions) => runCommand(() => reportAction(options)));
}

async function reportAction(options: ReportOptions): Promise<number> {
  try {
    return await renderReports(options);
  } catch (error) {
    if (isStocktakeError(error)) throw error;
    // A document that parses but lacks what its version holds (edited by hand, another version).
    const files = [options.inventory, options.profile, options.plan, options.previous].filter(
      (f): f is string => typeof f === 'string',
    );
    throw new StocktakeError(
      'DOCUMENT_INVALID',
      `${files.join(', ')}: not documents this version can render (${error instanceof Error ? error.message : String(error)})`,
      {
        hint: 'render the documents a `stocktake audit` of this version wrote, unedited',
        context: { files },
        cause: error,
      },
    );
  }
}

async function renderReports(options: ReportOptions): Promise<number> {
  const output = createOutput(options);
  // Every document is read before anything is written, so a bad path leaves the folder as it was.
  const inventory = readInventory(options.inventory, { redacted: true });
  const profile = options.profile ? readProfile(options.profile) : undefined;
  const plan = options.plan ? readPlan(options.plan) : undefined;
  const previous = options.previous ? readInventory(options.previous, { redacted: true }) : undefined;
  const formats = new Set<ReportFormatName>(
    options.format ?? (profile ? ['html', 'xlsx', 'md', 'junit'] : ['html', 'xlsx']),
  );
  if (!profile && (formats.has('md') || formats.has('junit'))) {
    throw new StocktakeError('USAGE', 'summary.md and junit.xml are rendered from a profile', {
      hint: 'pass --profile profile.json, or leave md and junit out of --format',
    });
  }
  prepareOutputDir(options.out);
  const files: string[] = [];
  const rendered = (['html', 'xlsx'] as const).filter((f) => formats.has(f));
  if (rendered.length > 0) {
    output.step(
      `rendering ${rendered.map((f) => (f === 'html' ? 'report.html' : 'audit.xlsx')).join(' and ')}`,
    );
    const input = { inventory, profile, plan, previous, lang: options.lang, title: options.title };
    files.push(...(await writeReportOutputs(input, options.out, rendered)));
  }
  if (profile && formats.has('md')) {
    const file = join(options.out, 'summary.md');
    writeFileSync(file, renderSummaryMarkdown(profile, { inventory }));
    files.push(file);
  }
  if (profile && formats.has('junit')) {
    const file = join(options.out, 'junit.xml');
    writeFileSync(file, renderJunit(profile, { inventory }));
    files.push(file);
  }
  output.json({ files });
  for (const file of files) output.info(`wrote ${file}`);
  return 0;
}
