/**
 * Identity maps and references without a database: the config and preflight problems (each with its
 * path), the order of passes for self-references and cycles, the identity map's two directions, and
 * the SQL every backend sends in identity mode (SQL Server's only proof, as no server runs here).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { MappingConfig } from '../../src/config/schema.ts';
import { mssqlIdentityStatements, mssqlWriteColumn } from '../../src/connectors/mssql/mssql-writer.ts';
import { consecutiveStep, mysqlIdentityStatements } from '../../src/connectors/mysql/mysql-writer.ts';
import {
  type PostgresWriteColumn,
  postgresIdentityStatements,
} from '../../src/connectors/postgres/postgres-writer.ts';
import { sqliteIdentityStatements } from '../../src/connectors/sqlite/sqlite-writer.ts';
import type { Value } from '../../src/connectors/types.ts';
import { isStocktakeError } from '../../src/core/errors.ts';
import { IdentityMap, newKeyValue } from '../../src/mappers/identity-map.ts';
import { preflight } from '../../src/mappers/preflight.ts';
import { formatRejection } from '../../src/mappers/rejection-text.ts';
import { isPendingReference, pendingReferenceText } from '../../src/mappers/transforms/ref-transform.ts';
import { col, configWith, MemoryConnector, table } from './plan-fixtures.ts';

const source = new MemoryConnector('sqlite', 'crm', [
  table(
    'people',
    [col('id', 'integer'), col('name', 'string'), col('boss', 'integer'), col('team', 'string')],
    ['id'],
  ),
  table('teams', [col('code', 'string'), col('lead', 'integer')], ['code']),
  table('notes', [col('text', 'string')]),
]);
const target = new MemoryConnector('sqlite', 'newtool', [
  table(
    'people',
    [
      col('id', 'integer', { autoIncrement: true }),
      col('name', 'string', { nullable: false }),
      col('boss_id', 'integer'),
      col('team_id', 'integer', { nullable: false }),
    ],
    ['id'],
  ),
  table('teams', [col('id', 'integer', { autoIncrement: true }), col('lead_id', 'integer')], ['id']),
  table('plain', [col('id', 'integer'), col('text', 'string')], ['id']),
]);
const sides = {
  sources: new Map([['crm', source.side()]]),
  targets: new Map([['newtool', target.side()]]),
};
const ref = (mapping: string) => ({ ref: { mapping } });
const PEOPLE: MappingConfig = {
  name: 'people',
  from: { source: 'crm', dataset: 'people' },
  to: { target: 'newtool', dataset: 'people', mode: 'upsert', identity: {} },
  fields: {
    name: {},
    boss_id: { from: 'boss', transform: [ref('people')] },
    team_id: { from: 'team', transform: [ref('teams')] },
  },
};
const TEAMS: MappingConfig = {
  name: 'teams',
  from: { source: 'crm', dataset: 'teams' },
  to: { target: 'newtool', dataset: 'teams', mode: 'upsert', identity: {} },
  fields: { lead_id: { from: 'lead', transform: [ref('people')] } },
};

function problems(mappings: MappingConfig[]): { path: string; code: string; message: string }[] {
  try {
    preflight({ config: configWith(mappings), ...sides });
  } catch (error) {
    if (!isStocktakeError(error, 'CONFIG_INVALID')) throw error;
    return (error as unknown as { context: { issues: { path: string; code: string; message: string }[] } })
      .context.issues;
  }
  return [];
}

describe('identity and references in the config and preflight', () => {
  it('requires `to.key` or `to.identity`, never both', () => {
    const yaml = (to: string) => `sources: { crm: { kind: sqlite, path: crm.sqlite } }
targets: { newtool: { kind: sqlite, path: newtool.sqlite } }
mappings:
  - { name: m, from: { source: crm, dataset: people }, to: ${to}, fields: { name: {} } }
`;
    const message = (to: string) => {
      try {
        parseConfig(yaml(to), 'stocktake.yaml', {});
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(message('{ target: newtool, dataset: people }')).toContain('mappings[0].to.key: required');
    expect(message('{ target: newtool, dataset: people, key: [name], identity: {} }')).toContain(
      'mappings[0].to.key: not used with `identity`',
    );
    expect(message('{ target: newtool, dataset: people, identity: { sourceKey: [id] } }')).toBe('');
  });

  it('orders a cycle and a self-reference into two passes, the deferred fields in the second', () => {
    const prepared = preflight({
      config: configWith([
        PEOPLE,
        { ...TEAMS, fields: { lead_id: { from: 'lead', transform: [ref('people')] } } },
      ]),
      ...sides,
    });
    // people names teams (team_id, NOT NULL) and itself (boss_id); teams names people (lead_id). The
    // cycle is broken where the deferred column can hold NULL: teams' lead; people's boss (self) too.
    expect(prepared.map((p) => [p.config.name, Object.keys(p.config.fields), p.dependsOn])).toEqual([
      ['teams', [], []],
      ['people', ['name', 'team_id'], ['teams']],
      ['teams:refs', ['lead_id'], ['teams', 'people']],
      ['people:refs', ['boss_id'], ['people']],
    ]);
    expect(prepared.map((p) => p.pass)).toEqual(['rows', 'rows', 'references', 'references']);
  });

  it('orders a key-based cycle split across two mappings of one table by the foreign keys each writes', () => {
    const fk = (columns: string[], dataset: string) => ({
      columns,
      references: { dataset, columns: ['id'] },
    });
    const emp = [col('id', 'integer'), col('manager_id', 'integer'), col('dept_id', 'integer')];
    const dept = [col('id', 'integer'), col('head_id', 'integer')];
    const hr = new MemoryConnector('postgres', 'hr', [
      table('emp', emp, ['id']),
      table('dept', dept, ['id']),
    ]);
    const tool = new MemoryConnector('mysql', 'tool', [
      table('emp', emp, ['id'], { foreignKeys: [fk(['manager_id'], 'emp'), fk(['dept_id'], 'dept')] }),
      table('dept', dept, ['id'], { foreignKeys: [fk(['head_id'], 'emp')] }),
    ]);
    const keyed = (name: string, dataset: string, fields: string[]): MappingConfig => ({
      name,
      from: { source: 'hr', dataset },
      to: { target: 'tool', dataset, key: ['id'], mode: 'upsert' },
      fields: Object.fromEntries(fields.map((f) => [f, {}])),
    });
    // emp.dept_id → dept and dept.head_id → emp close a cycle; the first emp mapping does not write
    // dept_id, so only the second one waits for dept.
    const prepared = preflight({
      config: configWith([
        keyed('emp', 'emp', ['id', 'manager_id']),
        keyed('dept', 'dept', ['id', 'head_id']),
        keyed('emp-dept', 'emp', ['id', 'dept_id']),
      ]),
      sources: new Map([['hr', hr.side()]]),
      targets: new Map([['tool', tool.side()]]),
    });
    expect(prepared.map((p) => [p.config.name, p.dependsOn])).toEqual([
      ['emp', []],
      ['dept', ['emp']],
      ['emp-dept', ['emp', 'dept']],
    ]);
    const order = (mappings: MappingConfig[]) =>
      preflight({
        config: configWith(mappings),
        sources: new Map([['hr', hr.side()]]),
        targets: new Map([['tool', tool.side()]]),
      }).map((p) => [p.config.name, p.dependsOn]);
    // A second mapping of dept reading other rows may insert the depts emp references: waited for, so
    // the cycle through it is reported rather than rows rejected for a parent loaded later.
    const other = {
      ...keyed('dept-b', 'dept', ['id', 'head_id']),
      from: { source: 'hr', dataset: 'dept', where: 'id > 1' },
    };
    expect(() =>
      order([keyed('dept-a', 'dept', ['id']), other, keyed('emp', 'emp', ['id', 'dept_id'])]),
    ).toThrow(/MAP_ORDER_CYCLE/);
    // A mirror keeps every foreign key, written or not: its parents' refused deletes are retried after it.
    const mirror = {
      ...keyed('emp', 'emp', ['id']),
      to: { target: 'tool', dataset: 'emp', key: ['id'], mode: 'mirror' as const },
    };
    expect(order([keyed('dept', 'dept', ['id']), mirror])).toEqual([
      ['dept', []],
      ['emp', ['dept']],
    ]);
  });

  it('names every reference problem by its path', () => {
    const found = problems([
      {
        ...PEOPLE,
        fields: {
          name: {},
          boss_id: { from: 'boss', transform: [ref('bosses')] },
          team_id: { from: ['team', 'name'], transform: [ref('teams')] },
        },
      },
      TEAMS,
      {
        name: 'plain',
        from: { source: 'crm', dataset: 'people' },
        to: { target: 'newtool', dataset: 'plain', key: ['id'], mode: 'upsert' },
        fields: { id: {}, text: { from: 'boss', transform: [ref('plain')] } },
      },
    ]);
    expect(found.map((p) => [p.path, p.code])).toEqual([
      ['mappings[0].fields.boss_id', 'MAP_REFERENCE_INVALID'],
      ['mappings[0].fields.team_id.from', 'MAP_REFERENCE_INVALID'],
      ['mappings[2].fields.text', 'MAP_REFERENCE_INVALID'],
    ]);
    expect(found[0]!.message).toContain('ref names mapping "bosses", which is not among the mappings run');
    expect(found[1]!.message).toContain('gives 2 value(s), but the old key of teams has 1 (code)');
    expect(found[2]!.message).toContain('has no `to.identity`');
  });

  it('refuses a deferred reference into a NOT NULL column, and an identity without a generated key', () => {
    const found = problems([
      { ...PEOPLE, fields: { name: {}, team_id: { from: 'boss', transform: [ref('people')] } } },
      {
        name: 'notes',
        from: { source: 'crm', dataset: 'notes' },
        to: { target: 'newtool', dataset: 'plain', mode: 'upsert', identity: {} },
        fields: { text: {} },
      },
    ]);
    expect(found.map((p) => [p.path, p.code])).toEqual([
      ['mappings[1].to.identity.sourceKey', 'MAP_IDENTITY_INVALID'],
      ['mappings[1].to.identity', 'MAP_IDENTITY_INVALID'],
      ['mappings[0].fields.team_id', 'MAP_REFERENCE_INVALID'],
    ]);
    expect(found[1]!.message).toContain('plain.id is not generated by the database');
    expect(found[2]!.message).toContain('written in a second pass, after a first insert with NULL');
    expect(found[2]!.message).toContain('people.team_id is NOT NULL');
  });
});

describe('the ref step', () => {
  it('gives the new key, a pending placeholder, null, or a reject naming the mapping', () => {
    const prepared = preflight({
      config: configWith([
        { ...TEAMS, fields: {} },
        { ...PEOPLE, fields: { name: {}, team_id: { from: 'team', transform: [ref('teams')] } } },
      ]),
      ...sides,
    });
    const people = prepared.find((p) => p.config.name === 'people')!;
    const slot = people.compiled.references[0]!;
    expect([slot.field, slot.mapping, slot.onMissing]).toEqual(['team_id', 'teams', 'reject']);
    slot.resolver = {
      newKey: (old) => (old === 'SAL' ? 7 : undefined),
      pending: (old) => old === 'ENG',
    };
    const run = (team: string | null) => {
      const out: Value[] = [];
      const row = people.compiled.sourceColumns.map((c) =>
        c === 'team' ? team : c === 'name' ? 'Ann' : null,
      );
      const rejection = people.compiled.map(row, out);
      return rejection
        ? `${rejection.code} ${formatRejection(rejection)}`
        : out[people.compiled.targetFields.indexOf('team_id')];
    };
    expect(run('SAL')).toBe(7);
    // Pending: a marked placeholder the plan shows, and no column check (it is not an integer yet).
    const pending = run('ENG') as string;
    expect(isPendingReference(pending)).toBe(true);
    expect(pendingReferenceText(pending)).toBe('→ new teams row (old key ENG)');
    // A null old key stays null: here the NOT NULL column refuses it.
    expect(run(null)).toBe('REJECT_REQUIRED target: null is not allowed: people.team_id is NOT NULL');
    expect(run('OPS')).toBe(
      'REJECT_REFERENCE_MISSING ref: "OPS" has no new key in mapping teams: that row was rejected or is not in its source',
    );
    expect([slot.resolvedSeen, slot.pendingSeen]).toEqual([1, 1]);
  });
});

describe('the identity map', () => {
  it('looks keys up both ways and follows replaced and forgotten keys', () => {
    const map = new IdentityMap('people');
    map.set('1', '101');
    map.set('2', '102');
    map.set('1', '103'); // the row was inserted again after being deleted behind the tool's back
    expect([map.newKeyOf('1'), map.oldKeyOf('103'), map.oldKeyOf('101')]).toEqual(['103', '1', undefined]);
    map.forget('2');
    expect([map.size, map.oldKeyOf('102')]).toEqual([1, undefined]);
    expect(newKeyValue('42', 'integer')).toBe(42);
    expect(newKeyValue('9007199254740993', 'integer')).toBe(9007199254740993n);
    expect(newKeyValue('5f0c…', 'string')).toBe('5f0c…');
  });
});

describe('identity-mode SQL of every backend', () => {
  const columns = [col('na"me', 'string'), col('team_id', 'integer'), col('id', 'integer')];
  it('SQLite: INSERT … RETURNING the key, the identity table keyed by mapping and old key', () => {
    const sql = sqliteIdentityStatements('"people"', columns, [2]);
    expect(sql.insertReturning).toBe(
      'INSERT INTO "people" ("na""me", "team_id") VALUES (?, ?) RETURNING "id"',
    );
    expect(sql.create).toContain('PRIMARY KEY (mapping, old_key)');
    expect(sql.save).toContain('ON CONFLICT (mapping, old_key) DO UPDATE SET new_key = excluded.new_key');
  });

  it('PostgreSQL: keys drawn from the sequence for a whole range, else one INSERT … RETURNING per row', () => {
    const pg: PostgresWriteColumn[] = [
      { name: 'na"me', castType: 'text', encoding: 'plain', compareAsText: false },
      { name: 'team_id', castType: 'bigint', encoding: 'plain', compareAsText: false },
      { name: 'id', castType: 'bigint', encoding: 'plain', compareAsText: false },
    ];
    const sql = postgresIdentityStatements('"s"."people"', pg, [2], 'pg_temp.st', '"s"."stocktake_identity"');
    expect(sql.insertReturning).toBe(
      'INSERT INTO "s"."people" AS t ("na""me", "team_id") SELECT s.c0::text, s.c1::bigint FROM pg_temp.st s WHERE s.l = 1 AND s.o = $1 RETURNING t."id"::text AS new_key',
    );
    expect(sql.update).toContain('AND t."id" = s.c2::bigint');
    expect(sql.save).toContain('unnest($2::text[], $3::text[])');
    expect(sql.drawKeys).toBeNull();
    // With a sequence behind the key, a range is inserted by one statement with keys drawn from it.
    const keyed = postgresIdentityStatements(
      '"s"."people"',
      pg,
      [2],
      'pg_temp.st',
      '"s"."i"',
      "s.people_id_se'q",
    );
    expect(keyed.drawKeys).toBe(
      `SELECT s.o, nextval('s.people_id_se''q'::regclass)::text AS k FROM pg_temp.st s WHERE s.l = 1 AND s.o >= $1 AND s.o < $2`,
    );
    expect(
      keyed.insertKeyed,
    ).toBe(`INSERT INTO "s"."people" ("id", "na""me", "team_id") OVERRIDING SYSTEM VALUE
SELECT k.k::bigint, s.c0::text, s.c1::bigint FROM pg_temp.st s JOIN unnest($1::int4[], $2::text[]) AS k (o, k) ON k.o = s.o WHERE s.l = 1`);
  });

  it('MySQL/MariaDB: an INSERT per row (its insertId) or per range, a binary-collated identity table', () => {
    const sql = mysqlIdentityStatements('`db`.`people`', columns, [2], '`db`.`stocktake_identity`');
    expect(sql.insert).toBe('INSERT INTO `db`.`people` (`na"me`, `team_id`) VALUES (?, ?)');
    expect(sql.update).toBe('UPDATE `db`.`people` SET `na"me` = ?, `team_id` = ? WHERE `id` = ?');
    expect(sql.create).toContain('COLLATE = utf8mb4_bin');
    expect(sql.save(2)).toContain('VALUES (?, ?, ?), (?, ?, ?)');
    expect(sql.forget(3)).toContain('old_key IN (?, ?, ?)');
    expect(sql.insertMany(2)).toBe('INSERT INTO `db`.`people` (`na"me`, `team_id`) VALUES (?, ?), (?, ?)');
  });

  it('MySQL/MariaDB: multi-row inserts only where InnoDB reserves consecutive keys', () => {
    expect(consecutiveStep({ lock_mode: 1, step: 1, engine: 'InnoDB' })).toBe(1);
    expect(consecutiveStep({ lock_mode: '0', step: '3', engine: 'InnoDB' })).toBe(3);
    // Interleaved mode (MySQL 8's default) gives no such promise; nor does another engine.
    expect(consecutiveStep({ lock_mode: 2, step: 1, engine: 'InnoDB' })).toBeNull();
    expect(consecutiveStep({ lock_mode: 1, step: 1, engine: 'MyISAM' })).toBeNull();
    expect(consecutiveStep(undefined)).toBeNull();
  });

  it('SQL Server: OUTPUT INSERTED INTO a table variable returns the key of each staged row (triggers allowed)', () => {
    const ms = [
      col('na]me', 'string', { nativeType: 'nvarchar(40)' }),
      col('team_id', 'integer', { nativeType: 'bigint' }),
      col('id', 'integer', { nativeType: 'bigint', autoIncrement: true }),
    ].map(mssqlWriteColumn);
    const sql = mssqlIdentityStatements('[dbo].[people]', ms, [2], '#st', '[dbo].[stocktake_identity]');
    expect(sql.insertReturning).toBe(
      `DECLARE @k TABLE (new_key nvarchar(450) NOT NULL);
INSERT INTO [dbo].[people] ([na]]me], [team_id])
OUTPUT CAST(INSERTED.[id] AS nvarchar(450)) INTO @k (new_key)
SELECT ${ms[0]!.cast ? `CAST(s.c0 AS ${ms[0]!.cast})` : 's.c0'}, ${ms[1]!.cast ? `CAST(s.c1 AS ${ms[1]!.cast})` : 's.c1'} FROM #st AS s WHERE s.l = 1 AND s.o = @p0;
SELECT new_key FROM @k;`,
    );
    expect(sql.insertReturning).not.toContain('IDENTITY_INSERT');
    expect(sql.update).toMatch(
      /^UPDATE t SET t\.\[na\]\]me\] = [\s\S]*\sFROM \[dbo\]\.\[people\] AS t JOIN #st AS s ON s\.l = @p0/,
    );
    expect(sql.create).toContain('PRIMARY KEY (mapping, old_key)');
    expect(sql.save).toContain('IF @@ROWCOUNT = 0 INSERT INTO [dbo].[stocktake_identity]');
  });
});
