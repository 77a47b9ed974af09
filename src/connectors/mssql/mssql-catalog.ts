/**
 * SQL Server inventory from the sys.* catalog views in a fixed set of eight set-based queries
 * (server, objects, columns, keys, foreign keys, indexes, partitions, sizes), then exact counts in
 * `COUNT_BIG(*)` UNION ALL chunks. Only catalog views are read, never DMVs, so the inventory needs no
 * VIEW DATABASE STATE; sizes are read last and their failure only loses sizes.
 *
 * Each statement is an exported constant and the conversion is a pure function of the result sets,
 * so both are tested without a server.
 */
import type { Knex } from 'knex';
import { groupBy } from '../../core/group-by.ts';
import type {
  Column,
  Dataset,
  ForeignKey,
  Index,
  KeyConstraint,
  ServerFacts,
  SourceFinding,
  SourceInventory,
} from '../../core/inventory.ts';
import type { DatasetFilter } from '../sql/dataset-filter.ts';
import {
  type CountFailure,
  countFailureFinding,
  countRowsExactly,
  normaliseRows,
} from '../sql/row-counts.ts';
import type { CatalogScope, CountTarget } from '../sql/sql-dialect.ts';
import { formatMssqlType, mssqlLogicalType, mssqlTypeModifiers } from './mssql-types.ts';

/** Quotes a SQL Server identifier: `[a]]b]`. */
export function quoteMssql(name: string): string {
  return `[${name.replaceAll(']', ']]')}]`;
}

/** The count expression of exact row counts: `COUNT(*)` overflows an int above 2^31 rows. */
export const MSSQL_COUNT_EXPRESSION = 'COUNT_BIG(*)';

// The user tables and views every per-column query is restricted to (system objects are is_ms_shipped).
const USER_OBJECT_IDS = `
  SELECT t.object_id FROM sys.tables t WHERE t.is_ms_shipped = 0
  UNION ALL SELECT v.object_id FROM sys.views v WHERE v.is_ms_shipped = 0`;

/** Server and database facts; the database size counts every data and log file (8 KB pages). */
export const MSSQL_SERVER_SQL = `
SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version,
  CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition, @@VERSION AS banner, DB_NAME() AS database_name,
  CAST(DATABASEPROPERTYEX(DB_NAME(), 'Collation') AS nvarchar(128)) AS collation_name,
  CAST(DATABASEPROPERTYEX(DB_NAME(), 'Updateability') AS nvarchar(128)) AS updateability,
  (SELECT CAST(SUM(CAST(f.size AS bigint)) * 8192 AS bigint) FROM sys.database_files f) AS size_bytes`;

/** User tables and views with their MS_Description; database diagrams (sysdiagrams) are left out. */
export const MSSQL_OBJECTS_SQL = `
SELECT t.object_id AS object_id, s.name AS schema_name, t.name AS name, 'U' AS object_type,
  CAST(ep.value AS nvarchar(4000)) AS comment, CAST(NULL AS nvarchar(max)) AS definition
FROM sys.tables t
JOIN sys.schemas s ON s.schema_id = t.schema_id
LEFT JOIN sys.extended_properties ep
  ON ep.class = 1 AND ep.major_id = t.object_id AND ep.minor_id = 0 AND ep.name = N'MS_Description'
WHERE t.is_ms_shipped = 0 AND s.name NOT IN (N'sys', N'INFORMATION_SCHEMA')
  AND NOT EXISTS (SELECT 1 FROM sys.extended_properties d WHERE d.class = 1 AND d.major_id = t.object_id
    AND d.minor_id = 0 AND d.name = N'microsoft_database_tools_support')
UNION ALL
SELECT v.object_id, s.name, v.name, 'V', CAST(ep.value AS nvarchar(4000)), OBJECT_DEFINITION(v.object_id)
FROM sys.views v
JOIN sys.schemas s ON s.schema_id = v.schema_id
LEFT JOIN sys.extended_properties ep
  ON ep.class = 1 AND ep.major_id = v.object_id AND ep.minor_id = 0 AND ep.name = N'MS_Description'
WHERE v.is_ms_shipped = 0 AND s.name NOT IN (N'sys', N'INFORMATION_SCHEMA')
ORDER BY schema_name, name`;

