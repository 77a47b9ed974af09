/**
 * The base config schema: the shape of `stocktake.yaml`, before environment interpolation is checked
 * and paths are resolved. Cross-field checks live in `cross-checks.ts`; the JSON Schema is generated
 * from these definitions (`stocktake schema`).
 *
 * @example
 * ```yaml
 * sources:
 *   crm: { kind: postgres, url: "${CRM_DATABASE_URL}", schemas: [public] }
 * ```
 */
import { z } from 'zod';
import { closest } from './did-you-mean.ts';

/** An object schema that rejects unknown keys, suggesting the closest known key. */
function strict<T extends z.core.$ZodLooseShape>(shape: T, description?: string) {
  const known = Object.keys(shape);
  const schema = z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const guess = closest(key, known);
          return guess ? `unknown key "${key}" (did you mean "${guess}"?)` : `unknown key "${key}"`;
        })
        .join('; ');
    },
  });
  return description ? schema.describe(description) : schema;
}

const nonEmpty = z.string().min(1, 'must not be empty');
const glob = nonEmpty.describe('a name or glob: `public`, `sales_*`, `audit.log_*`');

const severity = z.enum(['info', 'warning', 'error']);

const tls = z.union([
  z.boolean(),
  strict(
    {
      rejectUnauthorized: z.boolean().optional().describe('verify the server certificate (default true)'),
      ca: nonEmpty.optional().describe('path of a CA certificate file (PEM)'),
      cert: nonEmpty.optional().describe('path of a client certificate file (PEM)'),
      key: nonEmpty.optional().describe('path of a client key file (PEM)'),
      servername: nonEmpty.optional(),
    },
    'TLS options; `true` requires TLS with the system CAs',
  ),
]);

const rowCounts = strict(
  {
    exactBelow: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        'count rows exactly when the catalog estimate is below this (default 1000000); 0 = always estimate',
      ),
    views: z
      .boolean()
      .optional()
      .describe('also count the rows of views, which runs their query (default false)'),
  },
  'how row counts are taken',
);

/** `sample: 10%` or `sample: 0.1`: profile a share of the rows; every output labels it. */
const sample = z
  .union([
    z.number().gt(0).lte(1),
    z
      .string()
      .regex(/^\d+(\.\d+)?\s*%$/, 'a percentage such as "10%"')
      .transform((s) => Number.parseFloat(s) / 100)
      .pipe(z.number().gt(0, 'must be more than 0%').lte(1, 'must be at most 100%')),
  ])
  .describe('profile a share of the rows: "10%" or 0.1 (default: every row)');

/** Fields shared by every network database (PostgreSQL, MySQL/MariaDB, SQL Server). */
const networkDatabase = {
  url: nonEmpty.optional().describe('connection URL, e.g. postgres://user:${PGPASSWORD}@host:5432/db'),
  host: nonEmpty.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  database: nonEmpty.optional(),
  user: nonEmpty.optional(),
  password: z.string().optional().describe('taken from the environment: "${DB_PASSWORD}"; never printed'),
  ssl: tls.optional(),
  schemas: z.array(glob).optional().describe('schemas (MySQL: databases) to scan; globs allowed'),
  include: z.array(glob).optional().describe('tables to scan, as `table` or `schema.table` globs'),
  exclude: z.array(glob).optional().describe('tables to skip, as `table` or `schema.table` globs'),
  rowCounts: rowCounts.optional(),
  sample: sample.optional(),
  pool: strict({ max: z.number().int().min(1).max(64).optional() }).optional(),
  connectTimeoutMs: z.number().int().positive().optional(),
  system: nonEmpty.optional().describe('the system (under `systems:`) this source belongs to'),
  description: z.string().optional(),
};

