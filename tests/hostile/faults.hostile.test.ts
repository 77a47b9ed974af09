import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildResult, startNode } from '../helpers/child-process.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');

/** The target schema (PostgreSQL) or database (MariaDB), and the login whose sessions are killed. */
const SCHEMA = 'st_hostile_faults';
const LOGIN = 'st_hostile_faults';
const ROWS = 20_000;
const FULL_DISK = '/dev/full';
/** Five migrate runs of 20,000 rows on a machine shared with the rest of the suite. */
const FAULT_TIMEOUT = 240_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'st-hostile-faults-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!myUp) return;
  const my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
  await my.raw(`DROP DATABASE IF EXISTS ${SOURCE_DB}`).finally(() => my.destroy());
});

const start = (cwd: string, args: string[]) =>
  startNode(join(root, 'bin/stocktake.js'), args, { cwd, env: { STOCKTAKE_FROM_SOURCES: '1' } });

// Every 1000th row from 7 has an invalid e-mail (the mapping rejects it), from 9 a negative price (the database's CHECK does).
const mappingRejected = (id: number) => id % 1000 === 7;
const databaseRejected = (id: number) => id % 1000 === 9;
const price = (id: number) => (databaseRejected(id) ? '-1.00' : ((id % 1000) / 10).toFixed(2));

/** The source rows, in a shuffled order: batches hold rows from all over the key range. */
function* sourceRows(): Generator<[number, string, string, string]> {
  for (let i = 0; i < ROWS; i++) {
    const id = ((i * 7919) % ROWS) + 1;
    yield [id, `Item ${id}`, mappingRejected(id) ? 'not-an-email' : `item${id}@example.org`, price(id)];
  }
}

/** Where the migration reads from: the same rows in an SQLite file, a CSV file or a MariaDB table. */
type SourceKind = 'sqlite' | 'csv' | 'mariadb';

const SOURCE_DB = 'st_hostile_faults_src';

/** Writes the source into `work` (or the MariaDB database) and returns its config entry. */
async function prepareSource(kind: SourceKind, work: string): Promise<string> {
  if (kind === 'sqlite') {
    const db = new Database(join(work, 'shop.sqlite'));
    db.exec(
      'CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, price DECIMAL(10,2))',
    );
    const insert = db.prepare('INSERT INTO items VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (const row of sourceRows()) insert.run(...row);
    })();
    db.close();
    return '{ kind: sqlite, path: shop.sqlite }';
  }
  if (kind === 'csv') {
    const lines = ['id,name,email,price'];
    for (const row of sourceRows()) lines.push(row.join(','));
    writeFileSync(join(work, 'items.csv'), `${lines.join('\n')}\n`);
    return '{ kind: csv, path: items.csv }';
  }
  const my = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 1 } });
  try {
    await my.raw(`DROP DATABASE IF EXISTS ${SOURCE_DB}`);
    await my.raw(`CREATE DATABASE ${SOURCE_DB} CHARACTER SET utf8mb4`);
    await my.raw(
      `CREATE TABLE ${SOURCE_DB}.items (id int PRIMARY KEY, name varchar(80) NOT NULL, email varchar(80), price decimal(10,2))`,
    );
    const rows = [...sourceRows()].map(([id, name, email, p]) => ({ id, name, email, price: p }));
    await my.batchInsert(`${SOURCE_DB}.items`, rows, 2000);
  } finally {
    await my.destroy();
  }
  const url = new URL(SERVERS.mysql);
  url.pathname = `/${SOURCE_DB}`;
  return `{ kind: mariadb, url: "${url}" }`;
}

/** The rows the target must hold after the migration: `ref|name|email|price`, sorted by ref. */
function expectedRows(withValidation: boolean): string[] {
  const rows: string[] = [];
  for (let id = 1; id <= ROWS; id++) {
    if (databaseRejected(id) || (withValidation && mappingRejected(id))) continue;
    const email = mappingRejected(id) ? 'not-an-email' : `item${id}@example.org`;
    rows.push(`K${id}|ITEM ${id}|${email}|${price(id)}`);
  }
  return rows.sort(binary);
}