/**
 * Columns with type, size, default, identity, computed expression, GENERATED ALWAYS (temporal periods, SQL Server
 * 2016+) and MS_Description; alias types resolve to their base type.
 */
export const MSSQL_COLUMNS_SQL = `
SELECT c.object_id AS object_id, c.column_id AS position, c.name AS name,
  CASE WHEN t.is_user_defined = 1 AND t.is_assembly_type = 0 THEN bt.name ELSE t.name END AS type_name,
  c.max_length AS max_length, c.[precision] AS numeric_precision, c.scale AS numeric_scale,
  c.is_nullable AS is_nullable, CAST(CASE WHEN ic.column_id IS NULL THEN 0 ELSE 1 END AS bit) AS is_identity,
  c.is_computed AS is_computed, c.generated_always_type AS generated_always_type,
  c.collation_name AS collation_name, dc.definition AS default_definition,
  cc.definition AS computed_definition, CAST(ep.value AS nvarchar(4000)) AS comment
FROM sys.columns c
JOIN sys.types t ON t.user_type_id = c.user_type_id
LEFT JOIN sys.types bt ON bt.user_type_id = c.system_type_id
LEFT JOIN sys.identity_columns ic ON ic.object_id = c.object_id AND ic.column_id = c.column_id
LEFT JOIN sys.default_constraints dc ON dc.parent_object_id = c.object_id AND dc.parent_column_id = c.column_id
LEFT JOIN sys.computed_columns cc ON cc.object_id = c.object_id AND cc.column_id = c.column_id
LEFT JOIN sys.extended_properties ep
  ON ep.class = 1 AND ep.major_id = c.object_id AND ep.minor_id = c.column_id AND ep.name = N'MS_Description'
WHERE c.object_id IN (${USER_OBJECT_IDS})
ORDER BY c.object_id, c.column_id`;

/** Primary keys (PK) and unique constraints (UQ), one row per key column in key order. */
export const MSSQL_KEYS_SQL = `
SELECT kc.parent_object_id AS object_id, kc.name AS name, kc.type AS constraint_type, ic.key_ordinal AS ordinal,
  c.name AS column_name
FROM sys.key_constraints kc
JOIN sys.index_columns ic ON ic.object_id = kc.parent_object_id AND ic.index_id = kc.unique_index_id AND ic.key_ordinal > 0
JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
WHERE kc.parent_object_id IN (${USER_OBJECT_IDS})
ORDER BY kc.parent_object_id, kc.name, ic.key_ordinal`;

/** Foreign keys, one row per column pair, with the referenced schema (possibly another) and the actions. */
export const MSSQL_FOREIGN_KEYS_SQL = `
SELECT fk.parent_object_id AS object_id, fk.name AS name, fkc.constraint_column_id AS ordinal,
  pc.name AS column_name, rs.name AS ref_schema, rt.name AS ref_table, rc.name AS ref_column,
  fk.delete_referential_action_desc AS on_delete, fk.update_referential_action_desc AS on_update,
  fk.is_disabled AS is_disabled
FROM sys.foreign_keys fk
JOIN sys.foreign_key_columns fkc ON fkc.constraint_object_id = fk.object_id
JOIN sys.columns pc ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
JOIN sys.columns rc ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
JOIN sys.objects rt ON rt.object_id = fk.referenced_object_id
JOIN sys.schemas rs ON rs.schema_id = rt.schema_id
WHERE fk.parent_object_id IN (${USER_OBJECT_IDS})
ORDER BY fk.parent_object_id, fk.name, fkc.constraint_column_id`;

