/**
 * A PostgreSQL partitioned table holds no rows of its own: its rows are its leaf partitions'. Its count is
 * the sum of theirs, exact when they are all counted exactly (each under `rowCounts.exactBelow`); when they
 * are out of the scope it is counted itself, under `exactBelow` by the sum of their estimates. Totals count
 * each row once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { type Inventory, rowTotal } from '../../src/core/inventory.ts';
import { summariseInventory } from '../../src/report/inventory-console.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const scratch = new ScratchPostgres('stocktake_it_partitions');

// 300 rows in 2023, 200 in the first half of 2024 and 100 in the second: 600 in all, 300 in 2024.
const SCHEMA = `
CREATE SCHEMA p;
CREATE TABLE p.measure (id int NOT NULL, at date NOT NULL, v float8) PARTITION BY RANGE (at);
CREATE TABLE p.measure_2023 PARTITION OF p.measure FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE p.measure_2024 PARTITION OF p.measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')
  PARTITION BY RANGE (at);
CREATE TABLE p.measure_2024h1 PARTITION OF p.measure_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE p.measure_2024h2 PARTITION OF p.measure_2024 FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
INSERT INTO p.measure SELECT g, DATE '2023-01-01' + (g % 365), g FROM generate_series(1, 300) g;
INSERT INTO p.measure SELECT g, DATE '2024-01-01' + (g % 180), g FROM generate_series(1, 200) g;
INSERT INTO p.measure SELECT g, DATE '2024-07-01' + (g % 180), g FROM generate_series(1, 100) g;
CREATE TABLE p.nothing (id int NOT NULL) PARTITION BY LIST (id);
CREATE TABLE p.plain (id int); INSERT INTO p.plain SELECT generate_series(1, 50);
ANALYZE;
`;

describe.skipIf(!up)('PostgreSQL partitioned tables', () => {
  beforeAll(async () => {
    await scratch.create();
    await scratch.run(SCHEMA);
  });
  afterAll(() => scratch.drop());

  const inventoryWith = async (source: Record<string, unknown>) => {
    const statements: string[] = [];
    const config = {
      sources: {
        pg: { kind: 'postgres', url: scratch.url(), schemas: ['p'], ...source },
      },
    } as unknown as Config;
    const inventory = await runInventory(config, { onQuery: (_source, sql) => statements.push(sql) });
    expect(inventory.sources[0]!.status).toBe('ok');
    return { inventory, script: statements.find((sql) => sql.startsWith('BEGIN')) ?? '' };
  };
  const countsOf = (inventory: Inventory) =>
    Object.fromEntries(inventory.sources[0]!.datasets.map((d) => [d.table, [d.rowCount, d.rowCountExact]]));

  it('counts a partitioned table as the sum of its partitions, without reading them twice', async () => {
    const { inventory, script } = await inventoryWith({});
    expect(countsOf(inventory)).toEqual({
      measure: [600, true],
      measure_2023: [300, true],
      measure_2024: [300, true],
      measure_2024h1: [200, true],
      measure_2024h2: [100, true],
      nothing: [0, true],
      plain: [50, true],
    });
    // The partitions are counted; the partitioned tables add their counts up.
    for (const table of ['measure_2023', 'measure_2024h1', 'measure_2024h2'])
      expect(script).toContain(`"p"."${table}"`);
    for (const table of ['measure', 'measure_2024', 'nothing'])
      expect(script).not.toContain(`"p"."${table}"`);
  });

  it('is exact when its partitions all are, and otherwise an estimate made of theirs', async () => {
    const { inventory, script } = await inventoryWith({ rowCounts: { exactBelow: 250 } });
    // measure_2023 holds more than 250 rows by its statistics: estimated, and so is measure. Both halves of
    // 2024 are counted: measure_2024 is their sum, exact though above 250, at no cost.
    expect(countsOf(inventory)).toEqual({
      measure: [600, false],
      measure_2023: [300, false],
      measure_2024: [300, true],
      measure_2024h1: [200, true],
      measure_2024h2: [100, true],
      nothing: [0, true],
      plain: [50, true],
    });
    expect(script).not.toContain('"p"."measure" ');
    expect(script).not.toContain('"p"."measure_2023"');
  });

  it('counts a partitioned table with COUNT(*) when its partitions are out of the scope, under exactBelow', async () => {
    const counted = await inventoryWith({ include: ['measure'] });
    expect(countsOf(counted.inventory)).toEqual({ measure: [600, true] });
    expect(counted.script).toContain('COUNT(*) AS n FROM "p"."measure"');
    // 600 rows by its partitions' statistics: above exactBelow, estimated like a table of that size.
    const estimated = await inventoryWith({ include: ['measure'], rowCounts: { exactBelow: 400 } });
    expect(countsOf(estimated.inventory)).toEqual({ measure: [600, false] });
    expect(estimated.script).toBe('');
  });

  it('counts each row once in totals: partitions are in their listed parent', async () => {
    const exact = (await inventoryWith({})).inventory;
    expect(rowTotal(exact.sources[0]!.datasets)).toEqual({ rows: 650, exact: true });
    expect(summariseInventory(exact)).toContain(
      '      2 partitioned tables, 4 partitions, 1 table; 650 rows',
    );
    const estimated = (await inventoryWith({ rowCounts: { exactBelow: 250 } })).inventory;
    expect(rowTotal(estimated.sources[0]!.datasets)).toEqual({ rows: 650, exact: false });
    // A parent left out of the scope: its partitions carry the rows.
    const partitions = (await inventoryWith({ include: ['measure_2024*'] })).inventory;
    expect(countsOf(partitions)).toEqual({
      measure_2024: [300, true],
      measure_2024h1: [200, true],
      measure_2024h2: [100, true],
    });
    expect(rowTotal(partitions.sources[0]!.datasets)).toEqual({ rows: 300, exact: true });
  });
});
