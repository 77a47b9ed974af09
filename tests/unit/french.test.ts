import { describe, expect, it } from 'vitest';
import { frCount, frNumber, frPercent, percentText } from '../../src/core/french.ts';

describe('French numbers', () => {
  it('rounds a percentage as the English message does, so both languages show one figure', () => {
    // 3 of 2000 is 0.15%: the double below it rounds to 0.1 with toFixed, where Intl would show 0,2.
    expect(`${((3 / 2000) * 100).toFixed(1)}%`).toBe('0.1%');
    expect(frPercent(3 / 2000)).toBe('0,1\u00a0%');
    expect(frPercent(0.212)).toBe('21,2\u00a0%');
    expect(frPercent(1)).toBe('100,0\u00a0%');
    expect(percentText(3 / 2000)).toBe('0.1%');
  });

  it('never shows a share that is neither 0 nor 1 as 0% or 100%', () => {
    // One value in 3,000 that does not fit: 99.97% conform, not 100.0%.
    expect(percentText(2999 / 3000)).toBe('99.97%');
    expect(frPercent(2999 / 3000)).toBe('99,97\u00a0%');
    expect(percentText(1 / 30_000)).toBe('0.003%');
    expect(percentText(1)).toBe('100.0%');
    expect(percentText(0)).toBe('0.0%');
    expect(percentText(0.212)).toBe('21.2%');
  });

  it('groups counts and writes decimals with a comma', () => {
    expect(frCount(1146)).toBe('1\u202f146');
    expect(frNumber(-12345.75)).toBe('-12345,75');
    // As small as the English message shows it, not rounded to 0.
    expect(frNumber(1.23457e-25)).toBe('1,23457e-25');
  });
});
