/**
 * PostgreSQL inventory from pg_catalog in four round trips on pg's own pool (postgres-sessions.ts): the
 * relations; beside them the columns with the facts of their types; one script of server facts, enum
 * labels, constraints and indexes; one script of exact counts (postgres-counts.ts).
 */

import { groupBy } from '../../core/group-by.ts';
import type {
  Column,
  Dataset,
  Index,
  KeyConstraint,
  SourceFinding,
  SourceInventory,
} from '../../core/inventory.ts';
import { quoteDoubleQuoted } from '../sql/quote-identifier.ts';
import { countFailureFinding } from '../sql/row-counts.ts';
import type { CatalogScope } from '../sql/sql-dialect.ts';
import {
  copyColumns,
  countScript,
  type PostgresCountTarget,
  partitionLeaves,
  sumOfCounts,
} from './postgres-counts.ts';
import type { PgSessions } from './postgres-sessions.ts';
import { postgresLogicalType } from './postgres-types.ts';

/** Quotes a PostgreSQL identifier. */
export const quotePostgres = quoteDoubleQuoted;

const SERVER_SQL = `
SELECT current_setting('server_version') AS version, version() AS banner, current_database() AS database,
  pg_database_size(current_database())::bigint AS size_bytes, pg_encoding_to_char(d.encoding) AS encoding,
  d.datcollate AS collation, d.datctype AS ctype, current_setting('TimeZone') AS time_zone
FROM pg_database d WHERE d.datname = current_database()`;

// Materialized views (m), partitioned tables (p) and foreign tables (f) are listed beside tables and views.
// `row_security`: the role reads the relation under its row-level security policies, as the server decides it
// (row_security_active: relrowsecurity on, the role neither a superuser nor BYPASSRLS, and not the owner unless
// relforcerowsecurity).
// `catalog_bytes` is the size the catalog statistics record (pg_class.relpages of the table, its TOAST table
// and their indexes, as of the last VACUUM or ANALYZE; free space and visibility maps aside), read without
// opening any relation. A table never analyzed has no such record: its size is measured here
// (pg_total_relation_size), and its heap size bounds its row estimate.
const RELATIONS_SQL = `
SELECT c.oid::bigint AS oid, n.nspname AS schema, c.relname AS name, c.relkind AS relkind,
  c.reltuples::float8 AS estimate, c.relispartition AS is_partition,
  CASE WHEN c.relkind = 'r' AND c.reltuples < 0 THEN pg_relation_size(c.oid) END::bigint AS heap_bytes,
  CASE WHEN c.relkind IN ('r','m') AND c.reltuples < 0 THEN pg_total_relation_size(c.oid)
    WHEN c.relkind IN ('r','m','p') THEN (GREATEST(c.relpages, 0)::bigint + COALESCE(toast.relpages, 0) + COALESCE((
      SELECT sum(ic.relpages) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE i.indrelid IN (c.oid, c.reltoastrelid)), 0)) * current_setting('block_size')::bigint
  END::bigint AS catalog_bytes,
  obj_description(c.oid, 'pg_class') AS comment,
  CASE WHEN c.relkind IN ('v','m') THEN pg_get_viewdef(c.oid, true) END AS definition,
  i.inhparent::bigint AS parent_oid, pn.nspname AS parent_schema, pc.relname AS parent_name,
  CASE WHEN c.relkind IN ('r','f') AND NOT c.relispartition AND EXISTS (SELECT 1 FROM pg_inherits x WHERE x.inhrelid = c.oid)
    THEN (SELECT quote_ident(ipn.nspname) || '.' || quote_ident(ipc.relname) FROM pg_inherits ih
      JOIN pg_class ipc ON ipc.oid = ih.inhparent JOIN pg_namespace ipn ON ipn.oid = ipc.relnamespace
      WHERE ih.inhrelid = c.oid ORDER BY ih.inhseqno LIMIT 1) END AS inherits_from,
  CASE WHEN c.relrowsecurity THEN row_security_active(c.oid) ELSE false END AS row_security,
  has_schema_privilege(n.oid, 'USAGE') AND has_any_column_privilege(c.oid, 'SELECT') AS readable,
  c.relispopulated AS populated,
  c.relkind = 'r' AND NOT c.relhassubclass AND has_schema_privilege(n.oid, 'USAGE')
    AND has_table_privilege(c.oid, 'SELECT') AS copyable,
  CASE WHEN c.relkind = 'r' THEN pg_stat_get_live_tuples(c.oid) END::float8 AS live
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
LEFT JOIN pg_inherits i ON i.inhrelid = c.oid AND c.relispartition
LEFT JOIN pg_class pc ON pc.oid = i.inhparent
LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace
WHERE c.relkind IN ('r','v','m','p','f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
ORDER BY n.nspname, c.relname`;

