/** Number transforms: number (a canonical decimal string) and integer (a number, or a bigint past 2^53). */
import type { Value } from '../../connectors/types.ts';
import { numberToDecimal, parseDecimalText } from '../decimal-text.ts';
import { fail, type StepFailure, type TransformDefinition, type TransformFn } from './transform-types.ts';

type DecimalSeparator = ',' | '.';

function separatorOf(args: unknown): DecimalSeparator | undefined {
  return args && typeof args === 'object' ? (args as { decimal?: DecimalSeparator }).decimal : undefined;
}

function decimalStep(decimal: DecimalSeparator | undefined, whole: boolean): TransformFn {
  const notNumber = decimal ? `is not a number (decimal separator "${decimal}")` : 'is not a number';
  // Blank text is null: an empty cell holds no number.
  return (value: Value, _row, failure: StepFailure) => {
    let text: string | null;
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') {
      if (value.trim().length === 0) return null;
      text = parseDecimalText(value, decimal);
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
  { name: 'number', produces: 'decimal', create: (args) => decimalStep(separatorOf(args), false) },
  { name: 'integer', produces: 'integer', create: (args) => decimalStep(separatorOf(args), true) },
];
