/**
 * The "new tool" of the demo: an empty SQLite database with the schema the legacy CRM customers and
 * contacts and the accounting export's clients are migrated into (`examples/stocktake.yaml`, mappings).
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';

/** The new tool's schema: accounts (from both sources) and the people attached to them. */
export const NEWTOOL_DDL = `
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  external_id VARCHAR(20) NOT NULL UNIQUE,
  name VARCHAR(120) NOT NULL,
  siret CHAR(14),
  email VARCHAR(120),
  phone VARCHAR(16),
  postal_code VARCHAR(5),
  city VARCHAR(80),
  created_on DATE,
  revenue DECIMAL(14,2),
  active BOOLEAN NOT NULL DEFAULT 1,
  origin VARCHAR(10) NOT NULL
);
CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  external_id VARCHAR(20) NOT NULL UNIQUE,
  account_external_id VARCHAR(20) NOT NULL REFERENCES accounts (external_id),
  first_name VARCHAR(60),
  last_name VARCHAR(60) NOT NULL,
  email VARCHAR(120),
  phone VARCHAR(16),
  role VARCHAR(40)
);
`;

/** Deletes `file` and creates the new tool's empty database there. */
export function generateNewtool(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const db = new Database(file);
  try {
    db.exec(NEWTOOL_DDL);
  } finally {
    db.close();
  }
}
