/** `junit.xml`: one test case per rule, so CI pages show quality gates beside unit tests. */
import type { Profile } from '../core/profile.ts';

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for an XML attribute or element, dropping characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** Renders the rules of a profile as a JUnit XML report; a failed error-level rule is a failure, a warning is not. */
export function renderJunit(profile: Profile): string {
  const failures = profile.rules.filter((r) => r.status === 'failed' && r.severity === 'error').length;
  const errors = profile.rules.filter((r) => r.status === 'error').length;
  const cases = profile.rules.map((rule) => {
    const name = escapeXml(rule.rule);
    const classname = escapeXml(`stocktake.${rule.dataset}`);
    const detail = escapeXml(
      `${rule.message} (${rule.failed} of ${rule.checked} failing, severity ${rule.severity})`,
    );
    if (rule.status === 'error') {
      return `    <testcase name="${name}" classname="${classname}">\n      <error message="${detail}"/>\n    </testcase>`;
    }
    if (rule.status === 'failed' && rule.severity === 'error') {
      return `    <testcase name="${name}" classname="${classname}">\n      <failure message="${detail}" type="${escapeXml(rule.check)}"/>\n    </testcase>`;
    }
    const out = rule.status === 'failed' ? `\n      <system-out>${detail}</system-out>\n    ` : '';
    return `    <testcase name="${name}" classname="${classname}">${out}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stocktake" tests="${profile.rules.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="quality gates" tests="${profile.rules.length}" failures="${failures}" errors="${errors}" timestamp="${profile.generatedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
