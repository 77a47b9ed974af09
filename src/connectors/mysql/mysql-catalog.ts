/**
 * MySQL/MariaDB inventory from information_schema in a fixed handful of set-based queries: server
 * facts and databases, tables, columns, key constraints, indexes (and MariaDB's JSON checks), then
 * exact counts in UNION ALL chunks. Every column is aliased in lower case: MySQL 8 answers in upper case.
 */

import type { Knex } from 'knex';
import { groupBy } from '../../core/group-by.ts';
import type {
  Column,
  Dataset,
  Index,
  KeyConstraint,
  SourceFinding,
  SourceInventory,
} from '../../core/inventory.ts';
import {
  type CountFailure,
  countFailureFinding,
  countRowsExactly,
  normaliseRows,
} from '../sql/row-counts.ts';
import type { CatalogScope, CountTarget } from '../sql/sql-dialect.ts';
import { mysqlEnumValues, mysqlLogicalType } from './mysql-types.ts';

/** Quotes a MySQL/MariaDB identifier with backticks. */
export function quoteMysql(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

const SERVER_SQL = `
SELECT version() AS version, @@version_comment AS version_comment, DATABASE() AS database_name,
  @@character_set_database AS charset_name, @@collation_database AS collation_name,
  IF(@@global.time_zone = 'SYSTEM', @@system_time_zone, @@global.time_zone) AS time_zone`;

// The server's own databases are never inventoried.
const SCHEMATA_SQL = `
SELECT SCHEMA_NAME AS schema_name FROM information_schema.SCHEMATA
WHERE SCHEMA_NAME NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')`;

// Sequences (MariaDB) are counters, not data; system-versioned tables are tables.
const TABLES_SQL = `
SELECT t.TABLE_SCHEMA AS table_schema, t.TABLE_NAME AS table_name, t.TABLE_TYPE AS table_type,
  t.TABLE_ROWS AS estimate, t.DATA_LENGTH AS data_bytes, t.INDEX_LENGTH AS index_bytes, t.ENGINE AS engine,
  t.TABLE_COLLATION AS collation_name, t.CREATE_OPTIONS AS create_options, t.TABLE_COMMENT AS comment,
  v.VIEW_DEFINITION AS definition
FROM information_schema.TABLES t
LEFT JOIN information_schema.VIEWS v
  ON v.TABLE_SCHEMA = t.TABLE_SCHEMA AND v.TABLE_NAME = t.TABLE_NAME AND v.TABLE_SCHEMA IN (?)
WHERE t.TABLE_SCHEMA IN (?) AND t.TABLE_TYPE IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED')`;

const COLUMNS_SQL = `
SELECT TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name, COLUMN_NAME AS name,
  ORDINAL_POSITION AS position, COLUMN_DEFAULT AS default_value, IS_NULLABLE AS is_nullable,
  DATA_TYPE AS data_type, COLUMN_TYPE AS column_type, CHARACTER_MAXIMUM_LENGTH AS char_length,
  NUMERIC_PRECISION AS numeric_precision, NUMERIC_SCALE AS numeric_scale,
  DATETIME_PRECISION AS datetime_precision, CHARACTER_SET_NAME AS charset_name,
  COLLATION_NAME AS collation_name, EXTRA AS extra,
  COLUMN_COMMENT AS comment, GENERATION_EXPRESSION AS generation_expression
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA IN (?)`;

// One row per key column; a foreign key's referenced column sits on the same row, in key order. The rows
// come from KEY_COLUMN_USAGE, which MariaDB shows to a SELECT-only user; TABLE_CONSTRAINTS and
// REFERENTIAL_CONSTRAINTS it hides from them, so the type is read from the key itself when they are
// empty (PRIMARY is the primary key, a referenced table makes a foreign key, the rest are unique), and
// the referential actions are then unknown (NULL).
const CONSTRAINTS_SQL = `
SELECT k.TABLE_SCHEMA AS table_schema, k.TABLE_NAME AS table_name, k.CONSTRAINT_NAME AS name,
  COALESCE(tc.CONSTRAINT_TYPE, CASE WHEN k.REFERENCED_TABLE_NAME IS NOT NULL THEN 'FOREIGN KEY'
    WHEN k.CONSTRAINT_NAME = 'PRIMARY' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END) AS constraint_type,
  k.COLUMN_NAME AS column_name, k.ORDINAL_POSITION AS position,
  k.REFERENCED_TABLE_SCHEMA AS ref_schema, k.REFERENCED_TABLE_NAME AS ref_table,
  k.REFERENCED_COLUMN_NAME AS ref_column, rc.UPDATE_RULE AS on_update, rc.DELETE_RULE AS on_delete
FROM information_schema.KEY_COLUMN_USAGE k
LEFT JOIN information_schema.TABLE_CONSTRAINTS tc
  ON tc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND tc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
  AND tc.TABLE_SCHEMA = k.TABLE_SCHEMA AND tc.TABLE_NAME = k.TABLE_NAME AND tc.TABLE_SCHEMA IN (?)
LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS rc
  ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME
  AND rc.TABLE_NAME = k.TABLE_NAME AND rc.CONSTRAINT_SCHEMA IN (?)
WHERE k.TABLE_SCHEMA IN (?)
  AND (tc.CONSTRAINT_TYPE IS NULL OR tc.CONSTRAINT_TYPE IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY'))`;

// MySQL 8.0.13+ lists functional key parts in EXPRESSION; older MySQL and MariaDB have no such column.
const indexesSql = (withExpressions: boolean) => `
SELECT TABLE_SCHEMA AS table_schema, TABLE_NAME AS table_name, INDEX_NAME AS name,
  NON_UNIQUE AS non_unique, SEQ_IN_INDEX AS position, COLUMN_NAME AS column_name,
  ${withExpressions ? 'EXPRESSION' : 'NULL'} AS expression, INDEX_TYPE AS method
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA IN (?)`;

// MariaDB's JSON is LONGTEXT with a json_valid() check; the check is how a JSON column is recognised.
// Tables the user reads through column grants alone: information_schema lists only the columns granted.
const COLUMN_GRANTS_SQL = `
SELECT DISTINCT cp.TABLE_SCHEMA AS table_schema, cp.TABLE_NAME AS table_name
FROM information_schema.COLUMN_PRIVILEGES cp
WHERE cp.PRIVILEGE_TYPE = 'SELECT' AND cp.TABLE_SCHEMA IN (?)
  AND cp.GRANTEE = CONCAT('''', SUBSTRING_INDEX(CURRENT_USER(), '@', 1), '''@''', SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')
  AND NOT EXISTS (SELECT 1 FROM information_schema.TABLE_PRIVILEGES tp WHERE tp.GRANTEE = cp.GRANTEE
    AND tp.TABLE_SCHEMA = cp.TABLE_SCHEMA AND tp.TABLE_NAME = cp.TABLE_NAME AND tp.PRIVILEGE_TYPE = 'SELECT')
  AND NOT EXISTS (SELECT 1 FROM information_schema.SCHEMA_PRIVILEGES sp WHERE sp.GRANTEE = cp.GRANTEE
    AND sp.TABLE_SCHEMA = cp.TABLE_SCHEMA AND sp.PRIVILEGE_TYPE = 'SELECT')
  AND NOT EXISTS (SELECT 1 FROM information_schema.USER_PRIVILEGES up WHERE up.GRANTEE = cp.GRANTEE
    AND up.PRIVILEGE_TYPE = 'SELECT')`;

const JSON_CHECKS_SQL = `
SELECT CONSTRAINT_SCHEMA AS table_schema, TABLE_NAME AS table_name, CHECK_CLAUSE AS clause
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA IN (?) AND CHECK_CLAUSE LIKE 'json\\_valid(%'`;

const NUMERIC_TYPES = new Set([
  'tinyint',
  'smallint',
  'mediumint',
  'int',
  'integer',
  'bigint',
  'decimal',
  'numeric',
  'float',
  'double',
  'real',
  'year',
]);

// A NUL never occurs in an identifier, so schema and table cannot run into each other.
const keyOf = (schema: string, table: string) => `${schema}\u0000${table}`;
const num = (value: string | number | null): number | null => (value === null ? null : Number(value));

/** Reads the inventory of every table and view the scope covers (by default the connection's database). */
export async function mysqlCatalog(db: Knex, scope: CatalogScope): Promise<SourceInventory> {
  const [serverResult, schemaResult] = await Promise.all([db.raw(SERVER_SQL), db.raw(SCHEMATA_SQL)]);
  const serverRow = normaliseRows(serverResult)[0] as unknown as RawServer;
  const mariaDb = /mariadb/i.test(`${serverRow.version} ${serverRow.version_comment}`);
  const version = /^\d+(?:\.\d+)*/.exec(serverRow.version)?.[0] ?? serverRow.version;
  const current = serverRow.database_name;
  // Without `schemas`, the default schema is the connection's database (all databases when it names none).
  const inScope = (schema: string) =>
    scope.filter.schemaPatterns ? scope.filter.schema(schema) : current === null || schema === current;
  const schemas = (normaliseRows(schemaResult) as unknown as RawSchema[])
    .map((s) => s.schema_name)
    .filter(inScope);

  const tableRows =
    schemas.length === 0
      ? []
      : (normaliseRows(await db.raw(TABLES_SQL, [schemas, schemas])) as unknown as RawTable[]);
  const tables = tableRows
    .filter((t) => scope.filter.table(t.table_schema, t.table_name))
    .sort((a, b) => compare(a.table_schema, b.table_schema) || compare(a.table_name, b.table_name));
  const wanted = new Set(tables.map((t) => keyOf(t.table_schema, t.table_name)));

  const countTargets: CountTarget[] = [];
  const countFailures: CountFailure[] = [];
  for (const t of tables) {
    const isView = t.table_type === 'VIEW';
    // TABLE_ROWS is an InnoDB estimate (and MySQL 8 caches it for up to a day): small tables are counted.
    const estimate = num(t.estimate);
    const small = estimate !== null && estimate < scope.exactBelow;
    if (isView ? scope.countViews : small) {
      countTargets.push({
        key: keyOf(t.table_schema, t.table_name),
        schema: t.table_schema,
        table: t.table_name,
      });
    }
  }

  const withExpressions = !mariaDb && Number(version.split('.')[0]) >= 8;
  const keep = <T extends { table_schema: string; table_name: string }>(rows: unknown) =>
    (normaliseRows(rows) as unknown as T[]).filter((r) => wanted.has(keyOf(r.table_schema, r.table_name)));
  // Everything after the table list runs at once on the pool: columns, keys, indexes and counts.
  const [columnRows, constraintRows, indexRows, jsonRows, exact, grantRows] =
    tables.length === 0
      ? [[], [], [], [], new Map<string, number>(), []]
      : await Promise.all([
          db.raw(COLUMNS_SQL, [schemas]).then((r) => keep<RawColumn>(r)),
          db.raw(CONSTRAINTS_SQL, [schemas, schemas, schemas]).then((r) => keep<RawConstraint>(r)),
          db.raw(indexesSql(withExpressions), [schemas]).then((r) => keep<RawIndex>(r)),
          mariaDb ? db.raw(JSON_CHECKS_SQL, [schemas]).then((r) => keep<RawCheck>(r)) : Promise.resolve([]),
          countRowsExactly(db, countTargets, quoteMysql, undefined, countFailures),
          db
            .raw(COLUMN_GRANTS_SQL, [schemas])
            .then((r) => keep<{ table_schema: string; table_name: string }>(r)),
        ]);

  const jsonColumns = new Set<string>();
  for (const check of jsonRows) {
    const column = /^json_valid\(`((?:[^`]|``)*)`\)$/i.exec(check.clause.trim())?.[1];
    if (column !== undefined)
      jsonColumns.add(keyOf(keyOf(check.table_schema, check.table_name), column.replaceAll('``', '`')));
  }
  const columnsByTable = groupBy(columnRows, (c) => keyOf(c.table_schema, c.table_name));
  const constraintsByTable = groupBy(constraintRows, (c) => keyOf(c.table_schema, c.table_name));
  const indexesByTable = groupBy(indexRows, (i) => keyOf(i.table_schema, i.table_name));

  const findings: SourceFinding[] = countFailures.map(countFailureFinding);
  let sizeBytes: number | undefined;
  for (const t of tableRows) {
    if (t.table_schema === current && t.data_bytes !== null) {
      sizeBytes = (sizeBytes ?? 0) + Number(t.data_bytes) + Number(t.index_bytes ?? 0);
    }
  }

  const hiddenActions: string[] = [];
  const hiddenViews: string[] = [];
  const datasets: Dataset[] = tables.map((t) => {
    const key = keyOf(t.table_schema, t.table_name);
    const name = `${t.table_schema}.${t.table_name}`;
    const isView = t.table_type === 'VIEW';
    const constraints = toConstraints(constraintsByTable.get(key) ?? []);
    // Sorted here rather than in SQL: information_schema sorts through a temporary table.
    const raw = (columnsByTable.get(key) ?? []).sort((a, b) => Number(a.position) - Number(b.position));
    const pk = withoutHiddenParts(
      constraints.find((c) => c.type === 'PRIMARY KEY'),
      raw,
    );
    const pkColumns = new Set(pk?.columns ?? []);
    const columns = raw.map((c) =>
      toColumn(c, { pk: pkColumns, json: jsonColumns.has(keyOf(key, c.name)), mariaDb }),
    );
    const exactCount = exact.get(key);
    const estimate = isView ? null : num(t.estimate);
    if (exactCount === undefined && estimate === null && !isView) {
      findings.push({
        code: 'ROW_COUNT_UNKNOWN',
        severity: 'info',
        dataset: name,
        message: 'the storage engine reports no row estimate and the table was not counted',
        messageFr:
          'le moteur de stockage ne donne aucune estimation du nombre de lignes et la table n’a pas été comptée',
      });
    }
    const uniqueKeys: KeyConstraint[] = constraints
      .filter((c) => c.type === 'UNIQUE')
      .map((c) => ({ name: c.name, columns: c.columns }));
    const foreignKeys = constraints.filter((c) => c.type === 'FOREIGN KEY');
    if (foreignKeys.some((c) => c.onDelete === null)) hiddenActions.push(name);
    if (isView && !t.definition) hiddenViews.push(name);
    // A view whose tables or columns were dropped since has no columns in information_schema, and any read
    // of it fails (ER_VIEW_INVALID): listed, not read.
    const broken = isView && raw.length === 0;
    if (broken)
      findings.push({
        code: 'VIEW_BROKEN',
        severity: 'warning',
        dataset: name,
        message:
          'cannot be read (it references tables or columns that no longer exist, or rights its definer lacks): listed without columns, neither counted nor profiled',
        messageFr:
          'illisible (elle référence des tables ou des colonnes qui n’existent plus, ou des droits que son créateur n’a pas) : listée sans colonnes, ni comptée ni profilée',
      });
    const size = t.data_bytes === null ? null : Number(t.data_bytes) + Number(t.index_bytes ?? 0);
    return {
      name,
      kind: isView ? 'view' : 'table',
      rowCount: exactCount ?? estimate,
      rowCountExact: exactCount !== undefined,
      columns,
      primaryKey: pk ? { name: pk.name, columns: pk.columns } : null,
      foreignKeys: foreignKeys.map((c) => ({
        name: c.name,
        columns: c.columns,
        references: { dataset: `${c.refSchema}.${c.refTable}`, columns: c.refColumns },
        ...(c.onDelete !== null ? { onDelete: c.onDelete } : {}),
        ...(c.onUpdate !== null ? { onUpdate: c.onUpdate } : {}),
      })),
      indexes: toIndexes(indexesByTable.get(key) ?? []),
      schema: t.table_schema,
      table: t.table_name,
      ...(broken ? { readable: false as const } : {}),
      ...(uniqueKeys.length > 0 ? { uniqueKeys } : {}),
      ...(/partitioned/i.test(t.create_options ?? '') ? { partitioned: true } : {}),
      // InnoDB reports the sizes of its persistent statistics (recomputed after 10% of the rows change);
      // MyISAM and Aria report their files' lengths.
      ...(size !== null && !isView ? { sizeBytes: size, sizeExact: !/^innodb$/i.test(t.engine ?? '') } : {}),
      ...(t.comment && !isView ? { comment: t.comment } : {}),
      ...(t.definition ? { definition: t.definition.trim() } : {}),
    };
  });

  // Columns granted one by one: the others are not listed at all, so the inventory says it cannot be complete.
  for (const g of grantRows) {
    findings.push({
      code: 'COLUMN_NOT_READABLE',
      severity: 'warning',
      dataset: `${g.table_schema}.${g.table_name}`,
      message:
        'the audit user reads this table through column grants: only the columns granted to it are listed, and the table may have others',
      messageFr:
        'l’utilisateur de l’audit lit cette table par des droits sur des colonnes : seules les colonnes accordées sont listées, et la table peut en avoir d’autres',
      evidence: { grants: 'column' },
    });
  }
  // What a SELECT-only user cannot read is reported, not failed on: the inventory is otherwise complete.
  if (hiddenActions.length > 0) {
    findings.push({
      code: 'CATALOG_HIDDEN',
      severity: 'info',
      message: `the ON DELETE / ON UPDATE actions of foreign keys are hidden from this user (it needs more than SELECT on the tables): ${listed(hiddenActions)}`,
      messageFr: `les actions ON DELETE / ON UPDATE des clés étrangères sont cachées à cet utilisateur (il lui faut plus que SELECT sur les tables) : ${listed(hiddenActions)}`,
      evidence: { what: 'foreign key actions', datasets: hiddenActions },
    });
  }
  // MariaDB shows CHECK constraints, hence json_valid(), only to users with a privilege on the whole
  // database: with table grants alone, its JSON columns (LONGTEXT utf8mb4_bin) read as text.
  const maybeJson = mariaDb && jsonRows.length === 0 ? columnRows.filter(looksLikeMariaDbJson) : [];
  if (maybeJson.length > 0) {
    const names = maybeJson.map((c) => `${c.table_schema}.${c.table_name}.${c.name}`);
    findings.push({
      code: 'CATALOG_HIDDEN',
      severity: 'info',
      message: `no JSON check is visible to this user (MariaDB shows them with a privilege on the whole database): ${listed(names)} may be JSON, profiled as text`,
      messageFr: `aucune contrainte JSON n’est visible pour cet utilisateur (MariaDB les montre avec un droit sur toute la base) : ${listed(names)} peuvent être du JSON, profilés comme du texte`,
      evidence: { what: 'json checks', columns: names },
    });
  }
  if (hiddenViews.length > 0) {
    findings.push({
      code: 'CATALOG_HIDDEN',
      severity: 'info',
      message: `view definitions are hidden from this user (it needs SHOW VIEW): ${listed(hiddenViews)}`,
      messageFr: `les définitions des vues sont cachées à cet utilisateur (il lui faut SHOW VIEW) : ${listed(hiddenViews)}`,
      evidence: { what: 'view definitions', datasets: hiddenViews },
    });
  }

  return {
    datasets,
    findings,
    server: {
      product: mariaDb ? 'MariaDB' : 'MySQL',
      version,
      ...(current !== null ? { database: current } : {}),
      ...(sizeBytes !== undefined ? { sizeBytes } : {}),
      encoding: serverRow.charset_name,
      collation: serverRow.collation_name,
      timeZone: serverRow.time_zone,
    },
  };
}

