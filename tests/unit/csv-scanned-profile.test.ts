import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import type { Connector } from '../../src/connectors/types.ts';
import { profileRows } from '../../src/profilers/dataset-accumulator.ts';
import type { DatasetObservation } from '../../src/profilers/observation.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-scanned-profile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
}

async function scanned(
  path: string,
  observeFiles = true,
): Promise<[Connector, DatasetObservation | undefined]> {
  const connector = await createCsvConnector(
    { kind: 'csv', path },
    { name: 'files', mode: 'audit', observeFiles },
  );
  const inventory = await connector.inventory();
  return [connector, await connector.scannedProfile?.({ name: inventory.datasets[0]!.name })];
}

async function readProfile(connector: Connector, name: string): Promise<DatasetObservation> {
  const inventory = await connector.inventory();
  const dataset = inventory.datasets.find((d) => d.name === name)!;
  const columns = dataset.columns.map((c) => ({ name: c.name, type: c.type }));
  return profileRows(columns, connector.read({ name }), { keys: [] });
}

/** 120,000 rows of every kind, ragged and blank lines, French decimals and dates, past the distinct limit. */
function mixedFile(): string {
  const lines = ['id;amount;day;at;flag;note;code'];
  for (let i = 1; i <= 120_000; i++) {
    const note = i % 7 === 0 ? '' : i % 11 === 0 ? '"dit ""oui""; fin"' : `note ${i % 97}`;
    const ragged = i % 1000 === 0 ? '' : `;C${i}`;
    lines.push(
      `${i};${i % 500},${String(i % 100).padStart(2, '0')};${String((i % 28) + 1).padStart(2, '0')}/03/2024;2024-03-01T10:${String(i % 60).padStart(2, '0')}:00;${i % 2 ? 'oui' : 'non'};${note}${ragged}`,
    );
    if (i % 5000 === 0) lines.push('');
  }
  return `${lines.join('\r\n')}\r\n`;
}

describe('profile taken during the CSV scan', () => {
  it('equals the profile of a separate typed read, value for value', async () => {
    const path = file('mixed.csv', mixedFile());
    const [connector, observation] = await scanned(path);
    expect(observation).toBeDefined();
    expect(observation!.rowCount).toBe(120_000);
    expect(observation!.columns.map((c) => c.type)).toEqual([
      'integer',
      'decimal',
      'date',
      'timestamp',
      'boolean',
      'string',
      'string',
    ]);
    // Past the exact limit too: the id and code columns are measured by aggregates and a sketch.
    expect(observation!.columns[0]!.complete).toBe(false);
    expect(observation).toEqual(await readProfile(connector, 'mixed'));
  });

  it('is handed over once', async () => {
    const [connector, observation] = await scanned(file('once.csv', 'a,b\n1,x\n2,y\n'));
    expect(observation?.rowCount).toBe(2);
    expect(await connector.scannedProfile?.({ name: 'once' })).toBeUndefined();
  });

  it('is dropped when later rows change a type the first rows suggested; the read gives the profile', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => `${i},x${i % 3}`);
    rows.push('not a number,x');
    const path = file('late-text.csv', `n,s\n${rows.join('\n')}\n`);
    const [connector, observation] = await scanned(path);
    expect(observation).toBeUndefined();
    const inventory = await connector.inventory();
    expect(inventory.datasets[0]!.columns[0]!.type).toBe('string');
    const profile = await readProfile(connector, 'late-text');
    expect(profile.rowCount).toBe(40_001);
  });

  it('is not taken by a connector opened for an inventory alone', async () => {
    const [, observation] = await scanned(file('alone.csv', 'a\n1\n'), false);
    expect(observation).toBeUndefined();
  });
});
