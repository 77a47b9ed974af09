/** In-memory connectors and a fake Writer for the plan and migrate unit tests. */
import type { Config, MappingConfig } from '../../src/config/schema.ts';
import type { Connector, ReadOptions, Row, Value } from '../../src/connectors/types.ts';
import type {
  BatchResult,
  Checkpoint,
  WriteBatch,
  WriteRejection,
  Writer,
  WriteTarget,
} from '../../src/connectors/writer-types.ts';
import type { Column, Dataset } from '../../src/core/inventory.ts';
import type { OpenedSide } from '../../src/mappers/preflight.ts';

/** A column; `extra` overrides the rest. */
export function col(name: string, type: Column['type'], extra: Partial<Column> = {}): Column {
  return { name, type, nativeType: type, nullable: true, primaryKey: false, position: 1, ...extra };
}

/** A table with a unique key on `key`. */
export function table(
  name: string,
  columns: Column[],
  key: string[] = [],
  extra: Partial<Dataset> = {},
): Dataset {
  return {
    name,
    kind: 'table',
    rowCount: null,
    rowCountExact: false,
    columns: columns.map((c, i) => ({ ...c, position: i + 1 })),
    primaryKey: key.length > 0 ? { columns: key } : null,
    foreignKeys: [],
    indexes: [],
    ...extra,
  };
}

/** A fake database: datasets and their rows (in column order), read in batches of 3. */
export class MemoryConnector implements Connector {
  readonly kind: string;
  readonly name: string;
  readonly datasets: Dataset[];
  readonly rows = new Map<string, Row[]>();
  readonly checkpoints = new Map<string, Checkpoint>();
  /** Throws a connection error when applying this batch number (1-based), once. */
  failAtBatch: number | undefined;
  /** Keys (JSON of the key tuple) the database refuses, with a reason. */
  refuse = new Map<string, string>();
  /** Folds text keys like a case-insensitive collation. */
  foldKeys = false;
  batchesApplied = 0;
  writes = 0;

  constructor(kind: string, name: string, datasets: Dataset[]) {
    this.kind = kind;
    this.name = name;
    this.datasets = datasets;
    for (const d of datasets) this.rows.set(d.name, []);
  }

  async connect(): Promise<void> {}
  async inventory() {
    return { datasets: this.datasets };
  }
  async shape() {
    return { columns: [] };
  }
  async close(): Promise<void> {}

  async *read(ref: { name: string }, options: ReadOptions = {}): AsyncIterable<Row[]> {
    const dataset = this.datasets.find((d) => d.name === ref.name)!;
    const names = dataset.columns.map((c) => c.name);
    const picks = (options.columns ?? names).map((c) => names.indexOf(c));
    const rows = this.rows.get(ref.name)!;
    for (let i = 0; i < rows.length; i += 3) {
      yield rows.slice(i, i + 3).map((r) => picks.map((p) => r[p] ?? null));
    }
  }

  /** The side preflight expects. */
  side(): OpenedSide {
    return { name: this.name, kind: this.kind, connector: this, datasets: this.datasets };
  }

  async writer(target: WriteTarget): Promise<Writer> {
    const dataset = this.datasets.find((d) => d.name === target.dataset)!;
    const names = dataset.columns.map((c) => c.name);
    const positions = target.columns.map((c) => names.indexOf(c));
    const keyAt = target.key.map((k) => names.indexOf(k));
    const rows = this.rows.get(target.dataset)!;
    const keyText = (values: readonly Value[]) =>
      JSON.stringify(values.map((v) => (this.foldKeys && typeof v === 'string' ? v.toLowerCase() : v)));
    const find = (key: string) => rows.findIndex((r) => keyText(keyAt.map((k) => r[k] ?? null)) === key);
    const self = this;
    return {
      async applyBatch(batch: WriteBatch): Promise<BatchResult> {
        self.batchesApplied++;
        if (self.failAtBatch === self.batchesApplied) {
          self.failAtBatch = undefined;
          throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
        }
        const result = { inserted: 0, updated: 0, deleted: 0, rejected: [] as WriteRejection[] };
        for (const key of batch.deletes ?? []) {
          const at = find(keyText(key));
          if (at >= 0) {
            rows.splice(at, 1);
            result.deleted++;
          }
        }
        const lists = [
          ['upserts', batch.upserts],
          ['inserts', batch.inserts ?? []],
        ] as const;
        for (const [list, values] of lists) {
          values.forEach((row, index) => {
            const key = keyText(target.key.map((k) => row[target.columns.indexOf(k)] ?? null));
            const reason = self.refuse.get(key);
            if (reason) {
              result.rejected.push({ list, index, reason });
              return;
            }
            const full: Row = names.map(() => null);
            positions.forEach((p, i) => {
              full[p] = row[i] ?? null;
            });
            const at = find(key);
            self.writes++;
            if (at >= 0) {
              rows[at] = full;
              result.updated++;
            } else {
              rows.push(full);
              result.inserted++;
            }
          });
        }
        self.checkpoints.set(batch.checkpoint.mapping, batch.checkpoint);
        return result;
      },
      async readCheckpoint(mapping: string) {
        return self.checkpoints.get(mapping) ?? null;
      },
      async clearCheckpoint(mapping: string) {
        self.checkpoints.delete(mapping);
      },
    };
  }
}

/** A config with one mapping and the named source and target. */
export function configWith(mappings: MappingConfig[]): Config {
  return {
    sources: { crm: { kind: 'sqlite', path: 'crm.sqlite' } },
    targets: { newtool: { kind: 'sqlite', path: 'newtool.sqlite' } },
    mappings,
  } as Config;
}
