import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoCrm } from '../../examples/demo/crm.ts';
import { generateDemoFiles } from '../../examples/demo/files.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Finding, Inventory } from '../../src/core/inventory.ts';
import type { ColumnProfile, Profile } from '../../src/core/profile.ts';
import { renderAuditReport } from '../../src/report/html/report-html.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const flaws = JSON.parse(readFileSync(join(root, 'examples/demo/flaws.json'), 'utf8')) as Record<
  string,
  number
>;

describe('the demo audit finds every planted flaw', () => {
  let dir: string;
  let inventory: Inventory;
  let profile: Profile;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-demo-'));
    mkdirSync(join(dir, 'data'));
    generateDemoCrm(join(dir, 'data', 'crm.sqlite'));
    await generateDemoFiles(join(dir, 'data'));
    copyFileSync(join(root, 'examples/stocktake.yaml'), join(dir, 'stocktake.yaml'));
    const { config } = loadConfig(join(dir, 'stocktake.yaml'), {});
    inventory = await runInventory(config);
    profile = await runProfile(config, inventory);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const finding = (code: string, dataset: string, column?: string): Finding => {
    const found = profile.findings.find(
      (f) => f.code === code && f.dataset === dataset && (column === undefined || f.column === column),
    );
    expect(found, `${code} on ${dataset}${column ? `.${column}` : ''}`).toBeDefined();
    return found!;
  };
  const column = (dataset: string, name: string): ColumnProfile =>
    profile.datasets.find((d) => d.dataset === dataset)!.columns.find((c) => c.name === name)!;

  it('inventories every source and counts the rows the generator wrote', () => {
    expect(inventory.sources.map((s) => [s.name, s.status])).toEqual([
      ['crm', 'ok'],
      ['clients', 'ok'],
      ['stock', 'ok'],
    ]);
    const rows = Object.fromEntries(inventory.sources[0]!.datasets.map((d) => [d.name, d.rowCount]));
    for (const table of ['customers', 'contacts', 'orders', 'order_lines', 'products']) {
      expect(rows[table], table).toBe(flaws[`${table}.rows`]);
    }
  });

  it('finds the customers duplicated by case and accents', () => {
    const variants = finding('CASE_ACCENT_VARIANTS', 'customers', 'name').evidence!;
    expect(variants.groups).toBe(flaws['customers.duplicateGroups']);
    expect(variants.values).toBe(
      flaws['customers.duplicateGroups']! + flaws['customers.duplicatesByCaseAndAccents']!,
    );
  });

  it('finds the orphan order lines and contacts', () => {
    expect(finding('ORPHAN_ROWS', 'order_lines', 'order_id').evidence!.orphans).toBe(
      flaws['order_lines.orphans'],
    );
    expect(finding('ORPHAN_ROWS', 'contacts', 'customer_id').evidence!.orphans).toBe(
      flaws['contacts.orphans'],
    );
  });

  it('finds the dates in mixed formats, with the count of each', () => {
    const formats = (dataset: string, name: string) =>
      Object.fromEntries(column(dataset, name).formats.map((f) => [f.format, f.count]));
    expect(formats('customers', 'date_creation')).toEqual({
      date_iso: flaws['customers.date_creation.iso'],
      date_dmy: flaws['customers.date_creation.dmy'],
      date_compact: flaws['customers.date_creation.compact'],
    });
    expect(formats('orders', 'order_date')).toEqual({
      date_iso: flaws['orders.order_date.iso'],
      date_dmy: flaws['orders.order_date.dmy'],
      date_compact: flaws['orders.order_date.compact'],
    });
    finding('MIXED_DATE_FORMATS', 'customers', 'date_creation');
    finding('MIXED_DATE_FORMATS', 'orders', 'order_date');
  });

  it('finds the upper-case and the malformed e-mails', () => {
    const upper = finding('EMAIL_NOT_LOWERCASE', 'customers', 'email').evidence!;
    expect(Number(upper.upper) + Number(upper.mixed)).toBe(flaws['customers.email.upperCase']);
    expect(finding('INVALID_FORMAT', 'customers', 'email').evidence!.invalid).toBe(
      flaws['customers.email.malformed'],
    );
  });

  it('finds the empty required fields, NULL and empty strings apart', () => {
    const name = column('customers', 'name');
    expect([name.nulls, name.nullLike.empty]).toEqual([
      flaws['customers.name.null'],
      flaws['customers.name.empty'],
    ]);
    const email = column('customers', 'email');
    expect([email.nulls, email.nullLike.empty]).toEqual([
      flaws['customers.email.null'],
      flaws['customers.email.empty'],
    ]);
    const rule = profile.rules.find((r) => r.check === 'not_null' && r.column === 'name')!;
    expect(rule).toMatchObject({
      status: 'failed',
      failed: flaws['customers.name.null']! + flaws['customers.name.empty']!,
    });
  });

  it('finds the postal codes that lost their leading zero and the invalid SIRETs', () => {
    expect(finding('INVALID_FORMAT', 'customers', 'postal_code').evidence!.invalid).toBe(
      flaws['customers.postal_code.lostLeadingZero'],
    );
    expect(finding('INVALID_FORMAT', 'customers', 'siret').evidence!.invalid).toBe(
      flaws['customers.siret.invalidChecksum'],
    );
  });

  it('recognises the phone numbers in every layout', () => {
    const formats = Object.fromEntries(column('customers', 'phone').formats.map((f) => [f.format, f.count]));
    expect(formats.phone_e164).toBe(flaws['customers.phone.international']);
    expect(formats.phone_fr).toBe(
      flaws['customers.phone.spaced']! + flaws['customers.phone.dotted']! + flaws['customers.phone.compact']!,
    );
    expect(
      profile.findings.some(
        (f) => f.code === 'INVALID_FORMAT' && f.column === 'phone' && f.dataset === 'customers',
      ),
    ).toBe(false);
  });

  it('fails the quantity gate with the non-positive quantities', () => {
    const rule = profile.rules.find((r) => r.check === 'range')!;
    expect(rule).toMatchObject({ status: 'failed', failed: flaws['order_lines.nonPositiveQuantity'] });
  });

  it('matches the customers the CRM and the clients export share', () => {
    const overlap = profile.overlaps.find(
      (o) => o.left.dataset === 'customers' && o.right.source === 'clients',
    )!;
    expect(overlap.matched).toBe(flaws['customers.sharedWithClientsCsv']);
    // Company names sit in a column classified as names: the examples are masked like every sample.
    expect(overlap.examples).toHaveLength(5);
    expect(overlap.examples.join(' ')).not.toContain('Dupont SARL');
  });

  it('reports the ragged lines of the export and registers the personal data', () => {
    const clients = inventory.sources.find((s) => s.name === 'clients')!;
    expect(clients.findings.find((f) => f.code === 'CSV_RAGGED_ROW')!.message).toContain('2 row(s)');
    const register = profile.personalData
      .filter((p) => p.dataset === 'customers')
      .map((p) => [p.column, p.kind]);
    expect(register).toEqual(
      expect.arrayContaining([
        ['name', 'name'],
        ['phone', 'phone'],
        ['email', 'email'],
      ]),
    );
    // Masked unless --show-samples: no e-mail address appears in the profile.
    expect(JSON.stringify(column('customers', 'email').topValues)).not.toMatch(
      /[a-z0-9]+@[a-z0-9-]+\.[a-z]{2,}/,
    );
  });

  it('writes every finding, rule and penalty in French too, and the French report shows them', () => {
    const findings = [...inventory.sources.flatMap((s) => s.findings), ...profile.findings];
    expect(findings.filter((f) => !f.messageFr).map((f) => f.code)).toEqual([]);
    expect(profile.rules.filter((r) => !r.messageFr).map((r) => r.rule)).toEqual([]);
    const penalties = profile.datasets.flatMap((d) => d.readiness.penalties);
    expect(penalties.length).toBeGreaterThan(0);
    expect(penalties.filter((p) => !p.reasonFr)).toEqual([]);
    expect(finding('ORPHAN_ROWS', 'contacts').messageFr).toBe(
      `${flaws['contacts.orphans']} ligne(s) font référence à une ligne absente de crm.customers (customer_id → id)`,
    );
    const clients = inventory.sources.find((s) => s.name === 'clients')!;
    expect(clients.findings.find((f) => f.code === 'CSV_RAGGED_ROW')!.messageFr).toContain(
      '2 ligne(s) n’ont pas 9 champs (lignes 19, 43)',
    );
    const html = (lang: 'en' | 'fr') => renderAuditReport({ inventory, profile, lang });
    const french = html('fr');
    expect(french).toContain('font référence à une ligne absente de crm.customers');
    expect(french).toContain('des valeurs sortent du format de la colonne');
    expect(french).not.toContain('reference a missing crm.customers');
    expect(french).not.toContain("of values break the column's format");
    const english = html('en');
    expect(english).toContain('reference a missing crm.customers');
    expect(english).not.toContain('font référence à une ligne absente');
  });
});
