import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDocuments } from '../browser/report-fixtures.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const command = pathToFileURL(join(root, 'src/cli/report.ts')).href;

// main.ts does not register the command yet: run it on its own, as main.ts will.
function report(args: string[]) {
  const script = `import { reportCommand } from ${JSON.stringify(command)}; await reportCommand().parseAsync(process.argv.slice(1), { from: 'user' });`;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script, '--', ...args],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('stocktake report (command line)', () => {
  let dir: string;
  const file = (name: string) => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-report-cli-'));
    const docs = fixtureDocuments();
    for (const name of ['inventory', 'profile', 'plan', 'previous'] as const) {
      writeFileSync(file(`${name}.json`), JSON.stringify(docs[name]));
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders every format from saved documents', () => {
    const out = file('out');
    const { code, stdout } = report([
      '--inventory',
      file('inventory.json'),
      '--profile',
      file('profile.json'),
      '--plan',
      file('plan.json'),
      '--previous',
      file('previous.json'),
      '--lang',
      'fr',
      '-o',
      out,
    ]);
    expect(code).toBe(0);
    for (const name of ['report.html', 'audit.xlsx', 'summary.md', 'junit.xml']) {
      expect(existsSync(join(out, name)), name).toBe(true);
      expect(stdout).toContain(`wrote ${join(out, name)}`);
    }
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Changements depuis le');
    expect(html).toContain('data-view="plan"');
  });

  it('writes only the formats asked for, and lists them with --json', () => {
    const out = file('only-html');
    const { code, stdout } = report([
      '--inventory',
      file('inventory.json'),
      '--format',
      'html',
      '--json',
      '-o',
      out,
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ files: [join(out, 'report.html')] });
    expect(existsSync(join(out, 'audit.xlsx'))).toBe(false);
  });

  it('exits 2 on a missing document or a format that needs a profile, writing nothing', () => {
    const out = file('bad');
    const missing = report(['--inventory', file('nope.json'), '-o', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('INVENTORY_UNREADABLE');
    const notProfile = report([
      '--inventory',
      file('inventory.json'),
      '--profile',
      file('plan.json'),
      '-o',
      out,
    ]);
    expect(notProfile.code).toBe(2);
    expect(notProfile.stderr).toContain('not a stocktake profile');
    const needsProfile = report(['--inventory', file('inventory.json'), '--format', 'md', '-o', out]);
    expect(needsProfile.code).toBe(2);
    expect(needsProfile.stderr).toContain('rendered from a profile');
    expect(existsSync(out)).toBe(false);
  });
});