// `sizes: exact`: measured on disk. Opens every table, index and TOAST table (the costliest part of the
// catalog): run on the connection that counts rows next, whose backend then has those relations cached.
// A heap of no pages holds no row at all.
const SIZES_SQL = `
SELECT c.oid::bigint AS oid, pg_total_relation_size(c.oid)::bigint AS size_bytes,
  CASE WHEN c.relkind IN ('r','m') THEN pg_relation_size(c.oid) END::bigint AS heap_bytes
FROM unnest($1::oid[]) AS wanted(oid)
JOIN pg_class c ON c.oid = wanted.oid
WHERE c.relkind IN ('r','m','p')`;

// A default never refers to a column, so pg_get_expr needs no relation (given one, it opens it: 30× slower);
// generated columns report no default.
const COLUMNS_SELECT = `
SELECT a.attrelid::bigint AS oid, a.attnum AS position, a.attname AS name,
  a.atttypid AS type_oid, a.atttypmod AS typmod, NOT a.attnotnull AS nullable,
  CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) END AS default_expr,
  NULLIF(a.attidentity, '') AS identity, NULLIF(a.attgenerated, '') AS generated, ds.description AS comment,
  CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN co.collname END AS collation`;

const COLUMNS_JOINS = `
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_description ds ON ds.objoid = a.attrelid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum`;

/**
 * The columns `selected` (COLUMNS_SELECT … WHERE), then one row for each (type, typmod) among them, with the
 * facts that pair decides as a JSON array (`TypeFacts`) and nulls for the column fields. Twenty thousand
 * columns of a few dozen types then carry two numbers for their type instead of eight facts each, and this
 * process reads them a fifth faster.
 */
const withTypeFacts = (selected: string) => `
WITH cols AS MATERIALIZED (${selected})
SELECT x.oid, x.position, x.name, x.type_oid::bigint AS type, x.typmod, x.nullable, x.default_expr, x.identity,
  x.generated, x.comment, x.collation, NULL AS type_facts
FROM cols x
UNION ALL
SELECT NULL, NULL, NULL, d.type_oid::bigint, d.typmod, NULL, NULL, NULL, NULL, NULL, NULL, json_build_array(
  format_type(b.oid, b.typmod), b.typname, b.typcategory,
  COALESCE(NULLIF(b.typelem, 0), b.oid)::text,
  CASE WHEN b.oid IN (1042, 1043) AND b.typmod > 0 THEN b.typmod - 4 END,
  CASE WHEN b.oid = 1700 AND b.typmod > 0 THEN ((b.typmod - 4) >> 16) & 65535
    -- time, timestamp, timestamptz, timetz: the fraction digits kept, 6 when not declared.
    WHEN b.oid IN (1083, 1114, 1184, 1266) THEN CASE WHEN b.typmod >= 0 THEN b.typmod ELSE 6 END
  END,
  CASE WHEN b.oid = 1700 AND b.typmod > 0 THEN (b.typmod - 4) & 65535 END,
  b.typlen,
  CASE WHEN t.typtype = 'd' THEN format_type(t.oid, NULL) END
)::text
FROM (SELECT DISTINCT type_oid, typmod FROM cols) d
JOIN pg_type t ON t.oid = d.type_oid
-- A domain's facts are those of the type under it (through domains over domains), with the typmod the
-- innermost domain declares.
CROSS JOIN LATERAL (
  WITH RECURSIVE chain(oid, typmod, depth) AS (
    SELECT t.oid, d.typmod, 0
    UNION ALL
    SELECT p.typbasetype, p.typtypmod, c.depth + 1 FROM chain c JOIN pg_type p ON p.oid = c.oid AND p.typtype = 'd'
  )
  SELECT u.oid, c.typmod, u.typname, u.typcategory, u.typelem, u.typlen
  FROM chain c JOIN pg_type u ON u.oid = c.oid ORDER BY c.depth DESC LIMIT 1
) b`;

const COLUMNS_SQL = withTypeFacts(`${COLUMNS_SELECT}
FROM unnest($1::oid[]) AS wanted(oid)
JOIN pg_attribute a ON a.attrelid = wanted.oid${COLUMNS_JOINS}
WHERE a.attnum > 0 AND NOT a.attisdropped`);

/**
 * The columns of every relation the relations query lists, in all schemas or (`IN_SCHEMAS` appended) in the
 * given ones: asked for beside the relations, so that the longest read of the catalog does not wait for
 * them; the rows of relations the scope leaves out are dropped after.
 */
