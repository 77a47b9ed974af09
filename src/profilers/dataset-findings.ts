/**
 * Findings a lead can act on, derived from a dataset's profile: each has a stable code (listed in the
 * README), a severity and its evidence (counts, example values or keys).
 */
import { frCount, frNumber, frPercent, percentText } from '../core/french.ts';
import type { Dataset, Finding } from '../core/inventory.ts';
import type { ColumnProfile, DatasetProfile } from '../core/profile.ts';

const DATE_FORMATS = new Set(['date_iso', 'date_dmy', 'date_dmy_dot', 'date_compact', 'datetime_iso']);

/** Formats that are one thing written two ways: a French phone number, nationally or in E.164. */
const FORMAT_FAMILIES: Readonly<Record<string, string>> = { phone_fr: 'phone', phone_e164: 'phone' };

/**
 * Formats made of digits only, and the column names that announce them. In a column of numbers, any
 * number of the right length would match (an id counting past 10,000 is "mostly postal codes"): there
 * the format counts only when the column's name announces it.
 */
const DIGIT_FORMAT_NAMES: Readonly<Record<string, RegExp>> = {
  postal_code_fr: /post|zip|^cp$|^cp_|_cp$|_cp_|code_?p/i,
  siren: /siren|siret/i,
  siret: /siret/i,
  nir: /nir|secu|insee|ssn/i,
};

/** Format counts with the members of a family added up (`phone_fr` + `phone_e164` = `phone`). */
export function formatFamilies(column: ColumnProfile): { format: string; count: number }[] {
  const out = new Map<string, number>();
  const numbers = column.type === 'integer' || column.type === 'decimal';
  for (const f of column.formats) {
    if (DATE_FORMATS.has(f.format)) continue;
    const announced = DIGIT_FORMAT_NAMES[f.format];
    if (numbers && announced && !announced.test(column.name)) continue;
    const family = FORMAT_FAMILIES[f.format] ?? f.format;
    out.set(family, (out.get(family) ?? 0) + f.count);
  }
  return [...out].map(([format, count]) => ({ format, count }));
}
/** Values longer than this are reported: most targets cannot take them as they are. */
export const LARGE_VALUE_CHARS = 1_000_000;

