import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import type { Inventory } from '../../src/core/inventory.ts';
import { runInventory } from '../../src/stages/inventory-stage.ts';
import { runProfile } from '../../src/stages/profile-stage.ts';

const SOURCES = ['east', 'north', 'south', 'west'];
const ROWS = 40_000;

// Which source each progress report and each finished dataset belongs to, in the order they happened.
async function profileEvents(config: Config, inventory: Inventory, concurrency: number) {
  const events: string[] = [];
  const profile = await runProfile(config, inventory, {
    concurrency,
    onProgress: (source) => events.push(`progress ${source}`),
    onDataset: (source) => events.push(`done ${source}`),
  });
  return { profile, events };
}

describe('profiling several sources', () => {
  let dir: string;
  let config: Config;
  let inventory: Inventory;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-profile-concurrency-'));
    const yaml = ['sources:'];
    for (const [i, name] of SOURCES.entries()) {
      const lines = ['id;label;amount'];
      for (let r = 0; r < ROWS; r++) lines.push(`${r};${name}-${r % 97};${(r * (i + 1)) % 1000},5`);
      writeFileSync(join(dir, `${name}.csv`), `${lines.join('\n')}\n`);
      yaml.push(`  ${name}: { kind: csv, path: ${name}.csv }`);
    }
    config = parseConfig(yaml.join('\n'), join(dir, 'stocktake.yaml'), {}).config;
    inventory = await runInventory(config);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('profiles sources side by side and lists them in inventory order whatever finishes first', async () => {
    const serial = await profileEvents(config, inventory, 1);
    const parallel = await profileEvents(config, inventory, 4);
    // One at a time: a source's rows are only read once the previous source is done.
    const firstDone = serial.events.indexOf(`done ${SOURCES[0]}`);
    expect(serial.events.slice(0, firstDone).every((e) => e === `progress ${SOURCES[0]}`)).toBe(true);
    // Side by side: other sources report rows before the first one is done.
    const before = parallel.events.slice(0, parallel.events.indexOf(`done ${SOURCES[0]}`));
    expect(new Set(before.map((e) => e.split(' ')[1])).size).toBeGreaterThan(1);
    // The same document either way (timings aside).
    const strip = (p: typeof serial.profile) =>
      p.datasets.map((d) => ({ ...d, durationMs: 0, columns: d.columns.map((c) => ({ ...c })) }));
    expect(parallel.profile.datasets.map((d) => d.source)).toEqual(SOURCES);
    expect(strip(parallel.profile)).toEqual(strip(serial.profile));
    expect(parallel.profile.findings).toEqual(serial.profile.findings);
  });
});
