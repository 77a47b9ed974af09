/**
 * What CSV files and sheets share once their values are scanned: the inventory column of an inferred
 * column, and the findings for header names that had to be invented or made unique.
 */
import type { Column, Finding } from '../../core/inventory.ts';
import type { TypeInferenceResult } from '../../profilers/type-inference.ts';
import type { HeaderNames } from './file-headers.ts';
import type { SourceFile } from './file-paths.ts';

/** Findings for blank and repeated header names, shared by CSV files and sheets. */
export function headerNameFindings(
  source: string,
  file: SourceFile,
  header: HeaderNames,
  line: number,
  where: { readonly en: string; readonly fr: string } = { en: `line ${line}`, fr: `ligne ${line}` },
): Finding[] {
  const findings: Finding[] = [];
  if (header.blank.length > 0) {
    const names = header.blank.map((position) => header.names[position - 1]!);
    findings.push({
      code: 'HEADER_BLANK',
      severity: 'warning',
      source,
      dataset: file.name,
      message: `${file.path}: ${header.blank.length} blank header name(s) at ${where.en}, named ${names.join(', ')}`,
      messageFr: `${file.path} : ${header.blank.length} nom(s) de colonne vide(s) en ${where.fr}, nommé(s) ${names.join(', ')}`,
      evidence: { file: file.path, line, positions: header.blank, names },
    });
  }
  for (const duplicate of header.duplicates) {
    findings.push({
      code: 'HEADER_DUPLICATE',
      severity: 'warning',
      source,
      dataset: file.name,
      column: duplicate.header,
      message: `${file.path}: header "${duplicate.header}" repeated at ${where.en}; repeats named ${duplicate.renamedTo.join(', ')}`,
      messageFr: `${file.path} : l’en-tête « ${duplicate.header} » se répète en ${where.fr} ; répétitions nommées ${duplicate.renamedTo.join(', ')}`,
      evidence: { file: file.path, line, header: duplicate.header, renamedTo: duplicate.renamedTo },
    });
  }
  return findings;
}

/** The inventory column of an inferred CSV or sheet column. */
export function toColumn(
  name: string,
  index: number,
  result: TypeInferenceResult,
  maxLength: number,
  nativeType = 'csv text',
): Column {
  const numeric = result.type === 'integer' || result.type === 'decimal';
  const dated = result.type === 'date' || result.type === 'timestamp' || result.dominant === 'date';
  return {
    name,
    type: result.type,
    nativeType,
    nullable: result.nulls > 0 || result.count === 0,
    primaryKey: false,
    position: index + 1,
    ...(result.type === 'string' && maxLength > 0 ? { length: maxLength } : {}),
    inference: {
      dominant: result.dominant,
      conformance: result.conformance,
      count: result.count,
      nulls: result.nulls,
      ...(numeric || result.dominant === 'decimal' ? { decimalSeparator: result.decimalSeparator } : {}),
      ...(dated ? { dateLayouts: result.dateLayouts } : {}),
      ...(dated && result.dateLayoutCounts && Object.keys(result.dateLayoutCounts).length > 1
        ? { dateLayoutCounts: result.dateLayoutCounts }
        : {}),
    },
  };
}
