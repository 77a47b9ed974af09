/**
 * PostgreSQL values pg would turn into JavaScript values arrive as the server writes them: json and jsonb
 * documents exactly (a number past 2^53, `1.10`, the JSON document `null`, a JSON string), interval and
 * the geometric types as their text, not `{ days: 1, hours: 2 }` or `{ x, y }`. Into MariaDB json and
 * SQLite, verified, and a re-run changes nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { migrateTwice } from '../helpers/migrate-twice.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');
const myUp = await serverAvailable('mysql');
const pg = new ScratchPostgres('stocktake_pg_text_types');
const my = new ScratchMysql('stocktake_pg_text_types');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-pg-text-types-'));
  if (!pgUp) return;
  await pg.create();
  await pg.run(`CREATE TABLE t (id integer PRIMARY KEY, doc jsonb, raw json, span interval, spot point,
      days date[], stamps timestamptz[], amounts numeric[], ratios float8[], docs jsonb[]);
    INSERT INTO t VALUES
      (1, '{"n": 12345678901234567890, "f": 1.10}', '{"b": 1, "a": 2}', '1 day 02:03:04', '(1.5,2.25)',
       '{2024-01-01,0044-03-15 BC,infinity,NULL}', '{"2024-01-01 12:34:56.123456+00"}',
       '{1.10,12345678901234567890.123456789,NULL,NaN}', '{0.1,1e300,NaN,-Infinity}',
       ARRAY['{"n": 12345678901234567891, "p": 2.50}'::jsonb, '[1, 2]'::jsonb, NULL]),
      (2, 'null', '"just a string"', '-00:00:01', '(0,0)', NULL, NULL, NULL, NULL, NULL),
      (3, NULL, '[1e400]', '1 year 2 mons', NULL, NULL, NULL, NULL, NULL, NULL)`);
  if (myUp)
    await my.create((admin) =>
      admin.raw(
        `CREATE TABLE ${my.name}.t (id int PRIMARY KEY, doc json, raw json, span varchar(100), spot varchar(100),
          days json, stamps json, amounts json, ratios json, docs json)`,
      ),
    );
});
afterAll(async () => {
  if (pgUp) await pg.drop();
  if (myUp) await my.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The arrays' elements as the server writes them, timestamps as ISO with their microseconds. */
const DAYS = '["2024-01-01","0044-03-15 BC","infinity",null]';
const STAMPS = '["2024-01-01T12:34:56.123456Z"]';
/** numeric[] elements exact, as numbers (NaN, no JSON number, as text); float8[] elements as numbers, NaN and infinities as text. */
const AMOUNTS = '[1.10,12345678901234567890.123456789,null,"NaN"]';
const RATIOS = '[0.1,1e+300,"NaN","-Infinity"]';
/** jsonb[] as the array of its documents, exactly as the server wrote each (an SQL NULL element as null). */
const DOCS = '[{"n": 12345678901234567891, "p": 2.50},[1, 2],null]';

/** Both targets hold what the server wrote. */
const EXPECTED = [
  {
    id: 1,
    doc: '{"f": 1.10, "n": 12345678901234567890}',
    raw: '{"b": 1, "a": 2}',
    span: '1 day 02:03:04',
    spot: '(1.5,2.25)',
    days: DAYS,
    stamps: STAMPS,
    amounts: AMOUNTS,
    ratios: RATIOS,
    docs: DOCS,
  },
  {
    id: 2,
    doc: 'null',
    raw: '"just a string"',
    span: '-00:00:01',
    spot: '(0,0)',
    days: null,
    stamps: null,
    amounts: null,
    ratios: null,
    docs: null,
  },
  {
    id: 3,
    doc: null,
    raw: '[1e400]',
    span: '1 year 2 mons',
    spot: null,
    days: null,
    stamps: null,
    amounts: null,
    ratios: null,
    docs: null,
  },
];

