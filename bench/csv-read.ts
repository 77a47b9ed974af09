/**
 * CSV read benchmark: writes an 11-column CSV of N rows (default 1,000,000, about 120 MB) into
 * bench/out/, then measures, each in a fresh process so that peak memory is its own, a plain
 * csv-parse loop, stocktake's tokenizer alone (the records of csvRecordChunks, which replaced
 * csv-parse on the read path), and stocktake's scan (parse + type inference of every value) and
 * typed read.
 *
 * Usage: npx tsx bench/csv-read.ts [rows]
 */

import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { createCsvConnector } from '../src/connectors/csv/csv-connector.ts';
import { csvRecordChunks } from '../src/connectors/csv/csv-records.ts';
import { bundledBenchChild } from './bench-child.ts';
import { benchCsvFile } from './bench-data.ts';
import { printTable } from './bench-table.ts';

/** One measured phase, as the child process reports it. */
interface Measure {
  readonly phase: string;
  readonly rows: number;
  readonly seconds: number;
  readonly peakRssMb: number;
}

async function plainParse(path: string): Promise<number> {
  let rows = 0;
  for await (const _record of createReadStream(path).pipe(parse())) rows++;
  return rows - 1;
}

async function stocktakeRecords(path: string): Promise<number> {
  const dialect = {
    encoding: 'utf-8',
    delimiter: ',',
    quote: '"',
    lineEnding: 'LF',
    header: true,
    decimalHint: '.',
    dateOrder: 'dmy',
    sniffed: [],
  } as const;
  let rows = 0;
  for await (const chunk of csvRecordChunks(path, dialect)) rows += chunk.records.length;
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
  'stocktake tokenizer loop (records, UTF-8 checked)': stocktakeRecords,
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
  const path = await benchCsvFile(rows);
  const results: Measure[] = [];
  const script = await bundledBenchChild(import.meta.url);
  for (const phase of Object.keys(PHASES)) {
    const output = execFileSync(process.execPath, [script, '--phase', phase, path], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
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