// The shape MariaDB gives its JSON alias: LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin.
function looksLikeMariaDbJson(c: RawColumn): boolean {
  return c.data_type.toLowerCase() === 'longtext' && c.collation_name === 'utf8mb4_bin';
}

// The first names of a list, for a message.
function listed(names: readonly string[]): string {
  return names.length <= 5
    ? names.join(', ')
    : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

// Binary order, as the server lists names: stable across locales.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface ColumnContext {
  readonly pk: ReadonlySet<string>;
  readonly json: boolean;
  readonly mariaDb: boolean;
}

function toColumn(c: RawColumn, context: ColumnContext): Column {
  const dataType = c.data_type.toLowerCase();
  const generated = (c.generation_expression ?? '') !== '';
  const enumValues = dataType === 'enum' || dataType === 'set' ? mysqlEnumValues(c.column_type) : undefined;
  const sized = /^(var)?(char|binary)$/.test(dataType);
  const decimal = dataType === 'decimal' || dataType === 'numeric';
  const fraction = num(c.datetime_precision);
  const fallback = generated ? undefined : columnDefault(c, dataType, context.mariaDb);
  return {
    name: c.name,
    type: context.json ? 'json' : mysqlLogicalType(dataType, c.column_type),
    nativeType: c.column_type,
    nullable: c.is_nullable === 'YES',
    primaryKey: context.pk.has(c.name),
    position: Number(c.position),
    ...(sized && c.char_length !== null ? { length: Number(c.char_length) } : {}),
    ...(decimal && c.numeric_precision !== null ? { precision: Number(c.numeric_precision) } : {}),
    ...(decimal && c.numeric_scale !== null ? { scale: Number(c.numeric_scale) } : {}),
    // Temporal columns: the fraction digits kept, 0 for a plain DATETIME, TIMESTAMP or TIME.
    ...(!decimal && fraction !== null ? { precision: fraction } : {}),
    ...(fallback !== undefined ? { default: fallback } : {}),
    ...(/auto_increment/i.test(c.extra ?? '') ? { autoIncrement: true } : {}),
    ...(generated ? { generated: true } : {}),
    ...(c.comment ? { comment: c.comment } : {}),
    ...(enumValues ? { enumValues } : {}),
    ...(dataType === 'set' ? { array: true } : {}),
    ...(/\bunsigned\b/i.test(c.column_type) ? { unsigned: true } : {}),
    // Which characters a text column can hold (utf8mb3 has no emoji, latin1 is cp1252); `utf8` is utf8mb3.
    ...(c.charset_name && !context.json
      ? { charset: c.charset_name.toLowerCase() === 'utf8' ? 'utf8mb3' : c.charset_name.toLowerCase() }
      : {}),
    // How the column compares text: `utf8mb4_general_ci` and `utf8mb4_unicode_ci` fold keys differently
    // (`ß` is `s` in one, `ss` in the other), so the collation is listed even when it is the table's.
    ...(c.collation_name && !context.json ? { collation: c.collation_name } : {}),
  };
}