/** Indexes (not heaps, not hypothetical) with their key columns; columnstore columns have no key ordinal. */
export const MSSQL_INDEXES_SQL = `
SELECT i.object_id AS object_id, i.name AS name, i.type_desc AS method, i.is_unique AS is_unique,
  i.is_primary_key AS is_primary, i.has_filter AS has_filter, ic.key_ordinal AS ordinal,
  ic.index_column_id AS index_column_id, c.name AS column_name
FROM sys.indexes i
LEFT JOIN sys.index_columns ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.is_included_column = 0
LEFT JOIN sys.columns c ON c.object_id = ic.object_id AND c.column_id = ic.column_id
WHERE i.index_id > 0 AND i.is_hypothetical = 0 AND i.object_id IN (${USER_OBJECT_IDS})
ORDER BY i.object_id, i.name, ic.key_ordinal, ic.index_column_id`;

/** Row estimates from the heap or clustered index (index_id 0 or 1), and whether it sits on a partition scheme. */
export const MSSQL_PARTITIONS_SQL = `
SELECT p.object_id AS object_id, SUM(p.rows) AS row_estimate, COUNT(*) AS partition_count,
  MAX(CASE WHEN ds.type = 'PS' THEN 1 ELSE 0 END) AS on_partition_scheme
FROM sys.partitions p
JOIN sys.indexes i ON i.object_id = p.object_id AND i.index_id = p.index_id
JOIN sys.data_spaces ds ON ds.data_space_id = i.data_space_id
WHERE p.index_id IN (0, 1) AND p.object_id IN (${USER_OBJECT_IDS})
GROUP BY p.object_id`;

/** Bytes reserved by every index, LOB and row-overflow allocation unit of each object (8 KB pages). */
export const MSSQL_SIZES_SQL = `
SELECT p.object_id AS object_id, CAST(SUM(a.total_pages) AS bigint) * 8192 AS size_bytes
FROM sys.partitions p
JOIN sys.allocation_units a ON a.container_id = CASE a.type WHEN 2 THEN p.partition_id ELSE p.hobt_id END
WHERE p.object_id IN (${USER_OBJECT_IDS})
GROUP BY p.object_id`;

/** Every catalog statement, in the order the catalog sends them (before the exact counts). */
export const MSSQL_CATALOG_STATEMENTS = [
  MSSQL_SERVER_SQL,
  MSSQL_OBJECTS_SQL,
  MSSQL_COLUMNS_SQL,
  MSSQL_KEYS_SQL,
  MSSQL_FOREIGN_KEYS_SQL,
  MSSQL_INDEXES_SQL,
  MSSQL_PARTITIONS_SQL,
  MSSQL_SIZES_SQL,
] as const;

/** The raw result sets of the catalog statements, as knex's mssql client returns them. */
export interface MssqlCatalogSets {
  readonly server: RawServer;
  /** Already narrowed to the scope's filter (`selectMssqlObjects`). */
  readonly objects: readonly RawObject[];
  readonly columns: readonly RawColumn[];
  readonly keys: readonly RawKeyColumn[];
  readonly foreignKeys: readonly RawForeignKeyColumn[];
  readonly indexes: readonly RawIndexColumn[];
  readonly partitions: readonly RawPartition[];
  /** Null when the sizes could not be read. */
  readonly sizes: readonly RawSize[] | null;
}

const ACTIONS: Readonly<Record<string, string>> = {
  NO_ACTION: 'NO ACTION',
  CASCADE: 'CASCADE',
  SET_NULL: 'SET NULL',
  SET_DEFAULT: 'SET DEFAULT',
};

