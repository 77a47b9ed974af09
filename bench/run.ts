/** `npm run bench`: every benchmark under bench/, the inventory first, then one table of figures. */
import { type BenchRow, printTable } from './bench-table.ts';
import { benchInventory } from './inventory.ts';

const suites: [string, () => Promise<BenchRow[]>][] = [['inventory', benchInventory]];

const rows: BenchRow[] = [];
for (const [name, run] of suites) {
  console.error(`\n▶ ${name}`);
  rows.push(...(await run()));
}
console.log('');
printTable(rows);
