/**
 * The mapping compiler: resolves a mapping's columns against the source (and target) datasets, builds
 * each field's pipeline of pre-bound steps once, and returns a row function that runs them in plain
 * loops. Every problem of every field is collected and reported at once as CONFIG_INVALID, one line per
 * problem with its config path.
 */

import { didYouMean } from '../config/did-you-mean.ts';
import { formatProblem } from '../config/load.ts';
import type { FieldConfig, MappingConfig, TransformStepConfig } from '../config/schema.ts';
import type { Row, Value } from '../connectors/types.ts';
import { type ErrorCode, StocktakeError } from '../core/errors.ts';
import type { Column, Dataset, LogicalType } from '../core/inventory.ts';
import { compileColumnCheck } from './column-checks.ts';
import { loadCsvLookup } from './lookup-file.ts';
import type { CompiledMapping, RejectCode, Rejection, SoftenedCount } from './mapping-types.ts';
import { isPendingReference, type ReferenceSlot } from './transforms/ref-transform.ts';
import { findTransform, unknownTransformMessage } from './transforms/registry.ts';
import {
  FAILED,
  type StepFailure,
  stepNameAndArgs,
  TransformArgumentError,
  type TransformContext,
  type TransformFn,
} from './transforms/transform-types.ts';
import { compileValidations } from './validate.ts';

/** What the compiler needs besides the mapping. */
export interface CompileMappingOptions {
  /** The source dataset, as the inventory lists it. */
  readonly source: Dataset;
  /** The target dataset; when given, fields are checked against its columns and values against their types. */
  readonly target?: Dataset;
  /** The target's kind (postgres, mysql, mariadb, mssql, sqlite): it decides the range of some integer types. */
  readonly targetKind?: string;
  /** Reads a lookup CSV (default: csv-parse on the file, relative to `baseDir`). */
  readonly loadLookup?: (file: string, key: string, value: string) => ReadonlyMap<string, string>;
  /** The folder lookup files are relative to (the config's folder); default the working directory. */
  readonly baseDir?: string;
  /** The mapping writes some columns of rows another pass inserts: NOT NULL columns it leaves out are not a problem. */
  readonly partial?: boolean;
  /**
   * Without `target`: the target whose column types decide which fields read their columns as text, so that
   * a compile of some fields alone (the key's) reads them as the whole mapping does, without its checks.
   */
  readonly textTarget?: Dataset;
}

/** One compile problem: its config path, the message and a stable MAP_* code. */
export interface MappingProblem {
  readonly path: string;
  readonly message: string;
  readonly code: ErrorCode;
  /** `file:line:column` of `path` in the config file, when known. */
  readonly location?: string;
}

const INPUT_COLUMN = 0;
const INPUT_COLUMNS = 1;
const INPUT_CONSTANT = 2;
const INPUT_NONE = 3;

/** A field compiled: where its value comes from and the steps it goes through. */
interface FieldProgram {
  readonly field: string;
  readonly input: number;
  readonly column: number;
  readonly columns: readonly number[];
  /** Reused for every row: the values of a multi-column `from`. */
  readonly list: Value[];
  readonly constant: Value;
  readonly steps: readonly TransformFn[];
  readonly stepNames: readonly string[];
  readonly checks: readonly TransformFn[];
  readonly checkNames: readonly string[];
  /** Why a null is refused (`required: true`, or a key field, which a row without cannot be matched by); null: allowed. */
  readonly required: string | null;
  readonly columnCheck: TransformFn | undefined;
  readonly onInvalid: 'reject' | 'null' | 'keep';
}

/**
 * Steps that read a typed value better than its text: a field with one reads its column typed, converted
 * by the type its source inferred from all its values (`1.234` is a thousand or a decimal by the whole
 * column); a `ref` matches the old keys another mapping read typed.
 */
const PARSING_STEPS: ReadonlySet<string> = new Set([
  'number',
  'integer',
  'boolean',
  'date',
  'datetime',
  'expr',
  'ref',
]);

/**
 * The steps that parse a file's text as written (`1.234,56`, `Oui`): steps before them were written against
 * that text. A date step reads the scan's dates unless it names its formats (which already reads the text).
 */
const TEXT_PARSERS: ReadonlySet<string> = new Set(['number', 'integer', 'boolean']);

const NUMBER_TYPES: ReadonlySet<LogicalType> = new Set(['integer', 'decimal', 'float']);

