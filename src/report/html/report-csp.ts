/** The Content-Security-Policy of the report: only the inline script and style it ships, by hash. */
import { createHash } from 'node:crypto';

/** The CSP source expression of an inline block: `'sha256-…'` over its exact text, as browsers compute it. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The policy for a page whose only script and style are `script` and `style`; images only as `data:` URLs. */
export function contentSecurityPolicy(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${cspHash(script)}`,
    `style-src ${cspHash(style)}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
