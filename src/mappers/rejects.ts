/**
 * Rejected rows of one mapping: counted by stable code, sampled for the plan, and handed to a sink (the
 * rejects files) with values masked when personal. Besides the mapping's own codes, the diff and the
 * database add theirs: duplicate keys, keys that collide under the target's collation, keys that exist
 * in an insert-only mapping, and rows the database refused.
 */
import type { Value } from '../connectors/types.ts';
import type { PlanSample } from '../core/plan.ts';
import type { RejectCode, Rejection } from './mapping-types.ts';
import { maskMessage, sampleValue, showValue } from './plan-masking.ts';
import type { PreparedMapping } from './preflight.ts';
import { quoteValue } from './rejection-text.ts';

/** Every code a rejected row can carry: the mapping's, then the diff's and the database's. */
export type RowRejectCode =
  | RejectCode
  | 'REJECT_DUPLICATE_KEY'
  | 'REJECT_UNIQUE_SHARED'
  | 'REJECT_KEY_COLLISION'
  | 'REJECT_KEY_EXISTS'
  | 'REJECT_DATABASE';

/** One rejected row as the rejects files write it (values already masked). */
export interface RejectRecord {
  readonly mapping: string;
  /** 1-based position in the source read, when known. */
  readonly row: number | null;
  /** The target key, when known. */
  readonly key: Readonly<Record<string, unknown>> | null;
  /** The source's primary key, when the source has one. */
  readonly sourceKey: Readonly<Record<string, unknown>> | null;
  readonly field: string | null;
  readonly value: unknown;
  /** The sentence, with the value as shown. */
  readonly reason: string;
  readonly code: RowRejectCode;
}

/** Where rejected rows go besides the counts (the rejects files). */
export interface RejectSink {
  /**
   * `identity` names the rejected row from its unmasked values (source key, row number, or code and
   * key), for a sink that must know a row again (`RecordedRejects`); the files ignore it.
   */
  write(record: RejectRecord, identity?: string): void;
}

/** A rejection found by the diff or the database rather than by the mapping. */
export interface RowReject {
  readonly row?: number | null;
  readonly key: Readonly<Record<string, Value>> | null;
  readonly sourceKey?: Readonly<Record<string, Value>> | null;
  readonly field?: string | null;
  readonly value?: Value;
  /**
   * The whole sentence: no value in it, but for a database's message (`REJECT_DATABASE`), in which the
   * values of the row's personal fields (`values`, in target field order) and any e-mail address are masked.
   */
  readonly reason: string;
  readonly code: RowRejectCode;
  readonly values?: readonly Value[] | undefined;
}

/** Counts, samples and forwards the rejected rows of one mapping. */
export class RejectTally {
  total = 0;
  readonly byCode: Record<string, number> = {};
  readonly samples: PlanSample[] = [];
  readonly #prepared: PreparedMapping;
  readonly #sampleLimit: number;
  readonly #unmasked: boolean;
  readonly #sink: RejectSink | undefined;
  readonly #fieldKinds: Map<string, PreparedMapping['personal'][number]>;

  constructor(
    prepared: PreparedMapping,
    options: { samples: number; unmasked?: boolean | undefined; sink?: RejectSink | undefined },
  ) {
    this.#prepared = prepared;
    this.#sampleLimit = options.samples;
    this.#unmasked = options.unmasked === true;
    this.#sink = options.sink;
    this.#fieldKinds = new Map(prepared.compiled.targetFields.map((f, i) => [f, prepared.personal[i]]));
  }

