/** Writing the report files into an output folder; the audit and report commands share it. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Inventory } from '../../core/inventory.ts';
import type { Profile } from '../../core/profile.ts';
import type { PlanView } from './plan-model.ts';
import { renderAuditReport } from './report-html.ts';
import type { ReportLang } from './report-i18n.ts';

/** The documents and settings of one report run. */
export interface ReportOutputsInput {
  readonly inventory: Inventory;
  readonly profile?: Profile | undefined;
  readonly plan?: PlanView | undefined;
  readonly previous?: Inventory | undefined;
  readonly lang?: ReportLang | undefined;
  readonly title?: string | undefined;
}

/**
 * Writes `report.html` and `audit.xlsx` into `dir` (either can be left out with `only`) and returns the
 * paths written, in that order.
 */
export async function writeReportOutputs(
  input: ReportOutputsInput,
  dir: string,
  only: readonly ('html' | 'xlsx')[] = ['html', 'xlsx'],
): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  if (only.includes('html')) {
    const html = join(dir, 'report.html');
    writeFileSync(html, renderAuditReport({ ...input, lang: input.lang ?? 'en' }));
    files.push(html);
  }
  if (only.includes('xlsx')) {
    const xlsx = join(dir, 'audit.xlsx');
    // exceljs is loaded only when a workbook is written.
    const { writeAuditXlsx } = await import('../audit-xlsx.ts');
    await writeAuditXlsx(input.inventory, input.profile, xlsx);
    files.push(xlsx);
  }
  return files;
}
