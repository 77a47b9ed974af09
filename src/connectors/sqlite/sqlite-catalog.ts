/**
 * SQLite inventory in a fixed handful of queries: the pragma table-valued functions joined to
 * sqlite_schema list every table's columns, keys and indexes at once. SQLite has no schemas.
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
import { redact } from '../../core/secrets.ts';
import { quoteDoubleQuoted } from '../sql/quote-identifier.ts';
import {
  type CountFailure,
  countFailureFinding,
  countRowsExactly,
  normaliseRows,
} from '../sql/row-counts.ts';
import type { CatalogScope, CountTarget } from '../sql/sql-dialect.ts';
import { withoutQuery } from '../sql/sql-errors.ts';
import { sqliteLogicalType, sqliteTypeModifiers } from './sqlite-types.ts';

/** Quotes an SQLite identifier. */
export const quoteSqlite = quoteDoubleQuoted;

const SERVER_SQL = `
SELECT sqlite_version() AS version, (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size()) AS size_bytes,
  (SELECT encoding FROM pragma_encoding()) AS encoding`;

const OBJECTS_SQL = `
SELECT type, name, sql FROM sqlite_schema
WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`;

// What a column row holds, from pragma_table_xinfo `p`.
const COLUMN_FIELDS = `p.cid AS cid, p.name AS name, p.type AS declared, p."notnull" AS not_null,
  p.dflt_value AS default_expr, p.pk AS pk, p.hidden AS hidden`;

const COLUMNS_SQL = `
SELECT m.name AS dataset, ${COLUMN_FIELDS}
FROM sqlite_schema m JOIN pragma_table_xinfo(m.name) p
WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
ORDER BY m.name, p.cid`;

// One object's columns: the fallback when the statement over all of them fails.
const OBJECT_COLUMNS_SQL = `
SELECT ? AS dataset, ${COLUMN_FIELDS}
FROM pragma_table_xinfo(?) p ORDER BY p.cid`;

/**
 * The columns of every wanted object in one statement; when it fails (a view over a table dropped since:
 * `no such table`), object by object, the ones that fail named in `broken` with their error, so that one
 * stale view costs only itself.
 */
async function readColumns(
  db: Knex,
  objects: readonly RawObject[],
  broken: Map<string, string>,
  keep: (rows: RawColumn[]) => RawColumn[],
): Promise<RawColumn[]> {
  try {
    return keep(normaliseRows(await db.raw(COLUMNS_SQL)) as unknown as RawColumn[]);
  } catch {
    const columns: RawColumn[] = [];
    for (const o of objects) {
      try {
        columns.push(
          ...(normaliseRows(await db.raw(OBJECT_COLUMNS_SQL, [o.name, o.name])) as unknown as RawColumn[]),
        );
      } catch (error) {
        broken.set(o.name, (error as Error).message);
      }
    }
    return columns;
  }
}

const FOREIGN_KEYS_SQL = `
SELECT m.name AS dataset, f.id AS id, f.seq AS seq, f."table" AS ref_table, f."from" AS from_column,
  f."to" AS to_column, f.on_update AS on_update, f.on_delete AS on_delete
FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
WHERE m.type = 'table' ORDER BY m.name, f.id, f.seq`;

const INDEXES_SQL = `
SELECT m.name AS dataset, il.name AS name, il."unique" AS is_unique, il.origin AS origin, il.partial AS partial,
  ii.seqno AS seqno, ii.name AS column_name, ii.coll AS coll
FROM sqlite_schema m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ii
WHERE m.type = 'table' AND ii.key = 1 ORDER BY m.name, il.name, ii.seqno`;

// dbstat is compiled into better-sqlite3; a build without it only loses sizes.
const SIZES_SQL = `
SELECT s.tbl_name AS dataset, SUM(d.pgsize) AS size_bytes FROM dbstat d JOIN sqlite_schema s ON s.name = d.name
GROUP BY s.tbl_name`;

