import { describe, expect, it } from 'vitest';
import { fill, MESSAGES, reportFormat } from '../../src/report/html/report-i18n.ts';

describe('report languages', () => {
  it('has every message in both languages, with the same placeholders', () => {
    expect(Object.keys(MESSAGES.fr).sort()).toEqual(Object.keys(MESSAGES.en).sort());
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[]) {
      expect(placeholders(MESSAGES.fr[key]), key).toEqual(placeholders(MESSAGES.en[key]));
    }
  });

  it('formats numbers, percentages and sizes in the locale', () => {
    const en = reportFormat('en');
    const fr = reportFormat('fr');
    expect(en.number(1234567.891)).toBe('1,234,567.89');
    expect(fr.number(1234567.891)).toBe('1\u202f234\u202f567,89');
    expect(en.percent(0.1234)).toBe('12.3%');
    expect(fr.percent(0.1234)).toBe('12,3\u00a0%');
    expect(en.bytes(1536)).toBe('1.5 KB');
    expect(fr.bytes(10 * 1024 * 1024)).toBe('10 MB');
  });

  it('formats dates in UTC, in the locale', () => {
    expect(reportFormat('en').date('2026-11-20T09:15:00.000Z')).toBe('20 November 2026 at 09:15');
    expect(reportFormat('fr').date('2026-11-20T09:15:00.000Z')).toBe('20 novembre 2026 à 09:15');
    expect(reportFormat('fr').date('not a date')).toBe('not a date');
  });

  it('fills placeholders and leaves unknown ones as written', () => {
    expect(fill('{n} of {m}', { n: 1 })).toBe('1 of {m}');
    expect(reportFormat('fr').t('page', { n: 2, m: 5 })).toBe('Page 2 sur 5');
  });
});
