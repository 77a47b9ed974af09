/**
 * The XLSX connector: one dataset per sheet (`workbook/sheet`) of every workbook the source path
 * names, scanned once with exceljs's streaming reader and streamed again in typed batches on read.
 */
import type { SourceConfig } from '../../config/schema.ts';
import { type FileBackend, FileConnector } from '../files/file-connector.ts';
import { fileStamp } from '../files/file-paths.ts';
import type { Connector, ConnectorContext } from '../types.ts';
import { readSheetRows } from './xlsx-rows.ts';
import { type SheetScan, scanWorkbook, type XlsxSourceConfig } from './xlsx-scan.ts';

/** Creates the connector of a `kind: xlsx` source; `config.path` is already absolute. */
export async function createXlsxConnector(
  config: SourceConfig,
  context: ConnectorContext,
): Promise<Connector> {
  const xlsx = config as XlsxSourceConfig;
  // The rows the scans keep for later reads, counted over every workbook of the source.
  const kept = { cells: 0 };
  const backend: FileBackend<SheetScan> = {
    kind: 'xlsx',
    extensions: ['.xlsx', '.xlsm'],
    scan: (file) => scanWorkbook(context.name, file, xlsx, kept),
    read: (scan, positions, options) => readSheetRows(scan, positions, options),
    stamp: fileStamp,
  };
  return new FileConnector(backend, xlsx.path, context);
}