/** Reads the inventory of every table and view the scope covers. */
export async function sqliteCatalog(db: Knex, scope: CatalogScope): Promise<SourceInventory> {
  const server = normaliseRows(await db.raw(SERVER_SQL))[0] as unknown as RawServer;
  const listed = normaliseRows(await db.raw(OBJECTS_SQL)) as unknown as RawObject[];
  const shadows = shadowTables(listed);
  const objects = listed.filter((o) => !shadows.has(o.name) && scope.filter.table(undefined, o.name));
  const wanted = new Set(objects.map((o) => o.name));
  const keep = <T extends { dataset: string }>(rows: T[]) => rows.filter((r) => wanted.has(r.dataset));
  const broken = new Map<string, string>();
  const columns = await readColumns(db, objects, broken, keep);
  const foreignKeys = keep(normaliseRows(await db.raw(FOREIGN_KEYS_SQL)) as unknown as RawForeignKey[]);
  const indexes = keep(normaliseRows(await db.raw(INDEXES_SQL)) as unknown as RawIndex[]);
  const findings: SourceFinding[] = [];
  let sizes = new Map<string, number>();
  try {
    const rows = normaliseRows(await db.raw(SIZES_SQL)) as unknown as RawSize[];
    sizes = new Map(rows.map((r) => [r.dataset, Number(r.size_bytes)]));
  } catch {
    findings.push({
      code: 'SIZE_UNAVAILABLE',
      severity: 'info',
      message: 'this SQLite build has no dbstat table',
      messageFr: 'cette version de SQLite n’a pas de table dbstat',
    });
  }

  const countTargets: CountTarget[] =
    scope.exactBelow > 0
      ? objects
          .filter((o) => (o.type === 'table' || scope.countViews) && !broken.has(o.name))
          .map((o) => ({ key: o.name, schema: undefined, table: o.name }))
      : [];
  for (const [name, error] of broken) {
    findings.push({
      code: 'VIEW_BROKEN',
      severity: 'warning',
      dataset: name,
      message: `cannot be read (${redact(withoutQuery(error))}): listed without columns, neither counted nor profiled`,
      messageFr: `illisible (${redact(withoutQuery(error))}) : listée sans colonnes, ni comptée ni profilée`,
    });
  }
  const countFailures: CountFailure[] = [];
  const counts = await countRowsExactly(db, countTargets, quoteSqlite, undefined, countFailures);
  for (const failure of countFailures) findings.push(countFailureFinding(failure));

  const columnsBy = groupBy(columns, (c) => c.dataset);
  const fksBy = groupBy(foreignKeys, (f) => f.dataset);
  const indexesBy = groupBy(indexes, (i) => i.dataset);

  const datasets = objects.map((o): Dataset => {
    // A virtual table's hidden columns (an FTS5 table's own name, `rank`) are the module's, not data.
    const raw = (columnsBy.get(o.name) ?? []).filter((c) => c.hidden !== 1);
    const pkColumns = raw.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
    const rowidAlias =
      o.type === 'table' && pkColumns.length === 1 && /^INTEGER$/i.test(pkColumns[0]!.declared.trim());
    const collations = keyCollations(indexesBy.get(o.name) ?? []);
    const columnList = raw.map(
      (c, i): Column => ({
        name: c.name,
        type: sqliteLogicalType(c.declared),
        nativeType: c.declared || '(none)',
        nullable: c.not_null === 0 && c.pk === 0,
        primaryKey: c.pk > 0,
        position: i + 1,
        ...sqliteTypeModifiers(c.declared),
        ...(c.default_expr !== null ? { default: c.default_expr } : {}),
        ...(rowidAlias && c.pk > 0 ? { autoIncrement: true } : {}),
        ...(c.hidden === 2 || c.hidden === 3 ? { generated: true } : {}),
        ...(collations.has(c.name) ? { collation: collations.get(c.name)! } : {}),
      }),
    );
    const indexRows = groupBy(indexesBy.get(o.name) ?? [], (r) => r.name);
    const indexList = [...indexRows.values()].map(
      (rows): Index => ({
        name: rows[0]!.name,
        columns: rows.map((r) => r.column_name ?? '(expression)'),
        unique: rows[0]!.is_unique === 1,
        ...(rows[0]!.origin === 'pk' ? { primary: true } : {}),
        ...(rows[0]!.partial === 1 ? { partial: true } : {}),
      }),
    );
    const uniqueKeys: KeyConstraint[] = [...indexRows.values()]
      .filter((rows) => rows[0]!.origin === 'u')
      .map((rows) => ({ name: rows[0]!.name, columns: rows.map((r) => r.column_name ?? '(expression)') }));
    const fkGroups = groupBy(fksBy.get(o.name) ?? [], (f) => String(f.id));
    const count = counts.get(o.name);
    return {
      name: o.name,
      kind: o.type === 'view' ? 'view' : 'table',
      rowCount: count ?? null,
      rowCountExact: count !== undefined,
      columns: columnList,
      primaryKey: pkColumns.length > 0 ? { columns: pkColumns.map((c) => c.name) } : null,
      foreignKeys: [...fkGroups.values()].map((rows) => ({
        columns: rows.map((r) => r.from_column),
        // A foreign key without target columns references the parent's primary key.
        references: {
          dataset: rows[0]!.ref_table,
          columns: rows.every((r) => r.to_column !== null)
            ? rows.map((r) => r.to_column!)
            : (columnsBy.get(rows[0]!.ref_table) ?? []).filter((c) => c.pk > 0).map((c) => c.name),
        },
        onDelete: rows[0]!.on_delete,
        onUpdate: rows[0]!.on_update,
      })),
      indexes: indexList,
      table: o.name,
      ...(uniqueKeys.length > 0 ? { uniqueKeys } : {}),
      ...(sizes.has(o.name) ? { sizeBytes: sizes.get(o.name)!, sizeExact: true } : {}),
      ...(o.type === 'view' && o.sql ? { definition: o.sql } : {}),
      ...(broken.has(o.name) ? { readable: false as const } : {}),
    };
  });

  return {
    datasets,
    findings,
    server: {
      product: 'SQLite',
      version: server.version,
      sizeBytes: Number(server.size_bytes),
      encoding: server.encoding,
    },
  };
}

