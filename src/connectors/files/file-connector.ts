/**
 * The connector CSV files and workbooks share: expand the source path, scan every file (one failing
 * file becomes an error finding, never the end of the inventory), look datasets up by name, and
 * rescan a file that changed on disk before reading it. The backend scans and reads one file.
 */
import { isStocktakeError, StocktakeError } from '../../core/errors.ts';
import type { Dataset, Finding, SourceInventory } from '../../core/inventory.ts';
import type { DatasetObservation } from '../../profilers/observation.ts';
import type {
  Connector,
  ConnectorContext,
  DatasetRef,
  InventoryOptions,
  ReadOptions,
  ReadShape,
  Row,
} from '../types.ts';
import { expandSourcePath, type SourceFile } from './file-paths.ts';

/** One dataset a backend found in a file, with whatever it needs to read it again. */
export interface ScannedDataset {
  readonly file: SourceFile;
  readonly dataset: Dataset;
  /** Size and modification time of the file when scanned. */
  readonly stamp: string;
  /** The dataset's profile, when the backend took it during the scan (`observeFiles`). */
  observation?: DatasetObservation;
}

/**
 * Frequency-table entries of scanned profiles kept until the profile stage takes them (about 100
 * bytes each); the files scanned past it are profiled by a second read, so memory stays bounded.
 */
export const SCANNED_PROFILE_BUDGET = 2_000_000;

/** What a file format brings: how to scan one file and how to read one of its datasets. */
export interface FileBackend<S extends ScannedDataset> {
  readonly kind: 'csv' | 'xlsx';
  /** Extensions (lower case, with the dot) picked from a folder. */
  readonly extensions: readonly string[];
  scan(file: SourceFile, signal?: AbortSignal): Promise<{ datasets: S[]; findings: Finding[] }>;
  /** Streams rows of the given column positions (0-based), converted to contract values. */
  read(scanned: S, columns: readonly number[], options: ReadOptions): AsyncIterable<Row[]>;
  /** The current size and modification time of a file. */
  stamp(path: string): Promise<string | undefined>;
}

/** A connector over the files of one source path. */
export class FileConnector<S extends ScannedDataset> implements Connector {
  readonly kind: string;
  readonly name: string;
  readonly #path: string;
  readonly #backend: FileBackend<S>;
  #scanned: Map<string, S> | undefined;
  /** Files that could not be scanned, by file dataset name, with the error a read must throw. */
  #failed = new Map<string, StocktakeError>();
  /** Profiles taken during the scan, by dataset name, until `scannedProfile` hands them over. */
  #observations = new Map<string, DatasetObservation>();
  #observed = 0;

  constructor(backend: FileBackend<S>, path: string, context: ConnectorContext) {
    this.kind = backend.kind;
    this.name = context.name;
    this.#path = path;
    this.#backend = backend;
  }

