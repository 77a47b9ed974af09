/**
 * Progress per dataset: a bar with rows/s when stderr is a terminal, one plain line per dataset
 * otherwise (CI logs stay readable).
 */
import cliProgress from 'cli-progress';
import { redact } from '../core/secrets.ts';
import { terminalText } from '../core/terminal-text.ts';
import type { Output } from './output.ts';

/** Reports the rows done in the current dataset. */
export interface Progress {
  update(label: string, rows: number, total: number | null): void;
  /** Ends a dataset's bar, leaving a final line: its rows and time, or `scanned` when the inventory's scan profiled its rows. */
  done(label: string, rows: number, ms: number, scanned?: boolean): void;
  stop(): void;
}

/**
 * A progress reporter for `output`; bars only on an interactive stderr and never with --json or --quiet.
 * Several datasets may be in progress at once (sources are profiled side by side, a plan reads both sides):
 * each label gets its own bar, and a finished dataset's line is printed above the bars still running.
 */
export function createProgress(output: Output, options: { quiet?: boolean } = {}): Progress {
  const interactive = process.stderr.isTTY === true && !output.jsonMode && !options.quiet;
  let multi: cliProgress.MultiBar | undefined;
  const bars = new Map<string, { bar: cliProgress.SingleBar; started: number }>();
  const close = () => {
    multi?.stop();
    multi = undefined;
    bars.clear();
  };
  return {
    update(name, rows, total) {
      if (!interactive) return;
      const label = terminalText(name);
      multi ??= new cliProgress.MultiBar(
        {
          format: '  {bar} {percentage}% | {value}/{total} rows | {speed} rows/s | {label}',
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      let entry = bars.get(label);
      if (!entry) {
        entry = { bar: multi.create(total ?? rows, 0, { speed: 0, label }), started: performance.now() };
        bars.set(label, entry);
      }
      const seconds = Math.max(0.001, (performance.now() - entry.started) / 1000);
      if (total === null || rows > entry.bar.getTotal()) entry.bar.setTotal(Math.max(rows, total ?? 0));
      entry.bar.update(rows, { speed: Math.round(rows / seconds).toLocaleString('en-US'), label });
    },
    done(name, rows, ms, scanned = false) {
      const label = terminalText(name);
      const entry = bars.get(label);
      if (entry) {
        multi?.remove(entry.bar);
        bars.delete(label);
      }
      if (bars.size === 0) close();
      const rate = ms > 0 ? ` (${Math.round((rows * 1000) / ms).toLocaleString('en-US')} rows/s)` : '';
      const count = `${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}`;
      // Rows profiled by the inventory's scan were read there: no time or rate of their own to give.
      const line = scanned
        ? `${label}: ${count}, profiled in the inventory scan`
        : `${label}: ${count} in ${(ms / 1000).toFixed(1)} s${rate}`;
      // While other bars run, the line goes above them through the multi-bar, which redraws them after it.
      if (multi && !options.quiet) multi.log(`• ${terminalText(redact(line))}\n`);
      else output.step(line);
    },
    stop: close,
  };
}
