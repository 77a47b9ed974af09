/**
 * Report at scale: generates an estate of 1,000 tables × 20 columns (inventory + profile), renders the
 * HTML report, and measures its size and its time to interactive in Chromium (until the script sets
 * `document.body.dataset.ready`), plus a few interactions. Not a test: `npx tsx bench/report.ts`.
 * Options: --tables N, --columns N, --runs N, --chromium PATH.
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Column, Dataset, Finding, Inventory, LogicalType } from '../src/core/inventory.ts';
import type { ColumnProfile, DatasetProfile, Profile } from '../src/core/profile.ts';
import { renderAuditReport } from '../src/report/html/report-html.ts';
import { median, printTable } from './bench-table.ts';

const { values: args } = parseArgs({
  options: {
    tables: { type: 'string', default: '1000' },
    columns: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const TABLES = Number(args.tables);
const COLUMNS = Number(args.columns);
const RUNS = Number(args.runs);
const SOURCES = 10;

// A small deterministic generator, so runs compare.
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const WORDS = [
  'client',
  'commande',
  'article',
  'facture',
  'contrat',
  'site',
  'agence',
  'stock',
  'tarif',
  'remise',
];
const TYPES: readonly LogicalType[] = [
  'string',
  'string',
  'string',
  'integer',
  'decimal',
  'date',
  'timestamp',
  'boolean',
];
const NATIVE: Readonly<Record<string, string>> = {
  string: 'character varying(120)',
  integer: 'integer',
  decimal: 'numeric(12,2)',
  date: 'date',
  timestamp: 'timestamp without time zone',
  boolean: 'boolean',
};

function generate(): { inventory: Inventory; profile: Profile } {
  const sources: Inventory['sources'][number][] = [];
  const profiles: DatasetProfile[] = [];
  const findings: Finding[] = [];
  const personalData: Profile['personalData'][number][] = [];
  const perSource = Math.ceil(TABLES / SOURCES);
  for (let s = 0; s < SOURCES; s++) {
    const source = `src${s}`;
    const datasets: Dataset[] = [];
    for (let t = 0; t < perSource && s * perSource + t < TABLES; t++) {
      const name = `public.${pick(WORDS)}_${t}`;
      const columns: Column[] = [];
      const columnProfiles: ColumnProfile[] = [];
      const rows = Math.floor(random() * 2_000_000);
      for (let c = 0; c < COLUMNS; c++) {
        const type = c === 0 ? 'integer' : pick(TYPES);
        const colName = c === 0 ? 'id' : `${pick(WORDS)}_${c}`;
        columns.push({
          name: colName,
          type,
          nativeType: NATIVE[type]!,
          nullable: c !== 0,
          primaryKey: c === 0,
          position: c + 1,
        });
        const profile = columnProfile(colName, type, rows, c === 0);
        columnProfiles.push(profile);
        if (profile.personal) {
          personalData.push({ source, dataset: name, column: colName, ...profile.personal });
          findings.push({
            code: 'PERSONAL_DATA',
            severity: 'info',
            source,
            dataset: name,
            column: colName,
            message: `holds personal data (${profile.personal.kind}): ${profile.personal.reason}`,
            evidence: { kind: profile.personal.kind },
          });
        }
        if (profile.nullLike.na > 0) {
          findings.push({
            code: 'NULL_LIKE_VALUES',
            severity: 'warning',
            source,
            dataset: name,
            column: colName,
            message: `${profile.nullLike.na} value(s) stand for a missing value (na: ${profile.nullLike.na})`,
            evidence: { ...profile.nullLike },
          });
        }
        if (profile.whitespace.trailing > 0) {
          findings.push({
            code: 'LEADING_TRAILING_SPACES',
            severity: 'info',
            source,
            dataset: name,
            column: colName,
            message: `0 value(s) start and ${profile.whitespace.trailing} end with spaces`,
            evidence: { ...profile.whitespace },
          });
        }
      }
      const parent = t > 0 && random() < 0.8 ? datasets[Math.floor(random() * datasets.length)] : undefined;
      const foreignKeys = parent
        ? [{ columns: [columns[1]!.name], references: { dataset: parent.name, columns: ['id'] } }]
        : [];
      datasets.push({
        name,
        kind: 'table',
        rowCount: rows,
        rowCountExact: true,
        columns,
        primaryKey: { columns: ['id'] },
        foreignKeys,
        indexes: [{ name: `${name}_pkey`, columns: ['id'], unique: true, primary: true }],
      });
      const orphans = parent
        ? [
            {
              columns: [columns[1]!.name],
              references: { source, dataset: parent.name, columns: ['id'] },
              declared: true,
              orphans: random() < 0.2 ? Math.floor(random() * 50) : 0,
              inclusion: 0.999,
              examples: [],
            },
          ]
        : [];
      const score = Math.round(random() * 1000) / 10;
      profiles.push({
        source,
        dataset: name,
        rowCount: rows,
        duplicateRows: random() < 0.1 ? Math.floor(random() * 100) : 0,
        candidateKeys: [['id']],
        columns: columnProfiles,
        keyDuplicates: [],
        orphans,
        readiness: {
          score,
          penalties:
            score < 100 ? [{ reason: 'values with leading or trailing spaces', points: 100 - score }] : [],
        },
        method: 'pushdown',
        durationMs: 50,
      });
    }
    sources.push({
      name: source,
      kind: 'postgres',
      system: `system${s}`,
      status: 'ok',
      datasets,
      findings: [],
      durationMs: 1000,
    });
  }
  const now = new Date().toISOString();
  return {
    inventory: {
      formatVersion: 1,
      generatedAt: now,
      systems: [],
      sources,
      tool: { name: 'stocktake', version: 'bench' },
    },
    profile: {
      formatVersion: 1,
      generatedAt: now,
      datasets: profiles,
      findings,
      rules: [],
      personalData,
      overlaps: [],
      samplesShown: false,
      tool: { name: 'stocktake', version: 'bench' },
    },
  };
}

function columnProfile(name: string, type: LogicalType, rows: number, key: boolean): ColumnProfile {
  const nulls = key ? 0 : Math.floor(rows * random() * 0.2);
  const numeric = type === 'integer' || type === 'decimal' || type === 'date' || type === 'timestamp';
  const distinct = key ? rows : Math.floor((rows - nulls) * random());
  const top = Array.from({ length: 10 }, (_, i) => ({
    value: numeric ? Math.floor(random() * 100_000) : `${pick(WORDS)} ${pick(WORDS)} ${i}`,
    count: key ? 1 : Math.floor(random() * 1000) + 1,
  })).sort((a, b) => b.count - a.count);
  const personal =
    !numeric && random() < 0.05
      ? { kind: 'email' as const, reason: '97% of values are e-mail addresses' }
      : undefined;
  const min = numeric ? Math.floor(random() * 100) : 'aaa';
  const max = numeric ? 100 + Math.floor(random() * 1_000_000) : 'zzz';
  return {
    name,
    count: rows,
    nulls,
    distinct,
    distinctExact: distinct < 100_000,
    min,
    max,
    inferredType: type,
    conformance: random() < 0.9 ? 1 : 0.95 + random() * 0.05,
    patterns: numeric
      ? [{ pattern: '9', count: rows - nulls }]
      : [
          { pattern: 'a a 9', count: Math.floor(rows * 0.6) },
          { pattern: 'Aa A 9', count: Math.floor(rows * 0.2) },
          { pattern: 'A', count: Math.floor(rows * 0.1) },
        ],
    topValues: personal ? top.map((v) => ({ ...v, value: 'd***@e***.fr' })) : top,
    type,
    nullLike: {
      empty: 0,
      blank: 0,
      na: !numeric && random() < 0.1 ? 12 : 0,
      nullText: 0,
      dash: 0,
      zeroDate: 0,
    },
    uniqueness: rows - nulls === 0 ? null : distinct / (rows - nulls),
    ...(numeric
      ? {
          numeric: {
            mean: random() * 10_000,
            stddev: random() * 3000,
            quantiles: { p5: 10.5, p25: 250.25, p50: 5000.125, p75: 7500.75, p95: 9800.5 },
            histogram: Array.from({ length: 10 }, (_, i) => ({
              from: Number(min) + i * 1000.5,
              to: Number(min) + (i + 1) * 1000.5,
              count: Math.floor(random() * 100_000),
            })),
            outliers: { count: 3, low: -100.5, high: 20_000.5, examples: [25_000, 99_999] },
          },
        }
      : { length: { min: 2, max: 80, mean: 17.4 } }),
    whitespace: { leading: 0, trailing: !numeric && random() < 0.1 ? 40 : 0 },
    formats: personal ? [{ format: 'email', count: rows - nulls }] : [],
    variants: { groups: 0, values: 0, examples: [] },
    ...(personal ? { personal } : {}),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const docs = generate();
  const generatedMs = performance.now() - started;
  const renderStart = performance.now();
  const html = renderAuditReport({ ...docs, lang: 'en' });
  const renderMs = performance.now() - renderStart;
  const outDir = resolve('bench/out');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'report-bench.html');
  writeFileSync(file, html);
  const bytes = Buffer.byteLength(html);
  console.log(
    `estate: ${TABLES} tables × ${COLUMNS} columns, ${docs.profile.findings.length} findings (generated in ${generatedMs.toFixed(0)} ms)`,
  );
  console.log(
    `render: ${renderMs.toFixed(0)} ms, size ${(bytes / 1024 / 1024).toFixed(2)} MB (${bytes} bytes) → ${file}`,
  );
  if (!existsSync(args.chromium)) {
    console.log(`Chromium not found at ${args.chromium}: browser timings skipped`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const sample = `${docs.inventory.sources[3]!.name}.${docs.inventory.sources[3]!.datasets[5]!.name}`;
  const ready: number[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const userDataDir = mkdtempSync(join(tmpdir(), 'stocktake-bench-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: args.chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
      viewport: { width: 1280, height: 900 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const wall = performance.now();
      await page.goto(`file://${file}`, { waitUntil: 'commit' });
      await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
      const wallMs = performance.now() - wall;
      const readyMs = (await page.evaluate(
        "performance.getEntriesByName('stocktake-ready')[0]?.startTime ?? -1",
      )) as number;
      const timing = async (action: () => Promise<void>) => {
        const t = performance.now();
        await action();
        return performance.now() - t;
      };
      const browseMs = await timing(async () => {
        await page.evaluate('location.hash = "browse"');
        await page.waitForSelector('#browse-results table');
      });
      const columnsMs = await timing(async () => {
        await page.click('button[data-mode=columns]');
        await page.waitForSelector('#browse-results table');
      });
      const searchMs = await timing(async () => {
        await page.fill('#search', 'client_1');
        await page.waitForSelector('#browse-results table');
      });
      const datasetMs = await timing(async () => {
        await page.evaluate(
          `location.hash = ${JSON.stringify(`dataset=${encodeURIComponent(sample)}&column=id`)}`,
        );
        await page.waitForSelector('#columns-table');
      });
      const relationsMs = await timing(async () => {
        await page.evaluate(`location.hash = ${JSON.stringify(`relations=${encodeURIComponent(sample)}`)}`);
        await page.waitForSelector('#relations-diagram');
      });
      ready.push(readyMs);
      console.log(
        `run ${run}: interactive in ${readyMs.toFixed(0)} ms after navigation start (wall ${wallMs.toFixed(0)} ms); ` +
          `browse ${browseMs.toFixed(0)} ms, 20k-column table ${columnsMs.toFixed(0)} ms, search ${searchMs.toFixed(0)} ms, ` +
          `dataset ${datasetMs.toFixed(0)} ms, relations ${relationsMs.toFixed(0)} ms`,
      );
    } finally {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  }
  printTable([
    {
      benchmark: `report ${TABLES} tables × ${COLUMNS} cols`,
      subject: 'time to interactive (Chromium)',
      median_ms: median(ready),
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
      extra: `${(bytes / 1024 / 1024).toFixed(2)} MB file, rendered in ${renderMs.toFixed(0)} ms; target < 2000 ms, < 10 MB`,
      ratio: median(ready) / 2000,
    },
  ]);
}

await main();
