/**
 * Which rules `--only` leaves in: decided on the inventory's own datasets, so that dataset names with
 * dots (`old.customers`, a file) and schemas left out of a rule (`crm.customers`) are told apart.
 */
import { describe, expect, it } from 'vitest';
import { ruleInScope, ruleParents } from '../../src/cli/profile.ts';
import type { Inventory } from '../../src/core/inventory.ts';

const dataset = (name: string, table?: string) => ({ name, ...(table ? { table } : {}), columns: [] });
/** The inventory narrowed as `--only` narrows it: only the datasets selected remain. */
const narrowed = (files: string[], crm: [string, string][]) =>
  ({
    sources: [
      { name: 'files', status: 'ok', datasets: files.map((f) => dataset(f)) },
      { name: 'crm', status: 'ok', datasets: crm.map(([name, table]) => dataset(name, table)) },
    ],
  }) as unknown as Inventory;

describe('ruleInScope', () => {
  it('tells dotted file names apart', () => {
    const inventory = narrowed(['customers'], []);
    const only = ['files.customers'];
    expect(ruleInScope({ dataset: 'files.customers' }, only, inventory)).toBe(true);
    expect(ruleInScope({ dataset: 'files.old.customers' }, only, inventory)).toBe(false);
    const old = narrowed(['old.customers'], []);
    expect(ruleInScope({ dataset: 'files.customers' }, ['files.old.customers'], old)).toBe(false);
    expect(ruleInScope({ dataset: 'files.old.customers' }, ['files.old.customers'], old)).toBe(true);
  });

  it('takes a rule without its schema, keeps every rule of a source selected whole, and needs a foreign key parent', () => {
    const inventory = narrowed([], [['public.customers', 'customers']]);
    const only = ['crm.public.customers'];
    expect(ruleInScope({ dataset: 'crm.customers' }, only, inventory)).toBe(true);
    expect(ruleInScope({ dataset: 'crm.orders' }, only, inventory)).toBe(false);
    expect(ruleInScope({ dataset: 'files.customers' }, only, inventory)).toBe(false);
    // A source selected whole: a rule naming what it lacks stays in, for the check to refuse it.
    expect(ruleInScope({ dataset: 'crm.custmers' }, ['crm'], inventory)).toBe(true);
    expect(
      ruleInScope({ dataset: 'crm.customers', references: 'crm.orders.customer_id' }, only, inventory),
    ).toBe(false);
    expect(ruleInScope({ dataset: 'anything' }, [], inventory)).toBe(true);
  });

  it("widens --only to a foreign_key rule's parent, whose own rules stay out", () => {
    const rules = [
      { dataset: 'crm.orders', check: 'foreign_key', references: 'crm.customers.id' },
      { dataset: 'crm.customers', check: 'not_null' },
      { dataset: 'crm.invoices', check: 'foreign_key', references: 'crm.accounts.id' },
      { dataset: 'crm.public.lines', check: 'foreign_key', references: 'crm.public.orders.id' },
    ];
    const steps: string[] = [];
    const parents = ruleParents(['crm.public.orders'], rules, (m: string) => steps.push(m));
    expect(parents).toEqual(['crm.customers']);
    expect(steps).toEqual(['crm.customers is read too: rules[0] checks crm.orders against it (foreign_key)']);
    // A rule named with its schema is selected by the name without it, and the other way round.
    expect(ruleParents(['crm.lines'], rules)).toEqual(['crm.public.orders']);
    expect(ruleParents(['crm'], rules)).toEqual([]);
    expect(ruleParents([], rules)).toEqual([]);
    const read = ['crm.public.orders', ...parents];
    const inventory = narrowed(
      [],
      [
        ['public.orders', 'orders'],
        ['public.customers', 'customers'],
      ],
    );
    expect(ruleInScope(rules[0]!, ['crm.public.orders'], inventory, read)).toBe(true);
    expect(ruleInScope(rules[1]!, ['crm.public.orders'], inventory, read)).toBe(false);
    // Without the parent among the datasets read, the foreign key stays out.
    expect(ruleInScope(rules[0]!, ['crm.public.orders'], inventory)).toBe(false);
  });
});
