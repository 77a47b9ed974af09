/** The one table of figures every benchmark prints, and the timing of a subject run in its own process. */
import { spawnSync } from 'node:child_process';

/** One measured subject of a benchmark. */
export interface BenchRow {
  readonly benchmark: string;
  readonly subject: string;
  readonly median_ms: number;
  readonly peak_rss_mb: number;
  /** Throughput, query counts, or other figures. */
  readonly extra: string;
  /** median_ms divided by the reference subject's median_ms (1 for the reference). */
  readonly ratio: number;
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The line prefix `bench/run.ts` collects from every benchmark's output into one table. */
export const ROW_PREFIX = 'bench-row ';

/** Prints the rows as an aligned table on stdout, and as machine lines for `npm run bench`. */
export function printTable(rows: readonly BenchRow[]): void {
  if (process.env.STOCKTAKE_BENCH_ROWS === '1') {
    for (const row of rows) console.log(`${ROW_PREFIX}${JSON.stringify(row)}`);
  }
  const header = ['benchmark', 'subject', 'median ms', 'peak RSS MB', 'ratio', 'notes'];
  const body = rows.map((r) => [
    r.benchmark,
    r.subject,
    r.median_ms.toFixed(0),
    r.peak_rss_mb.toFixed(0),
    `${r.ratio.toFixed(2)}×`,
    r.extra,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of body) console.log(line(row));
}

/** One run of a subject: wall time, peak resident set, and a note. */
export interface Measure {
  readonly ms: number;
  readonly peakRssMb: number;
  readonly note: string;
}

/** Runs a command under /usr/bin/time -f %M (peak RSS in KB, written last on stderr). */
export function timed(command: string, args: readonly string[]): Measure & { stdout: string } {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-f', '%M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr.slice(-2000)}`);
  const lines = result.stderr.trim().split('\n');
  return { ms, peakRssMb: Number(lines[lines.length - 1]) / 1024, note: '', stdout: result.stdout };
}

/** Runs one psql command (`\\copy …`) against the database of `url` under /usr/bin/time, stopping at the first error. */
export function timedPsql(url: string, command: string): Measure & { stdout: string } {
  const u = new URL(url);
  return timed('psql', [
    '-h',
    u.hostname,
    '-p',
    u.port || '5432',
    '-U',
    decodeURIComponent(u.username),
    '-d',
    decodeURIComponent(u.pathname.replace(/^\//, '')),
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    command,
  ]);
}
