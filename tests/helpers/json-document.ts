/** Matches a JSON document read from a JSON column (`JsonText`) that holds `expected`. */
import { isDeepStrictEqual } from 'node:util';
import { expect } from 'vitest';
import { JsonText } from '../../src/connectors/json-text.ts';

export function jsonDocument(expected: unknown): unknown {
  return expect.toSatisfy(
    (value: unknown) => value instanceof JsonText && isDeepStrictEqual(JSON.parse(value.text), expected),
    `a JSON document holding ${JSON.stringify(expected)}`,
  );
}
