/**
 * Generates the demo estate into `examples/data/` (gitignored): the legacy CRM in SQLite, the clients
 * CSV export and the stock workbook. Run by `npm run demo`; also refreshes the committed flaw manifest.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEMO_CRM_FLAWS_FILE, formatDemoCrmFlaws, generateDemoCrm } from './demo/crm.ts';
import { generateDemoFiles } from './demo/files.ts';

const dataDir = fileURLToPath(new URL('./data/', import.meta.url));
mkdirSync(dataDir, { recursive: true });
const flaws = generateDemoCrm(`${dataDir}crm.sqlite`);
writeFileSync(DEMO_CRM_FLAWS_FILE, formatDemoCrmFlaws(flaws));
await generateDemoFiles(dataDir);
console.error(`demo estate written to ${dataDir}`);
