/**
 * `npm run bench`: every benchmark under bench/, the inventory first, each in its own process with its
 * default size, then one table of every figure and ratio they reported (their `bench-row` lines).
 * `npm run bench -- csv-read report` runs only those. The 10,000,000-row plan is not among them (it
 * builds 20M rows first): `npx tsx bench/plan.ts 10000000 1`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchRow, printTable, ROW_PREFIX } from './bench-table.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ALL = [
  'inventory',
  'csv-read',
  'profile-csv',
  'profile-postgres',
  'mapping',
  'load-postgres',
  'load-mariadb-postgres',
  'plan',
  'audit-load',
  'report',
];
const wanted = process.argv.slice(2);
const suites = (wanted.length > 0 ? wanted : ALL).filter((name) => existsSync(join(here, `${name}.ts`)));

const rows: BenchRow[] = [];
const failed: string[] = [];
for (const name of suites) {
  console.error(`\n▶ ${name}`);
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], {
    encoding: 'utf8',
    env: { ...process.env, STOCKTAKE_BENCH_ROWS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  for (const line of child.stdout.split('\n')) {
    if (line.startsWith(ROW_PREFIX)) rows.push(JSON.parse(line.slice(ROW_PREFIX.length)) as BenchRow);
    else if (line.trim()) console.error(`  ${line}`);
  }
  if (child.status !== 0) failed.push(`${name} (exit ${child.status})`);
}
console.log('');
printTable(rows);
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
