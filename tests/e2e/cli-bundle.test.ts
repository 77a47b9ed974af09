import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../bin/build.js';
import { bundleIsFresh } from '../../bin/bundle-freshness.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
// Inside the package, so that the bundle's dependencies resolve from node_modules; never dist/ itself,
// which other test files' command lines may be running.
const outdir = `tests/artifacts/cli-bundle-${process.pid}`;
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

function runBundle(args: string[], cwd = root) {
  const result = spawnSync(process.execPath, [join(root, outdir, 'main.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The modules a chunk loads before it runs (static imports, transitively): what a start pays for. */
function staticClosure(metafile: Metafile, entry: string): Set<string> {
  const outputs = metafile.outputs;
  const start = Object.keys(outputs).find((file) => outputs[file]!.entryPoint === entry)!;
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const input of Object.keys(outputs[file]!.inputs)) inputs.add(input);
    for (const i of outputs[file]!.imports) {
      if (i.kind !== 'import-statement') continue;
      if (i.external) inputs.add(i.path);
      else visit(i.path);
    }
  };
  visit(start);
  return inputs;
}

describe('the command-line bundle (bin/build.js)', () => {
  let metafile: Metafile;

  beforeAll(async () => {
    metafile = await buildCli(outdir);
  }, 60_000);

  afterAll(() => rmSync(join(root, outdir), { recursive: true, force: true }));

  it('runs without tsx and reports the package version', () => {
    const { code, stdout } = runBundle(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(version);
    expect(Object.keys(metafile.outputs).some((f) => /node_modules|tsx/.test(f))).toBe(false);
  });

  it('lists every command in the help and exits 2 on an unknown one', () => {
    const help = runBundle(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['inventory', 'profile', 'audit', 'plan', 'migrate', 'report', 'schema']) {
      expect(help.stdout).toContain(command);
    }
    expect(runBundle(['inventroy']).code).toBe(2);
  });

  it('keeps each command in its own chunk: inventory loads neither the report nor the mappers', () => {
    const inventory = staticClosure(metafile, 'src/cli/inventory.ts');
    expect(inventory.has('src/cli/inventory.ts')).toBe(true);
    expect(
      [...inventory].filter((f) => f.startsWith('src/mappers/') || f.startsWith('src/report/html')),
    ).toEqual([]);
    expect([...inventory].filter((f) => /^(node_modules\/)?exceljs\b/.test(f))).toEqual([]);
    // The entry holds no command: help lists their summaries (src/cli/command-summaries.ts).
    const main = staticClosure(metafile, 'src/cli/main.ts');
    expect([...main].filter((f) => f.startsWith('src/cli/')).sort()).toEqual([
      'src/cli/command-summaries.ts',
      'src/cli/main.ts',
    ]);
  });

  it('bundles the pure-JavaScript dependencies and leaves only the drivers, native code and tsx outside', () => {
    const inputs = Object.keys(metafile.inputs);
    // pg too: a PostgreSQL inventory loads it at every start.
    for (const name of ['knex', 'lodash', 'exceljs', 'zod', 'yaml', 'commander', 'pg', 'pg-protocol'])
      expect(inputs.some((f) => f.startsWith(`node_modules/${name}/`))).toBe(true);
    const external = new Set<string>();
    for (const output of Object.values(metafile.outputs))
      for (const i of output.imports) if (i.external && !i.path.startsWith('node:')) external.add(i.path);
    const builtins = new Set(builtinModules);
    const packages = [...external].filter((p) => !builtins.has(p)).map((p) => p.split('/')[0]);
    // knex's drivers of clients stocktake does not use, pg's native binding, and debug's optional colours, stay
    // unresolved requires.
    const unused = ['mysql', 'mariadb', 'oracledb', 'sqlite3', 'pg-native', 'supports-color'];
    const drivers = ['pg-query-stream', 'pg-copy-streams', 'mysql2', 'tedious', 'better-sqlite3'];
    expect(new Set(packages)).toEqual(new Set([...drivers, ...unused]));
  });

  it('writes a workbook without warnings about the bundled packages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-bundle-'));
    try {
      writeFileSync(join(dir, 'clients.csv'), 'id;name\n1;Dupont\n2;Martin\n');
      writeFileSync(
        join(dir, 'stocktake.yaml'),
        `version: 1\nsources:\n  files:\n    kind: csv\n    path: ${join(dir, 'clients.csv')}\n`,
      );
      const { code, stderr } = runBundle(
        ['inventory', '-c', join(dir, 'stocktake.yaml'), '-o', dir, '-q'],
        dir,
      );
      expect(code).toBe(0);
      expect(stderr).not.toMatch(/Warning/);
      expect(existsSync(join(dir, 'inventory.xlsx'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders an HTML report, whose script it reads beside the bundle', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-bundle-'));
    try {
      const inventory = {
        formatVersion: 1,
        generatedAt: '2026-01-01T00:00:00.000Z',
        systems: [],
        sources: [{ name: 'crm', kind: 'csv', datasets: [], findings: [] }],
      };
      writeFileSync(join(dir, 'inventory.json'), JSON.stringify(inventory));
      const { code, stderr } = runBundle(
        ['report', '--inventory', join(dir, 'inventory.json'), '--format', 'html', '-o', dir],
        dir,
      );
      expect(stderr).not.toContain('error');
      expect(code).toBe(0);
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain(
        readFileSync(join(root, 'src/report/html/report-client.js'), 'utf8').slice(0, 200),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bundle freshness (bin/bundle-freshness.js)', () => {
  let dir: string;
  const url = () => pathToFileURL(`${dir}/`);
  const built = Date.parse('2026-01-02T00:00:00Z');

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-fresh-'));
    mkdirSync(join(dir, 'dist'));
    mkdirSync(join(dir, 'src'));
    for (const name of ['a.ts', 'b.ts']) {
      writeFileSync(join(dir, 'src', name), '');
      utimesSync(join(dir, 'src', name), new Date(built - 1000), new Date(built - 1000));
    }
    writeFileSync(
      join(dir, 'dist/manifest.json'),
      JSON.stringify({ builtAt: built, inputs: ['src/a.ts', 'src/b.ts'] }),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a bundle no older than its inputs', () => {
    expect(bundleIsFresh(url())).toBe(true);
  });

  it('refuses a bundle when an input was saved after the build began', () => {
    utimesSync(join(dir, 'src/b.ts'), new Date(built + 1), new Date(built + 1));
    expect(bundleIsFresh(url())).toBe(false);
    utimesSync(join(dir, 'src/b.ts'), new Date(built - 1000), new Date(built - 1000));
  });

  it('refuses a bundle when an input is gone or there is no manifest', () => {
    rmSync(join(dir, 'src/a.ts'));
    expect(bundleIsFresh(url())).toBe(false);
    writeFileSync(join(dir, 'src/a.ts'), '');
    utimesSync(join(dir, 'src/a.ts'), new Date(built - 1000), new Date(built - 1000));
    expect(bundleIsFresh(url())).toBe(true);
    rmSync(join(dir, 'dist/manifest.json'));
    expect(bundleIsFresh(url())).toBe(false);
    expect(existsSync(join(dir, 'dist'))).toBe(true);
  });
});
