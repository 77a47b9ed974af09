/**
 * The audit workbook (`audit.xlsx`) for leads: one row per dataset with its readiness, one row per column
 * with its metrics, every finding with its severity in colour, the rules and the personal-data register.
 */
import { type Finding, type Inventory, nativeTypeLabel } from '../core/inventory.ts';
import type { ColumnProfile, DatasetProfile, Profile, ProfileValue } from '../core/profile.ts';
import { allFindings } from './audit-findings.ts';
import { scoreTone } from './html/report-overview.ts';
import {
  type CellTone,
  type CellValue,
  type TableRow,
  type TableSheet,
  writeTableWorkbook,
} from './xlsx-table.ts';

/** The sheets of the audit workbook, in order (the last two only when a profile is given). */
export const AUDIT_SHEETS = ['Inventory', 'Profile', 'Findings', 'Rules', 'Personal data'] as const;

const SEVERITY_TONE: Readonly<Record<Finding['severity'], CellTone>> = {
  error: 'error',
  warning: 'warning',
  info: 'info',
};
const SCORE_TONE: Readonly<Record<string, CellTone>> = {
  good: 'good',
  ok: 'info',
  poor: 'warning',
  bad: 'error',
};
const SEVERITY_RANK: Readonly<Record<Finding['severity'], number>> = { error: 0, warning: 1, info: 2 };

/** Writes the audit workbook to `file`; without a profile the metric columns stay empty. */
export async function writeAuditXlsx(
  inventory: Inventory,
  profile: Profile | undefined,
  file: string,
): Promise<void> {
  const findings = allFindings(inventory, profile).sort(
    (a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity],
  );
  const profiles = new Map<string, DatasetProfile>();
  for (const d of profile?.datasets ?? []) profiles.set(`${d.source}.${d.dataset}`, d);
  const sheets: TableSheet[] = [
    inventorySheet(inventory, profiles, findings),
    profileSheet(inventory, profiles, findings),
    findingsSheet(findings),
  ];
  if (profile) sheets.push(rulesSheet(profile), personalSheet(profile));
  await writeTableWorkbook(file, sheets);
}

function countBy(findings: readonly Finding[], key: (f: Finding) => string): Map<string, number[]> {
  const counts = new Map<string, number[]>();
  for (const f of findings) {
    const k = key(f);
    let c = counts.get(k);
    if (!c) {
      c = [0, 0, 0];
      counts.set(k, c);
    }
    c[SEVERITY_RANK[f.severity]]!++;
  }
  return counts;
}

function inventorySheet(
  inventory: Inventory,
  profiles: ReadonlyMap<string, DatasetProfile>,
  findings: readonly Finding[],
): TableSheet {
  const counts = countBy(findings, (f) => `${f.source}.${f.dataset ?? ''}`);
  return {
    name: 'Inventory',
    columns: [
      { header: 'Source' },
      { header: 'System' },
      { header: 'Dataset' },
      { header: 'Kind' },
      { header: 'Rows', format: 'count' },
      { header: 'Columns', format: 'count' },
      { header: 'Primary key' },
      { header: 'Foreign keys', format: 'count' },
      { header: 'Readiness', format: 'decimal' },
      { header: 'Main penalty', maxWidth: 70 },
      { header: 'Errors', format: 'count' },
      { header: 'Warnings', format: 'count' },
      { header: 'Personal-data columns', format: 'count' },
      { header: 'File', maxWidth: 60 },
      { header: 'Comment', maxWidth: 60 },
    ],
    *rows(): Iterable<TableRow> {
      for (const source of inventory.sources) {
        if (source.status === 'failed') {
          const error = source.error ? `${source.error.code}: ${source.error.message}` : 'failed';
          const cells: CellValue[] = [source.name, source.system, null, null, null, null, null, null, null];
          yield { cells: [...cells, `not scanned: ${error}`, null, null, null, null, null], tone: 'error' };
          continue;
        }
        for (const d of source.datasets) {
          const id = `${source.name}.${d.name}`;
          const p = profiles.get(id);
          const c = counts.get(id) ?? [0, 0, 0];
          const main = p ? [...p.readiness.penalties].sort((a, b) => b.points - a.points)[0] : undefined;
          const personal = p ? p.columns.filter((col) => col.personal).length : null;
          const cellTones: (CellTone | undefined)[] = [];
          if (p) cellTones[8] = SCORE_TONE[scoreTone(p.readiness.score)];
          if (c[0]! > 0) cellTones[10] = 'error';
          if (c[1]! > 0) cellTones[11] = 'warning';
          yield {
            cells: [
              source.name,
              source.system,
              d.name,
              d.kind,
              p && !p.sample ? p.rowCount : d.rowCount,
              d.columns.length,
              d.primaryKey ? d.primaryKey.columns.join(', ') : null,
              d.foreignKeys.length,
              p ? p.readiness.score : null,
              main?.reason ?? null,
              c[0]!,
              c[1]!,
              personal,
              d.file?.path ?? null,
              d.comment ?? null,
            ],
            cellTones,
          };
        }
      }
    },
  };
}

