import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';
import { CONFORMANCE_ROWS, conformanceRow, describeConformance, fileFingerprint } from './conformance.ts';

describeConformance('sqlite', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'stocktake-conf-')), 'conformance.sqlite');
  const db = new Database(file);
  db.exec(`CREATE TABLE conformance (id INTEGER PRIMARY KEY, name TEXT NOT NULL, amount DECIMAL(12,2), ratio REAL,
    active BOOLEAN, day DATE, at DATETIME)`);
  const insert = db.prepare('INSERT INTO conformance VALUES (?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 1; i <= CONFORMANCE_ROWS; i++) {
      const row = conformanceRow(i);
      insert.run(row.map((v) => (typeof v === 'boolean' ? Number(v) : v)));
    }
  })();
  db.close();
  return {
    dataset: 'conformance',
    open: () => createSqliteConnector({ kind: 'sqlite', path: file }, { name: 'conf', mode: 'audit' }),
    attemptWrite: async (connector) =>
      (await (connector as SqlConnector).db()).raw('DELETE FROM conformance'),
    fingerprint: () => fileFingerprint(file),
  };
});
