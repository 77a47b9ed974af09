/**
 * The inventory workbook (`inventory.xlsx`) for leads who review without tooling: one row per dataset,
 * column and relation, and one per source, failed sources included and shown in red.
 */
import { type Dataset, type Inventory, nativeTypeLabel, type SourceEntry } from '../core/inventory.ts';
import { type CellValue, type TableRow, type TableSheet, writeTableWorkbook } from './xlsx-table.ts';

/** The sheets of the inventory workbook, in order. */
export const INVENTORY_SHEETS = ['Systems', 'Datasets', 'Columns', 'Relations', 'Sources'] as const;

/** Writes the inventory workbook to `file`, streaming rows so that 1,000 tables × 20 columns stay cheap. */
export async function writeInventoryXlsx(inventory: Inventory, file: string): Promise<void> {
  await writeTableWorkbook(file, [
    systemsSheet(inventory),
    datasetsSheet(inventory),
    columnsSheet(inventory),
    relationsSheet(inventory),
    sourcesSheet(inventory),
  ]);
}

function datasetsSheet(inventory: Inventory): TableSheet {
  return {
    name: 'Datasets',
    columns: [
      { header: 'Source' },
      { header: 'System' },
      { header: 'Source kind' },
      { header: 'Dataset' },
      { header: 'Kind' },
      { header: 'Rows', format: 'count' },
      { header: 'Exact?' },
      { header: 'Columns', format: 'count' },
      { header: 'Primary key' },
      { header: 'Foreign keys', format: 'count' },
      { header: 'Size (bytes)', format: 'count' },
      { header: 'Comment', maxWidth: 80 },
    ],
    *rows(): Iterable<TableRow> {
      for (const source of inventory.sources) {
        if (source.status === 'failed') {
          const cells = [
            source.name,
            source.system,
            source.kind,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
          ];
          yield { cells: [...cells, `not scanned: ${failure(source)}`], tone: 'error' };
          continue;
        }
        for (const d of source.datasets) {
          yield {
            cells: [
              source.name,
              source.system,
              source.kind,
              d.name,
              datasetKind(d),
              d.rowCount,
              d.rowCount === null ? null : yesNo(d.rowCountExact),
              d.columns.length,
              d.primaryKey ? d.primaryKey.columns.join(', ') : null,
              d.foreignKeys.length,
              d.sizeBytes ?? d.file?.sizeBytes ?? null,
              d.comment ?? null,
            ],
          };
        }
      }
    },
  };
}

function columnsSheet(inventory: Inventory): TableSheet {
  return {
    name: 'Columns',
    columns: [
      { header: 'Source' },
      { header: 'Dataset' },
      { header: 'Position', format: 'integer' },
      { header: 'Column' },
      { header: 'Logical type' },
      { header: 'Native type' },
      { header: 'Nullable' },
      { header: 'PK' },
      { header: 'Default', maxWidth: 40 },
      { header: 'Auto-increment' },
      { header: 'Comment', maxWidth: 80 },
    ],
    *rows(): Iterable<TableRow> {
      for (const source of inventory.sources) {
        for (const d of source.datasets) {
          for (const c of d.columns) {
            yield {
              cells: [
                source.name,
                d.name,
                c.position,
                c.name,
                c.type,
                nativeTypeLabel(c),
                yesNo(c.nullable),
                c.primaryKey ? 'yes' : null,
                c.default ?? null,
                c.autoIncrement ? 'yes' : null,
                c.comment ?? null,
              ],
            };
          }
        }
      }
    },
  };
}

function relationsSheet(inventory: Inventory): TableSheet {
  return {
    name: 'Relations',
    columns: [
      { header: 'Source' },
      { header: 'Dataset' },
      { header: 'Columns' },
      { header: 'References dataset' },
      { header: 'Referenced columns' },
      { header: 'On delete' },
      { header: 'On update' },
      { header: 'Foreign key' },
    ],
    *rows(): Iterable<TableRow> {
      for (const source of inventory.sources) {
        for (const d of source.datasets) {
          for (const fk of d.foreignKeys) {
            yield {
              cells: [
                source.name,
                d.name,
                fk.columns.join(', '),
                fk.references.dataset,
                fk.references.columns.join(', '),
                fk.onDelete ?? null,
                fk.onUpdate ?? null,
                fk.name ?? null,
              ],
            };
          }
        }
      }
    },
  };
}

