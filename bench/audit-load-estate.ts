/**
 * The estate of the load measurements, shared by `bench/audit-load.ts` and the load test: a mix of
 * sources (PostgreSQL schemas, MariaDB databases, SQLite files, CSV folders), a PostgreSQL schema of
 * many small tables, a watcher that counts each source's connections from the servers' side, and a
 * CLI runner that reads the child's peak resident set from /proc.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import knexFactory, { type Knex } from 'knex';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the estate lives and what it is made of. */
export interface LoadEstateOptions {
  readonly pgUrl: string;
  readonly mysqlUrl: string;
  /** Prefix of every database, schema and file name, unique to the caller. */
  readonly prefix: string;
  /** Folder for the config, SQLite files and CSV folders. */
  readonly dir: string;
  readonly postgres: number;
  readonly mysql: number;
  readonly sqlite: number;
  readonly csv: number;
  readonly tablesPerSource: number;
  readonly rowsPerTable: number;
}

/** One source of the estate and how the servers name its sessions. */
export interface LoadSource {
  readonly name: string;
  readonly kind: 'postgres' | 'mariadb' | 'sqlite' | 'csv';
  /** The pool bound the config gives it. */
  readonly poolMax?: number;
}

/** The PostgreSQL database that holds the schemas of the estate. */
export const pgDatabase = (prefix: string) => `${prefix}db`;
/** The MariaDB database of the i-th MariaDB source. */
export const mysqlDatabase = (prefix: string, i: number) => `${prefix}my${i}`;

const urlWithPath = (url: string, path: string) => {
  const u = new URL(url);
  u.pathname = `/${path}`;
  return u.toString();
};