function binary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function configYaml(source: string, target: string, table: string, withValidation: boolean): string {
  return `sources:
  shop: ${source}
targets:
  newtool: ${target}
mappings:
  - name: ${table}
    from: { source: shop, dataset: items }
    to: { target: newtool, dataset: ${table}, key: [ref], mode: upsert }
    batchSize: 500
    fields:
      ref: { from: id, transform: [text, { prefix: "K" }] }
      name: { from: name, transform: [uppercase] }
      email: { from: email${withValidation ? ', validate: email' : ''} }
      price: { from: price }
`;
}

/** One target backend: its table, its checkpoint, how to kill the migration's sessions, how to read rows. */
interface Target {
  readonly config: string;
  createTable(table: string): Promise<void>;
  batches(): Promise<number>;
  count(table: string): Promise<number>;
  rows(table: string): Promise<string[]>;
  /** Kills every session of the migration's login; returns how many. */
  killSessions(): Promise<number>;
}

async function waitFor(condition: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('timed out waiting for the migration');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills the target's sessions again and again until the child exits: some kill must land mid-batch. */
async function killUntilExit(
  target: Target,
  run: { done: Promise<ChildResult> },
): Promise<{ result: ChildResult; kills: number }> {
  let exited = false;
  let kills = 0;
  const done = run.done.then((r) => {
    exited = true;
    return r;
  });
  while (!exited) {
    kills += await target.killSessions();
    await new Promise((r) => setTimeout(r, 15));
  }
  return { result: await done, kills };
}

function rejectsOf(out: string): { records: { key: { ref: string }; code: string }[]; csvLines: number } {
  const records = readFileSync(join(out, 'rejects.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const csvLines = readFileSync(join(out, 'rejects.csv'), 'utf8').split('\r\n').filter(Boolean).length - 1;
  return { records, csvLines };
}

function idsOf(predicate: (id: number) => boolean): string[] {
  const ids: string[] = [];
  for (let id = 1; id <= ROWS; id++) if (predicate(id)) ids.push(`K${id}`);
  return ids.sort(binary);
}

function faultSuite(
  name: string,
  source: SourceKind,
  makeTarget: () => Promise<Target & { close(): Promise<void> }>,
) {
  let target: Target & { close(): Promise<void> };
  beforeAll(async () => {
    target = await makeTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  it(
    `reads ${source}, stops with exit 4 when its connections are killed, when SIGKILLed and on a full disk; resumes to exactly the plan`,
    async () => {
      const work = join(dir, name);
      mkdirSync(work);
      const from = await prepareSource(source, work);
      await target.createTable('items');
      writeFileSync(join(work, 'stocktake.yaml'), configYaml(from, target.config, 'items', true));
      const out = join(work, 'out');
      const args = ['migrate', '-c', join(work, 'stocktake.yaml'), '-o', out];

      // (a) The server kills the target's sessions until the run gives up.
      const first = start(work, args);
      await waitFor(async () => (await target.batches()) >= 3);
      const { result: killed, kills } = await killUntilExit(target, first);
      expect(kills).toBeGreaterThan(0);
      expect(killed.code, killed.stderr).toBe(4);
      expect(killed.stderr).toContain('MIGRATE_INTERRUPTED');
      expect(killed.stderr).toMatch(/connection to the target was lost/);
      const afterKill = await target.count('items');
      expect(afterKill).toBeGreaterThan(0);
      expect(afterKill).toBeLessThan(ROWS);

      // (b) SIGKILL mid-run: no chance to clean up.
      const second = start(work, [...args, '--resume']);
      const reached = (await target.batches()) + 3;
      await waitFor(async () => (await target.batches()) >= reached);
      second.child.kill('SIGKILL');
      expect((await second.done).signal).toBe('SIGKILL');
      const afterSigkill = await target.count('items');
      expect(afterSigkill).toBeLessThan(ROWS);

      // (c) The disk of the rejects file is full: the run stops naming the file, before writing anything.
      rmSync(join(out, 'rejects.jsonl'), { force: true });
      symlinkSync(FULL_DISK, join(out, 'rejects.jsonl'));
      const full = await start(work, [...args, '--resume']).done;
      expect(full.code, full.stderr).toBe(4);
      expect(full.stderr).toContain('REJECTS_UNWRITABLE');
      expect(full.stderr).toContain(
        `${join(out, 'rejects.jsonl')}: rejected rows cannot be written: the disk is full`,
      );
      expect(await target.count('items')).toBe(afterSigkill);
      rmSync(join(out, 'rejects.jsonl'));

      // Resumed: the target equals the plan row for row, and every rejected row is listed once.
      const resumed = await start(work, [...args, '--resume']).done;
      expect(resumed.code, resumed.stderr).toBe(0);
      const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
      expect(run.mappings[0]).toMatchObject({
        status: 'done',
        resumed: true,
        rejected: { mapping: 20, database: 20 },
        reconciliation: { ok: true, missing: 0, different: 0, unexpected: 0 },
      });
      const rows = (await target.rows('items')).sort(binary);
      expect(rows.length).toBe(ROWS - 40);
      expect(rows).toEqual(expectedRows(true));
      const { records, csvLines } = rejectsOf(out);
      expect(csvLines).toBe(40);
      const refs = (code: string) =>
        records
          .filter((r) => r.code === code)
          .map((r) => r.key.ref)
          .sort(binary);
      expect(refs('REJECT_DATABASE')).toEqual(idsOf(databaseRejected));
      expect(
        records
          .filter((r) => r.code !== 'REJECT_DATABASE')
          .map((r) => r.key.ref)
          .sort(binary),
      ).toEqual(idsOf(mappingRejected));

      // Nothing left to do: a new run changes nothing.
      const again = await start(work, args).done;
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).mappings[0]).toMatchObject({
        inserted: 0,
        updated: 0,
        unchanged: ROWS - 40,
      });
    },
    FAULT_TIMEOUT,
  );

  it(
    'does not lose the rejects of a committed batch when their file fills up: the resumed run writes them',
    async () => {
      const work = join(dir, `${name}-committed`);
      mkdirSync(work);
      const from = await prepareSource('sqlite', work);
      await target.createTable('items_full');
      // Without validation the first reject is the database's, found once its batch is committed.
      writeFileSync(join(work, 'stocktake.yaml'), configYaml(from, target.config, 'items_full', false));
      const out = join(work, 'out');
      mkdirSync(out);
      symlinkSync(FULL_DISK, join(out, 'rejects.jsonl'));
      const args = ['migrate', '-c', join(work, 'stocktake.yaml'), '-o', out];
      const full = await start(work, args).done;
      expect(full.code, full.stderr).toBe(4);
      expect(full.stderr).toContain(
        `${join(out, 'rejects.jsonl')}: rejected rows cannot be written: the disk is full`,
      );
      const partial = await target.count('items_full');
      expect(partial).toBeGreaterThan(0);
      expect(partial).toBeLessThan(ROWS - 20);
      rmSync(join(out, 'rejects.jsonl'));
      expect(existsSync(join(out, 'rejects.jsonl'))).toBe(false);

      const resumed = await start(work, [...args, '--resume']).done;
      expect(resumed.code, resumed.stderr).toBe(0);
      expect((await target.rows('items_full')).sort(binary)).toEqual(expectedRows(false));
      const { records, csvLines } = rejectsOf(out);
      expect(csvLines).toBe(20);
      expect(records.map((r) => r.key.ref).sort(binary)).toEqual(idsOf(databaseRejected));
    },
    FAULT_TIMEOUT,
  );
}

describe.skipIf(!pgUp)('faults during a migration into PostgreSQL', () => {
  // MariaDB as the source when it answers; SQLite otherwise.
  faultSuite('pg', myUp ? 'mariadb' : 'sqlite', async () => {
    const admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 2 } });
    await admin.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin.raw(`DROP ROLE IF EXISTS ${LOGIN}`);
    await admin.raw(`CREATE ROLE ${LOGIN} LOGIN`);
    await admin.raw(`CREATE SCHEMA ${SCHEMA} AUTHORIZATION ${LOGIN}`);
    const url = new URL(SERVERS.postgres);
    url.username = LOGIN;
    url.password = '';
    return pgTarget(admin, url.toString());
  });
});

