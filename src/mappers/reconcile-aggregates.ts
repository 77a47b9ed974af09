/**
 * Reconciliation beyond counts: per target column, aggregates of the rows the run expected in the target
 * and of the target rows with the same keys, compared after the run. Numeric columns: the exact sum
 * (scaled BigInt, no float drift); dates and timestamps: min and max; every column: the nulls; reference
 * columns (the target's foreign keys and `ref` fields): the distinct values. Values are compared by
 * their canonical texts, the same the checksums hash (computed only for the fields that need them), so an
 * aggregate differs only when the stored values do.
 */
import type { Value } from '../connectors/types.ts';
import type { ColumnAggregate } from '../core/plan.ts';
import { foldKeyText, type KeyFolding } from './canonical-key.ts';
import { CANONICAL_INTEGER, type Canonicalizer, NULL_TEXT, SPLIT, splitMicros } from './canonical-value.ts';
import { numberToDecimal } from './decimal-text.ts';
import { holdsZone } from './narrowing-warnings.ts';
import { showValue } from './plan-masking.ts';
import type { PreparedMapping } from './preflight.ts';

const SUM = 1;
const RANGE_INSTANT = 2;
const RANGE_TEXT = 4;
const DISTINCT = 8;

/** What is aggregated for each field of a mapping, decided once from the target columns. */
export interface AggregatePlan {
  readonly fields: readonly string[];
  /** Per field: a mask of SUM, RANGE_INSTANT (timestamps, canonical as epoch microseconds), RANGE_TEXT (dates), DISTINCT. */
  readonly kinds: readonly number[];
  readonly personal: readonly (PreparedMapping['personal'][number] | undefined)[];
  readonly canonicalizers: readonly Canonicalizer[];
  /** Per field: true when its timestamps hold a zone (shown in UTC with `Z`); local ones are shown without. */
  readonly zoned: readonly boolean[];
  /** Per field, how a folded key field compares (as the checksums do); null when all compare exactly. */
  readonly foldings: readonly KeyFolding[] | null;
}

/** The aggregates a mapping's reconciliation computes. */
export function aggregatePlanOf(prepared: PreparedMapping): AggregatePlan {
  const dataset = prepared.target.dataset;
  const references = new Set(dataset.foreignKeys.flatMap((fk) => fk.columns));
  const fields = prepared.compiled.targetFields;
  const kinds = fields.map((field) => {
    const column = dataset.columns.find((c) => c.name === field);
    let kind = 0;
    switch (column?.type) {
      case 'integer':
      case 'decimal':
      case 'float':
        kind |= SUM;
        break;
      case 'timestamp':
        kind |= RANGE_INSTANT;
        break;
      case 'date':
        kind |= RANGE_TEXT;
        break;
    }
    if (references.has(field) || hasRefStep(prepared.config.fields[field])) kind |= DISTINCT;
    return kind;
  });
  return {
    fields,
    kinds,
    personal: prepared.personal,
    canonicalizers: prepared.canonicalizers,
    zoned: fields.map((field) => {
      const column = dataset.columns.find((c) => c.name === field);
      return column !== undefined && holdsZone(column, prepared.target.kind);
    }),
    foldings: prepared.fieldFoldings,
  };
}

/** What is aggregated for each field of a plan, by name. */
export function aggregateKinds(
  plan: AggregatePlan,
): { sum: boolean; instantRange: boolean; textRange: boolean; distinct: boolean }[] {
  return plan.kinds.map((k) => ({
    sum: (k & SUM) !== 0,
    instantRange: (k & RANGE_INSTANT) !== 0,
    textRange: (k & RANGE_TEXT) !== 0,
    distinct: (k & DISTINCT) !== 0,
  }));
}

/**
 * One field's aggregates as a database computed them: its nulls, and the canonical texts of its sum, its
 * min and its max (null when it has none).
 */
