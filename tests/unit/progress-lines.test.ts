import { describe, expect, it } from 'vitest';
import type { Output } from '../../src/cli/output.ts';
import { createProgress } from '../../src/cli/progress.ts';

describe('progress lines off a terminal', () => {
  it('give a read dataset its time and rate, and a dataset the scan profiled neither', () => {
    const steps: string[] = [];
    const output: Output = {
      step: (message) => steps.push(message),
      info: () => undefined,
      warn: () => undefined,
      json: () => undefined,
      jsonMode: false,
    };
    const progress = createProgress(output);
    progress.done('crm.customers', 120_000, 1_500);
    progress.done('files.big', 1_817_697, 3, true);
    progress.done('files.one', 1, 0, true);
    expect(steps).toEqual([
      'crm.customers: 120,000 rows in 1.5 s (80,000 rows/s)',
      'files.big: 1,817,697 rows, profiled in the inventory scan',
      'files.one: 1 row, profiled in the inventory scan',
    ]);
  });
});
