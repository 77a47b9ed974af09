/**
 * The demo estate's legacy CRM: a small SQLite database, generated deterministically from a seed, with
 * flaws planted on purpose and counted exactly, so that tests can assert what the audit must find.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import {
  CONTACT_ROLES,
  DUPLICATED_CUSTOMERS,
  GIVEN_NAMES,
  MAIL_DOMAINS,
  NAME_ENDINGS,
  ORDER_STATUSES,
  PRODUCT_VARIANTS,
  PRODUCTS,
  SHARED_CUSTOMER_NAMES,
  STREETS,
  SURNAMES,
  TOWNS,
  TRADES,
} from './crm-pools.ts';

export { SHARED_CUSTOMER_NAMES } from './crm-pools.ts';

/** Every count the flaw manifest records, in the order `flaws.json` lists them. */
export const DEMO_CRM_FLAW_KEYS = [
  'products.rows',
  'customers.rows',
  'contacts.rows',
  'orders.rows',
  'order_lines.rows',
  'customers.duplicatesByCaseAndAccents',
  'customers.duplicateGroups',
  'customers.sharedWithClientsCsv',
  'customers.name.null',
  'customers.name.empty',
  'customers.email.null',
  'customers.email.empty',
  'customers.email.upperCase',
  'customers.email.malformed',
  'customers.postal_code.lostLeadingZero',
  'customers.siret.invalidChecksum',
  'customers.phone.spaced',
  'customers.phone.dotted',
  'customers.phone.compact',
  'customers.phone.international',
  'customers.date_creation.iso',
  'customers.date_creation.dmy',
  'customers.date_creation.compact',
  'orders.order_date.iso',
  'orders.order_date.dmy',
  'orders.order_date.compact',
  'contacts.orphans',
  'order_lines.orphans',
  'order_lines.nonPositiveQuantity',
] as const;

/** One key of the flaw manifest: `table.what` or `table.column.what`. */
export type DemoCrmFlawKey = (typeof DEMO_CRM_FLAW_KEYS)[number];

/** The exact counts of the demo CRM's rows and planted flaws (the content of `examples/demo/flaws.json`). */
export type DemoCrmFlaws = Readonly<Record<DemoCrmFlawKey, number>>;

/** The committed flaw manifest, next to this file. */
export const DEMO_CRM_FLAWS_FILE = new URL('./flaws.json', import.meta.url);

const SEED = 0x5eed_c12a;
const BASE_CUSTOMERS = 140;
const ORDERS = 380;

// How many rows get each flaw; the manifest records the resulting counts.
const PLANTED = {
  nameNull: 3,
  nameEmpty: 4,
  emailNull: 4,
  emailEmpty: 3,
  emailUpper: 8,
  emailMalformed: 5,
  postalLostZero: 6,
  siretInvalid: 3,
  creationDmy: 22,
  creationCompact: 9,
  orderDmy: 35,
  orderCompact: 14,
  contactOrphans: 4,
  lineOrphans: 9,
  lineNonPositive: 4,
} as const;

const DDL = `
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku VARCHAR(20) NOT NULL UNIQUE,
  label VARCHAR(120) NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  vat_rate DECIMAL(4,2) NOT NULL DEFAULT 20.0,
  active BOOLEAN NOT NULL DEFAULT 1
);
CREATE TABLE customers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  code VARCHAR(10),
  name VARCHAR(100), -- required by the entry screen, never by the database
  siret CHAR(14),
  address VARCHAR(200),
  postal_code VARCHAR(5),
  city VARCHAR(80),
  phone VARCHAR(20),
  email VARCHAR(120),
  date_creation TEXT, -- typed in by hand since 2009
  deleted BOOLEAN NOT NULL DEFAULT 0
);
CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  first_name VARCHAR(60),
  last_name VARCHAR(60),
  email VARCHAR(120),
  phone VARCHAR(20),
  role VARCHAR(40)
);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  reference VARCHAR(20) NOT NULL,
  customer_id INTEGER NOT NULL,
  order_date TEXT NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'en cours',
  comment TEXT,
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE TABLE order_lines (
  order_id INTEGER NOT NULL,
  line_no INTEGER NOT NULL,
  product_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price DECIMAL(10,2) NOT NULL,
  discount_pct DECIMAL(5,2) DEFAULT 0,
  PRIMARY KEY (order_id, line_no),
  CONSTRAINT fk_order_lines_order FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
  CONSTRAINT fk_order_lines_product FOREIGN KEY (product_id) REFERENCES products (id)
);
CREATE INDEX idx_customers_postal_code ON customers (postal_code);
CREATE INDEX idx_contacts_customer ON contacts (customer_id);
CREATE INDEX idx_orders_customer ON orders (customer_id);
CREATE VIEW v_customer_orders AS
  SELECT c.id AS customer_id, c.name AS customer_name, COUNT(o.id) AS order_count, MAX(o.order_date) AS last_order_date
  FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
  GROUP BY c.id, c.name;
`;

