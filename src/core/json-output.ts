/**
 * Whether a command has written its JSON document to stdout (`--json`): a failure or a signal after it is
 * told by that document, not by a second one. Kept apart from the printer so that the entry module,
 * which answers signals, loads nothing else.
 */
let documentWritten = false;

/** Records that the document went out. */
export function markJsonDocumentWritten(): void {
  documentWritten = true;
}

/** True once a JSON document went to stdout. */
export function jsonDocumentWritten(): boolean {
  return documentWritten;
}
