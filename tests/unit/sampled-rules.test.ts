/**
 * `row_count_min` on a sampled profile counts the table's rows (the inventory's), not the sample's; rules
 * counted on a sample of a column's values, or on a sketch's distinct count, say they are estimates.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const dir = mkdtempSync(join(tmpdir(), 'stocktake-sampled-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rules on a sample', () => {
  it('passes row_count_min on the table, the message saying where the count comes from', async () => {
    const path = join(dir, 's.sqlite');
    const db = new Database(path);
    db.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)');
    const insert = db.prepare('INSERT INTO big VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 1; i <= 20_000; i++) insert.run(i, `v${i}`);
    })();
    db.close();
    const config = {
      sources: { s: { kind: 'sqlite', path, sample: 0.1 } },
      rules: [
        { dataset: 's.big', check: 'row_count_min', minRows: 15_000, severity: 'error' },
        { dataset: 's.big', column: 'v', check: 'not_null', severity: 'error' },
      ],
    } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    expect(profile.datasets[0]!.sample).toBeDefined();
    expect(profile.datasets[0]!.rowCount).toBeLessThan(15_000);
    expect(profile.rules[0]).toMatchObject({
      status: 'passed',
      message: '20000 rows (counted by the inventory; the profile read a sample); at least 15000 required',
    });
    // A rule counted on the sample says so, and carries the share of rows it read.
    expect(profile.rules[1]).toMatchObject({ status: 'passed', sampled: 0.1 });
    expect(profile.rules[1]!.message).toMatch(
      /^0 of \d+ values are null or empty \(on a 10% sample of the rows\)$/,
    );
  });

  it('labels format and unique counts past the distinct-value limit as estimates, and exact ones not', async () => {
    // 100,500 rows, past the 100,000 distinct values listed exactly: a unique id, e-mail addresses one in
    // 500 malformed, a reference whose last 100 values repeat earlier ones, and amounts whose last 100
    // repeat earlier ones written with another zero (`100301.250` is `100301.25`).
    const lines = ['id;email;ref;amount'];
    for (let i = 1; i <= 100_500; i++)
      lines.push(
        `${i};${i % 500 === 0 ? `bad${i}` : `u${i}@example.com`};R${i <= 100_400 ? i : i - 100};${i <= 100_400 ? `${i}.25` : `${i - 100}.250`}`,
      );
    writeFileSync(join(dir, 'big.csv'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'small.csv'), 'id;email;ref\n1;a@example.com;R1\n2;nope;R1\n');
    const config = {
      sources: { f: { kind: 'csv', path: dir, include: ['*.csv'] } },
      rules: [
        { dataset: 'f.big', column: 'email', check: 'format', format: 'email', severity: 'error' },
        { dataset: 'f.big', column: 'id', check: 'unique', severity: 'error' },
        { dataset: 'f.big', column: 'ref', check: 'unique', severity: 'error' },
        { dataset: 'f.big', column: 'amount', check: 'unique', severity: 'error' },
        { dataset: 'f.small', column: 'email', check: 'format', format: 'email', severity: 'error' },
        { dataset: 'f.small', column: 'ref', check: 'unique', severity: 'error' },
      ],
    } as unknown as Config;
    const profile = await runProfile(config, await runInventory(config));
    const [format, id, ref, amount, smallFormat, smallRef] = profile.rules;
    expect(format).toMatchObject({ status: 'failed', estimated: true });
    expect(format!.message).toMatch(
      /^\d+ of 100500 values are not a valid email \(estimated from a sample of the values\)$/,
    );
    // 201 malformed in truth: a sample's count is near it.
    expect(format!.failed).toBeGreaterThan(100);
    expect(format!.failed).toBeLessThan(400);
    // A column whose every value differs is known to be a key: exactly no repeat, not a sketch's guess.
    expect(id).toMatchObject({
      status: 'passed',
      failed: 0,
      message: '0 of 100500 values repeat an earlier value',
    });
    expect(id!.estimated).toBeUndefined();
    expect(profile.datasets.find((d) => d.dataset === 'big')!.columns[0]).toMatchObject({
      distinct: 100_500,
      distinctExact: true,
    });
    // A column with repeats past the limit: its profile's distinct count is a sketch's (which could even
    // pass it), so the rule reads the column again and counts its 100 repeats exactly.
    expect(profile.datasets.find((d) => d.dataset === 'big')!.columns[2]).toMatchObject({
      distinctExact: false,
    });
    expect(ref).toMatchObject({
      status: 'failed',
      failed: 100,
      message: '100 of 100500 values repeat an earlier value',
    });
    expect(ref!.estimated).toBeUndefined();
    // Counted as the profile compares values: decimals by their value, not their text.
    expect(amount).toMatchObject({ status: 'failed', failed: 100 });
    expect(smallFormat).toMatchObject({
      status: 'failed',
      failed: 1,
      message: '1 of 2 values are not a valid email',
    });
    expect(smallRef).toMatchObject({
      status: 'failed',
      failed: 1,
      message: '1 of 2 values repeat an earlier value',
    });
    expect(smallFormat!.estimated ?? smallRef!.estimated).toBeUndefined();
  });
});
