/**
 * A column of numbers is not "mostly postal codes" because most of its numbers have five digits: in a
 * numeric column, a digits-only format counts only when the column's name announces it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import type { Profile } from '../../src/core/profile.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

let dir: string;
let profile: Profile;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-digit-formats-'));
  const lines = ['id,cp'];
  // id counts to 20,000 (half of it five digits); cp holds postal codes, a few of which lost their zero.
  for (let i = 1; i <= 20_000; i++)
    lines.push(`${i},${i % 100 === 0 ? 1000 + (i % 9000) : 10_000 + (i % 80_000)}`);
  writeFileSync(join(dir, 'c.csv'), `${lines.join('\n')}\n`);
  const config = { sources: { c: { kind: 'csv', path: join(dir, 'c.csv') } } } as unknown as Config;
  profile = await runProfile(config, await runInventory(config));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('digits-only formats in a numeric column', () => {
  it('are no format of an id, and still one of a column named for it', () => {
    const invalid = profile.findings.filter((f) => f.code === 'INVALID_FORMAT');
    expect(invalid.map((f) => [f.column, (f.evidence as { invalid: number }).invalid])).toEqual([
      ['cp', 200],
    ]);
    const reasons = profile.datasets[0]!.readiness.penalties.map((p) => p.reason);
    expect(reasons.some((r) => r.startsWith('id:'))).toBe(false);
  });
});