interface RawServer {
  version: string;
  size_bytes: number;
  encoding: string;
}

interface RawObject {
  type: 'table' | 'view';
  name: string;
  sql: string | null;
}

interface RawColumn {
  dataset: string;
  cid: number;
  name: string;
  declared: string;
  not_null: number;
  default_expr: string | null;
  pk: number;
  hidden: number;
}

interface RawForeignKey {
  dataset: string;
  id: number;
  seq: number;
  ref_table: string;
  from_column: string;
  to_column: string | null;
  on_update: string;
  on_delete: string;
}

/**
 * The collation each key column's uniqueness is enforced with, when it is not BINARY: the primary key's,
 * else the first unique index's (`code TEXT PRIMARY KEY COLLATE NOCASE` holds `ABC` or `abc`, not both).
 * SQLite lists a column's declared collation nowhere else; its indexes name the one they compare with.
 */
function keyCollations(rows: readonly RawIndex[]): Map<string, string> {
  const out = new Map<string, string>();
  const ranked = [...rows].sort((a, b) => rank(a) - rank(b));
  for (const r of ranked) {
    if (r.is_unique !== 1 || r.partial === 1 || r.column_name === null || r.coll === null) continue;
    if (out.has(r.column_name) || r.coll.toUpperCase() === 'BINARY') continue;
    out.set(r.column_name, r.coll.toLowerCase());
  }
  return out;
}

function rank(r: RawIndex): number {
  return r.origin === 'pk' ? 0 : r.origin === 'u' ? 1 : 2;
}

interface RawIndex {
  dataset: string;
  name: string;
  is_unique: number;
  origin: 'c' | 'u' | 'pk';
  partial: number;
  seqno: number;
  column_name: string | null;
  coll: string | null;
}

interface RawSize {
  dataset: string;
  size_bytes: number;
}

/** The tables a full-text or R*Tree virtual table keeps its index in, by the suffixes its module gives them. */
const SHADOW_SUFFIXES: Readonly<Record<string, readonly string[]>> = {
  fts5: ['_data', '_idx', '_content', '_docsize', '_config'],
  fts4: ['_content', '_segments', '_segdir', '_docsize', '_stat'],
  fts3: ['_content', '_segments', '_segdir', '_docsize', '_stat'],
  rtree: ['_node', '_rowid', '_parent'],
  rtree_i32: ['_node', '_rowid', '_parent'],
};

/** Names of the shadow tables of the virtual tables among `objects`: the module's storage, not datasets. */
function shadowTables(objects: readonly RawObject[]): Set<string> {
  const shadows = new Set<string>();
  for (const o of objects) {
    const module = /^\s*CREATE\s+VIRTUAL\s+TABLE\b[\s\S]*?\bUSING\s+(\w+)/i
      .exec(o.sql ?? '')?.[1]
      ?.toLowerCase();
    for (const suffix of (module && SHADOW_SUFFIXES[module]) ?? []) shadows.add(`${o.name}${suffix}`);
  }
  return shadows;
}