/** Steps that rewrite the characters of a text (not only its case or edges). */
const TEXT_REWRITERS: ReadonlySet<string> = new Set([
  'replace',
  'split',
  'prefix',
  'suffix',
  'strip_accents',
]);

/** A PostgreSQL `bit(n)` or `bit varying` column, whose values are bit strings (`00000010`). */
function isPostgresBitString(column: Column, source: Dataset): boolean {
  return (
    column.type === 'string' &&
    source.kind !== 'file' &&
    source.kind !== 'sheet' &&
    /^(bit|varbit)(\s+varying)?(\s*\(\d+\))?$/i.test(column.nativeType)
  );
}

/** True for a `number` or `integer` step that names its decimal separator (`{ number: { decimal: "," } }`). */
function hasDecimalSeparator(step: TransformStepConfig): boolean {
  const { name, args } = stepNameAndArgs(step);
  if (name !== 'number' && name !== 'integer') return false;
  return (args as { decimal?: unknown } | null | undefined)?.decimal !== undefined;
}

/** True for a `date` or `datetime` step that names the formats it reads. */
function hasDateFormats(step: TransformStepConfig): boolean {
  const { name, args } = stepNameAndArgs(step);
  if (name !== 'date' && name !== 'datetime') return false;
  const formats = (args as { formats?: unknown } | null | undefined)?.formats;
  return Array.isArray(formats) && formats.length > 0;
}

/** Which logical types a value of each type can be written to without a converting transform. */
const WRITABLE_TO: Readonly<Record<LogicalType, readonly LogicalType[]>> = {
  string: ['string', 'integer', 'decimal', 'float', 'boolean', 'date', 'time', 'timestamp', 'binary', 'json'],
  integer: ['integer', 'decimal', 'float', 'string', 'boolean', 'json'],
  decimal: ['decimal', 'float', 'integer', 'string', 'json'],
  float: ['float', 'decimal', 'integer', 'string', 'json'],
  boolean: ['boolean', 'integer', 'string', 'json'],
  date: ['date', 'timestamp', 'string', 'json'],
  timestamp: ['timestamp', 'date', 'string', 'json'],
  time: ['time', 'string', 'json'],
  binary: ['binary'],
  json: ['json', 'string'],
};

function constantType(value: unknown): LogicalType | undefined {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'float';
  if (typeof value === 'boolean') return 'boolean';
  return undefined;
}

/** Compiles one mapping (`index` is its position under `mappings:`); throws CONFIG_INVALID listing every problem. */
export function compileMapping(
  mapping: MappingConfig,
  index: number,
  options: CompileMappingOptions,
): CompiledMapping {
  const { compiled, problems } = tryCompileMapping(mapping, index, options);
  if (problems.length > 0) throw mappingProblemsError(problems, mapping.name);
  return compiled!;
}

/** Compiles several mappings and reports the problems of all of them in one CONFIG_INVALID error. */
export function compileMappings(
  entries: readonly { mapping: MappingConfig; index: number; options: CompileMappingOptions }[],
): CompiledMapping[] {
  const results = entries.map((e) => tryCompileMapping(e.mapping, e.index, e.options));
  const problems = results.flatMap((r) => r.problems);
  if (problems.length > 0) throw mappingProblemsError(problems);
  return results.map((r) => r.compiled!);
}

/** The CONFIG_INVALID error listing mapping problems, one `  ! path: message` line each. */
export function mappingProblemsError(problems: readonly MappingProblem[], mapping?: string): StocktakeError {
  // Each line ends with its stable code (`MAP_TRANSFORM_UNKNOWN`…), the one the README's table explains.
  const lines = problems.map((p) => `${formatProblem(p)} (${p.code})`);
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const subject = mapping === undefined ? 'mappings' : `mapping ${mapping}`;
  return new StocktakeError('CONFIG_INVALID', `${subject}: ${count}\n${lines.join('\n')}`, {
    context: { mapping, problems: lines, issues: problems },
    hint: 'fix the mapping in the config; `stocktake schema` lists every transform and its arguments',
  });
}