/** Reads the inventory of every table and view the scope covers. */
export async function mssqlCatalog(db: Knex, scope: CatalogScope): Promise<SourceInventory> {
  const rows = async <T>(sql: string) => normaliseRows(await db.raw(sql)) as unknown as T[];
  const server = (await rows<RawServer>(MSSQL_SERVER_SQL))[0]!;
  const objects = selectMssqlObjects(await rows<RawObject>(MSSQL_OBJECTS_SQL), scope.filter);
  const empty: MssqlCatalogSets = {
    server,
    objects,
    columns: [],
    keys: [],
    foreignKeys: [],
    indexes: [],
    partitions: [],
    sizes: [],
  };
  if (objects.length === 0) return mssqlInventoryFromSets(empty, new Map());

  const [columns, keys, foreignKeys, indexes, partitions, sizes] = await Promise.all([
    rows<RawColumn>(MSSQL_COLUMNS_SQL),
    rows<RawKeyColumn>(MSSQL_KEYS_SQL),
    rows<RawForeignKeyColumn>(MSSQL_FOREIGN_KEYS_SQL),
    rows<RawIndexColumn>(MSSQL_INDEXES_SQL),
    rows<RawPartition>(MSSQL_PARTITIONS_SQL),
    // Sizes are a nicety: a permission or version problem here must not cost the inventory.
    rows<RawSize>(MSSQL_SIZES_SQL).catch(() => null),
  ]);
  const sets: MssqlCatalogSets = { server, objects, columns, keys, foreignKeys, indexes, partitions, sizes };
  // A table locked past the session's LOCK_TIMEOUT, or a view over a dropped table, keeps its estimate.
  const countFailures: CountFailure[] = [];
  const exact = await countRowsExactly(
    db,
    mssqlCountTargets(sets, scope),
    quoteMssql,
    MSSQL_COUNT_EXPRESSION,
    countFailures,
  );
  const inventory = mssqlInventoryFromSets(sets, exact);
  return countFailures.length === 0
    ? inventory
    : { ...inventory, findings: [...countFailures.map(countFailureFinding), ...(inventory.findings ?? [])] };
}

/** The objects the filter keeps, in catalog order. */
export function selectMssqlObjects(objects: readonly RawObject[], filter: DatasetFilter): RawObject[] {
  return objects.filter((o) => filter.table(o.schema_name, o.name));
}

/** The tables (and, when asked, views) to count exactly: those whose catalog estimate is below `exactBelow`. */
export function mssqlCountTargets(
  sets: Pick<MssqlCatalogSets, 'objects' | 'partitions'>,
  scope: Pick<CatalogScope, 'exactBelow' | 'countViews'>,
): CountTarget[] {
  const estimates = estimatesOf(sets.partitions);
  const targets: CountTarget[] = [];
  for (const o of sets.objects) {
    const key = String(o.object_id);
    const estimate = estimates.get(key);
    const wanted = isView(o) ? scope.countViews : estimate !== undefined && estimate < scope.exactBelow;
    if (wanted) targets.push({ key, schema: o.schema_name, table: o.name });
  }
  return targets;
}

