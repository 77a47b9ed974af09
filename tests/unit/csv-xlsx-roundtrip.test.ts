import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import type { Connector, Row, Value } from '../../src/connectors/types.ts';
import { createXlsxConnector } from '../../src/connectors/xlsx/xlsx-connector.ts';

const root = mkdtempSync(join(tmpdir(), 'stocktake-roundtrip-'));
let counter = 0;

type Kind = 'text' | 'integer' | 'decimal' | 'boolean' | 'date';

/** One generated cell: what is written to the file, and the contract value a read must give back. */
interface Cell {
  readonly csv: string;
  readonly xlsx: string | number | boolean | Date | null;
  readonly expected: Value;
}

const CHARS = ['a', 'Z', 'é', 'Ç', '€', ',', ';', '"', "'", ' ', '\n', '|', '\t', '0', '9', '😀'];
const text = (newline: boolean) =>
  fc
    .array(fc.constantFrom(...CHARS.filter((c) => newline || (c !== '\n' && c !== '\t'))), { maxLength: 12 })
    .map((chars) => `x${chars.join('')}x`);

function cellOf(kind: Kind, newline: boolean): fc.Arbitrary<Cell> {
  const value: fc.Arbitrary<Cell> = {
    text: text(newline).map((s) => ({ csv: s, xlsx: s, expected: s })),
    integer: fc
      .integer({ min: -9_999_999, max: 9_999_999 })
      .map((n) => ({ csv: String(n), xlsx: n, expected: n })),
    decimal: fc.integer({ min: -99_999_999, max: 99_999_999 }).map((cents) => ({
      csv: (cents / 100).toFixed(2),
      xlsx: cents / 100,
      expected: (cents / 100).toFixed(2),
    })),
    boolean: fc.boolean().map((b) => ({ csv: String(b), xlsx: b, expected: b })),
    date: fc
      .integer({ min: -20_000, max: 40_000 })
      .map((days) => new Date(days * 86_400_000))
      .map((d) => ({ csv: d.toISOString().slice(0, 10), xlsx: d, expected: d.toISOString().slice(0, 10) })),
  }[kind];
  return fc
    .option(value, { freq: 6, nil: undefined })
    .map((c) => c ?? { csv: '', xlsx: null, expected: null });
}

function table(newline: boolean) {
  return fc
    .array(fc.constantFrom<Kind>('text', 'integer', 'decimal', 'boolean', 'date'), {
      minLength: 2,
      maxLength: 6,
    })
    .chain((kinds) =>
      fc.array(fc.tuple(...kinds.map((k) => cellOf(k, newline))), { minLength: 1, maxLength: 30 }),
    );
}

async function readBack(connector: Connector): Promise<Row[]> {
  const inventory = await connector.inventory();
  const rows: Row[] = [];
  for await (const batch of connector.read({ name: inventory.datasets[0]!.name }, { batchSize: 7 }))
    rows.push(...batch);
  return rows;
}

describe('round trip of random tables', () => {
  it('reads back what csv-stringify wrote', async () => {
    await fc.assert(
      fc.asyncProperty(table(true), async (rows) => {
        const header = rows[0]!.map((_, i) => `c${i}`);
        const path = join(root, `t${++counter}.csv`);
        writeFileSync(path, stringify([header, ...rows.map((r) => r.map((c) => c.csv))]));
        const connector = await createCsvConnector(
          { kind: 'csv', path, delimiter: ',', header: true },
          { name: 's', mode: 'audit' },
        );
        expect(await readBack(connector)).toEqual(rows.map((r) => r.map((c) => c.expected)));
      }),
      { numRuns: 60 },
    );
  });

  it('reads back what exceljs wrote', async () => {
    await fc.assert(
      fc.asyncProperty(table(false), async (rows) => {
        const workbook = new ExcelJS.Workbook();
        const sheet = workbook.addWorksheet('Data');
        sheet.addRow(rows[0]!.map((_, i) => `c${i}`));
        for (const row of rows) sheet.addRow(row.map((c) => c.xlsx));
        const path = join(root, `t${++counter}.xlsx`);
        await workbook.xlsx.writeFile(path);
        const connector = await createXlsxConnector({ kind: 'xlsx', path }, { name: 's', mode: 'audit' });
        // A sheet column of numbers that are all whole is an integer column, whatever was meant.
        const whole = rows[0]!.map((_, i) =>
          rows.every((r) => typeof r[i]!.xlsx !== 'number' || Number.isInteger(r[i]!.xlsx)),
        );
        const expected = rows
          .filter((r) => r.some((c) => c.expected !== null))
          .map((r) =>
            r.map((c, i) =>
              typeof c.xlsx === 'number' && typeof c.expected === 'string'
                ? whole[i]
                  ? c.xlsx
                  : String(c.xlsx)
                : c.expected,
            ),
          );
        expect(await readBack(connector)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});
