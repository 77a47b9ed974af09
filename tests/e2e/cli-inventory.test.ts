import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/core/inventory.ts';
import { runStocktake } from '../helpers/child-process.ts';
import { SERVERS, serverAvailable } from '../helpers/servers.ts';

const pgUp = await serverAvailable('postgres');

function stocktake(args: string[], env: Record<string, string> = {}) {
  return runStocktake(args, { env });
}

describe('stocktake inventory (command line)', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stocktake-cli-'));
    const db = new Database(join(dir, 'crm.sqlite'));
    db.exec(
      "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customer VALUES (1, 'a'), (2, 'b');",
    );
    db.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help and exits 0', () => {
    const { code, stdout } = stocktake(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('inventory');
    expect(stdout).toContain('Exit codes');
  });

  it('exits 2 on a usage error, printed with its code', () => {
    const { code, stderr } = stocktake(['inventory', '--no-such-flag']);
    expect([code, stderr.split('\n')[0]]).toEqual([2, "error USAGE: unknown option '--no-such-flag'"]);
    expect(stocktake(['invntory']).stderr).toContain("error USAGE: unknown command 'invntory'");
  });

  it('rejects an invalid config before connecting, listing every problem, exit 2', () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(
      config,
      'sources:\n  crm: { kind: postgress, url: "postgres://u:Hunter22@h/db" }\n  f: { kind: csv, pth: x }\n',
    );
    const { code, stderr, stdout } = stocktake(['inventory', '-c', config, '-o', join(dir, 'out-bad')]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('error CONFIG_INVALID');
    expect(stderr).toContain('sources.crm.kind: unknown kind "postgress" (did you mean "postgres"?)');
    expect(stderr).toContain('sources.f.pth: unknown key (did you mean "path"?)');
    expect(stderr).toContain('sources.f.path: required');
    expect(existsSync(join(dir, 'out-bad'))).toBe(false);
    // With --json, stdout holds the error as a document, its password masked.
    const json = stocktake(['inventory', '-c', config, '-o', join(dir, 'out-bad'), '--json']);
    expect(json.code).toBe(2);
    const document = JSON.parse(json.stdout);
    expect(document).toMatchObject({
      formatVersion: 1,
      kind: 'error',
      error: { code: 'CONFIG_INVALID', exitCode: 2 },
    });
    expect(document.error.message).toContain('sources.f.path: required');
    expect(json.stdout).not.toContain('Hunter22');
    // A usage error and a failing report command give the document too.
    for (const args of [
      ['plan', '--json', '--bogus'],
      ['report', '--json', '--inventory', join(dir, 'no-such.json'), '-o', join(dir, 'out-r')],
    ]) {
      const failed = stocktake(args);
      expect(JSON.parse(failed.stdout), args.join(' ')).toMatchObject({
        kind: 'error',
        error: { exitCode: failed.code },
      });
    }
  });

  it('refuses an output folder it cannot write before reading any source, exit 2', () => {
    const config = join(dir, 'only-sqlite.yaml');
    // The source does not exist: were it opened first, the exit would be 3.
    writeFileSync(config, 'sources:\n  crm: { kind: sqlite, path: missing.sqlite }\n');
    writeFileSync(join(dir, 'a-file'), 'x');
    for (const out of ['a-file', join('a-file', 'sub')]) {
      const { code, stderr } = stocktake(['audit', '-c', config, '-o', join(dir, out)]);
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(
        `error OUTPUT_UNWRITABLE: cannot write the outputs into ${join(dir, out)}: a file`,
      );
      expect(stderr).not.toContain('missing.sqlite');
    }
    const mapped = join(dir, 'with-mapping.yaml');
    writeFileSync(
      mapped,
      'sources:\n  crm: { kind: sqlite, path: missing.sqlite }\ntargets:\n  app: { kind: sqlite, path: app.sqlite }\n' +
        'mappings:\n  - { name: m, from: { source: crm, dataset: t }, to: { target: app, dataset: t, key: [id] }, fields: { id: {} } }\n',
    );
    const { code, stderr } = stocktake(['migrate', '-c', mapped, '-o', join(dir, 'a-file')]);
    expect([code, stderr.split('\n')[0]]).toEqual([
      2,
      `error OUTPUT_UNWRITABLE: cannot write the outputs into ${join(dir, 'a-file')}: a file of that name (or of one of its parent folders) is in the way`,
    ]);
  });

  it('inventories the reachable sources, reports the unreachable one, and exits 3', () => {
    const config = join(dir, 'stocktake.yaml');
    writeFileSync(
      config,
      [
        'sources:',
        '  crm: { kind: sqlite, path: crm.sqlite }',
        '  down: { kind: postgres, host: 127.0.0.1, port: 1, database: x, user: u, password: "${DOWN_PASSWORD}" }',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const { code, stdout, stderr } = stocktake(['inventory', '-c', config, '-o', out], {
      DOWN_PASSWORD: 'Sup3rSecret',
    });
    expect(code).toBe(3);
    expect(stdout).toContain('✓ crm (sqlite) — SQLite');
    expect(stdout).toMatch(
      /✗ down \(postgres\): source down: cannot reach the PostgreSQL server \(ECONNREFUSED/,
    );
    expect(stdout).toContain('→ check host, port, network and that the server is running');
    expect(stdout + stderr).not.toContain('Sup3rSecret');
    const inventory = JSON.parse(readFileSync(join(out, 'inventory.json'), 'utf8')) as Inventory;
    expect(inventory.formatVersion).toBe(1);
    expect(inventory.sources.map((s) => [s.name, s.status])).toEqual([
      ['crm', 'ok'],
      ['down', 'failed'],
    ]);
    expect(inventory.sources[0]!.datasets[0]).toMatchObject({
      name: 'customer',
      rowCount: 2,
      rowCountExact: true,
    });
    expect(inventory.sources[1]!.error).toMatchObject({ code: 'SOURCE_UNREACHABLE' });
    expect(existsSync(join(out, 'inventory.xlsx'))).toBe(true);
    expect(readFileSync(join(out, 'inventory.json'), 'utf8')).not.toContain('Sup3rSecret');
  });

  it('prints names read from a source with their control characters written out, never obeyed', () => {
    const files = join(dir, 'hostile');
    mkdirSync(files, { recursive: true });
    writeFileSync(join(files, 'ctl\u001b[31m.csv'), 'id;name\n1;a\n');
    const config = join(dir, 'hostile.yaml');
    writeFileSync(config, `sources:\n  files: { kind: csv, path: ${JSON.stringify(files)} }\n`);
    const { code, stdout, stderr } = stocktake(['inventory', '-c', config, '-o', join(dir, 'out-hostile')]);
    expect(code).toBe(0);
    expect(stdout).toContain('ctl\\x1b[31m');
    expect(`${stdout}${stderr}`).not.toContain('\u001b');
  });

  it('writes the inventory as JSON on stdout with --json and lists changes with --compare', () => {
    const config = join(dir, 'only-crm.yaml');
    writeFileSync(config, 'sources:\n  crm: { kind: sqlite, path: crm.sqlite }\n');
    const first = stocktake(['inventory', '-c', config, '-o', join(dir, 'v1'), '--json', '-q']);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const parsed = JSON.parse(first.stdout) as { inventory: Inventory; files: string[] };
    expect(parsed.inventory.sources[0]!.datasets.map((d) => d.name)).toEqual(['customer']);
    expect(parsed.files).toEqual([join(dir, 'v1', 'inventory.json'), join(dir, 'v1', 'inventory.xlsx')]);

    const db = new Database(join(dir, 'crm.sqlite'));
    db.exec('ALTER TABLE customer ADD COLUMN email TEXT; CREATE TABLE invoice (id INTEGER PRIMARY KEY);');
    db.close();
    const second = stocktake([
      'inventory',
      '-c',
      config,
      '-o',
      join(dir, 'v2'),
      '--compare',
      join(dir, 'v1', 'inventory.json'),
    ]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('+ crm.invoice');
    expect(second.stdout).toContain('~ crm.customer: column email added');
    expect(second.stdout).toContain(`wrote ${join(dir, 'v2', 'inventory-diff.json')}`);
    const diff = JSON.parse(readFileSync(join(dir, 'v2', 'inventory-diff.json'), 'utf8'));
    expect(diff.datasetsAdded).toEqual(['crm.invoice']);
  });

  it('fails clearly when --compare names a file that is not an inventory', () => {
    const config = join(dir, 'only-crm.yaml');
    const { code, stderr } = stocktake([
      'inventory',
      '-c',
      config,
      '-o',
      join(dir, 'v3'),
      '--compare',
      config,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain('error INVENTORY_UNREADABLE');
  });

  it.skipIf(!pgUp)('inventories a PostgreSQL database given by URL from the environment', async () => {
    const admin = knexFactory({ client: 'pg', connection: SERVERS.postgres, pool: { min: 0, max: 1 } });
    await admin.raw('DROP SCHEMA IF EXISTS stocktake_cli CASCADE; CREATE SCHEMA stocktake_cli');
    await admin.raw(
      'CREATE TABLE stocktake_cli.probe (id int PRIMARY KEY); INSERT INTO stocktake_cli.probe VALUES (1), (2)',
    );
    try {
      const config = join(dir, 'pg.yaml');
      writeFileSync(
        config,
        [
          'systems:',
          '  erp: { vendor: Odoo, version: "14.0", owner: { name: ERP team }, fate: retire }',
          'sources:',
          '  pg: { kind: postgres, url: "${PG_URL}", schemas: [stocktake_cli], system: erp }',
        ].join('\n'),
      );
      const { code, stdout } = stocktake(['inventory', '-c', config, '-o', join(dir, 'pg')], {
        PG_URL: SERVERS.postgres,
      });
      expect(code).toBe(0);
      expect(stdout).toContain('System erp (Odoo, owner ERP team, fate: retire)');
      expect(stdout).toMatch(/✓ pg \(postgres\) — PostgreSQL \d+/);
      expect(stdout).toMatch(/stocktake_cli\.probe +table +1 cols +2 rows +\(PK\)/);
      const inventory = JSON.parse(readFileSync(join(dir, 'pg', 'inventory.json'), 'utf8')) as Inventory;
      // Facts read from the server sit beside what the config declares.
      expect(inventory.systems[0]).toMatchObject({ name: 'erp', version: '14.0', sources: ['pg'] });
      expect(inventory.systems[0]!.facts[0]!.server).toMatchObject({
        product: 'PostgreSQL',
        encoding: 'UTF8',
        timeZone: 'UTC',
      });
      expect(inventory.systems[0]!.facts[0]!.server!.sizeBytes).toBeGreaterThan(0);
    } finally {
      await admin.raw('DROP SCHEMA stocktake_cli CASCADE');
      await admin.destroy();
    }
  });
});
