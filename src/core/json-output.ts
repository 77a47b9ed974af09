/**
 * The JSON documents a command writes on stdout with `--json`: whether its result went out (a failure or
 * a signal after it is told by that document, not by a second one), and the error document written
 * instead of a result. Kept apart from the printer so that the entry module, which answers signals,
 * loads nothing else.
 */
import { redact } from './secrets.ts';

let documentWritten = false;

/** Records that the document went out. */
export function markJsonDocumentWritten(): void {
  documentWritten = true;
}

/** The document `--json` writes on stdout when a command fails instead of its result. */
export interface ErrorDocument {
  readonly formatVersion: 1;
  readonly kind: 'error';
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly hint?: string;
    readonly exitCode: number;
  };
}

/** Writes the error document on stdout, unless the command's own document went out already. */
export function writeErrorDocumentOnce(
  code: string,
  message: string,
  hint: string | undefined,
  exitCode: number,
): void {
  if (documentWritten) return;
  const document: ErrorDocument = {
    formatVersion: 1,
    kind: 'error',
    error: { code, message: redact(message), ...(hint ? { hint: redact(hint) } : {}), exitCode },
  };
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}
