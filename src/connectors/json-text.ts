/**
 * A JSON document kept as the text the source wrote (`{"n":12345678901234567890}`), for a text value
 * mapped into a JSON column: writers send the text itself, so no number is rounded through a double and
 * no key reordered, and the value is a document, not a JSON string holding it.
 */
export class JsonText {
  readonly text: string;

  /** `text` must be valid JSON (`isJsonText`). */
  constructor(text: string) {
    this.text = text;
  }

  /** The document, for outputs that print values (plan samples, rejects). */
  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}

/** True when `text` is one JSON document. */
export function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
