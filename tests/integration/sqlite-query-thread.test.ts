/**
 * An SQLite source's push-down statements run in a thread of their own: better-sqlite3 runs a statement
 * synchronously, and on the main thread a statement of a large table held the event loop for its whole run
 * (a PostgreSQL connection opened meanwhile timed out although its server answered). Measured here as the
 * longest pause of a 5 ms ticker while the same table is profiled with the thread (an audit's read-only
 * file) and without it (a file opened for writing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';

describe('SQLite push-down in a thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-sqlite-thread-'));
  const path = join(dir, 'big.sqlite');
  beforeAll(() => {
    const db = new Database(path);
    db.exec(`CREATE TABLE big (id INTEGER PRIMARY KEY, word TEXT, n INTEGER);
      WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 400000)
      INSERT INTO big SELECT i, printf('w%07d-%s', (i * 7919) % 400000, hex(i)), i % 1000 FROM s;`);
    db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function longestPause(mode: 'audit' | 'write'): Promise<{ pause: number; rows: number }> {
    const connector = await createSqliteConnector({ kind: 'sqlite', path } as never, { name: 'lite', mode });
    try {
      await connector.inventory();
      let last = performance.now();
      let pause = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        pause = Math.max(pause, now - last);
        last = now;
      }, 5);
      const observation = await connector.pushdownProfile!({ name: 'big' }, { distinctLimit: 1 });
      clearInterval(ticker);
      // A loop held to the end never ticked: its pause runs to now.
      pause = Math.max(pause, performance.now() - last);
      return { pause, rows: observation.rowCount };
    } finally {
      await connector.close();
    }
  }

  it('keeps the event loop turning while a large table is profiled', async () => {
    const inline = await longestPause('write');
    const threaded = await longestPause('audit');
    expect([inline.rows, threaded.rows]).toEqual([400_000, 400_000]);
    // Inline, one statement holds the loop for its whole run; in the thread, the loop only waits on itself.
    expect(inline.pause).toBeGreaterThan(150);
    expect(threaded.pause, `inline ${Math.round(inline.pause)} ms`).toBeLessThan(inline.pause / 3);
  }, 60_000);
});
