/**
 * The expression escape hatch, in CEL (Google's Common Expression Language, @marcbachmann/cel-js):
 * non-Turing-complete and sandboxed by design, parsed once per mapping into a synchronous evaluator, with
 * no `eval` or `new Function` (JSONata 2 evaluates asynchronously; filtrex compiles with `new Function`).
 * Variables: every source column whose name is an identifier, and `value`, the value the previous steps made.
 */
import { Environment } from '@marcbachmann/cel-js';
import { didYouMean } from '../../config/did-you-mean.ts';
import { JsonText } from '../../connectors/json-text.ts';
import type { Row, Value } from '../../connectors/types.ts';
import { numberToDecimal, trimFraction } from '../decimal-text.ts';
import { stripAccents } from './text-transforms.ts';
import {
  fail,
  type StepFailure,
  TransformArgumentError,
  type TransformDefinition,
} from './transform-types.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for']);

interface AstNode {
  readonly op: string;
  readonly args: unknown;
}

/** The identifiers an expression names (macro variables included: they are filtered against the columns). */
function identifiers(node: unknown, out: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) identifiers(child, out);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const ast = node as AstNode;
  if (ast.op === 'id' && typeof ast.args === 'string') out.add(ast.args);
  else identifiers(ast.args, out);
}

/** A row value as CEL sees it: whole numbers are CEL ints (bigint), other numbers doubles. */
function toCel(value: Value): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (value instanceof JsonText) return JSON.parse(value.text);
  return value === undefined ? null : value;
}

/** Returned by `decimalToCel` for a decimal a double would change. */
const INEXACT = Symbol('inexact');

/**
 * A decimal column's value (its exact text, `12.50`) as CEL sees it: a double, so that `montant * 1.2`
 * and `montant > 100.0` work as they read (CEL has no decimal type); INEXACT when the double would not
 * read back as the same decimal (`12345678901234567.89`), which the step refuses rather than round.
 */
function decimalToCel(value: Value): unknown {
  if (typeof value === 'string') {
    const n = Number(value);
    if (!Number.isFinite(n)) return value;
    return numberToDecimal(n) === trimFraction(value) ? n : INEXACT;
  }
  return typeof value === 'number' ? value : toCel(value);
}

// A value as a failure names it: text quoted and cut, others printed.
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return value.toString();
  return value === null || value === undefined ? 'null' : String(value);
}

/** A CEL result as a row value: ints back to numbers when they fit, maps to objects. */
function fromCel(result: unknown): Value {
  if (typeof result === 'bigint') {
    return result >= BigInt(Number.MIN_SAFE_INTEGER) && result <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(result)
      : result;
  }
  if (result instanceof Map) return Object.fromEntries(result) as Value;
  return (result ?? null) as Value;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/** The expression transform. */
export const EXPR_TRANSFORM: TransformDefinition = {
  name: 'expr',
  example: `{ expr: "upper(first_name) + ' ' + last_name" }`,
  produces: 'any',
  create: (args, context) => {
    if (typeof args !== 'string' || args.trim() === '') {
      throw new TransformArgumentError(
        `needs an expression: { expr: "upper(first_name) + ' ' + last_name" }`,
      );
    }
    const columns = context.sourceColumns
      .map((c) => c.name)
      .filter((name) => IDENTIFIER.test(name) && !RESERVED.has(name) && name !== 'value');
    let env = new Environment()
      .registerVariable('value', 'dyn')
      .registerFunction('upper(string): string', (s: string) => s.toUpperCase())
      .registerFunction('lower(string): string', (s: string) => s.toLowerCase())
      .registerFunction('trim(string): string', (s: string) => s.trim())
      .registerFunction('strip_accents(string): string', stripAccents);
    for (const name of columns) env = env.registerVariable(name, 'dyn');
    let evaluate: ReturnType<Environment['parse']>;
    try {
      evaluate = env.parse(args);
    } catch (error) {
      throw new TransformArgumentError(`invalid expression: ${firstLine((error as Error).message)}`);
    }
    const checked = evaluate.check();
    if (!checked.valid) {
      const message = firstLine(checked.error?.message ?? 'invalid expression');
      const unknown = /^Unknown variable: (\S+)/.exec(message)?.[1];
      if (unknown) {
        throw new TransformArgumentError(
          `the expression names "${unknown}", which is no source column${didYouMean(unknown, columns)}`,
        );
      }
      throw new TransformArgumentError(`invalid expression: ${message}`);
    }
    const named = new Set<string>();
    identifiers(evaluate.ast, named);
    const used = columns.filter((name) => named.has(name));
    const positions = used.map((name) => context.useColumn(name));
    const decimal = used.map(
      (name) => context.sourceColumns.find((c) => c.name === name)?.type === 'decimal',
    );
    // One variables object per step, refilled for every row.
    const variables: Record<string, unknown> = { value: null };
    for (const name of used) variables[name] = null;
    // `value` of a decimal (the field's column, or a number step's result) is a double too.
    const decimalValue = context.valueType === 'decimal';
    return (value: Value, row: Row, failure: StepFailure) => {
      const input = decimalValue ? decimalToCel(value) : toCel(value);
      if (input === INEXACT) {
        return fail(
          failure,
          'cannot read the value: an expression computes with doubles, which keep about 15 significant digits',
          'REJECT_PRECISION',
        );
      }
      variables.value = input;
      for (let i = 0; i < used.length; i++) {
        const cell = row[positions[i]!] as Value;
        const cel = decimal[i] ? decimalToCel(cell) : toCel(cell);
        if (cel === INEXACT) {
          return fail(
            failure,
            `cannot read ${used[i]} = ${shown(cell)}: an expression computes with doubles, which keep about 15 significant digits`,
            'REJECT_PRECISION',
          );
        }
        variables[used[i]!] = cel;
      }
      try {
        return fromCel(evaluate(variables));
      } catch (error) {
        // The values the expression read, since the step's own value is often null (an `expr` without `from`).
        const inputs = used.map((name) => `${name} = ${shown(variables[name])}`).join(', ');
        return fail(
          failure,
          `makes the expression fail: ${firstLine((error as Error).message)}${inputs ? ` (${inputs})` : ''}`,
        );
      }
    };
  },
};