  async connect(): Promise<void> {
    await expandSourcePath(this.name, this.#path, this.#backend.extensions);
  }

  async inventory(options: InventoryOptions = {}): Promise<SourceInventory> {
    const files = await expandSourcePath(this.name, this.#path, this.#backend.extensions);
    const scanned = new Map<string, S>();
    const findings: Finding[] = [];
    this.#failed = new Map();
    this.#observations = new Map();
    this.#observed = 0;
    for (const file of files) {
      options.onStep?.(`${this.name}: scanning ${file.path}`);
      try {
        const result = await this.#backend.scan(file);
        // A file written to while it was scanned gives counts and types of neither version.
        const now = await this.#backend.stamp(file.path);
        if (result.datasets.some((entry) => entry.stamp !== now)) throw fileChanged(this.name, file.path);
        for (const entry of result.datasets) {
          scanned.set(entry.dataset.name, entry);
          this.#keepObservation(entry);
        }
        findings.push(...result.findings);
      } catch (error) {
        const failure = asStocktakeError(error, file);
        this.#failed.set(file.name, failure);
        findings.push({
          code: failure.code,
          severity: 'error',
          source: this.name,
          dataset: file.name,
          message: failure.message,
          evidence: { file: file.path, ...failure.context },
        });
      }
    }
    if (files.length === 0) {
      findings.push({
        code: 'FILE_NOT_FOUND',
        severity: 'warning',
        source: this.name,
        message: `no ${this.#backend.extensions.join(' or ')} file matches ${this.#path}`,
        messageFr: `aucun fichier ${this.#backend.extensions.join(' ou ')} ne correspond à ${this.#path}`,
        evidence: { path: this.#path },
      });
    }
    this.#scanned = scanned;
    return { datasets: [...scanned.values()].map((entry) => entry.dataset), findings };
  }

  async shape(ref: DatasetRef, options: Pick<ReadOptions, 'columns'> = {}): Promise<ReadShape> {
    const entry = await this.#entry(ref);
    const positions = this.#positions(entry.dataset, options.columns);
    return {
      columns: positions.map((i) => ({
        name: entry.dataset.columns[i]!.name,
        type: entry.dataset.columns[i]!.type,
      })),
    };
  }

  async *read(ref: DatasetRef, options: ReadOptions = {}): AsyncIterable<Row[]> {
    let entry = await this.#entry(ref);
    if ((await this.#backend.stamp(entry.file.path)) !== entry.stamp) {
      // The file changed since it was scanned: its types may no longer hold, so scan it again.
      const result = await this.#backend.scan(entry.file);
      for (const fresh of result.datasets) {
        delete fresh.observation;
        this.#scanned!.set(fresh.dataset.name, fresh);
      }
      entry = await this.#entry(ref);
    }
    const positions = this.#positions(entry.dataset, options.columns);
    yield* this.#backend.read(entry, positions, options);
    // Rows read from a file written to meanwhile are of neither version: a diff of them would delete or
    // cut rows. The read fails instead, before a plan or a migration uses them.
    if ((await this.#backend.stamp(entry.file.path)) !== entry.stamp)
      throw fileChanged(this.name, entry.file.path);
  }

  async scannedProfile(ref: DatasetRef): Promise<DatasetObservation | undefined> {
    const entry = await this.#entry(ref);
    const observation = this.#observations.get(entry.dataset.name);
    if (observation === undefined) return undefined;
    this.#observations.delete(entry.dataset.name);
    // A file that changed since its scan is read again by the caller (and rescanned by `read`).
    if ((await this.#backend.stamp(entry.file.path)) !== entry.stamp) return undefined;
    return observation;
  }

  async close(): Promise<void> {
    // Files are opened per scan and per read and closed by them.
  }

  async #entry(ref: DatasetRef): Promise<S> {
    if (!this.#scanned) await this.inventory();
    const scanned = this.#scanned!;
    const exact = scanned.get(ref.name);
    if (exact) return exact;
    for (const [name, failure] of this.#failed) {
      if (ref.name === name || ref.name.startsWith(`${name}/`)) throw failure;
    }
    // A folder or workbook prefix may be left out when the rest is unambiguous.
    const matches = [...scanned.values()].filter((entry) => entry.dataset.name.endsWith(`/${ref.name}`));
    if (matches.length === 1) return matches[0]!;
    throw new StocktakeError(
      'DATASET_NOT_FOUND',
      matches.length > 1
        ? `source ${this.name}: "${ref.name}" is ambiguous (${matches.map((m) => m.dataset.name).join(', ')})`
        : `source ${this.name}: no dataset "${ref.name}"`,
      { context: { source: this.name, dataset: ref.name } },
    );
  }

  /** Moves a scanned profile into the kept ones while they fit the budget; drops it past it. */
  #keepObservation(entry: S): void {
    const observation = entry.observation;
    if (observation === undefined) return;
    delete entry.observation;
    const size = observationSize(observation);
    if (this.#observed + size > SCANNED_PROFILE_BUDGET) return;
    this.#observed += size;
    this.#observations.set(entry.dataset.name, observation);
  }

  #positions(dataset: Dataset, wanted: readonly string[] | undefined): number[] {
    if (!wanted) return dataset.columns.map((_, i) => i);
    return wanted.map((name) => {
      const index = dataset.columns.findIndex((c) => c.name === name);
      if (index < 0) {
        throw new StocktakeError(
          'DATASET_NOT_FOUND',
          `source ${this.name}: dataset ${dataset.name} has no column "${name}"`,
          {
            context: { source: this.name, dataset: dataset.name, column: name },
          },
        );
      }
      return index;
    });
  }
}

/** Frequency-table entries an observation holds. */
function observationSize(observation: DatasetObservation): number {
  let size = 0;
  for (const column of observation.columns) size += column.frequencies.size;
  return size;
}

function asStocktakeError(error: unknown, file: SourceFile): StocktakeError {
  if (isStocktakeError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StocktakeError('FILE_UNREADABLE', `${file.path}: cannot be read (${message})`, {
    context: { file: file.path },
    cause: error,
  });
}

function fileChanged(source: string, path: string): StocktakeError {
  return new StocktakeError(
    'FILE_CHANGED',
    `${path}: the file changed while it was read (its size or modification time is not what it was when the read began)`,
    {
      hint: 'run again once whatever writes the file has finished (or read a copy of it)',
      context: { source, file: path },
    },
  );
}
