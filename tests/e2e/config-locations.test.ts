/**
 * Problems found only once the sources are open (a rule's column the file lacks, a mapped field the
 * target table lacks) point at their line in the config file, as the problems of its shape do.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStocktake } from '../helpers/child-process.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-config-locations-'));
  writeFileSync(join(dir, 'clients.csv'), 'code;email\nC1;a@example.com\nC2;b@example.com\n');
  const db = new Database(join(dir, 'new.sqlite'));
  db.exec('CREATE TABLE contacts (code TEXT PRIMARY KEY, email TEXT)');
  db.close();
  writeFileSync(
    join(dir, 'stocktake.yaml'),
    [
      'sources:',
      '  files: { kind: csv, path: clients.csv }',
      'targets:',
      '  new: { kind: sqlite, path: new.sqlite }',
      'rules:',
      '  - { dataset: files.clients, column: code, check: unique }',
      '  - { dataset: files.clients, column: emial, check: not_null }',
      'mappings:',
      '  - name: contacts',
      '    from: { source: files, dataset: clients }',
      '    to: { target: new, dataset: contacts, key: [code], mode: upsert }',
      '    fields:',
      '      code: {}',
      '      mail: { from: email }',
      '',
    ].join('\n'),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('problems found after connecting', () => {
  it('a rule naming a missing column: its path, the nearest name and its line', () => {
    const run = runStocktake(['profile', '-c', 'stocktake.yaml', '-o', 'out'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      '! rules[1].column: files.clients has no column "emial" (did you mean "email"?) (columns: code, email)  (stocktake.yaml:7:39)',
    );
  });

  it('a mapped field the target table lacks: its path and its line', () => {
    const run = runStocktake(['plan', '-c', 'stocktake.yaml', '-o', 'out'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /! mappings\[0\]\.fields\.mail: .*\(stocktake\.yaml:14:13\) \(MAP_TARGET_COLUMN_MISSING\)/,
    );
  });
});