/** Converts the raw result sets and the exact counts (by object_id) into the source inventory. */
export function mssqlInventoryFromSets(
  sets: MssqlCatalogSets,
  exact: ReadonlyMap<string, number>,
): SourceInventory {
  const byObject = <T extends { object_id: number }>(rows: readonly T[]) =>
    groupBy(rows, (r) => String(r.object_id));
  const columnsBy = byObject(sets.columns);
  const keysBy = byObject(sets.keys);
  const foreignKeysBy = byObject(sets.foreignKeys);
  const indexesBy = byObject(sets.indexes);
  const partitionsBy = new Map(sets.partitions.map((p) => [String(p.object_id), p]));
  const sizesBy = new Map((sets.sizes ?? []).map((s) => [String(s.object_id), Number(s.size_bytes)]));
  const findings: SourceFinding[] = [];

  const datasets = sets.objects.map((o): Dataset => {
    const key = String(o.object_id);
    const name = `${o.schema_name}.${o.name}`;
    const partition = partitionsBy.get(key);
    const estimate = partition ? Number(partition.row_estimate) : null;
    const exactCount = exact.get(key);
    if (exactCount === undefined && estimate === null && !isView(o)) {
      findings.push({
        code: 'ROW_COUNT_UNKNOWN',
        severity: 'info',
        dataset: name,
        message:
          'sys.partitions lists no rows for the table (missing metadata permission?); it was not counted',
        messageFr:
          'sys.partitions ne donne aucune ligne pour la table (droit sur les métadonnées manquant ?) ; elle n’a pas été comptée',
      });
    }
    const keys = [...groupBy(keysBy.get(key) ?? [], (k) => k.name).values()];
    const pk = keys.find((k) => k[0]!.constraint_type.trim() === 'PK');
    const primaryKey: KeyConstraint | null = pk
      ? { name: pk[0]!.name, columns: pk.map((k) => k.column_name) }
      : null;
    const uniqueKeys: KeyConstraint[] = keys
      .filter((k) => k[0]!.constraint_type.trim() === 'UQ')
      .map((k) => ({ name: k[0]!.name, columns: k.map((c) => c.column_name) }));
    const pkColumns = new Set(primaryKey?.columns ?? []);
    const size = sizesBy.get(key);
    for (const fk of foreignKeysBy.get(key) ?? []) {
      if (fk.is_disabled && fk.ordinal === 1) {
        findings.push({
          code: 'FOREIGN_KEY_DISABLED',
          severity: 'info',
          dataset: name,
          message: `foreign key ${fk.name} is disabled: the database does not enforce it, orphan rows are possible`,
          messageFr: `la clé étrangère ${fk.name} est désactivée : la base ne la fait pas respecter, des lignes orphelines sont possibles`,
          evidence: { foreignKey: fk.name },
        });
      }
    }
    return {
      name,
      kind: isView(o) ? 'view' : 'table',
      rowCount: exactCount ?? estimate,
      rowCountExact: exactCount !== undefined,
      columns: (columnsBy.get(key) ?? []).map((c) => toColumn(c, pkColumns)),
      primaryKey,
      foreignKeys: [...groupBy(foreignKeysBy.get(key) ?? [], (f) => f.name).values()].map(toForeignKey),
      indexes: [...groupBy(indexesBy.get(key) ?? [], (i) => i.name).values()].map(toIndex),
      schema: o.schema_name,
      table: o.name,
      ...(uniqueKeys.length > 0 ? { uniqueKeys } : {}),
      // An indexed view is SQL Server's materialized view: its clustered index stores the rows.
      ...(isView(o) && partition ? { materialized: true } : {}),
      ...(partition?.on_partition_scheme ? { partitioned: true } : {}),
      // Pages allocated to the object (sys.allocation_units), kept current by the engine.
      ...(size !== undefined ? { sizeBytes: size, sizeExact: true } : {}),
      ...(o.comment ? { comment: o.comment } : {}),
      ...(o.definition ? { definition: o.definition.trim() } : {}),
    };
  });

  if (sets.sizes === null) {
    findings.push({
      code: 'SIZE_UNAVAILABLE',
      severity: 'info',
      message: 'sizes could not be read from sys.allocation_units; datasets are listed without sizeBytes',
      messageFr:
        'les tailles n’ont pas pu être lues dans sys.allocation_units ; les jeux de données sont listés sans sizeBytes',
    });
  }
  if (sets.server.updateability === 'READ_WRITE') {
    findings.push({
      code: 'SESSION_NOT_READ_ONLY',
      severity: 'info',
      message:
        'SQL Server has no read-only session: the database accepts writes (ApplicationIntent=ReadOnly was not routed to ' +
        'a readable secondary); stocktake only sends SELECT statements. A login limited to db_datareader guarantees it.',
      messageFr:
        'SQL Server n’a pas de session en lecture seule : la base accepte les écritures (ApplicationIntent=ReadOnly n’a pas été dirigé vers ' +
        'un secondaire lisible) ; stocktake n’envoie que des SELECT. Une connexion limitée à db_datareader le garantit.',
      evidence: { updateability: sets.server.updateability },
    });
  }
  return { datasets, findings, server: toServerFacts(sets.server) };
}

function isView(o: RawObject): boolean {
  return o.object_type.trim() === 'V';
}

function estimatesOf(partitions: readonly RawPartition[]): Map<string, number> {
  return new Map(partitions.map((p) => [String(p.object_id), Number(p.row_estimate)]));
}

function toServerFacts(s: RawServer): ServerFacts {
  return {
    product: 'SQL Server',
    version: s.edition ? `${s.product_version} (${s.edition})` : s.product_version,
    database: s.database_name,
    ...(s.size_bytes !== null ? { sizeBytes: Number(s.size_bytes) } : {}),
    ...(s.collation_name ? { collation: s.collation_name } : {}),
  };
}

