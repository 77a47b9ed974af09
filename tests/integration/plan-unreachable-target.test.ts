/** A target `plan` cannot reach is named a target, although the plan opens it read-only. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-unreachable-target-'));
  writeFileSync(join(dir, 'people.csv'), 'id;name\n1;a\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('says target, not source, when the target cannot be reached', async () => {
  const config = {
    sources: { files: { kind: 'csv', path: join(dir, 'people.csv') } },
    // Port 1 on the loopback: nothing listens there, the connection is refused at once.
    targets: { maria: { kind: 'mariadb', url: 'mysql://root@127.0.0.1:1/app' } },
    mappings: [
      {
        name: 'people',
        from: { source: 'files', dataset: 'people' },
        to: { target: 'maria', dataset: 'people', key: ['id'] },
        fields: { id: {}, name: {} },
      },
    ],
  } as unknown as Config;
  const error = await runPlan(config).then(
    () => null,
    (failure: unknown) => failure as Error,
  );
  expect(error?.message).toMatch(/^target maria: cannot reach the MySQL\/MariaDB server/);
});
