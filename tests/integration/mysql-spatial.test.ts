/**
 * MySQL/MariaDB spatial columns (POINT, GEOMETRY, POLYGON, …) are read and profiled as their WKT text
 * (`POINT(1 1)`) on every path: the push-down listing them, the push-down summarising them in SQL, and the streamed
 * read, below and past the distinct limit. Their storage bytes are never compared as text, where invalid UTF-8
 * would turn into `?` and merge different geometries (`POINT(1 1)` and `POINT(1.5 1.5)`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMysqlConnector } from '../../src/connectors/mysql/mysql-connector.ts';
import type { Connector } from '../../src/connectors/types.ts';
import type { ColumnProfile } from '../../src/core/profile.ts';
import { buildColumnProfile } from '../../src/profilers/column-profile.ts';
import { profileRows } from '../../src/profilers/dataset-accumulator.ts';
import type { DatasetObservation } from '../../src/profilers/observation.ts';
import { ScratchMysql } from '../helpers/scratch-mysql.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('mysql');
const scratch = new ScratchMysql('stocktake_it_spatial');
const DB = scratch.name;

const SQUARE = 'POLYGON((0 0,1 0,1 1,0 1,0 0))';
// id, POINT, GEOMETRY, POLYGON as WKT. 1.0 and 1.5 differ only in a byte that is invalid UTF-8.
const ROWS: [number, string | null, string | null, string | null][] = [
  [1, 'POINT(1 1)', 'LINESTRING(0 0,1 1)', SQUARE],
  [2, 'POINT(1.5 1.5)', 'POINT(-1 2.5)', null],
  [3, 'POINT(1 1)', null, SQUARE],
  [4, null, 'MULTIPOINT(1 1,2 2)', 'POLYGON((0 0,2 0,2 2,0 0))'],
  [5, 'POINT(1 1)', 'GEOMETRYCOLLECTION(POINT(1 2))', null],
  [6, 'POINT(1.5 1.5)', 'POINT(-1 2.5)', SQUARE],
];
const SPATIAL = ['p', 'g', 'poly'] as const;

describe.skipIf(!up)('MariaDB spatial columns', () => {
  let connector: Connector;
  const places = `${DB}.places`;
  const visits = `${DB}.visits`;

  beforeAll(async () => {
    await scratch.create(async (admin) => {
      await admin.raw(`CREATE TABLE ${places} (id INT PRIMARY KEY, p POINT, g GEOMETRY, poly POLYGON)`);
      const geometry = (wkt: string | null) => (wkt === null ? 'NULL' : `ST_GeomFromText('${wkt}')`);
      await admin.raw(
        `INSERT INTO ${places} VALUES ${ROWS.map(([id, ...shapes]) => `(${id}, ${shapes.map(geometry).join(', ')})`).join(', ')}`,
      );
      // No key: the copies of a whole row are counted by comparing the geometries.
      await admin.raw(`CREATE TABLE ${visits} (at POINT)`);
      await admin.raw(
        `INSERT INTO ${visits} VALUES (POINT(1, 1)), (POINT(1.5, 1.5)), (POINT(1, 1)), (POINT(2, 2))`,
      );
    });
    connector = await createMysqlConnector({ kind: 'mysql', url: scratch.url() } as never, {
      name: 'maria',
      mode: 'audit',
    });
    await connector.inventory();
  });

  afterAll(async () => {
    await connector?.close();
    await scratch.drop();
  });

  const pushdown = (name: string, distinctLimit?: number) =>
    connector.pushdownProfile!({ name }, distinctLimit === undefined ? {} : { distinctLimit });
  const streamed = async (name: string, distinctLimit?: number) =>
    profileRows(
      (await connector.shape({ name })).columns,
      connector.read({ name }),
      distinctLimit === undefined ? {} : { distinctLimit },
    );
  const column = (observation: DatasetObservation, name: string): ColumnProfile =>
    buildColumnProfile(observation.columns.find((c) => c.name === name)!, { showSamples: true });
  // Past the distinct limit the streamed read counts distinct values with a sketch, the push-down exactly.
  const values = (observation: DatasetObservation, name: string) => {
    const { distinctExact: _exact, distinctError: _error, ...rest } = column(observation, name);
    return rest;
  };

  it('reads spatial values as WKT', async () => {
    const rows: unknown[][] = [];
    for await (const batch of connector.read({ name: places })) rows.push(...batch);
    expect(rows).toEqual(ROWS);
  });

  it('lists every geometry as its WKT, each distinct geometry apart', async () => {
    for (const [path, observation] of [
      ['push-down', await pushdown(places)],
      ['streamed', await streamed(places)],
    ] as const) {
      const p = column(observation, 'p');
      expect([p.nulls, p.distinct, p.min, p.max], path).toEqual([1, 2, 'POINT(1 1)', 'POINT(1.5 1.5)']);
      expect(p.topValues, path).toEqual([
        { value: 'POINT(1 1)', count: 3 },
        { value: 'POINT(1.5 1.5)', count: 2 },
      ]);
      expect(column(observation, 'poly').topValues[0], path).toEqual({ value: SQUARE, count: 3 });
    }
  });

  it('profiles a spatial column alike on the push-down and the streamed read', async () => {
    const listed = await pushdown(places);
    const read = await streamed(places);
    const summarised = await pushdown(places, 1);
    const readPastLimit = await streamed(places, 1);
    for (const name of SPATIAL) {
      expect(column(listed, name), name).toEqual(column(read, name));
      expect(values(summarised, name), name).toEqual(values(readPastLimit, name));
      // Summarised in SQL: the exact distinct count, bounds and lengths of the WKT.
      expect(column(summarised, name).distinct, name).toBe(column(listed, name).distinct);
      expect(column(summarised, name).length, name).toEqual(column(listed, name).length);
    }
  });

  it('counts copies of rows and keys by geometry', async () => {
    for (const distinctLimit of [undefined, 1]) {
      const down = await pushdown(visits, distinctLimit);
      const read = await streamed(visits, distinctLimit);
      expect([down.duplicateRows, read.duplicateRows]).toEqual([1, 1]);
      expect(column(down, 'at').distinct).toBe(3);
      expect(values(down, 'at')).toEqual(values(read, 'at'));
    }
    const down = await pushdown(places);
    const read = await streamed(places);
    expect(down.candidateKeys).toEqual(read.candidateKeys);
  });
});
