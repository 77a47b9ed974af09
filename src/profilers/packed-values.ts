/**
 * Profile values packed for `postMessage`: the texts joined into one string with their lengths, the
 * numbers in a typed array. Cloning one long string and two typed arrays costs a copy, where cloning
 * an array of a hundred thousand short strings costs a hundred thousand allocations on each side.
 */
import type { ProfileValue } from '../core/profile.ts';

/** A list of profile values as one string and two typed arrays. */
export interface PackedValues {
  readonly text: string;
  /** A text's length, or a kind: -1 number, -2 true, -3 false. */
  readonly lengths: Int32Array;
  /** The numbers, at the index of their value (0 for the others). */
  readonly numbers: Float64Array;
}

const NUMBER = -1;
const TRUE = -2;
const FALSE = -3;

/** Packs a list of values. */
export function packValues(values: readonly ProfileValue[]): PackedValues {
  const lengths = new Int32Array(values.length);
  const numbers = new Float64Array(values.length);
  const texts: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (typeof value === 'string') {
      lengths[i] = value.length;
      texts.push(value);
    } else if (typeof value === 'number') {
      lengths[i] = NUMBER;
      numbers[i] = value;
    } else lengths[i] = value ? TRUE : FALSE;
  }
  return { text: texts.join(''), lengths, numbers };
}

/** The values `packValues` packed, in order. */
export function unpackValues(packed: PackedValues): ProfileValue[] {
  const { text, lengths, numbers } = packed;
  const values: ProfileValue[] = new Array(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i]!;
    if (length >= 0) {
      values[i] = text.slice(at, at + length);
      at += length;
    } else values[i] = length === NUMBER ? numbers[i]! : length === TRUE;
  }
  return values;
}
