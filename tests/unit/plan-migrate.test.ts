import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MappingConfig } from '../../src/config/schema.ts';
import type { Connector } from '../../src/connectors/types.ts';
import type { Writer, WriteTarget } from '../../src/connectors/writer-types.ts';
import { isStocktakeError, StocktakeError } from '../../src/core/errors.ts';
import { planMapping } from '../../src/mappers/plan-mapping.ts';
import { preflight } from '../../src/mappers/preflight.ts';
import { runMigrate } from '../../src/stages/migrate-stage.ts';
import { runPlan } from '../../src/stages/plan-stage.ts';
import { col, configWith, MemoryConnector, table } from './plan-fixtures.ts';

const MAPPING: MappingConfig = {
  name: 'contacts',
  from: { source: 'crm', dataset: 'customers' },
  to: { target: 'newtool', dataset: 'contacts', key: ['external_id'], mode: 'upsert' },
  fields: {
    external_id: { from: 'id', transform: ['text', { prefix: 'CRM-' }] },
    email: { from: 'email', transform: ['trim', 'lowercase'], validate: 'email' },
    amount: { from: 'amount' },
  },
};

function world(options: { rows?: number; mode?: MappingConfig['to']['mode']; targetKind?: string } = {}) {
  const source = new MemoryConnector('sqlite', 'crm', [
    table('customers', [col('id', 'integer'), col('email', 'string'), col('amount', 'decimal')], ['id']),
  ]);
  const target = new MemoryConnector(options.targetKind ?? 'sqlite', 'newtool', [
    table(
      'contacts',
      [col('external_id', 'string', { nullable: false }), col('email', 'string'), col('amount', 'decimal')],
      ['external_id'],
    ),
  ]);
  const n = options.rows ?? 10;
  // Unsorted on purpose: the diff must not depend on read order.
  for (let i = n; i >= 1; i--) source.rows.get('customers')!.push([i, ` User${i}@Example.org `, `${i}.50`]);
  const mapping = { ...MAPPING, to: { ...MAPPING.to, mode: options.mode ?? 'upsert' } };
  const config = configWith([mapping]);
  const connectors = {
    sources: new Map([['crm', source.side()]]),
    targets: new Map([['newtool', target.side()]]),
    close: async () => undefined,
  };
  return { source, target, config, connectors };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stocktake-plan-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('plan', () => {
  it('counts inserts, updates, unchanged, deletes and rejects exactly, with field-level samples', async () => {
    const w = world({ mode: 'mirror' });
    const rows = w.source.rows.get('customers')!;
    rows.push([11, 'not an email', '1']);
    const t = w.target.rows.get('contacts')!;
    t.push(['CRM-1', 'user1@example.org', '1.5']); // unchanged: 1.50 = 1.5
    t.push(['CRM-2', 'old@example.org', '2.5']); // update
    t.push(['CRM-99', 'gone@example.org', '0']); // delete (mirror)
    const plan = await runPlan(w.config, { connectors: w.connectors, samples: 2 });
    const m = plan.mappings[0]!;
    expect([m.inserts, m.updates, m.unchanged, m.deletes, m.rejects]).toEqual([8, 1, 1, 1, 1]);
    expect(m.rejectsByCode).toEqual({ REJECT_FORMAT: 1 });
    const update = m.samples.find((s) => s.kind === 'update')!;
    expect(update.key).toEqual({ external_id: 'CRM-2' });
    expect(update.changes).toEqual([{ field: 'email', old: 'o***@e***.org', new: 'u***@e***.org' }]);
    expect(m.samples.filter((s) => s.kind === 'insert')).toHaveLength(2);
    const reject = m.samples.find((s) => s.kind === 'reject')!;
    expect(reject.key).toEqual({ external_id: 'CRM-11' });
    expect(reject.code).toBe('REJECT_FORMAT');
    expect(plan.changes).toBe(true);
    expect(w.target.writes).toBe(0);
  });

  it('cuts long values in samples, not in the rejects files', async () => {
    const source = new MemoryConnector('sqlite', 'crm', [
      table('notes', [col('id', 'integer'), col('body', 'string')], ['id']),
    ]);
    const target = new MemoryConnector('sqlite', 'newtool', [
      table('notes', [col('id', 'integer'), col('body', 'string', { length: 20_000 })], ['id']),
    ]);
    const long = 'x'.repeat(10_000);
    source.rows.get('notes')!.push([1, long], [2, `${long}y`], [3, 'z'.repeat(30_000)]);
    target.rows.get('notes')!.push([2, long]);
    const config = configWith([
      {
        name: 'notes',
        from: { source: 'crm', dataset: 'notes' },
        to: { target: 'newtool', dataset: 'notes', key: ['id'], mode: 'upsert' },
        fields: { id: {}, body: {} },
      },
    ]);
    const connectors = {
      sources: new Map([['crm', source.side()]]),
      targets: new Map([['newtool', target.side()]]),
      close: async () => undefined,
    };
    const plan = await runPlan(config, { connectors });
    const m = plan.mappings[0]!;
    expect([m.inserts, m.updates, m.rejects]).toEqual([1, 1, 1]);
    const shown = m.samples.flatMap((s) => s.changes.flatMap((c) => [c.old, c.new]));
    // The insert's body, the update's old and new bodies, the reject's value.
    expect(shown.filter((v) => typeof v === 'string').map((v) => (v as string).length)).toEqual([
      1000, 1000, 1000, 1000,
    ]);
    expect(m.samples.find((s) => s.kind === 'insert')!.changes[1]!.new).toBe(`${'x'.repeat(999)}…`);
    const outcome = await runMigrate(config, { connectors, rejectsDir: dir });
    expect(outcome.run.mappings[0]!.rejected.mapping).toBe(1);
    const rejected = JSON.parse(readFileSync(join(dir, 'rejects.jsonl'), 'utf8').trim());
    expect(rejected.value).toBe('z'.repeat(30_000));
  });

  it('gives the same counts and fingerprints when both sides spill to disk', async () => {
    const a = world({ rows: 500 });
    const b = world({ rows: 500 });
    for (const w of [a, b]) {
      const t = w.target.rows.get('contacts')!;
      for (let i = 1; i <= 500; i += 3) t.push([`CRM-${i}`, `user${i}@example.org`, i % 2 ? `${i}.5` : '0']);
    }
    const [pa] = preflight({
      config: a.config,
      sources: a.connectors.sources,
      targets: a.connectors.targets,
    });
    const [pb] = preflight({
      config: b.config,
      sources: b.connectors.sources,
      targets: b.connectors.targets,
    });
    const inMemory = await planMapping(pa!, a.source, a.target);
    const spilled = await planMapping(pb!, b.source, b.target, { memoryRows: 40 });
    for (const key of ['inserts', 'updates', 'unchanged', 'deletes', 'rejects'] as const)
      expect(spilled[key]).toBe(inMemory[key]);
    expect(spilled.source.fingerprint).toEqual(inMemory.source.fingerprint);
    expect(spilled.target.fingerprint).toEqual(inMemory.target.fingerprint);
    expect(inMemory.inserts + inMemory.updates + inMemory.unchanged).toBe(500);
  });

  it('rejects every row of a duplicated key, and keys colliding under a case-insensitive target collation', async () => {
    const w = world({ targetKind: 'mariadb' });
    const mapping: MappingConfig = {
      ...MAPPING,
      fields: {
        external_id: { from: 'email', transform: ['trim'] },
        email: { from: 'email', transform: ['trim', 'lowercase'] },
        amount: { from: 'amount' },
      },
    };
    w.config.mappings = [mapping];
    const rows = w.source.rows.get('customers')!;
    rows.length = 0;
    rows.push([1, 'abc', '1'], [2, 'ABC', '1'], [3, 'dup', '1'], [4, 'dup', '2'], [5, 'Other', '3']);
    w.target.rows.get('contacts')!.push(['OTHER', 'other', '3']);
    const plan = await runPlan(w.config, { connectors: w.connectors, showSamples: true });
    const m = plan.mappings[0]!;
    expect(m.keyComparison).toBe('folded');
    expect(m.rejectsByCode).toEqual({ REJECT_KEY_COLLISION: 2, REJECT_DUPLICATE_KEY: 2 });
    // `Other` is the row `OTHER` for the database (which keeps its spelling of the key): not a second row.
    expect([m.inserts, m.updates, m.unchanged]).toEqual([0, 0, 1]);
  });

  it('lists every preflight problem at once and orders mappings by foreign keys', () => {
    const w = world();
    const bad: MappingConfig = {
      ...MAPPING,
      name: 'bad',
      fields: { ...MAPPING.fields, nope: { from: 'missing' } },
    };
    w.config.mappings = [bad, { ...MAPPING, name: 'nokey', to: { ...MAPPING.to, key: ['email'] } }];
    try {
      preflight({ config: w.config, sources: w.connectors.sources, targets: w.connectors.targets });
      expect.unreachable();
    } catch (error) {
      expect(isStocktakeError(error, 'CONFIG_INVALID')).toBe(true);
      const issues = (error as { context: { issues: { code: string }[] } }).context.issues.map((i) => i.code);
      expect(issues).toEqual(
        expect.arrayContaining([
          'MAP_SOURCE_COLUMN_MISSING',
          'MAP_TARGET_COLUMN_MISSING',
          'MAP_TARGET_KEY_MISSING',
        ]),
      );
    }
  });

  it('reports a foreign-key cycle between targets as a problem', () => {
    const source = new MemoryConnector('sqlite', 'crm', [table('customers', [col('id', 'integer')], ['id'])]);
    const fk = (to: string) => [{ columns: ['ref'], references: { dataset: to, columns: ['id'] } }];
    const target = new MemoryConnector('sqlite', 'newtool', [
      table('a', [col('id', 'integer'), col('ref', 'integer')], ['id'], { foreignKeys: fk('b') }),
      table('b', [col('id', 'integer'), col('ref', 'integer')], ['id'], { foreignKeys: fk('a') }),
    ]);
    const m = (name: string, dataset: string): MappingConfig => ({
      name,
      from: { source: 'crm', dataset: 'customers' },
      to: { target: 'newtool', dataset, key: ['id'], mode: 'upsert' },
      fields: { id: {}, ref: { from: 'id' } },
    });
    expect(() =>
      preflight({
        config: configWith([m('a', 'a'), m('b', 'b')]),
        sources: new Map([['crm', source.side()]]),
        targets: new Map([['newtool', target.side()]]),
      }),
    ).toThrow(/form a cycle/);
  });
});

describe('mirror', () => {
  it('deletes no target row while a rejected source row has no key, and says so in the plan and the run', async () => {
    const w = world({ rows: 3, mode: 'mirror' });
    // The key field itself fails for id 2 (the prefix of a null id is null: a required key field).
    const mapping: MappingConfig = {
      ...MAPPING,
      to: { ...MAPPING.to, mode: 'mirror' },
      fields: {
        ...MAPPING.fields,
        external_id: {
          from: 'id',
          transform: ['text', { null_if: ['2'] }, { prefix: 'CRM-' }],
          required: true,
        },
      },
    };
    w.config.mappings = [mapping];
    const t = w.target.rows.get('contacts')!;
    t.push(
      ['CRM-1', 'user1@example.org', '1.5'],
      ['CRM-2', 'user2@example.org', '2.5'],
      ['CRM-9', 'gone@example.org', '0'],
    );
    const plan = await runPlan(w.config, { connectors: w.connectors });
    const m = plan.mappings[0]!;
    expect([m.inserts, m.updates, m.unchanged, m.deletes, m.rejects, m.targetOnly]).toEqual([
      1, 0, 1, 0, 1, 2,
    ]);
    expect(m.warnings?.map((x) => x.code)).toContain('MAP_MIRROR_DELETES_HELD');
    const outcome = await runMigrate(w.config, { connectors: w.connectors, rejectsDir: dir });
    const run = outcome.run.mappings[0]!;
    expect([run.inserted, run.deleted, run.status]).toEqual([1, 0, 'done']);
    expect(run.warnings?.[0]?.code).toBe('MAP_MIRROR_DELETES_HELD');
    expect(t.map((r) => r[0]).sort()).toEqual(['CRM-1', 'CRM-2', 'CRM-3', 'CRM-9']);

    // Once every rejected row has a key again, the mirror deletes what the source lacks.
    w.config.mappings = [
      {
        ...mapping,
        fields: { ...mapping.fields, external_id: { from: 'id', transform: ['text', { prefix: 'CRM-' }] } },
      },
    ];
    const fixed = await runMigrate(w.config, { connectors: w.connectors, rejectsDir: dir });
    expect(fixed.run.mappings[0]).toMatchObject({ deleted: 1, status: 'done' });
    expect(fixed.run.mappings[0]!.warnings).toBeUndefined();
    expect(t.map((r) => r[0]).sort()).toEqual(['CRM-1', 'CRM-2', 'CRM-3']);
  });
});

describe('migrate', () => {
  it('writes the differences, verifies, and changes nothing when run again', async () => {
    const w = world({ rows: 25 });
    w.target.rows.get('contacts')!.push(['CRM-3', 'stale@example.org', '3.5']);
    const first = await runMigrate(w.config, { connectors: w.connectors, rejectsDir: dir, batchSize: 4 });
    expect(first.error).toBeNull();
    const run = first.run.mappings[0]!;
    expect([run.inserted, run.updated, run.status]).toEqual([24, 1, 'done']);
    expect(run.reconciliation).toMatchObject({ ok: true, expectedRows: 25, missing: 0, different: 0 });
    expect(run.checkpoint).toMatchObject({ done: true, batches: 7 });
    const writes = w.target.writes;
    const second = await runMigrate(w.config, { connectors: w.connectors, rejectsDir: dir, batchSize: 4 });
    expect(second.run.mappings[0]).toMatchObject({ inserted: 0, updated: 0, unchanged: 25, status: 'done' });
    expect(w.target.writes).toBe(writes);
  });

  it('verifies by the hashes kept from the diff as the row-keeping verification does, and finds a changed value either way', async () => {
    // A writer that stores CRM-2 with another amount, behind the run's back.
    const spoiling = async (connector: Connector, target: WriteTarget): Promise<Writer> => {
      const writer = await connector.writer!(target);
      return {
        readCheckpoint: (mapping) => writer.readCheckpoint(mapping),
        clearCheckpoint: (mapping) => writer.clearCheckpoint(mapping),
        applyBatch: (batch) =>
          writer.applyBatch({
            ...batch,
            upserts: batch.upserts.map((r) => (r[0] === 'CRM-2' ? [r[0], r[1] ?? null, '99'] : r)),
          }),
      };
    };
    const reconcile = async (foreign: boolean, spoil: boolean) => {
      const w = world({ rows: 40 });
      // A target row of another origin: its amount is not among the target's aggregates.
      if (foreign) w.target.rows.get('contacts')!.push(['OTHER-1', 'other@example.org', '1000']);
      const outcome = await runMigrate(w.config, {
        connectors: w.connectors,
        rejectsDir: dir,
        batchSize: 7,
        memoryRows: 20,
        ...(spoil ? { openWriter: spoiling } : {}),
      });
      return outcome.run.mappings[0]!.reconciliation!;
    };
    const byHashes = await reconcile(false, false);
    const byRows = await reconcile(true, false);
    expect(byHashes).toMatchObject({ ok: true, expectedRows: 40, targetRows: 40, matched: 40 });
    expect(byRows).toMatchObject({ ok: true, expectedRows: 40, targetRows: 41, matched: 40 });
    expect(byHashes.aggregates).toEqual(byRows.aggregates);
    expect(byHashes.expectedFingerprint).toEqual(byRows.expectedFingerprint);
    const sum = byHashes.aggregates.find((a) => a.field === 'amount' && a.aggregate === 'sum')!;
    expect(sum).toMatchObject({ source: '840', target: '840', ok: true });

    const spoiledByHashes = await reconcile(false, true);
    const spoiledByRows = await reconcile(true, true);
    for (const r of [spoiledByHashes, spoiledByRows]) {
      expect(r).toMatchObject({ ok: false, different: 1, missing: 0, matched: 39 });
      expect(r.examples).toEqual([{ problem: 'different', key: { external_id: 'CRM-2' } }]);
      expect(r.aggregates.filter((a) => !a.ok)).toEqual([
        { field: 'amount', aggregate: 'sum', source: '840', target: '936.5', ok: false },
      ]);
    }
  });

  it('sends a batch only once the one before is applied, and none after the batch that passed maxRejects', async () => {
    const w = world({ rows: 30 });
    w.config.mappings = [{ ...MAPPING, maxRejects: 1 }];
    const refused = ['CRM-8', 'CRM-9'];
    for (const key of refused) w.target.refuse.set(JSON.stringify([key]), 'refused');
    let sending = 0;
    let most = 0;
    const sent: number[] = [];
    // The batch that holds the second refused row: the one past maxRejects.
    let passed = 0;
    let seen = 0;
    const slow = async (connector: Connector, target: WriteTarget): Promise<Writer> => {
      const writer = await connector.writer!(target);
      return {
        readCheckpoint: (mapping) => writer.readCheckpoint(mapping),
        clearCheckpoint: (mapping) => writer.clearCheckpoint(mapping),
        applyBatch: async (batch) => {
          most = Math.max(most, ++sending);
          sent.push(batch.checkpoint.batches);
          seen += batch.upserts.filter((r) => refused.includes(String(r[0]))).length;
          if (seen === 2 && passed === 0) passed = batch.checkpoint.batches;
          await new Promise((resolve) => setTimeout(resolve, 5));
          sending--;
          return writer.applyBatch(batch);
        },
      };
    };
    const outcome = await runMigrate(w.config, {
      connectors: w.connectors,
      rejectsDir: dir,
      batchSize: 5,
      openWriter: slow,
    });
    expect(isStocktakeError(outcome.error, 'MIGRATE_REJECTS_EXCEEDED')).toBe(true);
    expect(most).toBe(1);
    expect(sent).toEqual(Array.from({ length: passed }, (_, i) => i + 1));
    const run = outcome.run.mappings[0]!;
    expect(run).toMatchObject({ status: 'rejects-exceeded', batches: passed, rejected: { database: 2 } });
    expect(run.checkpoint).toMatchObject({ done: false, batches: passed, rows: passed * 5 });
    expect(w.target.rows.get('contacts')).toHaveLength(passed * 5 - 2);
  });

  it('stops on a lost connection with a resumable checkpoint, and resumes with nothing lost or doubled', async () => {
    const w = world({ rows: 30 });
    w.target.failAtBatch = 3;
    const first = await runMigrate(w.config, { connectors: w.connectors, rejectsDir: dir, batchSize: 5 });
    expect(isStocktakeError(first.error, 'MIGRATE_INTERRUPTED')).toBe(true);
    expect((first.error as { exitCode: number }).exitCode).toBe(4);
    expect(first.run.status).toBe('interrupted');
    expect(w.target.rows.get('contacts')).toHaveLength(10);
    // Refused before anything is written: the interrupted run's rejects file is kept.
    writeFileSync(join(dir, 'rejects.jsonl'), '{"mapping":"contacts","row":7}\n');
    await expect(
      runMigrate(w.config, { connectors: w.connectors, rejectsDir: dir, batchSize: 5 }),
    ).rejects.toMatchObject({ code: 'MIGRATE_RESUME_REQUIRED' });
    expect(readFileSync(join(dir, 'rejects.jsonl'), 'utf8')).toBe('{"mapping":"contacts","row":7}\n');
    const resumed = await runMigrate(w.config, {
      connectors: w.connectors,
      rejectsDir: dir,
      batchSize: 5,
      resume: true,
    });
    expect(resumed.error).toBeNull();
    expect(resumed.run.mappings[0]).toMatchObject({ resumed: true, inserted: 20, status: 'done' });
    expect(resumed.run.mappings[0]!.checkpoint).toMatchObject({ batches: 7, rows: 30, done: true });
    const keys = w.target.rows.get('contacts')!.map((r) => r[0]);
    expect(new Set(keys).size).toBe(30);
    expect(keys).toHaveLength(30);
  });

  it('sends refused and rejected rows to the rejects files, masked and formula-safe, and stops past maxRejects', async () => {
    const w = world({ rows: 6 });
    w.source.rows.get('customers')!.push([7, '=cmd|calc', '1'], [8, 'x', '1']);
    w.target.refuse.set(
      JSON.stringify(['CRM-2']),
      'duplicate key value violates unique constraint "contacts_email"',
    );
    const outcome = await runMigrate(w.config, { connectors: w.connectors, rejectsDir: dir });
    expect(outcome.error).toBeNull();
    const run = outcome.run.mappings[0]!;
    expect(run.rejected).toEqual({ mapping: 2, database: 1 });
    expect(run.reconciliation!.ok).toBe(true);
    const csv = readFileSync(join(dir, 'rejects.csv'), 'utf8');
    // The e-mail field is personal: masked, and the mask still starts with `=`, so it is neutralised.
    expect(csv).toContain(",'=***|****,");
    expect(csv).toContain('REJECT_DATABASE');
    const lines = readFileSync(join(dir, 'rejects.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.find((l) => l.code === 'REJECT_DATABASE')).toMatchObject({
      key: { external_id: 'CRM-2' },
      mapping: 'contacts',
    });

    const strict = world({ rows: 3 });
    strict.source.rows.get('customers')!.push([7, 'bad', '1'], [8, 'worse', '1']);
    strict.config.mappings = [{ ...MAPPING, maxRejects: 1 }];
    const stopped = await runMigrate(strict.config, { connectors: strict.connectors, rejectsDir: dir });
    expect(isStocktakeError(stopped.error, 'MIGRATE_REJECTS_EXCEEDED')).toBe(true);
    expect(stopped.run.status).toBe('rejects-exceeded');
    expect(strict.target.writes).toBe(0);
  });

  it.each([
    ['fresh-load', false],
    ['diff', true],
  ])('stops a verification a signal interrupts (%s path), and a re-run verifies', async (path, seeded) => {
    const w = world({ rows: 30 });
    if (seeded) w.target.rows.get('contacts')!.push(['CRM-1', 'user1@example.org', '1.5']);
    const controller = new AbortController();
    const steps: string[] = [];
    const first = await runMigrate(w.config, {
      connectors: w.connectors,
      rejectsDir: dir,
      batchSize: 5,
      signal: controller.signal,
      onStep: (message) => {
        steps.push(message);
        if (message.includes('verifying')) controller.abort();
      },
    });
    expect(first.error).toMatchObject({
      code: 'MIGRATE_INTERRUPTED',
      message: 'mapping contacts: interrupted while verifying the rows written',
    });
    expect(first.run.mappings[0]).toMatchObject({ status: 'interrupted', path, checkpoint: { done: true } });
    expect(first.run.mappings[0]!.reconciliation ?? null).toBeNull();
    expect(w.target.rows.get('contacts')).toHaveLength(30);
    const again = await runMigrate(w.config, { connectors: w.connectors, rejectsDir: dir, batchSize: 5 });
    expect(again.error).toBeNull();
    expect(again.run.mappings[0]).toMatchObject({
      status: 'done',
      inserted: 0,
      updated: 0,
      unchanged: 30,
      reconciliation: { ok: true, matched: 30 },
    });
  });

  it('stops a fresh load whose source file changed mid-read as an interrupted run, resumable', async () => {
    const w = world({ rows: 30 });
    const read = w.source.read.bind(w.source);
    w.source.read = async function* (ref, options) {
      let n = 0;
      for await (const batch of read(ref, options)) {
        if (++n === 4)
          throw new StocktakeError('FILE_CHANGED', 'customers.csv: the file changed while it was read');
        yield batch;
      }
    };
    const first = await runMigrate(w.config, { connectors: w.connectors, rejectsDir: dir, batchSize: 5 });
    expect(first.error).toMatchObject({
      code: 'MIGRATE_INTERRUPTED',
      exitCode: 4,
      hint: expect.stringContaining('--resume'),
    });
    expect(first.run.mappings[0]).toMatchObject({ path: 'fresh-load', status: 'interrupted' });
  });

  it('resumes a saved plan whose run finished one mapping before it was interrupted in the next', async () => {
    const source = new MemoryConnector('sqlite', 'crm', [
      table('customers', [col('id', 'integer'), col('email', 'string'), col('amount', 'decimal')], ['id']),
    ]);
    const columns = [
      col('external_id', 'string', { nullable: false }),
      col('email', 'string'),
      col('amount', 'decimal'),
    ];
    const target = new MemoryConnector('sqlite', 'newtool', [
      table('contacts', columns, ['external_id']),
      table('archive', columns, ['external_id']),
    ]);
    for (let i = 1; i <= 12; i++) source.rows.get('customers')!.push([i, `u${i}@example.org`, `${i}`]);
    const config = configWith([
      MAPPING,
      { ...MAPPING, name: 'archive', to: { ...MAPPING.to, dataset: 'archive' } },
    ]);
    const connectors = {
      sources: new Map([['crm', source.side()]]),
      targets: new Map([['newtool', target.side()]]),
      close: async () => undefined,
    };
    const plan = await runPlan(config, { connectors });
    const saved = { file: 'plan.json', document: plan };
    let failed = false;
    const first = await runMigrate(config, {
      connectors,
      rejectsDir: dir,
      batchSize: 5,
      concurrency: 1,
      plan: saved,
      openWriter: async (connector: Connector, t: WriteTarget) => {
        const writer = await connector.writer!(t);
        return {
          ...writer,
          applyBatch: (batch) => {
            if (!failed && batch.checkpoint.mapping === 'archive' && batch.checkpoint.batches === 2) {
              failed = true;
              return Promise.reject(
                Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }),
              );
            }
            return writer.applyBatch(batch);
          },
        } satisfies Writer;
      },
    });
    expect(isStocktakeError(first.error, 'MIGRATE_INTERRUPTED')).toBe(true);
    expect(first.run.mappings.map((m) => [m.name, m.status])).toEqual([
      ['contacts', 'done'],
      ['archive', 'interrupted'],
    ]);
    expect(target.rows.get('contacts')).toHaveLength(12);
    expect(target.rows.get('archive')).toHaveLength(5);
    // The finished mapping changed its target as the plan said: that is not staleness.
    const resumed = await runMigrate(config, {
      connectors,
      rejectsDir: dir,
      batchSize: 5,
      resume: true,
      plan: saved,
    });
    expect(resumed.error).toBeNull();
    expect(resumed.run.mappings.map((m) => [m.name, m.status, m.inserted])).toEqual([
      ['contacts', 'done', 0],
      ['archive', 'done', 7],
    ]);
    expect(target.rows.get('archive')).toHaveLength(12);
    // Outside a resume of that run, the same plan is stale: its targets changed.
    await expect(
      runMigrate(config, { connectors, rejectsDir: dir, batchSize: 5, resume: true, plan: saved }),
    ).rejects.toMatchObject({ code: 'PLAN_STALE' });
  });

  it('applies a saved plan, and refuses it once the source changed or lost a column', async () => {
    const w = world({ rows: 5 });
    const plan = await runPlan(w.config, { connectors: w.connectors });
    w.source.rows.get('customers')!.push([6, 'late@example.org', '6']);
    const stale = runMigrate(w.config, {
      connectors: w.connectors,
      rejectsDir: dir,
      plan: { file: 'plan.json', document: plan },
    });
    await expect(stale).rejects.toMatchObject({
      code: 'PLAN_STALE',
      message: expect.stringMatching(/source crm.customers \(5 rows then, 6 now/),
    });
    expect(w.target.writes).toBe(0);
    w.source.rows.get('customers')!.pop();
    const applied = await runMigrate(w.config, {
      connectors: w.connectors,
      rejectsDir: dir,
      plan: { file: 'plan.json', document: plan },
    });
    expect(applied.run.mappings[0]).toMatchObject({ inserted: 5, status: 'done' });

    const fresh = world({ rows: 5 });
    const before = await runPlan(fresh.config, { connectors: fresh.connectors });
    const dataset = fresh.source.datasets[0]!;
    fresh.source.datasets[0] = { ...dataset, columns: [...dataset.columns, col('phone', 'string')] };
    await expect(
      runMigrate(fresh.config, {
        connectors: fresh.connectors,
        rejectsDir: dir,
        plan: { file: 'plan.json', document: before },
      }),
    ).rejects.toMatchObject({ code: 'PLAN_STALE', message: expect.stringContaining('gained column phone') });

    // A target column made narrower since the plan: its rejects would differ, so the plan is stale.
    const narrowed = world({ rows: 5 });
    const planned = await runPlan(narrowed.config, { connectors: narrowed.connectors });
    const contacts = narrowed.target.datasets[0]!;
    narrowed.target.datasets[0] = {
      ...contacts,
      columns: contacts.columns.map((c) => (c.name === 'email' ? { ...c, nativeType: 'varchar(10)' } : c)),
    };
    await expect(
      runMigrate(narrowed.config, {
        connectors: narrowed.connectors,
        rejectsDir: dir,
        plan: { file: 'plan.json', document: planned },
      }),
    ).rejects.toMatchObject({
      code: 'PLAN_STALE',
      message: expect.stringContaining('retyped email (string → varchar(10))'),
    });
    expect(narrowed.target.writes).toBe(0);
  });
});
