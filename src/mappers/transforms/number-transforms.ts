/** Number transforms: number (a canonical decimal string) and integer (a number, or a bigint past 2^53). */
import type { Value } from '../../connectors/types.ts';
import type { LogicalType } from '../../core/inventory.ts';
import { numberToDecimal, parseDecimalText, plainDecimalText } from '../decimal-text.ts';
import {
  fail,
  type StepFailure,
  type TransformContext,
  type TransformDefinition,
  type TransformFn,
} from './transform-types.ts';

type DecimalSeparator = ',' | '.';

function separatorOf(args: unknown): DecimalSeparator | undefined {
  return args && typeof args === 'object' ? (args as { decimal?: DecimalSeparator }).decimal : undefined;
}

/**
 * `1.234`, `12.500`: one dot before exactly three digits, which French writing reads as a thousands
 * separator (1234) and English as a decimal point (1.234). Without `decimal`, guessing per value made one
 * column's `1.234` a thousand times smaller than its `2.500,00`; such a value is refused instead.
 */
const AMBIGUOUS_DOT = /^\s*[-+\u2212]?[1-9]\d{0,2}\.\d{3}\s*$/;

/** Types whose values reach a step already converted: a decimal as canonical text (`25.000`), a number. */
const NUMERIC_TYPES: ReadonlySet<LogicalType | undefined> = new Set(['integer', 'decimal', 'float']);

/**
 * The number or integer step. A value of a numeric column is already a number or a canonical decimal
 * (`25.000` is twenty-five, as a database or the file's inference converted it): it is read as such,
 * whatever `decimal` says, which is for text (a text column, a file's text, which a step with `decimal`
 * reads as written: `25,000`, or what an earlier step such as `lookup` or `default` put in its place).
 */
function decimalStep(args: unknown, whole: boolean, context: TransformContext): TransformFn {
  const numericInput = NUMERIC_TYPES.has(context.valueType);
  const decimal = separatorOf(args);
  const notNumber = decimal ? `is not a number (decimal separator "${decimal}")` : 'is not a number';
  const ambiguous =
    'is ambiguous: one dot before three digits is a thousands separator in French (1234) and a decimal point in English (1.234); say which with { number: { decimal: "," } } or { decimal: "." }';
  // Blank text is null: an empty cell holds no number.
  return (value: Value, _row, failure: StepFailure) => {
    let text: string | null;
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') {
      if (value.trim().length === 0) return null;
      // A numeric column's value is a plain decimal (`25.000`, `-0.5`, `12`): read with a dot.
      const plain = numericInput ? plainDecimalText(value) : undefined;
      if (plain !== undefined) text = plain;
      else {
        if (decimal === undefined && AMBIGUOUS_DOT.test(value)) return fail(failure, ambiguous);
        text = parseDecimalText(value, decimal);
      }
    } else if (typeof value === 'number') {
      text = numberToDecimal(value);
    } else if (typeof value === 'bigint') {
      return whole ? value : value.toString();
    } else {
      return fail(failure, notNumber, 'REJECT_TYPE');
    }
    if (text === null) return fail(failure, notNumber);
    if (!whole) return text;
    if (text.includes('.')) return fail(failure, 'is not a whole number');
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text);
  };
}

/** The number transforms by name. */
export const NUMBER_TRANSFORMS: readonly TransformDefinition[] = [
  { name: 'number', produces: 'decimal', create: (args, context) => decimalStep(args, false, context) },
  { name: 'integer', produces: 'integer', create: (args, context) => decimalStep(args, true, context) },
];
