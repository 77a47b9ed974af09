/**
 * A MariaDB/MySQL view over a table dropped since cannot be read (ER_VIEW_INVALID): it is listed without
 * columns, `readable: false`, with a VIEW_BROKEN finding, and the profile and the audit go on without it
 * instead of failing (exit 3), as for an SQLite view.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('mysql');
const scratch = new ScratchMysql('stocktake_it_broken_view');
const DB = scratch.name;

describe.skipIf(!up)('a broken MySQL/MariaDB view', () => {
  beforeAll(() =>
    scratch.create(async (my) => {
      await my.raw(`CREATE TABLE ${DB}.kept (id int PRIMARY KEY, name varchar(20))`);
      await my.raw(`INSERT INTO ${DB}.kept VALUES (1, 'Ann'), (2, 'Bob')`);
      await my.raw(`CREATE TABLE ${DB}.gone (a int)`);
      await my.raw(`CREATE VIEW ${DB}.v_broken AS SELECT a FROM ${DB}.gone`);
      await my.raw(`CREATE VIEW ${DB}.v_fine AS SELECT id FROM ${DB}.kept`);
      await my.raw(`DROP TABLE ${DB}.gone`);
    }),
  );
  afterAll(() => scratch.drop());

  it('is listed as unreadable with a finding, and the profile goes on without it', async () => {
    const config = { sources: { maria: { kind: 'mariadb', url: scratch.url() } } } as unknown as Config;
    const inventory = await runInventory(config);
    const datasets = inventory.sources[0]!.datasets;
    const broken = datasets.find((d) => d.name === `${DB}.v_broken`)!;
    expect(broken).toMatchObject({ kind: 'view', columns: [], readable: false });
    expect(datasets.find((d) => d.name === `${DB}.v_fine`)!.readable).toBeUndefined();
    const findings = (inventory.sources[0]!.findings ?? []).filter((f) => f.code === 'VIEW_BROKEN');
    expect(findings).toEqual([expect.objectContaining({ severity: 'warning', dataset: `${DB}.v_broken` })]);
    const profile = await runProfile(config, inventory);
    expect(profile.findings.filter((f) => f.code === 'PROFILE_FAILED')).toEqual([]);
    expect(profile.datasets.map((d) => d.dataset).sort()).toEqual([`${DB}.kept`, `${DB}.v_fine`]);
  });
});
