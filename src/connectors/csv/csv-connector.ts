/**
 * The CSV connector: one dataset per file of the source path (a file, a folder or a glob), each
 * sniffed, scanned once for the inventory, and streamed in typed batches on read.
 */
import type { SourceConfig } from '../../config/schema.ts';
import { type FileBackend, FileConnector } from '../files/file-connector.ts';
import { fileStamp } from '../files/file-paths.ts';
import type { Connector, ConnectorContext } from '../types.ts';
import { normaliseEncoding } from './csv-encoding.ts';
import { readCsvRows } from './csv-reader.ts';
import { type CsvFileScan, RANGE_SCAN_BYTES, scanCsvFile } from './csv-scan.ts';
import { type CsvSourceConfig, dateOrderOf } from './csv-sniff.ts';

/** Creates the connector of a `kind: csv` source; `config.path` is already absolute. */
export async function createCsvConnector(
  config: SourceConfig,
  context: ConnectorContext,
): Promise<Connector> {
  const csv = config as CsvSourceConfig;
  // Bad options are config errors, reported before any file is opened.
  if (csv.encoding) normaliseEncoding(csv.encoding, context.name);
  dateOrderOf(csv.dateFormat, context.name);
  const backend: FileBackend<CsvFileScan> = {
    kind: 'csv',
    extensions: ['.csv', '.tsv', '.txt'],
    scan: async (file, signal) => {
      const scan = await scanCsvFile(context.name, file, csv, signal, {
        observe: context.observeFiles === true,
        ...(csv.threads === 2 ? { rangeScanBytes: RANGE_SCAN_BYTES } : {}),
      });
      return { datasets: [scan], findings: scan.findings };
    },
    read: (scan, positions, options) => readCsvRows(scan, positions, options),
    stamp: fileStamp,
  };
  return new FileConnector(backend, csv.path, context);
}