const postgresSource = strict(
  {
    kind: z.literal('postgres'),
    ...networkDatabase,
    sizes: z
      .enum(['estimated', 'exact'])
      .optional()
      .describe(
        'table sizes from the catalog statistics as of the last VACUUM/ANALYZE (default), or measured on disk (opens every table, index and TOAST table)',
      ),
  },
  'a PostgreSQL database',
);
const mysqlSource = strict(
  { kind: z.enum(['mysql', 'mariadb']), ...networkDatabase },
  'a MySQL or MariaDB server; `database` (or the URL path) is the default schema',
);
const mssqlSource = strict(
  {
    kind: z.literal('mssql'),
    ...networkDatabase,
    instanceName: nonEmpty.optional(),
    encrypt: z.boolean().optional().describe('encrypt the connection (default true)'),
    trustServerCertificate: z.boolean().optional(),
  },
  'a Microsoft SQL Server database',
);
const sqliteSource = strict(
  {
    kind: z.literal('sqlite'),
    path: nonEmpty.describe('the database file, relative to the config file'),
    include: z.array(glob).optional(),
    exclude: z.array(glob).optional(),
    rowCounts: rowCounts.optional(),
    sample: sample.optional(),
    system: nonEmpty.optional(),
    description: z.string().optional(),
  },
  'an SQLite database file, always opened read-only for audits',
);
const csvSource = strict(
  {
    kind: z.literal('csv'),
    path: nonEmpty.describe('a file, a folder or a glob, relative to the config file; one dataset per file'),
    delimiter: z.string().min(1).max(4).optional().describe('sniffed when not given'),
    quote: z.string().length(1).optional(),
    encoding: nonEmpty.optional().describe('utf-8, utf-16le, windows-1252, latin1…; sniffed when not given'),
    header: z.boolean().optional().describe('first line is a header; sniffed when not given'),
    decimal: z.enum([',', '.']).optional(),
    dateFormat: nonEmpty.optional().describe('e.g. dd/MM/yyyy'),
    threads: z
      .union([z.literal(1), z.literal(2)])
      .optional()
      .describe('2: scan UTF-8 files of 16 MB and more as two byte ranges on two threads (default 1)'),
    system: nonEmpty.optional(),
    description: z.string().optional(),
  },
  'CSV files',
);
const xlsxSource = strict(
  {
    kind: z.literal('xlsx'),
    path: nonEmpty.describe('a workbook, a folder or a glob, relative to the config file'),
    sheets: z.array(glob).optional().describe('sheets to read (default all)'),
    headerRow: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('1-based header row; found automatically when not given'),
    system: nonEmpty.optional(),
    description: z.string().optional(),
  },
  'Excel workbooks (.xlsx), one dataset per sheet',
);

/** Every source kind and its schema; a new connector adds one line here and one in the registry. */
export const SOURCE_SCHEMAS = [postgresSource, mysqlSource, mssqlSource, sqliteSource, csvSource, xlsxSource];

/** The kinds accepted under `sources:`. */
export const SOURCE_KINDS = ['postgres', 'mysql', 'mariadb', 'mssql', 'sqlite', 'csv', 'xlsx'] as const;

export const sourceSchema = z.discriminatedUnion('kind', [
  postgresSource,
  mysqlSource,
  mssqlSource,
  sqliteSource,
  csvSource,
  xlsxSource,
]);

/** The kinds accepted under `targets:`. */
export const TARGET_KINDS = ['postgres', 'mysql', 'mariadb', 'mssql', 'sqlite'] as const;

export const targetSchema = z.discriminatedUnion('kind', [
  strict({ kind: z.literal('postgres'), ...networkDatabase }),
  strict({ kind: z.enum(['mysql', 'mariadb']), ...networkDatabase }),
  strict({
    kind: z.literal('mssql'),
    ...networkDatabase,
    instanceName: nonEmpty.optional(),
    encrypt: z.boolean().optional(),
    trustServerCertificate: z.boolean().optional(),
  }),
  strict({
    kind: z.literal('sqlite'),
    path: nonEmpty,
    system: nonEmpty.optional(),
    description: z.string().optional(),
  }),
]);

const contact = strict({ name: nonEmpty, email: z.email().optional(), phone: z.string().optional() });

