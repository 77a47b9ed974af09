/**
 * `junit.xml`: one test case per rule, so CI pages show quality gates beside unit tests, and one error
 * case per source that could not be read; a rule fails as the exit code does (`--fail-on warning`
 * fails warning rules too, and adds a case for the warning findings); a dataset that could not be
 * profiled is an error case too.
 */
import type { Profile } from '../core/profile.ts';
import { allFindings, failsGate, type GateContext } from './audit-findings.ts';

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // An attribute's line breaks and tabs would be read back as spaces: written as references, they survive.
  '\n': '&#10;',
  '\r': '&#13;',
  '\t': '&#9;',
};

/** Escapes text for an XML attribute or element, dropping characters XML 1.0 cannot hold. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"'\n\r\t]/g, (c) => XML_ESCAPES[c]!);
}

/** Renders the rules of a profile (and the unread sources) as a JUnit XML report. */
export function renderJunit(profile: Profile, context: GateContext = {}): string {
  const failOn = context.failOn ?? 'error';
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  for (const source of context.inventory?.sources ?? []) {
    if (source.status !== 'failed') continue;
    errors++;
    const detail = escapeXml(
      source.error ? `${source.error.code}: ${source.error.message}` : 'the source could not be read',
    );
    cases.push(
      `    <testcase name="${escapeXml(`source ${source.name} is read`)}" classname="stocktake.sources">\n      <error message="${detail}"/>\n    </testcase>`,
    );
  }
  for (const finding of profile.findings) {
    if (finding.code !== 'PROFILE_FAILED') continue;
    errors++;
    cases.push(
      `    <testcase name="${escapeXml(`${finding.source}.${finding.dataset ?? ''} is profiled`)}" classname="stocktake.datasets">\n      <error message="${escapeXml(finding.message)}"/>\n    </testcase>`,
    );
  }
  for (const rule of profile.rules) {
    const name = escapeXml(rule.rule);
    const classname = escapeXml(`stocktake.${rule.dataset}`);
    // A rule not evaluated (its source unread) has no counts to give, only its reason and severity.
    const counts = rule.status === 'error' ? '' : `${rule.failed} of ${rule.checked} failing, `;
    const detail = escapeXml(`${rule.message} (${counts}severity ${rule.severity})`);
    if (rule.status === 'error') {
      errors++;
      cases.push(
        `    <testcase name="${name}" classname="${classname}">\n      <error message="${detail}"/>\n    </testcase>`,
      );
    } else if (failsGate(rule, failOn)) {
      failures++;
      cases.push(
        `    <testcase name="${name}" classname="${classname}">\n      <failure message="${detail}" type="${escapeXml(rule.check)}"/>\n    </testcase>`,
      );
    } else {
      const out = rule.status === 'failed' ? `\n      <system-out>${detail}</system-out>\n    ` : '';
      cases.push(`    <testcase name="${name}" classname="${classname}">${out}</testcase>`);
    }
  }
  if (failOn === 'warning') {
    // `--fail-on warning` fails on any warning or error finding: they are one case, listed.
    const flagged = allFindings(context.inventory, profile).filter((f) => f.severity !== 'info');
    const name = 'no finding at warning or above';
    if (flagged.length === 0)
      cases.push(`    <testcase name="${name}" classname="stocktake.findings"></testcase>`);
    else {
      failures++;
      const list = flagged.map(
        (f) => `${f.code} ${[f.source, f.dataset, f.column].filter(Boolean).join('.')}: ${f.message}`,
      );
      cases.push(
        `    <testcase name="${name}" classname="stocktake.findings">\n      <failure message="${escapeXml(`${flagged.length} finding(s) at warning or above`)}" type="findings">${escapeXml(list.join('\n'))}</failure>\n    </testcase>`,
      );
    }
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="stocktake" tests="${cases.length}" failures="${failures}" errors="${errors}">`,
    `  <testsuite name="quality gates" tests="${cases.length}" failures="${failures}" errors="${errors}" timestamp="${profile.generatedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
