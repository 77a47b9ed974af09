/**
 * CSV read benchmark: writes an 11-column CSV of N rows (default 1,000,000, about 120 MB) into
 * bench/out/, then measures, each in a fresh process so that peak memory is its own, a plain
 * csv-parse loop and stocktake's scan (parse + type inference of every value) and typed read.
 *
 * Usage: npx tsx bench/csv-read.ts [rows]
 */

import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { createCsvConnector } from '../src/connectors/csv/csv-connector.ts';
import { printTable } from './bench-table.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const OUT = join(HERE, 'out');
const CITIES = ['Paris', 'Lyon', 'Marseille', 'Saint-Étienne', 'Besançon', 'Nîmes', 'Orléans', 'Créteil'];

/** One measured phase, as the child process reports it. */
interface Measure {
  readonly phase: string;
  readonly rows: number;
  readonly seconds: number;
  readonly peakRssMb: number;
}

/** Writes the benchmark file deterministically, streaming (the file never sits in memory). */
async function generate(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('id,code,name,email,amount,quantity,created_on,updated_at,active,postal_code,city\n');
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const day = new Date(Date.UTC(2015, 0, 1) + ((i * 7919) % 3650) * 86_400_000).toISOString();
    const postal = String(((i * 13) % 95_000) + 1000).padStart(5, '0');
    chunk += `${i},C${String(i % 1_000_000).padStart(7, '0')},"Client ${i} SARL",client${i}@example.org,${((i * 37) % 100_000) / 100},${i % 500},${day.slice(0, 10)},${day.slice(0, 11)}${String(i % 24).padStart(2, '0')}:15:00,${i % 3 === 0 ? 'true' : 'false'},${postal},${CITIES[i % CITIES.length]}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

async function plainParse(path: string): Promise<number> {
  let rows = 0;
  for await (const _record of createReadStream(path).pipe(parse())) rows++;
  return rows - 1;
}

async function stocktakeScan(path: string): Promise<number> {
  const connector = await createCsvConnector({ kind: 'csv', path }, { name: 'bench', mode: 'audit' });
  const inventory = await connector.inventory();
  return inventory.datasets[0]!.rowCount ?? 0;
}

/** Returns the rows read and the seconds the read took, the scan before it excluded. */
async function stocktakeTypedRead(path: string): Promise<[number, number]> {
  const connector = await createCsvConnector({ kind: 'csv', path }, { name: 'bench', mode: 'audit' });
  const inventory = await connector.inventory();
  const started = performance.now();
  let rows = 0;
  for await (const batch of connector.read({ name: inventory.datasets[0]!.name })) rows += batch.length;
  return [rows, (performance.now() - started) / 1000];
}

const PHASES: Record<string, (path: string) => Promise<number | [number, number]>> = {
  'csv-parse loop': plainParse,
  'stocktake read + type inference (inventory scan)': stocktakeScan,
  'stocktake typed read, scan done (batches of contract values)': stocktakeTypedRead,
};

async function child(phase: string, path: string): Promise<void> {
  const started = performance.now();
  const result = await PHASES[phase]!(path);
  const [rows, seconds] =
    typeof result === 'number' ? [result, (performance.now() - started) / 1000] : result;
  const measure: Measure = { phase, rows, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(measure));
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, `bench-${rows}.csv`);
  if (!existsSync(path)) {
    process.stderr.write(`writing ${path}…\n`);
    await generate(path, rows);
  }
  const sizeMb = statSync(path).size / 1024 / 1024;
  process.stderr.write(`${path}: ${rows} rows, ${sizeMb.toFixed(0)} MB\n`);
  const results: Measure[] = [];
  for (const phase of Object.keys(PHASES)) {
    const output = execFileSync(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--phase', phase, path],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    results.push(JSON.parse(output) as Measure);
  }
  const base = results[0]!;
  const lines = [
    `| phase | rows | seconds | rows/s | peak RSS (MB) | time vs csv-parse |`,
    `|---|---:|---:|---:|---:|---:|`,
    ...results.map(
      (r) =>
        `| ${r.phase} | ${r.rows} | ${r.seconds.toFixed(2)} | ${Math.round(r.rows / r.seconds)} | ${r.peakRssMb.toFixed(0)} | ${(r.seconds / base.seconds).toFixed(2)}× |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  printTable(
    results.map((r) => ({
      benchmark: `CSV read ${rows} rows × 11 cols`,
      subject: r.phase,
      median_ms: r.seconds * 1000,
      peak_rss_mb: r.peakRssMb,
      extra: `${Math.round(r.rows / r.seconds)} rows/s`,
      ratio: r.seconds / base.seconds,
    })),
  );
}

const phaseFlag = process.argv.indexOf('--phase');
if (phaseFlag >= 0) await child(process.argv[phaseFlag + 1]!, process.argv[phaseFlag + 2]!);
else await main();
