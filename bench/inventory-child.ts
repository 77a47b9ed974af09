/**
 * One timed inventory in its own process, so its peak memory is its own. Prints one JSON line.
 * `estimates` as second argument: catalog estimates instead of exact row counts (rowCounts.exactBelow: 0).
 */
import { createPostgresConnector } from '../src/connectors/postgres/postgres-connector.ts';
import { boundHeapGrowth } from '../src/core/heap.ts';

// As the command line starts (src/cli/main.ts).
boundHeapGrowth();

const url = process.argv[2]!;
const estimates = process.argv[3] === 'estimates';
const started = performance.now();
const connector = await createPostgresConnector(
  { kind: 'postgres', url, schemas: ['bench'], ...(estimates ? { rowCounts: { exactBelow: 0 } } : {}) },
  { name: 'bench', mode: 'audit' },
);
const inventory = await connector.inventory();
await connector.close();
const ms = performance.now() - started;
console.log(
  JSON.stringify({
    ms,
    queries: inventory.catalogQueries,
    datasets: inventory.datasets.length,
    rssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
// As the command line ends (runCommand in src/cli/common.ts): stdout drained, then exit without waiting for
// the heap to be torn down.
await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
process.exit(0);
