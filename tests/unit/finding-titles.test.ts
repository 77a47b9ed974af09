/** Every finding code the README lists has a title in each language of the report. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FINDING_TITLES, findingTitles } from '../../src/report/html/finding-titles.ts';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');

/** The codes of the README's table rows whose kind is a finding (not an exit code, a plan warning or a reject). */
function readmeFindingCodes(): string[] {
  const codes: string[] = [];
  for (const line of readme.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !['finding', 'warning'].includes(cells[2]!)) continue;
    for (const [, code] of cells[1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g))
      if (!/^(MAP|REJECT|MIGRATE)_/.test(code!)) codes.push(code!);
  }
  return codes;
}

describe('finding titles', () => {
  it('cover every finding code of the README, in English and French', () => {
    const codes = readmeFindingCodes();
    expect(codes.length).toBeGreaterThan(45);
    const missing = codes.filter((code) => !FINDING_TITLES[code]?.en || !FINDING_TITLES[code]?.fr);
    expect(missing).toEqual([]);
  });

  it('are given for the codes shown, in the report language', () => {
    expect(findingTitles(['NULL_LIKE_VALUES', 'SOMETHING_ELSE'], 'fr')).toEqual({
      NULL_LIKE_VALUES: 'Valeurs qui tiennent lieu de valeur manquante',
    });
  });
});