function profileSheet(
  inventory: Inventory,
  profiles: ReadonlyMap<string, DatasetProfile>,
  findings: readonly Finding[],
): TableSheet {
  const counts = countBy(findings, (f) => `${f.source}.${f.dataset ?? ''}\u0000${f.column ?? ''}`);
  return {
    name: 'Profile',
    columns: [
      { header: 'Source' },
      { header: 'Dataset' },
      { header: 'Column' },
      { header: 'Type' },
      { header: 'Native type' },
      { header: 'Nullable' },
      { header: 'PK' },
      { header: 'Rows', format: 'count' },
      { header: 'Nulls', format: 'count' },
      { header: 'Null %', format: 'percent' },
      { header: 'Null-like', format: 'count' },
      { header: 'Distinct', format: 'count' },
      { header: 'Distinct exact?' },
      { header: 'Uniqueness', format: 'percent' },
      { header: 'Min', maxWidth: 30 },
      { header: 'Max', maxWidth: 30 },
      { header: 'Inferred type' },
      { header: 'Conformance', format: 'percent' },
      { header: 'Length min', format: 'count' },
      { header: 'Length max', format: 'count' },
      { header: 'Mean', format: 'decimal' },
      { header: 'Std dev (days for dates)', format: 'decimal' },
      { header: 'Median', format: 'decimal' },
      { header: 'Outliers', format: 'count' },
      { header: 'Leading/trailing spaces', format: 'count' },
      { header: 'Variant groups', format: 'count' },
      { header: 'Formats', maxWidth: 40 },
      { header: 'Top shapes', maxWidth: 40 },
      { header: 'Top values', maxWidth: 60 },
      { header: 'Personal data' },
      { header: 'Findings', format: 'count' },
    ],
    *rows(): Iterable<TableRow> {
      for (const source of inventory.sources) {
        for (const d of source.datasets) {
          const id = `${source.name}.${d.name}`;
          const byName = new Map((profiles.get(id)?.columns ?? []).map((c) => [c.name, c]));
          for (const c of d.columns) {
            const p = byName.get(c.name);
            const found = counts.get(`${id}\u0000${c.name}`) ?? [0, 0, 0];
            const worst: CellTone | undefined =
              found[0]! > 0 ? 'error' : found[1]! > 0 ? 'warning' : undefined;
            const cellTones: (CellTone | undefined)[] = [];
            cellTones[2] = worst;
            if (p?.personal) cellTones[29] = 'info';
            yield {
              cells: [
                source.name,
                d.name,
                c.name,
                c.type,
                nativeTypeLabel(c),
                c.nullable ? 'yes' : 'no',
                c.primaryKey ? 'yes' : null,
                ...metrics(p),
                found[0]! + found[1]! + found[2]!,
              ],
              cellTones,
            };
          }
        }
      }
    },
  };
}

