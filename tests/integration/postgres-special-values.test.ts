/**
 * PostgreSQL values no other database holds: `infinity` dates and timestamps, BC dates, years past
 * 9999, and NaN/±Infinity floats. The push-down profiles such a table (it used to fail on subtracting an
 * infinite date), shows those values whole and by name, counts them as not fitting the column's type,
 * and audit.xlsx holds them as text (a spreadsheet has no NaN or infinity).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Profile } from '../../src/core/profile.ts';
import { writeAuditXlsx } from '../../src/report/audit-xlsx.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const DB = 'stocktake_it_special_values';
const url = () => {
  const u = new URL(SERVERS.postgres);
  u.pathname = `/${DB}`;
  return u.toString();
};

describe.skipIf(!up)('PostgreSQL special values', () => {
  let admin: Knex;
  let profile: Profile;
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-special-'));

  beforeAll(async () => {
    admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await admin.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${DB}`);
    const db = knexFactory({ client: 'pg', connection: url(), pool: { min: 0, max: 1 } });
    await db.raw(`
      CREATE TABLE contracts (id int PRIMARY KEY, valid_to date, seen timestamp, ratio float8, amount numeric);
      INSERT INTO contracts VALUES
        (1, 'infinity', 'infinity', 'NaN', 'NaN'),
        (2, '2024-01-02', '2024-01-02 10:00', 'Infinity', 'Infinity'),
        (3, '-infinity', '-infinity', '-Infinity', '-Infinity'),
        (4, '2025-05-05', '2025-05-05 00:00', 1.5, 1.5),
        (5, '12345-06-07', '0044-03-15 00:00 BC', 2, 2),
        (6, '2026-01-01', '2026-01-01 00:00', 2.5, 2.5);
      CREATE TYPE mood AS ENUM ('calme', 'vif');
      -- Past the distinct limit, so that the columns are summarised in SQL rather than listed.
      CREATE TABLE typed (id bigint PRIMARY KEY, u uuid, ip inet, iv interval, o oid, m money, e mood);
      INSERT INTO typed SELECT i, md5(i::text)::uuid, ('10.' || (i / 65536) || '.' || (i / 256) % 256 || '.' || i % 256)::inet,
        (i || ' seconds')::interval, i::oid, i::money, CASE WHEN i % 2 = 0 THEN 'calme'::mood ELSE 'vif'::mood END
      FROM generate_series(1, 100500) AS g(i);`);
    await db.destroy();
    const config = { sources: { pg: { kind: 'postgres', url: url() } } } as unknown as Config;
    const inventory = await runInventory(config);
    profile = await runProfile(config, inventory);
    await writeAuditXlsx(inventory, profile, join(dir, 'audit.xlsx'));
  });

  afterAll(async () => {
    await admin?.raw(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('profiles uuid, inet, interval, oid, money and enum columns summarised in SQL', () => {
    const typed = profile.datasets.find((d) => d.dataset === 'public.typed')!;
    expect(typed.columns.map((c) => [c.name, c.distinct])).toEqual([
      ['id', 100500],
      ['u', 100500],
      ['ip', 100500],
      ['iv', 100500],
      ['o', 100500],
      ['m', 100500],
      ['e', 2],
    ]);
    expect(typed.columns.find((c) => c.name === 'o')!.numeric!.mean).toBe(50250.5);
  });

  it('profiles the table, each special value shown whole and counted as not fitting the type', () => {
    expect(profile.findings.filter((f) => f.code === 'PROFILE_FAILED')).toEqual([]);
    const contracts = profile.datasets.find((d) => d.dataset === 'public.contracts')!;
    const columns = Object.fromEntries(contracts.columns.map((c) => [c.name, c]));
    const values = (name: string) => columns[name]!.topValues.map((t) => t.value).sort();
    expect(values('valid_to')).toEqual([
      '-infinity',
      '12345-06-07',
      '2024-01-02',
      '2025-05-05',
      '2026-01-01',
      'infinity',
    ]);
    expect(values('seen')).toContain('0044-03-15T00:00:00 BC');
    expect(values('ratio')).toEqual(['-Infinity', 1.5, 2, 2.5, 'Infinity', 'NaN']);
    for (const name of ['valid_to', 'seen', 'ratio', 'amount']) {
      expect(columns[name]!.inferredType, name).toBe(columns[name]!.type);
      expect(columns[name]!.conformance, name).toBeCloseTo(0.5, 9);
    }
    expect(columns.ratio!.min).toBe(1.5);
    expect(columns.ratio!.max).toBe(2.5);
    expect(columns.ratio!.numeric!.mean).toBeCloseTo(2, 9);
    // A numeric's NaN and infinities (PostgreSQL 14 and later) are no bound and no number either.
    expect(values('amount')).toEqual(['-Infinity', '1.5', '2', '2.5', 'Infinity', 'NaN']);
    expect([columns.amount!.min, columns.amount!.max]).toEqual(['1.5', '2.5']);
    expect(columns.amount!.numeric).toEqual(columns.ratio!.numeric);
    expect(columns.amount!.numeric!.quantiles).toMatchObject({ p25: 1.75, p50: 2 });
    const nonconformant = profile.findings
      .filter((f) => f.code === 'TYPE_NONCONFORMANT')
      .map((f) => f.column);
    expect(nonconformant.sort()).toEqual(['amount', 'ratio', 'seen', 'valid_to']);
  });

  it('writes no NaN or infinite number into audit.xlsx', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(join(dir, 'audit.xlsx'));
    const numbers: number[] = [];
    workbook.eachSheet((sheet) =>
      sheet.eachRow((row) =>
        row.eachCell((cell) => {
          if (typeof cell.value === 'number') numbers.push(cell.value);
        }),
      ),
    );
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers.filter((n) => !Number.isFinite(n))).toEqual([]);
  });
});
