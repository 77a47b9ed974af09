import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonText } from '../../src/connectors/json-text.ts';
import { FingerprintAccumulator, hashTexts, ROW_HASH } from '../../src/mappers/canonical-hash.ts';
import { foldKeyText, keyFoldingOf } from '../../src/mappers/canonical-key.ts';
import { canonicalizerFor, NULL_TEXT } from '../../src/mappers/canonical-value.ts';
import { escapeHtml, renderPlanHtml } from '../../src/mappers/plan-html.ts';
import { neutraliseCell, RejectsFiles } from '../../src/mappers/rejects-file.ts';
import { PartitionStore, rowAt } from '../../src/mappers/spill-partitions.ts';
import { col } from './plan-fixtures.ts';

describe('canonical values per target column type', () => {
  it('compares decimals by value, integers across representations', () => {
    const decimal = canonicalizerFor(col('d', 'decimal'));
    expect(decimal('1.50')).toBe(decimal('1.5'));
    expect(decimal(1.5)).toBe(decimal('01.500'));
    expect(decimal('-0.0')).toBe(decimal('0'));
    expect(decimal('1.5')).not.toBe(decimal('1.05'));
    // Plain decimal texts, as databases return them, read without the general parser.
    for (const [text, canonical] of [
      ['3703.8600', '3703.86'],
      ['-001.050', '-1.05'],
      ['-0', '0'],
      ['-0.000', '0'],
      ['100', '100'],
      ['100.000', '100'],
      ['0.050', '0.05'],
      ['.5', '0.5'],
      ['5.', '5'],
      ['1,5', '1,5'],
    ])
      expect(decimal(text)).toBe(canonical);
    const integer = canonicalizerFor(col('i', 'integer'));
    expect(integer(12)).toBe(integer('12'));
    expect(integer(12n)).toBe(integer(12));
    expect(integer(9007199254740993n)).toBe(integer('9007199254740993'));
    for (const n of [100_000_000, 1_577_836_800_000_001, -123_456_789_012, 9_007_199_254_740_991])
      expect(integer(n)).toBe(String(n));
  });

  it('compares timestamps as instants, at the column precision', () => {
    const ts = canonicalizerFor(col('t', 'timestamp'), 'postgres');
    expect(ts('2024-03-01T10:00:00Z')).toBe(ts('2024-03-01T11:00:00+01:00'));
    expect(ts('2024-03-01 10:00:00.500000')).toBe(ts('2024-03-01T10:00:00.5Z'));
    expect(ts('2024-03-01T10:00:00.123456Z')).not.toBe(ts('2024-03-01T10:00:00.123457Z'));
    expect(ts('2024-03-01T10:00:00.000001Z')).toBe(String(Date.UTC(2024, 2, 1, 10) * 1000 + 1));
    expect(ts('1969-12-31T23:59:59.5Z')).toBe('-500000');
    const seconds = canonicalizerFor(col('t', 'timestamp'), 'mysql');
    expect(seconds('2024-03-01T10:00:00.4Z')).toBe(seconds('2024-03-01T10:00:00Z'));
    const millis = canonicalizerFor(col('t', 'timestamp', { precision: 3 }), 'mysql');
    expect(millis('2024-03-01T10:00:00.1234Z')).toBe(millis('2024-03-01T10:00:00.123Z'));
    // A date or timestamp before Christ keeps its era.
    const date = canonicalizerFor(col('d', 'date'), 'postgres');
    expect(date('0044-03-15 BC')).not.toBe(date('0044-03-15'));
    expect(date('2024-03-01 00:00:00')).toBe(date('2024-03-01'));
    expect(ts('0044-03-15T12:00:00 BC')).not.toBe(ts('0044-03-15T12:00:00'));
  });

  it('ignores CHAR padding, not VARCHAR trailing spaces', () => {
    const char = canonicalizerFor(col('c', 'string', { nativeType: 'character(5)' }));
    expect(char('ab   ')).toBe(char('ab'));
    const varchar = canonicalizerFor(col('v', 'string', { nativeType: 'character varying(5)' }));
    expect(varchar('ab ')).not.toBe(varchar('ab'));
  });

  it('compares UUIDs in every form the databases read, as they store them', () => {
    for (const nativeType of ['uuid', 'uniqueidentifier', 'UNIQUEIDENTIFIER']) {
      const uuid = canonicalizerFor(col('u', 'string', { nativeType }));
      const stored = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
      for (const written of [
        'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
        '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
        'a0eebc999c0b4ef8bb6d6bb9bd380a11',
        'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11',
      ])
        expect(uuid(written)).toBe(stored);
      // Not a UUID: kept as it is, for the database to refuse.
      expect(uuid('a0eebc99-9c0b')).toBe('a0eebc99-9c0b');
      expect(uuid(null)).toBe(NULL_TEXT);
    }
    // A text column keeps the case it was given.
    const text = canonicalizerFor(col('t', 'string', { nativeType: 'text' }));
    expect(text('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11')).not.toBe(
      text('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
    );
  });

  it('compares booleans by truth and JSON deeply, and keeps null apart from every text', () => {
    const bool = canonicalizerFor(col('b', 'boolean'));
    expect(bool(true)).toBe(bool(1));
    expect(bool('false')).toBe(bool(0));
    // The largest 4-byte float, as its shortest text and as the float MySQL is sent, is one value.
    const float4 = canonicalizerFor(col('f', 'float', { nativeType: 'float' }), 'mariadb');
    expect(float4(3.4028235e38)).toBe(float4(3.4028234663852886e38));
    expect(float4(-3.4028235e38)).toBe(float4(-3.4028234663852886e38));
    expect(float4(0.1)).not.toBe(float4(0.2));
    // A tinyint(1) or an SQLite BOOLEAN holding 2 is no `true`: a plan must see it differ and rewrite it.
    expect(bool(2)).not.toBe(bool(true));
    expect(bool(-1)).not.toBe(bool(true));
    const json = canonicalizerFor(col('j', 'json'));
    expect(json({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(json(new JsonText('{"b":[1,{"d":3,"c":2}],"a":1}')));
    // A string is a JSON string document, never the document its text spells.
    expect(json('{"a":1}')).not.toBe(json({ a: 1 }));
    expect(json('{"a":1}')).toBe(json(new JsonText('"{\\"a\\":1}"')));
    expect(canonicalizerFor(col('s', 'string'))(null)).toBe(NULL_TEXT);
    expect(canonicalizerFor(col('s', 'string'))('')).not.toBe(NULL_TEXT);
  });

  it('hashes fields apart and fingerprints regardless of order, without duplicates cancelling', () => {
    hashTexts(['ab', 'c']);
    const first = [...ROW_HASH];
    hashTexts(['a', 'bc']);
    expect([...ROW_HASH]).not.toEqual(first);
    // Units are hashed two at a time: an odd one or a trailing NUL still tells texts apart.
    const seen = new Set<string>();
    for (const text of ['a', 'a\u0000', 'ab', 'ba', 'abc', '\u0000a', '\u6261']) {
      hashTexts([text]);
      seen.add(ROW_HASH.join());
    }
    expect(seen.size).toBe(7);
    const a = new FingerprintAccumulator();
    const b = new FingerprintAccumulator();
    const rows = [
      ['1', 'x'],
      ['2', 'y'],
      ['3', 'z'],
    ];
    for (const r of rows) {
      hashTexts(r);
      a.add(ROW_HASH[0]!, ROW_HASH[1]!);
    }
    for (const r of [...rows].reverse()) {
      hashTexts(r);
      b.add(ROW_HASH[0]!, ROW_HASH[1]!);
    }
    expect(a.result()).toEqual(b.result());
    const twice = new FingerprintAccumulator();
    hashTexts(['1', 'x']);
    twice.add(ROW_HASH[0]!, ROW_HASH[1]!);
    twice.add(ROW_HASH[0]!, ROW_HASH[1]!);
    expect(twice.result().sum).not.toBe(new FingerprintAccumulator().result().sum);
  });
});

describe('key comparison across collations', () => {
  it('folds keys of case-insensitive MySQL/MariaDB and SQL Server columns, not PostgreSQL ones', () => {
    expect(keyFoldingOf(col('k', 'string'), 'mariadb')).toBe('uca-case-accents');
    // utf8mb4_bin pads with spaces: `abc` and `abc ` are one key, as in SQL Server under every collation.
    expect(keyFoldingOf(col('k', 'string', { collation: 'utf8mb4_bin' }), 'mysql')).toBe('rtrim');
    expect(keyFoldingOf(col('k', 'string', { collation: 'Latin1_General_BIN2' }), 'mssql')).toBe('rtrim');
    expect(keyFoldingOf(col('k', 'string', { collation: 'French_CS_AS' }), 'mssql')).toBe('rtrim');
    expect(foldKeyText('abc  ', 'rtrim')).toBe(foldKeyText('abc', 'rtrim'));
    // MySQL 8's 0900 collations and MariaDB's nopad ones do not: trailing spaces make another key.
    expect(keyFoldingOf(col('k', 'string', { collation: 'utf8mb4_0900_bin' }), 'mysql')).toBe('exact');
    expect(keyFoldingOf(col('k', 'string', { collation: 'utf8mb4_nopad_bin' }), 'mariadb')).toBe('exact');
    expect(keyFoldingOf(col('k', 'string', { collation: 'binary' }), 'mysql')).toBe('exact');
    const ai = keyFoldingOf(col('k', 'string', { collation: 'utf8mb4_0900_ai_ci' }), 'mysql');
    expect(ai).toBe('uca-case-accents-nopad');
    expect(foldKeyText('Élan', ai)).toBe(foldKeyText('elan', ai));
    expect(foldKeyText('Élan ', ai)).not.toBe(foldKeyText('elan', ai));
    const as = keyFoldingOf(col('k', 'string', { collation: 'utf8mb4_0900_as_ci' }), 'mysql');
    expect(as).toBe('uca-case-nopad');
    expect(foldKeyText('ABC', as)).toBe(foldKeyText('abc', as));
    expect(foldKeyText('abc ', as)).not.toBe(foldKeyText('abc', as));
    expect(foldKeyText('été', as)).not.toBe(foldKeyText('ete', as));
    expect(keyFoldingOf(col('k', 'string', { collation: 'French_CI_AS' }), 'mssql')).toBe('case');
    expect(keyFoldingOf(col('k', 'string'), 'postgres')).toBe('exact');
    expect(keyFoldingOf(col('k', 'integer'), 'mysql')).toBe('exact');
    expect(foldKeyText('Élan ', 'case-accents')).toBe(foldKeyText('elan', 'case-accents'));
    expect(foldKeyText('ABC', 'exact')).not.toBe(foldKeyText('abc', 'exact'));
  });

  // Each pair checked on MariaDB 10.11: `SELECT a = b COLLATE …`.
  it.each([
    ['utf8mb4_unicode_ci', 'ß', 'ss', true],
    ['utf8mb4_unicode_ci', 'x\u200by', 'xy', true],
    ['utf8mb4_unicode_ci', '\ufb00', 'ff', true],
    ['utf8mb4_unicode_ci', 'e\u0301', 'é', true],
    ['utf8mb4_unicode_ci', '\u212b', 'Å', true],
    ['utf8mb4_unicode_ci', 'œ', 'oe', true],
    ['utf8mb4_unicode_ci', '①', '1', true],
    ['utf8mb4_unicode_ci', 'ǅ', 'dž', true],
    ['utf8mb4_unicode_ci', 'Æ', 'ae', false],
    ['utf8mb4_unicode_ci', 'ø', 'o', false],
    ['utf8mb4_unicode_ci', 'đ', 'd', false],
    ['utf8mb4_unicode_nopad_ci', 'ß', 'SS', true],
    ['utf8mb4_general_ci', 'ß', 's', true],
    ['utf8mb4_general_ci', 'ß', 'ss', false],
    ['utf8mb4_general_ci', 'e\u0301', 'é', false],
    ['utf8mb4_general_ci', '\u212b', 'Å', false],
    ['utf8mb4_general_ci', 'Ā', 'a', true],
    ['utf8mb4_general_ci', 'ș', 's', true],
    ['utf8mb4_general_ci', 'Ǆ', 'ǆ', true],
    ['utf8mb4_general_ci', 'ŉ', 'n', false],
    ['utf8mb4_general_ci', 'Æ', 'ae', false],
    ['utf8mb4_general_ci', 'ſ', 's', true],
    ['utf8mb4_general_ci', 'ı', 'i', true],
    ['utf8mb4_general_ci', 'µ', 'μ', true],
    ['utf8mb4_general_ci', 'ά', 'α', true],
    ['utf8mb4_general_ci', 'ё', 'е', true],
    ['utf8mb4_general_ci', 'ẞ', 'ß', false],
    ['utf8mb4_general_ci', '😀', '𝔸', true],
    ['utf8mb4_unicode_ci', '😀', '😁', true],
    ['utf8mb4_unicode_ci', 'ẞ', 'ss', false],
    ['utf8mb4_unicode_ci', 'ẞ', 'ß', false],
    ['utf8mb4_unicode_ci', 'Ꟁ', 'ꟁ', false],
    ['utf8mb4_unicode_ci', 'a\u00adb', 'ab', false],
    ['utf8mb4_unicode_520_ci', 'æ', 'ae', true],
    ['utf8mb4_unicode_520_ci', 'đ', 'd', true],
    ['utf8mb4_unicode_520_ci', 'ł', 'l', true],
    ['utf8mb4_unicode_520_ci', '😀', '😁', false],
  ])('%s: %s and %s are one key: %s', (collation, a, b, same) => {
    const folding = keyFoldingOf(col('k', 'string', { collation }), 'mariadb');
    expect(foldKeyText(a, folding) === foldKeyText(b, folding)).toBe(same);
  });
});

describe('spilling partitions', () => {
  it('restores the rows it spilled, bigint and bytes included, in the order added', () => {
    const store = new PartitionStore(4, 3, 'test');
    const rows: [string, unknown[]][] = [];
    for (let i = 0; i < 20; i++) {
      const row = [i, BigInt(i) * 10n ** 20n, new Uint8Array([i, 255]), { n: i }, null];
      rows.push([`k${i}`, row]);
      store.add(`k${i}`, i, i + 1, row as never);
    }
    expect(store.spilled).toBe(true);
    const seen = new Map<string, unknown[]>();
    for (let p = 0; p < 4; p++) {
      const part = store.load(p);
      for (let i = 0; i < part.keys.length; i++) seen.set(part.keys[i]!, rowAt(part, i)!);
      const numbers = part.keys.map((k) => Number(k.slice(1)));
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    }
    for (const [key, row] of rows) expect(seen.get(key)).toEqual(row);
    store.close();
  });
});

describe('outputs people open', () => {
  it('neutralises spreadsheet formulas in the rejects CSV', () => {
    expect(neutraliseCell('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(neutraliseCell('+33 6')).toBe("'+33 6");
    expect(neutraliseCell('@SUM')).toBe("'@SUM");
    expect(neutraliseCell('plain')).toBe('plain');
  });

  it('shows a NUL character as ␀ in rejects.csv, which rejects.jsonl keeps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stocktake-rejects-nul-'));
    try {
      const files = new RejectsFiles(dir);
      files.write({
        mapping: 'm',
        row: 3,
        key: { id: 3 },
        sourceKey: null,
        field: 'note',
        value: 'a\u0000b',
        reason: 'target: "a\u0000b" holds NUL',
        code: 'REJECT_ENCODING',
      });
      files.close();
      const csv = readFileSync(join(dir, 'rejects.csv'), 'utf8');
      expect(csv).not.toContain('\u0000');
      expect(csv).toContain('a\u2400b');
      expect(JSON.parse(readFileSync(join(dir, 'rejects.jsonl'), 'utf8')).value).toBe('a\u0000b');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('escapes every value in plan.html and forbids scripts', () => {
    const html = renderPlanHtml({
      formatVersion: 1,
      kind: 'plan',
      generatedAt: '2026-01-01T00:00:00.000Z',
      totals: { inserts: 1, updates: 0, deletes: 0, unchanged: 0, rejects: 0 },
      changes: true,
      samplesShown: false,
      tool: { name: 'stocktake', version: '0' },
      mappings: [
        {
          name: '<b>m</b>',
          inserts: 1,
          updates: 0,
          deletes: 0,
          unchanged: 0,
          rejects: 0,
          samples: [
            {
              kind: 'insert',
              key: { id: '<script>alert(1)</script>' },
              changes: [{ field: 'x"', old: null, new: "'><img>" }],
            },
          ],
          mode: 'upsert',
          source: { name: 's', dataset: 'd', columns: [], fingerprint: { rows: 0, sum: '', xor: '' } },
          target: { name: 't', dataset: 'd', columns: [], fingerprint: { rows: 0, sum: '', xor: '' } },
          mappingFingerprint: '',
          targetOnly: 0,
          rejectsByCode: {},
          maxRejects: null,
          maxRejectsExceeded: false,
          dependsOn: [],
          keyComparison: 'exact',
          durationMs: 0,
        },
      ],
    });
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script|<img|<b>m/);
    expect(html).toContain(escapeHtml('<b>m</b>'));
  });
});