/** Compiles a mapping, returning its problems instead of throwing. */
export function tryCompileMapping(
  mapping: MappingConfig,
  index: number,
  options: CompileMappingOptions,
): { compiled: CompiledMapping | undefined; problems: MappingProblem[] } {
  const problems: MappingProblem[] = [];
  const base = `mappings[${index}]`;
  const { source, target } = options;
  const sourceByName = new Map(source.columns.map((c) => [c.name, c]));
  const sourceNames = source.columns.map((c) => c.name);
  const targetByName = new Map((target?.columns ?? []).map((c) => [c.name, c]));
  const textTargetByName = target
    ? targetByName
    : new Map((options.textTarget?.columns ?? []).map((c) => [c.name, c]));
  const sourceColumns: string[] = [];
  // A column is read once typed and once as its text if fields want both (`asText` reads).
  const textPositions: number[] = [];
  const positions = new Map<string, number>();
  const useColumn = (name: string, asText = false): number => {
    const slot = asText ? `${name}\u0000text` : name;
    let at = positions.get(slot);
    if (at === undefined) {
      at = sourceColumns.length;
      sourceColumns.push(name);
      positions.set(slot, at);
      if (asText) textPositions.push(at);
    }
    return at;
  };
  const loadLookup =
    options.loadLookup ??
    ((file: string, key: string, value: string) => loadCsvLookup(file, key, value, options.baseDir));
  const references: ReferenceSlot[] = [];
  let currentField = '';
  const context: TransformContext = {
    mappingName: mapping.name,
    targetDataset: mapping.to.dataset,
    sourceColumns: source.columns,
    useColumn,
    loadLookup,
    addReference: (slot) => {
      slot.field = currentField;
      references.push(slot);
    },
  };
  const missingSource = (name: string) =>
    `source dataset ${source.name} has no column "${name}"${didYouMean(name, sourceNames)}`;

  const programs: FieldProgram[] = [];
  for (const [field, config] of Object.entries(mapping.fields)) {
    const program = compileField(field, config as FieldConfig, `${base}.fields.${field}`);
    if (program) programs.push(program);
  }

  function compileField(field: string, config: FieldConfig, path: string): FieldProgram | undefined {
    const before = problems.length;
    currentField = field;
    const transforms = config.transform ?? [];
    const firstStep = transforms[0] === undefined ? undefined : stepNameAndArgs(transforms[0]);
    // A field into a text column, through steps that work on text, reads its columns as the source spells
    // them (a CSV's `Oui`, `12,50`, `03/04/2024`), not as their inferred type converts them.
    // A date step with explicit formats reads a file's text too: the order the scan inferred from the whole
    // column (`01/02/2024` as 1 February when every value parses day first, as text when one does not)
    // must not decide what `formats: [MM/dd/yyyy]` reads. So does a number step that names its decimal
    // separator on a CSV file: `{ decimal: "," }` reads `25,000` as written, not the scan's `25.000` (or
    // `25000`); a sheet's number cell is a number, which no separator applies to.
    // Steps before a parsing step on a CSV file or a sheet's text cells were written against the text
    // (`replace: '\.'` to drop the thousands dots of `1.234,56`): they read it as written, not the scan's
    // number 1234.56.
    const parseAt = transforms.findIndex((step) => TEXT_PARSERS.has(stepNameAndArgs(step).name));
    const readsText =
      (textTargetByName.get(field)?.type === 'string' &&
        transforms.every((step) => !PARSING_STEPS.has(stepNameAndArgs(step).name))) ||
      ((source.kind === 'file' || source.kind === 'sheet') && parseAt > 0) ||
      ((source.kind === 'file' || source.kind === 'sheet') && transforms.some(hasDateFormats)) ||
      (source.kind === 'file' && transforms.some(hasDecimalSeparator));
    const asText = (name: string) => readsText && sourceByName.get(name)!.type !== 'string';
    let input = INPUT_NONE;
    let column = -1;
    // The source column whose values reach the target as they are or through steps that keep their type
    // (`null_if`, `default`…), for what its native type means to the target: a PostgreSQL bit string stays
    // bits through them.
    let carried: Column | undefined;
    const columns: number[] = [];
    let type: LogicalType | undefined;
    if (config.from !== undefined && config.value !== undefined) {
      problems.push({
        path: `${path}.value`,
        message: 'give `from` or `value`, not both',
        code: 'MAP_FIELD_INVALID',
      });
    } else if (config.value !== undefined) {
      input = INPUT_CONSTANT;
      type = constantType(config.value);
    } else if (Array.isArray(config.from)) {
      input = INPUT_COLUMNS;
      config.from.forEach((name, i) => {
        if (sourceByName.has(name)) columns.push(useColumn(name, asText(name)));
        else
          problems.push({
            path: `${path}.from[${i}]`,
            message: missingSource(name),
            code: 'MAP_SOURCE_COLUMN_MISSING',
          });
      });
      const combiner = firstStep && findTransform(firstStep.name);
      if (!combiner?.takesList) {
        problems.push({
          path: `${path}.from`,
          message: `names ${config.from.length} columns: begin \`transform\` with one that combines them (concat, join, coalesce, hash or uuid), or leave \`from\` out for an \`expr\`, which names its own columns`,
          code: 'MAP_FIELD_INVALID',
        });
      }
    } else if (config.from !== undefined || firstStep?.name !== 'expr') {
      // Without `from`, a field reads the source column of its own name (an `expr` names its own columns).
      const name = config.from ?? field;
      const found = sourceByName.get(name);
      if (found) {
        input = INPUT_COLUMN;
        column = useColumn(name, asText(name));
        type = asText(name) ? 'string' : found.type;
        carried = found;
        // A sheet's number cells have no text as written: `replace` would rewrite the text of the number
        // (`1234.56` → `123456`). The steps are refused; `number` reads a number cell as the number it is.
        const rewriting = transforms
          .slice(0, Math.max(parseAt, 0))
          .find((step) => TEXT_REWRITERS.has(stepNameAndArgs(step).name));
        // A column of French text cells (`1.234,56`) reads with a decimal comma: those are text as written.
        const numberCells = NUMBER_TYPES.has(found.type) && found.inference?.decimalSeparator !== ',';
        if (source.kind === 'sheet' && rewriting && numberCells)
          problems.push({
            path: `${path}.transform`,
            message: `${name} is a column of number cells, which \`${stepNameAndArgs(rewriting).name}\` would rewrite as the text of the number (1234.56, not 1 234,56): leave the steps out, \`number\` reads a number cell as it is`,
            code: 'MAP_FIELD_INVALID',
          });
      } else {
        problems.push({
          path: config.from === undefined ? path : `${path}.from`,
          message:
            config.from === undefined
              ? `${missingSource(name)}; give \`from:\` or \`value:\``
              : missingSource(name),
          code: 'MAP_SOURCE_COLUMN_MISSING',
        });
      }
    }

    const steps: TransformFn[] = [];
    const stepNames: string[] = [];
    transforms.forEach((step, i) => {
      const { name, args, bare } = stepNameAndArgs(step);
      const stepPath = `${path}.transform[${i}]`;
      const definition = findTransform(name);
      if (!definition) {
        problems.push({
          path: stepPath,
          message: unknownTransformMessage(name),
          code: 'MAP_TRANSFORM_UNKNOWN',
        });
        type = undefined;
        return;
      }
      try {
        steps.push(definition.create(args, { ...context, valueType: type }));
        stepNames.push(name);
      } catch (error) {
        const sub = error instanceof TransformArgumentError ? error.sub : '';
        problems.push({
          path: bare ? stepPath : `${stepPath}.${name}${sub}`,
          message: bare ? `${name}: ${(error as Error).message}` : (error as Error).message,
          code: 'MAP_TRANSFORM_INVALID',
        });
      }
      if (definition.produces !== undefined) carried = undefined;
      if (definition.produces === 'any') type = undefined;
      else if (definition.produces !== undefined) type = definition.produces;
    });

    const checks: TransformFn[] = [];
    const checkNames: string[] = [];
    const validations = compileValidations(config.validate, path);
    for (const compiled of validations.checks) {
      checks.push(compiled.check);
      checkNames.push(compiled.name);
    }
    for (const problem of validations.problems) problems.push({ ...problem, code: 'MAP_VALIDATE_UNKNOWN' });

    let columnCheck: TransformFn | undefined;
    if (target) {
      const targetColumn = targetByName.get(field);
      if (!targetColumn) {
        problems.push({
          path,
          message: `target dataset ${target.name} has no column "${field}"${didYouMean(field, [...targetByName.keys()])}`,
          code: 'MAP_TARGET_COLUMN_MISSING',
        });
      } else if (targetColumn.generated) {
        problems.push({
          path,
          message: `target column ${target.name}.${field} is generated by the database and cannot be written`,
          code: 'MAP_FIELD_INVALID',
        });
      } else {
        if (type !== undefined && !WRITABLE_TO[type].includes(targetColumn.type)) {
          problems.push({
            path: transforms.length > 0 ? `${path}.transform` : path,
            message: `produces ${type} values, but target column ${target.name}.${field} is ${targetColumn.type} (${targetColumn.nativeType}); add a transform that converts them`,
            code: 'MAP_TYPE_MISMATCH',
          });
        }
        columnCheck = compileColumnCheck(targetColumn, {
          dataset: target.name,
          targetKind: options.targetKind,
          lossy: config.lossy,
          ...(type !== undefined ? { valueType: type } : {}),
          ...(carried && isPostgresBitString(carried, source) ? { bitString: true } : {}),
        });
      }
    }
    if (problems.length > before) return undefined;
    return {
      field,
      input,
      column,
      columns,
      list: new Array<Value>(columns.length).fill(null),
      constant: (config.value ?? null) as Value,
      steps,
      stepNames,
      checks,
      checkNames,
      // A key field is required: a row without it matches no target row (NULL = NULL is not true), so each run
      // would insert it again; under a nullable unique constraint the target would collect copies.
      required: (mapping.to.key ?? []).includes(field)
        ? 'is not allowed: the field is part of the key, and a row without it cannot be matched'
        : config.required === true
          ? 'is not allowed: the field is required'
          : null,
      columnCheck,
      onInvalid: config.onInvalid ?? 'reject',
    };
  }

  const fieldNames = Object.keys(mapping.fields);
  for (const key of mapping.to.key ?? []) {
    if (!fieldNames.includes(key)) {
      problems.push({
        path: `${base}.to.key`,
        message: `key field "${key}" is not mapped under \`fields\`${didYouMean(key, fieldNames)}`,
        code: 'MAP_FIELD_INVALID',
      });
    }
  }
  if (target && !options.partial) {
    for (const column of target.columns) {
      if (fieldNames.includes(column.name)) continue;
      if (column.nullable || column.default !== undefined || column.autoIncrement || column.generated)
        continue;
      problems.push({
        path: `${base}.fields`,
        message: `target column ${target.name}.${column.name} is NOT NULL without a default, and no field maps it`,
        code: 'MAP_TARGET_COLUMN_UNMAPPED',
      });
    }
  }
  if (problems.length > 0) return { compiled: undefined, problems };

  return {
    compiled: buildCompiledMapping(mapping, programs, sourceColumns, textPositions, references),
    problems,
  };
}

