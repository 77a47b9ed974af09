/**
 * Generates the demo estate into `examples/data/` (gitignored): the legacy CRM in SQLite, the clients
 * CSV export, the stock workbook, and the empty "new tool" database they migrate into (SQLite). Run
 * by `npm run demo`; also refreshes the committed flaw manifest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_CRM_FLAWS_FILE, formatDemoCrmFlaws, generateDemoCrm } from './demo/crm.ts';
import { generateDemoFiles } from './demo/files.ts';
import { generateNewtool } from './demo/newtool.ts';

const dataDir = fileURLToPath(new URL('./data/', import.meta.url));
mkdirSync(dataDir, { recursive: true });
const flaws = generateDemoCrm(`${dataDir}crm.sqlite`);
writeFileSync(DEMO_CRM_FLAWS_FILE, formatDemoCrmFlaws(flaws));
await generateDemoFiles(dataDir);
generateNewtool(`${dataDir}newtool.sqlite`);
console.error(`demo estate written to ${dataDir}`);
