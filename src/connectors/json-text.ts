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

/** A JSON number kept as the text the document wrote (`1.10`, `12345678901234567891`, `1e1000`). */
export class JsonNumber {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  toString(): string {
    return this.text;
  }
}

/** A JSON value read with its numbers exact: arrays, objects (a repeated key keeps its last value, as JSON.parse does), strings, booleans, null and `JsonNumber`s. */
export type ExactJson = null | boolean | string | JsonNumber | ExactJson[] | { [key: string]: ExactJson };

/** Parses JSON text (valid: check with `isJsonText`) keeping every number as written. */
export function parseJsonExact(text: string): ExactJson {
  let at = 0;
  const space = () => {
    while (
      at < text.length &&
      (text[at] === ' ' || text[at] === '\t' || text[at] === '\n' || text[at] === '\r')
    )
      at++;
  };
  const stringAt = (): string => {
    const start = at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const valueAt = (): ExactJson => {
    space();
    const c = text[at];
    if (c === '{') {
      at++;
      // No prototype: a key named `__proto__` is a member like any other, as JSON.parse keeps it.
      const members: { [key: string]: ExactJson } = Object.create(null);
      space();
      if (text[at] === '}') at++;
      else
        while (at < text.length) {
          space();
          const key = stringAt();
          space();
          at++; // :
          const value = valueAt();
          // The last of a repeated key wins, as JSON.parse and PostgreSQL's jsonb keep it.
          delete members[key];
          members[key] = value;
          space();
          if (text[at++] === '}') break;
        }
      return members;
    }
    if (c === '[') {
      at++;
      const items: ExactJson[] = [];
      space();
      if (text[at] === ']') at++;
      else
        while (at < text.length) {
          items.push(valueAt());
          space();
          if (text[at++] === ']') break;
        }
      return items;
    }
    if (c === '"') return stringAt();
    const start = at;
    while (at < text.length && !' \t\n\r,]}'.includes(text[at]!)) at++;
    const token = text.slice(start, at);
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === 'null') return null;
    return new JsonNumber(token);
  };
  return valueAt();
}

/**
 * A JSON number's canonical text, exact and short whatever its size: its significant digits and the power
 * of ten after them (`2.50` and `2.5` → `25e-1`, `1e1000` and `1` followed by 1,000 zeros → `1e1000`,
 * `-0` → `0`). Takes any JSON number text, or a JavaScript number's (`1e+21`).
 */
export function canonicalJsonNumber(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text.trim());
  if (!m) return text;
  const all = `${m[2] ?? ''}${m[3] ?? ''}`;
  let exponent = BigInt(m[4] ?? '0') - BigInt((m[3] ?? '').length);
  const first = all.search(/[1-9]/);
  if (first < 0) return '0';
  let digits = all.slice(first);
  const trimmed = digits.replace(/0+$/, '');
  exponent += BigInt(digits.length - trimmed.length);
  digits = trimmed;
  return `${m[1]}${digits}${exponent === 0n ? '' : `e${exponent}`}`;
}

/** An exactly parsed JSON value as JSON text again, its numbers as written. */
export function exactJsonText(value: ExactJson): string {
  if (value === null) return 'null';
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${value.map(exactJsonText).join(',')}]`;
  if (typeof value === 'object')
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}:${exactJsonText(item)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