function config(target: Record<string, unknown>): Config {
  return {
    sources: { legacy: { kind: 'postgres', url: pg.url() } },
    targets: { app: target },
    mappings: [
      {
        name: 't',
        from: { source: 'legacy', dataset: 'public.t' },
        to: { target: 'app', dataset: 't', key: ['id'], mode: 'upsert' },
        fields: {
          id: {},
          doc: {},
          raw: {},
          span: {},
          spot: {},
          days: {},
          stamps: {},
          amounts: {},
          ratios: {},
          docs: {},
        },
      },
    ],
  } as unknown as Config;
}

describe.skipIf(!pgUp || !myUp)('PostgreSQL into MariaDB', () => {
  it('writes the documents and texts the server wrote', async () => {
    await migrateTwice(config({ kind: 'mariadb', url: my.url() }), join(dir, 'mariadb'), { inserted: 3 });
    const db = knexFactory({ client: 'mysql2', connection: my.url(), pool: { min: 0, max: 1 } });
    try {
      const [rows] = await db.raw(
        'SELECT id, CAST(doc AS CHAR) AS doc, CAST(raw AS CHAR) AS raw, span, spot, CAST(days AS CHAR) AS days, CAST(stamps AS CHAR) AS stamps, CAST(amounts AS CHAR) AS amounts, CAST(ratios AS CHAR) AS ratios, CAST(docs AS CHAR) AS docs FROM t ORDER BY id',
      );
      expect(rows.map((r: Record<string, unknown>) => ({ ...r }))).toEqual(EXPECTED);
    } finally {
      await db.destroy();
    }
  });
});

describe.skipIf(!pgUp)('PostgreSQL into SQLite', () => {
  it('writes the documents and texts the server wrote', async () => {
    const path = join(dir, 'app.sqlite');
    const setup = new Database(path);
    setup.exec(
      'CREATE TABLE t (id INTEGER PRIMARY KEY, doc JSON, raw JSON, span TEXT, spot TEXT, days JSON, stamps JSON, amounts JSON, ratios JSON, docs JSON)',
    );
    setup.close();
    await migrateTwice(config({ kind: 'sqlite', path }), join(dir, 'sqlite'), { inserted: 3 });
    const db = new Database(path, { readonly: true });
    try {
      expect(
        db
          .prepare('SELECT id, doc, raw, span, spot, days, stamps, amounts, ratios, docs FROM t ORDER BY id')
          .all(),
      ).toEqual(EXPECTED);
    } finally {
      db.close();
    }
  });
});

describe.skipIf(!pgUp)('PostgreSQL numeric[] into PostgreSQL', () => {
  it('writes the numbers exactly into a numeric array of another scale and into jsonb, and a re-run changes nothing', async () => {
    await pg.run(
      `CREATE TABLE back (id integer PRIMARY KEY, amounts numeric(40,10)[], as_json jsonb, docs jsonb[])`,
    );
    const cfg = {
      sources: { legacy: { kind: 'postgres', url: pg.url() } },
      targets: { app: { kind: 'postgres', url: pg.url() } },
      mappings: [
        {
          name: 'back',
          from: { source: 'legacy', dataset: 'public.t' },
          to: { target: 'app', dataset: 'public.back', key: ['id'], mode: 'upsert' },
          fields: { id: {}, amounts: {}, as_json: { from: 'amounts' }, docs: {} },
        },
      ],
    } as unknown as Config;
    await migrateTwice(cfg, join(dir, 'postgres'), { inserted: 3 });
    const db = knexFactory({ client: 'pg', connection: pg.url(), pool: { min: 0, max: 1 } });
    try {
      const { rows } = await db.raw(
        'SELECT id, amounts::text AS amounts, as_json::text AS as_json, docs::text AS docs FROM back ORDER BY id',
      );
      expect(rows).toEqual([
        {
          id: 1,
          amounts: '{1.1000000000,12345678901234567890.1234567890,NULL,NaN}',
          as_json: '[1.10, 12345678901234567890.123456789, null, "NaN"]',
          docs: '{"{\\"n\\": 12345678901234567891, \\"p\\": 2.50}","[1, 2]",NULL}',
        },
        { id: 2, amounts: null, as_json: null, docs: null },
        { id: 3, amounts: null, as_json: null, docs: null },
      ]);
    } finally {
      await db.destroy();
    }
  });
});

