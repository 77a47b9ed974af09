/**
 * A saved plan of two mappings whose second is stale: the run is refused before anything is written, and
 * the rejects the first mapping's check found do not replace the last run's rejects files (nor stay beside
 * them as pending files). When the plan holds, the rejects of every mapping land in the files.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { isStocktakeError } from '../../src/core/errors.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-stale-rejects-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('leaves the last run’s rejects files as they were when a later mapping’s plan is stale', async () => {
  writeFileSync(join(dir, 'a.csv'), 'id;qty\n1;2\n2;lots\n');
  writeFileSync(join(dir, 'b.csv'), 'id;name\n1;x\n');
  const target = join(dir, 'app.sqlite');
  const db = new Database(target);
  db.exec(
    'CREATE TABLE a (id INTEGER PRIMARY KEY, qty INTEGER); CREATE TABLE b (id INTEGER PRIMARY KEY, name TEXT)',
  );
  db.close();
  const config = {
    sources: { files: { kind: 'csv', path: dir, include: ['*.csv'] } },
    targets: { app: { kind: 'sqlite', path: target } },
    mappings: ['a', 'b'].map((name) => ({
      name,
      from: { source: 'files', dataset: name },
      to: { target: 'app', dataset: name, key: ['id'], mode: 'upsert' },
      fields: name === 'a' ? { id: {}, qty: { transform: ['text', 'integer'] } } : { id: {}, name: {} },
    })),
  } as unknown as Config;
  const out = join(dir, 'out');
  const first = await runMigrate(config, { rejectsDir: out });
  expect(first.error).toBeNull();
  const rejectsCsv = join(out, 'rejects.csv');
  appendFileSync(rejectsCsv, 'a,9,{"id":9},,,,kept from the last run,REJECT_TYPE\r\n');
  const lastRun = readFileSync(rejectsCsv, 'utf8');
  const lastJsonl = readFileSync(join(out, 'rejects.jsonl'), 'utf8');
  expect(lastJsonl).toContain('"code":"REJECT_TRANSFORM"');

  const plan = await runPlan(config);
  writeFileSync(join(dir, 'b.csv'), 'id;name\n1;changed\n');
  const refused = await runMigrate(config, {
    rejectsDir: out,
    plan: { file: 'plan.json', document: plan },
  }).then(
    () => null,
    (error: unknown) => error,
  );
  expect(isStocktakeError(refused, 'PLAN_STALE')).toBe(true);
  expect(readFileSync(rejectsCsv, 'utf8')).toBe(lastRun);
  expect(readFileSync(join(out, 'rejects.jsonl'), 'utf8')).toBe(lastJsonl);
  expect(readdirSync(out).filter((f) => f.endsWith('.pending'))).toEqual([]);

  // A plan that holds: its run's rejects (mapping a's) replace the last run's.
  const fresh = await runPlan(config);
  const applied = await runMigrate(config, { rejectsDir: out, plan: { file: 'plan.json', document: fresh } });
  expect(applied.error).toBeNull();
  expect(readFileSync(rejectsCsv, 'utf8')).not.toContain('kept from the last run');
  expect(readFileSync(join(out, 'rejects.jsonl'), 'utf8')).toContain('"mapping":"a"');
  expect(existsSync(`${rejectsCsv}.pending`)).toBe(false);
});

it('writes each reject once for a mapping read again after the check (references to rows the run inserts)', async () => {
  const work = join(dir, 'refs');
  mkdirSync(work);
  writeFileSync(join(work, 'customers.csv'), 'code;name\nA;Ann\nB;Bob\n');
  writeFileSync(join(work, 'orders.csv'), 'no;customer;qty\n1;A;5\n2;B;x\n3;A;7\n');
  const target = join(work, 't.sqlite');
  const db = new Database(target);
  db.exec(`CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER REFERENCES accounts(id), qty INTEGER)`);
  db.close();
  const config = {
    sources: {
      c: { kind: 'csv', path: join(work, 'customers.csv') },
      o: { kind: 'csv', path: join(work, 'orders.csv') },
    },
    targets: { newtool: { kind: 'sqlite', path: target } },
    mappings: [
      {
        name: 'customers',
        from: { source: 'c', dataset: 'customers' },
        to: { target: 'newtool', dataset: 'accounts', mode: 'upsert', identity: { sourceKey: ['code'] } },
        fields: { name: {} },
      },
      {
        name: 'orders',
        from: { source: 'o', dataset: 'orders' },
        to: { target: 'newtool', dataset: 'orders', mode: 'upsert', identity: { sourceKey: ['no'] } },
        fields: { account_id: { from: 'customer', transform: [{ ref: { mapping: 'customers' } }] }, qty: {} },
      },
    ],
  } as unknown as Config;
  const plan = await runPlan(config);
  const out = join(work, 'out');
  const applied = await runMigrate(config, { rejectsDir: out, plan: { file: 'plan.json', document: plan } });
  expect(applied.error).toBeNull();
  expect(applied.run.mappings[1]).toMatchObject({ name: 'orders', inserted: 2, rejected: { mapping: 1 } });
  const lines = readFileSync(join(out, 'rejects.jsonl'), 'utf8').trim().split('\n');
  expect(lines.map((line) => (JSON.parse(line) as { mapping: string; code: string }).code)).toEqual([
    'REJECT_TYPE',
  ]);
});
