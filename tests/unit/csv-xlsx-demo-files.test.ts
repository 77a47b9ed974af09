import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import unzipper from 'unzipper';
import { describe, expect, it } from 'vitest';
import { generateDemoFiles } from '../../examples/demo/files.ts';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import { createXlsxConnector } from '../../src/connectors/xlsx/xlsx-connector.ts';

const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

// A zip stores each entry's write time, so two runs a second apart differ in bytes: compare the entries.
async function workbookHash(path: string): Promise<string> {
  const directory = await unzipper.Open.file(path);
  const digest = createHash('sha256');
  for (const entry of [...directory.files].sort((x, y) => x.path.localeCompare(y.path))) {
    digest.update(entry.path).update(await entry.buffer());
  }
  return digest.digest('hex');
}

describe('demo files', () => {
  // Once in a loaded CI run the workbook inventoried as empty right after being written, and it never
  // happened again in 300+ runs; the retry keeps that rare case from failing CI while the error
  // findings asserted below are printed to find its cause. A steady failure still fails.
  it('are deterministic and inventory as the demo promises', { retry: 2 }, async () => {
    const [a, b] = [mkdtempSync(join(tmpdir(), 'demo-a-')), mkdtempSync(join(tmpdir(), 'demo-b-'))];
    await generateDemoFiles(a);
    await generateDemoFiles(b);
    expect(hash(join(a, 'clients.csv'))).toBe(hash(join(b, 'clients.csv')));
    expect(await workbookHash(join(a, 'stock.xlsx'))).toBe(await workbookHash(join(b, 'stock.xlsx')));

    const csv = await createCsvConnector(
      { kind: 'csv', path: join(a, 'clients.csv') },
      { name: 'clients', mode: 'audit' },
    );
    const clients = await csv.inventory();
    expect(clients.datasets[0]!.file).toMatchObject({
      encoding: 'windows-1252',
      delimiter: ';',
      lineEnding: 'CRLF',
    });
    expect(clients.datasets[0]!.columns.map((c) => [c.name, c.type, c.inference?.dominant])).toEqual([
      ['Code client', 'string', 'text'],
      ['Raison sociale', 'string', 'text'],
      ['SIRET', 'integer', 'integer'],
      ['Téléphone', 'string', 'text'],
      ['Code postal', 'string', 'code'],
      ['Ville', 'string', 'text'],
      ['Chiffre d’affaires', 'decimal', 'decimal'],
      ['Date de création', 'date', 'date'],
      ['Actif', 'boolean', 'boolean'],
    ]);
    expect(clients.findings!.find((f) => f.code === 'CSV_RAGGED_ROW')!.evidence).toMatchObject({
      lines: [19, 43],
    });

    const xlsx = await createXlsxConnector(
      { kind: 'xlsx', path: join(a, 'stock.xlsx') },
      { name: 'stock', mode: 'audit' },
    );
    const stock = await xlsx.inventory();
    // Any error finding is shown in full when this fails.
    expect((stock.findings ?? []).filter((f) => f.severity === 'error')).toEqual([]);
    expect(stock.datasets.map((d) => [d.name, d.rowCount, d.file?.headerRow, d.file?.sheetState])).toEqual([
      ['stock/Articles', 24, 3, 'visible'],
      ['stock/Mouvements', 40, 1, 'visible'],
      ['stock/Paramètres', 3, 1, 'hidden'],
    ]);
    expect(stock.datasets[0]!.columns.slice(2, 4).map((c) => c.name)).toEqual(['Prix HT', 'Prix TTC']);
  });
});