const COLUMNS_BY_SCHEMA_SELECT = `${COLUMNS_SELECT}
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid${COLUMNS_JOINS}
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','v','m','p','f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;
const IN_SCHEMAS = '\n  AND n.nspname = ANY ($1::text[])';

const ENUMS_SQL = `
SELECT e.enumtypid::bigint AS type, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)::text[] AS labels
FROM pg_enum e GROUP BY e.enumtypid`;

// Key columns come as attribute numbers separated by spaces (split here at a fraction of what pg's array
// parser costs), named from the columns lane: naming them here costs a pg_attribute
// lookup per key, five times the query on a cold backend.
const CONSTRAINTS_SQL = `
SELECT con.conrelid::bigint AS oid, con.conname AS name, con.contype AS type, array_to_string(con.conkey, ' ') AS keys,
  con.confrelid::bigint AS ref_oid, fn.nspname AS ref_schema, fc.relname AS ref_table, array_to_string(con.confkey, ' ') AS ref_keys,
  con.confdeltype AS on_delete, con.confupdtype AS on_update
FROM unnest($1::oid[]) AS wanted(oid)
JOIN pg_constraint con ON con.conrelid = wanted.oid
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'u', 'f')
ORDER BY con.conrelid, con.conname`;

// Key columns as attribute numbers too (int2vector as text: "1 3"); only expression keys (number 0) pay
// for pg_get_indexdef.
const INDEXES_SQL = `
SELECT i.indrelid::bigint AS oid, ic.relname AS name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
  am.amname AS method, i.indpred IS NOT NULL AS partial, i.indkey::text AS keys, i.indnkeyatts AS key_count,
  CASE WHEN 0 = ANY (i.indkey::int2[]) THEN
    ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k)::text[]
  END AS definitions
