/**
 * SCIENTIFIC_NOTATION: long numbers a spreadsheet wrote as `3,31E+13` (their digits lost) are found in
 * files and databases, cost readiness, and small ones (`1.5E-3`) are told apart.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { scientificExponent } from '../../src/profilers/column-profile.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const dir = mkdtempSync(join(tmpdir(), 'stocktake-scientific-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scientific notation', () => {
  it.each([
    ['3,31E+13', 13],
    ['1,23457E+13', 13],
    [' -12.5e3 ', 4],
    ['2E5', 5],
    ['1.5e-3', -3],
    ['0,5E-2', -3],
  ])('reads the exponent of %s as %d', (text, exponent) => {
    expect(scientificExponent(text)).toBe(exponent);
  });

  it.each(['12E', 'E5', '1.5', 'REF-2E5', '1e5x', '1,5,2E3', 'Année 2E'])('leaves %s alone', (text) => {
    expect(scientificExponent(text)).toBeUndefined();
  });

  it('flags a file column of SIRETs cut by a spreadsheet, and a database column the same way', async () => {
    const rows = ['3,31E+13', '44306184100047', '5,52E+13', '1,23457E+13', '1.5E-3'];
    writeFileSync(join(dir, 'sirets.csv'), `id;siret\n${rows.map((r, i) => `${i + 1};${r}`).join('\n')}\n`);
    const db = new Database(join(dir, 'sirets.db'));
    db.exec('CREATE TABLE sirets (id INTEGER PRIMARY KEY, siret TEXT)');
    const insert = db.prepare('INSERT INTO sirets VALUES (?, ?)');
    for (const [i, r] of rows.entries()) insert.run(i + 1, r);
    db.close();
    const config = {
      sources: {
        file: { kind: 'csv', path: join(dir, 'sirets.csv') },
        base: { kind: 'sqlite', path: join(dir, 'sirets.db') },
      },
    } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    for (const source of ['file', 'base']) {
      const finding = profile.findings.find((f) => f.code === 'SCIENTIFIC_NOTATION' && f.source === source)!;
      expect(finding.severity).toBe('warning');
      expect(finding.column).toBe('siret');
      expect(finding.evidence).toEqual({ values: 4, large: 3 });
      expect(finding.message).toMatch(
        /^4 value\(s\) are numbers in scientific notation, 3 of them of 10 digits/,
      );
      const dataset = profile.datasets.find((d) => d.source === source)!;
      expect(dataset.readiness.penalties).toContainEqual({
        reasonFr: 'siret : 60,0\u00a0% des valeurs sortent du format de la colonne',
        reason: "siret: 60.0% of values break the column's format",
        points: 10,
      });
    }
  });

  it('says a column of small numbers in scientific notation is read as text, without the spreadsheet warning', async () => {
    writeFileSync(join(dir, 'measures.csv'), 'm\n1.5E-3\n2e-5\n');
    const config = { sources: { c: { kind: 'csv', path: join(dir, 'measures.csv') } } } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const finding = profile.findings.find((f) => f.code === 'SCIENTIFIC_NOTATION')!;
    expect(finding.evidence).toEqual({ values: 2, large: 0 });
    expect(finding.message).toContain('read as text');
    expect(profile.datasets[0]!.readiness.score).toBe(100);
  });
});
