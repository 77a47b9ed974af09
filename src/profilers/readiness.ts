/**
 * The migration-readiness score of a dataset, 0–100: 100 minus penalties. Each penalty is its
 * weight times the share of rows (or values) affected, scaled so that 10% affected costs the full
 * weight: `points = weight × min(1, 10 × rate)`. The README states the same table.
 */
import { frCount, frPercent, percentText } from '../core/french.ts';
import type { Dataset } from '../core/inventory.ts';
import type { ColumnProfile, DatasetProfile } from '../core/profile.ts';
import { formatFamilies } from './dataset-findings.ts';

/** Weight of each penalty; they sum to 100. */
export const READINESS_WEIGHTS = {
  keyDuplicates: 20,
  orphans: 15,
  typeNonConformance: 15,
  duplicateRows: 10,
  missingValues: 10,
  invalidFormats: 10,
  variants: 10,
  whitespace: 5,
  noPrimaryKey: 5,
} as const;

type Penalty = DatasetProfile['readiness']['penalties'][number];

const points = (weight: number, rate: number) =>
  Math.round(weight * Math.min(1, 10 * Math.max(0, rate)) * 10) / 10;

/** The score and its penalties (only those that cost points), for a profile without its readiness yet. */
export function readinessOf(
  profile: Omit<DatasetProfile, 'readiness'>,
  dataset: Dataset | undefined,
): DatasetProfile['readiness'] {
  const rows = profile.rowCount;
  const penalties: Penalty[] = [];
  const add = (weight: number, rate: number, reason: string, reasonFr: string) => {
    const p = points(weight, rate);
    if (p > 0) penalties.push({ reason, reasonFr, points: p });
  };
  if (rows > 0) {
    const keyDup = Math.max(0, ...profile.keyDuplicates.map((k) => k.duplicates));
    add(
      READINESS_WEIGHTS.keyDuplicates,
      keyDup / rows,
      `${keyDup} row(s) repeat a key`,
      `${frCount(keyDup)} ligne(s) répètent une clé`,
    );
    const orphans = Math.max(
      0,
      ...profile.orphans.filter((o) => o.declared || o.inclusion >= 0.99).map((o) => o.orphans),
    );
    add(
      READINESS_WEIGHTS.orphans,
      orphans / rows,
      `${orphans} orphan row(s)`,
      `${frCount(orphans)} ligne(s) orpheline(s)`,
    );
    add(
      READINESS_WEIGHTS.duplicateRows,
      profile.duplicateRows / rows,
      `${profile.duplicateRows} duplicate row(s)`,
      `${frCount(profile.duplicateRows)} ligne(s) en double`,
    );
    const worst = (rate: (c: ColumnProfile) => number) =>
      profile.columns.reduce(
        (best, c) => {
          const r = rate(c);
          return r > best.rate ? { rate: r, column: c.name } : best;
        },
        { rate: 0, column: '' },
      );
    const conform = worst((c) => 1 - c.conformance);
    add(
      READINESS_WEIGHTS.typeNonConformance,
      conform.rate,
      `${conform.column}: ${percentText(conform.rate)} of values do not fit its type`,
      `${conform.column} : ${frPercent(conform.rate)} des valeurs ne sont pas de son type`,
    );
    const missing = worst((c) =>
      c.count === 0 ? 0 : Object.values(c.nullLike).reduce((n, v) => n + v, 0) / c.count,
    );
    add(
      READINESS_WEIGHTS.missingValues,
      missing.rate,
      `${missing.column}: ${percentText(missing.rate)} null-like values`,
      `${missing.column} : ${frPercent(missing.rate)} de valeurs tenant lieu de valeur manquante`,
    );
    // Values outside the column's main format: malformed e-mails, or dates written another way.
    // Null-like values count once, above, as INVALID_FORMAT leaves them out.
    const invalid = worst((c) => {
      const nonNull = c.count - c.nulls;
      if (nonNull === 0) return 0;
      const clean = nonNull - Object.values(c.nullLike).reduce((n, v) => n + v, 0);
      const dominant = formatFamilies(c).find((f) => f.count >= 0.5 * nonNull);
      const dates = c.formats.filter((f) => f.format.startsWith('date'));
      const mainDate = dates.reduce((n, f) => Math.max(n, f.count), 0);
      const dateRate = dates.length > 1 ? (dates.reduce((n, f) => n + f.count, 0) - mainDate) / nonNull : 0;
      // A file's dates are converted before they are profiled: their layouts are the scan's.
      const layouts = Object.values(
        dataset?.columns.find((d) => d.name === c.name)?.inference?.dateLayoutCounts ?? {},
      );
      const layoutRate =
        layouts.length > 1 ? (layouts.reduce((n, v) => n + v, 0) - Math.max(...layouts)) / nonNull : 0;
      // Long numbers a spreadsheet cut to their first digits (`3,31E+13`) are values already lost.
      const cutRate = (c.scientific?.large ?? 0) / nonNull;
      return Math.max(
        dominant ? Math.max(0, clean - dominant.count) / nonNull : 0,
        dateRate,
        layoutRate,
        cutRate,
      );
    });
    add(
      READINESS_WEIGHTS.invalidFormats,
      invalid.rate,
      `${invalid.column}: ${percentText(invalid.rate)} of values break the column's format`,
      `${invalid.column} : ${frPercent(invalid.rate)} des valeurs sortent du format de la colonne`,
    );
    const variants = worst((c) => (c.distinct === 0 ? 0 : c.variants.values / c.distinct));
    add(
      READINESS_WEIGHTS.variants,
      variants.rate,
      `${variants.column}: values differing only by case or accents`,
      `${variants.column} : valeurs qui ne diffèrent que par la casse ou les accents`,
    );
    const spaces = worst((c) =>
      c.count === 0 ? 0 : (c.whitespace.leading + c.whitespace.trailing - (c.whitespace.both ?? 0)) / c.count,
    );
    add(
      READINESS_WEIGHTS.whitespace,
      spaces.rate,
      `${spaces.column}: values with leading or trailing spaces`,
      `${spaces.column} : valeurs avec des espaces au début ou à la fin`,
    );
    if (dataset?.kind === 'table' && !dataset.primaryKey)
      add(READINESS_WEIGHTS.noPrimaryKey, 1, 'no primary key declared', 'aucune clé primaire déclarée');
  }
  const score = Math.max(0, Math.round(100 - penalties.reduce((n, p) => n + p.points, 0)));
  return { score, penalties };
}
