/**
 * PostgreSQL column privileges: an audit user granted SELECT on some columns of a table only. The table is
 * profiled on the columns it may read; the others are named in a COLUMN_NOT_READABLE finding, with the keys and
 * foreign keys that could not be checked (over a hidden column, or referencing one, or a table it may not read).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Profile } from '../../src/core/profile.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const ROLE = 'stocktake_it_column_reader';
const scratch = new ScratchPostgres('stocktake_it_column_privileges', { [ROLE]: '' });

describe.skipIf(!up)('PostgreSQL column privileges', () => {
  let profile: Profile;

  beforeAll(async () => {
    await scratch.create();
    await scratch.run(`
      CREATE TABLE people (id int PRIMARY KEY, name text, salary numeric, ssn text UNIQUE);
      INSERT INTO people SELECT i, 'n' || (i % 7), i * 10, 'S' || i FROM generate_series(1, 40) i;
      CREATE TABLE secrets (code text PRIMARY KEY, note text);
      INSERT INTO secrets VALUES ('a', 'x'), ('b', 'y');
      CREATE TABLE orders (id int PRIMARY KEY, person_id int REFERENCES people (id),
        person_ssn text REFERENCES people (ssn), code text REFERENCES secrets (code), total numeric);
      INSERT INTO orders SELECT i, 1 + i % 40, 'S' || (1 + i % 40), 'a', i FROM generate_series(1, 30) i;
      GRANT SELECT (id, name) ON people TO ${ROLE};
      GRANT SELECT ON orders TO ${ROLE};`);
    const config = { sources: { pg: { kind: 'postgres', url: scratch.url(ROLE) } } } as unknown as Config;
    const inventory = await runInventory(config);
    profile = await runProfile(config, inventory);
  });

  afterAll(() => scratch.drop());

  const findingsOf = (dataset: string) =>
    profile.findings.filter((f) => f.code === 'COLUMN_NOT_READABLE' && f.dataset === dataset);

  it('profiles the columns the audit user may read, and names the others', () => {
    expect(profile.findings.filter((f) => f.code === 'PROFILE_FAILED')).toEqual([]);
    const people = profile.datasets.find((d) => d.dataset === 'public.people')!;
    expect(people.rowCount).toBe(40);
    expect(people.columns.map((c) => [c.name, c.count, c.distinct])).toEqual([
      ['id', 40, 40],
      ['name', 40, 7],
    ]);
    expect(people.keyDuplicates.map((k) => k.columns)).toEqual([['id']]);
    expect(findingsOf('public.people')).toEqual([
      {
        code: 'COLUMN_NOT_READABLE',
        severity: 'warning',
        source: 'pg',
        dataset: 'public.people',
        message:
          'the audit user has no SELECT privilege on 2 column(s) (salary, ssn): they are not profiled; the other columns are, and duplicate rows are compared on them only; not checked: key (ssn)',
        messageFr:
          'l’utilisateur de l’audit n’a pas le droit SELECT sur 2 colonne(s) (salary, ssn) : elles ne sont pas profilées ; les autres le sont, et les lignes en double ne sont comparées que sur elles ; non vérifié : clé (ssn)',
        evidence: { columns: ['salary', 'ssn'], keys: [['ssn']], foreignKeys: [] },
      },
    ]);
  });

  it('checks the foreign keys whose referenced columns it may read, and names the others', () => {
    const orders = profile.datasets.find((d) => d.dataset === 'public.orders')!;
    expect(orders.columns.map((c) => c.name)).toEqual(['id', 'person_id', 'person_ssn', 'code', 'total']);
    expect(orders.orphans.filter((o) => o.declared).map((o) => [o.columns, o.orphans])).toEqual([
      [['person_id'], 0],
    ]);
    const [finding] = findingsOf('public.orders');
    expect(finding?.message).toBe(
      'the audit user may not read columns that foreign keys reference; not checked: foreign key (code) → public.secrets (code), foreign key (person_ssn) → public.people (ssn)',
    );
    expect(finding?.evidence).toEqual({
      columns: [],
      keys: [],
      foreignKeys: [
        { columns: ['code'], references: { dataset: 'public.secrets', columns: ['code'] } },
        { columns: ['person_ssn'], references: { dataset: 'public.people', columns: ['ssn'] } },
      ],
    });
  });
});
