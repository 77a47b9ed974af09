import { describe, expect, it } from 'vitest';
import { canonicalJsonNumber, JsonText } from '../../src/connectors/json-text.ts';
import { stableJson, stableJsonText } from '../../src/mappers/canonical-value.ts';

describe('JSON compared as documents, numbers exact', () => {
  it('gives one canonical text to equal numbers however written, and two to different ones', () => {
    expect(canonicalJsonNumber('2.50')).toBe(canonicalJsonNumber('2.5'));
    expect(canonicalJsonNumber('1e1000')).toBe(canonicalJsonNumber(`1${'0'.repeat(1000)}`));
    expect(canonicalJsonNumber('-0')).toBe('0');
    expect(canonicalJsonNumber('12345678901234567891')).not.toBe(canonicalJsonNumber('12345678901234567890'));
    // A JavaScript number's text is read the same way.
    expect(canonicalJsonNumber(String(1e21))).toBe(canonicalJsonNumber('1000000000000000000000'));
  });

  it('sorts keys, ignores spacing, keeps the last of a repeated key (as jsonb and JSON.parse do)', () => {
    expect(stableJsonText('{"b": [1.10, 2.00], "a": null}')).toBe(stableJsonText('{"a":null,"b":[1.1,2]}'));
    expect(stableJsonText('{"a":1,"a":2}')).toBe(stableJsonText('{"a": 2}'));
    expect(stableJsonText('{"__proto__": {"x": 1}}')).toBe('{"__proto__":{"x":1}}');
    expect(stableJsonText('{"n": 12345678901234567891}')).not.toBe(
      stableJsonText('{"n": 12345678901234567890}'),
    );
    expect(stableJsonText('"caf\\u00e9"')).toBe(stableJsonText('"café"'));
    // A document's text and the same value held as JavaScript compare equal.
    expect(stableJson(new JsonText('[0.1, 1e21, {"x": true}]'))).toBe(stableJson([0.1, 1e21, { x: true }]));
    // Text that is not JSON is compared as text.
    expect(stableJsonText('[1,2')).toBe('"[1,2"');
  });
});
