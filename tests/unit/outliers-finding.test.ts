/** The OUTLIERS finding names the Tukey fences, and how many values lie beyond each. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const dir = mkdtempSync(join(tmpdir(), 'stocktake-outliers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('OUTLIERS', () => {
  it('states the fences, then the counts below and above', async () => {
    // 1…20 (quartiles 5.75 and 15.25, fences -8.5 and 29.5), then -100, 500 and 1000.
    const values = [...Array.from({ length: 20 }, (_v, i) => i + 1), -100, 500, 1000];
    writeFileSync(join(dir, 'n.csv'), `n\n${values.join('\n')}\n`);
    const config = { sources: { c: { kind: 'csv', path: join(dir, 'n.csv') } } } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const finding = profile.findings.find((f) => f.code === 'OUTLIERS')!;
    const q = profile.datasets[0]!.columns[0]!.numeric!.quantiles;
    const iqr = q.p75 - q.p25;
    expect(finding.message).toBe(
      `3 value(s) lie outside the Tukey fences [${q.p25 - 1.5 * iqr}, ${q.p75 + 1.5 * iqr}]: 1 below, 2 above`,
    );
  });
});