FROM unnest($1::oid[]) AS wanted(oid)
JOIN pg_index i ON i.indrelid = wanted.oid
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
ORDER BY i.indrelid, ic.relname`;

// The columns of relations outside the scope that foreign keys of the scope reference.
const REFERENCED_COLUMNS_SQL = `
SELECT a.attrelid::bigint AS oid, a.attnum AS position, a.attname AS name
FROM pg_attribute a WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0`;

const ACTIONS: Readonly<Record<string, string>> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

// Without statistics (reltuples = -1) the heap size bounds the row count: a row takes at least 32 bytes.
const MIN_ROW_BYTES = 32;

/** Reads the inventory of every relation the scope covers. */
export async function postgresCatalog(db: PgSessions, scope: CatalogScope): Promise<SourceInventory> {
  const early = columnsBySchema(db, scope);
  const relationRows = (await db.query(RELATIONS_SQL)) as unknown as RawRelation[];
  const relations = relationRows.filter((r) => scope.filter.table(r.schema, r.name));
  const inScope = new Set(relations.map((r) => r.oid));
  // Every relation of the catalog, not only the scope's: a partitioned table's rows are all its partitions'.
  const leavesOf = partitionLeaves(
    relationRows.map((r) => ({ key: r.oid, parentKey: r.parent_oid, partitioned: r.relkind === 'p', r })),
  );
  // The oids as one array literal.
  const oids = `{${relations.map((r) => r.oid).join(',')}}`;

  const findings: SourceFinding[] = [];
  const countTargets: PostgresCountTarget[] = [];
  const estimates = new Map<string, number | null>();
  const partitioned = new Map<string, PartitionedTable>();
  const unreadable: string[] = [];
  const unpopulated: string[] = [];
  for (const r of relations) {
    const key = r.oid;
    const isView = r.relkind === 'v';
    const leaves = r.relkind === 'p' ? (leavesOf.get(key) ?? []).map((leaf) => leaf.r) : [];
    const { bound, estimate } = r.relkind === 'p' ? sumOfEstimates(leaves) : rowEstimate(r);
    estimates.set(key, estimate);
    // A relation the audit user may not SELECT from is listed from the catalog, never counted: one such
    // table would otherwise fail the counting statement of every table beside it.
    if (!r.readable) unreadable.push(`${r.schema}.${r.name}`);
    // A materialized view created WITH NO DATA cannot be read until refreshed (55000).
    else if (!r.populated) unpopulated.push(`${r.schema}.${r.name}`);
    else if (r.row_security) {
      findings.push({
        code: 'ROW_LEVEL_SECURITY',
        severity: 'warning',
        dataset: `${r.schema}.${r.name}`,
        message: 'row-level security is on: counts and profile see only the rows this role may read',
        messageFr:
          'la sécurité au niveau des lignes est active : comptages et profil ne voient que les lignes que ce rôle peut lire',
      });
    }
    const countable = r.readable && r.populated && (isView ? scope.countViews : r.relkind !== 'f');
    // Its partitions' counts add up to its own when the inventory reads each of them as it would read them
    // through it: in the scope, readable, and no row-level security on either side (through a partitioned
    // table, its own policies apply and its partitions' do not).
    const summed =
      r.relkind === 'p' &&
      countable &&
      !r.row_security &&
      leaves.every((l) => l.relkind === 'r' && l.readable && !l.row_security && inScope.has(l.oid));
    if (r.relkind === 'p') partitioned.set(key, { leaves, summed });
    if (countable && !summed && (isView || (bound !== null && bound < scope.exactBelow))) {
      countTargets.push({
        key,
        schema: r.schema,
        table: r.name,
        copyable: r.copyable,
        expectedRows: bound === null ? null : Math.max(bound, r.live ?? 0),
      });
    }
  }
  if (unpopulated.length > 0) {
    findings.push({
      code: 'VIEW_NOT_POPULATED',
      severity: 'warning',
      message: `${unpopulated.length} materialized view(s) were never refreshed (WITH NO DATA): listed from the catalog, neither counted nor profiled (${unpopulated.slice(0, 5).join(', ')}${unpopulated.length > 5 ? ', …' : ''})`,
      messageFr: `${unpopulated.length} vue(s) matérialisée(s) jamais rafraîchie(s) (WITH NO DATA) : listée(s) depuis le catalogue, ni comptée(s) ni profilée(s) (${unpopulated.slice(0, 5).join(', ')}${unpopulated.length > 5 ? ', …' : ''})`,
      evidence: { datasets: unpopulated },
    });
  }
  if (unreadable.length > 0) {
    findings.push({
      code: 'TABLE_NOT_READABLE',
      severity: 'warning',
      message: `the audit user has no SELECT privilege on ${unreadable.length} relation(s): listed from the catalog, neither counted nor profiled (${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''})`,
      messageFr: `l’utilisateur de l’audit n’a pas le droit SELECT sur ${unreadable.length} relation(s) : listée(s) depuis le catalogue, ni comptée(s) ni profilée(s) (${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''})`,
      evidence: { datasets: unreadable },
    });
  }
  // Three lanes, each on its own connection: columns (already asked for beside the relations when
  // `columnsBySchema` could); row counts (with sizes measured first under `sizes: exact`: both open the same
  // relations, and the counts find them in the backend's cache), sent as soon as the columns name the column
  // each small table is copied by; enums, constraints and indexes (catalog tables only). The columns and
  // constraints become the datasets' descriptions while the server counts.
  const none = relations.length === 0;
  const columnsRead: Promise<ColumnsRead> = none
    ? Promise.resolve({ byOid: new Map(), types: new Map() })
    : (
        early ??
        db.onOneConnection(async (query) => (await query(COLUMNS_SQL, [oids])) as unknown as RawColumn[])
      ).then((rows) => {
        const { columns, types } = splitTypeFacts(rows);
        const kept = early ? new Set(relations.map((r) => String(r.oid))) : undefined;
        return {
          byOid: groupBy(kept ? columns.filter((c) => kept.has(String(c.oid))) : columns, (c) =>
            String(c.oid),
          ),
          types,
        };
      });
  // Awaited below; a failure meanwhile is not an unhandled rejection.
  columnsRead.catch(() => {});
  // The connection is taken once the columns are in, never held while waiting for them: a pool of one
  // connection (`pool.max: 1`) would otherwise wait on itself.
  const counting =
    none || (countTargets.length === 0 && !scope.exactSizes)
      ? Promise.resolve([[], new Map<string, number>()] as const)
      : columnsRead.then(({ byOid, types }) =>
          db.onOneConnection(async (query, run) => {
            const sizes = scope.exactSizes ? ((await query(SIZES_SQL, [oids])) as unknown as RawSize[]) : [];
            const empty = new Set(
              [...relations, ...sizes].filter((r) => r.heap_bytes === '0').map((r) => String(r.oid)),
            );
            const counted = countTargets.filter((t) => !empty.has(t.key));
            const exact = new Map<string, number>();
            // All the counts in one round trip, so that the server counts while this process reads the other
            // lanes' rows; small tables are copied rather than counted (postgres-counts.ts).
            const columnsOf = (targets: typeof counted) =>
              copyColumns(
                targets,
                (key) => byOid.get(key),
                (c) => typeFacts(types, c)[TYPE_WIDTH],
              );
            if (counted.length > 0) {
              const script = countScript(counted, columnsOf(counted));
              try {
                script.read(await run(script.sql), exact);
              } catch {
                // The failed chunk's transaction is left aborted: closed before anything else is sent.
                await run('ROLLBACK');
                // One relation that cannot be counted (locked past lock_timeout, a foreign partition whose
                // server refuses, a view over a dropped column) must not cost the others their counts:
                // each is counted alone, and the ones that fail keep their estimate, with a finding.
                for (const target of counted) {
                  const alone = countScript([target], columnsOf([target]));
                  try {
                    alone.read(await run(alone.sql), exact);
                  } catch (error) {
                    await run('ROLLBACK');
                    findings.push(countFailureFinding({ target, error: error as Error }));
                  }
                }
              }
            }
            for (const target of countTargets) if (empty.has(target.key)) exact.set(target.key, 0);
            return [sizes, exact] as const;
          }),
        );
  counting.catch(() => {});
  // One round trip: the oids go into the text as an array literal (digits and commas only).
  const oidLiteral = `'${oids}'`;
  // The server's facts ride along: asked for beside the relations, they took a third connection when the
  // server is busiest.
  const [{ byOid: columnsByOid, types }, [serverRow, enumRows, constraintRows, indexRows]] =
    await Promise.all([
      columnsRead,
      none
        ? db.query(SERVER_SQL).then(([server]) => [server as unknown as RawServer, [], [], []] as const)
        : db.onOneConnection(async (_query, run) => {
            const [serverResult, enumResult, constraintResult, indexResult] = await run(
              [SERVER_SQL, ENUMS_SQL, CONSTRAINTS_SQL, INDEXES_SQL]
                .map((sql) => sql.replace('$1', oidLiteral))
                .join(';'),
            );
            return [
              serverResult!.rows[0] as unknown as RawServer,
              enumResult!.rows as unknown as RawEnum[],
              constraintResult!.rows as unknown as RawConstraint[],
              indexResult!.rows as unknown as RawIndex[],
            ] as const;
          }),
    ]);

  const enums = new Map(enumRows.map((e) => [String(e.type), e.labels]));
  const asciiCase = /^(c|posix)$/i.test(serverRow.ctype);
  const names = await attributeNames(db, columnsByOid, constraintRows);
  const constraintsByOid = groupBy(
    constraintRows.map((c) => nameConstraint(c, names)),
    (c) => c.oid,
  );
  const indexesByOid = groupBy(indexRows, (i) => String(i.oid));

  const described = relations.map((r) => {
    const key = String(r.oid);
    const constraints = constraintsByOid.get(key) ?? [];
    const pk = constraints.find((c) => c.type === 'p');
    const pkColumns = new Set(pk?.columns ?? []);
    // Sorted here rather than in SQL: an ORDER BY over every column of the estate spills to disk.
    const raw = (columnsByOid.get(key) ?? []).sort((a, b) => a.position - b.position);
    const columns: Column[] = raw.map((c) => toColumn(c, typeFacts(types, c), pkColumns, enums, asciiCase));
    const uniqueKeys: KeyConstraint[] = constraints
      .filter((c) => c.type === 'u')
      .map((c) => ({ name: c.name, columns: c.columns }));
    return {
      columns,
      primaryKey: pk ? { name: pk.name, columns: pk.columns } : null,
      foreignKeys: constraints
        .filter((c) => c.type === 'f')
        .map((c) => ({
          name: c.name,
          columns: c.columns,
          references: { dataset: `${c.ref_schema}.${c.ref_table}`, columns: c.ref_columns },
          onDelete: ACTIONS[c.on_delete ?? 'a'] ?? 'NO ACTION',
          onUpdate: ACTIONS[c.on_update ?? 'a'] ?? 'NO ACTION',
        })),
      indexes: (indexesByOid.get(key) ?? []).map(
        (i): Index => ({
          name: i.name,
          columns: indexColumns(i, names),
          unique: i.is_unique,
          ...(i.is_primary ? { primary: true } : {}),
          method: i.method,
          ...(i.partial ? { partial: true } : {}),
        }),
      ),
      uniqueKeys,
    };
  });

  const [sizeRows, exact] = await counting;
  // A partitioned table not counted itself is the sum of its partitions: exact when they all are (and read
  // as through it), otherwise an estimate made of their counts and estimates.
  for (const [key, { leaves, summed }] of partitioned) {
    if (exact.has(key)) continue;
    const sum = summed ? sumOfCounts(leaves.map(oidOf), exact) : undefined;
    if (sum !== undefined) exact.set(key, sum);
    else estimates.set(key, sumOfEstimates(leaves, exact).estimate);
  }
  const measured = new Map(sizeRows.map((r) => [String(r.oid), Number(r.size_bytes)]));
  const datasets: Dataset[] = relations.map((r, at) => {
    const key = r.oid;
    const { columns, primaryKey, foreignKeys, indexes, uniqueKeys } = described[at]!;
    const exactCount = exact.get(key);
    const estimate = estimates.get(key) ?? null;
    if (exactCount === undefined && estimate === null && (r.relkind === 'r' || r.relkind === 'p')) {
      findings.push({
        code: 'ROW_COUNT_UNKNOWN',
        severity: 'info',
        dataset: `${r.schema}.${r.name}`,
        message:
          r.relkind === 'r'
            ? 'the table has no statistics (never analyzed) and is too large to count under rowCounts.exactBelow'
            : 'partitions of the table have no statistics (never analyzed) or are foreign tables, and it is not counted under rowCounts.exactBelow',
        messageFr:
          r.relkind === 'r'
            ? 'la table n’a pas de statistiques (jamais analysée) et elle est trop grande pour être comptée sous rowCounts.exactBelow'
            : 'des partitions de la table n’ont pas de statistiques (jamais analysées) ou sont des tables distantes, et elle n’est pas comptée sous rowCounts.exactBelow',
      });
    }
    return {
      name: `${r.schema}.${r.name}`,
      kind: r.relkind === 'v' || r.relkind === 'm' ? 'view' : 'table',
      rowCount: exactCount ?? estimate,
      rowCountExact: exactCount !== undefined,
      columns,
      primaryKey,
      foreignKeys,
      indexes,
      schema: r.schema,
      table: r.name,
      ...(uniqueKeys.length > 0 ? { uniqueKeys } : {}),
      ...(r.relkind === 'm' ? { materialized: true } : {}),
      ...(r.relkind === 'p' ? { partitioned: true } : {}),
      ...(r.readable && r.populated ? {} : { readable: false }),
      ...(r.parent_name ? { partitionOf: `${r.parent_schema}.${r.parent_name}` } : {}),
      ...(r.inherits_from ? { inheritsFrom: unquotedName(r.inherits_from) } : {}),
      ...sizeOf(r, measured.get(key)),
      ...(r.comment ? { comment: r.comment } : {}),
      ...(r.definition ? { definition: r.definition.trim() } : {}),
    };
  });

  return {
    datasets,
    findings,
    server: {
      product: 'PostgreSQL',
      version: serverRow.version,
      database: serverRow.database,
      sizeBytes: Number(serverRow.size_bytes),
      encoding: serverRow.encoding,
      collation: serverRow.collation,
      timeZone: serverRow.time_zone,
    },
  };
}

/**
 * What the catalog statistics tell of a relation's rows without reading it: `bound` decides whether it is
 * counted under `exactBelow`, `estimate` is listed when it is not counted; null when unknown.
 */
interface RowEstimate {
  readonly bound: number | null;
  readonly estimate: number | null;
}

/** The row estimate of a relation other than a partitioned table; views and foreign tables have none. */
function rowEstimate(r: RawRelation): RowEstimate {
  if (r.relkind === 'v' || r.relkind === 'f') return { bound: null, estimate: null };
  if (r.estimate >= 0) {
    const rows = Math.round(r.estimate);
    return { bound: rows, estimate: rows };
  }
  // Never analyzed: a table's heap size bounds its rows; a materialized view is counted whatever its size.
  if (r.relkind === 'r') {
    return {
      bound: r.heap_bytes === null ? null : Math.ceil(Number(r.heap_bytes) / MIN_ROW_BYTES),
      estimate: null,
    };
  }
  return { bound: 0, estimate: null };
}

/**
 * The row estimate of a partitioned table: the sum of its leaf partitions' (its own statistics are those of
 * its last manual ANALYZE: autovacuum never analyzes a partitioned table), taking the exact counts given.
 */
function sumOfEstimates(leaves: readonly RawRelation[], exact?: ReadonlyMap<string, number>): RowEstimate {
  let bound: number | null = 0;
  let estimate: number | null = 0;
  for (const leaf of leaves) {
    const counted = exact?.get(leaf.oid);
    const own = counted === undefined ? rowEstimate(leaf) : { bound: counted, estimate: counted };
    bound = bound === null || own.bound === null ? null : bound + own.bound;
    estimate = estimate === null || own.estimate === null ? null : estimate + own.estimate;
  }
  return { bound, estimate };
}

const oidOf = (r: RawRelation) => r.oid;

/** A partitioned table of the scope: its leaf partitions, and whether it is counted as the sum of theirs. */
interface PartitionedTable {
  readonly leaves: readonly RawRelation[];
  readonly summed: boolean;
}

/** The size of a relation: measured (`sizes: exact`, or never analyzed) or as the catalog records it. */
function sizeOf(r: RawRelation, measured: number | undefined): { sizeBytes?: number; sizeExact?: boolean } {
  if (measured !== undefined) return { sizeBytes: measured, sizeExact: true };
  if (r.catalog_bytes === null) return {};
  return { sizeBytes: Number(r.catalog_bytes), sizeExact: r.estimate < 0 };
}

/** The name of attribute `n` of relation `oid`, if known. */
type AttributeNames = (oid: string, n: number) => string | undefined;

/**
 * Names the attribute numbers of keys from the columns lane (a relation's few columns searched, rather than a
 * map built of all 20,000); the relations outside the scope that foreign keys reference (another schema, a
 * filtered-out table) are read in one more query, only when there are any.
 */
async function attributeNames(
  db: PgSessions,
  columnsByOid: ReadonlyMap<string, readonly RawColumn[]>,
  constraints: readonly RawConstraint[],
): Promise<AttributeNames> {
  let outsideByOid: ReadonlyMap<string, readonly RawName[]> = new Map();
  const outside = new Set(
    constraints
      .filter((c) => c.type === 'f' && !columnsByOid.has(String(c.ref_oid)))
      .map((c) => String(c.ref_oid)),
  );
  if (outside.size > 0) {
    const rows = (await db.query(REFERENCED_COLUMNS_SQL, [
      `{${[...outside].join(',')}}`,
    ])) as unknown as RawName[];
    outsideByOid = groupBy(rows, (r) => String(r.oid));
  }
  return (oid, n) => (columnsByOid.get(oid) ?? outsideByOid.get(oid))?.find((c) => c.position === n)?.name;
}

/** The attribute numbers of a key sent as text ("1 3": constraint keys, index keys); none for null or empty. */
function attributeNumbers(keys: string | null): number[] {
  return keys ? keys.split(' ').map(Number) : [];
}

/** A constraint with its key columns named. */
function nameConstraint(c: RawConstraint, names: AttributeNames): NamedConstraint {
  const oid = String(c.oid);
  const referenced = String(c.ref_oid);
  return {
    oid,
    name: c.name,
    type: c.type,
    columns: attributeNumbers(c.keys).map((n) => names(oid, n) ?? `#${n}`),
    ref_schema: c.ref_schema,
    ref_table: c.ref_table,
    ref_columns: attributeNumbers(c.ref_keys).map((n) => names(referenced, n) ?? `#${n}`),
    on_delete: c.on_delete,
    on_update: c.on_update,
  };
}

