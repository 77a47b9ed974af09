import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import type { Row } from '../../src/connectors/types.ts';

async function readCsv(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-eol-'));
  writeFileSync(join(dir, 'mixed.csv'), text);
  const connector = await createCsvConnector(
    { kind: 'csv', path: join(dir, 'mixed.csv') },
    { name: 'm', mode: 'audit' },
  );
  const inventory = await connector.inventory();
  const rows: Row[] = [];
  for await (const batch of connector.read({ name: 'mixed' })) rows.push(...batch);
  await connector.close();
  return { rows, rowCount: inventory.datasets[0]!.rowCount, findings: inventory.findings ?? [] };
}

describe('CSV files that mix line endings', () => {
  it('keeps every row whatever the first line ends with', async () => {
    expect(await readCsv('a,b\r\n1,x\n2,y\n')).toMatchObject({
      rows: [
        [1, 'x'],
        [2, 'y'],
      ],
      rowCount: 2,
      findings: [],
    });
    expect(await readCsv('a,b\n1,x\r\n2,y\r3,z\n')).toMatchObject({
      rows: [
        [1, 'x'],
        [2, 'y'],
        [3, 'z'],
      ],
      rowCount: 3,
    });
  });

  it('keeps line breaks inside quoted fields and reports ragged lines at their number', async () => {
    const { rows, findings } = await readCsv('a,b\r\n1,"multi\nline"\r\n2\n3,z\r');
    expect(rows).toEqual([
      [1, 'multi\nline'],
      [2, null],
      [3, 'z'],
    ]);
    expect(findings.map((f) => [f.code, f.evidence?.lines])).toEqual([['CSV_RAGGED_ROW', [4]]]);
  });
});
