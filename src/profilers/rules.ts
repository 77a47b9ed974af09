/**
 * Rules from the config, evaluated against the profile and the value-frequency tables measured for
 * it (exact when the table lists every value; otherwise on the value sample, and said so).
 */

import { didYouMean } from '../config/did-you-mean.ts';
import {
  AGE_FORMS,
  BOUND_FORMS,
  type BoundKind,
  boundKind,
  type Config,
  describeBoundKind,
  parseAge,
} from '../config/schema.ts';
import { frCount, frNumber, frPercent, percentText } from '../core/french.ts';
import type { Column, Dataset, Inventory, LogicalType } from '../core/inventory.ts';
import { plainDecimalText, plainNumberText } from '../core/plain-number.ts';
import type { ColumnProfile, DatasetProfile, ProfileValue, RuleResult } from '../core/profile.ts';
import { inclusion } from './inclusion.ts';
import { classifyNullLike, isZeroDate } from './null-like.ts';
import type { ColumnObservation, DatasetObservation } from './observation.ts';
import { TypeInference } from './type-inference.ts';
import { classifyText, type DateOrder } from './type-inference-classify.ts';
import { convertValue, INVALID } from './type-inference-convert.ts';

import { maskValue } from './value-masking.ts';
import { compareDecimalTexts } from './value-order.ts';

type Rule = NonNullable<Config['rules']>[number];

/** What rules are evaluated against. */
export interface RuleContext {
  readonly inventory: Inventory;
  readonly profiles: readonly DatasetProfile[];
  /** Observations by `source.dataset`. */
  readonly observations: ReadonlyMap<string, DatasetObservation>;
  /**
   * Exact repeated values of columns `unique` rules name, by `source.dataset\u0000column`, where the profile's
   * distinct count is a sketch's (a file column past the distinct-value limit).
   */
  readonly repeats?: ReadonlyMap<string, number>;
  readonly now?: Date;
  /** Values of personal-data columns written unmasked in messages (`--show-samples`). */
  readonly showSamples?: boolean;
}

/** Where a rule's `dataset` points: `crm.public.customers`, or `crm.customers` when unambiguous. */
export function resolveRuleDataset(
  inventory: Inventory,
  reference: string,
): { source: string; dataset: Dataset } | string {
  const dot = reference.indexOf('.');
  const sourceName = dot < 0 ? reference : reference.slice(0, dot);
  const rest = dot < 0 ? '' : reference.slice(dot + 1);
  const source = inventory.sources.find((s) => s.name === sourceName);
  if (!source)
    return `unknown source "${sourceName}"${didYouMean(
      sourceName,
      inventory.sources.map((s) => s.name),
    )}`;
  if (source.status !== 'ok') return `source ${sourceName} could not be scanned`;
  const exact = source.datasets.find((d) => d.name === rest);
  if (exact) return { source: sourceName, dataset: exact };
  const byTable = source.datasets.filter((d) => d.table === rest);
  if (byTable.length === 1) return { source: sourceName, dataset: byTable[0]! };
  if (byTable.length > 1)
    return `"${rest}" is ambiguous in ${sourceName} (${byTable.map((d) => d.name).join(', ')}): name the schema`;
  // A sheet is named `workbook/sheet`: a rule naming the sheet alone (`stock.Stock`) is pointed to it.
  const sheet = source.datasets.filter(
    (d) => d.file?.sheet !== undefined && d.file.sheet.toLowerCase() === rest.toLowerCase(),
  );
  if (sheet.length > 0)
    return `source ${sourceName} has no dataset "${rest}" (did you mean ${sheet.map((d) => `"${d.name}"`).join(' or ')}? a sheet is named workbook/sheet)`;
  const names = source.datasets.flatMap((d) =>
    d.table && d.table !== d.name ? [d.name, d.table] : [d.name],
  );
  return `source ${sourceName} has no dataset "${rest}"${didYouMean(rest, names)}`;
}