function pgTarget(admin: Knex, url: string): Target & { close(): Promise<void> } {
  return {
    config: `{ kind: postgres, url: "${url}", schemas: [${SCHEMA}] }`,
    async createTable(table) {
      await admin.raw(`CREATE TABLE ${SCHEMA}.${table} (ref text PRIMARY KEY, name text NOT NULL, email text,
        price numeric(10,2) CHECK (price >= 0))`);
      await admin.raw(`ALTER TABLE ${SCHEMA}.${table} OWNER TO ${LOGIN}`);
    },
    async batches() {
      try {
        const r = await admin.raw(`SELECT max(batches)::int AS n FROM ${SCHEMA}.stocktake_checkpoint`);
        return r.rows[0]?.n ?? 0;
      } catch {
        return 0;
      }
    },
    async count(table) {
      return (await admin.raw(`SELECT count(*)::int AS n FROM ${SCHEMA}.${table}`)).rows[0].n;
    },
    async rows(table) {
      const r = await admin.raw(
        `SELECT ref || '|' || name || '|' || coalesce(email, '') || '|' || price::text AS line FROM ${SCHEMA}.${table} ORDER BY ref COLLATE "C"`,
      );
      return r.rows.map((x: { line: string }) => x.line);
    },
    async killSessions() {
      const r = await admin.raw(
        'SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ?) k',
        [LOGIN],
      );
      return r.rows[0].n;
    },
    async close() {
      await admin.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.raw(`DROP ROLE IF EXISTS ${LOGIN}`);
      await admin.destroy();
    },
  };
}