/** The key columns of an index: column names, or the expression text of expression keys. */
function indexColumns(i: RawIndex, names: AttributeNames): string[] {
  const oid = String(i.oid);
  return attributeNumbers(i.keys)
    .slice(0, i.key_count)
    .map((n, k) => (n === 0 ? unquoteIndexColumn(i.definitions?.[k] ?? '') : (names(oid, n) ?? `#${n}`)));
}

/**
 * The columns of the scope's schemas, asked for at once (COLUMNS_BY_SCHEMA_SELECT), when the scope is whole
 * schemas named without globs, or every schema; otherwise (tables named by `include`, schema globs)
 * undefined, and the columns are asked for by the oids of the relations kept.
 */
function columnsBySchema(db: PgSessions, scope: CatalogScope): Promise<RawColumn[]> | undefined {
  const schemas = scope.filter.schemaPatterns;
  if (scope.filter.includes) return undefined;
  if (schemas && (schemas.length === 0 || schemas.some((s) => GLOB_CHARACTERS.test(s)))) return undefined;
  const sql = withTypeFacts(COLUMNS_BY_SCHEMA_SELECT + (schemas ? IN_SCHEMAS : ''));
  const columns = db.onOneConnection(
    async (query) => (await query(sql, schemas ? [[...schemas]] : [])) as unknown as RawColumn[],
  );
  // Awaited once the relations are in; a failure meanwhile is not an unhandled rejection.
  columns.catch(() => {});
  return columns;
}

