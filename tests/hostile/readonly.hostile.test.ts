/**
 * Read-only audits: `stocktake audit` run as a PostgreSQL role and a MariaDB user holding SELECT only
 * (plus schema USAGE in PostgreSQL: nothing that writes, no pg_read_all_stats) inventories and profiles
 * the same as the superuser, reports what it could not see as a finding, and the server's statement log
 * of the whole audit holds no write. A write attempted on an audit session fails, even as superuser.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConnector } from '../../src/connectors/registry.ts';
import type { SqlConnector } from '../../src/connectors/sql/sql-connector.ts';
import type { Inventory } from '../../src/core/inventory.ts';
import type { Profile } from '../../src/core/profile.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';
import {
  type LoggedStatement,
  openMariaDbLog,
  openPostgresLog,
  readMariaDbLog,
  readPostgresLog,
  statementProblems,
  WRITE_WORDS,
} from './statement-log.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');

/** Schema (PostgreSQL) and database (MariaDB) of the suite, and its SELECT-only login. */
const SCHEMA = 'st_hostile_ro';
const READER = 'st_hostile_ro_reader';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'st-hostile-ro-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `stocktake audit` from the sources on a config with one source; returns its exit and outputs. */
async function audit(
  name: string,
  source: string,
): Promise<{ code: number | null; stderr: string; inventory: Inventory; profile: Profile }> {
  const work = join(dir, name);
  const out = join(work, 'out');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'stocktake.yaml'), `sources:\n  legacy: ${source}\n`);
  const child = spawn(
    process.execPath,
    [join(root, 'bin/stocktake.js'), 'audit', '-c', join(work, 'stocktake.yaml'), '-o', out],
    {
      cwd: work,
      env: { ...process.env, CI: '', STOCKTAKE_FROM_SOURCES: '1' },
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const read = (file: string) => JSON.parse(readFileSync(join(out, file), 'utf8'));
  return { code, stderr, inventory: read('inventory.json'), profile: read('profile.json') };
}

/** The facts an audit must find whoever runs it: counts, columns, keys, relations, indexes, profiles. */
function facts(inventory: Inventory, profile: Profile) {
  const datasets = inventory.sources[0]!.datasets.map((d) => ({
    name: d.name,
    kind: d.kind,
    rowCount: d.rowCount,
    rowCountExact: d.rowCountExact,
    columns: d.columns,
    primaryKey: d.primaryKey,
    uniqueKeys: d.uniqueKeys,
    foreignKeys: d.foreignKeys.map((fk) => ({
      name: fk.name,
      columns: fk.columns,
      references: fk.references,
    })),
    indexes: d.indexes,
    sizeBytes: d.sizeBytes,
  }));
  const profiles = profile.datasets.map((p) => ({
    dataset: p.dataset,
    rowCount: p.rowCount,
    duplicateRows: p.duplicateRows,
    candidateKeys: p.candidateKeys,
    keyDuplicates: p.keyDuplicates,
    orphans: p.orphans,
    columns: p.columns.map((c) => [c.name, c.count, c.nulls, c.distinct, c.min, c.max, c.topValues]),
  }));
  return { datasets, profiles };
}

const READ_FIRST = ['SELECT', 'WITH', 'SHOW', 'SET', 'BEGIN', 'COMMIT', 'ROLLBACK', 'START'];

/** No write word outside quotes, and only session settings (never GLOBAL) among the SETs. */
function writeProblems(statements: readonly LoggedStatement[], quoting: 'postgres' | 'mysql'): string[] {
  return statementProblems(statements, quoting, {
    first: READ_FIRST,
    forbidden: WRITE_WORDS,
    check: (body, sql) =>
      /^SET\b/i.test(body) &&
      !/^SET\s+(SESSION\s+TRANSACTION\s+READ\s+ONLY|time_zone\s*=|SESSION\s+lock_wait_timeout\s*=)/i.test(
        body,
      )
        ? `a setting other than the read-only session or its time zone: ${sql}`
        : undefined,
  });
}

const PG_TABLES = `
CREATE TYPE ${SCHEMA}.mood AS ENUM ('calm', 'busy');
CREATE TABLE ${SCHEMA}.parent (id int PRIMARY KEY, code text UNIQUE NOT NULL, mood ${SCHEMA}.mood, doc jsonb);
CREATE TABLE ${SCHEMA}.child (id int PRIMARY KEY, parent_id int, amount numeric(10,2), seen timestamptz, note text);
CREATE INDEX child_amount ON ${SCHEMA}.child (amount);
CREATE VIEW ${SCHEMA}.child_view AS SELECT id, amount FROM ${SCHEMA}.child;
CREATE MATERIALIZED VIEW ${SCHEMA}.totals AS SELECT parent_id, sum(amount) AS total FROM ${SCHEMA}.child GROUP BY parent_id;
INSERT INTO ${SCHEMA}.parent SELECT g, 'P' || g, CASE WHEN g % 2 = 0 THEN 'calm' ELSE 'busy' END::${SCHEMA}.mood, jsonb_build_object('g', g)
  FROM generate_series(1, 40) g;
INSERT INTO ${SCHEMA}.child SELECT g, (g % 41) + 1, g / 3.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour',
  CASE WHEN g % 5 = 0 THEN NULL ELSE ' note ' || (g % 7) END FROM generate_series(1, 300) g;
REFRESH MATERIALIZED VIEW ${SCHEMA}.totals;
ALTER TABLE ${SCHEMA}.child ADD CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES ${SCHEMA}.parent (id)
  ON DELETE CASCADE NOT VALID;
CREATE TABLE ${SCHEMA}.hidden (id int PRIMARY KEY, secret text);
INSERT INTO ${SCHEMA}.hidden SELECT g, 's' || g FROM generate_series(1, 12) g;
ANALYZE ${SCHEMA}.parent; ANALYZE ${SCHEMA}.child; ANALYZE ${SCHEMA}.hidden;`;

describe.skipIf(!pgUp)('a SELECT-only PostgreSQL role', () => {
  let admin: Knex;
  const readerUrl = () => {
    const u = new URL(SERVERS.postgres);
    u.username = READER;
    u.password = '';
    return u.toString();
  };

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 2 } });
    await admin.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin.raw(`DROP ROLE IF EXISTS ${READER}`);
    await admin.raw(`CREATE SCHEMA ${SCHEMA}`);
    // The foreign key is added NOT VALID over children of a missing parent 41: 7 orphans, seen whoever audits.
    await admin.raw(PG_TABLES);
    // SELECT and schema USAGE only: no TEMP use, no pg_read_all_stats, nothing that writes.
    await admin.raw(`CREATE ROLE ${READER} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    await admin.raw(`GRANT USAGE ON SCHEMA ${SCHEMA} TO ${READER}`);
    await admin.raw(`GRANT SELECT ON ALL TABLES IN SCHEMA ${SCHEMA} TO ${READER}`);
    // One table the audit user may not read: listed, reported, and the rest of the audit unharmed.
    await admin.raw(`REVOKE SELECT ON ${SCHEMA}.hidden FROM ${READER}`);
  });
  afterAll(async () => {
    await admin?.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin?.raw(`DROP OWNED BY ${READER}`).catch(() => undefined);
    await admin?.raw(`DROP ROLE IF EXISTS ${READER}`);
    await admin?.destroy();
  });

  it('audits like the superuser, and the server logged no write of the whole audit', async () => {
    const superuser = await audit(
      'pg-super',
      `{ kind: postgres, url: "${SERVERS.postgres}", schemas: [${SCHEMA}] }`,
    );
    expect(superuser.code, superuser.stderr).toBe(0);
    await admin.raw(`ALTER ROLE ${READER} SET log_statement = 'all'`);
    const window = await openPostgresLog(admin);
    let logged: LoggedStatement[];
    let reader: Awaited<ReturnType<typeof audit>>;
    try {
      reader = await audit('pg-reader', `{ kind: postgres, url: "${readerUrl()}", schemas: [${SCHEMA}] }`);
      logged = await readPostgresLog(admin, window, READER);
    } finally {
      await admin.raw(`ALTER ROLE ${READER} RESET log_statement`);
    }
    expect(reader.code, reader.stderr).toBe(0);
    const readable = (f: ReturnType<typeof facts>) => ({
      datasets: f.datasets.filter((d) => d.name !== `${SCHEMA}.hidden`),
      profiles: f.profiles.filter((p) => p.dataset !== `${SCHEMA}.hidden`),
    });
    expect(readable(facts(reader.inventory, reader.profile))).toEqual(
      readable(facts(superuser.inventory, superuser.profile)),
    );
    // The table it may not read is listed with its catalog estimate, reported, and left unprofiled.
    const hidden = reader.inventory.sources[0]!.datasets.find((d) => d.name === `${SCHEMA}.hidden`)!;
    expect([hidden.rowCount, hidden.rowCountExact, hidden.columns.map((c) => c.name)]).toEqual([
      12,
      false,
      ['id', 'secret'],
    ]);
    expect(
      reader.inventory.sources[0]!.findings?.find((f) => f.code === 'TABLE_NOT_READABLE')?.evidence,
    ).toEqual({
      datasets: [`${SCHEMA}.hidden`],
    });
    // Not profiled either: its finding says why, and no PROFILE_FAILED repeats it.
    expect(hidden.readable).toBe(false);
    expect(reader.profile.findings.filter((f) => f.code === 'PROFILE_FAILED')).toEqual([]);
    expect(reader.profile.datasets.some((d) => d.dataset === `${SCHEMA}.hidden`)).toBe(false);
    const child = reader.inventory.sources[0]!.datasets.find((d) => d.name === `${SCHEMA}.child`)!;
    expect([child.rowCount, child.foreignKeys[0]?.onDelete]).toEqual([300, 'CASCADE']);
    const orphans = reader.profile.datasets.find((d) => d.dataset === `${SCHEMA}.child`)!.orphans;
    expect(orphans.map((o) => o.orphans)).toEqual([7]);
    // Everything the audit sent reached the log (the catalog, the counts, the profile of each table)…
    expect(logged.length).toBeGreaterThan(10);
    for (const table of ['parent', 'child', 'child_view', 'totals'])
      expect(
        logged.some((s) => new RegExp(`FROM "?${SCHEMA}"?\\."?${table}"?`).test(s.sql)),
        table,
      ).toBe(true);
    // …and none of it writes.
    expect(writeProblems(logged, 'postgres')).toEqual([]);
  });

  it('opens read-only sessions: a write on an audit session fails, even as superuser', async () => {
    for (const url of [SERVERS.postgres, readerUrl()]) {
      const connector = (await openConnector({ kind: 'postgres', url, schemas: [SCHEMA] } as never, {
        name: 'legacy',
        mode: 'audit',
      })) as SqlConnector;
      try {
        const db = await connector.db();
        await expect(db.raw('CREATE TEMP TABLE st_hostile_ro_probe (x int)')).rejects.toThrow(
          /read-only transaction/,
        );
        await expect(db.raw(`UPDATE ${SCHEMA}.parent SET code = code`)).rejects.toThrow(
          /read-only transaction/,
        );
      } finally {
        await connector.close();
      }
    }
    expect((await admin.raw(`SELECT count(*)::int AS n FROM ${SCHEMA}.parent`)).rows[0].n).toBe(40);
  });
});

describe.skipIf(!myUp)('a SELECT-only MariaDB user', () => {
  let admin: Knex;
  const url = (user: string) => {
    const u = new URL(SERVERS.mysql);
    u.username = user;
    u.password = '';
    u.pathname = `/${SCHEMA}`;
    return u.toString();
  };

  beforeAll(async () => {
    admin = knexFactory({ client: 'mysql2', connection: SERVERS.mysql, pool: { min: 0, max: 2 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${SCHEMA}`);
    await admin.raw(`DROP USER IF EXISTS '${READER}'@'%'`);
    await admin.raw(`CREATE DATABASE ${SCHEMA} CHARACTER SET utf8mb4`);
    await admin.raw(
      `CREATE TABLE ${SCHEMA}.parent (id int PRIMARY KEY, code varchar(20) NOT NULL UNIQUE, mood enum('calm','busy'), doc json)`,
    );
    await admin.raw(`CREATE TABLE ${SCHEMA}.child (id int PRIMARY KEY, parent_id int, amount decimal(10,2), seen datetime(3), note text,
      KEY child_amount (amount), CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES ${SCHEMA}.parent (id) ON DELETE CASCADE)`);
    await admin.raw(`CREATE VIEW ${SCHEMA}.child_view AS SELECT id, amount FROM ${SCHEMA}.child`);
    await admin.raw(`CREATE TABLE ${SCHEMA}.hidden (id int PRIMARY KEY, secret text)`);
    const parents = Array.from({ length: 40 }, (_, i) => ({
      id: i + 1,
      code: `P${i + 1}`,
      mood: i % 2 ? 'calm' : 'busy',
      doc: JSON.stringify({ g: i + 1 }),
    }));
    await admin.batchInsert(`${SCHEMA}.parent`, parents, 100);
    // Foreign keys off for the load only: one orphan parent id, seen whoever audits.
    const children = Array.from({ length: 300 }, (_, i) => ({
      id: i + 1,
      parent_id: ((i + 1) % 41) + 1,
      amount: ((i + 1) / 3).toFixed(2),
      seen: `2024-01-01 ${String(i % 24).padStart(2, '0')}:00:00.000`,
      note: (i + 1) % 5 === 0 ? null : ` note ${(i + 1) % 7}`,
    }));
    await admin.transaction(async (trx) => {
      await trx.raw('SET foreign_key_checks = 0');
      await trx.batchInsert(`${SCHEMA}.child`, children, 100);
      await trx.raw('SET foreign_key_checks = 1');
    });
    await admin.raw(`ANALYZE TABLE ${SCHEMA}.parent, ${SCHEMA}.child`);
    await admin.raw(`CREATE USER '${READER}'@'%'`);
    // SELECT on each table but one: MariaDB hides that one from the user altogether.
    for (const table of ['parent', 'child', 'child_view'])
      await admin.raw(`GRANT SELECT ON ${SCHEMA}.${table} TO '${READER}'@'%'`);
  });
  afterAll(async () => {
    await admin?.raw(`DROP DATABASE IF EXISTS ${SCHEMA}`);
    await admin?.raw(`DROP USER IF EXISTS '${READER}'@'%'`);
    await admin?.destroy();
  });

  it('audits like root but for what SELECT cannot see (reported), and the general log holds no write', async () => {
    const rootAudit = await audit('my-root', `{ kind: mariadb, url: "${url('root')}" }`);
    expect(rootAudit.code, rootAudit.stderr).toBe(0);
    const window = await openMariaDbLog(SERVERS.mysql);
    let logged: LoggedStatement[];
    let reader: Awaited<ReturnType<typeof audit>>;
    try {
      reader = await audit('my-reader', `{ kind: mariadb, url: "${url(READER)}" }`);
      logged = await readMariaDbLog(admin, window, READER);
    } finally {
      await window.close();
    }
    expect(reader.code, reader.stderr).toBe(0);
    // A SELECT-only user does not see foreign-key actions, view definitions, JSON checks, nor a table it
    // has no privilege on: everything else is the same.
    const visible = (f: ReturnType<typeof facts>) => ({
      datasets: f.datasets.filter((d) => d.name !== `${SCHEMA}.hidden`),
      profiles: f.profiles.filter((p) => p.dataset !== `${SCHEMA}.hidden`),
    });
    // With table grants only, MariaDB also hides the json_valid() check that makes `doc` a JSON column.
    const docType = (f: ReturnType<typeof facts>) =>
      f.datasets.find((d) => d.name === `${SCHEMA}.parent`)!.columns.find((c) => c.name === 'doc')!.type;
    expect([
      docType(facts(rootAudit.inventory, rootAudit.profile)),
      docType(facts(reader.inventory, reader.profile)),
    ]).toEqual(['json', 'string']);
    const withoutDoc = (f: ReturnType<typeof facts>) => ({
      datasets: f.datasets.map((d) => ({ ...d, columns: d.columns.filter((c) => c.name !== 'doc') })),
      // As text, `doc` is also a candidate key (JSON never is).
      profiles: f.profiles.map((p) => ({
        ...p,
        columns: p.columns.filter((c) => c[0] !== 'doc'),
        candidateKeys: p.candidateKeys.filter((k) => !k.includes('doc')),
      })),
    });
    expect(withoutDoc(facts(reader.inventory, reader.profile))).toEqual(
      withoutDoc(visible(facts(rootAudit.inventory, rootAudit.profile))),
    );
    expect(rootAudit.inventory.sources[0]!.datasets.map((d) => d.name)).toContain(`${SCHEMA}.hidden`);
    const readerFindings = [
      ...(reader.inventory.findings ?? []),
      ...(reader.inventory.sources[0]!.findings ?? []),
    ];
    expect(readerFindings.filter((f) => f.code === 'CATALOG_HIDDEN').map((f) => f.evidence)).toEqual([
      { what: 'foreign key actions', datasets: [`${SCHEMA}.child`] },
      { what: 'json checks', columns: [`${SCHEMA}.parent.doc`] },
      { what: 'view definitions', datasets: [`${SCHEMA}.child_view`] },
    ]);
    const rootFindings = [
      ...(rootAudit.inventory.findings ?? []),
      ...(rootAudit.inventory.sources[0]!.findings ?? []),
    ];
    expect(rootFindings.filter((f) => f.code === 'CATALOG_HIDDEN')).toEqual([]);
    const rootChild = rootAudit.inventory.sources[0]!.datasets.find((d) => d.name === `${SCHEMA}.child`)!;
    expect(rootChild.foreignKeys[0]?.onDelete).toBe('CASCADE');
    const orphans = reader.profile.datasets.find((d) => d.dataset === `${SCHEMA}.child`)!.orphans;
    expect(orphans.map((o) => o.orphans)).toEqual([7]);
    expect(logged.some((s) => /SET SESSION TRANSACTION READ ONLY/.test(s.sql))).toBe(true);
    for (const table of ['parent', 'child', 'child_view'])
      expect(
        logged.some((s) => s.sql.includes(`\`${SCHEMA}\`.\`${table}\``)),
        table,
      ).toBe(true);
    expect(writeProblems(logged, 'mysql')).toEqual([]);
  });

  it('opens read-only sessions: a write on an audit session fails, even as root', async () => {
    for (const user of ['root', READER]) {
      const connector = (await openConnector({ kind: 'mariadb', url: url(user) } as never, {
        name: 'legacy',
        mode: 'audit',
      })) as SqlConnector;
      try {
        const db = await connector.db();
        await expect(db.raw(`UPDATE ${SCHEMA}.parent SET code = code`)).rejects.toThrow(
          user === 'root' ? /READ ONLY transaction/ : /command denied|READ ONLY transaction/,
        );
      } finally {
        await connector.close();
      }
    }
    const [[row]] = await admin.raw(`SELECT count(*) AS n FROM ${SCHEMA}.parent`);
    expect(Number(row.n)).toBe(40);
  });
});