describe.skipIf(!pgUp)('PostgreSQL arrays the driver does not parse, into SQLite', () => {
  it('writes enum, range and bytea arrays as JSON arrays of their elements, and a re-run changes nothing', async () => {
    await pg.run(`CREATE TYPE mood AS ENUM ('sad', 'Ünïcode é');
      CREATE TABLE arrays (id integer PRIMARY KEY, moods mood[], spans int4range[], blobs bytea[]);
      INSERT INTO arrays VALUES (1, '{sad,"Ünïcode é"}', '{"[1,3)",empty}', ARRAY['\\x00ff'::bytea, NULL]),
        (2, '{}', '{}', '{}'), (3, NULL, NULL, NULL)`);
    const path = join(dir, 'arrays.sqlite');
    const setup = new Database(path);
    setup.exec('CREATE TABLE arrays (id INTEGER PRIMARY KEY, moods JSON, spans JSON, blobs JSON)');
    setup.close();
    const cfg = {
      sources: { legacy: { kind: 'postgres', url: pg.url() } },
      targets: { app: { kind: 'sqlite', path } },
      mappings: [
        {
          name: 'arrays',
          from: { source: 'legacy', dataset: 'public.arrays' },
          to: { target: 'app', dataset: 'arrays', key: ['id'], mode: 'upsert' },
          fields: { id: {}, moods: {}, spans: {}, blobs: {} },
        },
      ],
    } as unknown as Config;
    await migrateTwice(cfg, join(dir, 'arrays'), { inserted: 3 });
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT id, moods, spans, blobs FROM arrays ORDER BY id').all()).toEqual([
        { id: 1, moods: '["sad","Ünïcode é"]', spans: '["[1,3)","empty"]', blobs: '["\\\\x00ff",null]' },
        { id: 2, moods: '[]', spans: '[]', blobs: '[]' },
        { id: 3, moods: null, spans: null, blobs: null },
      ]);
    } finally {
      db.close();
    }
  });
});

describe.skipIf(!pgUp)('PostgreSQL character(n) into a text column', () => {
  it('writes the value without its padding, as PostgreSQL casts it to text', async () => {
    await pg.run(`CREATE TABLE codes (id integer PRIMARY KEY, code character(5), tags character(3)[]);
      INSERT INTO codes VALUES (1, 'ab', '{x,yz}'), (2, ' c', NULL), (3, '', NULL)`);
    const path = join(dir, 'codes.sqlite');
    const setup = new Database(path);
    setup.exec('CREATE TABLE codes (id INTEGER PRIMARY KEY, code TEXT, tags JSON)');
    setup.close();
    const cfg = {
      sources: { legacy: { kind: 'postgres', url: pg.url() } },
      targets: { app: { kind: 'sqlite', path } },
      mappings: [
        {
          name: 'codes',
          from: { source: 'legacy', dataset: 'public.codes' },
          to: { target: 'app', dataset: 'codes', key: ['id'], mode: 'upsert' },
          fields: { id: {}, code: {}, tags: {} },
        },
      ],
    } as unknown as Config;
    await migrateTwice(cfg, join(dir, 'codes'), { inserted: 3 });
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT id, code, tags FROM codes ORDER BY id').all()).toEqual([
        { id: 1, code: 'ab', tags: '["x","yz"]' },
        { id: 2, code: ' c', tags: null },
        { id: 3, code: '', tags: null },
      ]);
    } finally {
      db.close();
    }
  });
});
