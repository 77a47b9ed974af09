/**
 * MySQL/MariaDB zero dates: `0000-00-00`, `0000-00-00 00:00:00` and dates with a zero month or day
 * (`2020-00-15`, stored when the sql_mode has no NO_ZERO_DATE / NO_ZERO_IN_DATE) stand for a missing date.
 * Every path counts them as null-like (`zeroDate`), as a CSV file's `0000-00-00` text is, and keeps them out of
 * min, max, mean and quantiles: the push-down listing them, the push-down summarising them in SQL, and the
 * streamed read, below and past the distinct limit. SQLite files copied from such databases hold them as text,
 * and profile the same. Real dates before the year 100 (`0001-01-01`) are read as themselves, not as 19xx.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import { createSqliteConnector } from '../../src/connectors/sqlite/sqlite-connector.ts';
import type { Connector } from '../../src/connectors/types.ts';
import type { ColumnProfile } from '../../src/core/profile.ts';
import { buildColumnProfile } from '../../src/profilers/column-profile.ts';
import { profileRows } from '../../src/profilers/dataset-accumulator.ts';
import type { DatasetObservation } from '../../src/profilers/observation.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('mysql');
const scratch = new ScratchMysql('stocktake_it_zero_dates');
const DB = scratch.name;
const url = () => scratch.url();

// id, DATE, DATETIME, TIMESTAMP (which takes only the whole zero date).
const ROWS: [number, string | null, string | null, string | null][] = [
  [1, '2020-01-15', '2020-01-15 10:00:00', '2020-01-15 10:00:00'],
  [2, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00'],
  [3, '2020-00-15', '2020-00-15 10:00:00', null],
  [4, '2021-03-00', '2021-03-00 00:00:00', null],
  [5, '2022-05-06', '2022-05-06 12:00:00', '2022-05-06 12:00:00'],
  [6, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00'],
  [7, null, null, null],
  [8, '2021-07-01', '2021-07-01 00:00:00', '2021-07-01 00:00:00'],
];
const ZEROS = { d: 4, dt: 4, ts: 2 };
const REAL = { d: ['2020-01-15', '2022-05-06'], dt: ['2020-01-15T10:00:00', '2022-05-06T12:00:00'] };
const DAY_MS = 86_400_000;
/** Days since 1970 of the real dates: what the mean and quantiles may be computed from. */
const REAL_DAYS = ['2020-01-15', '2022-05-06', '2021-07-01'].map(
  (d) => Date.parse(`${d}T00:00:00Z`) / DAY_MS,
);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** A connection to the scratch database whose session runs in `mode`, as legacy applications write. */
function withSqlMode(mode: string) {
  return knexFactory({
    client: 'mysql2',
    connection: url(),
    pool: {
      min: 0,
      max: 1,
      afterCreate: (
        raw: { query: (sql: string, done: (e: Error | null) => void) => void },
        done: (e: Error | null, raw: unknown) => void,
      ) => raw.query(`SET SESSION sql_mode = '${mode}'`, (error) => done(error, raw)),
    },
  });
}

