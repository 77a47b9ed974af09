/**
 * Preflight warnings for fields whose source column can obviously hold values the target column cannot:
 * a longer text, more decimals or integer digits, a wider integer, more fractional seconds, characters
 * outside the target's charset, more digits than a float keeps; and for date-times copied between a
 * column that holds instants and one that holds wall-clock times (`MAP_TIME_ZONE_SHIFT`). Only fields copied as they are (no
 * transform) are compared, and a loss the field accepts (`lossy`) is not repeated. They are warnings, not
 * errors: the data may well fit, and each value that does not is a reject with its code.
 */
import type { FieldConfig } from '../config/schema.ts';
import { isSinglePrecision } from '../core/float32.ts';
import type { Column } from '../core/inventory.ts';
import { columnCharset, integerRange } from './column-checks.ts';
import type { PreparedMapping } from './preflight.ts';
import { fractionRule } from './temporal-checks.ts';
import { repertoireOf } from './text-encoding.ts';

/** The stable code of a narrowing warning. */
export const NARROWING_CODE = 'MAP_TARGET_NARROWER';
/** The stable code of a date-time copied between a column with a time zone and one without. */
export const TIME_ZONE_CODE = 'MAP_TIME_ZONE_SHIFT';

/** A field whose target column is narrower than its source column, or keeps its time zone differently. */
export interface MappingWarning {
  /** The config path of the field: `mappings[0].fields.name`. */
  readonly path: string;
  readonly code: typeof NARROWING_CODE | typeof TIME_ZONE_CODE;
  readonly message: string;
}

// Sources whose text is Unicode whatever the column: PostgreSQL (UTF8 databases), SQLite, files.
const UNICODE_SOURCES = new Set(['postgres', 'sqlite', 'csv', 'xlsx']);
const FILE_SOURCES = new Set(['csv', 'xlsx']);

/** The narrowing warnings of one prepared mapping, in field order. */
export function narrowingWarnings(prepared: PreparedMapping): MappingWarning[] {
  const warnings: MappingWarning[] = [];
  const sourceColumns = new Map(prepared.source.dataset.columns.map((c) => [c.name, c]));
  const targetColumns = new Map(prepared.target.dataset.columns.map((c) => [c.name, c]));
  for (const [field, raw] of Object.entries(prepared.config.fields)) {
    const config = raw as FieldConfig;
    if ((config.transform ?? []).length > 0 || config.value !== undefined || Array.isArray(config.from))
      continue;
    const source = sourceColumns.get(config.from ?? field);
    const target = targetColumns.get(field);
    if (!source || !target) continue;
    const lossy = config.lossy;
    const accepts = (loss: 'truncate' | 'round' | 'replace') =>
      lossy === true || (Array.isArray(lossy) && lossy.includes(loss));
    const path = `mappings[${prepared.index}].fields.${field}`;
    const from = `${prepared.source.dataset.name}.${source.name} (${source.nativeType})`;
    const to = `${prepared.target.dataset.name}.${target.name} (${target.nativeType})`;
    for (const { reason, loss, code } of narrowings(
      source,
      target,
      prepared.source.kind,
      prepared.target.kind,
    )) {
      if (loss !== undefined && accepts(loss)) continue;
      warnings.push({ path, code: code ?? NARROWING_CODE, message: `${from} → ${to}: ${reason}` });
    }
  }
  return warnings;
}

interface Narrowing {
  readonly reason: string;
  /** The loss that would accept it; undefined when none does (a range). */
  readonly loss?: 'truncate' | 'round' | 'replace';
  /** Another code than NARROWING_CODE. */
  readonly code?: typeof TIME_ZONE_CODE;
}