/** Problems of rules that name a dataset or column the inventory does not have, with their config paths. */
export function checkRulesAgainstInventory(
  rules: readonly Rule[],
  inventory: Inventory,
): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  rules.forEach((rule, i) => {
    const target = resolveRuleDataset(inventory, rule.dataset);
    if (typeof target === 'string') {
      problems.push({ path: `rules[${i}].dataset`, message: target });
      return;
    }
    if (rule.column && !target.dataset.columns.some((c) => c.name === rule.column)) {
      problems.push({
        path: `rules[${i}].column`,
        message: `${rule.dataset} has no column "${rule.column}"${didYouMean(
          rule.column,
          target.dataset.columns.map((c) => c.name),
        )} (columns: ${target.dataset.columns.map((c) => c.name).join(', ')})`,
      });
    }
    const column = target.dataset.columns.find((c) => c.name === rule.column);
    if (rule.check === 'range' && column)
      problems.push(...rangeProblems(rule, i, `${rule.dataset}.${column.name}`, column.type));
    if (rule.check === 'foreign_key') {
      const ref = rule.references ?? '';
      const lastDot = ref.lastIndexOf('.');
      const parent = lastDot < 0 ? 'missing' : resolveRuleDataset(inventory, ref.slice(0, lastDot));
      if (typeof parent === 'string')
        problems.push({ path: `rules[${i}].references`, message: `${parent} (write source.dataset.column)` });
      else {
        const name = ref.slice(lastDot + 1);
        const columns = parent.dataset.columns.map((c) => c.name);
        if (!columns.includes(name))
          problems.push({
            path: `rules[${i}].references`,
            message: `${ref.slice(0, lastDot)} has no column "${name}"${didYouMean(name, columns)} (columns: ${columns.join(', ')})`,
          });
      }
    }
  });
  return problems;
}

/** Evaluates every rule; a rule passes when its fail rate is at most `maxFailRate` (default 0). */
export function evaluateRules(rules: readonly Rule[], context: RuleContext): RuleResult[] {
  return rules.map((rule, i) => evaluate(rule, i, context));
}