describe.skipIf(!up)('MariaDB zero dates', () => {
  let connector: Connector;
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-zero-dates-'));
  const name = `${DB}.events`;

  beforeAll(async () => {
    await scratch.create();
    // An sql_mode without NO_ZERO_DATE and NO_ZERO_IN_DATE, as legacy applications run.
    const writer = withSqlMode('');
    await writer.raw('CREATE TABLE events (id INT PRIMARY KEY, d DATE, dt DATETIME, ts TIMESTAMP NULL)');
    await writer.raw(`INSERT INTO events VALUES ${ROWS.map(() => '(?, ?, ?, ?)').join(', ')}`, ROWS.flat());
    await writer.destroy();
    connector = await createMysqlConnector({ kind: 'mysql', url: url() } as never, {
      name: 'maria',
      mode: 'audit',
    });
    await connector.inventory();
  });

  afterAll(async () => {
    await connector?.close();
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const column = (observation: DatasetObservation, name: string): ColumnProfile =>
    buildColumnProfile(observation.columns.find((c) => c.name === name)!);

  const paths: [string, () => Promise<DatasetObservation>][] = [
    ['the push-down, listed', () => connector.pushdownProfile!({ name })],
    ['the push-down, summarised in SQL', () => connector.pushdownProfile!({ name }, { distinctLimit: 1 })],
    [
      'the streamed read, listed',
      async () => profileRows((await connector.shape({ name })).columns, connector.read({ name })),
    ],
    [
      'the streamed read, past the distinct limit',
      async () =>
        profileRows((await connector.shape({ name })).columns, connector.read({ name }), {
          distinctLimit: 1,
        }),
    ],
  ];

  it.each(paths)(
    '%s counts zero dates as null-like and keeps them out of bounds and numbers',
    async (_, observe) => {
      const observation = await observe();
      for (const name of ['d', 'dt', 'ts'] as const) {
        const profile = column(observation, name);
        expect(profile.nulls, name).toBe(ROWS.filter((r) => r[{ d: 1, dt: 2, ts: 3 }[name]] === null).length);
        expect(profile.nullLike, name).toEqual({
          empty: 0,
          blank: 0,
          na: 0,
          nullText: 0,
          dash: 0,
          zeroDate: ZEROS[name],
        });
        // Zero dates are missing dates, not values that break the column's type.
        expect([profile.inferredType, profile.conformance], name).toEqual([profile.type, 1]);
        for (const q of Object.values(profile.numeric!.quantiles)) {
          expect(q, name).toBeGreaterThanOrEqual(Math.floor(Math.min(...REAL_DAYS)));
          expect(q, name).toBeLessThanOrEqual(Math.max(...REAL_DAYS) + 1);
        }
      }
      expect([column(observation, 'd').min, column(observation, 'd').max]).toEqual(REAL.d);
      expect([column(observation, 'dt').min, column(observation, 'dt').max]).toEqual(REAL.dt);
      expect([column(observation, 'ts').min, column(observation, 'ts').max]).toEqual([
        '2020-01-15T10:00:00Z',
        '2022-05-06T12:00:00Z',
      ]);
      expect(column(observation, 'd').numeric!.mean).toBeCloseTo(mean(REAL_DAYS), 9);
    },
  );

  it('counts `0000-00-00` as a CSV file holding that text does', async () => {
    const path = join(dir, 'events.csv');
    writeFileSync(
      path,
      `id,d\n${ROWS.map((r) => `${r[0]},${r[1] === '0000-00-00' ? r[1] : ''}`).join('\n')}\n`,
    );
    const config = { sources: { file: { kind: 'csv', path } } } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const text = profile.datasets[0]!.columns.find((c) => c.name === 'd')!;
    const table = column(await connector.pushdownProfile!({ name }), 'd');
    expect(text.nullLike.zeroDate).toBe(2);
    // The table also holds two dates with a zero month or day, which no calendar holds either.
    expect(table.nullLike).toEqual({ ...text.nullLike, zeroDate: text.nullLike.zeroDate + 2 });
  });

  it('reports the zero dates as null-like values, not as values of the wrong type', async () => {
    const config = { sources: { maria: { kind: 'mariadb', url: url() } } } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const findings = (code: string) =>
      profile.findings.filter((f) => f.code === code && f.dataset === name).map((f) => f.column);
    expect(findings('NULL_LIKE_VALUES').sort()).toEqual(['d', 'dt', 'ts']);
    expect(findings('TYPE_NONCONFORMANT')).toEqual([]);
    expect(profile.findings.filter((f) => f.code === 'PROFILE_FAILED')).toEqual([]);
  });

  it('lists an invalid date ALLOW_INVALID_DATES let in as the date it is, not as a zero date', async () => {
    const admin = withSqlMode('ALLOW_INVALID_DATES');
    await admin.raw('CREATE TABLE invalid_dates (id INT PRIMARY KEY, d DATE, dt DATETIME(3))');
    await admin.raw(`INSERT INTO invalid_dates VALUES (1, '2024-02-31', '2023-02-29 10:00:00.250'),
      (2, '2024-04-31', '2024-06-31 00:00:00'), (3, '2024-01-15', '2024-01-15 00:00:00')`);
    await admin.destroy();
    await connector.inventory();
    const observation = await connector.pushdownProfile!({ name: `${DB}.invalid_dates` });
    const dt = column(observation, 'dt');
    expect(dt.nullLike.zeroDate).toBe(0);
    expect(dt.distinct).toBe(3);
    expect(dt.topValues.map((t) => t.value).sort()).toEqual([
      '2023-02-29T10:00:00.25',
      '2024-01-15T00:00:00',
      '2024-06-31T00:00:00',
    ]);
  });

  it('reads years before 100 as themselves: the listed and summarised profiles agree', async () => {
    const admin = knexFactory({ client: 'mysql2', connection: url(), pool: { min: 0, max: 1 } });
    await admin.raw('CREATE TABLE early (id INT PRIMARY KEY, d DATE)');
    await admin.raw(`INSERT INTO early VALUES (1, '0001-01-01'), (2, '0099-12-31'), (3, '2020-01-01')`);
    await admin.destroy();
    await connector.inventory();
    const early = `${DB}.early`;
    const listed = column(await connector.pushdownProfile!({ name: early }), 'd');
    const summarised = column(await connector.pushdownProfile!({ name: early }, { distinctLimit: 1 }), 'd');
    // 0001-01-01 is 719,162 days before 1970-01-01 (proleptic Gregorian), not 1901-01-01.
    const days = [-719_162, -683_004, 18_262];
    expect(listed.numeric!.mean).toBeCloseTo(mean(days), 6);
    expect(summarised.numeric!.mean).toBeCloseTo(mean(days), 6);
    expect(listed.numeric!.quantiles.p50).toBe(days[1]);
  });
});

describe('SQLite zero dates', () => {
  it('counts them alike whether the push-down lists the column or summarises it in SQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-zero-dates-lite-'));
    const path = join(dir, 'events.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE events (id INTEGER PRIMARY KEY, d DATE, dt DATETIME)');
    const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?)');
    for (const row of ROWS) insert.run(row[0], row[1], row[2]);
    db.close();
    const connector = await createSqliteConnector({ kind: 'sqlite', path } as never, {
      name: 'lite',
      mode: 'audit',
    });
    try {
      await connector.inventory();
      for (const options of [{}, { distinctLimit: 1 }]) {
        const observation = await connector.pushdownProfile!({ name: 'events' }, options);
        const [d, dt] = ['d', 'dt'].map((name) =>
          buildColumnProfile(observation.columns.find((c) => c.name === name)!),
        );
        expect([d!.nullLike.zeroDate, d!.min, d!.max]).toEqual([ZEROS.d, ...REAL.d]);
        expect([dt!.nullLike.zeroDate, dt!.min, dt!.max]).toEqual([ZEROS.dt, ...REAL.dt]);
        expect(d!.numeric!.mean).toBeCloseTo(mean(REAL_DAYS), 9);
      }
    } finally {
      await connector.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a partly known birth date refused', () => {
  it('is masked in the rejects, their reason and the plan, hint included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-zero-dates-masked-'));
    try {
      const source = join(dir, 'people.sqlite');
      const db = new Database(source);
      db.exec(`CREATE TABLE people (id INTEGER PRIMARY KEY, date_naissance DATE);
        INSERT INTO people VALUES (1, '1980-00-15'), (2, '1975-03-02');`);
      db.close();
      const target = join(dir, 'newtool.sqlite');
      const out = new Database(target);
      out.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, date_naissance DATE)');
      out.close();
      const cfg = {
        sources: { legacy: { kind: 'sqlite', path: source } },
        targets: { newtool: { kind: 'sqlite', path: target } },
        mappings: [
          {
            name: 'people',
            from: { source: 'legacy', dataset: 'people' },
            to: { target: 'newtool', dataset: 'people', key: ['id'], mode: 'upsert' },
            fields: { id: {}, date_naissance: {} },
          },
        ],
      } as unknown as Config;
      const plan = await runPlan(cfg, { samples: 5 });
      const reject = plan.mappings[0]!.samples.find((s) => s.kind === 'reject')!;
      expect(reject.reason).toMatch(/zero month or day.*null_if of such values/);
      const { error } = await runMigrate(cfg, { rejectsDir: join(dir, 'out') });
      expect(error).toBeNull();
      const written = readFileSync(join(dir, 'out', 'rejects.jsonl'), 'utf8');
      expect(written).toContain('zero month or day');
      for (const shown of [
        JSON.stringify(plan),
        written,
        readFileSync(join(dir, 'out', 'rejects.csv'), 'utf8'),
      ])
        expect(shown).not.toContain('1980-00-15');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
