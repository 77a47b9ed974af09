/**
 * The file part of the demo estate: a legacy `clients.csv` export (Windows-1252, `;`, decimal
 * commas, dd/mm/yyyy dates, a few ragged lines) and a `stock.xlsx` workbook (title rows, merged
 * headers, a hidden sheet, dates and formulas). Deterministic: the same content on every run (the zip keeps its own write times).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { SHARED_CUSTOMER_NAMES } from './crm-pools.ts';

// The accounting export knows five of the CRM's customers, spelt its own way (case, accents, legal form).
const SHARED_AS_EXPORTED = [
  SHARED_CUSTOMER_NAMES[0],
  SHARED_CUSTOMER_NAMES[1].toUpperCase(),
  `${SHARED_CUSTOMER_NAMES[2]} SAS`,
  SHARED_CUSTOMER_NAMES[3],
  SHARED_CUSTOMER_NAMES[4].replace('Leroy', 'LEROY'),
];
// Trades the CRM never uses, so that the only customers both sources know are the five above.
const TRADES = [
  'Agence',
  'Atelier',
  'Épicerie',
  'Hôtel',
  'Institut',
  'Laboratoire',
  'Studio',
  'Domaine',
  'Coopérative',
  'Clinique',
];
const FAMILIES = [
  'Lefèvre & Fils',
  'Bérénice',
  'de la Gare',
  'Gaëtan',
  'Côté Livres',
  'Ménétrier',
  'du Château',
  'Noël',
  'Françoise',
  'Ægide',
  'Moreau',
  'Fournier',
  'Girard',
  'Rousseau',
  'Blanc',
  'Guérin',
  'Muller',
  'Henry',
];
const COMPANIES = [
  ...SHARED_AS_EXPORTED,
  ...Array.from(
    { length: 55 },
    (_, i) => `${TRADES[i % TRADES.length]!} ${FAMILIES[(i * 7) % FAMILIES.length]!}`,
  ),
];
const CITIES: [string, string][] = [
  ['01000', 'Bourg-en-Bresse'],
  ['75011', 'Paris'],
  ['13001', 'Marseille'],
  ['69003', 'Lyon'],
  ['20000', 'Ajaccio'],
  ['05000', 'Gap'],
  ['44000', 'Nantes'],
  ['59000', 'Lille'],
];

/** A small deterministic generator (mulberry32), so the demo files never change between runs. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A French amount: `1 234,50`, thousands split by a no-break space as French Excel exports do. */
function euros(cents: number): string {
  const [whole, fraction] = (cents / 100).toFixed(2).split('.');
  return `${whole!.replace(/\B(?=(\d{3})+$)/g, '\u00a0')},${fraction}`;
}

/** A SIRET as INSEE issues them: a Luhn-valid SIREN, a 4-digit establishment number, a Luhn key over all 14 digits. */
function siret(seed: number): string {
  const siren = withLuhnKey(pad(10_000_000 + (seed % 89_999_989), 8));
  return withLuhnKey(`${siren}${pad(seed % 10_000, 4)}`);
}

/** `digits` followed by the key that makes the whole pass the Luhn checksum. */
function withLuhnKey(digits: string): string {
  for (let key = 0; key < 10; key++) {
    const candidate = `${digits}${key}`;
    let sum = 0;
    for (let i = 0; i < candidate.length; i++) {
      let d = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
      sum += d;
    }
    if (sum % 10 === 0) return candidate;
  }
  return digits;
}

function clientsCsv(): Buffer {
  const next = random(2024);
  const lines = [
    'Code client;Raison sociale;SIRET;Téléphone;Code postal;Ville;Chiffre d’affaires;Date de création;Actif',
  ];
  for (let i = 0; i < 60; i++) {
    const name = COMPANIES[i]!;
    const [postal, city] = CITIES[Math.floor(next() * CITIES.length)]!;
    const phone = `0${1 + Math.floor(next() * 5)} ${pad(Math.floor(next() * 100), 2)} ${pad(Math.floor(next() * 100), 2)} ${pad(Math.floor(next() * 100), 2)} ${pad(Math.floor(next() * 100), 2)}`;
    const created = new Date(Date.UTC(2005, 0, 1) + Math.floor(next() * 6500) * 86_400_000);
    const date = `${pad(created.getUTCDate(), 2)}/${pad(created.getUTCMonth() + 1, 2)}/${created.getUTCFullYear()}`;
    const turnover = euros(Math.floor(next() * 250_000_00));
    const fields = [
      `C${pad(i + 1, 5)}`,
      name,
      siret(3_562_000_000_000 + i * 7919),
      phone,
      postal,
      city,
      turnover,
      date,
      next() < 0.85 ? 'oui' : 'non',
    ];
    if (i === 17) fields.push('à rappeler'); // a note typed in an extra column: a ragged line
    if (i === 41) fields.splice(7); // a line cut short by a faulty export: another ragged line
    lines.push(fields.join(';'));
  }
  lines.push(
    'C00061;"Société ""Les Délices"" ; traiteur";35620000999991;04 91 00 00 00;13001;Marseille;12\u00a0500,00;29/02/2024;oui',
  );
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'win1252');
}

