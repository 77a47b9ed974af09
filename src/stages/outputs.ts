/** Writing each stage's files into the output folder; returns the paths written, in order. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Finding, Inventory } from '../core/inventory.ts';
import type { Profile } from '../core/profile.ts';
import { suggestRules } from '../profilers/suggest-rules.ts';
import { allFindings, failsGate, type GateContext } from '../report/audit-findings.ts';
import { renderJunit } from '../report/junit.ts';
import { renderSummaryMarkdown } from '../report/summary-md.ts';
import { writeDocument } from './documents.ts';

/** Writes inventory.json and inventory.xlsx. */
export async function writeInventoryOutputs(inventory: Inventory, dir: string): Promise<string[]> {
  const json = join(dir, 'inventory.json');
  const xlsx = join(dir, 'inventory.xlsx');
  writeDocument(json, inventory);
  // exceljs is loaded only when a workbook is written.
  const { writeInventoryXlsx } = await import('../report/inventory-xlsx.ts');
  await writeInventoryXlsx(inventory, xlsx);
  return [json, xlsx];
}

/** Writes profile.json, junit.xml, summary.md and, when asked, suggested-rules.yaml. */
export function writeProfileOutputs(
  profile: Profile,
  dir: string,
  options: GateContext & { suggestRules?: boolean } = {},
): string[] {
  const files = [join(dir, 'profile.json'), join(dir, 'junit.xml'), join(dir, 'summary.md')];
  // junit.xml and summary.md fail where the exit code does: unread sources, --fail-on warning.
  const gate: GateContext = {
    ...(options.inventory ? { inventory: options.inventory } : {}),
    ...(options.failOn ? { failOn: options.failOn } : {}),
  };
  writeDocument(files[0]!, profile);
  writeFileSync(files[1]!, renderJunit(profile, gate));
  writeFileSync(files[2]!, renderSummaryMarkdown(profile, gate));
  if (options.suggestRules) {
    const file = join(dir, 'suggested-rules.yaml');
    const sampled = profile.datasets.filter((d) => d.sample).map((d) => `${d.source}.${d.dataset}`);
    const header =
      '# Rules inferred from the profiled data: review, then paste under `rules:` in the config.\n' +
      (sampled.length > 0
        ? `# Profiled on a sample of their rows: ${sampled.join(', ')}. Their counts, bounds and keys hold\n# for the sample only: check them on the whole table before relying on them.\n`
        : '');
    writeFileSync(
      file,
      header + stringify({ rules: suggestRules(profile) }, { lineWidth: 0, flowCollectionPadding: true }),
    );
    files.push(file);
  }
  return files;
}

/**
 * 3 when a dataset could not be profiled; 1 when an error-level rule failed (or, with `failOn: 'warning'`, any rule, or any warning or error
 * finding of the profile or of the inventory it profiled: a ragged CSV, a file left unread); else 0.
 */
export function profileExitCode(
  profile: Profile,
  failOn: 'error' | 'warning' = 'error',
  inventory?: Inventory,
): number {
  // A dataset that could not be profiled was not read: as a source that could not be (3).
  if (profile.findings.some((f) => f.code === 'PROFILE_FAILED')) return 3;
  if (profile.rules.some((r) => failsGate(r, failOn))) return 1;
  if (failOn !== 'warning') return 0;
  return allFindings(inventory, profile).some((f) => f.severity !== 'info') ? 1 : 0;
}

/** The inventory's warning and error findings, of the register and of every source. */
export function inventoryWarnings(inventory: Inventory): Finding[] {
  return allFindings(inventory).filter((f) => f.severity !== 'info');
}
