/**
 * Where the command line writes: results on stdout (JSON with --json), progress and logs on
 * stderr. Every line passes through `redact`, so a secret never reaches a terminal or a CI log, and
 * through `terminalText`, so a name read from a source cannot drive the terminal.
 */
import { markJsonDocumentWritten } from '../core/json-output.ts';
import { redact } from '../core/secrets.ts';
import { terminalText } from '../core/terminal-text.ts';

/** The printer of one command run. */
export interface Output {
  /** A progress line on stderr (one plain line per step). */
  step(message: string): void;
  /** A result line on stdout (suppressed with --json). */
  info(message: string): void;
  /** A warning on stderr. */
  warn(message: string): void;
  /** Machine output on stdout (only with --json). */
  json(document: unknown): void;
  readonly jsonMode: boolean;
}

/** Creates the printer; `quiet` drops progress lines. */
export function createOutput(options: { json?: boolean; quiet?: boolean } = {}): Output {
  const jsonMode = options.json === true;
  const err = (line: string) => process.stderr.write(`${terminalText(redact(line))}\n`);
  return {
    jsonMode,
    step: (message) => {
      if (!options.quiet) err(`• ${message}`);
    },
    info: (message) => {
      if (!jsonMode) process.stdout.write(`${terminalText(redact(message))}\n`);
    },
    warn: (message) => err(`! ${message}`),
    json: (document) => {
      if (jsonMode) {
        const text = JSON.stringify(document, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
        process.stdout.write(`${redact(text)}\n`);
        markJsonDocumentWritten();
      }
    },
  };
}