/**
 * Columns SQL Server fills itself and refuses a value for: computed columns, a temporal table's period
 * columns (`GENERATED ALWAYS AS ROW START/END`, SQL Server 2016+) and `rowversion` (sys.types says `timestamp`).
 */
function isGenerated(c: RawColumn): boolean {
  return c.is_computed || (c.generated_always_type ?? 0) > 0 || c.type_name === 'timestamp';
}

function toColumn(c: RawColumn, pk: ReadonlySet<string>): Column {
  const size = { maxLength: c.max_length, precision: c.numeric_precision, scale: c.numeric_scale };
  return {
    name: c.name,
    type: mssqlLogicalType(c.type_name),
    nativeType: formatMssqlType(c.type_name, size),
    nullable: c.is_nullable,
    primaryKey: pk.has(c.name),
    position: c.position,
    ...mssqlTypeModifiers(c.type_name, size),
    ...(c.default_definition !== null ? { default: c.default_definition } : {}),
    ...(c.is_identity ? { autoIncrement: true } : {}),
    ...(isGenerated(c) ? { generated: true } : {}),
    ...(c.comment ? { comment: c.comment } : {}),
    ...(c.collation_name ? { collation: c.collation_name } : {}),
  };
}

function toForeignKey(rows: RawForeignKeyColumn[]): ForeignKey {
  const first = rows[0]!;
  return {
    name: first.name,
    columns: rows.map((r) => r.column_name),
    references: { dataset: `${first.ref_schema}.${first.ref_table}`, columns: rows.map((r) => r.ref_column) },
    onDelete: ACTIONS[first.on_delete] ?? first.on_delete,
    onUpdate: ACTIONS[first.on_update] ?? first.on_update,
  };
}

function toIndex(rows: RawIndexColumn[]): Index {
  const first = rows[0]!;
  return {
    name: first.name,
    columns: rows.filter((r) => r.column_name !== null).map((r) => r.column_name!),
    unique: first.is_unique,
    ...(first.is_primary ? { primary: true } : {}),
    method: first.method,
    ...(first.has_filter ? { partial: true } : {}),
  };
}

// tedious returns int/smallint/tinyint as numbers, bigint as strings, bit as booleans, char(n) padded.

interface RawServer {
  product_version: string;
  edition: string | null;
  banner: string;
  database_name: string;
  collation_name: string | null;
  updateability: string | null;
  size_bytes: string | null;
}

interface RawObject {
  object_id: number;
  schema_name: string;
  name: string;
  object_type: 'U' | 'V';
  comment: string | null;
  definition: string | null;
}

interface RawColumn {
  object_id: number;
  position: number;
  name: string;
  type_name: string;
  max_length: number;
  numeric_precision: number;
  numeric_scale: number;
  is_nullable: boolean;
  is_identity: boolean;
  is_computed: boolean;
  /** 0 for a plain column; 1, 2 (row start, end) and 7–10 (transaction and sequence ids) for GENERATED ALWAYS. */
  generated_always_type?: number | null;
  collation_name: string | null;
  default_definition: string | null;
  // The computed column's expression; the inventory's Column has no field for it yet.
  computed_definition: string | null;
  comment: string | null;
}

interface RawKeyColumn {
  object_id: number;
  name: string;
  constraint_type: 'PK' | 'UQ';
  ordinal: number;
  column_name: string;
}

interface RawForeignKeyColumn {
  object_id: number;
  name: string;
  ordinal: number;
  column_name: string;
  ref_schema: string;
  ref_table: string;
  ref_column: string;
  on_delete: string;
  on_update: string;
  is_disabled: boolean;
}

interface RawIndexColumn {
  object_id: number;
  name: string;
  method: string;
  is_unique: boolean;
  is_primary: boolean;
  has_filter: boolean;
  ordinal: number | null;
  index_column_id: number | null;
  column_name: string | null;
}

interface RawPartition {
  object_id: number;
  row_estimate: string;
  partition_count: number;
  on_partition_scheme: number;
}

interface RawSize {
  object_id: number;
  size_bytes: string;
}