function metrics(p: ColumnProfile | undefined): CellValue[] {
  if (!p) return Array.from({ length: 23 }, () => null);
  const nullLike = Object.values(p.nullLike).reduce((n, v) => n + v, 0);
  return [
    p.count,
    p.nulls,
    p.count > 0 ? p.nulls / p.count : null,
    nullLike,
    p.distinct,
    p.distinctExact ? 'yes' : 'no (estimate)',
    p.uniqueness,
    bound(p.min, p.type),
    bound(p.max, p.type),
    p.inferredType,
    p.conformance,
    p.length?.min ?? null,
    p.length?.max ?? null,
    dayOrNumber(p.numeric?.mean, p.type),
    p.numeric?.stddev ?? null,
    dayOrNumber(p.numeric?.quantiles.p50, p.type),
    p.numeric?.outliers.count ?? null,
    p.whitespace.leading + p.whitespace.trailing,
    p.variants.groups,
    p.formats.map((f) => `${f.format} ${f.count}`).join(', ') || null,
    p.patterns
      .slice(0, 3)
      .map((x) => `${x.pattern} (${x.count})`)
      .join(', ') || null,
    p.topValues
      .slice(0, 5)
      .map((v) => `${String(v.value)} (${v.count})`)
      .join(', ') || null,
    p.personal ? p.personal.kind : null,
  ];
}

function findingsSheet(findings: readonly Finding[]): TableSheet {
  return {
    name: 'Findings',
    columns: [
      { header: 'Severity' },
      { header: 'Code' },
      { header: 'Source' },
      { header: 'Dataset' },
      { header: 'Column' },
      { header: 'Message', maxWidth: 90 },
      { header: 'Evidence', maxWidth: 90 },
    ],
    *rows(): Iterable<TableRow> {
      for (const f of findings) {
        yield {
          cells: [
            f.severity,
            f.code,
            f.source,
            f.dataset ?? null,
            f.column ?? null,
            f.message,
            f.evidence ? JSON.stringify(f.evidence) : null,
          ],
          cellTones: [SEVERITY_TONE[f.severity]],
        };
      }
    },
  };
}

function rulesSheet(profile: Profile): TableSheet {
  return {
    name: 'Rules',
    columns: [
      { header: 'Status' },
      { header: 'Severity' },
      { header: 'Rule' },
      { header: 'Check' },
      { header: 'Dataset' },
      { header: 'Column' },
      { header: 'Checked', format: 'count' },
      { header: 'Failed', format: 'count' },
      { header: 'Fail rate', format: 'percent' },
      { header: 'Message', maxWidth: 90 },
    ],
    *rows(): Iterable<TableRow> {
      for (const r of profile.rules) {
        const tone: CellTone = r.status === 'passed' ? 'good' : SEVERITY_TONE[r.severity];
        yield {
          cells: [
            r.status,
            r.severity,
            r.rule,
            r.check,
            r.dataset,
            r.column ?? null,
            r.checked,
            r.failed,
            r.failRate,
            r.message,
          ],
          cellTones: [tone],
        };
      }
    },
  };
}

function personalSheet(profile: Profile): TableSheet {
  return {
    name: 'Personal data',
    columns: [
      { header: 'Source' },
      { header: 'Dataset' },
      { header: 'Column' },
      { header: 'Kind' },
      { header: 'Why', maxWidth: 90 },
    ],
    *rows(): Iterable<TableRow> {
      for (const p of profile.personalData)
        yield { cells: [p.source, p.dataset, p.column, p.kind, p.reason] };
    },
  };
}

function value(v: ProfileValue | null): CellValue {
  if (v === null) return null;
  return typeof v === 'boolean' ? String(v) : v;
}

const DECIMAL_TEXT = /^-?\d+(?:\.\d+)?$/;

/**
 * A min or max as a cell: a decimal column's bound (carried as exact text) as a number when a double holds it
 * exactly to 15 significant digits, so that the column sorts and filters as numbers; text otherwise.
 */
function bound(v: ProfileValue | null, type: string): CellValue {
  if (type === 'decimal' && typeof v === 'string' && DECIMAL_TEXT.test(v)) {
    const significant = v.replace(/^-?0*/, '').replace('.', '').replace(/^0+/, '').length;
    if (significant <= 15) return Number(v);
  }
  return value(v);
}

/** A summary number as a cell: a date or timestamp column's, days since 1970-01-01, as its ISO text. */
function dayOrNumber(value: number | undefined, type: string): number | string | null {
  if (value === undefined) return null;
  if ((type !== 'date' && type !== 'timestamp') || !Number.isFinite(value)) return value;
  const iso = new Date(Math.round(value * 86_400_000)).toISOString();
  return type === 'date' ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}
