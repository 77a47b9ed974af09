/**
 * What a target column demands of a value, compiled once per field: NOT NULL, the logical type (values
 * are brought to the target's representation: decimals canonical, integers as numbers or bigint), the
 * length of text, the precision and scale of decimals, the range of the native integer type, and the
 * values of an enum. A value that cannot fit is rejected, since the write would fail anyway; `lossy`
 * truncates text and rounds decimals instead.
 */
import type { Value } from '../connectors/types.ts';
import type { Column, LogicalType } from '../core/inventory.ts';
import { isIsoDateFormat, isIsoDateTimeFormat } from '../profilers/formats/dates.ts';
import {
  decimalDigits,
  isCanonicalDecimal,
  numberToDecimal,
  parseDecimalText,
  roundDecimal,
} from './decimal-text.ts';
import { fail, type StepFailure, type TransformFn } from './transforms/transform-types.ts';

/** Options of the column checks. */
export interface ColumnCheckOptions {
  /** `schema.table` of the target, for messages. */
  readonly dataset: string;
  /** The target's kind (sqlite, mssql…), which decides what `integer` and `tinyint` hold. */
  readonly targetKind?: string;
  /** Truncate over-long text and round decimals to the column's scale instead of rejecting. */
  readonly lossy?: boolean;
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const TIME_TEXT = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/;

/** The inclusive range of a native integer type. */
export function integerRange(column: Column, targetKind?: string): readonly [bigint, bigint] {
  const type = column.nativeType.toLowerCase();
  const bits = (n: number, unsigned = column.unsigned === true): readonly [bigint, bigint] =>
    unsigned ? [0n, 2n ** BigInt(n) - 1n] : [-(2n ** BigInt(n - 1)), 2n ** BigInt(n - 1) - 1n];
  if (type.includes('tinyint')) return targetKind === 'mssql' ? bits(8, true) : bits(8);
  if (type.includes('smallint') || type.includes('int2') || type.includes('smallserial')) return bits(16);
  if (type.includes('mediumint')) return bits(24);
  if (type.includes('bigint') || type.includes('int8') || type.includes('bigserial')) return bits(64);
  // SQLite's INTEGER is 64-bit; everywhere else `int`/`integer` is 32-bit.
  if (targetKind !== 'sqlite' && /\b(int|integer|int4|serial)\b/.test(type)) return bits(32);
  return bits(64);
}

/** Length in characters (code points), as databases count `varchar(n)`. */
function characterLength(text: string, max: number): number {
  if (text.length <= max) return text.length;
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function truncateCharacters(text: string, max: number): string {
  return Array.from(text).slice(0, max).join('');
}

/** Compiles the checks of one target column into a single step. */
export function compileColumnCheck(column: Column, options: ColumnCheckOptions): TransformFn {
  const where = `${options.dataset}.${column.name}`;
  const typeCheck = typeConversion(column, options, where);
  const allowed = column.enumValues && column.enumValues.length > 0 ? new Set(column.enumValues) : undefined;
  const notAllowed = allowed
    ? `is not one of the values of ${where} (${column.enumValues!.slice(0, 10).join(', ')}${column.enumValues!.length > 10 ? ', …' : ''})`
    : '';
  const notNull = `is not allowed: ${where} is NOT NULL`;
  const nullable = column.nullable;
  return (value: Value, row, failure: StepFailure) => {
    if (value === null || value === undefined)
      return nullable ? null : fail(failure, notNull, 'REJECT_REQUIRED');
    const converted = typeCheck(value, row, failure);
    if (allowed && typeof converted === 'string' && !allowed.has(converted)) {
      return fail(failure, notAllowed, 'REJECT_NOT_ALLOWED');
    }
    return converted;
  };
}

/** The conversion to the column's logical type, with its size limits. */
function typeConversion(column: Column, options: ColumnCheckOptions, where: string): TransformFn {
  const native = column.nativeType;
  const notType = (kind: string) => `is not ${kind} (${where} is ${native})`;
  switch (column.type as LogicalType) {
    case 'string':
      return stringConversion(column, options, where);
    case 'integer': {
      const [min, max] = integerRange(column, options.targetKind);
      const minN = Number(min);
      const maxN = Number(max);
      const outOfRange = `is out of the range of ${native} (${min} to ${max})`;
      const reason = notType('an integer');
      return (value, _row, failure) => {
        let n: number | bigint;
        if (typeof value === 'number') {
          if (!Number.isInteger(value)) return fail(failure, reason, 'REJECT_TYPE');
          n = value;
        } else if (typeof value === 'bigint') {
          n = value;
        } else if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
          const asNumber = Number(value);
          n = Number.isSafeInteger(asNumber) ? asNumber : BigInt(value);
        } else {
          return fail(failure, reason, 'REJECT_TYPE');
        }
        const inRange = typeof n === 'number' ? n >= minN && n <= maxN : n >= min && n <= max;
        return inRange ? n : fail(failure, outOfRange, 'REJECT_OUT_OF_RANGE');
      };
    }
    case 'decimal':
      return decimalConversion(column, options, where);
    case 'float': {
      const reason = notType('a number');
      return (value, _row, failure) => {
        if (typeof value === 'number')
          return Number.isFinite(value) ? value : fail(failure, reason, 'REJECT_TYPE');
        if (typeof value === 'bigint') return Number(value);
        if (typeof value === 'string' && isCanonicalDecimal(value)) return Number(value);
        return fail(failure, reason, 'REJECT_TYPE');
      };
    }
    case 'boolean': {
      const reason = notType('true or false');
      return (value, _row, failure) => {
        if (typeof value === 'boolean') return value;
        if (value === 0 || value === 1) return value === 1;
        return fail(failure, reason, 'REJECT_TYPE');
      };
    }
    case 'date': {
      const reason = notType('a date (YYYY-MM-DD); use the date transform');
      return (value, _row, failure) =>
        typeof value === 'string' && isIsoDateFormat(value) ? value : fail(failure, reason, 'REJECT_TYPE');
    }
    case 'timestamp': {
      const reason = notType('an ISO 8601 date-time; use the datetime transform');
      return (value, _row, failure) =>
        typeof value === 'string' && (isIsoDateTimeFormat(value) || isIsoDateFormat(value))
          ? value
          : fail(failure, reason, 'REJECT_TYPE');
    }
    case 'time': {
      const reason = notType('a time (HH:mm:ss)');
      return (value, _row, failure) =>
        typeof value === 'string' && TIME_TEXT.test(value) ? value : fail(failure, reason, 'REJECT_TYPE');
    }
    case 'binary': {
      const reason = notType('binary data');
      return (value, _row, failure) =>
        value instanceof Uint8Array ? value : fail(failure, reason, 'REJECT_TYPE');
    }
    default:
      return (value) => value;
  }
}

function stringConversion(column: Column, options: ColumnCheckOptions, where: string): TransformFn {
  const max = column.length !== undefined && column.length > 0 ? column.length : Number.POSITIVE_INFINITY;
  const lossy = options.lossy === true;
  const notText = `is not text (${where} is ${column.nativeType})`;
  return (value, _row, failure) => {
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number') text = numberToDecimal(value) ?? String(value);
    else if (typeof value === 'bigint' || typeof value === 'boolean') text = String(value);
    else if (value instanceof Uint8Array) return fail(failure, notText, 'REJECT_TYPE');
    else text = JSON.stringify(value);
    if (text.length <= max) return text;
    const length = characterLength(text, max);
    if (length <= max) return text;
    if (lossy) return truncateCharacters(text, max);
    return fail(
      failure,
      `is ${length} characters long; ${where} (${column.nativeType}) holds ${max}`,
      'REJECT_TOO_LONG',
    );
  };
}

function decimalConversion(column: Column, options: ColumnCheckOptions, where: string): TransformFn {
  const scale = column.scale ?? 0;
  const maxInteger = column.precision !== undefined ? column.precision - scale : Number.POSITIVE_INFINITY;
  const limitScale = column.precision !== undefined || column.scale !== undefined;
  const lossy = options.lossy === true;
  const notDecimal = `is not a number (${where} is ${column.nativeType})`;
  const tooLarge = `is too large for ${where} (${column.nativeType})`;
  return (value, _row, failure) => {
    let text: string | null;
    if (typeof value === 'string') text = isCanonicalDecimal(value) ? value : parseDecimalText(value, '.');
    else if (typeof value === 'number') text = numberToDecimal(value);
    else if (typeof value === 'bigint') text = value.toString();
    else text = null;
    if (text === null) return fail(failure, notDecimal, 'REJECT_TYPE');
    let digits = decimalDigits(text);
    if (limitScale && digits.fraction > scale) {
      if (!lossy) {
        return fail(
          failure,
          `has ${digits.fraction} decimals; ${where} (${column.nativeType}) keeps ${scale}`,
          'REJECT_OUT_OF_RANGE',
        );
      }
      text = roundDecimal(text, scale);
      digits = decimalDigits(text);
    }
    return digits.integer > maxInteger ? fail(failure, tooLarge, 'REJECT_OUT_OF_RANGE') : text;
  };
}
