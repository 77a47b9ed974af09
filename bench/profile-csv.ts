/**
 * CSV profiling benchmark: profiles a generated 11-column CSV of N rows (default 1,000,000, the same
 * file as bench/csv-read.ts) as `stocktake audit` does (one pass: the inventory scan profiles the
 * rows, then every column profile is built), the same with `threads: 2` (the file read as two byte
 * ranges on two threads), and, in the same run, DuckDB's `SUMMARIZE` and Miller's `mlr summary` on
 * the same file. Each phase runs in a fresh process so that its peak RSS is its
 * own; every phase runs `runs` times (default 3) and the table shows the median, of the wall time and
 * of the CPU time (all threads), which a machine shared with other work disturbs less.
 *
 * Usage: npx tsx bench/profile-csv.ts [rows] [runs]
 */

import { execFileSync } from 'node:child_process';
import { createCsvConnector } from '../src/connectors/csv/csv-connector.ts';
import { buildColumnProfile } from '../src/profilers/column-profile.ts';
import { profileRows } from '../src/profilers/dataset-accumulator.ts';
import { bundledBenchChild } from './bench-child.ts';
import { benchCsvFile } from './bench-data.ts';
import { printTable } from './bench-table.ts';

/** One measured phase, as the child process reports it. */
interface Measure {
  readonly phase: string;
  readonly seconds: number;
  readonly peakRssMb: number;
  /** User + system CPU seconds of the process (all its threads): what the phase costs, load aside. */
  readonly cpuSeconds: number;
  readonly note: string;
}

/** The audit's path: a scan that profiles as it infers types, then every column profile. */
async function stocktakeProfile(path: string, threads: 1 | 2 = 1): Promise<string> {
  const connector = await createCsvConnector(
    { kind: 'csv', path, threads },
    { name: 'bench', mode: 'audit', observeFiles: true },
  );
  const inventory = await connector.inventory();
  const dataset = inventory.datasets[0]!;
  const scanned = performance.now();
  let observation = await connector.scannedProfile?.({ name: dataset.name });
  const passes = observation ? 1 : 2;
  if (!observation) {
    const columns = dataset.columns.map((c) => ({ name: c.name, type: c.type }));
    observation = await profileRows(columns, connector.read({ name: dataset.name }));
  }
  const observed = performance.now();
  const profiles = observation.columns.map((c) => buildColumnProfile(c));
  const built = performance.now();
  await connector.close();
  const keys = observation.candidateKeys.map((k) => k.join('+')).join(', ');
  return `${passes} pass(es) over the file; read after the scan ${((observed - scanned) / 1000).toFixed(2)} s, column profiles ${((built - observed) / 1000).toFixed(2)} s; ${profiles.length} columns, candidate keys: ${keys}`;
}

/** The typed read alone (scan done), to show what the accumulators add. */
async function stocktakeRead(path: string): Promise<string> {
  const connector = await createCsvConnector({ kind: 'csv', path }, { name: 'bench', mode: 'audit' });
  const inventory = await connector.inventory();
  const scanned = performance.now();
  let rows = 0;
  for await (const batch of connector.read({ name: inventory.datasets[0]!.name })) rows += batch.length;
  await connector.close();
  return `typed read ${((performance.now() - scanned) / 1000).toFixed(2)} s for ${rows} rows`;
}

async function duckdbSummarize(path: string): Promise<string> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(
    `SUMMARIZE SELECT * FROM read_csv('${path.replaceAll("'", "''")}')`,
  );
  return `${reader.getRows().length} columns summarised`;
}

const PHASES: Record<string, (path: string) => Promise<string>> = {
  'stocktake profile (one pass: scan + accumulators, then column profiles)': stocktakeProfile,
  'stocktake profile, threads: 2': (path) => stocktakeProfile(path, 2),
  'stocktake scan + typed read only (reference)': stocktakeRead,
  'DuckDB SUMMARIZE (@duckdb/node-api)': duckdbSummarize,
};

async function child(phase: string, path: string): Promise<void> {
  const started = performance.now();
  const note = await PHASES[phase]!(path);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage();
  const measure: Measure = {
    phase,
    seconds,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    note,
  };
  process.stdout.write(JSON.stringify(measure));
}

