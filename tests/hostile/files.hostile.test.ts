import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import type { Connector } from '../../src/connectors/types.ts';
import { createXlsxConnector } from '../../src/connectors/xlsx/xlsx-connector.ts';
import { isStocktakeError } from '../../src/core/errors.ts';
import type { Inventory, SourceFinding } from '../../src/core/inventory.ts';
import { runStocktake } from '../helpers/child-process.ts';
import { HOSTILE_CASES, type HostileCase } from './files-corpus.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-hostile-'));
let counter = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function connectorFor(kind: HostileCase['kind'], path: string): Promise<Connector> {
  const make = kind === 'csv' ? createCsvConnector : createXlsxConnector;
  return make({ kind, path } as Parameters<typeof make>[0], { name: 'hostile', mode: 'audit' });
}

async function build(hostile: HostileCase): Promise<{ dir: string; path: string }> {
  const dir = join(root, `case-${++counter}`);
  mkdirSync(dir);
  return { dir, path: await hostile.build(dir) };
}

/** Samples the resident set while `run` works and returns how far it grew above the start. */
async function peakGrowth<T>(run: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    const result = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMb: (peak - start) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

function linesOf(finding: SourceFinding): unknown {
  const evidence = finding.evidence as { lines?: unknown; line?: unknown } | undefined;
  return evidence?.lines ?? (evidence?.line === undefined ? undefined : [evidence.line]);
}

describe('hostile files through the connector API', () => {
  it('has at least 40 cases', () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(HOSTILE_CASES.map((c) => [c.name, c] as const))(
    '%s',
    { timeout: 30_000 },
    async (_name, hostile) => {
      const { path } = await build(hostile);
      const connector = await connectorFor(hostile.kind, path);
      if (hostile.throws) {
        const error = await connector.inventory().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isStocktakeError(error, hostile.throws as never)).toBe(true);
        expect((error as Error).message).toContain(path);
        return;
      }
      const started = Date.now();
      const { result, growthMb } = await peakGrowth(async () => {
        const inventory = await connector.inventory();
        const read = new Map<string, unknown[][]>();
        for (const dataset of inventory.datasets) {
          const rows: unknown[][] = [];
          for await (const batch of connector.read({ name: dataset.name })) rows.push(...batch);
          read.set(dataset.name, rows);
        }
        return { inventory, read };
      });
      expect(Date.now() - started).toBeLessThan(20_000);
      if (hostile.bomb) expect(growthMb).toBeLessThan(128);
      const { inventory, read } = result;
      const findings = inventory.findings ?? [];

      expect(inventory.datasets.map((d) => d.name)).toEqual(hostile.datasets.map((d) => d.name));
      for (const expected of hostile.datasets) {
        const dataset = inventory.datasets.find((d) => d.name === expected.name)!;
        expect(dataset.columns.map((c) => c.name)).toEqual(expected.columns);
        const rows = read.get(expected.name)!;
        if (typeof expected.rows === 'function') expected.rows(rows);
        else {
          expect(rows).toEqual(expected.rows);
          expect(dataset.rowCount).toBe(expected.rows.length);
        }
      }

      expect(findings.map((f) => [f.code, f.severity])).toEqual(
        hostile.findings.map((f) => [f.code, f.severity]),
      );
      hostile.findings.forEach((expected, i) => {
        const finding = findings[i]!;
        if (expected.lines) expect(linesOf(finding)).toEqual(expected.lines);
        if (expected.names) expect(finding.message).toContain(expected.names);
        if (finding.severity === 'error') {
          expect((finding.evidence as { file?: string }).file).toContain(expected.names);
          // The failed file is attached to the dataset it would have been, so a read of it fails too.
          expect(finding.dataset).toBeDefined();
        }
      });
    },
  );

  it('a read of a file that failed the inventory throws its error, naming the file', async () => {
    const hostile = HOSTILE_CASES.find((c) => c.name === 'an unterminated quote at line 4')!;
    const { path } = await build(hostile);
    const connector = await connectorFor('csv', path);
    await connector.inventory();
    const error = await (async () => {
      for await (const _ of connector.read({ name: 'openquote' })) {
        // never reached
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStocktakeError(error, 'CSV_QUOTE_NOT_CLOSED')).toBe(true);
    expect((error as Error).message).toContain(path);
  });
});

function stocktake(args: string[]) {
  return runStocktake(args);
}

/**
 * The CLI subset: the case names and the exit code `stocktake inventory` must end with. A source whose
 * only file fails has nothing to audit: it fails as a source (exit 3), its findings naming the file.
 */
const CLI_CASES: readonly (readonly [string, number])[] = [
  ['binary junk named .csv', 3],
  ['an unterminated quote at line 4', 3],
  ['ragged rows (too few and too many fields)', 0],
  ['a 10 MB quoted cell', 0],
  ['a folder with one good and one bad file', 0],
  ['a glob matching nothing', 0],
  ['a path that does not exist', 3],
  ['a broken file whose name holds a quote and a semicolon', 3],
  ['an encrypted workbook', 3],
  ['billion laughs in sharedStrings.xml', 3],
  ['zip bomb: the sheet part inflates to 256 MB of zeros', 3],
];

describe('hostile files through the command line', () => {
  it.each(CLI_CASES)('%s', { timeout: 60_000 }, async (name, exitCode) => {
    const hostile = HOSTILE_CASES.find((c) => c.name === name)!;
    const { dir, path } = await build(hostile);
    const config = join(dir, 'stocktake.yaml');
    writeFileSync(
      config,
      `sources:\n  hostile:\n    kind: ${hostile.kind}\n    path: ${JSON.stringify(path)}\n`,
    );
    const out = join(dir, 'out');
    const { code, stdout, stderr } = stocktake(['inventory', '-c', config, '-o', out]);
    expect(`${stdout}\n${stderr}`).not.toMatch(/^ {4}at /m);
    expect(code).toBe(exitCode);
    const inventory = JSON.parse(readFileSync(join(out, 'inventory.json'), 'utf8')) as Inventory;
    const source = inventory.sources.find((s) => s.name === 'hostile')!;
    if (hostile.throws) {
      // The source fails as a whole: recorded as failed, printed with its code and path.
      expect(source.status).toBe('failed');
      expect(source.error?.code).toBe(hostile.throws);
      expect(source.error?.message).toContain(path);
      expect(stdout).toContain(path);
      return;
    }
    const nothingRead = hostile.datasets.length === 0 && hostile.findings.some((f) => f.severity === 'error');
    expect(source.status).toBe(nothingRead ? 'failed' : 'ok');
    if (nothingRead)
      expect(source.error?.code).toBe(hostile.findings.find((f) => f.severity === 'error')!.code);
    for (const finding of hostile.findings) {
      if (finding.severity === 'error') expect(stdout).toContain(`✗ ${finding.code}`);
    }
    expect(source.findings.map((f) => f.code)).toEqual(hostile.findings.map((f) => f.code));
    expect(source.datasets.map((d) => d.name)).toEqual(hostile.datasets.map((d) => d.name));
  });
});