/** Builds the mixed estate and writes `<dir>/stocktake.yaml` naming every source; returns the sources. */
export async function buildMixedEstate(options: LoadEstateOptions): Promise<LoadSource[]> {
  const { prefix, dir, tablesPerSource: tables, rowsPerTable: rows } = options;
  mkdirSync(dir, { recursive: true });
  const sources: LoadSource[] = [];
  const yaml: string[] = ['sources:'];
  // Every other network source gets a pool of 2, the rest the default of 4. Names differ between
  // tables, as the customers of unrelated systems do: overlaps are searched for, not found everywhere.
  const poolOf = (i: number) => (i % 2 === 0 ? 2 : undefined);

  if (options.postgres > 0) {
    await recreatePgDatabase(options.pgUrl, pgDatabase(prefix));
    const db = knexFactory({
      client: 'pg',
      connection: urlWithPath(options.pgUrl, pgDatabase(prefix)),
      pool: { min: 0, max: 1 },
    });
    try {
      for (let s = 0; s < options.postgres; s++) {
        const statements = [`CREATE SCHEMA s${s}`];
        for (let t = 0; t < tables; t++) {
          statements.push(
            `CREATE TABLE s${s}.t${t} (id integer PRIMARY KEY, name text, amount numeric(10,2), created date)`,
            `INSERT INTO s${s}.t${t} SELECT g, 'pg${s} t${t} name ' || g, g * 1.5, DATE '2024-01-01' + g FROM generate_series(1, ${rows}) g`,
          );
        }
        await db.raw(statements.join(';\n'));
        const name = `pg${s}`;
        const pool = poolOf(s);
        sources.push({ name, kind: 'postgres', ...(pool ? { poolMax: pool } : {}) });
        yaml.push(
          `  ${name}: { kind: postgres, url: "${urlWithPath(options.pgUrl, pgDatabase(prefix))}", schemas: [s${s}]${pool ? `, pool: { max: ${pool} }` : ''} }`,
        );
      }
      await db.raw('ANALYZE');
    } finally {
      await db.destroy();
    }
  }

  if (options.mysql > 0) {
    const admin = knexFactory({ client: 'mysql2', connection: options.mysqlUrl, pool: { min: 0, max: 1 } });
    try {
      for (let s = 0; s < options.mysql; s++) {
        const database = mysqlDatabase(prefix, s);
        await admin.raw(`DROP DATABASE IF EXISTS ${database}`);
        await admin.raw(`CREATE DATABASE ${database}`);
        for (let t = 0; t < tables; t++) {
          await admin.raw(
            `CREATE TABLE ${database}.t${t} (id int PRIMARY KEY, name varchar(40), amount decimal(10,2), created date)`,
          );
          await admin.raw(
            `INSERT INTO ${database}.t${t} SELECT seq, CONCAT('my${s} t${t} name ', seq), seq * 1.5, DATE '2024-01-01' + INTERVAL seq DAY FROM seq_1_to_${rows}`,
          );
        }
        const name = `my${s}`;
        const pool = poolOf(s);
        sources.push({ name, kind: 'mariadb', ...(pool ? { poolMax: pool } : {}) });
        yaml.push(
          `  ${name}: { kind: mariadb, url: "${urlWithPath(options.mysqlUrl, database)}"${pool ? `, pool: { max: ${pool} }` : ''} }`,
        );
      }
    } finally {
      await admin.destroy();
    }
  }

  for (let s = 0; s < options.sqlite; s++) {
    const file = join(dir, `${prefix}lite${s}.sqlite`);
    const db = new Database(file);
    db.transaction(() => {
      for (let t = 0; t < tables; t++) {
        db.exec(`CREATE TABLE t${t} (id INTEGER PRIMARY KEY, name TEXT, amount REAL, created TEXT)`);
        const insert = db.prepare(`INSERT INTO t${t} VALUES (?, ?, ?, ?)`);
        for (let r = 1; r <= rows; r++)
          insert.run(
            r,
            `lite${s} t${t} name ${r}`,
            r * 1.5,
            `2024-01-${String((r % 28) + 1).padStart(2, '0')}`,
          );
      }
    })();
    db.close();
    sources.push({ name: `lite${s}`, kind: 'sqlite' });
    yaml.push(`  lite${s}: { kind: sqlite, path: ${prefix}lite${s}.sqlite }`);
  }

  for (let s = 0; s < options.csv; s++) {
    const folder = join(dir, `${prefix}csv${s}`);
    mkdirSync(folder, { recursive: true });
    for (let t = 0; t < tables; t++) {
      const lines = ['id,name,amount,created'];
      for (let r = 1; r <= rows; r++)
        lines.push(
          `${r},csv${s} t${t} name ${r},${r * 1.5},2024-01-${String((r % 28) + 1).padStart(2, '0')}`,
        );
      writeFileSync(join(folder, `t${t}.csv`), `${lines.join('\n')}\n`);
    }
    sources.push({ name: `csv${s}`, kind: 'csv' });
    yaml.push(`  csv${s}: { kind: csv, path: ${prefix}csv${s} }`);
  }
  writeFileSync(join(dir, 'stocktake.yaml'), `${yaml.join('\n')}\n`);
  return sources;
}

/** A PostgreSQL schema `wide` of `tables` small tables (3 columns, `rows` rows each, no keys) in its own database. */
export async function buildWideSchema(
  pgUrl: string,
  database: string,
  tables: number,
  rows: number,
): Promise<void> {
  await recreatePgDatabase(pgUrl, database);
  const db = knexFactory({
    client: 'pg',
    connection: urlWithPath(pgUrl, database),
    pool: { min: 0, max: 1 },
  });
  try {
    // One statement per table, in one transaction: creating the catalog entries is what costs.
    const statements = ['BEGIN', 'CREATE SCHEMA wide'];
    for (let t = 0; t < tables; t++) {
      statements.push(
        `CREATE TABLE wide.t${t} AS SELECT g AS id, 'label ' || (g % 7) AS label, (g * 0.5)::numeric(10,2) AS amount FROM generate_series(1, ${rows}) g`,
      );
    }
    statements.push('COMMIT');
    await db.raw(statements.join(';\n'));
  } finally {
    await db.destroy();
  }
}

