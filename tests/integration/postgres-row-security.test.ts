/**
 * Row-level security hides rows from counts and profiles without an error: a table whose policies apply to
 * the audit role (RLS enabled, the role neither BYPASSRLS nor a superuser, and not the owner unless the table
 * forces RLS on its owner) gets a ROW_LEVEL_SECURITY warning. A partitioned table is read through its own
 * policies, not its partitions': it is then counted through itself, not as the sum of its partitions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Inventory } from '../../src/core/inventory.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { ScratchPostgres } from '../helpers/scratch-postgres.ts';
import { serverAvailable } from '../helpers/servers.ts';

const up = await serverAvailable('postgres');
const READER = 'stocktake_it_rls_reader';
const OWNER = 'stocktake_it_rls_owner';
const BYPASS = 'stocktake_it_rls_bypass';
const scratch = new ScratchPostgres('stocktake_it_row_security', {
  [READER]: '',
  [OWNER]: '',
  [BYPASS]: 'BYPASSRLS',
});

// Each table holds one row of the reader's and two of someone else's.
const SCHEMA = `
CREATE SCHEMA s AUTHORIZATION ${OWNER};
SET ROLE ${OWNER};
CREATE TABLE s.open (id int, tenant text);
CREATE TABLE s.secured (id int, tenant text);
ALTER TABLE s.secured ENABLE ROW LEVEL SECURITY;
CREATE TABLE s.forced (id int, tenant text);
ALTER TABLE s.forced ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
-- A policy without RLS enabled filters nothing.
CREATE TABLE s.dormant (id int, tenant text);
CREATE POLICY mine ON s.dormant USING (tenant = current_user);
-- Not granted to the reader: listed as not readable, not as secured.
CREATE TABLE s.withheld (id int, tenant text);
ALTER TABLE s.withheld ENABLE ROW LEVEL SECURITY;
-- Policies on the partitioned table apply through it; a partition's own policies only when it is read directly.
CREATE TABLE s.ledger (id int, tenant text) PARTITION BY RANGE (id);
CREATE TABLE s.ledger_a PARTITION OF s.ledger FOR VALUES FROM (0) TO (10);
CREATE TABLE s.ledger_b PARTITION OF s.ledger FOR VALUES FROM (10) TO (20);
ALTER TABLE s.ledger ENABLE ROW LEVEL SECURITY;
CREATE TABLE s.journal (id int, tenant text) PARTITION BY RANGE (id);
CREATE TABLE s.journal_a PARTITION OF s.journal FOR VALUES FROM (0) TO (10);
CREATE TABLE s.journal_b PARTITION OF s.journal FOR VALUES FROM (10) TO (20);
ALTER TABLE s.journal_a ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON s.secured USING (tenant = current_user);
CREATE POLICY mine ON s.forced USING (tenant = '${READER}');
CREATE POLICY mine ON s.ledger USING (tenant = current_user);
CREATE POLICY mine ON s.journal_a USING (tenant = current_user);
INSERT INTO s.open VALUES (1, '${READER}'), (2, 'other'), (3, 'other');
INSERT INTO s.secured VALUES (1, '${READER}'), (2, 'other'), (3, 'other');
INSERT INTO s.dormant VALUES (1, '${READER}'), (2, 'other'), (3, 'other');
INSERT INTO s.withheld VALUES (1, '${READER}'), (2, 'other'), (3, 'other');
INSERT INTO s.ledger VALUES (1, '${READER}'), (2, 'other'), (11, 'other');
INSERT INTO s.journal VALUES (1, '${READER}'), (2, 'other'), (11, 'other');
RESET ROLE;
-- FORCE applies the policies to the owner too: inserted by a superuser, who bypasses them.
INSERT INTO s.forced VALUES (1, '${READER}'), (2, 'other'), (3, 'other');
GRANT USAGE ON SCHEMA s TO ${READER}, ${BYPASS};
GRANT SELECT ON s.open, s.secured, s.forced, s.dormant, s.ledger, s.ledger_a, s.ledger_b, s.journal,
  s.journal_a, s.journal_b TO ${READER}, ${BYPASS};
GRANT SELECT ON s.withheld TO ${BYPASS};
`;

describe.skipIf(!up)('PostgreSQL row-level security', () => {
  beforeAll(async () => {
    await scratch.create();
    await scratch.run(SCHEMA);
  });
  afterAll(() => scratch.drop());

  const inventoryAs = async (user?: string): Promise<Inventory> => {
    const config = {
      sources: { pg: { kind: 'postgres', url: scratch.url(user), schemas: ['s'] } },
    } as unknown as Config;
    const inventory = await runInventory(config);
    expect(inventory.sources[0]!.status).toBe('ok');
    return inventory;
  };
  const secured = (inventory: Inventory) =>
    inventory.sources[0]!.findings.filter((f) => f.code === 'ROW_LEVEL_SECURITY').map((f) => f.dataset);
  const countsOf = (inventory: Inventory) =>
    Object.fromEntries(inventory.sources[0]!.datasets.map((d) => [d.table, [d.rowCount, d.rowCountExact]]));

  it('warns that a role under row-level security counts only the rows it may read', async () => {
    const inventory = await inventoryAs(READER);
    expect(secured(inventory)).toEqual(['s.forced', 's.journal_a', 's.ledger', 's.secured']);
    expect(inventory.sources[0]!.findings.find((f) => f.code === 'ROW_LEVEL_SECURITY')).toEqual({
      code: 'ROW_LEVEL_SECURITY',
      severity: 'warning',
      source: 'pg',
      dataset: 's.forced',
      message: 'row-level security is on: counts and profile see only the rows this role may read',
      messageFr:
        'la sécurité au niveau des lignes est active : comptages et profil ne voient que les lignes que ce rôle peut lire',
    });
    expect(countsOf(inventory)).toMatchObject({
      open: [3, true],
      secured: [1, true],
      forced: [1, true],
      dormant: [3, true],
      withheld: [null, false],
      // Through the partitioned table's policy; its partitions have none of their own.
      ledger: [1, true],
      ledger_a: [2, true],
      ledger_b: [1, true],
      // Through the partitioned table, which has no policy: every row, though journal_a read alone hides two.
      journal: [3, true],
      journal_a: [1, true],
      journal_b: [1, true],
    });
    expect(inventory.sources[0]!.findings.find((f) => f.code === 'TABLE_NOT_READABLE')?.evidence).toEqual({
      datasets: ['s.withheld'],
    });
  });

  it('does not warn the owner (unless FORCE ROW LEVEL SECURITY), a BYPASSRLS role or a superuser', async () => {
    const owner = await inventoryAs(OWNER);
    expect(secured(owner)).toEqual(['s.forced']);
    expect(countsOf(owner)).toMatchObject({ secured: [3, true], forced: [1, true], ledger: [3, true] });
    const bypass = await inventoryAs(BYPASS);
    expect(secured(bypass)).toEqual([]);
    expect(countsOf(bypass)).toMatchObject({ secured: [3, true], forced: [3, true], withheld: [3, true] });
    expect(secured(await inventoryAs())).toEqual([]);
  });
});
