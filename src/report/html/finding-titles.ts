/**
 * What each finding code means, in a few words, in the report's languages: the findings table shows it
 * beside the code, so that a lead reading the French report knows what `NULL_LIKE_VALUES` is without the
 * README. Messages themselves carry counts and values and stay as the profile wrote them.
 */
import type { ReportLang } from './report-i18n.ts';

type Titles = Readonly<Record<ReportLang, string>>;

/** Finding codes and their titles (README, "Error codes"). */
export const FINDING_TITLES: Readonly<Record<string, Titles>> = {
  CSV_RAGGED_ROW: {
    en: 'Lines with more or fewer fields than the header',
    fr: 'Lignes avec plus ou moins de champs que l’en-tête',
  },
  CSV_BLANK_LINES: { en: 'Blank lines skipped', fr: 'Lignes vides ignorées' },
  CSV_ENCODING_FALLBACK: {
    en: 'Not UTF-8: read as Windows-1252',
    fr: 'Pas en UTF-8 : lu en Windows-1252',
  },
  CSV_ENCODING_MIXED: {
    en: 'Some lines are not UTF-8',
    fr: 'Certaines lignes ne sont pas en UTF-8',
  },
  CSV_UTF8_TRUNCATED: {
    en: 'The file ends inside a character',
    fr: 'Le fichier se termine au milieu d’un caractère',
  },
  CSV_ENCODING_UNDEFINED: {
    en: 'Bytes the encoding does not define',
    fr: 'Octets que l’encodage ne définit pas',
  },
  CSV_ENCODING_AMBIGUOUS: {
    en: 'Windows-1252 or ISO-8859-15: bytes read one way may mean the other',
    fr: 'Windows-1252 ou ISO-8859-15 : des octets lus d’une façon peuvent signifier l’autre',
  },
  CSV_NUL_BYTES: { en: 'NUL characters in values', fr: 'Caractères NUL dans des valeurs' },
  HEADER_BLANK: { en: 'Blank header names', fr: 'Noms de colonnes vides' },
  HEADER_DUPLICATE: { en: 'Duplicate header names', fr: 'Noms de colonnes en double' },
  FILE_EMPTY: { en: 'Empty file', fr: 'Fichier vide' },
  FILE_HEADER_ONLY: { en: 'Header and no data', fr: 'En-tête sans données' },
  FILE_BLANK: { en: 'Only blanks and line breaks', fr: 'Seulement des blancs et des sauts de ligne' },
  FILE_NOT_FOUND: { en: 'No file found', fr: 'Aucun fichier trouvé' },
  FIELD_OVERSIZED: { en: 'A field over 1 MB', fr: 'Un champ de plus de 1 Mo' },
  SHEET_HIDDEN: { en: 'Hidden sheet', fr: 'Feuille masquée' },
  SHEET_TITLE_ROWS: { en: 'Title rows above the header', fr: 'Lignes de titre au-dessus de l’en-tête' },
  SHEET_MERGED_DATA: {
    en: 'Cells merged over data rows',
    fr: 'Cellules fusionnées sur des lignes de données',
  },
  SHEET_TOTALS_ROW: { en: 'Table totals row skipped', fr: 'Ligne de totaux de tableau ignorée' },
  SHEET_EMPTY: { en: 'Empty sheet', fr: 'Feuille vide' },
  SHEET_HEADER_ONLY: { en: 'Header and no data', fr: 'En-tête sans données' },
  SHEET_SUSPECT_ROWS: { en: 'Header or totals among the data', fr: 'En-tête ou totaux parmi les données' },
  XLSX_CELL_ERROR: {
    en: 'Formula cells with an error or no value',
    fr: 'Formules en erreur ou sans valeur',
  },
  WORKBOOK_NO_SHEET: { en: 'Workbook without sheets', fr: 'Classeur sans feuille' },
  SOURCE_WITHOUT_SYSTEM: { en: 'Source without a system', fr: 'Source rattachée à aucune application' },
  SYSTEM_WITHOUT_OWNER: { en: 'System without an owner', fr: 'Application sans responsable' },
  SYSTEM_MIGRATE_UNMAPPED: {
    en: 'System to migrate without a mapping',
    fr: 'Application à migrer sans correspondance',
  },
  ROW_COUNT_UNKNOWN: { en: 'Row count unknown', fr: 'Nombre de lignes inconnu' },
  ROW_COUNT_FAILED: { en: 'Rows could not be counted', fr: 'Lignes impossibles à compter' },
  ROW_LEVEL_SECURITY: {
    en: 'Row-level security hides rows',
    fr: 'Une sécurité par ligne masque des lignes',
  },
  DATASET_EMPTY: { en: 'No rows', fr: 'Aucune ligne' },
  DATASET_SINGLE_VALUE: { en: 'A single value', fr: 'Une seule valeur' },
  NO_PRIMARY_KEY: { en: 'No primary key', fr: 'Pas de clé primaire' },
  DUPLICATE_ROWS: { en: 'Duplicate rows', fr: 'Lignes en double' },
  KEY_DUPLICATES: { en: 'Duplicate keys', fr: 'Clés en double' },
  ORPHAN_ROWS: { en: 'Orphan rows (declared relation)', fr: 'Lignes orphelines (relation déclarée)' },
  ORPHAN_ROWS_INFERRED: {
    en: 'Orphan rows (inferred relation)',
    fr: 'Lignes orphelines (relation déduite)',
  },
  COLUMN_ALL_NULL: { en: 'Column always empty', fr: 'Colonne toujours vide' },
  NULL_LIKE_VALUES: {
    en: 'Values standing for a missing value',
    fr: 'Valeurs qui tiennent lieu de valeur manquante',
  },
  MIXED_DATE_FORMATS: { en: 'Dates in several layouts', fr: 'Dates écrites de plusieurs façons' },
  INVALID_FORMAT: {
    en: 'Values outside the column’s format',
    fr: 'Valeurs hors du format de la colonne',
  },
  EMAIL_NOT_LOWERCASE: { en: 'E-mail addresses with capitals', fr: 'Adresses e-mail avec majuscules' },
  SCIENTIFIC_NOTATION: {
    en: 'Numbers written in scientific notation',
    fr: 'Nombres écrits en notation scientifique',
  },
  TYPE_NONCONFORMANT: { en: 'Values that do not fit the type', fr: 'Valeurs qui ne respectent pas le type' },
  CASE_ACCENT_VARIANTS: {
    en: 'Values differing only by case or accents',
    fr: 'Valeurs qui ne diffèrent que par la casse ou les accents',
  },
  LEADING_TRAILING_SPACES: { en: 'Spaces at the edges', fr: 'Espaces en début ou en fin' },
  OUTLIERS: { en: 'Outliers', fr: 'Valeurs aberrantes' },
  LARGE_VALUES: { en: 'Very large values', fr: 'Valeurs très longues' },
  PERSONAL_DATA: { en: 'Personal data', fr: 'Données personnelles' },
  RULE_FAILED: { en: 'Rule failed', fr: 'Règle non respectée' },
  RULE_ERROR: { en: 'Rule not evaluated', fr: 'Règle non évaluée' },
  PROFILE_FAILED: { en: 'Dataset not profiled', fr: 'Jeu de données non profilé' },
  SIZE_UNAVAILABLE: { en: 'Sizes unavailable', fr: 'Tailles indisponibles' },
  CATALOG_HIDDEN: {
    en: 'Catalog facts the audit user may not read',
    fr: 'Informations du catalogue illisibles pour l’utilisateur d’audit',
  },
  COLUMN_NOT_READABLE: {
    en: 'Columns the audit user may not read',
    fr: 'Colonnes illisibles pour l’utilisateur d’audit',
  },
  TABLE_NOT_READABLE: {
    en: 'Tables the audit user may not read',
    fr: 'Tables illisibles pour l’utilisateur d’audit',
  },
  VIEW_NOT_POPULATED: {
    en: 'Materialized view never refreshed',
    fr: 'Vue matérialisée jamais rafraîchie',
  },
  VIEW_BROKEN: { en: 'View that cannot be read', fr: 'Vue illisible' },
  FOREIGN_KEY_DISABLED: { en: 'Foreign key disabled', fr: 'Clé étrangère désactivée' },
  SESSION_NOT_READ_ONLY: {
    en: 'The database accepts the audit session’s writes',
    fr: 'La base accepte les écritures de la session d’audit',
  },
};

/** The titles of `codes` in `lang`, for the report's data (only the codes it shows). */
export function findingTitles(codes: Iterable<string>, lang: ReportLang): Record<string, string> {
  const titles: Record<string, string> = {};
  for (const code of codes) {
    const title = FINDING_TITLES[code];
    if (title) titles[code] = title[lang];
  }
  return titles;
}
