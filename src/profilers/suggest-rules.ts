/**
 * `--suggest-rules`: a rules block inferred from what the data is today, to review and paste into
 * the config. Each rule holds on the profiled data, so it guards against regressions.
 */
import type { ColumnProfile, Profile } from '../core/profile.ts';

/** A suggested rule, in the config's shape. */
export type SuggestedRule = Record<string, string | number | boolean | (string | number)[]>;

const FORMAT_SHARE = 0.95;
const MAX_ALLOWED_VALUES = 12;
/** Rows under which a unique column is a key only when its name says so: 20 names are unique by chance. */
const UNIQUE_MIN_ROWS = 100;
/** Names of identifier columns: `id`, `client_id`, `clientId`, `code`, `ref`, `siret`, `email`, `numero`… */
const IDENTIFIER_NAME =
  /(?:^|[_\s.-])(?:id|code|ref|reference|key|cle|uuid|guid|siret|siren|iban|nir|email|mail|numero|num|no|matricule)$|[a-z]Id$/i;

/**
 * Rules that hold on `profile`: not_null, unique, format, allowed_values, range, max_null_rate, row_count_min.
 * They guard what is likely a rule of the data, not an accident of today's rows: `unique` on identifiers,
 * `allowed_values` on text codes, `range` as a sign (`min: 0`).
 */
export function suggestRules(profile: Profile): SuggestedRule[] {
  const rules: SuggestedRule[] = [];
  for (const d of profile.datasets) {
    const dataset = `${d.source}.${d.dataset}`;
    if (d.rowCount > 0) {
      rules.push({
        dataset,
        check: 'row_count_min',
        minRows: Math.floor(d.rowCount * 0.9),
        severity: 'warning',
      });
    }
    const single = new Set(d.candidateKeys.filter((k) => k.length === 1).map((k) => k[0]!));
    for (const c of d.columns) {
      if (c.count === 0 || c.nulls === c.count) continue;
      const base = { dataset, column: c.name };
      if (c.nulls === 0 && nullLike(c) === 0) rules.push({ ...base, check: 'not_null', severity: 'error' });
      else
        rules.push({
          ...base,
          check: 'max_null_rate',
          maxNullRate: ceilRate((c.nulls + nullLike(c)) / c.count),
          severity: 'warning',
        });
      const identifier = IDENTIFIER_NAME.test(c.name);
      // A column unique today is a key to guard only when it looks like one: enough rows, or an identifier's name.
      if (single.has(c.name) && (identifier || d.rowCount >= UNIQUE_MIN_ROWS))
        rules.push({ ...base, check: 'unique', severity: 'error' });
      const clean = c.count - c.nulls - nullLike(c);
      const format = c.formats.find((f) => clean > 0 && f.count / clean >= FORMAT_SHARE);
      if (format) {
        const failRate = ceilRate((clean - format.count) / clean);
        rules.push({
          ...base,
          check: 'format',
          format: format.format,
          ...(failRate > 0 ? { maxFailRate: failRate } : {}),
          severity: 'warning',
        });
      }
      if (
        !c.personal &&
        c.distinct > 0 &&
        c.distinct <= MAX_ALLOWED_VALUES &&
        c.count >= 5 * c.distinct &&
        c.distinctExact
      ) {
        // Codes, not quantities: a column of numbers 1 to 5 today takes a 6 tomorrow without being wrong.
        const values = c.topValues.map((v) => v.value).filter((v): v is string => typeof v === 'string');
        if (values.length === c.distinct)
          rules.push({ ...base, check: 'allowed_values', values, severity: 'warning' });
      }
      // Today's bounds would fail the next larger amount; what guards a regression is the sign: an amount, a
      // quantity or a price that was never negative.
      // Decimals travel as exact text: `12.50`; a date's text is no number.
      const min = typeof c.min === 'number' ? c.min : typeof c.min === 'string' ? Number(c.min) : Number.NaN;
      if (c.numeric && min >= 0 && !identifier && !c.personal) {
        rules.push({ ...base, check: 'range', min: 0, severity: 'warning' });
      }
    }
  }
  return rules;
}

function nullLike(c: ColumnProfile): number {
  return Object.values(c.nullLike).reduce((n, v) => n + v, 0);
}

// Rounded up to a readable rate, so the rule holds on today's data: 0.0123 → 0.02.
function ceilRate(rate: number): number {
  return rate === 0 ? 0 : Math.min(1, Math.ceil(rate * 100) / 100);
}
