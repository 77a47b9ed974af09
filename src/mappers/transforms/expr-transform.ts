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
import { classifyPersonalData } from '../../profilers/personal-data.ts';
import { numberToDecimal, trimFraction } from '../decimal-text.ts';
import { showValue } from '../plan-masking.ts';
import { stripAccents } from './text-transforms.ts';
import {
  fail,
  type StepFailure,
  TransformArgumentError,
  type TransformDefinition,
} from './transform-types.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
// CEL's keywords and reserved words, and the names of its types, which a variable may not take: a source
// column named so (`type`, `int`) is left out of the expression's variables.
const RESERVED = new Set([
  ...['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if'],
  ...['import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while'],
  ...['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type'],
]);

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

// A value as a failure names it: text quoted and cut, others printed; masked when its column's name or
// the value itself says it is personal (a reason is shown as it is, in the rejects and the plan).
function shown(value: unknown, column: string): string {
  const text =
    typeof value === 'bigint'
      ? value.toString()
      : value === null || value === undefined
        ? null
        : typeof value === 'string'
          ? value
          : typeof value === 'number' || typeof value === 'boolean'
            ? String(value)
            : JSON.stringify(jsonOf(value));
  if (text === null) return 'null';
  const hidden = masked(text, column);
  if (typeof value !== 'string' && hidden === text) return text;
  return JSON.stringify(hidden.length > 40 ? `${hidden.slice(0, 40)}…` : hidden);
}

// A value read from `column`, masked when the column's name or the value itself says it is personal.
function masked(text: string, column: string): string {
  return String(showValue(text, classifyPersonalData(column, [], 0)?.kind, false));
}

/** A CEL list or map as JSON: ints written with all their digits (a double would round past 2^53). */
function jsonText(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Map)
    return `{${[...value].map(([k, v]) => `${JSON.stringify(String(k))}:${jsonText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (isPlainObject(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`)
      .join(',')}}`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
  return JSON.stringify(value ?? null);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// The same, as a plain value for a message.
function jsonOf(value: unknown): unknown {
  return JSON.parse(jsonText(value));
}

/** A CEL result as a row value: ints back to numbers when they fit, maps to objects. */
function fromCel(result: unknown): Value {
  if (typeof result === 'bigint') {
    return result >= BigInt(Number.MIN_SAFE_INTEGER) && result <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(result)
      : result;
  }
  // A list or a map is a JSON document, written as one into a JSON column and as its text into a text column.
  if (result instanceof Map || Array.isArray(result) || isPlainObject(result))
    return new JsonText(jsonText(result));
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
            `cannot read ${used[i]} = ${shown(cell, used[i]!)}: an expression computes with doubles, which keep about 15 significant digits`,
            'REJECT_PRECISION',
          );
        }
        variables[used[i]!] = cel;
      }
      try {
        return fromCel(evaluate(variables));
      } catch (error) {
        // The values the expression read, since the step's own value is often null (an `expr` without `from`).
        const inputs = used.map((name) => `${name} = ${shown(variables[name], name)}`).join(', ');
        // CEL's own message may quote a value it read (`Invalid duration string: Dupont`): masked there too.
        let message = firstLine((error as Error).message);
        for (const name of used) {
          const raw = variables[name];
          if (typeof raw !== 'string' || raw.length < 3 || !message.includes(raw)) continue;
          const hidden = masked(raw, name);
          if (hidden !== raw) message = message.split(raw).join(hidden);
        }
        return fail(failure, `makes the expression fail: ${message}${inputs ? ` (${inputs})` : ''}`);
      }
    };
  },
};