  /** Records a row the mapping rejected. */
  addMapped(
    row: number,
    key: Readonly<Record<string, Value>> | null,
    sourceKey: Readonly<Record<string, Value>> | null,
    rejection: Rejection,
  ): void {
    const kind = rejection.field === null ? undefined : this.#fieldKinds.get(rejection.field);
    // What a row read only in part loses: each part masked on its own when it looks personal.
    const parts = rejection.parts;
    const shown = parts
      ? parts.values.map((v) => String(showValue(v, undefined, this.#unmasked) ?? '')).join(parts.separator)
      : showValue(rejection.value, kind, this.#unmasked);
    this.#add(
      {
        mapping: this.#prepared.config.name,
        row,
        key: this.showKey(key),
        sourceKey: this.#showSourceKey(sourceKey),
        field: rejection.field,
        value: shown,
        // A step's reason may quote the value again (a zero date's hint): masked there too.
        // Bytes are described (`3 bytes`), never quoted as if they were that text.
        reason: `${rejection.step}: ${quoteValue(rejection.value instanceof Uint8Array ? rejection.value : (shown as Value))} ${
          parts ? rejection.reason : maskMessage(rejection.reason, [rejection.value], [kind], this.#unmasked)
        }`,
        code: rejection.code,
      },
      rowIdentity(rejection.code, sourceKey, row, key),
    );
  }

  /** Records a row rejected by the diff or the database. */
  addRow(reject: RowReject): void {
    const field = reject.field ?? null;
    const value =
      reject.value === undefined
        ? null
        : showValue(reject.value, field ? this.#fieldKinds.get(field) : undefined, this.#unmasked);
    this.#add(
      {
        mapping: this.#prepared.config.name,
        row: reject.row ?? null,
        key: this.showKey(reject.key),
        sourceKey: this.#showSourceKey(reject.sourceKey ?? null),
        field,
        value,
        reason:
          reject.code === 'REJECT_DATABASE'
            ? maskMessage(reject.reason, reject.values, this.#prepared.personal, this.#unmasked)
            : reject.reason,
        code: reject.code,
      },
      rowIdentity(reject.code, reject.sourceKey ?? null, reject.row ?? null, reject.key),
    );
  }

  /** A key as outputs show it: values of personal key fields masked. */
  showKey(key: Readonly<Record<string, Value>> | null): Record<string, unknown> | null {
    if (key === null) return null;
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(key))
      out[field] = showValue(value, this.#fieldKinds.get(field), this.#unmasked);
    return out;
  }

  #showSourceKey(key: Readonly<Record<string, Value>> | null): Record<string, unknown> | null {
    if (key === null) return null;
    const out: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(key))
      out[column] = showValue(value, undefined, this.#unmasked);
    return out;
  }

  #add(record: RejectRecord, identity: string): void {
    this.total++;
    this.byCode[record.code] = (this.byCode[record.code] ?? 0) + 1;
    if (this.samples.length < this.#sampleLimit) {
      this.samples.push({
        kind: 'reject',
        key: record.key ?? record.sourceKey ?? (record.row === null ? null : { '#row': record.row }),
        changes:
          record.field === null ? [] : [{ field: record.field, old: null, new: sampleValue(record.value) }],
        reason: record.reason,
        code: record.code,
        ...(record.field !== null ? { field: record.field } : {}),
      });
    }
    this.#sink?.write(record, identity);
  }
}

/**
 * Forwards rejected rows to `sink` and remembers which they were, by the identity the tally gives
 * (their unmasked source key, else their row number in the read, else their code and key). A fresh
 * load that hands over to the diff path, which finds every reject again, writes through `unseen()`,
 * so that each row is written once, and the files stop the run at once when they cannot be written.
 */
export class RecordedRejects implements RejectSink {
  readonly #sink: RejectSink;
  readonly #seen = new Set<string>();

  constructor(sink: RejectSink) {
    this.#sink = sink;
  }

  write(record: RejectRecord, identity?: string): void {
    this.#seen.add(identity ?? fallbackIdentity(record));
    this.#sink.write(record, identity);
  }

  /** A sink forwarding to the same place only the records not written through this one. */
  unseen(): RejectSink {
    return {
      write: (record, identity) => {
        if (!this.#seen.has(identity ?? fallbackIdentity(record))) this.#sink.write(record, identity);
      },
    };
  }
}

function fallbackIdentity(record: RejectRecord): string {
  return `${record.code}|${record.row}|${JSON.stringify(record.key)}`;
}

/**
 * What names a rejected row across two reads of the source, from unmasked values: its source key, else
 * its row number in the read, else its code and key (a row the database refused).
 */
function rowIdentity(
  code: string,
  sourceKey: Readonly<Record<string, Value>> | null,
  row: number | null,
  key: Readonly<Record<string, Value>> | null,
): string {
  if (sourceKey) return `${code}|s${plainJson(sourceKey)}`;
  return row !== null ? `${code}|r${row}` : `${code}|k${plainJson(key)}`;
}

/** JSON of unmasked values, bigints and bytes included: an identity, never shown. */
function plainJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
  );
}
