/** The console summary of an inventory: one block per source, a line per dataset kind, failures first. */
import {
  countsInTotal,
  type Dataset,
  type Inventory,
  rowTotal,
  type SourceEntry,
} from '../core/inventory.ts';

const number = new Intl.NumberFormat('en-US');

/** Formats a byte count: `12.4 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The summary lines printed after `stocktake inventory`; at most `maxDatasets` datasets per source are listed. */
export function summariseInventory(inventory: Inventory, maxDatasets = 15): string[] {
  const lines: string[] = [];
  const ok = inventory.sources.filter((s) => s.status === 'ok');
  const datasets = ok.reduce((n, s) => n + s.datasets.length, 0);
  const columns = ok.reduce((n, s) => n + s.datasets.reduce((m, d) => m + d.columns.length, 0), 0);
  lines.push(
    `Inventory: ${inventory.sources.length} source(s), ${number.format(datasets)} dataset(s), ${number.format(columns)} column(s)`,
  );
  // Sources are grouped by the system they belong to, in the config's order; sources without one come last.
  const bySystem = new Map<string | null, SourceEntry[]>(inventory.systems.map((s) => [s.name, []]));
  for (const source of inventory.sources) {
    const key = source.system !== null && bySystem.has(source.system) ? source.system : null;
    bySystem.set(key, [...(bySystem.get(key) ?? []), source]);
  }
  for (const [name, sources] of bySystem) {
    if (sources.length === 0 && name !== null) {
      lines.push('', describeSystem(inventory, name), '  (no source scanned)');
      continue;
    }
    if (sources.length === 0) continue;
    lines.push(
      '',
      name === null
        ? inventory.systems.length > 0
          ? 'Sources without a system'
          : ''
        : describeSystem(inventory, name),
    );
    for (const source of sources) lines.push(...describeSource(source, maxDatasets).map((l) => `  ${l}`));
  }
  for (const f of inventory.findings ?? []) {
    if (f.severity !== 'info') lines.push(`! ${f.code}: ${f.message}`);
  }
  return lines.filter((line, i) => line !== '' || lines[i - 1] !== '');
}

function describeSystem(inventory: Inventory, name: string): string {
  const system = inventory.systems.find((s) => s.name === name)!;
  const parts = [
    system.vendor,
    system.owner
      ? `owner ${system.owner.name}${system.owner.email ? ` <${system.owner.email}>` : ''}`
      : 'no owner',
    system.fate ? `fate: ${system.fate}${system.plannedDate ? ` on ${system.plannedDate}` : ''}` : undefined,
  ].filter(Boolean);
  return `System ${name} (${parts.join(', ')})`;
}

function describeSource(source: SourceEntry, maxDatasets: number): string[] {
  const head = `${source.name} (${source.kind})`;
  if (source.status === 'failed') {
    // A source whose every file failed lists each file's finding under its own error.
    const files = source.findings.filter((f) => f.severity !== 'info' && f.message !== source.error!.message);
    return [
      `✗ ${head}: ${source.error!.message}`,
      ...(source.error!.hint ? [`    → ${source.error!.hint}`] : []),
      ...files.map(describeFinding),
    ];
  }
  const server = source.server ? ` — ${source.server.product} ${source.server.version}` : '';
  const lines = [`✓ ${head}${server}`];
  const byKind = new Map<string, number>();
  for (const d of source.datasets) {
    const kind = kindOf(d);
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  }
  const kinds = [...byKind].map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ');
  // Each row once: a partition's rows are in its partitioned table's count.
  const total = rowTotal(source.datasets);
  const inTotal = countsInTotal(source.datasets);
  const uncounted = !total.exact && !source.datasets.some((d) => inTotal(d) && d.rowCount !== null);
  const totalRows = uncounted
    ? 'rows not counted'
    : `${total.exact ? '' : '~'}${number.format(total.rows)} row${total.rows === 1 ? '' : 's'}`;
  lines.push(`    ${kinds ? `${kinds}; ${totalRows}` : 'no datasets'}`);
  const width = Math.min(40, Math.max(8, ...source.datasets.map((d) => d.name.length)));
  for (const d of source.datasets.slice(0, maxDatasets)) {
    const rows =
      d.rowCount === null
        ? 'rows not counted'
        : `${d.rowCountExact ? '' : '~'}${number.format(d.rowCount)} rows`;
    const keys = [d.primaryKey ? 'PK' : 'no PK', d.foreignKeys.length > 0 ? `${d.foreignKeys.length} FK` : '']
      .filter(Boolean)
      .join(', ');
    lines.push(
      `    ${d.name.padEnd(width)}  ${d.kind.padEnd(5)}  ${String(d.columns.length).padStart(3)} cols  ${rows}  (${keys})`,
    );
  }
  if (source.datasets.length > maxDatasets)
    lines.push(`    … and ${source.datasets.length - maxDatasets} more`);
  for (const f of source.findings.filter((f) => f.severity !== 'info')) lines.push(describeFinding(f));
  return lines;
}

function kindOf(d: Dataset): string {
  if (d.materialized) return 'materialized view';
  if (d.partitionOf) return 'partition';
  if (d.partitioned) return 'partitioned table';
  return d.kind;
}

function describeFinding(f: SourceEntry['findings'][number]): string {
  return `    ${f.severity === 'error' ? '✗' : '!'} ${f.code}${f.dataset ? ` ${f.dataset}` : ''}: ${f.message}`;
}