/**
 * Deletes `file` and writes the demo CRM there; returns the counts `examples/demo/flaws.json` must hold.
 * The same build of better-sqlite3 writes the same rows byte for byte on every run.
 */
export function generateDemoCrm(file: string): DemoCrmFlaws {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  const rng = new Random(SEED);
  const counts = Object.fromEntries(DEMO_CRM_FLAW_KEYS.map((k) => [k, 0])) as Counts;
  const db = new Database(file);
  try {
    // Legacy systems declared foreign keys and never enforced them.
    db.pragma('foreign_keys = OFF');
    db.exec(DDL);
    db.transaction(() => {
      const products = insertProducts(db, rng, counts);
      const customers = insertCustomers(db, rng, counts);
      insertContacts(db, rng, counts, customers);
      const orders = insertOrders(db, rng, counts, customers.ids);
      insertOrderLines(db, rng, counts, orders, products);
    })();
  } finally {
    db.close();
  }
  return counts;
}

/** The manifest as committed: one count per line, keys in manifest order. */
export function formatDemoCrmFlaws(flaws: DemoCrmFlaws): string {
  return `${JSON.stringify(flaws, null, 2)}\n`;
}

/** Folds case and accents the way a person reading the names would: `Société` and `SOCIETE` are one company. */
export function foldName(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/\s+/g, ' ').trim();
}

type Counts = Record<DemoCrmFlawKey, number>;

interface ProductRow {
  readonly id: number;
  readonly priceCents: number;
}

interface CustomerSet {
  /** Ids of the customers that exist. */
  readonly ids: readonly number[];
  /** Ids skipped by the sequence: customers deleted long ago, still referenced by orphans. */
  readonly gaps: readonly number[];
  /** Company slug per existing customer, for contact emails. */
  readonly slugs: ReadonlyMap<number, string>;
}

interface OrderSet {
  readonly ids: readonly number[];
  readonly gaps: readonly number[];
}

