import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { mappingStepProblems } from '../../src/mappers/mapping-step-checks.ts';
import { readPlan } from '../../src/report/html/report-documents.ts';
import { readInventory } from '../../src/stages/documents.ts';

describe('documents read back', () => {
  it('reads an inventory or a plan saved with a byte-order mark', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-bom-'));
    try {
      const inventory = { formatVersion: 1, generatedAt: '2026-11-29T00:00:00Z', systems: [], sources: [] };
      writeFileSync(join(dir, 'inventory.json'), `\uFEFF${JSON.stringify(inventory)}`);
      expect(readInventory(join(dir, 'inventory.json')).sources).toEqual([]);
      writeFileSync(
        join(dir, 'plan.json'),
        `\uFEFF${JSON.stringify({ formatVersion: 1, kind: 'plan', mappings: [] })}`,
      );
      expect(readPlan(join(dir, 'plan.json'))).toMatchObject({ kind: 'plan' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('plan and migrate over no mapping', () => {
  it('is a config problem, not a green run over nothing', () => {
    const config = { sources: { s: { kind: 'csv', path: 'x.csv' } } } as unknown as Config;
    expect(mappingStepProblems(config)).toEqual([
      { path: 'mappings', message: 'declare at least one mapping: plan and migrate run the mappings' },
    ]);
  });
});