/** Characters that make a schema pattern a glob (picomatch) rather than a name. */
const GLOB_CHARACTERS = /[*?[\]{}()!+@\\]/;

/**
 * What a (type, typmod) decides, as `withTypeFacts` sends it: native type, type name, category, the type whose
 * enum labels apply (an array's element type), length, precision, scale, byte width (pg_type.typlen: -1 or -2
 * for variable-width types), all of the base type for a domain; and the domain's name, or null.
 */
type TypeFacts = readonly [
  string,
  string,
  string,
  string,
  number | null,
  number | null,
  number | null,
  number,
  string | null,
];
const TYPE_WIDTH = 7;

/** The columns lane: rows by relation oid, and the facts of their types by `typeKey`. */
interface ColumnsRead {
  readonly byOid: ReadonlyMap<string, RawColumn[]>;
  readonly types: ReadonlyMap<string, TypeFacts>;
}

const typeKey = (c: RawColumn) => `${c.type}:${c.typmod}`;

/** Splits the rows of `withTypeFacts`: the columns, and the facts of their types by `typeKey`. */
function splitTypeFacts(rows: readonly RawColumn[]): { columns: RawColumn[]; types: Map<string, TypeFacts> } {
  const columns: RawColumn[] = [];
  const types = new Map<string, TypeFacts>();
  for (const c of rows) {
    if (c.type_facts === null) columns.push(c);
    else types.set(typeKey(c), JSON.parse(c.type_facts) as TypeFacts);
  }
  return { columns, types };
}

