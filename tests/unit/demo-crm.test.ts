import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_CRM_FLAW_KEYS,
  DEMO_CRM_FLAWS_FILE,
  type DemoCrmFlawKey,
  type DemoCrmFlaws,
  foldName,
  formatDemoCrmFlaws,
  generateDemoCrm,
  SHARED_CUSTOMER_NAMES,
} from '../../examples/demo/crm.ts';

const TABLES = ['products', 'customers', 'contacts', 'orders', 'order_lines'] as const;

/** Every row of every table and the whole schema, as one string. */
function dump(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const schema = db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY type, name').all();
    const tables = TABLES.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all());
    return JSON.stringify({ schema, tables });
  } finally {
    db.close();
  }
}

// Independent of the generator: plain SQL, plus two functions SQLite lacks (accent folding, regexp).
const QUERIES: Record<DemoCrmFlawKey, string> = {
  'products.rows': 'SELECT COUNT(*) FROM products',
  'customers.rows': 'SELECT COUNT(*) FROM customers',
  'contacts.rows': 'SELECT COUNT(*) FROM contacts',
  'orders.rows': 'SELECT COUNT(*) FROM orders',
  'order_lines.rows': 'SELECT COUNT(*) FROM order_lines',
  'customers.duplicatesByCaseAndAccents': `SELECT COUNT(*) - COUNT(DISTINCT fold(name)) FROM customers WHERE trim(name) <> ''`,
  'customers.duplicateGroups': `SELECT COUNT(*) FROM (SELECT fold(name) FROM customers WHERE trim(name) <> ''
    GROUP BY fold(name) HAVING COUNT(*) > 1)`,
  'customers.sharedWithClientsCsv': `SELECT COUNT(*) FROM customers WHERE name IN (${SHARED_CUSTOMER_NAMES.map(() => '?').join(', ')})`,
  'customers.name.null': 'SELECT COUNT(*) FROM customers WHERE name IS NULL',
  'customers.name.empty': `SELECT COUNT(*) FROM customers WHERE name = ''`,
  'customers.email.null': 'SELECT COUNT(*) FROM customers WHERE email IS NULL',
  'customers.email.empty': `SELECT COUNT(*) FROM customers WHERE email = ''`,
  'customers.email.upperCase': 'SELECT COUNT(*) FROM customers WHERE email <> lower(email)',
  'customers.email.malformed': `SELECT COUNT(*) FROM customers WHERE email <> '' AND NOT email REGEXP '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$'`,
  'customers.postal_code.lostLeadingZero': `SELECT COUNT(*) FROM customers WHERE postal_code GLOB '[1-9][0-9][0-9][0-9]'`,
  'customers.siret.invalidChecksum': 'SELECT COUNT(*) FROM customers WHERE NOT luhn(siret)',
  'customers.phone.spaced': `SELECT COUNT(*) FROM customers WHERE phone GLOB '0[1-9] [0-9][0-9] [0-9][0-9] [0-9][0-9] [0-9][0-9]'`,
  'customers.phone.dotted': `SELECT COUNT(*) FROM customers WHERE phone GLOB '0[1-9].[0-9][0-9].[0-9][0-9].[0-9][0-9].[0-9][0-9]'`,
  'customers.phone.compact': `SELECT COUNT(*) FROM customers WHERE phone GLOB '0[1-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'`,
  'customers.phone.international': `SELECT COUNT(*) FROM customers WHERE phone GLOB '+33 [1-9] [0-9][0-9] [0-9][0-9] [0-9][0-9] [0-9][0-9]'`,
  'customers.date_creation.iso': `SELECT COUNT(*) FROM customers WHERE date_creation GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'`,
  'customers.date_creation.dmy': `SELECT COUNT(*) FROM customers WHERE date_creation GLOB '[0-3][0-9]/[01][0-9]/[12][0-9][0-9][0-9]'`,
  'customers.date_creation.compact': `SELECT COUNT(*) FROM customers WHERE date_creation GLOB '[12][0-9][0-9][0-9][01][0-9][0-3][0-9]'`,
  'orders.order_date.iso': `SELECT COUNT(*) FROM orders WHERE order_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'`,
  'orders.order_date.dmy': `SELECT COUNT(*) FROM orders WHERE order_date GLOB '[0-3][0-9]/[01][0-9]/[12][0-9][0-9][0-9]'`,
  'orders.order_date.compact': `SELECT COUNT(*) FROM orders WHERE order_date GLOB '[12][0-9][0-9][0-9][01][0-9][0-3][0-9]'`,
  'contacts.orphans':
    'SELECT COUNT(*) FROM contacts c LEFT JOIN customers p ON p.id = c.customer_id WHERE p.id IS NULL',
  'order_lines.orphans':
    'SELECT COUNT(*) FROM order_lines l LEFT JOIN orders o ON o.id = l.order_id WHERE o.id IS NULL',
  'order_lines.nonPositiveQuantity': 'SELECT COUNT(*) FROM order_lines WHERE quantity <= 0',
};

