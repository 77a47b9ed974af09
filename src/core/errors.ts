/**
 * One error class with stable codes: tests assert the code, users search the README for it.
 * A code never changes its meaning; the message says what happened, the hint what to do.
 */

/** Exit codes of the command line, as in DESIGN.md. */
export const EXIT = {
  ok: 0,
  gateFailed: 1,
  usage: 2,
  unreachable: 3,
  interrupted: 4,
} as const;

/** Every stable error code and the exit code it leads to. */
export const ERROR_CODES = {
  CONFIG_NOT_FOUND: EXIT.usage,
  CONFIG_PARSE: EXIT.usage,
  CONFIG_INVALID: EXIT.usage,
  CONFIG_ENV_MISSING: EXIT.usage,
  USAGE: EXIT.usage,
  OUTPUT_UNWRITABLE: EXIT.usage,
  SOURCE_UNKNOWN_KIND: EXIT.usage,
  SOURCE_UNREACHABLE: EXIT.unreachable,
  SOURCE_AUTH_FAILED: EXIT.unreachable,
  SOURCE_DATABASE_MISSING: EXIT.unreachable,
  SOURCE_QUERY_FAILED: EXIT.unreachable,
  SOURCE_DRIVER_MISSING: EXIT.unreachable,
  FILTER_MATCHED_NOTHING: EXIT.usage,
  DATASET_NOT_FOUND: EXIT.usage,
  INVENTORY_UNREADABLE: EXIT.usage,
  DOCUMENT_INVALID: EXIT.usage,
  FILE_NOT_FOUND: EXIT.unreachable,
  FILE_UNREADABLE: EXIT.unreachable,
  FILE_CHANGED: EXIT.unreachable,
  CSV_OPTION_INVALID: EXIT.usage,
  CSV_BINARY: EXIT.unreachable,
  CSV_QUOTE_NOT_CLOSED: EXIT.unreachable,
  CSV_UNREADABLE: EXIT.unreachable,
  CSV_VALUE_INVALID: EXIT.unreachable,
  XLSX_LEGACY_XLS: EXIT.unreachable,
  XLSX_ENCRYPTED: EXIT.unreachable,
  XLSX_UNREADABLE: EXIT.unreachable,
  MAP_TRANSFORM_UNKNOWN: EXIT.usage,
  MAP_TRANSFORM_INVALID: EXIT.usage,
  MAP_VALIDATE_UNKNOWN: EXIT.usage,
  MAP_SOURCE_COLUMN_MISSING: EXIT.usage,
  MAP_TARGET_COLUMN_MISSING: EXIT.usage,
  MAP_TARGET_COLUMN_UNMAPPED: EXIT.usage,
  MAP_TYPE_MISMATCH: EXIT.usage,
  MAP_FIELD_INVALID: EXIT.usage,
  MAP_TARGET_KEY_MISSING: EXIT.usage,
  MAP_ORDER_CYCLE: EXIT.usage,
  MAP_IDENTITY_INVALID: EXIT.usage,
  MAP_REFERENCE_INVALID: EXIT.usage,
  IDENTITY_MAP_TOO_LARGE: EXIT.usage,
  MAP_TARGET_NOT_WRITABLE: EXIT.usage,
  PLAN_UNREADABLE: EXIT.usage,
  PLAN_STALE: EXIT.usage,
  MIGRATE_RESUME_REQUIRED: EXIT.usage,
  MIGRATE_RUNNING: EXIT.usage,
  MIGRATE_REJECTS_EXCEEDED: EXIT.gateFailed,
  MIGRATE_VERIFY_FAILED: EXIT.gateFailed,
  MIGRATE_INTERRUPTED: EXIT.interrupted,
  REJECTS_UNWRITABLE: EXIT.interrupted,
  INTERNAL: EXIT.gateFailed,
} as const;

/** A stable error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The error every stocktake module throws; `context` names the file, source, table or config path. */
export class StocktakeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { hint?: string; context?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StocktakeError';
    this.code = code;
    this.hint = options.hint;
    this.context = options.context ?? {};
  }

  /** The process exit code this error leads to. */
  get exitCode(): number {
    return ERROR_CODES[this.code];
  }
}

/** True when `error` is a StocktakeError, optionally with the given code. */
export function isStocktakeError(error: unknown, code?: ErrorCode): error is StocktakeError {
  return error instanceof StocktakeError && (code === undefined || error.code === code);
}

/** The fields a driver's error may carry, as the code reading an error's causes looks at them. */
export interface DriverErrorFields {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  cause?: unknown;
  context?: { driverCode?: unknown };
}

/** An error and the causes it wraps (a driver error inside a StocktakeError), outermost first. */
export function* causeChain(error: unknown): Generator<DriverErrorFields> {
  let e = error as DriverErrorFields | null;
  const seen = new Set<unknown>();
  while (e && !seen.has(e)) {
    seen.add(e);
    yield e;
    e = (e.cause ?? null) as DriverErrorFields | null;
  }
}