/** Every finding about one profiled dataset; `dataset` is its inventory entry (keys, kind). */
export function datasetFindings(profile: DatasetProfile, dataset: Dataset | undefined): Finding[] {
  const findings: Finding[] = [];
  const base = { source: profile.source, dataset: profile.dataset };
  const push = (f: Omit<Finding, 'source' | 'dataset'>) => findings.push({ ...base, ...f });
  const sampled = profile.sample ? ` (on a ${Math.round(profile.sample.fraction * 100)}% sample)` : '';
  const sampledFr = profile.sample
    ? ` (sur un échantillon de ${Math.round(profile.sample.fraction * 100)}\u00a0%)`
    : '';

  if (profile.rowCount === 0) {
    push({
      code: 'DATASET_EMPTY',
      severity: 'info',
      message: `the dataset has no rows${sampled}`,
      messageFr: `le jeu de données n’a aucune ligne${sampledFr}`,
      evidence: { rows: 0, columns: profile.columns.length },
    });
  } else if (profile.rowCount === 1 && profile.columns.length === 1) {
    push({
      code: 'DATASET_SINGLE_VALUE',
      severity: 'info',
      message: 'the dataset holds a single value',
      messageFr: 'le jeu de données ne contient qu’une valeur',
      evidence: { rows: 1, columns: 1 },
    });
  }
  if (dataset?.kind === 'table' && !dataset.primaryKey && profile.rowCount > 0) {
    const candidates = profile.candidateKeys.map((k) => k.join(' + '));
    push({
      code: 'NO_PRIMARY_KEY',
      severity: 'warning',
      message: `no primary key is declared${candidates.length > 0 ? `; candidate keys: ${candidates.join(', ')}` : ' and no column or pair of columns is unique'}`,
      messageFr: `aucune clé primaire n’est déclarée${candidates.length > 0 ? ` ; clés candidates : ${candidates.join(', ')}` : ' et aucune colonne ni paire de colonnes n’est unique'}`,
      evidence: { candidateKeys: profile.candidateKeys },
    });
  }
  if (profile.duplicateRows > 0) {
    push({
      code: 'DUPLICATE_ROWS',
      severity: 'warning',
      message: `${profile.duplicateRows} row(s) are exact copies of another row${sampled}`,
      messageFr: `${frCount(profile.duplicateRows)} ligne(s) copient exactement une autre ligne${sampledFr}`,
      evidence: { duplicates: profile.duplicateRows },
    });
  }
  for (const key of profile.keyDuplicates) {
    if (key.duplicates === 0) continue;
    push({
      code: 'KEY_DUPLICATES',
      severity: 'error',
      message: `${key.duplicates} row(s) repeat a value of the key (${key.columns.join(', ')})${sampled}`,
      messageFr: `${frCount(key.duplicates)} ligne(s) répètent une valeur de la clé (${key.columns.join(', ')})${sampledFr}`,
      evidence: { columns: key.columns, duplicates: key.duplicates, examples: key.examples },
    });
  }
  for (const check of profile.orphans) {
    if (check.orphans === 0) continue;
    const target = `${check.references.source}.${check.references.dataset}`;
    push({
      code: check.declared ? 'ORPHAN_ROWS' : 'ORPHAN_ROWS_INFERRED',
      severity: check.declared ? 'error' : 'warning',
      column: check.columns.join(', '),
      message: `${check.orphans} row(s) reference a missing ${target} (${check.columns.join(', ')} → ${check.references.columns.join(', ')})${check.declared ? '' : `, a relation inferred from names and ${percentText(check.inclusion)} value inclusion`}`,
      messageFr: `${frCount(check.orphans)} ligne(s) font référence à une ligne absente de ${target} (${check.columns.join(', ')} → ${check.references.columns.join(', ')})${check.declared ? '' : `, relation déduite des noms et de ${frPercent(check.inclusion)} d’inclusion des valeurs`}`,
      evidence: {
        orphans: check.orphans,
        inclusion: check.inclusion,
        examples: check.examples,
        references: check.references,
      },
    });
  }
  for (const column of profile.columns) findings.push(...columnFindings(profile, column, dataset));
  return findings;
}