/** Drops every database the estate created. */
export async function dropEstate(
  pgUrl: string,
  mysqlUrl: string | undefined,
  prefix: string,
  mysql: number,
  extraPg: string[] = [],
): Promise<void> {
  const pg = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
  try {
    for (const db of [pgDatabase(prefix), ...extraPg])
      await pg.raw(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  } finally {
    await pg.destroy();
  }
  if (!mysqlUrl || mysql === 0) return;
  const my = knexFactory({ client: 'mysql2', connection: mysqlUrl, pool: { min: 0, max: 1 } });
  try {
    for (let s = 0; s < mysql; s++) await my.raw(`DROP DATABASE IF EXISTS ${mysqlDatabase(prefix, s)}`);
  } finally {
    await my.destroy();
  }
}

async function recreatePgDatabase(pgUrl: string, database: string): Promise<void> {
  const admin = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${database}`);
  } finally {
    await admin.destroy();
  }
}

/**
 * Polls the servers for the sessions of each source: PostgreSQL by application_name
 * (`stocktake:<source>`), MariaDB by the database the session uses. `stop` returns the most
 * sessions each source had at once, and the most sources connected at once.
 */
export function watchConnections(
  pgUrl: string,
  mysqlUrl: string | undefined,
  prefix: string,
  mysqlSources: number,
  intervalMs = 25,
): { stop(): Promise<{ perSource: Map<string, number>; sourcesAtOnce: number; samples: number }> } {
  const pg = knexFactory({ client: 'pg', connection: pgUrl, pool: { min: 0, max: 1 } });
  const my: Knex | undefined =
    mysqlUrl && mysqlSources > 0
      ? knexFactory({ client: 'mysql2', connection: mysqlUrl, pool: { min: 0, max: 1 } })
      : undefined;
  const perSource = new Map<string, number>();
  let sourcesAtOnce = 0;
  let samples = 0;
  let running = true;
  const myNames = new Map(
    Array.from({ length: mysqlSources }, (_, i) => [mysqlDatabase(prefix, i), `my${i}`]),
  );
  const loop = (async () => {
    while (running) {
      const now = new Map<string, number>();
      const pgRows = await pg.raw(
        `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
         WHERE application_name LIKE 'stocktake:%' AND datname = ? GROUP BY 1`,
        [pgDatabase(prefix)],
      );
      for (const r of pgRows.rows as { name: string; n: number }[])
        now.set(r.name.slice('stocktake:'.length), r.n);
      if (my) {
        const [myRows] = await my.raw(
          `SELECT db AS name, count(*) AS n FROM information_schema.processlist WHERE db LIKE ? GROUP BY db`,
          [`${prefix}my%`],
        );
        for (const r of myRows as { name: string; n: number }[]) {
          const source = myNames.get(r.name);
          if (source) now.set(source, Number(r.n));
        }
      }
      for (const [name, n] of now) perSource.set(name, Math.max(perSource.get(name) ?? 0, n));
      sourcesAtOnce = Math.max(sourcesAtOnce, now.size);
      samples++;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await pg.destroy();
      await my?.destroy();
      return { perSource, sourcesAtOnce, samples };
    },
  };
}

/** What one CLI run did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** The child's peak resident set (VmHWM), in MB; 0 where /proc is missing. */
  readonly peakRssMb: number;
}

/** Runs `stocktake <args>` in `cwd`, sampling the child's peak resident set from /proc. */
export function runStocktake(args: readonly string[], cwd: string): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(repo, 'bin/stocktake.js'), ...args], {
    cwd,
    env: { ...process.env, FORCE_COLOR: '0', STOCKTAKE_DEBUG: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  let peakKb = 0;
  // VmHWM is the kernel's own high-water mark, so sampling only has to catch the last value before exit.
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // The process has exited.
    }
  };
  const timer = setInterval(sample, 20);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started, peakRssMb: peakKb / 1024 });
    }),
  );
}