// MariaDB writes defaults as SQL ('text', NULL, current_timestamp()); MySQL writes literals bare.
function columnDefault(c: RawColumn, dataType: string, mariaDb: boolean): string | undefined {
  const value = c.default_value;
  if (value === null) return undefined;
  if (mariaDb) return value === 'NULL' ? undefined : value;
  if (/DEFAULT_GENERATED/i.test(c.extra ?? '') || /^current_timestamp/i.test(value)) return value;
  if (NUMERIC_TYPES.has(dataType) || dataType === 'bit') return value;
  return `'${value.replaceAll("'", "''")}'`;
}

interface Constraint {
  readonly name: string;
  readonly type: string;
  readonly columns: string[];
  readonly refSchema: string | null;
  readonly refTable: string | null;
  readonly refColumns: string[];
  readonly onDelete: string | null;
  readonly onUpdate: string | null;
}

// Rows arrive one per key column in no particular order; a constraint is its columns in key order.
function toConstraints(rows: readonly RawConstraint[]): Constraint[] {
  const byName = groupBy(rows, (r) => `${r.constraint_type}\u0000${r.name}`);
  return [...byName.values()]
    .map((parts) => {
      const sorted = [...parts].sort((a, b) => Number(a.position) - Number(b.position));
      const first = sorted[0]!;
      return {
        name: first.name,
        type: first.constraint_type,
        columns: sorted.map((p) => p.column_name),
        refSchema: first.ref_schema,
        refTable: first.ref_table,
        refColumns: first.ref_table === null ? [] : sorted.map((p) => p.ref_column ?? ''),
        onDelete: first.on_delete,
        onUpdate: first.on_update,
      };
    })
    .sort((a, b) => compare(a.name, b.name));
}