export interface FieldTotals {
  readonly nulls: number;
  readonly sum: string | null;
  readonly min: string | null;
  readonly max: string | null;
}

function hasRefStep(field: unknown): boolean {
  const steps = (field as { transform?: unknown } | undefined)?.transform;
  return Array.isArray(steps) && steps.some((s) => typeof s === 'object' && s !== null && 'ref' in s);
}

/** The aggregates of one side, fed one row of canonical texts at a time. */
export class SideAggregates {
  readonly #plan: AggregatePlan;
  readonly #nulls: number[];
  readonly #sums: ScaledSum[];
  readonly #min: (string | undefined)[];
  readonly #max: (string | undefined)[];
  /** Per field, whether the min (max) is an integer text, compared as a number: tested once, when kept. */
  readonly #minInteger: boolean[];
  readonly #maxInteger: boolean[];
  readonly #distinct: (Set<string> | undefined)[];
  rows = 0;

  constructor(plan: AggregatePlan) {
    this.#plan = plan;
    const n = plan.fields.length;
    this.#nulls = new Array(n).fill(0);
    this.#sums = plan.kinds.map(() => new ScaledSum());
    this.#min = new Array(n).fill(undefined);
    this.#max = new Array(n).fill(undefined);
    this.#minInteger = new Array(n).fill(false);
    this.#maxInteger = new Array(n).fill(false);
    this.#distinct = plan.kinds.map((k) => (k & DISTINCT ? new Set<string>() : undefined));
  }

  /** The aggregates of a side the database computed (no distinct values): `rows` rows with these totals. */
  static fromTotals(plan: AggregatePlan, rows: number, totals: readonly FieldTotals[]): SideAggregates {
    const side = new SideAggregates(plan);
    side.rows = rows;
    for (let f = 0; f < totals.length; f++) {
      const { nulls, sum, min, max } = totals[f]!;
      const kind = plan.kinds[f]!;
      side.#nulls[f] = nulls;
      if (kind & SUM && sum !== null) side.#sums[f]!.add(sum);
      if (kind & (RANGE_INSTANT | RANGE_TEXT)) {
        if (min !== null) side.#lower(f, min, (kind & RANGE_INSTANT) !== 0 && CANONICAL_INTEGER.test(min));
        if (max !== null) side.#raise(f, max, (kind & RANGE_INSTANT) !== 0 && CANONICAL_INTEGER.test(max));
      }
    }
    return side;
  }

  /** Adds the rows another side of the same plan aggregated. */
  merge(other: SideAggregates): void {
    this.rows += other.rows;
    for (let f = 0; f < this.#nulls.length; f++) {
      this.#nulls[f]! += other.#nulls[f]!;
      this.#sums[f]!.merge(other.#sums[f]!);
      const min = other.#min[f];
      if (min !== undefined) this.#lower(f, min, other.#minInteger[f]!);
      const max = other.#max[f];
      if (max !== undefined) this.#raise(f, max, other.#maxInteger[f]!);
      for (const value of other.#distinct[f] ?? []) this.#distinct[f]!.add(value);
    }
  }

  /** Adds one row of values, in `targetFields` order. */
  add(row: readonly Value[]): void {
    this.rows++;
    const { kinds, canonicalizers, foldings } = this.#plan;
    for (let f = 0; f < kinds.length; f++) {
      const value = row[f];
      // Only null canonicalises to the null text: nulls are counted without computing any text.
      if (value === null || value === undefined) {
        this.#nulls[f]!++;
        continue;
      }
      const kind = kinds[f]!;
      if (kind === 0) continue;
      // A safe integer's canonical text is its digits, whatever the numeric column: summed as it is.
      if (kind === SUM && typeof value === 'number' && Number.isSafeInteger(value)) {
        this.#sums[f]!.addInteger(value);
        continue;
      }
      let text = canonicalizers[f]!(value);
      if (foldings !== null && foldings[f] !== 'exact') text = foldKeyText(text, foldings[f]!);
      this.#addText(f, kind, text);
    }
  }

  /** Adds one row already reduced to canonical texts (folded as the checksums fold them), in `targetFields` order. */
  addTexts(texts: readonly string[]): void {
    this.rows++;
    const kinds = this.#plan.kinds;
    for (let f = 0; f < kinds.length; f++) {
      const text = texts[f]!;
      if (text === NULL_TEXT) {
        this.#nulls[f]!++;
        continue;
      }
      const kind = kinds[f]!;
      if (kind !== 0) this.#addText(f, kind, text);
    }
  }

  #addText(f: number, kind: number, text: string): void {
    if (kind & SUM) this.#sums[f]!.add(text);
    if (kind & (RANGE_INSTANT | RANGE_TEXT)) {
      const integer = (kind & RANGE_INSTANT) !== 0 && CANONICAL_INTEGER.test(text);
      this.#lower(f, text, integer);
      this.#raise(f, text, integer);
    }
    if (kind & DISTINCT) this.#distinct[f]!.add(text);
  }

