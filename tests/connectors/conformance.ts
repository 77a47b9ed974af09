/**
 * What every connector must do, proven by one shared suite: a connector's test file builds the
 * standard dataset in its own storage and calls `describeConformance`. Every skip says why.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector, Row, Value } from '../../src/connectors/types.ts';
import type { LogicalType } from '../../src/core/inventory.ts';

/** Rows in the standard dataset: more than two batches of the default size. */
export const CONFORMANCE_ROWS = 12_345;

/** The standard dataset's columns and the logical type each must be inventoried as. */
export const CONFORMANCE_COLUMNS: readonly { name: string; type: LogicalType }[] = [
  { name: 'id', type: 'integer' },
  { name: 'name', type: 'string' },
  { name: 'amount', type: 'decimal' },
  { name: 'ratio', type: 'float' },
  { name: 'active', type: 'boolean' },
  { name: 'day', type: 'date' },
  { name: 'at', type: 'timestamp' },
];

/** The value of row `i` (1-based) in each column; every ninth row holds nulls outside `id` and `name`. */
export function conformanceRow(i: number): Row {
  const nulls = i % 9 === 0;
  const month = String((i % 12) + 1).padStart(2, '0');
  const day = String((i % 28) + 1).padStart(2, '0');
  return [
    i,
    i % 7 === 0 ? `Société n°${i} « été »` : `name ${i}`,
    nulls ? null : `${(i % 1000) * 3}.${String(i % 100).padStart(2, '0')}`,
    nulls ? null : (i % 8) / 4,
    nulls ? null : i % 2 === 0,
    nulls ? null : `2024-${month}-${day}`,
    nulls ? null : `2024-${month}-${day}T${String(i % 24).padStart(2, '0')}:30:15`,
  ];
}

/** What a connector's test supplies to the suite. */
export interface ConformanceSubject {
  /** Opens a connector (audit mode) whose source holds the standard dataset. */
  open(): Promise<Connector>;
  /** The dataset's name in the inventory (`conformance`, `public.conformance`, `book/conformance`). */
  readonly dataset: string;
  /** Tries to write through the connector's own session; must reject (audit sessions are read-only). */
  attemptWrite?(connector: Connector): Promise<unknown>;
  /** A fingerprint of the stored data (file bytes and modification time); the suite checks it never changes. */
  fingerprint?(): Promise<string> | string;
  /** Types the source cannot tell apart: a CSV number with decimals is a decimal, never a float. */
  readonly types?: Readonly<Record<string, LogicalType>>;
}

function columnsOf(subject: ConformanceSubject): { name: string; type: LogicalType }[] {
  return CONFORMANCE_COLUMNS.map((c) => ({ name: c.name, type: subject.types?.[c.name] ?? c.type }));
}

// Decimals compare by value: 12.50 and 12.5 are the same amount.
function canonical(value: Value, type: LogicalType): Value {
  if (value === null) return null;
  if (type === 'decimal') {
    const text = String(value);
    return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  }
  return value;
}

/** The bytes and modification time of a file, hashed: a read-only source keeps it. */
export function fileFingerprint(path: string): string {
  return `${statSync(path).mtimeMs}:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
}

/** Declares the conformance suite for one connector; `skip` (a reason) skips it, e.g. when its server is down. */
export function describeConformance(
  kind: string,
  setup: () => Promise<ConformanceSubject>,
  options: { skip?: boolean } = {},
): void {
  describe.skipIf(options.skip === true)(`${kind} connector conformance`, () => {
    let subject: ConformanceSubject;
    let connector: Connector;
    let before: string | undefined;

    beforeAll(async () => {
      subject = await setup();
      before = await subject.fingerprint?.();
      connector = await subject.open();
    });
    afterAll(async () => {
      await connector?.close();
    });

    it('inventories the standard dataset with exact counts and logical types', async () => {
      const inventory = await connector.inventory();
      const dataset = inventory.datasets.find((d) => d.name === subject.dataset);
      expect(
        dataset,
        `dataset ${subject.dataset} in ${inventory.datasets.map((d) => d.name).join(', ')}`,
      ).toBeDefined();
      expect(dataset!.rowCount).toBe(CONFORMANCE_ROWS);
      expect(dataset!.rowCountExact).toBe(true);
      expect(dataset!.columns.map((c) => ({ name: c.name, type: c.type }))).toEqual(columnsOf(subject));
      expect(dataset!.columns.map((c) => c.position)).toEqual(CONFORMANCE_COLUMNS.map((_, i) => i + 1));
      for (const column of dataset!.columns) expect(column.nativeType).not.toBe('');
    });

    it('describes the shape a read yields', async () => {
      const shape = await connector.shape({ name: subject.dataset }, { columns: ['day', 'id'] });
      expect(shape.columns).toEqual([
        { name: 'day', type: 'date' },
        { name: 'id', type: 'integer' },
      ]);
    });

    it('streams every row in bounded batches with contract values', async () => {
      const sizes: number[] = [];
      let mismatches = 0;
      let first: string | undefined;
      let count = 0;
      for await (const batch of connector.read({ name: subject.dataset }, { batchSize: 5000 })) {
        sizes.push(batch.length);
        for (const row of batch) {
          const id = Number(row[0]);
          const expected = conformanceRow(id);
          const got = row.map((v, c) => canonical(v, columnsOf(subject)[c]!.type));
          const want = expected.map((v, c) => canonical(v, columnsOf(subject)[c]!.type));
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            mismatches++;
            first ??= `row ${id}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
          }
          count++;
        }
      }
      expect(first ?? 'no mismatch').toBe('no mismatch');
      expect(mismatches).toBe(0);
      expect(count).toBe(CONFORMANCE_ROWS);
      expect(Math.max(...sizes)).toBe(5000);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(CONFORMANCE_ROWS);
    });

    it('reads a subset of columns in the order asked, up to a limit', async () => {
      const rows: Row[] = [];
      for await (const batch of connector.read(
        { name: subject.dataset },
        { columns: ['name', 'id'], limit: 10 },
      )) {
        rows.push(...batch);
      }
      expect(rows).toHaveLength(10);
      for (const row of rows) expect(row).toEqual([conformanceRow(Number(row[1]))[1], row[1]]);
    });

    it('names an unknown dataset in its error', async () => {
      const read = async () => {
        for await (const _ of connector.read({ name: 'no_such_dataset' })) break;
      };
      await expect(read()).rejects.toThrow(/no_such_dataset/);
    });

    it('never writes during an audit', async () => {
      expect(
        subject.attemptWrite ?? subject.fingerprint,
        'a subject proves it one way or the other',
      ).toBeDefined();
      if (subject.attemptWrite) await expect(subject.attemptWrite(connector)).rejects.toThrow();
      // Everything above has run: inventory, shape, full and partial reads.
      if (subject.fingerprint) expect(await subject.fingerprint()).toBe(before);
    });

    it('can be closed twice', async () => {
      const extra = await subject.open();
      await extra.close();
      await expect(extra.close()).resolves.toBeUndefined();
    });
  });
}