function columnFindings(
  profile: DatasetProfile,
  column: ColumnProfile,
  dataset: Dataset | undefined,
): Finding[] {
  const out: Finding[] = [];
  const push = (f: Omit<Finding, 'source' | 'dataset' | 'column'>) =>
    out.push({ source: profile.source, dataset: profile.dataset, column: column.name, ...f });
  const nonNull = column.count - column.nulls;
  const declared = dataset?.columns.find((c) => c.name === column.name);

  if (column.count > 0 && column.nulls === column.count) {
    push({
      code: 'COLUMN_ALL_NULL',
      severity: 'warning',
      message: 'every value is null: the column is unused',
      messageFr: 'toutes les valeurs sont nulles : la colonne est inutilisée',
    });
    return out;
  }
  const nullLike = Object.entries(column.nullLike).filter(([, n]) => n > 0);
  const nullLikeTotal = nullLike.reduce((n, [, c]) => n + c, 0);
  // Only a database declares NOT NULL; a file's columns declare nothing.
  const notNull =
    declared !== undefined && !declared.nullable && dataset?.kind !== 'file' && dataset?.kind !== 'sheet';
  if (nullLikeTotal > 0) {
    push({
      code: 'NULL_LIKE_VALUES',
      severity: notNull ? 'error' : 'warning',
      message: `${nullLikeTotal} value(s) stand for a missing value (${nullLike.map(([k, n]) => `${k}: ${n}`).join(', ')})${notNull ? ' in a column declared NOT NULL' : ''}`,
      messageFr: `${frCount(nullLikeTotal)} valeur(s) tiennent lieu de valeur manquante (${nullLike.map(([k, n]) => `${k} : ${frCount(n)}`).join(', ')})${notNull ? ' dans une colonne déclarée NOT NULL' : ''}`,
      evidence: { ...column.nullLike },
    });
  }
  const dateFormats = column.formats.filter((f) => DATE_FORMATS.has(f.format));
  // A file's dates are converted to ISO before they are profiled: their layouts are the scan's.
  const layouts = Object.entries(declared?.inference?.dateLayoutCounts ?? {});
  if (dateFormats.length > 1) {
    push({
      code: 'MIXED_DATE_FORMATS',
      severity: 'warning',
      message: `dates are written in ${dateFormats.length} formats: ${dateFormats.map((f) => `${f.format} ${f.count}`).join(', ')}`,
      messageFr: `les dates sont écrites dans ${dateFormats.length} formats : ${dateFormats.map((f) => `${f.format} ${frCount(f.count)}`).join(', ')}`,
      evidence: { formats: dateFormats },
    });
  } else if (layouts.length > 1) {
    push({
      code: 'MIXED_DATE_FORMATS',
      severity: 'warning',
      message: `dates are written in ${layouts.length} layouts: ${layouts.map(([layout, count]) => `${layout} ${count}`).join(', ')}`,
      messageFr: `les dates sont écrites de ${layouts.length} façons : ${layouts.map(([layout, count]) => `${layout} ${frCount(count)}`).join(', ')}`,
      evidence: { layouts: Object.fromEntries(layouts) },
    });
  }
  // A column whose values mostly follow one format, with some that do not (malformed e-mails…).
  const dominant = formatFamilies(column).find((f) => f.count >= 0.5 * nonNull);
  const clean = nonNull - nullLikeTotal;
  if (dominant && dominant.count < clean) {
    push({
      code: 'INVALID_FORMAT',
      severity: 'warning',
      message: `${clean - dominant.count} of ${clean} value(s) are not a valid ${dominant.format}`,
      messageFr: `${frCount(clean - dominant.count)} valeur(s) sur ${frCount(clean)} ne sont pas au format ${dominant.format}`,
      evidence: { format: dominant.format, valid: dominant.count, invalid: clean - dominant.count },
    });
  }
  if (column.scientific) {
    const { values, large } = column.scientific;
    push({
      code: 'SCIENTIFIC_NOTATION',
      severity: 'warning',
      message:
        large > 0
          ? `${values} value(s) are numbers in scientific notation, ${large} of them of 10 digits or more (like \`3,31E+13\`): a spreadsheet wrote them so and kept only their first digits, which no migration can restore (a SIRET, a phone or account number); take them from the original system`
          : `${values} value(s) are numbers in scientific notation (like \`1.5E-3\`), read as text (the \`number\` transform refuses them too): export them as plain numbers`,
      messageFr:
        large > 0
          ? `${frCount(values)} valeur(s) sont des nombres en notation scientifique, dont ${frCount(large)} de 10 chiffres ou plus (comme \`3,31E+13\`) : un tableur les a écrites ainsi en ne gardant que leurs premiers chiffres, qu’aucune migration ne peut rétablir (un SIRET, un numéro de téléphone ou de compte) ; reprenez-les du système d’origine`
          : `${frCount(values)} valeur(s) sont des nombres en notation scientifique (comme \`1.5E-3\`), lus comme du texte (la transformation \`number\` les refuse aussi) : exportez-les comme des nombres ordinaires`,
      evidence: { values, large },
    });
  }
  const notLower = (column.letterCase?.upper ?? 0) + (column.letterCase?.mixed ?? 0);
  if (dominant?.format === 'email' && notLower > 0) {
    push({
      code: 'EMAIL_NOT_LOWERCASE',
      severity: 'warning',
      message: `${notLower} e-mail address(es) hold upper-case letters: normalise them before matching or migrating`,
      messageFr: `${frCount(notLower)} adresse(s) e-mail contiennent des majuscules : normalisez-les avant de les rapprocher ou de les migrer`,
      evidence: { ...column.letterCase },
    });
  }
  if (column.conformance < 1 && clean > 0) {
    push({
      code: 'TYPE_NONCONFORMANT',
      severity: 'warning',
      // A text column's conformance is to the type most of its values have: every value fits text.
      message: `${Math.round((1 - column.conformance) * clean)} value(s) do not fit the ${
        column.type === 'string' && column.inferredType && column.inferredType !== 'string'
          ? `type ${column.inferredType} of the others`
          : `type ${column.type}`
      } (${percentText(column.conformance)} conform)`,
      messageFr: `${frCount(Math.round((1 - column.conformance) * clean))} valeur(s) ne sont pas du ${
        column.type === 'string' && column.inferredType && column.inferredType !== 'string'
          ? `type ${column.inferredType} des autres`
          : `type ${column.type}`
      } (${frPercent(column.conformance)} conformes)`,
      evidence: { type: column.type, inferredType: column.inferredType, conformance: column.conformance },
    });
  }
  if (column.variants.groups > 0) {
    push({
      code: 'CASE_ACCENT_VARIANTS',
      severity: 'warning',
      message: `${column.variants.values} distinct value(s) in ${column.variants.groups} group(s) differ only by case or accents`,
      messageFr: `${frCount(column.variants.values)} valeur(s) distinctes, en ${frCount(column.variants.groups)} groupe(s), ne diffèrent que par la casse ou les accents`,
      evidence: {
        groups: column.variants.groups,
        values: column.variants.values,
        examples: column.variants.examples,
      },
    });
  }
  const spaced = column.whitespace.leading + column.whitespace.trailing;
  if (spaced > 0) {
    push({
      code: 'LEADING_TRAILING_SPACES',
      severity: 'info',
      message: `${column.whitespace.leading} value(s) start and ${column.whitespace.trailing} end with spaces`,
      messageFr: `${frCount(column.whitespace.leading)} valeur(s) commencent et ${frCount(column.whitespace.trailing)} finissent par des espaces`,
      evidence: { ...column.whitespace },
    });
  }
  if (column.numeric && column.numeric.outliers.count > 0) {
    // `low` and `high` count the values beyond each fence; the fences come from the quartiles.
    const { outliers, quantiles } = column.numeric;
    const iqr = quantiles.p75 - quantiles.p25;
    const fence = (x: number) => Number(x.toPrecision(6));
    push({
      code: 'OUTLIERS',
      severity: 'info',
      message: `${outliers.count} value(s) lie outside the Tukey fences [${fence(quantiles.p25 - 1.5 * iqr)}, ${fence(quantiles.p75 + 1.5 * iqr)}]: ${outliers.low} below, ${outliers.high} above`,
      messageFr: `${frCount(outliers.count)} valeur(s) sortent des barrières de Tukey [${frNumber(fence(quantiles.p25 - 1.5 * iqr))} ; ${frNumber(fence(quantiles.p75 + 1.5 * iqr))}] : ${frCount(outliers.low)} en dessous, ${frCount(outliers.high)} au-dessus`,
      evidence: { ...outliers },
    });
  }
  if (column.length && column.length.max > LARGE_VALUE_CHARS) {
    push({
      code: 'LARGE_VALUES',
      severity: 'warning',
      message: `values reach ${column.length.max.toLocaleString('en-US')} characters`,
      messageFr: `des valeurs atteignent ${frCount(column.length.max)} caractères`,
      evidence: { maxLength: column.length.max },
    });
  }
  if (column.personal) {
    push({
      code: 'PERSONAL_DATA',
      severity: 'info',
      message: `holds personal data (${column.personal.kind}): ${column.personal.reason}`,
      messageFr: `contient des données personnelles (${column.personal.kind}) : ${column.personal.reasonFr ?? column.personal.reason}`,
      evidence: { kind: column.personal.kind },
    });
  }
  return out;
}
