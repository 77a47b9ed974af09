/**
 * Mapping benchmark: N rows (default 1,000,000) through a compiled 6-field mapping (text+prefix, trim,
 * trim+lowercase, number, date, phone) checked against a target table, in batches of 5,000 as a read
 * yields them. Rows are generated per batch outside the timed part; only `map` is timed. Prints rows/s
 * and peak RSS, then the same without the phone field, whose libphonenumber parse dominates.
 *
 * Usage: npx tsx bench/mapping.ts [rows]
 */

import type { MappingConfig } from '../src/config/schema.ts';
import type { Row, Value } from '../src/connectors/types.ts';
import type { Column, Dataset } from '../src/core/inventory.ts';
import { compileMapping } from '../src/mappers/compile-mapping.ts';
import { printTable } from './bench-table.ts';

const BATCH = 5000;
const ROWS = Number(process.argv[2] ?? 1_000_000);

function column(name: string, type: Column['type'], nativeType: string, extra: Partial<Column> = {}): Column {
  return { name, type, nativeType, nullable: true, primaryKey: false, position: 1, ...extra };
}

function dataset(name: string, columns: Column[]): Dataset {
  return {
    name,
    kind: 'table',
    rowCount: null,
    rowCountExact: false,
    columns,
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
  };
}

const source = dataset('clients', [
  column('id', 'integer', 'integer'),
  column('nom', 'string', 'text'),
  column('email', 'string', 'text'),
  column('montant', 'string', 'text'),
  column('date_creation', 'string', 'text'),
  column('telephone', 'string', 'text'),
]);
const target = dataset('contacts', [
  column('external_id', 'string', 'varchar(20)', { length: 20, nullable: false }),
  column('name', 'string', 'varchar(120)', { length: 120 }),
  column('email', 'string', 'varchar(254)', { length: 254 }),
  column('amount', 'decimal', 'numeric(12,2)', { precision: 12, scale: 2 }),
  column('created_on', 'date', 'date'),
  column('phone', 'string', 'varchar(20)', { length: 20 }),
]);

function mappingWith(phone: boolean): MappingConfig {
  return {
    name: 'contacts',
    from: { source: 'legacy', dataset: 'clients' },
    to: { target: 'newtool', dataset: 'contacts', key: ['external_id'], mode: 'upsert' },
    fields: {
      external_id: { from: 'id', transform: ['text', { prefix: 'CRM-' }] },
      name: { from: 'nom', transform: ['trim'] },
      email: { from: 'email', transform: ['trim', 'lowercase'] },
      amount: { from: 'montant', transform: ['number'] },
      created_on: { from: 'date_creation', transform: [{ date: { formats: ['dd/MM/yyyy', 'yyyy-MM-dd'] } }] },
      ...(phone ? { phone: { from: 'telephone', transform: ['phone'] } } : {}),
    },
  };
}

/** The generator of each source column, by name. */
const GENERATORS: Readonly<Record<string, (i: number) => Value>> = {
  id: (i) => i,
  nom: (i) => `  Société ${i} SARL `,
  email: (i) => ` Client${i}@Example.ORG `,
  montant: (i) => `${(i * 37) % 100_000},${String(i % 100).padStart(2, '0')}`,
  date_creation: (i) =>
    `${String(1 + (i % 28)).padStart(2, '0')}/${String(1 + (i % 12)).padStart(2, '0')}/${2000 + (i % 24)}`,
  telephone: (i) => `06 ${10 + (i % 90)} ${10 + ((i >> 3) % 90)} ${10 + ((i >> 6) % 90)} ${10 + (i % 89)}`,
};

/** Fills `batch` with rows `start…start+BATCH` in the order the mapping reads its columns. */
function fillBatch(batch: Row[], start: number, order: readonly string[]): void {
  const generators = order.map((name) => GENERATORS[name]!);
  for (let r = 0; r < BATCH; r++) {
    const row = batch[r]!;
    for (let c = 0; c < generators.length; c++) row[c] = generators[c]!(start + r);
  }
}

function run(phone: boolean): { rows: number; seconds: number; rejected: number } {
  const compiled = compileMapping(mappingWith(phone), 0, { source, target, targetKind: 'postgres' });
  const batch: Row[] = Array.from({ length: BATCH }, () => []);
  const outs: Value[][] = Array.from({ length: BATCH }, () => []);
  let ns = 0n;
  let rejected = 0;
  for (let start = 0; start < ROWS; start += BATCH) {
    fillBatch(batch, start, compiled.sourceColumns);
    const t0 = process.hrtime.bigint();
    for (let r = 0; r < BATCH; r++) if (compiled.map(batch[r]!, outs[r]!) !== null) rejected++;
    ns += process.hrtime.bigint() - t0;
  }
  return { rows: ROWS, seconds: Number(ns) / 1e9, rejected };
}

const measured: { label: string; seconds: number }[] = [];
for (const phone of [true, false]) {
  const { rows, seconds, rejected } = run(phone);
  measured.push({ label: phone ? '6-field mapping' : '5 fields, no phone', seconds });
  const label = phone
    ? '6 fields (trim/lowercase/number/date/phone/prefix)'
    : '5 fields (the same without phone)';
  console.log(
    `${label}: ${rows.toLocaleString('en')} rows in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds).toLocaleString('en')} rows/s, ${rejected} rejected`,
  );
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (Node ${process.version})`);
printTable(
  measured.map((m) => ({
    benchmark: `map ${ROWS} rows`,
    subject: m.label,
    median_ms: m.seconds * 1000,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    extra: `${Math.round(ROWS / m.seconds)} rows/s`,
    ratio: m.seconds / measured[0]!.seconds,
  })),
);
