import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCsvConnector } from '../../src/connectors/csv/csv-connector.ts';
import {
  CONFORMANCE_COLUMNS,
  CONFORMANCE_ROWS,
  conformanceRow,
  describeConformance,
  fileFingerprint,
} from './conformance.ts';

describeConformance('csv', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-conf-csv-'));
  const lines = [CONFORMANCE_COLUMNS.map((c) => c.name).join(',')];
  for (let i = 1; i <= CONFORMANCE_ROWS; i++) {
    lines.push(
      conformanceRow(i)
        .map((v) => (v === null ? '' : /[",]/.test(String(v)) ? `"${v}"` : String(v)))
        .join(','),
    );
  }
  writeFileSync(join(dir, 'conformance.csv'), `${lines.join('\r\n')}\r\n`);
  return {
    dataset: 'conformance',
    open: () =>
      createCsvConnector(
        { kind: 'csv', path: join(dir, 'conformance.csv') },
        { name: 'conf', mode: 'audit' },
      ),
    fingerprint: () => fileFingerprint(join(dir, 'conformance.csv')),
    types: { ratio: 'decimal' },
  };
});
