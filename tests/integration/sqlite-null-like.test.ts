/**
 * SQLite's lower() folds A–Z alone: a push-down comparing null-like words through it missed `NÉANT`, and a
 * decomposed `néant` too. The function stocktake registers folds as the file profile does, so a column
 * summarised in SQLite counts the same null-like values as the same column in a CSV file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';

describe('null-like words in an SQLite push-down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-sqlite-null-like-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts NÉANT, Néant, a decomposed néant and an edged N/A as the file profile does', async () => {
    const path = join(dir, 'words.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT)');
    const insert = db.prepare('INSERT INTO t (note) VALUES (?)');
    for (const note of [
      'NÉANT',
      'Néant',
      'ne\u0301ant',
      '\u00a0N/A ',
      'NULL',
      '—',
      'Paris',
      'Lyon',
      '',
      '  ',
    ])
      insert.run(note);
    db.close();
    const connector = await createSqliteConnector({ kind: 'sqlite', path } as never, {
      name: 'lite',
      mode: 'audit',
    });
    try {
      await connector.inventory();
      // Past a distinct limit of 1, the column is summarised in SQL, its null-like words counted there.
      const observation = await connector.pushdownProfile!({ name: 't' }, { distinctLimit: 1 });
      const note = observation.columns[1]!;
      expect(note.complete).toBe(false);
      expect(note.aggregates?.nullLike).toEqual({
        empty: 1,
        blank: 1,
        na: 4,
        nullText: 1,
        dash: 1,
        zeroDate: 0,
      });
    } finally {
      await connector.close();
    }
  });
});