/** Runs `mlr summary` under a Python wrapper that reads the child's peak RSS from getrusage. */
function millerSummary(path: string): Measure {
  const phase = 'mlr summary (Miller)';
  const script =
    'import resource,subprocess,sys,time\n' +
    't=time.time()\n' +
    'r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL)\n' +
    'u=resource.getrusage(resource.RUSAGE_CHILDREN)\n' +
    'print(time.time()-t, u.ru_maxrss, r.returncode, u.ru_utime+u.ru_stime)';
  try {
    try {
      execFileSync('mlr', ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error('Miller is not installed (apt-get install miller)');
    }
    const output = execFileSync('python3', ['-c', script, 'mlr', '--icsv', '--opprint', 'summary', path], {
      encoding: 'utf8',
    });
    const [seconds, rssKb, code, cpuSeconds] = output.trim().split(' ').map(Number);
    return {
      phase,
      seconds: seconds!,
      peakRssMb: rssKb! / 1024,
      cpuSeconds: cpuSeconds!,
      note: code === 0 ? '' : `exit ${code}`,
    };
  } catch (error) {
    return {
      phase,
      seconds: Number.NaN,
      peakRssMb: Number.NaN,
      cpuSeconds: Number.NaN,
      note: `not run: ${(error as Error).message}`,
    };
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The median time and peak RSS of several measures of one phase, with the note of the median run. */
function medianOf(measures: readonly Measure[]): Measure {
  const seconds = median(measures.map((m) => m.seconds));
  const middle = [...measures].sort((a, b) => a.seconds - b.seconds)[measures.length >> 1]!;
  const runs = measures.map((m) => m.seconds.toFixed(1)).join(', ');
  return {
    phase: measures[0]!.phase,
    seconds,
    peakRssMb: median(measures.map((m) => m.peakRssMb)),
    cpuSeconds: median(measures.map((m) => m.cpuSeconds)),
    note: measures.length > 1 ? `runs ${runs} s; ${middle.note}` : middle.note,
  };
}

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 1_000_000);
  const runs = Number(process.argv[3] ?? 3);
  const path = await benchCsvFile(rows);
  const script = await bundledBenchChild(import.meta.url);
  const measured = new Map<string, Measure[]>();
  const add = (measure: Measure) =>
    measured.set(measure.phase, [...(measured.get(measure.phase) ?? []), measure]);
  // Phases interleaved run by run, so that a noisy moment of the machine hits every phase alike.
  for (let run = 1; run <= runs; run++) {
    for (const phase of Object.keys(PHASES)) {
      process.stderr.write(`run ${run}/${runs}: ${phase}…\n`);
      const output = execFileSync(process.execPath, [script, '--phase', phase, path], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      add(JSON.parse(output) as Measure);
    }
    process.stderr.write(`run ${run}/${runs}: mlr summary…\n`);
    add(millerSummary(path));
  }
  const results = [...measured.values()].map(medianOf);
  const duck = results.find((r) => r.phase.startsWith('DuckDB'))!;
  const lines = [
    `${rows} rows, median of ${runs} run(s)`,
    `| phase | seconds | rows/s | peak RSS (MB) | time vs DuckDB | CPU seconds | CPU vs DuckDB | note |`,
    `|---|---:|---:|---:|---:|---:|---:|---|`,
    ...results.map(
      (r) =>
        `| ${r.phase} | ${r.seconds.toFixed(2)} | ${Math.round(rows / r.seconds)} | ${r.peakRssMb.toFixed(0)} | ${(r.seconds / duck.seconds).toFixed(2)}× | ${r.cpuSeconds.toFixed(2)} | ${(r.cpuSeconds / duck.cpuSeconds).toFixed(2)}× | ${r.note} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  printTable(
    results.map((r) => ({
      benchmark: `profile CSV ${rows} rows × 11 cols`,
      subject: r.phase,
      median_ms: r.seconds * 1000,
      peak_rss_mb: r.peakRssMb,
      extra: `${r.cpuSeconds.toFixed(1)} s CPU; ${r.note}`,
      ratio: r.seconds / duck.seconds,
    })),
  );
}

const phaseFlag = process.argv.indexOf('--phase');
if (phaseFlag >= 0) await child(process.argv[phaseFlag + 1]!, process.argv[phaseFlag + 2]!);
else await main();