function typeFacts(types: ReadonlyMap<string, TypeFacts>, c: RawColumn): TypeFacts {
  const facts = types.get(typeKey(c));
  if (!facts)
    throw new Error(`the catalog sent no facts of type ${c.type} (typmod ${c.typmod}) of column ${c.name}`);
  return facts;
}

// Optional facts are set one by one rather than spread: 20,000 columns make that a hot path.
function toColumn(
  c: RawColumn,
  [nativeType, typeName, category, enumType, length, precision, scale, , domain]: TypeFacts,
  pk: ReadonlySet<string>,
  enums: ReadonlyMap<string, string[]>,
  asciiCase: boolean,
): Column {
  const enumValues = enums.get(enumType);
  const column: { -readonly [K in keyof Column]: Column[K] } = {
    name: c.name,
    type: postgresLogicalType(typeName, category),
    nativeType,
    nullable: c.nullable,
    primaryKey: pk.has(c.name),
    position: c.position,
  };
  if (domain !== null) column.domain = domain;
  if (length !== null) column.length = length;
  if (precision !== null) column.precision = precision;
  if (scale !== null) column.scale = scale;
  if (c.default_expr !== null && c.generated === null) column.default = c.default_expr;
  if (c.identity !== null || c.default_expr?.startsWith('nextval(')) column.autoIncrement = true;
  if (c.generated !== null) column.generated = true;
  if (c.comment) column.comment = c.comment;
  if (enumValues) column.enumValues = enumValues;
  if (category === 'A') column.array = true;
  if (c.collation) column.collation = c.collation;
  // citext lowers by the database's ctype, which folds A–Z alone when it is C or POSIX: the key comparison
  // follows it (an explicit COLLATE is the column's own).
  else if (asciiCase && typeName === 'citext') column.collation = 'C';
  return column;
}

