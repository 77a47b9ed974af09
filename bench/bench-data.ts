/** The data files the benchmarks read, written deterministically and streamed (never whole in memory). */
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

const CITIES = ['Paris', 'Lyon', 'Marseille', 'Saint-Étienne', 'Besançon', 'Nîmes', 'Orléans', 'Créteil'];

/** Writes a header and `rows` lines made by `line(i)` (1-based), in 64 KB chunks with back-pressure. */
export async function writeCsvLines(
  path: string,
  header: string,
  rows: number,
  line: (i: number) => string,
): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk = '';
    }
  }
  out.end(chunk);
  await finished(out);
}

/** The 11-column file of the CSV read and profile benchmarks (about 120 bytes a row). */
export function writeBenchCsv(path: string, rows: number): Promise<void> {
  return writeCsvLines(
    path,
    'id,code,name,email,amount,quantity,created_on,updated_at,active,postal_code,city',
    rows,
    (i) => {
      const day = new Date(Date.UTC(2015, 0, 1) + ((i * 7919) % 3650) * 86_400_000).toISOString();
      const postal = String(((i * 13) % 95_000) + 1000).padStart(5, '0');
      return `${i},C${String(i % 1_000_000).padStart(7, '0')},"Client ${i} SARL",client${i}@example.org,${((i * 37) % 100_000) / 100},${i % 500},${day.slice(0, 10)},${day.slice(0, 11)}${String(i % 24).padStart(2, '0')}:15:00,${i % 3 === 0 ? 'true' : 'false'},${postal},${CITIES[i % CITIES.length]}`;
    },
  );
}

/** The path of the 11-column file of `rows` rows in bench/out/, written on first use (later runs reuse it). */
export async function benchCsvFile(rows: number): Promise<string> {
  const out = join(dirname(fileURLToPath(import.meta.url)), 'out');
  mkdirSync(out, { recursive: true });
  const path = join(out, `bench-${rows}.csv`);
  if (!existsSync(path)) {
    process.stderr.write(`writing ${path}…\n`);
    await writeBenchCsv(path, rows);
  }
  process.stderr.write(`${path}: ${rows} rows, ${(statSync(path).size / 1024 / 1024).toFixed(0)} MB\n`);
  return path;
}

/** The 6-column file of the load benchmark. */
export function writeLoadCsv(path: string, rows: number): Promise<void> {
  return writeCsvLines(path, 'id,code,name,email,amount,created_at', rows, (i) => {
    const at = new Date(Date.UTC(2015, 0, 1) + ((i * 7919) % 3650) * 86_400_000 + (i % 86_400) * 1000);
    const city = CITIES[i % CITIES.length];
    return `${i},C${String(i).padStart(8, '0')},"Client ${i} SARL, ${city} — entrepôt ${i % 97}",client.${i}@example-mail.org,${((i * 37) % 10_000_000) / 100},${at.toISOString().slice(0, 19)}`;
  });
}