function evaluate(rule: Rule, index: number, context: RuleContext): RuleResult {
  const name = rule.name ?? `${rule.check}${rule.column ? `(${rule.column})` : ''} on ${rule.dataset}`;
  const base = {
    rule: name,
    check: rule.check,
    dataset: rule.dataset,
    ...(rule.column ? { column: rule.column } : {}),
    severity: rule.severity,
  };
  const error = (message: string): RuleResult => ({
    ...base,
    status: 'error',
    checked: 0,
    failed: 0,
    failRate: 0,
    message,
  });
  const target = resolveRuleDataset(context.inventory, rule.dataset);
  if (typeof target === 'string') return error(target);
  const key = `${target.source}.${target.dataset.name}`;
  const profile = context.profiles.find(
    (p) => p.source === target.source && p.dataset === target.dataset.name,
  );
  const observation = context.observations.get(key);
  if (!profile || !observation) return error(`${key} was not profiled (rules[${index}])`);
  const column = rule.column ? profile.columns.find((c) => c.name === rule.column) : undefined;
  const values = rule.column ? observation.columns.find((c) => c.name === rule.column) : undefined;
  if (rule.column && (!column || !values)) return error(`${key} has no column ${rule.column}`);

  // A dataset profiled on a sample of its rows (`sample: 10%`): every rule about it says so.
  const rowSample = profile.sample
    ? {
        sampled: profile.sample.fraction,
        label: ` (on a ${Math.round(profile.sample.fraction * 100)}% sample of the rows)`,
        labelFr: ` (sur un échantillon de ${Math.round(profile.sample.fraction * 100)}\u00a0% des lignes)`,
      }
    : undefined;
  const exactRepeats = rule.column ? context.repeats?.get(`${key}\u0000${rule.column}`) : undefined;
  // Past the distinct-value limit, value-level counts (formats, ranges, patterns) are a sample's, scaled,
  // and `distinct` is a sketch's: the counts a rule shows are then estimates, and say so.
  const sampledValues =
    values && !values.complete && ['range', 'allowed_values', 'regex', 'format'].includes(rule.check);
  const sketched = rule.check === 'unique' && column && !column.distinctExact && exactRepeats === undefined;
  const estimate = sampledValues
    ? ' (estimated from a sample of the values)'
    : sketched
      ? ` (estimated: the distinct count is a sketch's, ±${((column.distinctError ?? 0) * 100).toFixed(1)}%)`
      : '';
  const estimateFr = sampledValues
    ? ' (estimé sur un échantillon des valeurs)'
    : sketched
      ? ` (estimé : le nombre de valeurs distinctes vient d’une esquisse, ±${frPercent(column.distinctError ?? 0)})`
      : '';
  const result = (checked: number, failed: number, what: Words): RuleResult => {
    const failRate = checked === 0 ? 0 : failed / checked;
    const allowed = rule.maxFailRate ?? 0;
    const sampled = `${estimate}${rowSample?.label ?? ''}`;
    const sampledFr = `${estimateFr}${rowSample?.labelFr ?? ''}`;
    return {
      ...base,
      ...(rowSample ? { sampled: rowSample.sampled } : {}),
      ...(estimate ? { estimated: true } : {}),
      status: failRate <= allowed ? 'passed' : 'failed',
      checked,
      failed,
      failRate,
      message: `${failed} of ${checked} ${what.en}${sampled}${allowed > 0 ? `; allowed ${percentText(allowed)}` : ''}`,
      messageFr: `${frCount(failed)} sur ${frCount(checked)} ${what.fr}${sampledFr}${allowed > 0 ? ` ; ${frPercent(allowed)} toléré` : ''}`,
    };
  };
  // A rule about the dataset as a whole (row count, freshness) is one check that passes or fails.
  const verdict = (ok: boolean, message: string, messageFr: string): RuleResult => ({
    ...base,
    status: ok ? 'passed' : 'failed',
    checked: 1,
    failed: ok ? 0 : 1,
    failRate: ok ? 0 : 1,
    message,
    messageFr,
  });
  const nullLikeCount = (c: ColumnProfile) => Object.values(c.nullLike).reduce((n, v) => n + v, 0);

  switch (rule.check) {
    case 'not_null': {
      const c = column!;
      return result(c.count, c.nulls + c.nullLike.empty + c.nullLike.blank, {
        en: 'values are null or empty',
        fr: 'valeurs sont nulles ou vides',
      });
    }
    case 'unique': {
      const c = column!;
      return result(c.count - c.nulls, exactRepeats ?? c.count - c.nulls - c.distinct, {
        en: 'values repeat an earlier value',
        fr: 'valeurs répètent une valeur précédente',
      });
    }
    case 'format': {
      const c = column!;
      const format = rule.format ?? '';
      const clean = c.count - c.nulls - nullLikeCount(c);
      const valid = c.formats.find((f) => f.format === format)?.count ?? 0;
      return result(clean, Math.max(0, clean - valid), {
        en: `values are not a valid ${format}`,
        fr: `valeurs ne sont pas au format ${format}`,
      });
    }
    case 'range': {
      const problems = column ? rangeProblems(rule, index, `${key}.${column.name}`, column.type) : [];
      if (problems.length > 0) return error(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
      const en = `values fall outside [${rule.min ?? '-∞'}, ${rule.max ?? '+∞'}]`;
      const fr = `valeurs sortent de [${frBound(rule.min, '-∞')} ; ${frBound(rule.max, '+∞')}]`;
      if (column!.type !== 'string') {
        // A zero date (`0000-00-00`, `2024-00-15`) is a missing date, as the profile counts it: not checked.
        const dated = column!.type === 'date' || column!.type === 'timestamp';
        const missing = (v: ProfileValue) => dated && typeof v === 'string' && isZeroDate(v);
        return countFailing(values!, (v) => outside(v, rule.min, rule.max), result, { en, fr }, missing);
      }
      // A text column's values are read as the bounds are (numbers with the separator they use, dates
      // in the order they are written); null-like ones are missing, not out of range; the others fail.
      const inventoryColumn = target.dataset.columns.find((c) => c.name === rule.column);
      const read = textReader(values!, inventoryColumn, boundKind(rule.min ?? rule.max!));
      let checked = 0;
      let failed = 0;
      let unreadable = 0;
      for (const [value, count] of values!.frequencies) {
        if (typeof value === 'string' && classifyNullLike(value) !== undefined) continue;
        checked += count;
        const typed = read(value);
        if (typed === null) {
          unreadable += count;
          failed += count;
        } else if (outside(typed, rule.min, rule.max)) failed += count;
      }
      const what =
        read.kind === 'number'
          ? ['numbers', 'des nombres']
          : read.kind === 'time'
            ? ['times', 'des heures']
            : ['dates', 'des dates'];
      const scale = sampleScale(values!);
      const notRead = Math.round(unreadable * scale);
      return result(Math.round(checked * scale), Math.round(failed * scale), {
        en: `${en}${notRead > 0 ? ` (${notRead} of them are not ${what[0]})` : ''}`,
        fr: `${fr}${notRead > 0 ? ` (dont ${frCount(notRead)} ne sont pas ${what[1]})` : ''}`,
      });
    }
    case 'allowed_values': {
      const allowed = new Set((rule.values ?? []).map((v) => String(v)));
      return countFailing(values!, (v) => !allowed.has(String(v)), result, {
        en: 'values are not allowed',
        fr: 'valeurs ne sont pas admises',
      });
    }
    case 'regex': {
      let pattern: RegExp;
      try {
        pattern = new RegExp(rule.pattern ?? '');
      } catch (failure) {
        const reason = failure instanceof Error ? failure.message : String(failure);
        return error(
          `rules[${index}].pattern: not a valid regular expression: ${reason.replace(/^Invalid regular expression: /, '')}`,
        );
      }
      return countFailing(values!, (v) => !pattern.test(String(v)), result, {
        en: `values do not match /${rule.pattern}/`,
        fr: `valeurs ne suivent pas /${rule.pattern}/`,
      });
    }
    case 'max_null_rate': {
      const c = column!;
      const missing = c.nulls + nullLikeCount(c);
      const rate = c.count === 0 ? 0 : missing / c.count;
      const limit = rule.maxNullRate ?? 0;
      return {
        ...base,
        status: rate <= limit ? 'passed' : 'failed',
        checked: c.count,
        failed: missing,
        failRate: rate,
        message: `${percentText(rate)} of values are missing; at most ${percentText(limit)} allowed`,
        messageFr: `${frPercent(rate)} des valeurs manquent ; au plus ${frPercent(limit)} toléré`,
      };
    }
    case 'row_count_min': {
      const min = rule.minRows ?? 1;
      // A profile of a sample counts the sample's rows: the table's are the inventory's.
      const counted = target.dataset.rowCount;
      if (profile.sample && counted !== null) {
        const how = target.dataset.rowCountExact ? 'counted' : 'estimated';
        return verdict(
          counted >= min,
          `${counted} rows (${how} by the inventory; the profile read a sample); at least ${min} required`,
          `${frCount(counted)} lignes (${target.dataset.rowCountExact ? 'comptées' : 'estimées'} par l’inventaire ; le profil a lu un échantillon) ; au moins ${frCount(min)} requises`,
        );
      }
      return verdict(
        profile.rowCount >= min,
        `${profile.rowCount} rows; at least ${min} required`,
        `${frCount(profile.rowCount)} lignes ; au moins ${frCount(min)} requises`,
      );
    }
    case 'foreign_key': {
      const ref = rule.references ?? '';
      const parentTarget = resolveRuleDataset(context.inventory, ref.slice(0, ref.lastIndexOf('.')));
      if (typeof parentTarget === 'string') return error(parentTarget);
      const parentObs = context.observations
        .get(`${parentTarget.source}.${parentTarget.dataset.name}`)
        ?.columns.find((c) => c.name === ref.slice(ref.lastIndexOf('.') + 1));
      if (!parentObs) return error(`${ref} was not profiled`);
      const check = inclusion(values!, parentObs);
      return result(check.checked, check.orphans, {
        en: `values have no match in ${ref}`,
        fr: `valeurs n’ont pas de correspondance dans ${ref}`,
      });
    }
    case 'freshness': {
      // The observation, not the profile: a personal column's max is masked in the profile. A text
      // column's newest value is that of the dates it holds, read as written (`10/10/2023`).
      const newestValue =
        column!.type === 'string'
          ? newestDate(
              values!,
              target.dataset.columns.find((c) => c.name === rule.column),
            )
          : (values!.aggregates?.max ?? maxOf(values!));
      const newest = newestValue === null ? null : Date.parse(String(newestValue));
      const maxAgeMs = parseAge(rule.maxAge ?? '1d');
      if (Number.isNaN(maxAgeMs))
        return error(
          `rules[${index}].maxAge: expected a duration, ${AGE_FORMS}; got ${JSON.stringify(rule.maxAge)}`,
        );
      const now = (context.now ?? new Date()).getTime();
      if (newest === null || Number.isNaN(newest))
        return error(`${rule.column} holds no date to judge freshness by`);
      // A birth date's newest value is personal data: masked as the profile masks it.
      const shown =
        column!.personal && !context.showSamples
          ? maskValue(String(newestValue), column!.personal.kind)
          : String(newestValue);
      return verdict(
        now - newest <= maxAgeMs,
        `newest value ${shown}; at most ${rule.maxAge ?? '1d'} old allowed`,
        `valeur la plus récente ${shown} ; ancienneté d’au plus ${frAge(rule.maxAge ?? '1d')} tolérée`,
      );
    }
  }
}

/** What failing values do, in English and French (`3 of 10 values are not allowed`). */
interface Words {
  readonly en: string;
  readonly fr: string;
}

/** A duration as French text: `7d` is `7 j`, `30m` is `30 min`, `2w` is `2 sem.`. */
function frAge(age: string): string {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$/.exec(age);
  if (!m) return age;
  const unit = { m: 'min', h: 'h', d: 'j', w: 'sem.' }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return `${m[1]!.replace('.', ',')}\u00a0${unit}`;
}

/** A range bound as French text: a number with a decimal comma, a date or time as written. */
function frBound(bound: number | string | undefined, open: string): string {
  if (bound === undefined) return open;
  if (typeof bound === 'number') return frNumber(bound);
  // A bound kept as its digits is a number too: its decimal point is a comma in French.
  return boundKind(bound) === 'number' ? bound.replace('.', ',') : bound;
}

/**
 * How a text column's values read as a range's bounds do: `kind` says which; the function returns a
 * number, an ISO date or date-time, or a time, and null for a value that is none.
 */
type TextReader = ((value: ProfileValue) => number | string | null) & { readonly kind: BoundKind };

/**
 * A reader of a text column's values as numbers (with the decimal separator its numbers show, grouping
 * allowed: `1.500` beside `12.345.678` is fifteen hundred), dates and date-times (in the day order its
 * file was read with), or times.
 */
function textReader(
  values: ColumnObservation,
  column: Column | undefined,
  kind: BoundKind | undefined,
): TextReader {
  const dateOrder: DateOrder = column?.inference?.dateLayouts?.includes('mdy') ? 'mdy' : 'dmy';
  const decimalHint = column?.inference?.decimalSeparator ?? '.';
  // The separator the column's numbers show: only numbers need it, and finding it reads every value.
  let decimalSeparator = decimalHint;
  if (kind === 'number') {
    const inference = new TypeInference({ decimalHint, dateOrder });
    for (const [value, count] of values.frequencies)
      if (typeof value === 'string') inference.counts[classifyText(value.trim(), dateOrder)]! += count;
    decimalSeparator = inference.result().decimalSeparator;
  }
  const as = (type: LogicalType, value: ProfileValue) => {
    const converted = convertValue(typeof value === 'string' ? value : String(value), {
      type,
      decimalSeparator,
      dateOrder,
    });
    return converted === INVALID || converted === null ? null : converted;
  };
  const read = (value: ProfileValue): number | string | null => {
    if (kind === 'number') {
      if (typeof value === 'number') return value;
      const number = as('decimal', value);
      return number === null ? null : Number(number);
    }
    if (kind === 'time') {
      const text = String(value).trim();
      return /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? text : null;
    }
    const date = as('date', value);
    return date !== null ? String(date) : ((as('timestamp', value) as string | null) ?? null);
  };
  return Object.assign(read, { kind: kind ?? 'number' });
}

/**
 * The newest date or date-time a text column's values hold, as ISO text; null when none is one. Past the
 * distinct-value limit the values listed are a sample: the column's exact maximum (text order, which is
 * date order for ISO dates) is read as a date too, and the later of the two is taken.
 */
function newestDate(values: ColumnObservation, column: Column | undefined): string | null {
  const read = textReader(values, column, 'date');
  let newest: string | null = null;
  const consider = (value: ProfileValue | null | undefined) => {
    if (value === null || value === undefined) return;
    if (typeof value === 'string' && classifyNullLike(value) !== undefined) return;
    const date = read(value);
    if (typeof date === 'string' && (newest === null || date > newest)) newest = date;
  };
  for (const value of values.frequencies.keys()) consider(value);
  if (!values.complete) consider(values.aggregates?.max);
  return newest;
}

function maxOf(values: ColumnObservation): ProfileValue | null {
  let max: ProfileValue | null = null;
  for (const value of values.frequencies.keys()) if (max === null || String(value) > String(max)) max = value;
  return max;
}

function countFailing(
  values: ColumnObservation,
  fails: (value: ProfileValue) => boolean,
  result: (checked: number, failed: number, what: Words) => RuleResult,
  what: Words,
  missing?: (value: ProfileValue) => boolean,
): RuleResult {
  let checked = 0;
  let failed = 0;
  for (const [value, count] of values.frequencies) {
    if (missing?.(value)) continue;
    checked += count;
    if (fails(value)) failed += count;
  }
  const scale = sampleScale(values);
  return result(Math.round(checked * scale), Math.round(failed * scale), what);
}

/**
 * What a count over a column's listed values stands for in the whole column: 1 when every value is listed;
 * past the distinct-value limit, the non-null count over the sample's, so that a rule says `6541 of 300050`
 * as the profile's formats do, not `436 of 20000`.
 */
function sampleScale(values: ColumnObservation): number {
  if (values.complete) return 1;
  let sampled = 0;
  for (const count of values.frequencies.values()) sampled += count;
  return sampled === 0 ? 1 : (values.count - values.nulls) / sampled;
}

function outside(
  value: ProfileValue,
  min: number | string | undefined,
  max: number | string | undefined,
): boolean {
  const compare = (a: ProfileValue, b: number | string) => {
    // A bound kept as its digits (past a double's precision) against a value that is exact text or a
    // number: compared digit by digit.
    if (typeof b === 'string' && boundKind(b) === 'number') {
      const text =
        typeof a === 'number' ? plainNumberText(a) : typeof a === 'string' ? plainDecimalText(a) : undefined;
      return text ? compareDecimalTexts(text, b) : Number(a) - Number(b);
    }
    return typeof b === 'number' ? Number(a) - b : String(a) < b ? -1 : String(a) > b ? 1 : 0;
  };
  if (min !== undefined && compare(value, min) < 0) return true;
  return max !== undefined && compare(value, max) > 0;
}

/** What a `range` rule's bounds must be for a column of each type; undefined: range does not apply. */
function boundsFor(type: LogicalType): { kinds: readonly BoundKind[]; example: string } | undefined {
  switch (type) {
    case 'integer':
    case 'decimal':
    case 'float':
      return { kinds: ['number'], example: 'a number' };
    case 'date':
    case 'timestamp':
      return { kinds: ['date', 'datetime'], example: 'a date: 2024-01-31 or 2024-01-31T08:00:00Z' };
    case 'time':
      return { kinds: ['time'], example: 'a time: 08:30' };
    case 'string':
      return { kinds: ['number', 'date', 'datetime', 'time'], example: BOUND_FORMS };
    default:
      return undefined;
  }
}

/**
 * Why a `range` rule cannot be evaluated on a column of `type`, with the config paths at fault: its
 * bounds are compared with the values as numbers or as ISO text, so they must be of the column's kind.
 */
export function rangeProblems(
  rule: Rule,
  index: number,
  column: string,
  type: LogicalType,
): { path: string; message: string }[] {
  const expected = boundsFor(type);
  if (!expected)
    return [
      {
        path: `rules[${index}].column`,
        message: `check range compares numbers, dates or times; ${column} is a ${type} column`,
      },
    ];
  const problems: { path: string; message: string }[] = [];
  for (const key of ['min', 'max'] as const) {
    const bound = rule[key];
    if (bound === undefined) continue;
    const kind = boundKind(bound);
    if (kind && expected.kinds.includes(kind)) continue;
    const what = kind ? describeBoundKind(kind) : 'neither a number nor an ISO 8601 date, date-time or time';
    problems.push({
      path: `rules[${index}].${key}`,
      message: `${JSON.stringify(bound)} is ${what} but ${column} is a ${type} column; give ${expected.example}`,
    });
  }
  return problems;
}
