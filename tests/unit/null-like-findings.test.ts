/**
 * A null-like word (`N/A`) in a CSV column of e-mail addresses is one missing value, counted once: not
 * an upper-case address, not a break of the column's format in the readiness score, and not a NOT NULL
 * violation, since a file declares nothing.
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
  dir = mkdtempSync(join(tmpdir(), 'stocktake-null-like-'));
  const lines = ['id,email'];
  for (let i = 1; i <= 19; i++) lines.push(`${i},client${i}@example.org`);
  lines.push('20,N/A');
  writeFileSync(join(dir, 'c.csv'), `${lines.join('\n')}\n`);
  const config = { sources: { c: { kind: 'csv', path: join(dir, 'c.csv') } } } as unknown as Config;
  profile = await runProfile(config, await runInventory(config));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a null-like value among e-mail addresses', () => {
  it('is one null-like value, a warning in a file, and no upper-case address', () => {
    const email = profile.findings.filter((f) => f.column === 'email' && f.code !== 'PERSONAL_DATA');
    expect(email.map((f) => [f.code, f.severity])).toEqual([['NULL_LIKE_VALUES', 'warning']]);
    expect(email[0]!.message).toBe('1 value(s) stand for a missing value (na: 1)');
  });

  it('costs the readiness score once, as a missing value', () => {
    const readiness = profile.datasets[0]!.readiness;
    const reasons = readiness.penalties.map((p) => p.reason);
    expect(reasons.some((r) => r.includes('null-like'))).toBe(true);
    expect(reasons.some((r) => r.includes("break the column's format"))).toBe(false);
    expect(readiness.penalties).toHaveLength(1);
  });
});
