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
import { VALUE_FORMATS } from '../core/profile.ts';
import { closest } from './did-you-mean.ts';

/**
 * An object schema that rejects unknown keys, suggesting the closest known key, or what `hint` says of a
 * key that belongs elsewhere (a transform written as a field key).
 */
function strict<T extends z.core.$ZodLooseShape>(
  shape: T,
  description?: string,
  hint?: (key: string) => string | undefined,
) {
  const known = Object.keys(shape);
  const schema = z.strictObject(shape, {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return undefined;
      return issue.keys
        .map((key) => {
          const elsewhere = hint?.(key);
          if (elsewhere) return `unknown key "${key}" (${elsewhere})`;
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
  url: nonEmpty
    .superRefine((url, context) => {
      if (URL.canParse(url)) return;
      // The value is not repeated: a URL carries its password.
      context.addIssue({
        code: 'custom',
        message: /^[a-z]+:\/\/[^/?#]*;/i.test(url)
          ? 'not a valid URL: JDBC-style `;key=value` settings are not supported; write mssql://user:${DB_PASSWORD}@host:1433/database?encrypt=true'
          : 'not a valid URL: write it as scheme://user:${DB_PASSWORD}@host:port/database, special characters of the password percent-encoded',
      });
    })
    .optional()
    .describe('connection URL, e.g. postgres://user:${PGPASSWORD}@host:5432/db'),
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
    delimiter: z
      .string()
      .refine((d) => d === '\\t' || d.toLowerCase() === 'tab' || (d.length === 1 && !/[\r\n"]/.test(d)), {
        message: 'one character (`;`, `,`, `|`; `\\t` or `tab` for a tab), not a quote or a line break',
      })
      .optional()
      .describe('one character (`;`, `,`, `|`), or `\\t` / `tab`; sniffed when not given'),
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

/** A rule's check. */
export type RuleCheck = (typeof RULE_CHECKS)[number];

/** The keys of a rule that are arguments of some checks only. */
const RULE_ARGUMENTS = [
  'format',
  'pattern',
  'min',
  'max',
  'values',
  'references',
  'maxAge',
  'maxFailRate',
  'maxNullRate',
  'minRows',
] as const;
type RuleArgument = (typeof RULE_ARGUMENTS)[number];

/** The arguments each check reads; any other argument would be ignored, so it is an error. */
const CHECK_ARGUMENTS: Readonly<Record<RuleCheck, readonly RuleArgument[]>> = {
  not_null: ['maxFailRate'],
  unique: ['maxFailRate'],
  format: ['format', 'maxFailRate'],
  range: ['min', 'max', 'maxFailRate'],
  allowed_values: ['values', 'maxFailRate'],
  regex: ['pattern', 'maxFailRate'],
  max_null_rate: ['maxNullRate'],
  row_count_min: ['minRows'],
  foreign_key: ['references', 'maxFailRate'],
  freshness: ['maxAge'],
};

/** The arguments a check cannot do without (the others have defaults). */
const REQUIRED_ARGUMENTS: Readonly<Partial<Record<RuleCheck, { key: RuleArgument; what: string }>>> = {
  format: { key: 'format', what: `one of ${VALUE_FORMATS.join(', ')}` },
  regex: { key: 'pattern', what: 'a regular expression, e.g. "^C[0-9]{5}$"' },
  allowed_values: { key: 'values', what: 'the list of allowed values, e.g. [draft, sent, paid]' },
  foreign_key: { key: 'references', what: 'source.dataset.column, e.g. crm.orders.id' },
};

const AGE_UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** The forms `maxAge` accepts, for messages. */
export const AGE_FORMS =
  'a number and a unit, m (minutes), h (hours), d (days) or w (weeks): 30m, 24h, 7d, 2w';

const AGE = /^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$/;

/** `36h`, `7d`, `30m`, `2w`, `1.5d` in milliseconds; NaN for anything else. */
export function parseAge(text: string): number {
  const match = AGE.exec(text);
  if (!match) return Number.NaN;
  return Number(match[1]) * AGE_UNITS[match[2] as keyof typeof AGE_UNITS];
}

/**
 * What a `range` bound is: a number, or an ISO 8601 date, date-time or time, which is compared as
 * text with the ISO text of date, timestamp and time values. Undefined for anything else.
 */
export type BoundKind = 'number' | 'date' | 'datetime' | 'time';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))?$/;
const ISO_TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
/** The forms a `range` bound accepts, for messages. */
export const BOUND_FORMS =
  'a number (10, -2.5) or an ISO 8601 date, date-time or time (2024-01-31, 2024-01-31T08:00:00Z, 08:30)';

function isCalendarDate(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day);
}

function isClockTime(hours: string, minutes: string, seconds = '0'): boolean {
  return Number(hours) < 24 && Number(minutes) < 60 && Number(seconds) < 60;
}

const EXACT_NUMBER = /^-?\d+(\.\d+)?$/;

/** The kind of a `range` bound, or undefined when it is neither a number nor ISO 8601 text. */
export function boundKind(bound: unknown): BoundKind | undefined {
  if (typeof bound === 'number') return Number.isFinite(bound) ? 'number' : undefined;
  if (typeof bound !== 'string') return undefined;
  // A number a double cannot hold, kept as written by the loader (or quoted), is compared exactly.
  if (EXACT_NUMBER.test(bound)) return 'number';
  let m = ISO_DATE.exec(bound);
  if (m) return isCalendarDate(m[1]!, m[2]!, m[3]!) ? 'date' : undefined;
  m = ISO_DATETIME.exec(bound);
  if (m) {
    const offsetOk = m[7] === undefined || isClockTime(m[7], m[8]!);
    return isCalendarDate(m[1]!, m[2]!, m[3]!) && isClockTime(m[4]!, m[5]!, m[6]) && offsetOk
      ? 'datetime'
      : undefined;
  }
  m = ISO_TIME.exec(bound);
  if (m) return isClockTime(m[1]!, m[2]!, m[3]) ? 'time' : undefined;
  return undefined;
}

const rangeBound = z.union([z.number(), z.string()]).superRefine((bound, context) => {
  if (boundKind(bound) !== undefined) return;
  const text = String(bound);
  let message = `expected ${BOUND_FORMS}; got ${JSON.stringify(text)}`;
  if (/^\s*[+-]?(\d+\.?\d*|\.\d+)\s*$/.test(text))
    message = `write the number without quotes (${text.trim()}): quoted, it would be compared as text`;
  else if (ISO_DATE.test(text) || ISO_DATETIME.test(text) || ISO_TIME.test(text))
    message = `${JSON.stringify(text)} is not a valid date or time`;
  context.addIssue({ code: 'custom', message, input: bound });
});

const rate = (what: string) =>
  z
    .number()
    .min(0, `a rate is between 0 and 1 (0.05 = 5%)`)
    .max(1, `a rate is between 0 and 1 (0.05 = 5%)`)
    .describe(what);

export const ruleSchema = strict(
  {
    dataset: nonEmpty.describe(
      'source first: `crm.public.customers`; the schema may be left out when unambiguous',
    ),
    column: nonEmpty.optional().describe('required by every check but row_count_min'),
    check: z.enum(RULE_CHECKS),
    format: z.enum(VALUE_FORMATS).optional().describe('for format: the format the values must have'),
    pattern: nonEmpty
      .superRefine((pattern, context) => {
        try {
          new RegExp(pattern);
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          context.addIssue({
            code: 'custom',
            message: `not a valid regular expression: ${reason.replace(/^Invalid regular expression: /, '')}`,
            input: pattern,
          });
        }
      })
      .optional()
      .describe('for regex: a JavaScript regular expression the values must match'),
    min: rangeBound.optional().describe(`for range: the smallest value allowed, ${BOUND_FORMS}`),
    max: rangeBound.optional().describe(`for range: the largest value allowed, ${BOUND_FORMS}`),
    values: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1, 'give at least one allowed value')
      .optional()
      .describe('for allowed_values: the values allowed'),
    references: nonEmpty
      .refine(
        (reference) => {
          const parts = reference.split('.');
          return parts.length >= 3 && parts.every((part) => part.length > 0);
        },
        { message: 'write source.dataset.column, e.g. crm.orders.id' },
      )
      .optional()
      .describe('for foreign_key: `source.dataset.column`'),
    maxAge: z
      .string()
      .regex(AGE, {
        error: (issue) => `expected a duration, ${AGE_FORMS}; got ${JSON.stringify(issue.input)}`,
      })
      .refine((age) => !(parseAge(age) <= 0), `must be more than 0: ${AGE_FORMS}`)
      .optional()
      .describe(`for freshness: the age the newest value may have (default 1d), ${AGE_FORMS}`),
    maxFailRate: rate('the share of values allowed to fail (default 0)').optional(),
    maxNullRate: rate('for max_null_rate: the share of values allowed to be missing (default 0)').optional(),
    minRows: z
      .number()
      .int('a whole number of rows')
      .nonnegative('a number of rows, 0 or more')
      .optional()
      .describe('for row_count_min: the fewest rows allowed (default 1)'),
    severity: severity.default('error'),
    name: nonEmpty.optional(),
  },
  'a data-quality rule; an error-level rule that fails makes `stocktake profile` exit 1',
).superRefine((rule, context) => {
  // Arguments that depend on the check: missing ones it needs, ignored ones it was given.
  const used = CHECK_ARGUMENTS[rule.check];
  if (!used) return;
  if (!rule.column && rule.check !== 'row_count_min')
    context.addIssue({ code: 'custom', path: ['column'], message: `required for check ${rule.check}` });
  if (rule.column && rule.check === 'row_count_min')
    context.addIssue({
      code: 'custom',
      path: ['column'],
      message: 'not used by check row_count_min, which counts the rows of the dataset: remove it',
    });
  const required = REQUIRED_ARGUMENTS[rule.check];
  if (required && rule[required.key] === undefined)
    context.addIssue({
      code: 'custom',
      path: [required.key],
      message: `required for check ${rule.check}: ${required.what}`,
    });
  if (rule.check === 'range' && rule.min === undefined && rule.max === undefined)
    context.addIssue({ code: 'custom', path: ['min'], message: 'check range needs min, max or both' });
  for (const key of RULE_ARGUMENTS) {
    if (rule[key] === undefined || used.includes(key)) continue;
    context.addIssue({ code: 'custom', path: [key], message: unusedArgument(key, rule.check) });
  }
  if (rule.check === 'range' && rule.min !== undefined && rule.max !== undefined) {
    const [minKind, maxKind] = [boundKind(rule.min), boundKind(rule.max)];
    if (minKind && maxKind) {
      const family = (kind: BoundKind) => (kind === 'number' ? 'number' : kind === 'time' ? 'time' : 'date');
      if (family(minKind) !== family(maxKind))
        context.addIssue({
          code: 'custom',
          path: ['max'],
          message: `min is ${describeBoundKind(minKind)} and max ${describeBoundKind(maxKind)}: give both as numbers, dates or times`,
        });
      else if (
        minKind === 'number' ? Number(rule.min) > Number(rule.max) : String(rule.min) > String(rule.max)
      )
        context.addIssue({
          code: 'custom',
          path: ['min'],
          message: `greater than max (${rule.max}): no value could pass`,
        });
    }
  }
});

/** `a number`, `a date`, `a date-time`, `a time`. */
export function describeBoundKind(kind: BoundKind): string {
  return { number: 'a number', date: 'a date', datetime: 'a date-time', time: 'a time' }[kind];
}

function unusedArgument(key: RuleArgument, check: RuleCheck): string {
  if (key === 'maxFailRate' && check === 'max_null_rate')
    return 'not used by check max_null_rate: give its limit as maxNullRate';
  if (key === 'maxFailRate')
    return `not used by check ${check}, which passes or fails as a whole (no share of values can fail)`;
  const owners = RULE_CHECKS.filter((c) => CHECK_ARGUMENTS[c].includes(key));
  return `not used by check ${check} (${key} is an argument of check ${owners.join(', ')})`;
}

/** Transforms written as a bare name: `transform: [trim, lowercase]`. */
const TRANSFORM_NAMES_WITHOUT_ARGS =
  'text, trim, lowercase/lower, uppercase/upper, collapse_spaces, strip_accents, concat, coalesce, number, ' +
  'integer, boolean, date, datetime (needs a zone: use the object form), phone, email, uuid';

/** A choice among words, `null` one of them: written bare, YAML reads it as a null, taken for the word. */
function choiceWithNull<const T extends readonly [string, ...string[]]>(values: T) {
  return z.union([z.enum(values), z.null()]).transform((v) => v ?? ('null' as T[number]));
}

const onMissing = choiceWithNull(['keep', 'null', 'reject'])
  .optional()
  .describe('what a value absent from the lookup becomes (default reject)');
const dateFormats = z
  .array(nonEmpty)
  .min(1, 'give at least one format')
  .describe(
    'tried in order: `dd/MM/yyyy`, `yyyyMMdd`, `dd.MM.yyyy HH:mm`, `iso` (ISO 8601, any offset), `excel` or `excel1904` (serial days)',
  );
const zone = nonEmpty.describe('an IANA time zone, e.g. Europe/Paris');
const dateArgs = z.union([
  nonEmpty.describe('one format: `dd/MM/yyyy`'),
  strict({ formats: dateFormats, zone: zone.optional(), locale: nonEmpty.optional() }),
]);
const datetimeArgs = strict({
  formats: dateFormats.optional().describe('default [iso]'),
  zone: zone.describe('the zone local times are in (required): Europe/Paris'),
  locale: nonEmpty.optional(),
  local: z
    .boolean()
    .optional()
    .describe(
      "outputs the zone's local time without an offset, for a column without a time zone (default: the UTC instant)",
    ),
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
        .describe(
          'default g; given flags replace it (gi: every match, ignoring case); the pattern is read in Unicode mode',
        ),
    }).optional(),
    split: strict({
      separator,
      index: z.number().int().optional().describe('the part to keep, 0-based; negative counts from the end'),
    }).optional(),
    join: z
      .union([separator, strict({ separator })])
      .optional()
      .describe('joins a multi-column `from`'),
    concat: z
      .union([z.null(), separator, strict({ separator: separator.optional() })])
      .optional()
      .describe('joins a multi-column `from`, nulls left out: `{ concat: ", " }`'),
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
    datetime: datetimeArgs
      .optional()
      .describe(
        'parses local date-times in a zone; outputs ISO 8601 UTC, or the local time with `local: true`',
      ),
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
      onMissing: choiceWithNull(['reject', 'null'])
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

/**
 * Transforms a field's config may name by mistake as one of its keys (`full: { expr: "…" }`): every
 * transform the step schema knows.
 */
const FIELD_KEY_TRANSFORMS: ReadonlySet<string> = new Set(Object.keys(transformWithArgs.shape));

const fieldSchema = strict(
  {
    from: z
      .union([nonEmpty, z.array(nonEmpty).min(1)])
      .optional()
      .describe('the source column(s); default: the source column named like the field'),
    value: z.unknown().optional().describe('a constant'),
    transform: z.array(transformStep).optional(),
    validate: z.union([validateStep, z.array(validateStep)]).optional(),
    onInvalid: choiceWithNull(['reject', 'null', 'keep'])
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
  },
  undefined,
  (key) =>
    FIELD_KEY_TRANSFORMS.has(key)
      ? `${key} is a transform: write it in the list, \`transform: [{ ${key}: … }]\`${key === 'expr' ? ' (an expression names its own columns: leave `from` out)' : ''}`
      : undefined,
);

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
