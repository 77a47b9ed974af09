/**
 * Schema and table filters from the config (`schemas`, `include`, `exclude`), as globs.
 * Catalog queries fetch the candidate schemas; this decides which tables stay.
 */
import picomatch from 'picomatch';

/** Decides which schemas and tables an inventory covers. */
export interface DatasetFilter {
  /** True when the schema may hold included tables. */
  schema(schema: string): boolean;
  /** True when `schema.table` (or `table` for schema-less sources) is included. */
  table(schema: string | undefined, table: string): boolean;
  /** The schema globs, or undefined when any schema (except system ones) is allowed. */
  readonly schemaPatterns: readonly string[] | undefined;
  /** True when `include` names tables: the scope is then those tables, not whole schemas. */
  readonly includes: boolean;
  /** A description for messages: `schemas public; include sales_*`. */
  describe(): string;
}

/** Options of `createDatasetFilter`. */
export interface DatasetFilterOptions {
  readonly schemas?: readonly string[] | undefined;
  readonly include?: readonly string[] | undefined;
  readonly exclude?: readonly string[] | undefined;
  /** Schemas used when `schemas` is not given (e.g. the connection's database for MySQL). */
  readonly defaultSchemas?: readonly string[] | undefined;
}

const matcher = (patterns: readonly string[]) =>
  picomatch(patterns as string[], { dot: true, nocase: false });

/** Builds the filter; `include`/`exclude` entries without a dot match the table name in any schema. */
export function createDatasetFilter(options: DatasetFilterOptions): DatasetFilter {
  const schemaPatterns = options.schemas ?? options.defaultSchemas;
  const schemaMatch = schemaPatterns ? matcher(schemaPatterns) : () => true;
  const split = (patterns: readonly string[] | undefined) => {
    const qualified = (patterns ?? []).filter((p) => p.includes('.'));
    const bare = (patterns ?? []).filter((p) => !p.includes('.'));
    return {
      any: (patterns ?? []).length > 0,
      qualified: qualified.length > 0 ? matcher(qualified) : () => false,
      bare: bare.length > 0 ? matcher(bare) : () => false,
    };
  };
  const include = split(options.include);
  const exclude = split(options.exclude);
  const matches = (set: ReturnType<typeof split>, schema: string | undefined, table: string) =>
    set.bare(table) || (schema !== undefined && set.qualified(`${schema}.${table}`));
  return {
    schemaPatterns,
    includes: include.any,
    schema: (schema) => schemaMatch(schema),
    table(schema, table) {
      if (schema !== undefined && !schemaMatch(schema)) return false;
      if (include.any && !matches(include, schema, table)) return false;
      return !matches(exclude, schema, table);
    },
    describe() {
      const parts: string[] = [];
      if (schemaPatterns) parts.push(`schemas ${schemaPatterns.join(', ')}`);
      if (options.include?.length) parts.push(`include ${options.include.join(', ')}`);
      if (options.exclude?.length) parts.push(`exclude ${options.exclude.join(', ')}`);
      return parts.join('; ') || 'no filter';
    },
  };
}
