/** PostgreSQL type mapping, both ways: native → logical for reading, logical → native for writing. */
import type { LogicalType } from '../../core/inventory.ts';

const NATIVE_TO_LOGICAL: Readonly<Record<string, LogicalType>> = {
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  oid: 'integer',
  numeric: 'decimal',
  float4: 'float',
  float8: 'float',
  bool: 'boolean',
  date: 'date',
  time: 'time',
  timetz: 'time',
  timestamp: 'timestamp',
  timestamptz: 'timestamp',
  bytea: 'binary',
  json: 'json',
  jsonb: 'json',
};

/** The logical type of a PostgreSQL type (`typname`, after resolving domains); arrays are json. */
export function postgresLogicalType(typeName: string, category: string): LogicalType {
  if (category === 'A') return 'json';
  // uuid, text, varchar, bpchar, citext, enums, inet, interval, xml, money and the rest read as text.
  return NATIVE_TO_LOGICAL[typeName] ?? 'string';
}

/** The PostgreSQL column type a migration creates for a logical type. */
export const POSTGRES_NATIVE_TYPES: Readonly<Record<LogicalType, string>> = {
  string: 'text',
  integer: 'bigint',
  decimal: 'numeric',
  float: 'double precision',
  boolean: 'boolean',
  date: 'date',
  time: 'time',
  timestamp: 'timestamp',
  binary: 'bytea',
  json: 'jsonb',
};

/** Type OIDs whose text form the connector keeps instead of the driver's JS conversion. */
export const POSTGRES_OIDS = {
  int8: 20,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  time: 1083,
  timetz: 1266,
} as const;

/**
 * Bytes a timestamp's ISO text is assembled in, then read as one string: a string built by concatenation
 * is a chain of pieces, and every later pass over its characters (checks, canonical text, hashing,
 * encoding) reads it several times slower than a flat one.
 */
const scratch = Buffer.allocUnsafeSlow(64) as Buffer & { latin1Slice(start: number, end: number): string };
/** Room left in `scratch` for `:00` after the text. */
const SCRATCH_TEXT = scratch.length - 3;

/** `2021-03-04 10:00:00.5+00` (session in UTC) → `2021-03-04T10:00:00.5Z`; `infinity` stays as is. */
export function postgresTimestampToIso(text: string): string {
  if (!isDigit(text.charCodeAt(0))) return text;
  const n = text.length;
  if (n > SCRATCH_TEXT) return concatenatedIso(text);
  let space = -1;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return concatenatedIso(text);
    if (code === 32 && space < 0) {
      space = i;
      scratch[i] = 84;
    } else scratch[i] = code;
  }
  const sign = text.charCodeAt(n - 3);
  if ((sign !== 43 && sign !== 45) || !isDigit(text.charCodeAt(n - 2)) || !isDigit(text.charCodeAt(n - 1)))
    return space < 0 ? text : scratch.latin1Slice(0, n);
  if (sign === 43 && text.charCodeAt(n - 2) === 48 && text.charCodeAt(n - 1) === 48) {
    scratch[n - 3] = 90;
    return scratch.latin1Slice(0, n - 2);
  }
  // Offsets like +05:30 or -03 (a session not in UTC) become ±HH:MM.
  scratch[n] = 58;
  scratch[n + 1] = 48;
  scratch[n + 2] = 48;
  return scratch.latin1Slice(0, n + 3);
}

// The same conversion by concatenation, for the texts the scratch bytes do not fit.
function concatenatedIso(text: string): string {
  const space = text.indexOf(' ');
  const iso = space < 0 ? text : `${text.slice(0, space)}T${text.slice(space + 1)}`;
  const n = iso.length;
  const sign = iso.charCodeAt(n - 3);
  if ((sign !== 43 && sign !== 45) || !isDigit(iso.charCodeAt(n - 2)) || !isDigit(iso.charCodeAt(n - 1)))
    return iso;
  if (sign === 43 && iso.charCodeAt(n - 2) === 48 && iso.charCodeAt(n - 1) === 48)
    return `${iso.slice(0, -3)}Z`;
  return `${iso}:00`;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
