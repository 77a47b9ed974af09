/**
 * Progress per dataset: a bar with rows/s when stderr is a terminal, one plain line per dataset
 * otherwise (CI logs stay readable).
 */
import cliProgress from 'cli-progress';
import type { Output } from './output.ts';

/** Reports the rows done in the current dataset. */
export interface Progress {
  update(label: string, rows: number, total: number | null): void;
  /** Ends the current bar, leaving a final line. */
  done(label: string, rows: number, ms: number): void;
  stop(): void;
}

/** A progress reporter for `output`; bars only on an interactive stderr and never with --json or --quiet. */
export function createProgress(output: Output, options: { quiet?: boolean } = {}): Progress {
  const interactive = process.stderr.isTTY === true && !output.jsonMode && !options.quiet;
  let bar: cliProgress.SingleBar | undefined;
  let current: string | undefined;
  let started = 0;
  return {
    update(label, rows, total) {
      if (!interactive) return;
      if (current !== label) {
        bar?.stop();
        current = label;
        started = performance.now();
        bar = new cliProgress.SingleBar(
          {
            format: `  {bar} {percentage}% | {value}/{total} rows | {speed} rows/s | ${label}`,
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? rows, 0, { speed: 0 });
      }
      const seconds = Math.max(0.001, (performance.now() - started) / 1000);
      if (total === null || rows > (bar?.getTotal() ?? 0)) bar?.setTotal(Math.max(rows, total ?? 0));
      bar?.update(rows, { speed: Math.round(rows / seconds).toLocaleString('en-US') });
    },
    done(label, rows, ms) {
      bar?.stop();
      bar = undefined;
      current = undefined;
      const rate = ms > 0 ? ` (${Math.round((rows * 1000) / ms).toLocaleString('en-US')} rows/s)` : '';
      output.step(`${label}: ${rows.toLocaleString('en-US')} rows in ${(ms / 1000).toFixed(1)} s${rate}`);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
