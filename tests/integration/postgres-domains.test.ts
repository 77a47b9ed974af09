/**
 * Columns of PostgreSQL domains: the inventory gives the type under the domain (through a domain over a
 * domain) with its length, precision and enum labels, and names the domain; a plan checks values against
 * that type, so a text too long for a domain over varchar(5), an integer past a domain over integer and a
 * number past a domain over numeric(8,2) are rejects before anything is written, and a key column of a
 * domain over citext matches case-insensitively.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');

describe.skipIf(!up)('PostgreSQL domains', () => {
  const scratch = new ScratchPostgres('stocktake_it_domains');
  const url = () => scratch.url();
  const dir = mkdtempSync(join(tmpdir(), 'stocktake-domains-'));

  beforeAll(async () => {
    await scratch.create();
    await scratch.run(`
      CREATE EXTENSION citext;
      CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
      CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
      CREATE DOMAIN small_pos AS posint;
      CREATE DOMAIN code5 AS varchar(5);
      CREATE DOMAIN money2 AS numeric(8, 2);
      CREATE DOMAIN email AS citext;
      CREATE DOMAIN feeling AS mood;
      CREATE DOMAIN tags AS text[];
      CREATE TABLE accounts (id small_pos NOT NULL, code code5, amount money2, mail email PRIMARY KEY,
        f feeling, tg tags);
      INSERT INTO accounts VALUES (1, 'ab', 12.5, 'A@x.fr', 'ok', '{a,b}'), (2, 'abcde', 999999.99, 'b@x.fr', 'sad', '{}');
      CREATE TABLE notes (id int PRIMARY KEY, name citext, span interval);
      INSERT INTO notes VALUES (1, 'ALICE', '1 day');`);
  });

  afterAll(async () => {
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the type under each domain, with its length, precision and labels, and the domain', async () => {
    const config = { sources: { pg: { kind: 'postgres', url: url() } } } as unknown as Config;
    const inventory = await runInventory(config);
    const columns = inventory.sources[0]!.datasets[0]!.columns;
    expect(
      columns.map((c) => [c.name, c.type, c.nativeType, c.domain, c.length, c.precision, c.scale]),
    ).toEqual([
      ['id', 'integer', 'integer', 'small_pos', undefined, undefined, undefined],
      ['code', 'string', 'character varying(5)', 'code5', 5, undefined, undefined],
      ['amount', 'decimal', 'numeric(8,2)', 'money2', undefined, 8, 2],
      ['mail', 'string', 'citext', 'email', undefined, undefined, undefined],
      ['f', 'string', 'mood', 'feeling', undefined, undefined, undefined],
      ['tg', 'json', 'text[]', 'tags', undefined, undefined, undefined],
    ]);
    expect(columns.find((c) => c.name === 'f')!.enumValues).toEqual(['sad', 'ok', 'happy']);
    const profile = await runProfile(config, inventory);
    const mail = profile.datasets[0]!.columns.find((c) => c.name === 'mail')!;
    expect([mail.count, mail.distinct, mail.nulls]).toEqual([2, 2, 0]);
  });

  it('writes an update citext or interval equality would call no change (ALICE → alice, 1 day → 24:00:00)', async () => {
    writeFileSync(join(dir, 'notes.csv'), 'id;name;span\n1;alice;24:00:00\n');
    const config = {
      sources: { files: { kind: 'csv', path: dir } },
      targets: { pg: { kind: 'postgres', url: url() } },
      mappings: [
        {
          name: 'notes',
          from: { source: 'files', dataset: 'notes' },
          to: { target: 'pg', dataset: 'notes', key: ['id'], mode: 'upsert' },
          fields: { id: {}, name: {}, span: {} },
        },
      ],
    } as unknown as Config;
    const { run } = await runMigrate(config, { rejectsDir: join(dir, 'notes-out') });
    expect(run.mappings[0]).toMatchObject({ updated: 1, reconciliation: { ok: true } });
    expect((await runPlan(config, {})).mappings[0]).toMatchObject({ updates: 0, unchanged: 1 });
  });

  it('plans values against the type under the domain, and matches a citext-domain key case-insensitively', async () => {
    writeFileSync(
      join(dir, 'incoming.csv'),
      [
        'id;code;amount;mail;f',
        '1;ab;12,5;a@X.fr;ok',
        '3;abcdefgh;1,5;c@x.fr;ok',
        '3000000000;ab;1;d@x.fr;ok',
        '5;ab;12345678,5;e@x.fr;ok',
        '6;ab;1;B@X.FR;happy',
        '7;ab;1;f@x.fr;fine',
      ].join('\n'),
    );
    const config = {
      sources: { files: { kind: 'csv', path: dir } },
      targets: { pg: { kind: 'postgres', url: url() } },
      mappings: [
        {
          name: 'm',
          from: { source: 'files', dataset: 'incoming' },
          to: { target: 'pg', dataset: 'accounts', key: ['mail'], mode: 'upsert' },
          fields: { id: {}, code: {}, amount: {}, mail: {}, f: {} },
        },
      ],
    } as unknown as Config;
    const plan = await runPlan(config, { samples: 10 });
    const m = plan.mappings[0]!;
    expect(m).toMatchObject({ inserts: 0, updates: 1, unchanged: 1, rejects: 4 });
    expect(m.rejectsByCode).toEqual({ REJECT_TOO_LONG: 1, REJECT_OUT_OF_RANGE: 2, REJECT_NOT_ALLOWED: 1 });
    const rejected = m.samples.filter((s) => s.kind === 'reject').map((s) => `${s.code} ${s.field}`);
    expect(rejected.sort()).toEqual([
      'REJECT_NOT_ALLOWED f',
      'REJECT_OUT_OF_RANGE amount',
      'REJECT_OUT_OF_RANGE id',
      'REJECT_TOO_LONG code',
    ]);
  });
});