export const systemSchema = strict(
  {
    vendor: z.string().optional(),
    description: z.string().optional(),
    domain: z.string().optional().describe('business domain: sales, stock, finance…'),
    version: z.string().optional(),
    owner: contact.optional(),
    steward: contact.optional().describe('the data steward who answers for the data'),
    criticality: z.enum(['low', 'medium', 'high', 'critical']).optional(),
    fate: z.enum(['migrate', 'archive', 'retire', 'keep']).optional(),
    plannedDate: z.iso.date().optional().describe('YYYY-MM-DD'),
  },
  'the software behind the data, its owner and its fate',
);

export const RULE_CHECKS = [
  'not_null',
  'unique',
  'format',
  'range',
  'allowed_values',
  'regex',
  'max_null_rate',
  'row_count_min',
  'foreign_key',
  'freshness',
] as const;

export const ruleSchema = strict(
  {
    dataset: nonEmpty.describe(
      'source first: `crm.public.customers`; the schema may be left out when unambiguous',
    ),
    column: nonEmpty.optional(),
    check: z.enum(RULE_CHECKS),
    format: nonEmpty.optional(),
    pattern: nonEmpty.optional(),
    min: z.union([z.number(), z.string()]).optional(),
    max: z.union([z.number(), z.string()]).optional(),
    values: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
    references: nonEmpty.optional().describe('for foreign_key: `source.dataset.column`'),
    maxAge: nonEmpty.optional().describe('for freshness: `24h`, `7d`'),
    maxFailRate: z.number().min(0).max(1).optional(),
    maxNullRate: z.number().min(0).max(1).optional(),
    minRows: z.number().int().nonnegative().optional(),
    severity: severity.default('error'),
    name: nonEmpty.optional(),
  },
  'a data-quality rule; an error-level rule that fails makes `stocktake profile` exit 1',
);

/** Transforms written as a bare name: `transform: [trim, lowercase]`. */
const TRANSFORM_NAMES_WITHOUT_ARGS =
  'text, trim, lowercase/lower, uppercase/upper, collapse_spaces, strip_accents, concat, coalesce, number, ' +
  'integer, boolean, date, datetime (needs a zone: use the object form), phone, email, uuid';

const onMissing = z
  .enum(['keep', 'null', 'reject'])
  .optional()
  .describe('what a value absent from the lookup becomes (default reject)');
const dateFormats = z
  .array(nonEmpty)
  .min(1, 'give at least one format')
  .describe('tried in order: `dd/MM/yyyy`, `yyyyMMdd`, `dd.MM.yyyy HH:mm`, `iso` (ISO 8601, any offset)');
const zone = nonEmpty.describe('an IANA time zone, e.g. Europe/Paris');
const dateArgs = z.union([
  nonEmpty.describe('one format: `dd/MM/yyyy`'),
  strict({ formats: dateFormats, zone: zone.optional(), locale: nonEmpty.optional() }),
]);
const datetimeArgs = strict({
  formats: dateFormats.optional().describe('default [iso]'),
  zone: zone.describe('the zone local times are in (required): Europe/Paris'),
  locale: nonEmpty.optional(),
});
const separator = z.string().describe('the separator text, e.g. " " or ";"');