function luhn(value: unknown): number {
  const digits = String(value ?? '');
  if (!/^\d{14}$/.test(digits)) return 0;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[digits.length - 1 - i]) * (i % 2 === 1 ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 === 0 ? 1 : 0;
}

describe('demo CRM generator', () => {
  let dir: string;
  let first: string;
  let flaws: DemoCrmFlaws;
  let db: Database.Database;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-demo-crm-'));
    first = join(dir, 'first.sqlite');
    flaws = generateDemoCrm(first);
    db = new Database(first, { readonly: true });
    db.function('fold', { deterministic: true }, (v: unknown) =>
      typeof v === 'string' ? foldName(v) : null,
    );
    db.function('luhn', { deterministic: true }, luhn);
    db.function('regexp', { deterministic: true }, (pattern: unknown, v: unknown) =>
      typeof v === 'string' && new RegExp(String(pattern), 'u').test(v) ? 1 : 0,
    );
  });

  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same rows and schema on every run, over an existing file', () => {
    const second = join(dir, 'second.sqlite');
    generateDemoCrm(second);
    generateDemoCrm(second);
    expect(dump(second)).toBe(dump(first));
  });

  it('returns the counts committed in examples/demo/flaws.json', () => {
    expect(readFileSync(DEMO_CRM_FLAWS_FILE, 'utf8')).toBe(formatDemoCrmFlaws(flaws));
    expect(Object.keys(flaws)).toEqual([...DEMO_CRM_FLAW_KEYS]);
  });

  it.each(DEMO_CRM_FLAW_KEYS)('%s matches the data', (key) => {
    const params = key === 'customers.sharedWithClientsCsv' ? [...SHARED_CUSTOMER_NAMES] : [];
    const actual = db
      .prepare(QUERIES[key])
      .pluck()
      .get(...params);
    expect(actual).toBe(flaws[key]);
  });

  it('plants every flaw at least once and stays a small estate', () => {
    for (const key of DEMO_CRM_FLAW_KEYS) expect(flaws[key], key).toBeGreaterThan(0);
    const rows = flaws['products.rows'] + flaws['customers.rows'] + flaws['contacts.rows'];
    expect(rows + flaws['orders.rows'] + flaws['order_lines.rows']).toBeLessThan(2_500);
  });

  it('declares the keys, indexes and view a legacy CRM would have', () => {
    const fks = db
      .prepare(`SELECT m.name || '.' || f."from" || '->' || f."table" FROM sqlite_schema m
        JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY 1`)
      .pluck()
      .all();
    expect(fks).toEqual([
      'contacts.customer_id->customers',
      'order_lines.order_id->orders',
      'order_lines.product_id->products',
      'orders.customer_id->customers',
    ]);
    const pk = db
      .prepare(`SELECT name FROM pragma_table_info('order_lines') WHERE pk > 0 ORDER BY pk`)
      .pluck()
      .all();
    expect(pk).toEqual(['order_id', 'line_no']);
    const unique = db
      .prepare(`SELECT ii.name FROM pragma_index_list('products') il JOIN pragma_index_info(il.name) ii
        WHERE il."unique" = 1 AND il.origin = 'u'`)
      .pluck()
      .all();
    expect(unique).toEqual(['sku']);
    const objects = db
      .prepare(`SELECT type || ' ' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'`)
      .pluck()
      .all();
    expect(objects).toEqual(expect.arrayContaining(['view v_customer_orders', 'index idx_orders_customer']));
  });

  it('keeps leading zeros of postal codes as text, and duplicates differ by case and accents only', () => {
    expect(
      db
        .prepare(`SELECT COUNT(*) FROM customers WHERE postal_code GLOB '0[0-9][0-9][0-9][0-9]'`)
        .pluck()
        .get(),
    ).toBeGreaterThan(0);
    expect(
      db.prepare(`SELECT COUNT(*) FROM customers WHERE typeof(postal_code) <> 'text'`).pluck().get(),
    ).toBe(0);
    const named = db.prepare(`SELECT name FROM customers WHERE trim(name) <> ''`).pluck().all() as string[];
    expect(new Set(named).size).toBe(named.length);
    expect(named).toEqual(expect.arrayContaining(['Société Générale Bâtiment', 'SOCIETE GENERALE BATIMENT']));
  });
});