function toIndexes(rows: readonly RawIndex[]): Index[] {
  const byName = groupBy(rows, (r) => r.name);
  return [...byName.values()]
    .map((parts): Index => {
      const sorted = [...parts].sort((a, b) => Number(a.position) - Number(b.position));
      const first = sorted[0]!;
      return {
        name: first.name,
        columns: sorted.map((p) => p.column_name ?? p.expression ?? ''),
        unique: Number(first.non_unique) === 0,
        ...(first.name === 'PRIMARY' ? { primary: true } : {}),
        method: first.method.toLowerCase(),
      };
    })
    .sort((a, b) => compare(a.name, b.name));
}

interface RawServer {
  version: string;
  version_comment: string;
  database_name: string | null;
  charset_name: string;
  collation_name: string;
  time_zone: string;
}

interface RawSchema {
  schema_name: string;
}

interface RawTable {
  table_schema: string;
  table_name: string;
  table_type: 'BASE TABLE' | 'VIEW' | 'SYSTEM VERSIONED';
  estimate: string | number | null;
  data_bytes: string | number | null;
  index_bytes: string | number | null;
  engine: string | null;
  collation_name: string | null;
  create_options: string | null;
  comment: string | null;
  definition: string | null;
}

interface RawColumn {
  table_schema: string;
  table_name: string;
  name: string;
  position: string | number;
  default_value: string | null;
  is_nullable: 'YES' | 'NO';
  data_type: string;
  column_type: string;
  char_length: string | number | null;
  numeric_precision: string | number | null;
  numeric_scale: string | number | null;
  datetime_precision: string | number | null;
  charset_name: string | null;
  collation_name: string | null;
  extra: string | null;
  comment: string | null;
  generation_expression: string | null;
}

interface RawConstraint {
  table_schema: string;
  table_name: string;
  name: string;
  constraint_type: 'PRIMARY KEY' | 'UNIQUE' | 'FOREIGN KEY';
  column_name: string;
  position: string | number;
  ref_schema: string | null;
  ref_table: string | null;
  ref_column: string | null;
  on_update: string | null;
  on_delete: string | null;
}

interface RawIndex {
  table_schema: string;
  table_name: string;
  name: string;
  non_unique: string | number;
  position: string | number;
  column_name: string | null;
  expression: string | null;
  method: string;
}

interface RawCheck {
  table_schema: string;
  table_name: string;
  clause: string;
}

/**
 * A key without the parts the table's columns do not list: a system-versioned MariaDB table's primary key
 * includes its hidden `row_end` period column, which no SELECT * returns and nothing can be profiled by.
 */
function withoutHiddenParts<T extends { columns: string[] }>(
  key: T | undefined,
  columns: readonly { name: string }[],
): T | undefined {
  if (!key) return key;
  const listed = new Set(columns.map((c) => c.name));
  const kept = key.columns.filter((c) => listed.has(c));
  return kept.length === key.columns.length ? key : { ...key, columns: kept };
}
