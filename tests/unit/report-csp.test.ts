import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, cspHash } from '../../src/report/html/report-csp.ts';
import { renderAuditReport, reportClientScript } from '../../src/report/html/report-html.ts';
import { REPORT_CSS } from '../../src/report/html/report-styles.ts';
import { fixtureDocuments } from '../browser/report-fixtures.ts';

function unescapeAttribute(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('Content-Security-Policy', () => {
  const html = renderAuditReport({ ...fixtureDocuments({ xss: true }), lang: 'en' });
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  const policy = unescapeAttribute(meta?.[1] ?? '');
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);

  it('is the first thing in the head after the charset', () => {
    expect(meta).not.toBeNull();
    expect(html.indexOf('http-equiv="Content-Security-Policy"')).toBeLessThan(html.indexOf('<style>'));
  });

  it('allows exactly the one inline script and the one style the page ships, by hash', () => {
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    expect(scripts[0]).toBe(reportClientScript());
    expect(policy).toContain(`script-src ${sha(scripts[0]!)}`);
    expect(policy).toContain(`style-src ${sha(styles[0]!)}`);
    expect(policy).toBe(contentSecurityPolicy(scripts[0]!, REPORT_CSS));
  });

  it('denies everything else: no network, images only as data: URLs', () => {
    const directives = policy.split(';').map((d) => d.trim());
    expect(directives).toContain("default-src 'none'");
    expect(directives).toContain('img-src data:');
    expect(directives).toContain("base-uri 'none'");
    expect(directives).toContain("form-action 'none'");
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('needs no style attribute, inline handler or external resource that the policy would block', () => {
    const markup = html.replace(/<script type="application\/json"[\s\S]*?<\/script>/, '');
    expect(markup).not.toMatch(/\sstyle=/);
    expect(markup).not.toMatch(/<[^>]+\son[a-z]+=/i);
    expect(markup).not.toMatch(/\s(src|href)="(https?:|\/\/)/);
    expect(reportClientScript()).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/,
    );
    expect(reportClientScript().toLowerCase()).not.toContain('</script');
  });

  it('hashes as browsers do: sha256 of the UTF-8 text, base64', () => {
    expect(cspHash('é')).toBe(sha('é'));
    expect(cspHash('')).toBe("'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
  });
});