// pg_get_indexdef quotes names that need it; the inventory lists plain column names.
function unquoteIndexColumn(text: string): string {
  return /^"(?:[^"]|"")*"$/.test(text) ? text.slice(1, -1).replaceAll('""', '"') : text;
}

interface RawServer {
  version: string;
  banner: string;
  database: string;
  size_bytes: string;
  encoding: string;
  collation: string;
  ctype: string;
  time_zone: string;
}

interface RawRelation {
  readable: boolean;
  populated: boolean;
  oid: string;
  schema: string;
  name: string;
  relkind: 'r' | 'v' | 'm' | 'p' | 'f';
  estimate: number;
  is_partition: boolean;
  heap_bytes: string | null;
  catalog_bytes: string | null;
  copyable: boolean;
  live: number | null;
  comment: string | null;
  definition: string | null;
  parent_oid: string | null;
  parent_schema: string | null;
  parent_name: string | null;
  /** The table this one inherits from (its first parent, quoted), outside partitioning. */
  inherits_from: string | null;
  row_security: boolean;
}

interface RawSize {
  oid: string;
  size_bytes: string;
  heap_bytes: string | null;
}

interface RawColumn {
  oid: string;
  position: number;
  name: string;
  type: string;
  typmod: number;
  nullable: boolean;
  default_expr: string | null;
  identity: string | null;
  generated: string | null;
  comment: string | null;
  collation: string | null;
  /** Null on a column; on the row of a (type, typmod), its facts: a JSON `TypeFacts` (`withTypeFacts`). */
  type_facts: string | null;
}

interface RawEnum {
  type: string;
  labels: string[];
}

interface RawConstraint {
  oid: string;
  name: string;
  type: 'p' | 'u' | 'f';
  /** Attribute numbers separated by spaces. */
  keys: string;
  ref_oid: string | null;
  ref_schema: string | null;
  ref_table: string | null;
  ref_keys: string | null;
  on_delete: string | null;
  on_update: string | null;
}

interface NamedConstraint extends Omit<RawConstraint, 'keys' | 'ref_oid' | 'ref_keys'> {
  columns: string[];
  ref_columns: string[];
}

interface RawName {
  oid: string;
  position: number;
  name: string;
}

interface RawIndex {
  oid: string;
  name: string;
  is_unique: boolean;
  is_primary: boolean;
  method: string;
  partial: boolean;
  keys: string;
  key_count: number;
  definitions: string[] | null;
}

/** `"my schema"."t"` as the inventory names datasets: `my schema.t`. */
function unquotedName(quoted: string): string {
  const parts = quoted.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [quoted];
  return parts.map((p) => (p.startsWith('"') ? p.slice(1, -1).replaceAll('""', '"') : p)).join('.');
}
