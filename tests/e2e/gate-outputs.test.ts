/**
 * summary.md and junit.xml say what the exit code says: a source that could not be read is an error in
 * both (and its findings are counted), a rule on it is shown as not evaluated with its reason, and
 * `--fail-on warning` turns failed warning rules and warning findings into failures.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStocktake } from '../helpers/child-process.ts';

let dir: string;

function stocktake(...args: string[]) {
  return runStocktake(args, { cwd: dir });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-gates-'));
  writeFileSync(join(dir, 'clients.csv'), 'id;ville\n1;Paris\n2;Lyon\n3;lyon\n');
  // Nothing listens on port 9: the source fails at once, with an error naming it.
  writeFileSync(
    join(dir, 'broken.yaml'),
    `sources:
  files: { kind: csv, path: clients.csv }
  legacy: { kind: postgres, url: "postgres://audit:s3cret@127.0.0.1:9/crm", connectTimeoutMs: 2000 }
rules:
  - { dataset: files.clients, column: id, check: unique, severity: error }
  - { dataset: legacy.public.clients, column: id, check: unique, severity: error }
`,
  );
  writeFileSync(
    join(dir, 'warnings.yaml'),
    `sources:
  files: { kind: csv, path: clients.csv }
rules:
  - { dataset: files.clients, column: ville, check: allowed_values, values: [Paris, Lyon], severity: warning }
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('summary.md and junit.xml', () => {
  it('list an unread source as an error, and a rule on it as not evaluated', () => {
    const run = stocktake('audit', '-c', 'broken.yaml', '-o', 'out');
    expect(run.code).toBe(3);
    const md = readFileSync(join(dir, 'out', 'summary.md'), 'utf8');
    expect(md).toContain('## Sources not read: 1');
    expect(md).toMatch(/\| legacy \| `[A-Z_]+` .+ \|/);
    expect(md).not.toContain('s3cret');
    expect(md).toContain('## Quality gates: 1 failed');
    expect(md).toMatch(
      /\| ❌ \| unique\(id\) on legacy\.public\.clients \| legacy\.public\.clients\.id \| not evaluated: .+ \| error \|/,
    );
    const xml = readFileSync(join(dir, 'out', 'junit.xml'), 'utf8');
    expect(xml).toContain('tests="3" failures="0" errors="2"');
    expect(xml).toMatch(
      /<testcase name="source legacy is read" classname="stocktake.sources">\s*<error message="[A-Z_]+: /,
    );
    // The rule not evaluated gives its reason and severity, not counts it never took.
    expect(xml).toContain('<error message="source legacy could not be scanned (severity error)"/>');
    expect(xml).not.toContain('0 of 0 failing');
    expect(xml).not.toContain('s3cret');
  });

  it('fail warning rules and warning findings with --fail-on warning, and only then', () => {
    const lenient = stocktake('profile', '-c', 'warnings.yaml', '-o', 'lenient');
    expect(lenient.code).toBe(0);
    expect(readFileSync(join(dir, 'lenient', 'summary.md'), 'utf8')).toContain('## Quality gates: passed');
    // The console and summary.md count the rules alike: the warning rule failed, the gate passed.
    const outcome = 'Rules: 0 passed, 1 failed; quality gates: passed';
    expect(readFileSync(join(dir, 'lenient', 'summary.md'), 'utf8')).toContain(`${outcome}.`);
    expect(lenient.stdout + lenient.stderr).toContain(outcome);
    expect(readFileSync(join(dir, 'lenient', 'junit.xml'), 'utf8')).toContain(
      'tests="1" failures="0" errors="0"',
    );

    const strict = stocktake('profile', '-c', 'warnings.yaml', '-o', 'strict', '--fail-on', 'warning');
    expect(strict.code).toBe(1);
    const md = readFileSync(join(dir, 'strict', 'summary.md'), 'utf8');
    expect(md).toContain('## Quality gates: 1 failed');
    expect(md).toContain('Rules: 0 passed, 1 failed; quality gates: 1 failed.');
    expect(strict.stdout + strict.stderr).toContain('Rules: 0 passed, 1 failed; quality gates: 1 failed');
    expect(md).toContain('| ❌ | allowed\\_values(ville) on files.clients |');
    const xml = readFileSync(join(dir, 'strict', 'junit.xml'), 'utf8');
    // The rule, and the case-variant finding (`Lyon` / `lyon`) that fails the gate as well.
    expect(xml).toContain('tests="2" failures="2" errors="0"');
    expect(xml).toMatch(/<failure message="[^"]+" type="allowed_values"\/>/);
    expect(xml).toMatch(
      /<testcase name="no finding at warning or above" classname="stocktake.findings">\s*<failure message="\d+ finding\(s\) at warning or above" type="findings">[^<]*CASE_ACCENT_VARIANTS files\.clients\.ville/,
    );
  });

  it('keep a summary cell on one line whatever control characters a name holds', async () => {
    const { escapeMarkdown } = await import('../../src/report/summary-md.ts');
    expect(escapeMarkdown('gate one\r| injected |\r\r# Heading\u0001\r\nend')).toBe(
      'gate one \\| injected \\|  # Heading  end',
    );
  });
});