function narrowings(source: Column, target: Column, sourceKind: string, targetKind: string): Narrowing[] {
  const out: Narrowing[] = [];
  const s = source.type;
  const t = target.type;
  if (s === 'string' && t === 'string') {
    if (source.length !== undefined && target.length !== undefined && source.length > target.length)
      out.push({
        reason: `texts up to ${source.length} characters, the target holds ${target.length}`,
        loss: 'truncate',
      });
    const to = repertoireOf(columnCharset(target, targetKind));
    if (to !== undefined && to.kind !== 'all') {
      const fromCharset = columnCharset(source, sourceKind);
      const from = repertoireOf(fromCharset);
      const wider =
        from === undefined
          ? UNICODE_SOURCES.has(sourceKind) || /^n(var)?char|^ntext/i.test(source.nativeType)
          : from.kind === 'all' || (from.kind === 'bmp' && to.kind === 'set');
      if (wider)
        out.push({
          reason: `${fromCharset ?? 'Unicode'} text into ${to.name}, which cannot hold every character`,
          loss: 'replace',
        });
    }
  }
  if (s === 'decimal' && t === 'decimal') {
    if ((source.scale ?? 0) > (target.scale ?? 0) && target.scale !== undefined)
      out.push({ reason: `${source.scale} decimals, the target keeps ${target.scale ?? 0}`, loss: 'round' });
    const digits = (c: Column) => (c.precision === undefined ? undefined : c.precision - (c.scale ?? 0));
    const sd = digits(source);
    const td = digits(target);
    if (td !== undefined && sd !== undefined && sd > td)
      out.push({ reason: `integer parts of ${sd} digits, the target holds ${td}` });
  }
  // Files declare no sizes: their integers are only as wide as the values, which the checks see.
  const declared = !FILE_SOURCES.has(sourceKind);
  if (s === 'integer' && t === 'integer' && declared) {
    const [smin, smax] = integerRange(source, sourceKind);
    const [tmin, tmax] = integerRange(target, targetKind);
    if (smin < tmin || smax > tmax)
      out.push({ reason: `integers from ${smin} to ${smax}, the target holds ${tmin} to ${tmax}` });
  }
  if (s === 'decimal' && t === 'integer' && (source.scale ?? 0) > 0)
    out.push({ reason: `${source.scale} decimals into an integer column` });
  if (s === 'timestamp' && t === 'timestamp') {
    const fromZoned = holdsZone(source, sourceKind);
    const toZoned = holdsZone(target, targetKind);
    if (fromZoned && !toZoned)
      out.push({
        reason:
          'instants into a column without a time zone are written as UTC wall-clock times; for the local times of a zone, add { datetime: { zone: Europe/Paris, local: true } }',
        code: TIME_ZONE_CODE,
      });
    else if (!fromZoned && toZoned)
      out.push({
        reason:
          'date-times without an offset are written as UTC instants; if they are local times, add { datetime: { zone: Europe/Paris } }',
        code: TIME_ZONE_CODE,
      });
  }
  if ((s === 'timestamp' || s === 'time') && (t === 'timestamp' || t === 'time')) {
    const from = fractionDigits(source, sourceKind);
    const to = fractionDigits(target, targetKind);
    if (from !== undefined && to !== undefined && from > to)
      out.push({ reason: `${from} fraction digits of a second, the target keeps ${to}`, loss: 'round' });
  }
  if (t === 'float' && declared) {
    const keeps = isSinglePrecision(target, targetKind) ? 7 : 15;
    const digits =
      s === 'decimal'
        ? source.precision
        : s === 'integer'
          ? integerDigits(source, sourceKind)
          : s === 'float' && !isSinglePrecision(source, sourceKind)
            ? 15
            : undefined;
    if (digits !== undefined && digits > keeps)
      out.push({ reason: `${digits} significant digits, the target keeps about ${keeps}`, loss: 'round' });
  }
  return out;
}

/**
 * True for a column that holds instants: PostgreSQL `timestamptz`, SQL Server `datetimeoffset`,
 * MySQL/MariaDB `TIMESTAMP` (kept in UTC, read and written in the session's zone, UTC here). Files and
 * SQLite hold whatever text was written: their date-times without an offset are wall-clock times.
 */
export function holdsZone(column: Column, kind: string): boolean {
  const native = column.nativeType.toLowerCase();
  switch (kind) {
    case 'postgres':
      return /with time zone|timestamptz/.test(native);
    case 'mssql':
      return native.startsWith('datetimeoffset');
    case 'mysql':
    case 'mariadb':
      return native.startsWith('timestamp');
    default:
      return false;
  }
}

function integerDigits(column: Column, kind: string): number {
  const [min, max] = integerRange(column, kind);
  return Math.max(String(max).length, String(min).length - 1);
}

// Fraction digits a column keeps: SQL Server's datetime keeps about 3, smalldatetime none.
function fractionDigits(column: Column, kind: string): number | undefined {
  const rule = fractionRule(column, kind);
  if (rule === undefined) return undefined;
  if (rule.kind === 'digits') return rule.digits;
  return rule.kind === 'ticks300' ? 2 : 0;
}
