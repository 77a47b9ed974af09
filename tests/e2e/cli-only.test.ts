/**
 * `--only` on the demo estate: a name that selects nothing is refused (exit 2, with the nearest name),
 * never a green run over nothing; rules about what --only leaves out are not evaluated, rather than
 * failing the config; `plan --detailed-exitcode` exits 1 on any error, its 2 meaning changes pending.
 */

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoCrm } from '../../examples/demo/crm.ts';
import { generateDemoFiles } from '../../examples/demo/files.ts';
import type { Profile } from '../../src/core/profile.ts';
import { runStocktake } from '../helpers/child-process.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;

function stocktake(...args: string[]) {
  return runStocktake(args, { cwd: dir });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-only-'));
  mkdirSync(join(dir, 'examples', 'data'), { recursive: true });
  generateDemoCrm(join(dir, 'examples', 'data', 'crm.sqlite'));
  await generateDemoFiles(join(dir, 'examples', 'data'));
  copyFileSync(join(root, 'examples/stocktake.yaml'), join(dir, 'examples', 'stocktake.yaml'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--only', () => {
  it('refuses a source name that matches nothing, before scanning, with the nearest name', () => {
    const run = stocktake('inventory', '-c', 'examples/stocktake.yaml', '-o', 'out1', '--only', 'crn');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'error FILTER_MATCHED_NOTHING: --only: nothing is named "crn" (did you mean "crm"?)',
    );
    expect(run.stderr).not.toContain('scanning');
  });

  it('refuses a dataset no source holds, once scanned', () => {
    const run = stocktake(
      'inventory',
      '-c',
      'examples/stocktake.yaml',
      '-o',
      'out2',
      '--only',
      'crm.custmers',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"crm.custmers" (did you mean "crm.customers"?)');
  });

  it('leaves the rules about other sources out of a profile of one source', () => {
    const run = stocktake('profile', '-c', 'examples/stocktake.yaml', '-o', 'out3', '--only', 'clients');
    expect(run.stderr).not.toContain('CONFIG_INVALID');
    expect([0, 1]).toContain(run.code);
    expect(run.stderr).toMatch(/\d+ rule\(s\) about datasets outside --only not evaluated/);
    const profile = JSON.parse(readFileSync(join(dir, 'out3', 'profile.json'), 'utf8')) as Profile;
    expect(new Set(profile.datasets.map((d) => d.source))).toEqual(new Set(['clients']));
    expect(profile.rules.every((r) => r.dataset.startsWith('clients.'))).toBe(true);
  });

  it("reads a foreign_key rule's parent too, and evaluates only the rules about the datasets selected", () => {
    const run = stocktake(
      'profile',
      '-c',
      'examples/stocktake.yaml',
      '-o',
      'out3b',
      '--only',
      'crm.order_lines',
    );
    expect(run.stderr).toContain('crm.orders is read too: rules[');
    const profile = JSON.parse(readFileSync(join(dir, 'out3b', 'profile.json'), 'utf8')) as Profile;
    // The parent is read for the rule only: the outputs hold the selection.
    expect(profile.datasets.map((d) => d.dataset)).toEqual(['order_lines']);
    expect(profile.findings.every((f) => f.dataset === undefined || f.dataset === 'order_lines')).toBe(true);
    expect(profile.rules.map((r) => [r.check, r.dataset])).toEqual([
      ['range', 'crm.order_lines'],
      ['foreign_key', 'crm.order_lines'],
    ]);
  });

  it('refuses a mapping name that matches nothing; under --detailed-exitcode every error exits 1', () => {
    const plain = stocktake('plan', '-c', 'examples/stocktake.yaml', '-o', 'out4', '--only', 'crm-acounts');
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('--only: no mapping named "crm-acounts" (did you mean "crm-accounts"?)');
    const detailed = stocktake(
      'plan',
      '-c',
      'examples/stocktake.yaml',
      '-o',
      'out4',
      '--only',
      'crm-acounts',
      '--detailed-exitcode',
    );
    expect(detailed.code).toBe(1);
    const missing = stocktake('plan', '-c', 'examples/missing.yaml', '--detailed-exitcode');
    expect(missing.code).toBe(1);
  });
});

describe('audit --lang', () => {
  it('writes the report in the language asked for, over the config', () => {
    const run = stocktake(
      'audit',
      '-c',
      'examples/stocktake.yaml',
      '-o',
      'out5',
      '--only',
      'clients',
      '--lang',
      'fr',
    );
    expect([0, 1]).toContain(run.code);
    expect(readFileSync(join(dir, 'out5', 'report.html'), 'utf8')).toMatch(/<html lang="fr"/);
  });
});

describe('rules and sources that cannot be read', () => {
  it('names a rule problem by its own index when --only leaves earlier rules out', () => {
    writeFileSync(
      join(dir, 'examples', 'rules.yaml'),
      `sources:
  crm: { kind: sqlite, path: data/crm.sqlite }
  clients: { kind: csv, path: data/clients.csv }
rules:
  - { dataset: crm.customers, column: email, check: not_null }
  - { dataset: clients.clients, column: nope, check: not_null }
`,
    );
    const run = stocktake('profile', '-c', 'examples/rules.yaml', '-o', 'out6', '--only', 'clients');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('rules[1].column');
  });

  it('keeps the exit of a source that cannot be reached, evaluates its rule as an error, profiles the rest', () => {
    writeFileSync(
      join(dir, 'examples', 'down.yaml'),
      `sources:
  pg: { kind: postgres, url: "postgres://postgres@127.0.0.1:9/x", connectTimeoutMs: 2000 }
  clients: { kind: csv, path: data/clients.csv }
rules:
  - { dataset: pg.t, column: id, check: unique }
`,
    );
    const run = stocktake('profile', '-c', 'examples/down.yaml', '-o', 'out7');
    expect(run.code).toBe(3);
    expect(run.stderr).not.toContain('CONFIG_INVALID');
    expect(run.stderr).toContain('rules[0] (pg.t) cannot be evaluated: source pg could not be read');
    const profile = JSON.parse(readFileSync(join(dir, 'out7', 'profile.json'), 'utf8')) as Profile;
    expect(profile.datasets.map((d) => d.source)).toEqual(['clients']);
    expect(profile.rules.map((r) => r.status)).toEqual(['error']);
  });

  it('names the inventory warnings that fail --fail-on warning', () => {
    const run = stocktake(
      'profile',
      '-c',
      'examples/stocktake.yaml',
      '-o',
      'out8',
      '--only',
      'clients',
      '--fail-on',
      'warning',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /! clients: CSV_RAGGED_ROW \(warning\): .*clients\.csv: \d+ row\(s\) do not have/,
    );
  });

  it('refuses to render an edited profile with the files named, not an internal error', () => {
    const audit = stocktake('audit', '-c', 'examples/stocktake.yaml', '-o', 'out9', '--only', 'clients');
    expect([0, 1]).toContain(audit.code);
    const profile = JSON.parse(readFileSync(join(dir, 'out9', 'profile.json'), 'utf8'));
    delete profile.rules;
    writeFileSync(join(dir, 'out9', 'edited.json'), JSON.stringify(profile));
    const run = stocktake(
      'report',
      '--inventory',
      'out9/inventory.json',
      '--profile',
      'out9/edited.json',
      '-o',
      'out9/report',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'error DOCUMENT_INVALID: out9/inventory.json, out9/edited.json: not documents this version can render',
    );
  });
});