// One row per source of each system (a system without sources still gets its row), facts beside declarations.
function systemsSheet(inventory: Inventory): TableSheet {
  return {
    name: 'Systems',
    columns: [
      { header: 'System' },
      { header: 'Vendor' },
      { header: 'Domain' },
      { header: 'Owner' },
      { header: 'Owner e-mail' },
      { header: 'Data steward' },
      { header: 'Criticality' },
      { header: 'Fate' },
      { header: 'Planned date' },
      { header: 'Declared version' },
      { header: 'Source' },
      { header: 'Read: product' },
      { header: 'Read: version' },
      { header: 'Read: size (bytes)', format: 'count' },
      { header: 'Read: encoding' },
      { header: 'Read: last modified' },
      { header: 'Read: author' },
      { header: 'Datasets', format: 'count' },
      { header: 'Rows', format: 'count' },
      { header: 'Description', maxWidth: 80 },
    ],
    *rows(): Iterable<TableRow> {
      const bySource = new Map(inventory.sources.map((s) => [s.name, s]));
      for (const system of inventory.systems) {
        const declared: CellValue[] = [
          system.name,
          system.vendor ?? null,
          system.domain ?? null,
          system.owner?.name ?? null,
          system.owner?.email ?? null,
          system.steward
            ? `${system.steward.name}${system.steward.email ? ` <${system.steward.email}>` : ''}`
            : null,
          system.criticality ?? null,
          system.fate ?? null,
          system.plannedDate ?? null,
          system.version ?? null,
        ];
        const facts = system.facts.length > 0 ? system.facts : [undefined];
        for (const fact of facts) {
          const files = fact?.files ?? [];
          const newest =
            files
              .map((f) => f.modifiedAt)
              .sort()
              .at(-1) ?? null;
          const failed = fact ? bySource.get(fact.source)?.status === 'failed' : false;
          const cells: CellValue[] = [
            ...declared,
            fact?.source ?? null,
            fact?.server?.product ?? (files.length > 0 ? fact!.kind.toUpperCase() : null),
            fact?.server?.version ?? null,
            fact?.server?.sizeBytes ?? (files.length > 0 ? files.reduce((n, f) => n + f.sizeBytes, 0) : null),
            fact?.server?.encoding ?? null,
            newest,
            files.find((f) => f.document?.author)?.document?.author ?? null,
            fact ? fact.datasets : null,
            fact ? fact.rows : null,
            system.description ?? null,
          ];
          yield failed ? { cells, tone: 'error' } : { cells };
        }
      }
    },
  };
}

function sourcesSheet(inventory: Inventory): TableSheet {
  return {
    name: 'Sources',
    columns: [
      { header: 'Source' },
      { header: 'Kind' },
      { header: 'System' },
      { header: 'Status' },
      { header: 'Server' },
      { header: 'Version' },
      { header: 'Datasets', format: 'count' },
      { header: 'Error code' },
      { header: 'Error', maxWidth: 80 },
      { header: 'Hint', maxWidth: 80 },
    ],
    *rows(): Iterable<TableRow> {
      for (const source of inventory.sources) {
        const failed = source.status === 'failed';
        const cells: CellValue[] = [
          source.name,
          source.kind,
          source.system,
          source.status,
          source.server?.product ?? null,
          source.server?.version ?? null,
          failed ? null : source.datasets.length,
          source.error?.code ?? null,
          source.error?.message ?? null,
          source.error?.hint ?? null,
        ];
        yield failed ? { cells, tone: 'error' } : { cells };
      }
    },
  };
}

function datasetKind(d: Dataset): string {
  if (d.materialized) return 'materialized view';
  if (d.partitionOf) return 'partition';
  if (d.partitioned) return 'partitioned table';
  return d.kind;
}

function failure(source: SourceEntry): string {
  return source.error ? `${source.error.code}: ${source.error.message}` : 'failed';
}

function yesNo(value: boolean): string {
  return value ? 'yes' : 'no';
}