  /** Takes `text` (`integer`: epoch microseconds) as field `f`'s min when it comes before the current one. */
  #lower(f: number, text: string, integer: boolean): void {
    const min = this.#min[f];
    if (min === undefined || before(text, integer, min, this.#minInteger[f]!)) {
      this.#min[f] = text;
      this.#minInteger[f] = integer;
    }
  }

  /** Takes `text` (`integer`: epoch microseconds) as field `f`'s max when it comes after the current one. */
  #raise(f: number, text: string, integer: boolean): void {
    const max = this.#max[f];
    if (max === undefined || before(max, this.#maxInteger[f]!, text, integer)) {
      this.#max[f] = text;
      this.#maxInteger[f] = integer;
    }
  }

  /** The aggregates of field `f` as run.json shows them. */
  values(f: number): { aggregate: ColumnAggregate['aggregate']; value: string | number | null }[] {
    const kind = this.#plan.kinds[f]!;
    const out: { aggregate: ColumnAggregate['aggregate']; value: string | number | null }[] = [
      { aggregate: 'nulls', value: this.#nulls[f]! },
    ];
    if (kind & SUM) out.push({ aggregate: 'sum', value: this.#sums[f]!.result() });
    if (kind & (RANGE_INSTANT | RANGE_TEXT)) {
      const show = (text: string | undefined) => {
        if (text === undefined) return null;
        const shown = kind & RANGE_INSTANT ? instantText(text, this.#plan.zoned[f]!) : text;
        return showValue(shown, this.#plan.personal[f], false) as string;
      };
      out.push({ aggregate: 'min', value: show(this.#min[f]) });
      out.push({ aggregate: 'max', value: show(this.#max[f]) });
    }
    if (kind & DISTINCT) out.push({ aggregate: 'distinct', value: this.#distinct[f]!.size });
    return out;
  }
}

/** Compares the two sides field by field; each aggregate is listed with both values and whether they agree. */
export function compareAggregates(
  plan: AggregatePlan,
  source: SideAggregates,
  target: SideAggregates,
): ColumnAggregate[] {
  const out: ColumnAggregate[] = [];
  for (let f = 0; f < plan.fields.length; f++) {
    const s = source.values(f);
    const t = target.values(f);
    for (let a = 0; a < s.length; a++) {
      out.push({
        field: plan.fields[f]!,
        aggregate: s[a]!.aggregate,
        source: s[a]!.value,
        target: t[a]!.value,
        ok: s[a]!.value === t[a]!.value,
      });
    }
  }
  return out;
}

// Timestamps are canonical as epoch microseconds (integer texts, compared without a BigInt per value);
// anything else a database returned, and dates, compare as text.
function before(a: string, aInteger: boolean, b: string, bInteger: boolean): boolean {
  if (!aInteger || !bInteger) return a < b;
  const negativeA = a.charCodeAt(0) === 45;
  const negativeB = b.charCodeAt(0) === 45;
  if (negativeA !== negativeB) return negativeA;
  const less = a.length !== b.length ? a.length < b.length : a < b;
  return negativeA ? a !== b && !less : less;
}

/** Epoch microseconds as an ISO 8601 text with six fraction digits: UTC with `Z` when zoned, else local. */
function instantText(text: string, zoned: boolean): string {
  if (!splitMicros(text)) return text;
  const micros = SPLIT[1]!;
  const iso = new Date(SPLIT[0]! * 1000 + Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, -1)}${String(micros % 1000).padStart(3, '0')}${zoned ? 'Z' : ''}`;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;
// The bound of each term of the plain-number part of a sum: two of them add exactly.
const SMALL = 2 ** 52;

/**
 * An exact sum of decimal texts: units of 10^-scale, rescaled when a value has more decimals. Values
 * within 2^52 units add into a plain number, moved into the BigInt once past 2^52 so that the next
 * addition cannot round; larger ones go to the BigInt directly.
 */
class ScaledSum {
  #units = 0n;
  #small = 0;
  #scale = 0;
  #invalid = false;

  add(text: string): void {
    if (!DECIMAL.test(text)) {
      // Floats canonicalise as JS prints them, possibly with an exponent.
      const decimal = numberToDecimal(Number(text));
      if (decimal === null || !DECIMAL.test(decimal)) {
        this.#invalid = true;
        return;
      }
      text = decimal;
    }
    const dot = text.indexOf('.');
    const decimals = dot === -1 ? 0 : text.length - dot - 1;
    if (decimals > this.#scale) {
      this.#flush();
      this.#units *= 10n ** BigInt(decimals - this.#scale);
      this.#scale = decimals;
    }
    const digits = dot === -1 ? text : text.slice(0, dot) + text.slice(dot + 1);
    const shift = this.#scale - decimals;
    if (digits.length + shift <= 16) {
      const units = Number(digits) * 10 ** shift;
      if (units <= SMALL && units >= -SMALL) {
        this.#addSmall(units);
        return;
      }
    }
    this.#units += BigInt(digits) * 10n ** BigInt(shift);
  }

  /** Adds a safe integer, as `add` would add its digits. */
  addInteger(n: number): void {
    const units = this.#scale === 0 ? n : n * 10 ** this.#scale;
    if (units <= SMALL && units >= -SMALL) this.#addSmall(units);
    else this.#units += BigInt(n) * 10n ** BigInt(this.#scale);
  }

  // Both terms are within 2^52, so their sum (at most 2^53) is exact; past 2^52 it moves to the BigInt.
  #addSmall(units: number): void {
    this.#small += units;
    if (this.#small > SMALL || this.#small < -SMALL) this.#flush();
  }

  #flush(): void {
    this.#units += BigInt(this.#small);
    this.#small = 0;
  }

  /** Adds another sum to this one, at the larger of the two scales. */
  merge(other: ScaledSum): void {
    if (other.#invalid) this.#invalid = true;
    this.#flush();
    if (other.#scale > this.#scale) {
      this.#units *= 10n ** BigInt(other.#scale - this.#scale);
      this.#scale = other.#scale;
    }
    const units = other.#units + BigInt(other.#small);
    this.#units += units * 10n ** BigInt(this.#scale - other.#scale);
  }

  /** The sum as a canonical decimal text; null when a value was not a number. */
  result(): string | null {
    if (this.#invalid) return null;
    this.#flush();
    const negative = this.#units < 0n;
    const digits = (negative ? -this.#units : this.#units).toString().padStart(this.#scale + 1, '0');
    const int = digits.slice(0, digits.length - this.#scale);
    const frac = digits.slice(digits.length - this.#scale).replace(/0+$/, '');
    const body = frac ? `${int}.${frac}` : int;
    return negative && body !== '0' ? `-${body}` : body;
  }
}