/** The object form of a transform: exactly one key, the transform's name, with its arguments. */
const transformWithArgs = strict(
  {
    text: z.null().optional(),
    trim: z.null().optional(),
    lowercase: z.null().optional(),
    lower: z.null().optional(),
    uppercase: z.null().optional(),
    upper: z.null().optional(),
    collapse_spaces: z.null().optional(),
    strip_accents: z.null().optional(),
    prefix: z.string().optional().describe('text put before the value: `{ prefix: "CRM-" }`'),
    suffix: z.string().optional().describe('text put after the value'),
    replace: strict({
      pattern: nonEmpty.describe('a JavaScript regular expression'),
      with: z.string().describe('the replacement; $1… name the groups'),
      flags: z
        .string()
        .regex(/^[gimsuy]*$/, 'flags among g, i, m, s, u, y')
        .optional()
        .describe('default g'),
    }).optional(),
    split: strict({
      separator,
      index: z.number().int().optional().describe('the part to keep, 0-based; negative counts from the end'),
    }).optional(),
    join: z
      .union([separator, strict({ separator })])
      .optional()
      .describe('joins a multi-column `from`'),
    concat: z.union([z.null(), strict({ separator: separator.optional() })]).optional(),
    coalesce: z.null().optional().describe('the first non-null value of a multi-column `from`'),
    default: z.unknown().optional().describe('the value that replaces null: `{ default: "FR" }`'),
    null_if: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe('values that become null: `{ null_if: ["", "N/A"] }`'),
    lookup: z
      .union([
        strict({ values: z.record(z.string(), z.unknown()), onMissing }),
        strict({
          file: nonEmpty.describe(
            'a CSV file (`,`, `;` or tab separated, with a header), relative to the config',
          ),
          key: nonEmpty.describe('the column holding the source values'),
          value: nonEmpty.describe('the column holding the replacements'),
          onMissing,
        }),
      ])
      .optional(),
    number: z
      .union([
        z.null(),
        strict({
          decimal: z
            .enum([',', '.'])
            .optional()
            .describe('the decimal separator; guessed per value when not given'),
        }),
      ])
      .optional(),
    integer: z.union([z.null(), strict({ decimal: z.enum([',', '.']).optional() })]).optional(),
    boolean: z
      .union([
        z.null(),
        strict({ true: z.array(z.string()).optional(), false: z.array(z.string()).optional() }),
      ])
      .optional(),
    date: dateArgs.optional().describe('parses dates: `{ date: { formats: [dd/MM/yyyy, yyyy-MM-dd] } }`'),
    datetime: datetimeArgs.optional().describe('parses local date-times in a zone; outputs ISO 8601 UTC'),
    phone: z
      .union([z.null(), strict({ country: z.string().length(2).optional().describe('default FR') })])
      .optional()
      .describe('to E.164: `06 12 34 56 78` → `+33612345678`'),
    email: z.null().optional(),
    hash: strict({
      secret: nonEmpty.describe('from the environment: "${HASH_SECRET}"; never printed'),
      length: z.number().int().min(8).max(64).optional().describe('hex characters kept (default 64)'),
    })
      .optional()
      .describe('pseudonymises with HMAC-SHA256'),
    uuid: z
      .union([
        z.null(),
        strict({ namespace: nonEmpty.optional().describe('a UUID; default: one per target dataset') }),
      ])
      .optional()
      .describe('a deterministic UUID v5 of the value(s)'),
    expr: nonEmpty
      .optional()
      .describe('a CEL expression over the source columns and `value`: `upper(first) + " " + last`'),
    ref: strict({
      mapping: nonEmpty.describe(
        'the mapping (with `to.identity`) whose identity map turns the old key into the new',
      ),
      onMissing: z
        .enum(['reject', 'null'])
        .optional()
        .describe('an old key without a new key: reject the row (default) or write null'),
    })
      .optional()
      .describe(
        "the new key of the row another mapping migrated: `{ ref: { mapping: customers } }`; `from` is the old key (several columns for a composite key, in that mapping's sourceKey order)",
      ),
  },
  'a transform with arguments: `{ prefix: "CRM-" }`',
).refine((step) => Object.keys(step).length <= 1, 'a transform step has exactly one key: its name');

const transformStep = z.union([
  nonEmpty.describe(`a transform without arguments: ${TRANSFORM_NAMES_WITHOUT_ARGS}`),
  transformWithArgs,
]);

const validateStep = z.union([
  nonEmpty.describe(
    'a format: email, phone, phone_fr, phone_e164, postal_code_fr, siren, siret, iban, nir, url, uuid, date_iso',
  ),
  strict({ allowed: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) }),
  strict({ pattern: nonEmpty.describe('a regular expression the whole value must match') }),
]);

