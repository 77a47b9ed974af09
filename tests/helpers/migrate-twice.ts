/** Runs a migration, checks what it wrote and that it verified, then runs it again: nothing left to change. */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';

export async function migrateTwice(
  cfg: Config,
  rejectsDir: string,
  expected: { inserted: number; rejected?: { mapping: number; database: number } },
): Promise<void> {
  const first = await runMigrate(cfg, { rejectsDir: join(rejectsDir, 'first') });
  expect(first.run.mappings[0]).toMatchObject({
    inserted: expected.inserted,
    rejected: expected.rejected ?? { mapping: 0, database: 0 },
  });
  expect(first.run.mappings[0]!.reconciliation?.ok).toBe(true);
  const again = await runMigrate(cfg, { rejectsDir: join(rejectsDir, 'again') });
  expect(again.run.mappings[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: expected.inserted });
}
