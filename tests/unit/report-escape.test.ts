import { describe, expect, it } from 'vitest';
import { embedJson, escapeHtml } from '../../src/report/html/report-escape.ts';
import { XSS } from '../browser/report-fixtures.ts';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('turns every planted payload into inert text', () => {
    for (const payload of Object.values(XSS)) {
      const escaped = escapeHtml(payload);
      expect(escaped).not.toMatch(/[<>"']/);
    }
  });

  it('prints null and undefined as empty, numbers as written', () => {
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(12.5)).toBe('12.5');
  });
});

describe('embedJson', () => {
  const value = {
    script: XSS.script,
    comment: `${XSS.comment} -->`,
    amp: 'a & b',
    separators: 'line\u2028paragraph\u2029',
    nested: [{ name: XSS.img }],
    big: 12n,
  };

  it('leaves no <, > or & that could end a script block or open a comment', () => {
    const text = embedJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(text.toLowerCase()).not.toContain('</script');
    expect(text).not.toContain('<!--');
  });

  it('reads back unchanged with JSON.parse (bigints as strings)', () => {
    expect(JSON.parse(embedJson(value))).toEqual({ ...value, big: '12' });
  });
});