async function stockXlsx(path: string): Promise<void> {
  const next = random(7);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'stocktake demo';
  workbook.created = new Date(Date.UTC(2024, 5, 30));
  workbook.modified = workbook.created;

  const articles = workbook.addWorksheet('Articles');
  articles.getCell('A1').value = 'Inventaire du stock au 30/06/2024';
  articles.mergeCells('A1:H1');
  articles.getRow(3).values = [
    'Référence',
    'Désignation',
    'Prix',
    null,
    'Quantité',
    'Valeur',
    'Dernière entrée',
    'Fournisseur',
  ];
  articles.mergeCells('C3:D3');
  articles.getRow(4).values = [null, null, 'HT', 'TTC', null, null, null, null];
  const products = [
    'Farine T55 25 kg',
    'Sucre en poudre 10 kg',
    'Beurre AOP 5 kg',
    'Levure fraîche 500 g',
    'Sel de Guérande 1 kg',
    'Chocolat noir 70 %',
  ];
  for (let i = 0; i < 24; i++) {
    const row = 5 + i;
    const price = Math.round(next() * 9000 + 100) / 100;
    const quantity = Math.floor(next() * 400);
    const received = new Date(Date.UTC(2024, Math.floor(next() * 6), 1 + Math.floor(next() * 28)));
    articles.getRow(row).values = [
      `ART-${pad(i + 1, 4)}`,
      i % 5 === 0
        ? { richText: [{ text: products[i % products.length]! }, { font: { bold: true }, text: ' (promo)' }] }
        : products[i % products.length]!,
      price,
      { formula: `C${row}*1.055`, result: Math.round(price * 1.055 * 100) / 100 },
      quantity,
      { formula: `C${row}*E${row}`, result: Math.round(price * quantity * 100) / 100 },
      received,
      i % 4 === 0
        ? { text: 'Moulins Dupont SARL', hyperlink: 'https://example.org/fournisseurs/dupont' }
        : 'Grossiste Martin',
    ];
    articles.getCell(`G${row}`).numFmt = 'dd/mm/yyyy';
  }

  const moves = workbook.addWorksheet('Mouvements');
  moves.getRow(1).values = ['Date', 'Référence', 'Sens', 'Quantité', 'Dépôt'];
  for (let i = 0; i < 40; i++) {
    const day = new Date(
      Date.UTC(2024, 0, 2) + Math.floor(next() * 180) * 86_400_000 + Math.floor(next() * 10) * 3_600_000,
    );
    moves.addRow([
      day,
      `ART-${pad(1 + Math.floor(next() * 24), 4)}`,
      next() < 0.6 ? 'entrée' : 'sortie',
      Math.floor(next() * 50) + 1,
      next() < 0.5 ? '01000' : '2A004',
    ]);
    moves.getCell(`A${i + 2}`).numFmt = 'dd/mm/yyyy hh:mm';
  }

  const settings = workbook.addWorksheet('Paramètres', { state: 'hidden' });
  settings.addRow(['Clé', 'Valeur']);
  settings.addRow(['Taux TVA', 0.055]);
  settings.addRow(['Seuil de réappro', 20]);
  settings.addRow(['Export actif', true]);

  await workbook.xlsx.writeFile(path);
}

/** Writes `clients.csv` and `stock.xlsx` into `dir` (which must exist), the same content on every run. */
export async function generateDemoFiles(dir: string): Promise<void> {
  await writeFile(join(dir, 'clients.csv'), clientsCsv());
  await stockXlsx(join(dir, 'stock.xlsx'));
}