const fieldSchema = strict({
  from: z
    .union([nonEmpty, z.array(nonEmpty).min(1)])
    .optional()
    .describe('the source column(s); default: the source column named like the field'),
  value: z.unknown().optional().describe('a constant'),
  transform: z.array(transformStep).optional(),
  validate: z.union([validateStep, z.array(validateStep)]).optional(),
  onInvalid: z
    .enum(['reject', 'null', 'keep'])
    .optional()
    .describe(
      'when a transform or validation fails: reject the row (default), write null, or keep the value',
    ),
  required: z.boolean().optional(),
  lossy: z
    .union([z.boolean(), z.array(z.enum(['truncate', 'round', 'replace'])).min(1)])
    .optional()
    .describe(
      'the losses this field accepts instead of a reject: truncate (text, fractions of a second), round (decimals, floats, fractions of a second), replace (characters the column charset cannot hold become ?); true accepts all three',
    ),
});

export const mappingSchema = strict({
  name: nonEmpty,
  from: strict({
    source: nonEmpty,
    dataset: nonEmpty,
    where: nonEmpty.optional(),
  }),
  to: strict({
    target: nonEmpty,
    dataset: nonEmpty,
    key: z
      .array(nonEmpty)
      .min(1, 'needs at least one key column')
      .optional()
      .describe('the business key rows are matched on; required unless `identity` is given'),
    mode: z.enum(['insert', 'upsert', 'mirror']).default('upsert'),
    identity: strict(
      {
        sourceKey: z
          .array(nonEmpty)
          .min(1, 'needs at least one column')
          .optional()
          .describe("the source columns of the old key (default: the source's primary key)"),
      },
      "the target generates its keys: each row's old key and new key are kept in the target's `stocktake_identity` table, and rows are matched through it",
    ).optional(),
  }).superRefine((to, context) => {
    // A business key or an identity map: rows are matched on one or the other, never on both.
    if (!to.key && !to.identity) context.addIssue({ code: 'custom', path: ['key'], message: 'required' });
    if (to.key && to.identity)
      context.addIssue({
        code: 'custom',
        path: ['key'],
        message: 'not used with `identity`: rows are matched through the identity map; remove `key`',
      });
  }),
  fields: z.record(nonEmpty, fieldSchema),
  maxRejects: z.number().int().nonnegative().optional(),
  batchSize: z.number().int().positive().optional(),
});

const identifier = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const name = z.string().regex(identifier, 'names use letters, digits, `_` and `-`, starting with a letter');

export const configSchema = strict({
  $schema: z.string().optional().describe('path of the JSON Schema, for editor completion'),
  version: z.literal(1).optional(),
  systems: z.record(name, systemSchema).optional(),
  sources: z
    .record(name, sourceSchema)
    .refine((s) => Object.keys(s).length > 0, 'declare at least one source'),
  targets: z.record(name, targetSchema).optional(),
  rules: z.array(ruleSchema).optional(),
  mappings: z.array(mappingSchema).optional(),
  report: strict({ lang: z.enum(['en', 'fr']).optional(), title: z.string().optional() }).optional(),
  output: strict({ dir: nonEmpty.optional() }).optional(),
});

/** One mapping as validated. */
export type MappingConfig = z.infer<typeof mappingSchema>;
/** One field of a mapping. */
export type FieldConfig = z.infer<typeof fieldSchema>;
/** One step of a field's `transform` list: a bare name or `{ name: args }`. */
export type TransformStepConfig = z.infer<typeof transformStep>;
/** One entry of a field's `validate` list. */
export type ValidateStepConfig = z.infer<typeof validateStep>;

/** The validated config, before paths are resolved. */
export type Config = z.infer<typeof configSchema>;
/** One source entry. */
export type SourceConfig = z.infer<typeof sourceSchema>;
/** One target entry. */
export type TargetConfig = z.infer<typeof targetSchema>;
/** A source or target that is a network database. */
export type NetworkDatabaseConfig = Extract<
  SourceConfig,
  { kind: 'postgres' | 'mysql' | 'mariadb' | 'mssql' }
>;
/** One system entry. */
export type SystemConfig = z.infer<typeof systemSchema>;
