/**
 * Each command's one-line description, so that `stocktake --help` lists the commands without loading their
 * modules (and what they import). A test keeps each equal to its command's own description.
 */
export const COMMAND_SUMMARIES = {
  inventory: 'scan every source: datasets, columns, keys, relations, row counts',
  profile:
    'profile every dataset, evaluate the rules (quality gates), write profile.json, junit.xml, summary.md',
  audit: 'inventory and profile every source, evaluate the rules, and write every audit output',
  plan: 'dry-run the mappings: what migrate would insert, update, delete and reject; writes nothing',
  migrate: 'apply the mappings in checkpointed batches, verify the targets, write run.json and rejects files',
  report: 'render report.html, audit.xlsx, summary.md and junit.xml from saved JSON documents',
  schema: "print the config's JSON Schema (for editor completion)",
} as const;
