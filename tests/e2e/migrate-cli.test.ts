import { createHash } from 'node:crypto';
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
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNode } from '../helpers/child-process.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pgUp = await serverAvailable('postgres');
let dir: string;
let entry: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-migrate-cli-'));
  const wired = readFileSync(join(root, 'src/cli/main.ts'), 'utf8').includes('migrateCommand');
  if (wired) {
    entry = join(root, 'bin/stocktake.js');
    return;
  }
  // Until main.ts registers the commands, the same command objects run from a small entry.
  const require = createRequire(join(root, 'package.json'));
  const url = (path: string) => pathToFileURL(path).href;
  entry = join(dir, 'entry.mjs');
  writeFileSync(
    entry,
    `import { register } from '${url(join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs'))}';
register();
const { Command } = await import('${url(require.resolve('commander'))}');
const { planCommand } = await import('${url(join(root, 'src/cli/plan.ts'))}');
const { migrateCommand } = await import('${url(join(root, 'src/cli/migrate.ts'))}');
const program = new Command('stocktake');
program.addCommand(planCommand());
program.addCommand(migrateCommand());
await program.parseAsync(process.argv);
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = (args: string[]) => startNode(entry, args, { cwd: dir });

const cli = (args: string[]) => start(args).done;

function sourceDb(file: string, rows: number): void {
  const db = new Database(file);
  db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price DECIMAL(10,2))');
  const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?)');
  db.transaction(() => {
    // Inserted in a shuffled order: nothing depends on the source being sorted.
    for (let i = 0; i < rows; i++) {
      const id = ((i * 7919) % rows) + 1;
      insert.run(id, `Item ${id}`, `${id % 1000}.${id % 100}`);
    }
  })();
  db.close();
}

function configYaml(target: string, extra = ''): string {
  return `sources:
  shop: { kind: sqlite, path: shop.sqlite }
targets:
  newtool: ${target}
mappings:
  - name: items
    from: { source: shop, dataset: items }
    to: { target: newtool, dataset: items, key: [ref], mode: mirror }
    batchSize: 500
    fields:
      ref: { from: id, transform: [text, { prefix: "K" }] }
      name: { from: name, transform: [uppercase] }
      price: { from: price }
${extra}`;
}

describe('plan and migrate on SQLite', () => {
  it('exits 2 while changes are pending, applies the saved plan, then exits 0; a stale plan is refused', async () => {
    const work = join(dir, 'sqlite');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(work);
    sourceDb(join(work, 'shop.sqlite'), 2000);
    const target = new Database(join(work, 'newtool.sqlite'));
    target.exec('CREATE TABLE items (ref TEXT PRIMARY KEY, name TEXT NOT NULL, price DECIMAL(10,2))');
    target.exec(`INSERT INTO items VALUES ('K1', 'ITEM 1', 1.10), ('K9999', 'GONE', 0)`);
    target.close();
    const sum = () =>
      createHash('sha256')
        .update(readFileSync(join(work, 'newtool.sqlite')))
        .digest('hex');
    writeFileSync(join(work, 'stocktake.yaml'), configYaml('{ kind: sqlite, path: newtool.sqlite }'));
    const before = sum();
    const args = ['-c', join(work, 'stocktake.yaml'), '-o', join(work, 'out')];
    const plan = await cli(['plan', ...args, '--detailed-exitcode']);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toContain('items: +1999 ~0 -1 =1 rejected 0');
    expect(sum()).toBe(before);
    const html = readFileSync(join(work, 'out', 'plan.html'), 'utf8');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toContain('<script');
    const applied = await cli(['migrate', ...args, '--plan', join(work, 'out', 'plan.json')]);
    expect(applied.code, applied.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(work, 'out', 'run.json'), 'utf8'));
    expect(run.mappings[0]).toMatchObject({
      inserted: 1999,
      deleted: 1,
      status: 'done',
      reconciliation: { ok: true },
    });
    expect(existsSync(join(work, 'out', 'rejects.csv'))).toBe(true);
    for (const file of ['run.json', 'rejects.csv', 'rejects.jsonl'])
      expect(applied.stdout).toContain(`wrote ${join(work, 'out', file)}`);
    const none = await cli(['plan', ...args, '-o', join(work, 'out2'), '--detailed-exitcode']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain('No changes');
    // The first plan was computed on a target that has changed since: refused before any write, and the
    // last run's rejects files are left as they were.
    const rejectsCsv = join(work, 'out', 'rejects.csv');
    appendFileSync(rejectsCsv, 'items,7,{"id":7},,,,kept from the last run,REJECT_TYPE\r\n');
    const lastRun = readFileSync(rejectsCsv, 'utf8');
    const stale = await cli(['migrate', ...args, '--plan', join(work, 'out', 'plan.json')]);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/PLAN_STALE.*the target newtool.items \(2 rows then, 2000 now/);
    expect(readFileSync(rejectsCsv, 'utf8')).toBe(lastRun);
    expect(stale.stdout).not.toContain('wrote ' + rejectsCsv);
  });
});

describe('a plan stopped by a signal', () => {
  it('removes its spill files, which hold rows in clear, and says so in its --json document', async () => {
    const work = join(dir, 'signal');
    const temp = join(work, 'tmp');
    mkdirSync(temp, { recursive: true });
    sourceDb(join(work, 'shop.sqlite'), 200_000);
    const target = new Database(join(work, 'newtool.sqlite'));
    target.exec('CREATE TABLE items (ref TEXT PRIMARY KEY, name TEXT NOT NULL, price DECIMAL(10,2))');
    target.close();
    writeFileSync(join(work, 'stocktake.yaml'), configYaml('{ kind: sqlite, path: newtool.sqlite }'));
    const spills = () => readdirSync(temp).filter((name) => name.startsWith('stocktake-diff-'));
    const args = ['plan', '-c', join(work, 'stocktake.yaml'), '-o', join(work, 'out'), '--json'];
    const run = startNode(entry, [...args, '--memory-rows', '1000'], { cwd: work, env: { TMPDIR: temp } });
    for (let i = 0; i < 800 && spills().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(spills().length).toBeGreaterThan(0);
    run.child.kill('SIGINT');
    const ended = await run.done;
    expect(ended.code, ended.stderr).toBe(130);
    expect(JSON.parse(ended.stdout)).toMatchObject({
      kind: 'error',
      error: { code: 'INTERRUPTED', exitCode: 130 },
    });
    expect(spills()).toEqual([]);
  });
});

describe.skipIf(!pgUp)('a migration into PostgreSQL stopped, killed and resumed', () => {
  const SCHEMA = 'stocktake_resume';
  const ROWS = 60_000;
  let pg: Knex;

  beforeAll(async () => {
    pg = knexFactory({ client: 'pg', connection: SERVERS.postgres });
    await pg.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg.raw(`CREATE SCHEMA ${SCHEMA}`);
    await pg.raw(
      `CREATE TABLE ${SCHEMA}.items (ref text PRIMARY KEY, name text NOT NULL, price numeric(10,2))`,
    );
  });
  afterAll(async () => {
    await pg?.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg?.destroy();
  });

  const batches = async (): Promise<number> => {
    try {
      const r = await pg.raw(`SELECT batches FROM ${SCHEMA}.stocktake_checkpoint WHERE mapping = 'items'`);
      return r.rows[0]?.batches ?? 0;
    } catch {
      return 0;
    }
  };
  const waitForBatches = async (n: number) => {
    for (let i = 0; i < 600 && (await batches()) < n; i++) await new Promise((r) => setTimeout(r, 25));
  };

  it('exits 4 on SIGTERM, survives SIGKILL, and resumes with the target equal to the source', async () => {
    const work = join(dir, 'pg');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(work);
    sourceDb(join(work, 'shop.sqlite'), ROWS);
    writeFileSync(
      join(work, 'stocktake.yaml'),
      configYaml(`{ kind: postgres, url: "${SERVERS.postgres}", schemas: [${SCHEMA}] }`),
    );
    // Batches of 1,000 (PostgreSQL's default is 10,000): enough of them to stop the run mid-way.
    const args = ['-c', join(work, 'stocktake.yaml'), '-o', join(work, 'out'), '--batch-size', '1000'];

    const first = start(['migrate', ...args]);
    await waitForBatches(2);
    first.child.kill('SIGTERM');
    const stopped = await first.done;
    expect(stopped.code, stopped.stderr).toBe(4);
    expect(stopped.stderr).toContain('MIGRATE_INTERRUPTED');
    const interruptedRun = readFileSync(join(work, 'out', 'run.json'), 'utf8');
    expect(JSON.parse(interruptedRun).status).toBe('interrupted');

    const refused = await cli(['migrate', ...args]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('MIGRATE_RESUME_REQUIRED');
    // The refused run wrote nothing: the interrupted run's record is still there to resume from.
    expect(readFileSync(join(work, 'out', 'run.json'), 'utf8')).toBe(interruptedRun);

    const second = start(['migrate', ...args, '--resume']);
    const reached = (await batches()) + 3;
    await waitForBatches(reached);
    second.child.kill('SIGKILL');
    const killed = await second.done;
    expect(killed.signal).toBe('SIGKILL');
    const partial = (await pg.raw(`SELECT count(*)::int AS n FROM ${SCHEMA}.items`)).rows[0].n;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(ROWS);

    const resumed = await cli(['migrate', ...args, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(work, 'out', 'run.json'), 'utf8'));
    expect(run.mappings[0]).toMatchObject({
      resumed: true,
      inserted: ROWS - partial,
      reconciliation: { ok: true },
    });

    const target = await pg.raw(
      `SELECT count(*)::int AS n, md5(string_agg(ref || ':' || name || ':' || price::text, '|' ORDER BY ref COLLATE "C")) AS sum FROM ${SCHEMA}.items`,
    );
    const source = new Database(join(work, 'shop.sqlite'), { readonly: true });
    const expected = (
      source.prepare('SELECT id, name, price FROM items').all() as {
        id: number;
        name: string;
        price: number;
      }[]
    )
      .map((r) => ({ ref: `K${r.id}`, text: `K${r.id}:${r.name.toUpperCase()}:${r.price.toFixed(2)}` }))
      .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))
      .map((r) => r.text)
      .join('|');
    source.close();
    expect(target.rows[0]).toEqual({ n: ROWS, sum: createHash('md5').update(expected).digest('hex') });

    const again = await cli(['migrate', ...args]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'out', 'run.json'), 'utf8')).mappings[0]).toMatchObject({
      inserted: 0,
      updated: 0,
      deleted: 0,
      unchanged: ROWS,
    });
  });
});
