/**
 * PostgreSQL table inheritance outside partitioning: a query of the parent reads its children's rows, so
 * the parent's count holds them. The child names its parent (`inheritsFrom`) and the source's total counts
 * each row once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { rowTotal } from '../../src/core/inventory.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const scratch = new ScratchPostgres('stocktake_it_inheritance');

describe.skipIf(!up)('PostgreSQL table inheritance', () => {
  beforeAll(async () => {
    await scratch.create();
    await scratch.run(`CREATE SCHEMA "zoo keeper";
      CREATE TABLE "zoo keeper".animal (id int PRIMARY KEY, name text);
      CREATE TABLE "zoo keeper".dog (breed text) INHERITS ("zoo keeper".animal);
      INSERT INTO "zoo keeper".animal VALUES (1, 'cat');
      INSERT INTO "zoo keeper".dog VALUES (2, 'rex', 'lab'), (3, 'fido', 'pug');
      CREATE TABLE "zoo keeper".other (id int);
      INSERT INTO "zoo keeper".other VALUES (1), (2);`);
  });
  afterAll(() => scratch.drop());

  it('names the parent of a child table and counts the child rows once in the total', async () => {
    const config = { sources: { pg: { kind: 'postgres', url: scratch.url() } } } as unknown as Config;
    const inventory = await runInventory(config);
    const datasets = inventory.sources[0]!.datasets;
    const by = Object.fromEntries(datasets.map((d) => [d.name, d]));
    expect(by['zoo keeper.animal']).toMatchObject({ rowCount: 3 });
    expect(by['zoo keeper.animal']!.inheritsFrom).toBeUndefined();
    expect(by['zoo keeper.dog']).toMatchObject({ rowCount: 2, inheritsFrom: 'zoo keeper.animal' });
    expect(rowTotal(datasets)).toEqual({ rows: 5, exact: true });
  });
});