function insertProducts(db: Database.Database, rng: Random, counts: Counts): ProductRow[] {
  const insert = db.prepare(
    'INSERT INTO products (id, sku, label, unit_price, vat_rate, active) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const rows: ProductRow[] = [];
  for (let i = 0; i < PRODUCTS.length * 2; i++) {
    const product = PRODUCTS[i % PRODUCTS.length]!;
    const variant = PRODUCT_VARIANTS[Math.floor(i / PRODUCTS.length)]!;
    const priceCents = rng.int(150, 25_000);
    const id = i + 1;
    const sku = `ART-${String(100 + i * 7).padStart(5, '0')}`;
    insert.run(id, sku, product.item + variant, priceCents / 100, product.vatRate, rng.chance(0.1) ? 0 : 1);
    rows.push({ id, priceCents });
  }
  counts['products.rows'] = rows.length;
  return rows;
}

interface CustomerDraft {
  name: string | null;
  slug: string;
  /** False for names a flaw emptied, and for the shared and duplicated names, which must stay as written. */
  readonly mayLoseName: boolean;
}

function customerNames(rng: Random, counts: Counts): CustomerDraft[] {
  const seen = new Set<string>();
  const fixed = [...SHARED_CUSTOMER_NAMES, ...DUPLICATED_CUSTOMERS.map((d) => d.name)];
  for (const name of fixed) seen.add(foldName(name));
  const drafts: CustomerDraft[] = fixed.map((name) => ({ name, slug: slugify(name), mayLoseName: false }));
  while (drafts.length < BASE_CUSTOMERS) {
    const name = rng.chance(0.8)
      ? `${rng.pick(TRADES)} ${rng.pick(SURNAMES)}${rng.pick(NAME_ENDINGS)}`
      : `${rng.pick(SURNAMES)} ${rng.pick(['SARL', 'SAS', 'SA', 'et Cie'])}`;
    if (seen.has(foldName(name))) continue;
    seen.add(foldName(name));
    drafts.push({ name, slug: slugify(name), mayLoseName: true });
  }
  const shuffled = rng.shuffle(drafts);
  const losers = rng.shuffle(shuffled.filter((d) => d.mayLoseName));
  for (let i = 0; i < PLANTED.nameNull + PLANTED.nameEmpty; i++) {
    losers[i]!.name = i < PLANTED.nameNull ? null : '';
  }
  counts['customers.name.null'] = PLANTED.nameNull;
  counts['customers.name.empty'] = PLANTED.nameEmpty;
  counts['customers.sharedWithClientsCsv'] = SHARED_CUSTOMER_NAMES.length;
  // Duplicates were typed in again years later, so they come last.
  for (const duplicated of DUPLICATED_CUSTOMERS) {
    for (const variant of duplicated.variants) {
      shuffled.push({ name: variant, slug: slugify(variant), mayLoseName: false });
      counts['customers.duplicatesByCaseAndAccents']++;
    }
    counts['customers.duplicateGroups']++;
  }
  return shuffled;
}

function insertCustomers(db: Database.Database, rng: Random, counts: Counts): CustomerSet {
  const drafts = customerNames(rng, counts);
  const n = drafts.length;
  const towns = drafts.map(() => rng.pick(TOWNS));
  const emailFlaws = flawPlan(rng, n, [
    ['null', PLANTED.emailNull],
    ['empty', PLANTED.emailEmpty],
    ['upper', PLANTED.emailUpper],
    ['malformed', PLANTED.emailMalformed],
  ]);
  const dateFlaws = flawPlan(rng, n, [
    ['dmy', PLANTED.creationDmy],
    ['compact', PLANTED.creationCompact],
  ]);
  const siretFlaws = flawPlan(rng, n, [['invalid', PLANTED.siretInvalid]]);
  const zeroTowns = rng.shuffle(towns.flatMap((t, i) => (t.postalCode.startsWith('0') ? [i] : [])));
  const lostZero = new Set(zeroTowns.slice(0, PLANTED.postalLostZero));

  const insert = db.prepare(`INSERT INTO customers
    (id, code, name, siret, address, postal_code, city, phone, email, date_creation, deleted)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const ids: number[] = [];
  const gaps: number[] = [];
  const slugs = new Map<number, string>();
  let id = 0;
  let malformed = 0;
  for (let i = 0; i < n; i++) {
    id++;
    // About one customer in twelve was deleted for good, leaving a hole in the sequence.
    while (rng.chance(0.08)) gaps.push(id++);
    const draft = drafts[i]!;
    const town = towns[i]!;
    const phone = frenchPhone(rng, town.area);
    counts[`customers.phone.${phone.format}`]++;
    let email: string | null = companyEmail(rng, draft.slug);
    const emailFlaw = emailFlaws.get(i);
    if (emailFlaw === 'null') email = null;
    else if (emailFlaw === 'empty') email = '';
    else if (emailFlaw === 'upper') email = email.toUpperCase();
    else if (emailFlaw === 'malformed') email = malformEmail(email, malformed++);
    const layout = (dateFlaws.get(i) ?? 'iso') as DateLayout;
    counts[`customers.date_creation.${layout}`]++;
    insert.run(
      id,
      `CLI${String(id).padStart(5, '0')}`,
      draft.name,
      siret(rng, siretFlaws.get(i) === 'invalid'),
      `${rng.int(1, 140)}${rng.chance(0.1) ? ' bis' : ''} ${rng.pick(STREETS)}`,
      lostZero.has(i) ? town.postalCode.slice(1) : town.postalCode,
      town.city,
      phone.text,
      email,
      formatDate(rng.int(dayNumber(2009, 1, 1), dayNumber(2023, 6, 30)), layout),
      rng.chance(0.04) ? 1 : 0,
    );
    ids.push(id);
    slugs.set(id, draft.slug);
  }
  if (gaps.length === 0) throw new Error('demo CRM: the seed left no gap in the customer ids');
  counts['customers.rows'] = n;
  counts['customers.email.null'] = PLANTED.emailNull;
  counts['customers.email.empty'] = PLANTED.emailEmpty;
  counts['customers.email.upperCase'] = PLANTED.emailUpper;
  counts['customers.email.malformed'] = PLANTED.emailMalformed;
  counts['customers.postal_code.lostLeadingZero'] = lostZero.size;
  counts['customers.siret.invalidChecksum'] = PLANTED.siretInvalid;
  return { ids, gaps, slugs };
}

function insertContacts(db: Database.Database, rng: Random, counts: Counts, customers: CustomerSet): void {
  const drafts: { customerId: number; slug: string | null }[] = [];
  for (const customerId of customers.ids) {
    const contacts = rng.pick([0, 1, 1, 1, 2, 2, 3]);
    for (let c = 0; c < contacts; c++)
      drafts.push({ customerId, slug: customers.slugs.get(customerId) ?? null });
  }
  for (let o = 0; o < PLANTED.contactOrphans; o++) {
    drafts.splice(rng.int(0, drafts.length), 0, { customerId: rng.pick(customers.gaps), slug: null });
  }
  const insert = db.prepare(
    'INSERT INTO contacts (id, customer_id, first_name, last_name, email, phone, role) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  drafts.forEach((draft, i) => {
    const first = rng.pick(GIVEN_NAMES);
    const last = rng.pick(SURNAMES);
    const local = `${slugify(first)}.${slugify(last)}`;
    const domain = draft.slug && rng.chance(0.6) ? `${draft.slug}.fr` : rng.pick(MAIL_DOMAINS);
    const email = rng.chance(0.1) ? null : `${local}@${domain}`;
    const role = rng.chance(0.2) ? null : rng.pick(CONTACT_ROLES);
    insert.run(i + 1, draft.customerId, first, last, email, frenchPhone(rng, '6').text, role);
  });
  counts['contacts.rows'] = drafts.length;
  counts['contacts.orphans'] = PLANTED.contactOrphans;
}

function insertOrders(
  db: Database.Database,
  rng: Random,
  counts: Counts,
  customerIds: readonly number[],
): OrderSet {
  const days = Array.from({ length: ORDERS }, () => rng.int(dayNumber(2015, 1, 1), dayNumber(2023, 12, 31)));
  days.sort((a, b) => a - b);
  const dateFlaws = flawPlan(rng, ORDERS, [
    ['dmy', PLANTED.orderDmy],
    ['compact', PLANTED.orderCompact],
  ]);
  const insert = db.prepare(
    'INSERT INTO orders (id, reference, customer_id, order_date, status, comment) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const comments = [
    'Livraison le matin',
    'Rappeler avant livraison',
    'Paiement à 30 jours',
    'Client pressé !',
  ];
  const ids: number[] = [];
  const gaps: number[] = [];
  let id = 1000;
  for (let i = 0; i < ORDERS; i++) {
    id++;
    while (rng.chance(0.04)) gaps.push(id++);
    const layout = (dateFlaws.get(i) ?? 'iso') as DateLayout;
    counts[`orders.order_date.${layout}`]++;
    const year = dateOf(days[i]!).slice(0, 4);
    const comment = rng.chance(0.15) ? rng.pick(comments) : null;
    insert.run(
      id,
      `CMD-${year}-${String(id).padStart(5, '0')}`,
      rng.pick(customerIds),
      formatDate(days[i]!, layout),
      rng.pick(ORDER_STATUSES),
      comment,
    );
    ids.push(id);
  }
  if (gaps.length === 0) throw new Error('demo CRM: the seed left no gap in the order ids');
  counts['orders.rows'] = ORDERS;
  return { ids, gaps };
}

function insertOrderLines(
  db: Database.Database,
  rng: Random,
  counts: Counts,
  orders: OrderSet,
  products: readonly ProductRow[],
): void {
  const lines: { orderId: number; lineNo: number; quantity: number; orphan: boolean }[] = [];
  for (const orderId of orders.ids) {
    const n = rng.int(1, 5);
    for (let lineNo = 1; lineNo <= n; lineNo++)
      lines.push({ orderId, lineNo, quantity: rng.int(1, 24), orphan: false });
  }
  const negative = rng.shuffle(lines).slice(0, PLANTED.lineNonPositive);
  negative.forEach((line, i) => {
    line.quantity = i % 2 === 0 ? 0 : -rng.int(1, 5);
  });
  // Orders deleted by hand in the database, their lines left behind.
  const orphanOrders = rng.shuffle(orders.gaps).slice(0, 3);
  const nextLine = new Map<number, number>();
  for (let o = 0; o < PLANTED.lineOrphans; o++) {
    const orderId = orphanOrders[o % orphanOrders.length]!;
    const lineNo = (nextLine.get(orderId) ?? 0) + 1;
    nextLine.set(orderId, lineNo);
    lines.push({ orderId, lineNo, quantity: rng.int(1, 24), orphan: true });
  }
  lines.sort((a, b) => a.orderId - b.orderId || a.lineNo - b.lineNo);
  const insert = db.prepare(
    'INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price, discount_pct) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const line of lines) {
    const product = rng.pick(products);
    const discount = rng.chance(0.15) ? rng.pick([5, 10, 12.5, 20]) : 0;
    insert.run(line.orderId, line.lineNo, product.id, line.quantity, product.priceCents / 100, discount);
  }
  counts['order_lines.rows'] = lines.length;
  counts['order_lines.orphans'] = lines.filter((l) => l.orphan).length;
  counts['order_lines.nonPositiveQuantity'] = negative.length;
}

/** Assigns each flaw to a distinct set of row indices; rows without a flaw are absent from the map. */
function flawPlan(
  rng: Random,
  rows: number,
  flaws: readonly (readonly [string, number])[],
): Map<number, string> {
  const order = rng.shuffle(Array.from({ length: rows }, (_, i) => i));
  const plan = new Map<number, string>();
  let next = 0;
  for (const [flaw, count] of flaws) {
    for (let k = 0; k < count; k++) plan.set(order[next++]!, flaw);
  }
  return plan;
}

type PhoneFormat = 'spaced' | 'dotted' | 'compact' | 'international';

function frenchPhone(rng: Random, area: string): { text: string; format: PhoneFormat } {
  const pairs = Array.from({ length: 4 }, () => String(rng.int(0, 99)).padStart(2, '0'));
  const format = rng.pick([
    'spaced',
    'spaced',
    'spaced',
    'dotted',
    'compact',
    'compact',
    'international',
  ] as const);
  const head = `0${area}`;
  if (format === 'spaced') return { format, text: [head, ...pairs].join(' ') };
  if (format === 'dotted') return { format, text: [head, ...pairs].join('.') };
  if (format === 'compact') return { format, text: head + pairs.join('') };
  return { format, text: `+33 ${area} ${pairs.join(' ')}` };
}

function companyEmail(rng: Random, slug: string): string {
  if (slug !== '' && rng.chance(0.7))
    return `${rng.pick(['contact', 'compta', 'info', 'commandes'])}@${slug}.fr`;
  return `${slugify(rng.pick(GIVEN_NAMES))}.${slugify(rng.pick(SURNAMES))}@${rng.pick(MAIL_DOMAINS)}`;
}

// Each way of mistyping an address fails `^[^\s@]+@[^\s@]+\.[^\s@]+$`.
function malformEmail(email: string, kind: number): string {
  const at = email.indexOf('@');
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  switch (kind % 5) {
    case 0:
      return `${local}.${domain}`;
    case 1:
      return `${local}@@${domain}`;
    case 2:
      return `${local}@${domain.slice(0, domain.lastIndexOf('.'))}`;
    case 3:
      return `${local}@ ${domain}`;
    default:
      return `${local}@${domain.replace(/\.(?=[^.]*$)/, ',')}`;
  }
}

/**
 * A 14-digit SIRET as INSEE issues them: a SIREN (8 digits and its Luhn key), a 4-digit
 * establishment number and a Luhn key over all 14 digits; `invalid` breaks the last key.
 */
function siret(rng: Random, invalid: boolean): string {
  const siren = [rng.int(1, 9), ...Array.from({ length: 7 }, () => rng.int(0, 9))];
  siren.push(luhnKey(siren));
  const digits = [...siren, ...Array.from({ length: 4 }, () => rng.int(0, 9))];
  const key = luhnKey(digits);
  return digits.join('') + (invalid ? (key + rng.int(1, 9)) % 10 : key);
}

/** The digit that makes `digits` followed by it pass the Luhn checksum. */
function luhnKey(digits: readonly number[]): number {
  let sum = 0;
  // Once the key is appended, the digit just left of it is doubled, then every second one.
  for (let i = digits.length - 1, fromRight = 0; i >= 0; i--, fromRight++) {
    const d = fromRight % 2 === 0 ? digits[i]! * 2 : digits[i]!;
    sum += d > 9 ? d - 9 : d;
  }
  return (10 - (sum % 10)) % 10;
}

function slugify(name: string): string {
  return foldName(name)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

type DateLayout = 'iso' | 'dmy' | 'compact';

const DAY_MS = 86_400_000;

function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function formatDate(day: number, layout: DateLayout): string {
  const iso = dateOf(day);
  const [y, m, d] = iso.split('-');
  if (layout === 'dmy') return `${d}/${m}/${y}`;
  if (layout === 'compact') return `${y}${m}${d}`;
  return iso;
}

/** A seeded generator (mulberry32): the demo must be the same on every machine and every run. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