/** Mutable scratch of one compiled mapping: where the current row failed. */
interface FailureScratch extends StepFailure {
  step: string;
  value: Value;
}

function buildCompiledMapping(
  mapping: MappingConfig,
  programs: readonly FieldProgram[],
  sourceColumns: readonly string[],
  textPositions: readonly number[],
  references: readonly ReferenceSlot[],
): CompiledMapping {
  const failure: FailureScratch = { reason: '', code: 'REJECT_TRANSFORM', step: '', value: null };
  const fieldCount = programs.length;
  const targetFields = programs.map((p) => p.field);
  const keyFields = mapping.to.key ?? [];
  const keyIndexes = keyFields.map((k) => targetFields.indexOf(k));
  // Only a `ref` step yields a pending reference: a mapping without one skips the test on every value.
  const mayPend = references.length > 0;
  // Fields of the current row whose failure `onInvalid` softened; counted once the whole row is accepted.
  const softenedNow = new Int32Array(fieldCount);
  const softenedReasonNow: string[] = new Array(fieldCount).fill('');
  let softenedInRow = 0;
  const softenedCounts = new Float64Array(fieldCount);
  const softenedReasons: string[] = new Array(fieldCount).fill('');
  const soften = (f: number, step: string) => {
    softenedNow[softenedInRow++] = f;
    softenedReasonNow[f] = `${step}: ${failure.reason}`;
  };

  /** One field's value for `row`, or FAILED with the failure scratch filled. */
  function runField(p: FieldProgram, row: Row, f: number): Value | typeof FAILED {
    let value: Value;
    switch (p.input) {
      case INPUT_COLUMN:
        value = row[p.column] ?? null;
        break;
      case INPUT_COLUMNS:
        for (let i = 0; i < p.columns.length; i++) p.list[i] = row[p.columns[i]!] ?? null;
        value = p.list;
        break;
      case INPUT_CONSTANT:
        value = p.constant;
        break;
      default:
        value = null;
    }
    let transformed = true;
    let nulled: string | undefined;
    for (let s = 0; s < p.steps.length; s++) {
      const next = p.steps[s]!(value, row, failure);
      if (next !== FAILED) {
        value = next;
        continue;
      }
      if (p.onInvalid === 'reject') {
        failure.step = p.stepNames[s]!;
        failure.value = value === p.list ? [...p.list] : value;
        return FAILED;
      }
      soften(f, p.stepNames[s]!);
      if (p.onInvalid === 'null') {
        nulled = `${p.stepNames[s]!}: ${failure.reason}`;
        value = null;
      }
      // A multi-column list is scratch: never let it out of the row function.
      else if (value === p.list) value = null;
      transformed = false;
      break;
    }
    // A reference to a row the same run inserts first has no value yet to check.
    if (mayPend && isPendingReference(value)) return value;
    if (transformed) {
      for (let c = 0; c < p.checks.length; c++) {
        const next = p.checks[c]!(value, row, failure);
        if (next !== FAILED) continue;
        if (p.onInvalid === 'reject') {
          failure.step = p.checkNames[c]!;
          failure.value = value;
          return FAILED;
        }
        soften(f, p.checkNames[c]!);
        if (p.onInvalid === 'null') {
          nulled = `${p.checkNames[c]!}: ${failure.reason}`;
          value = null;
        }
        break;
      }
    }
    // An empty or blank text is no value either: a required field or a key left `''` (a cell emptied by
    // a `replace`, an empty lookup entry) is missing, not a value.
    if (p.required !== null && (value === null || (typeof value === 'string' && value.trim() === ''))) {
      failure.step = 'required';
      failure.value = value;
      // With `onInvalid: null`, the reason it became null is the one worth reading.
      failure.reason =
        value !== null
          ? `${p.required.replace(/^is not allowed/, 'is empty, which is not allowed')}`
          : nulled !== undefined
            ? `${p.required} (it became null as ${nulled})`
            : p.required;
      failure.code = 'REJECT_REQUIRED';
      return FAILED;
    }
    if (p.columnCheck) {
      const next = p.columnCheck(value, row, failure);
      if (next !== FAILED) return next;
      // `onInvalid: null` covers a value the target column refuses too, when the column takes a null
      // (`keep` cannot: the database would refuse the value kept).
      if (p.onInvalid === 'null' && p.required === null && value !== null) {
        const { reason, code } = failure;
        const nulled = p.columnCheck(null, row, failure);
        failure.reason = reason;
        failure.code = code;
        if (nulled !== FAILED) {
          soften(f, 'target');
          return nulled;
        }
      }
      failure.step = 'target';
      failure.value = value;
      // A NOT NULL column refusing the null `onInvalid` wrote: the failure that made it null is the cause.
      if (value === null && nulled !== undefined)
        failure.reason = `${failure.reason} (it became null as ${nulled})`;
      return FAILED;
    }
    return value;
  }

  return {
    name: mapping.name,
    from: mapping.from,
    to: mapping.to,
    sourceColumns,
    textPositions,
    targetFields,
    keyFields,
    keyIndexes,
    references,
    map(row: Row, out: Value[]): Rejection | null {
      softenedInRow = 0;
      for (let f = 0; f < fieldCount; f++) {
        const p = programs[f]!;
        const value = runField(p, row, f);
        if (value === FAILED) {
          return {
            field: p.field,
            value: failure.value,
            step: failure.step,
            reason: failure.reason,
            code: failure.code as RejectCode,
          };
        }
        out[f] = value;
      }
      for (let i = 0; i < softenedInRow; i++) {
        const f = softenedNow[i]!;
        if (softenedCounts[f] === 0) softenedReasons[f] = softenedReasonNow[f]!;
        softenedCounts[f]! += 1;
      }
      return null;
    },
    softened(): SoftenedCount[] {
      const counts: SoftenedCount[] = [];
      programs.forEach((p, f) => {
        if (softenedCounts[f]! > 0 && p.onInvalid !== 'reject')
          counts.push({
            field: p.field,
            action: p.onInvalid,
            count: softenedCounts[f]!,
            reason: softenedReasons[f]!,
          });
      });
      return counts;
    },
  };
}