describe.skipIf(!myUp)('faults during a migration into MariaDB', () => {
  faultSuite('mariadb', 'csv', async () => {
    const admin = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 2 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${SCHEMA}`);
    await admin.raw(`DROP USER IF EXISTS '${LOGIN}'@'%'`);
    await admin.raw(`CREATE DATABASE ${SCHEMA} CHARACTER SET utf8mb4`);
    await admin.raw(`CREATE USER '${LOGIN}'@'%'`);
    await admin.raw(`GRANT ALL ON ${SCHEMA}.* TO '${LOGIN}'@'%'`);
    const url = new URL(SERVERS.mysql);
    url.username = LOGIN;
    url.password = '';
    url.pathname = `/${SCHEMA}`;
    return myTarget(admin, url.toString());
  });
});

function myTarget(admin: Knex, url: string): Target & { close(): Promise<void> } {
  return {
    config: `{ kind: mariadb, url: "${url}" }`,
    async createTable(table) {
      await admin.raw(`CREATE TABLE ${SCHEMA}.${table} (ref varchar(20) PRIMARY KEY, name varchar(80) NOT NULL,
        email varchar(80), price decimal(10,2), CONSTRAINT ${table}_price CHECK (price >= 0)) CHARACTER SET utf8mb4`);
    },
    async batches() {
      try {
        const [rows] = await admin.raw(`SELECT max(batches) AS n FROM ${SCHEMA}.stocktake_checkpoint`);
        return Number(rows[0]?.n ?? 0);
      } catch {
        return 0;
      }
    },
    async count(table) {
      const [rows] = await admin.raw(`SELECT count(*) AS n FROM ${SCHEMA}.${table}`);
      return Number(rows[0].n);
    },
    async rows(table) {
      const [rows] = await admin.raw(
        `SELECT CONCAT(ref, '|', name, '|', COALESCE(email, ''), '|', price) AS line FROM ${SCHEMA}.${table} ORDER BY BINARY ref`,
      );
      return (rows as { line: string }[]).map((x) => x.line);
    },
    async killSessions() {
      const [rows] = await admin.raw('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE USER = ?', [
        LOGIN,
      ]);
      let killed = 0;
      for (const row of rows as { id: number }[]) {
        // A session may end between the listing and the KILL.
        await admin.raw(`KILL ${Number(row.id)}`).then(
          () => killed++,
          () => undefined,
        );
      }
      return killed;
    },
    async close() {
      await admin.raw(`DROP DATABASE IF EXISTS ${SCHEMA}`);
      await admin.raw(`DROP USER IF EXISTS '${LOGIN}'@'%'`);
      await admin.destroy();
    },
  };
}

describe('a streaming read whose session the server kills', () => {
  const TABLE = 'st_hostile_faults_stream';
  // 200,000 rows of 100 characters: far more than the socket buffers hold when the kill lands.
  const cases = [
    {
      name: 'MariaDB',
      up: myUp,
      url: SERVERS.mysql,
      client: 'mysql2',
      dataset: `${new URL(SERVERS.mysql).pathname.slice(1)}.${TABLE}`,
      create: `CREATE TABLE ${TABLE} AS SELECT seq AS id, REPEAT('x', 100) AS filler FROM seq_1_to_200000`,
      kill: `SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE '%FROM %${TABLE}%' AND ID <> CONNECTION_ID()`,
      killOne: (id: number) => `KILL ${id}`,
    },
    {
      name: 'PostgreSQL',
      up: pgUp,
      url: SERVERS.postgres,
      client: 'pg',
      dataset: `public.${TABLE}`,
      create: `CREATE TABLE ${TABLE} AS SELECT g AS id, repeat('x', 100) AS filler FROM generate_series(1, 200000) g`,
      kill: `SELECT pid AS id FROM pg_stat_activity WHERE query LIKE '%FROM %${TABLE}%' AND pid <> pg_backend_pid()`,
      killOne: (id: number) => `SELECT pg_terminate_backend(${id})`,
    },
  ] as const;

  for (const c of cases) {
    it.skipIf(!c.up)(
      `${c.name}: the read fails at once with the lost connection, it never hangs`,
      async () => {
        const admin = knexFactory({ client: c.client, connection: c.url, pool: { min: 0, max: 1 } });
        const { openConnector } = await import('../../src/connectors/registry.ts');
        const kind = c.client === 'pg' ? 'postgres' : 'mariadb';
        const connector = await openConnector({ kind, url: c.url, include: [TABLE] } as never, {
          name: 'legacy',
          mode: 'audit',
        });
        try {
          await admin.raw(`DROP TABLE IF EXISTS ${TABLE}`);
          await admin.raw(c.create);
          let rows = 0;
          let killed = 0;
          const read = (async () => {
            for await (const batch of connector.read({ name: c.dataset }, { batchSize: 1000 })) {
              rows += batch.length;
              if (killed === 0) {
                const listed = await admin.raw(c.kill);
                const ids = (c.client === 'pg' ? listed.rows : listed[0]) as { id: number }[];
                // A session may end between the listing and the kill.
                for (const { id } of ids) await admin.raw(c.killOne(Number(id))).catch(() => undefined);
                killed = ids.length;
              }
            }
          })();
          const hang = new Promise((_, reject) =>
            setTimeout(() => reject(new Error('the read hung')), 15_000),
          );
          await expect(Promise.race([read, hang])).rejects.toMatchObject({
            code: 'SOURCE_UNREACHABLE',
            message: expect.stringMatching(/connection to the .* server was lost/),
          });
          expect(killed).toBe(1);
          expect(rows).toBeLessThan(200_000);
        } finally {
          await connector.close();
          await admin.raw(`DROP TABLE IF EXISTS ${TABLE}`);
          await admin.destroy();
        }
      },
      60_000,
    );
  }
});
