/**
 * An SQLite column without a declared type (or of type ANY) holds blobs beside texts. Migrated into a
 * text column, a blob that is UTF-8 is its text; one that is not is a reject (REJECT_TYPE), never
 * written as U+FFFD in place of its bytes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

describe('SQLite blobs into a text column', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'st-blob-text-'));
    const source = new Database(join(dir, 'legacy.db'));
    source.exec(`CREATE TABLE notes (id, body);
      INSERT INTO notes VALUES (1, 'plain'), (2, x'fffe41'), (3, CAST('café' AS BLOB)), (4, NULL);`);
    source.close();
    const target = new Database(join(dir, 'new.db'));
    target.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)');
    target.close();
    writeFileSync(
      join(dir, 'stocktake.yaml'),
      `sources: { legacy: { kind: sqlite, path: legacy.db } }
targets: { newtool: { kind: sqlite, path: new.db } }
mappings:
  - name: notes
    from: { source: legacy, dataset: notes }
    to: { target: newtool, dataset: notes, key: [id] }
    fields: { id: { transform: [integer] }, body: {} }
`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes UTF-8 blobs as text and rejects the others with their reason', () => {
    const result = spawnSync(
      process.execPath,
      [join(root, 'bin/stocktake.js'), 'migrate', '-c', join(dir, 'stocktake.yaml'), '-o', join(dir, 'out')],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, STOCKTAKE_FROM_SOURCES: '1', CI: '' } },
    );
    expect(result.status, result.stderr).toBe(0);
    const target = new Database(join(dir, 'new.db'), { readonly: true });
    const rows = target.prepare('SELECT id, body, typeof(body) AS kind FROM notes ORDER BY id').all();
    target.close();
    expect(rows).toEqual([
      { id: 1, body: 'plain', kind: 'text' },
      { id: 3, body: 'café', kind: 'text' },
      { id: 4, body: null, kind: 'null' },
    ]);
    const rejects = readFileSync(join(dir, 'out', 'rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.key, r.field, r.code, r.reason])).toEqual([
      [{ id: 2 }, 'body', 'REJECT_TYPE', 'target: 3 bytes is not text (notes.body is TEXT)'],
    ]);
  });

  it('profiles such a blob as the text it decodes to, U+FFFD where it is no UTF-8', async () => {
    const config = {
      sources: { legacy: { kind: 'sqlite', path: join(dir, 'legacy.db') } },
    } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const body = profile.datasets[0]!.columns.find((c) => c.name === 'body')!;
    expect(body.topValues.map((t) => t.value).sort()).toEqual(['café', 'plain', '\ufffd\ufffdA'].sort());
  });

  it('with --json and a run stopped by maxRejects, stdout holds one document: the run', () => {
    const config = readFileSync(join(dir, 'stocktake.yaml'), 'utf8').replace(
      'key: [id] }',
      'key: [id] }\n    maxRejects: 0',
    );
    writeFileSync(join(dir, 'strict.yaml'), config);
    const result = spawnSync(
      process.execPath,
      [
        join(root, 'bin/stocktake.js'),
        'migrate',
        '-c',
        join(dir, 'strict.yaml'),
        '-o',
        join(dir, 'strict'),
        '--json',
      ],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, STOCKTAKE_FROM_SOURCES: '1', CI: '' } },
    );
    expect(result.status, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout).run.status).toBe('rejects-exceeded');
  });
});
