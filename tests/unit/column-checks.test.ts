/**
 * Lossless by default: every way a target column can lose a value (length in characters, UTF-16 units or
 * bytes, charset, decimal scale, float digits, fractional seconds, date ranges, enum and SET members) is
 * a reject with its stable code, and each declared `lossy` step writes the cut, rounded or replaced value.
 */
import { describe, expect, test } from 'vitest';
import { JsonText } from '../../src/connectors/json-text.ts';
import type { Value } from '../../src/connectors/types.ts';
import type { Column, LogicalType } from '../../src/core/inventory.ts';
import type { PlanDocument } from '../../src/core/plan.ts';
import {
  type ColumnCheckOptions,
  compileColumnCheck,
  integerRange,
} from '../../src/mappers/column-checks.ts';
import { narrowingWarnings } from '../../src/mappers/narrowing-warnings.ts';
import { renderPlanHtml } from '../../src/mappers/plan-html.ts';
import { FAILED, type StepFailure } from '../../src/mappers/transforms/transform-types.ts';
import { transformOne } from './mapping-fixtures.ts';

function col(type: LogicalType, nativeType: string, extra: Partial<Column> = {}): Column {
  return { name: 'c', type, nativeType, nullable: true, primaryKey: false, position: 1, ...extra };
}

/** The value written, or `CODE reason` when rejected. */
function check(
  column: Column,
  value: Value,
  targetKind: string,
  lossy?: ColumnCheckOptions['lossy'],
): Value | string {
  const failure: StepFailure = { reason: '', code: 'REJECT_TRANSFORM' };
  const out = compileColumnCheck(column, {
    dataset: 't',
    targetKind,
    ...(lossy !== undefined ? { lossy } : {}),
  })(value, [], failure);
  return out === FAILED ? `${failure.code} ${failure.reason}` : out;
}

describe('text', () => {
  test('characters are code points: an emoji is one character of varchar(n)', () => {
    const v = col('string', 'character varying(3)', { length: 3 });
    expect(check(v, 'a😀b', 'postgres')).toBe('a😀b');
    expect(check(v, 'a😀bc', 'postgres')).toBe(
      'REJECT_TOO_LONG is 4 characters long; t.c (character varying(3)) holds 3',
    );
    expect(check(v, 'a😀bc', 'postgres', ['truncate'])).toBe('a😀b');
    // A cut never keeps a letter without its combining accent, nor half an emoji sequence.
    expect(check(v, 'e\u0301e\u0301e\u0301', 'postgres', ['truncate'])).toBe('e\u0301');
    expect(check(v, 'ab👍🏽', 'postgres', ['truncate'])).toBe('ab');
    expect(check(v, 'ab🇫🇷', 'postgres', ['truncate'])).toBe('ab');
    expect(
      check(col('string', 'character varying(2)', { length: 2 }), '👨‍👩‍👧', 'postgres', ['truncate']),
    ).toBe('');
    expect(check(v, 'a🏴󠁧󠁢󠁥󠁮󠁧󠁿', 'postgres', ['truncate'])).toBe('a');
    expect(check(col('string', 'nvarchar(3)', { length: 3 }), 'ae\u0301e', 'mssql', ['truncate'])).toBe(
      'ae\u0301',
    );
    // `round` alone does not accept a cut text.
    expect(check(v, 'abcd', 'postgres', ['round'])).toMatch(/^REJECT_TOO_LONG/);
  });

  test('integers past 2^53 are compared with the range exactly; a bit(1) string is a flag', () => {
    // A REAL 9.2233720368547758e18 in an SQLite INTEGER column is 2^63: one past bigint.
    expect(check(col('integer', 'bigint'), 2 ** 63, 'postgres')).toMatch(/^REJECT_OUT_OF_RANGE/);
    expect(check(col('integer', 'bigint'), 2 ** 62, 'postgres')).toBe(2n ** 62n);
    const flag = compileColumnCheck(col('boolean', 'boolean'), {
      dataset: 't',
      targetKind: 'postgres',
      bitString: true,
    });
    const failure: StepFailure = { reason: '', code: 'REJECT_TRANSFORM' };
    expect([flag('1', [], failure), flag('0', [], failure)]).toEqual([true, false]);
    expect(check(col('boolean', 'boolean'), '1', 'postgres')).toMatch(/^REJECT_TYPE/);
  });

  test('binary: no more bytes than the column holds; MySQL BINARY(n) padded as it pads', () => {
    const bytes = new Uint8Array([0x61, 0x62]);
    expect(check(col('binary', 'binary(4)', { length: 4 }), bytes, 'mariadb')).toEqual(
      new Uint8Array([0x61, 0x62, 0, 0]),
    );
    expect(check(col('binary', 'varbinary(4)', { length: 4 }), bytes, 'mariadb')).toEqual(bytes);
    const five = new Uint8Array([1, 2, 3, 4, 5]);
    expect(check(col('binary', 'binary(4)', { length: 4 }), five, 'mariadb')).toBe(
      'REJECT_TOO_LONG is longer than t.c (binary(4)) holds: 4 bytes',
    );
    expect(check(col('binary', 'binary(4)', { length: 4 }), five, 'mariadb', ['truncate'])).toEqual(
      new Uint8Array([1, 2, 3, 4]),
    );
    expect(check(col('binary', 'bytea'), five, 'postgres')).toEqual(five);
  });

  test('SQLite enforces no length: the declared one is checked all the same', () => {
    expect(check(col('string', 'VARCHAR(5)', { length: 5 }), 'Générale', 'sqlite')).toMatch(
      /^REJECT_TOO_LONG is 8 characters long/,
    );
  });

  test('SQL Server nvarchar(n) counts UTF-16 units, varchar(n) with a UTF-8 collation bytes', () => {
    const n = col('string', 'nvarchar(3)', { length: 3 });
    expect(check(n, 'ab😀', 'mssql')).toBe(
      'REJECT_TOO_LONG is 4 UTF-16 units long; t.c (nvarchar(3)) holds 3',
    );
    expect(check(n, 'ab😀', 'mssql', ['truncate'])).toBe('ab');
    const utf8 = col('string', 'varchar(4)', { length: 4, collation: 'Latin1_General_100_CI_AS_SC_UTF8' });
    expect(check(utf8, 'été', 'mssql')).toBe(
      'REJECT_TOO_LONG is 5 bytes long in utf8; t.c (varchar(4)) holds 4 bytes',
    );
    expect(check(utf8, 'été', 'mssql', ['truncate'])).toBe('ét');
    expect(check(utf8, 'abcd', 'mssql')).toBe('abcd');
  });

  test('MySQL TEXT types are limited in bytes of their charset', () => {
    const tiny = col('string', 'tinytext', { charset: 'utf8mb4' });
    expect(check(tiny, 'é'.repeat(127), 'mariadb')).toBe('é'.repeat(127));
    expect(check(tiny, 'é'.repeat(128), 'mariadb')).toBe(
      'REJECT_TOO_LONG is 256 bytes long in utf8mb4; t.c (tinytext) holds 255 bytes',
    );
    expect(check(tiny, 'é'.repeat(128), 'mariadb', ['truncate'])).toBe('é'.repeat(127));
    expect(check(col('string', 'tinytext', { charset: 'latin1' }), 'é'.repeat(255), 'mysql')).toBe(
      'é'.repeat(255),
    );
  });

  test('charsets: utf8mb3 holds no emoji, latin1 holds cp1252, replace writes ?', () => {
    const mb3 = col('string', 'varchar(20)', { length: 20, charset: 'utf8mb3' });
    expect(check(mb3, 'Zoë ☕', 'mariadb')).toBe('Zoë ☕');
    expect(check(mb3, 'ok 😀', 'mariadb')).toBe(
      'REJECT_ENCODING holds U+1F600, which t.c (varchar(20), utf8mb3) cannot store',
    );
    expect(check(mb3, 'ok 😀!', 'mariadb', ['replace'])).toBe('ok ?!');
    const latin1 = col('string', 'varchar(20)', { length: 20, charset: 'latin1' });
    expect(check(latin1, 'Œuvre – 10 €', 'mysql')).toBe('Œuvre – 10 €');
    expect(check(latin1, 'Łódź', 'mysql')).toBe(
      'REJECT_ENCODING holds U+0141, which t.c (varchar(20), latin1) cannot store',
    );
    expect(check(latin1, 'Łódź', 'mysql', ['replace'])).toBe('?ód?');
    expect(check(col('string', 'varchar(9)', { length: 9, charset: 'utf8mb4' }), '😀', 'mysql')).toBe('😀');
    // SQL Server varchar holds its collation's code page; nvarchar holds everything.
    const cp = col('string', 'varchar(10)', { length: 10, collation: 'French_CI_AS' });
    expect(check(cp, 'Ωmega', 'mssql')).toMatch(/^REJECT_ENCODING holds U\+03A9.*cp1252/);
    expect(
      check(col('string', 'nvarchar(10)', { length: 10, collation: 'French_CI_AS' }), 'Ωmega', 'mssql'),
    ).toBe('Ωmega');
    // SQL collations: CP1 is code page 1252, whose accented letters take one byte each.
    const sqlCp1 = col('string', 'varchar(5)', { length: 5, collation: 'SQL_Latin1_General_CP1_CI_AS' });
    expect(check(sqlCp1, 'été€é', 'mssql')).toBe('été€é');
    expect(check(sqlCp1, 'Ωmega', 'mssql')).toMatch(/^REJECT_ENCODING holds U\+03A9.*cp1252/);
    // CP850 and CP437, read by iconv-lite.
    const cp850 = col('string', 'varchar(5)', { length: 5, collation: 'SQL_Latin1_General_CP850_CI_AS' });
    expect(check(cp850, 'ÉÇü╬ß', 'mssql')).toBe('ÉÇü╬ß');
    expect(check(cp850, '€uro', 'mssql')).toMatch(/^REJECT_ENCODING holds U\+20AC.*cp850/);
    const dos = col('string', 'varchar(5)', { length: 5, charset: 'dos' });
    expect(check(dos, 'ÉÇ╬', 'mysql')).toBe('ÉÇ╬');
    expect(check(dos, 'Œ', 'mysql')).toMatch(/^REJECT_ENCODING holds U\+0152/);
    // A code page stocktake does not know: the limit is counted in characters, not in UTF-8 bytes.
    const japanese = col('string', 'varchar(4)', { length: 4, collation: 'Japanese_CI_AS' });
    expect(check(japanese, '日本語', 'mssql')).toBe('日本語');
  });

  test('PostgreSQL text holds no NUL character', () => {
    const t = col('string', 'text');
    expect(check(t, 'a\u0000b', 'postgres')).toBe(
      'REJECT_ENCODING holds U+0000, which t.c (text) cannot store',
    );
    expect(check(t, 'a\u0000b', 'postgres', ['replace'])).toBe('a?b');
    expect(check(t, 'a\u0000b', 'sqlite')).toBe('a\u0000b');
  });

  test('an SQLite text column of numeric affinity (STRING, UUID) refuses a text SQLite would store as a number', () => {
    for (const declared of ['STRING', 'UUID', 'ENUM', 'LONG']) {
      const c = col('string', declared);
      expect(check(c, '01000', 'sqlite')).toBe(
        `REJECT_TYPE would be stored as the number 1000 by t.c (${declared}), whose SQLite affinity is NUMERIC, not TEXT; declare the column TEXT`,
      );
      expect(check(c, '1e5', 'sqlite')).toMatch(/^REJECT_TYPE would be stored as the number 100000 /);
      expect(check(c, '12.50', 'sqlite')).toMatch(/^REJECT_TYPE would be stored as the number 12\.5 /);
      // Read back as the same text: nothing is lost.
      expect(check(c, '1000', 'sqlite')).toBe('1000');
      expect(check(c, '12.5', 'sqlite')).toBe('12.5');
      expect(check(c, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'sqlite')).toBe(
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      );
      expect(check(c, 'Paris', 'sqlite')).toBe('Paris');
    }
    // TEXT affinity and no declared type (BLOB affinity) keep every text as it is.
    for (const declared of ['TEXT', 'VARCHAR(9)', 'NVARCHAR2(9)', '', '(none)'])
      expect(check(col('string', declared), '01000', 'sqlite')).toBe('01000');
    // Other databases do not convert.
    expect(check(col('string', 'STRING'), '01000', 'postgres')).toBe('01000');
  });

  test('replace then length: the replaced text is measured', () => {
    const mb3 = col('string', 'varchar(3)', { length: 3, charset: 'utf8mb3' });
    expect(check(mb3, '😀😀😀😀', 'mariadb', ['replace'])).toMatch(/^REJECT_TOO_LONG is 4 characters/);
    expect(check(mb3, '😀😀😀😀', 'mariadb', ['replace', 'truncate'])).toBe('???');
    expect(check(mb3, '😀😀😀😀', 'mariadb', true)).toBe('???');
  });
});

describe('numbers', () => {
  test('decimals beyond the scale: REJECT_PRECISION, or rounded half away from zero', () => {
    const d = col('decimal', 'numeric(6,2)', { precision: 6, scale: 2 });
    expect(check(d, '1.005', 'postgres')).toBe('REJECT_PRECISION has 3 decimals; t.c (numeric(6,2)) keeps 2');
    expect(check(d, '1.005', 'postgres', ['round'])).toBe('1.01');
    expect(check(d, '-1.005', 'postgres', ['round'])).toBe('-1.01');
    expect(check(d, '1.005', 'postgres', ['truncate'])).toMatch(/^REJECT_PRECISION/);
    expect(check(d, '9999.995', 'postgres', ['round'])).toBe(
      'REJECT_OUT_OF_RANGE is too large for t.c (numeric(6,2))',
    );
  });

  test('SQLite NUMERIC: whole numbers within 64 bits exactly, other values only when a double holds them', () => {
    const d = col('decimal', 'NUMERIC(20,2)', { precision: 20, scale: 2 });
    // A whole number goes without its zero fraction, so SQLite keeps it as an INTEGER, not through a float.
    expect(check(d, '12345678901234567.00', 'sqlite')).toBe('12345678901234567');
    expect(check(d, 12345678901234567n, 'sqlite')).toBe('12345678901234567');
    expect(check(d, '0.10', 'sqlite')).toBe('0.1');
    expect(check(d, '123456789012345.6', 'sqlite')).toBe('123456789012345.6');
    expect(check(d, '12345678901234567.89', 'sqlite')).toBe(
      'REJECT_PRECISION has more digits than SQLite keeps in t.c (NUMERIC(20,2)): a NUMERIC value is exact only as a whole number within 64 bits, otherwise an 8-byte float (about 15 to 17 significant digits)',
    );
    expect(check(d, '12345678901234567.89', 'sqlite', ['round'])).toBe('12345678901234568');
    expect(check(d, '1234567890123456.7', 'sqlite')).toMatch(/^REJECT_PRECISION/);
    expect(check(d, '12345678901234567.89', 'postgres')).toBe('12345678901234567.89');
    const wide = col('decimal', 'DECIMAL(30,0)', { precision: 30, scale: 0 });
    expect(check(wide, '9223372036854775807', 'sqlite')).toBe('9223372036854775807');
    expect(check(wide, '99999999999999999999', 'sqlite')).toMatch(/^REJECT_PRECISION/);
    expect(check(wide, '100000000000000000000', 'sqlite')).toBe('100000000000000000000');
  });

  test('doubles: integers beyond 2^53 and over-precise decimals are rejected, or rounded', () => {
    const f = col('float', 'double precision');
    expect(check(f, 9007199254740993n, 'postgres')).toMatch(/^REJECT_PRECISION has more significant digits/);
    expect(check(f, 9007199254740993n, 'postgres', ['round'])).toBe(9007199254740992);
    expect(check(f, 9007199254740992n, 'postgres')).toBe(9007199254740992);
    expect(check(f, '0.1', 'postgres')).toBe(0.1);
    expect(check(f, '0.12345678901234567890', 'postgres')).toMatch(/^REJECT_PRECISION/);
    expect(check(f, 1.5, 'sqlite')).toBe(1.5);
    expect(check(f, '1e400', 'postgres')).toMatch(/^REJECT_OUT_OF_RANGE/);
    // Scientific notation is a number: a CSV's `1e308` or `1.5E-10`; `-0` is zero.
    expect(check(f, '1e308', 'postgres')).toBe(1e308);
    expect(check(f, '1.5E-10', 'mariadb')).toBe(1.5e-10);
    expect(check(f, '-0', 'mariadb')).toBe(0);
    expect(check(col('decimal', 'numeric(10,4)', { precision: 10, scale: 4 }), '2.5e3', 'postgres')).toBe(
      '2500',
    );
    expect(check(col('decimal', 'numeric(10,4)', { precision: 10, scale: 4 }), '1.5E-5', 'postgres')).toMatch(
      /^REJECT_PRECISION/,
    );
    expect(check(f, '1.50', 'postgres')).toBe(1.5);
  });

  test('4-byte floats keep about 7 digits: a value is kept when it reads back the same', () => {
    const real = col('float', 'real');
    expect(check(real, 0.1, 'postgres')).toBe(0.1);
    expect(check(real, '1234.56', 'postgres')).toBe(1234.56);
    expect(check(real, 0.123456789, 'postgres')).toBe(
      'REJECT_PRECISION has more significant digits than t.c (real) keeps (a 4-byte float: about 7)',
    );
    expect(check(real, 0.123456789, 'postgres', ['round'])).toBe(0.12345679);
    expect(check(real, 16777217, 'postgres')).toMatch(/^REJECT_PRECISION/);
    expect(check(real, 1e39, 'postgres', ['round'])).toMatch(/^REJECT_OUT_OF_RANGE/);
    // MySQL's FLOAT is 4 bytes, its REAL a double; SQLite's REAL always 8 bytes.
    expect(check(col('float', 'float'), 0.123456789, 'mariadb')).toMatch(/^REJECT_PRECISION/);
    // A MySQL/MariaDB FLOAT is read as the float it holds, not as the 6 digits the server prints.
    expect(check(col('float', 'float'), 0.1234567, 'mariadb')).toBe(0.1234567);
    expect(check(col('float', 'float'), 16777216, 'mysql')).toBe(16777216);
    expect(check(col('float', 'float'), 16777217, 'mysql', ['round'])).toBe(16777216);
    expect(check(col('float', 'float'), 1234.5, 'mariadb')).toBe(1234.5);
    expect(check(col('float', 'double'), 0.123456789, 'mariadb')).toBe(0.123456789);
    expect(check(col('float', 'REAL'), 0.123456789, 'sqlite')).toBe(0.123456789);
  });

  test('a MySQL CHAR drops trailing spaces: a value ending in them is refused unless truncate is accepted', () => {
    const char = col('string', 'char(10)', { length: 10 });
    expect(check(char, 'a  ', 'mariadb')).toBe(
      'REJECT_TOO_LONG ends in spaces, which t.c (char(10)) drops: a MySQL CHAR column keeps no trailing space (trim the field, or accept it with lossy: [truncate])',
    );
    expect(check(char, 'a  ', 'mysql', ['truncate'])).toBe('a');
    expect(check(char, ' a', 'mariadb')).toBe(' a');
    // PostgreSQL's character(n) pads and compares without them: nothing is lost.
    expect(check(col('string', 'character(10)', { length: 10 }), 'a  ', 'postgres')).toBe('a  ');
    expect(check(col('string', 'varchar(10)', { length: 10 }), 'a  ', 'mariadb')).toBe('a  ');
  });

  test('the largest 4-byte float, written as its shortest text, fits: sent as the float itself', () => {
    // 3.4028235e38 is a hair above 3.4028234663852886e38 as a double; MariaDB refuses the text, not the float.
    expect(check(col('float', 'float'), '3.4028235e38', 'mariadb')).toBe(3.4028234663852886e38);
    expect(check(col('float', 'float'), -3.4028235e38, 'mariadb')).toBe(-3.4028234663852886e38);
    expect(check(col('float', 'real'), '3.4028235e38', 'postgres')).toBe(3.4028234663852886e38);
    expect(check(col('float', 'float'), '3.5e38', 'mariadb')).toMatch(/^REJECT_OUT_OF_RANGE/);
  });
});

describe('dates past the year 9999', () => {
  test('are out of range where the column stops at 9999, written as they are into PostgreSQL', () => {
    expect(check(col('date', 'date'), '294276-01-01', 'mariadb')).toBe(
      'REJECT_OUT_OF_RANGE is past the year 9999, which t.c (date) cannot hold',
    );
    expect(check(col('timestamp', 'DATETIME'), '12345-06-07T00:00:00', 'sqlite')).toMatch(
      /^REJECT_OUT_OF_RANGE is past the year 9999/,
    );
    expect(check(col('date', 'date'), '294276-01-01', 'postgres')).toBe('294276-01-01');
    expect(
      check(col('timestamp', 'timestamp without time zone'), '294277-01-01T00:00:00', 'postgres'),
    ).toMatch(/^REJECT_OUT_OF_RANGE/);
  });
});

describe('dates and times', () => {
  test('fractional seconds beyond the column: REJECT_PRECISION, cut or rounded with a carry', () => {
    const ts0 = col('timestamp', 'timestamp(0) without time zone');
    expect(check(ts0, '2024-03-12T10:00:05Z', 'postgres')).toBe('2024-03-12T10:00:05Z');
    expect(check(ts0, '2024-03-12T10:00:05.000Z', 'postgres')).toBe('2024-03-12T10:00:05.000Z');
    expect(check(ts0, '2024-03-12T10:00:05.5Z', 'postgres')).toBe(
      'REJECT_PRECISION has 1 fraction digits; t.c (timestamp(0) without time zone) keeps whole seconds',
    );
    expect(check(ts0, '2024-03-12T10:00:05.5Z', 'postgres', ['truncate'])).toBe('2024-03-12T10:00:05Z');
    expect(check(ts0, '2024-12-31T23:59:59.5Z', 'postgres', ['round'])).toBe('2025-01-01T00:00:00Z');
    const my = col('timestamp', 'datetime(3)', { precision: 3 });
    expect(check(my, '2024-03-12T10:00:05.1234+02:00', 'mariadb')).toMatch(
      /^REJECT_PRECISION has 4 fraction/,
    );
    expect(check(my, '2024-03-12T10:00:05.1235+02:00', 'mariadb', ['round'])).toBe(
      '2024-03-12T10:00:05.124+02:00',
    );
    // MySQL DATETIME without digits keeps whole seconds; PostgreSQL's default is 6.
    expect(check(col('timestamp', 'datetime'), '2024-03-12T10:00:05.25Z', 'mysql')).toMatch(
      /^REJECT_PRECISION/,
    );
    expect(
      check(col('timestamp', 'timestamp with time zone'), '2024-03-12T10:00:05.123456Z', 'postgres'),
    ).toBe('2024-03-12T10:00:05.123456Z');
    expect(
      check(col('timestamp', 'timestamp with time zone'), '2024-03-12T10:00:05.1234567Z', 'postgres'),
    ).toMatch(/^REJECT_PRECISION has 7/);
    expect(check(col('time', 'time(0) without time zone'), '23:59:59.7', 'postgres', ['round'])).toBe(
      '00:00:00',
    );
    expect(check(col('timestamp', 'TIMESTAMP'), '2024-03-12T10:00:05.123456789Z', 'sqlite')).toBe(
      '2024-03-12T10:00:05.123456789Z',
    );
  });

  test('SQL Server datetime keeps 1/300 s and smalldatetime whole minutes', () => {
    const dt = col('timestamp', 'datetime');
    expect(check(dt, '2024-03-12T10:00:05.997', 'mssql')).toBe('2024-03-12T10:00:05.997');
    // .123 is 37 ticks, which SQL Server writes back as .123: no loss.
    expect(check(dt, '2024-03-12T10:00:05.123', 'mssql')).toBe('2024-03-12T10:00:05.123');
    expect(check(dt, '2024-03-12T10:00:05.125', 'mssql')).toBe(
      'REJECT_PRECISION has 3 fraction digits; t.c (datetime) keeps 1/300 s (.000, .003, .007)',
    );
    expect(check(dt, '2024-03-12T10:00:05.125', 'mssql', ['round'])).toBe('2024-03-12T10:00:05.127');
    expect(check(dt, '2024-03-12T10:00:05.125', 'mssql', ['truncate'])).toBe('2024-03-12T10:00:05.123');
    expect(check(dt, '2024-03-12T10:00:05.999', 'mssql', ['round'])).toBe('2024-03-12T10:00:06');
    const small = col('timestamp', 'smalldatetime');
    expect(check(small, '2024-03-12T10:00:00', 'mssql')).toBe('2024-03-12T10:00:00');
    expect(check(small, '2024-03-12T10:00:31', 'mssql')).toBe(
      'REJECT_PRECISION has seconds; t.c (smalldatetime) keeps whole minutes',
    );
    expect(check(small, '2024-03-12T10:00:31', 'mssql', ['round'])).toBe('2024-03-12T10:01:00');
    expect(check(small, '2024-03-12T10:00:31', 'mssql', ['truncate'])).toBe('2024-03-12T10:00:00');
  });

  test('times: a MySQL/MariaDB TIME is a duration of ±838:59:59, PostgreSQL time ends at 24:00:00', () => {
    const time = col('time', 'time(6)');
    for (const text of ['838:59:59', '-01:00:00', '24:00:00', '100:30:00.5', '-838:59:59'])
      expect(check(time, text, 'mariadb')).toBe(text);
    expect(check(time, '839:00:00', 'mariadb')).toMatch(/^REJECT_TYPE .*-838:59:59 to 838:59:59/);
    expect(check(time, '24:00:00', 'postgres')).toBe('24:00:00');
    expect(check(time, '24:00:01', 'postgres')).toMatch(/^REJECT_TYPE/);
    expect(check(time, '-01:00:00', 'postgres')).toMatch(/^REJECT_TYPE/);
    expect(check(time, '24:00:00', 'sqlite')).toMatch(/^REJECT_TYPE/);
    // PostgreSQL's time with time zone holds an offset, taken as PostgreSQL writes it (which settles).
    const timetz = col('time', 'time with time zone');
    for (const text of ['12:34:56+02', '08:00:00.5-05:30', '00:00:00+00', '24:00:00-01'])
      expect(check(timetz, text, 'postgres')).toBe(text);
    for (const text of ['12:34:56+16', '08:15Z', '12:00', '12:00:00+02:00', '08:00:00.50+01'])
      expect(check(timetz, text, 'postgres'), text).toMatch(/^REJECT_TYPE .*12:34:56\+02/);
    expect(check(time, '12:34:56+02', 'postgres')).toMatch(/^REJECT_TYPE/);
  });

  test('text with a leading zero is refused by a number column, which would drop it', () => {
    const text = (column: Column, value: Value, valueType: ColumnCheckOptions['valueType'] = 'string') => {
      const failure: StepFailure = { reason: '', code: 'REJECT_TRANSFORM' };
      const out = compileColumnCheck(column, { dataset: 't', targetKind: 'postgres', valueType })(
        value,
        [],
        failure,
      );
      return out === FAILED ? `${failure.code} ${failure.reason}` : out;
    };
    const int = col('integer', 'integer');
    expect(text(int, '01000')).toBe(
      'REJECT_TYPE has a leading zero that t.c (integer) would drop, as a code such as a postal code or a SIRET is text: map it into a text column, or convert it with the integer transform to store the number',
    );
    expect(text(int, '-007')).toMatch(/^REJECT_TYPE has a leading zero/);
    expect(text(int, '0')).toBe(0);
    expect(text(int, '1000')).toBe(1000);
    const numeric = col('decimal', 'numeric(10,2)', { precision: 10, scale: 2 });
    expect(text(numeric, '007.50')).toMatch(/^REJECT_TYPE has a leading zero .*the number transform/);
    expect(text(numeric, '0.50')).toBe('0.5');
    expect(text(numeric, '-0.5')).toBe('-0.5');
    // A number column's own text (a MariaDB ZEROFILL decimal, a CSV column read as decimal) is a number.
    expect(text(numeric, '000012.50', 'decimal')).toBe('12.5');
    expect(text(int, '0042', 'integer')).toBe(42);
  });

  test('PostgreSQL holds NaN, infinities and dates before Christ; the other databases refuse them', () => {
    const real = col('float', 'real');
    expect(check(real, Number.NaN, 'postgres')).toBeNaN();
    expect(check(real, Number.NEGATIVE_INFINITY, 'postgres')).toBe(Number.NEGATIVE_INFINITY);
    expect(check(real, 'Infinity', 'postgres')).toBe(Number.POSITIVE_INFINITY);
    expect(check(real, '-Infinity', 'postgres')).toBe(Number.NEGATIVE_INFINITY);
    // Only as PostgreSQL writes them: another spelling would be stored as PostgreSQL's and never settle.
    for (const text of ['infinity', 'inf', 'nan', '+Infinity'])
      expect(check(real, text, 'postgres')).toMatch(/^REJECT_TYPE/);
    for (const text of ['inf', 'nan', 'NAN'])
      expect(check(col('decimal', 'numeric'), text, 'postgres')).toMatch(/^REJECT_TYPE/);
    expect(check(real, Number.NaN, 'mariadb')).toBe('REJECT_TYPE is not a number (t.c is real)');
    expect(check(col('float', 'float'), Number.POSITIVE_INFINITY, 'mssql')).toMatch(/^REJECT_TYPE/);
    const numeric = col('decimal', 'numeric');
    expect(check(numeric, 'NaN', 'postgres')).toBe('NaN');
    expect(check(numeric, '-Infinity', 'postgres')).toBe('-Infinity');
    expect(check(numeric, Number.NaN, 'postgres')).toBe('NaN');
    const fixed = col('decimal', 'numeric(10,2)', { precision: 10, scale: 2 });
    expect(check(fixed, 'NaN', 'postgres')).toBe('NaN');
    expect(check(fixed, 'Infinity', 'postgres')).toMatch(/^REJECT_TYPE/);
    expect(check(numeric, 'NaN', 'mariadb')).toMatch(/^REJECT_TYPE/);
    const ts = col('timestamp', 'timestamp without time zone');
    for (const text of ['infinity', '-infinity', '1999-12-31T12:00:00 BC', '0044-03-15T00:00:00.5 BC'])
      expect(check(ts, text, 'postgres')).toBe(text);
    expect(check(ts, '1999-12-31 12:00:00 BC', 'postgres')).toMatch(/^REJECT_TYPE/);
    expect(check(col('date', 'date'), '0044-03-15 BC', 'postgres')).toBe('0044-03-15 BC');
    expect(check(col('date', 'date'), 'infinity', 'postgres')).toBe('infinity');
    expect(check(ts, 'infinity', 'mariadb')).toMatch(/^REJECT_TYPE/);
    expect(check(col('date', 'date'), '0044-03-15 BC', 'sqlite')).toMatch(/^REJECT_TYPE/);
  });

  test('ranges: MySQL DATETIME and TIMESTAMP, SQL Server datetime and smalldatetime, PostgreSQL year 1', () => {
    expect(check(col('date', 'date'), '0999-12-31', 'mariadb')).toBe(
      'REJECT_OUT_OF_RANGE is outside the range of t.c (date: 1000-01-01 to 9999-12-31)',
    );
    expect(check(col('date', 'date'), '1000-01-01', 'mariadb')).toBe('1000-01-01');
    const ts = col('timestamp', 'timestamp');
    expect(check(ts, '2038-01-19T03:14:07Z', 'mariadb')).toBe('2038-01-19T03:14:07Z');
    expect(check(ts, '2038-01-19T03:14:08Z', 'mariadb')).toMatch(
      /^REJECT_OUT_OF_RANGE .*2038-01-19 03:14:07 UTC/,
    );
    // The bound is in UTC: 05:14 at +02:00 is 03:14 UTC.
    expect(check(ts, '2038-01-19T05:14:07+02:00', 'mariadb')).toBe('2038-01-19T05:14:07+02:00');
    expect(check(ts, '1970-01-01T00:00:00Z', 'mariadb')).toMatch(/^REJECT_OUT_OF_RANGE/);
    expect(check(col('timestamp', 'datetime'), '1752-12-31T23:59:59', 'mssql')).toMatch(
      /^REJECT_OUT_OF_RANGE/,
    );
    expect(check(col('timestamp', 'datetime2(7)'), '0001-01-01T00:00:00', 'mssql')).toBe(
      '0001-01-01T00:00:00',
    );
    expect(check(col('timestamp', 'smalldatetime'), '2079-06-07T00:00:00', 'mssql')).toMatch(
      /^REJECT_OUT_OF_RANGE/,
    );
    expect(check(col('date', 'date'), '0000-06-01', 'postgres')).toMatch(/^REJECT_OUT_OF_RANGE/);
    expect(check(col('date', 'date'), '0000-06-01', 'sqlite')).toBe('0000-06-01');
  });
});

describe('enums and sets', () => {
  test('a MySQL SET takes any combination of its members', () => {
    const set = col('string', "set('vip','b2b','late')", { enumValues: ['vip', 'b2b', 'late'], array: true });
    expect(check(set, 'vip,late', 'mariadb')).toBe('vip,late');
    expect(check(set, '', 'mariadb')).toBe('');
    expect(check(set, 'vip,gold', 'mariadb')).toBe(
      'REJECT_NOT_ALLOWED is not one of the values of t.c (vip, b2b, late)',
    );
    const enumeration = col('string', "enum('a','b')", { enumValues: ['a', 'b'] });
    expect(check(enumeration, 'a,b', 'mariadb')).toMatch(/^REJECT_NOT_ALLOWED/);
  });
});

describe('narrowing warnings', () => {
  const dataset = (name: string, columns: Column[]) => ({
    name,
    kind: 'table' as const,
    rowCount: 0,
    rowCountExact: true,
    columns,
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
  });
  const prepared = (fields: Record<string, unknown>, sourceKind = 'postgres') =>
    ({
      index: 3,
      config: { name: 'm', fields },
      source: {
        name: 'crm',
        kind: sourceKind,
        dataset: dataset('public.customers', [
          { ...col('string', 'character varying(200)', { length: 200 }), name: 'name' },
          { ...col('decimal', 'numeric(12,4)', { precision: 12, scale: 4 }), name: 'amount' },
          { ...col('timestamp', 'timestamp(6) without time zone'), name: 'created' },
          { ...col('integer', 'bigint'), name: 'big' },
          { ...col('string', 'character varying(20)', { length: 20 }), name: 'code' },
        ]),
      },
      target: {
        name: 'newtool',
        kind: 'mariadb',
        dataset: dataset('app.contacts', [
          { ...col('string', 'varchar(50)', { length: 50, charset: 'latin1' }), name: 'name' },
          { ...col('decimal', 'decimal(10,2)', { precision: 10, scale: 2 }), name: 'amount' },
          { ...col('timestamp', 'datetime'), name: 'created' },
          { ...col('integer', 'int'), name: 'big' },
          { ...col('float', 'double'), name: 'ratio' },
          { ...col('string', 'varchar(20)', { length: 20, charset: 'utf8mb4' }), name: 'code' },
        ]),
      },
    }) as unknown as Parameters<typeof narrowingWarnings>[0];

  test('fields copied into a narrower column are listed with their config path', () => {
    const warnings = narrowingWarnings(
      prepared({ name: {}, amount: {}, created: {}, big: {}, ratio: { from: 'big' }, code: {} }),
    );
    expect(warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'mappings[3].fields.name: public.customers.name (character varying(200)) → app.contacts.name (varchar(50)): texts up to 200 characters, the target holds 50',
      'mappings[3].fields.name: public.customers.name (character varying(200)) → app.contacts.name (varchar(50)): Unicode text into latin1, which cannot hold every character',
      'mappings[3].fields.amount: public.customers.amount (numeric(12,4)) → app.contacts.amount (decimal(10,2)): 4 decimals, the target keeps 2',
      'mappings[3].fields.created: public.customers.created (timestamp(6) without time zone) → app.contacts.created (datetime): 6 fraction digits of a second, the target keeps 0',
      'mappings[3].fields.big: public.customers.big (bigint) → app.contacts.big (int): integers from -9223372036854775808 to 9223372036854775807, the target holds -2147483648 to 2147483647',
      'mappings[3].fields.ratio: public.customers.big (bigint) → app.contacts.ratio (double): 19 significant digits, the target keeps about 15',
    ]);
    expect(new Set(warnings.map((w) => w.code))).toEqual(new Set(['MAP_TARGET_NARROWER']));
  });

  test("MySQL's YEAR holds 0 and 1901 to 2155: into a smallint or an int, nothing is narrower", () => {
    expect(integerRange(col('integer', 'year(4)'), 'mariadb')).toEqual([0n, 2155n]);
    const year = {
      ...prepared({ big: {} }, 'mariadb'),
      source: {
        name: 'crm',
        kind: 'mariadb',
        dataset: dataset('crm.events', [{ ...col('integer', 'year(4)'), name: 'big' }]),
      },
    } as unknown as Parameters<typeof narrowingWarnings>[0];
    expect(narrowingWarnings(year)).toEqual([]);
  });

  test('a file declares no sizes: only its text, Unicode, is narrower than a latin1 column', () => {
    const warnings = narrowingWarnings(
      prepared({ name: {}, amount: {}, big: {}, ratio: { from: 'big' } }, 'csv'),
    );
    expect(warnings.map((w) => w.message.replace(/^.*: /, ''))).toEqual([
      'texts up to 200 characters, the target holds 50',
      'Unicode text into latin1, which cannot hold every character',
      '4 decimals, the target keeps 2',
    ]);
  });

  test('a declared loss or a transform silences the warning; a range never is a declared loss', () => {
    const warnings = narrowingWarnings(
      prepared({
        name: { lossy: ['truncate', 'replace'] },
        amount: { lossy: ['round'] },
        created: { transform: ['trim'] },
        big: { lossy: true },
      }),
    );
    expect(warnings.map((w) => w.path)).toEqual(['mappings[3].fields.big']);
  });

  test('date-times between a column with a time zone and one without are listed, unless a transform converts them', () => {
    const zoned = (
      sourceType: string,
      targetType: string,
      targetKind: string,
      fields: Record<string, unknown>,
    ) =>
      narrowingWarnings({
        index: 0,
        config: { name: 'm', fields },
        source: {
          name: 'crm',
          kind: 'postgres',
          dataset: dataset('s', [{ ...col('timestamp', sourceType), name: 'at' }]),
        },
        target: {
          name: 't',
          kind: targetKind,
          dataset: dataset('t', [{ ...col('timestamp', targetType), name: 'at' }]),
        },
      } as unknown as Parameters<typeof narrowingWarnings>[0])
        .filter((w) => w.code === 'MAP_TIME_ZONE_SHIFT')
        .map((w) => `${w.code} ${w.message}`);
    expect(zoned('timestamp with time zone', 'datetime', 'mariadb', { at: {} })).toEqual([
      'MAP_TIME_ZONE_SHIFT s.at (timestamp with time zone) → t.at (datetime): instants into a column without a time zone are written as UTC wall-clock times; for the local times of a zone, add { datetime: { zone: Europe/Paris, local: true } }',
    ]);
    expect(zoned('timestamp without time zone', 'timestamp', 'mariadb', { at: {} })).toEqual([
      'MAP_TIME_ZONE_SHIFT s.at (timestamp without time zone) → t.at (timestamp): date-times without an offset are written as UTC instants; if they are local times, add { datetime: { zone: Europe/Paris } }',
    ]);
    expect(zoned('timestamp without time zone', 'datetimeoffset(7)', 'mssql', { at: {} })).toHaveLength(1);
    expect(zoned('timestamp with time zone', 'timestamp with time zone', 'postgres', { at: {} })).toEqual([]);
    expect(zoned('timestamp without time zone', 'datetime2(7)', 'mssql', { at: {} })).toEqual([]);
    expect(
      zoned('timestamp with time zone', 'datetime', 'mariadb', {
        at: { transform: [{ datetime: { zone: 'Europe/Paris', local: true } }] },
      }),
    ).toEqual([]);
  });
});

test('plan.html lists the narrowing warnings, escaped', () => {
  const plan = {
    formatVersion: 1,
    kind: 'plan',
    generatedAt: '2026-01-01T00:00:00Z',
    mappings: [
      {
        name: 'm',
        inserts: 0,
        updates: 0,
        deletes: 0,
        unchanged: 0,
        rejects: 0,
        samples: [],
        mode: 'upsert',
        source: { name: 's', dataset: 'a', columns: [], fingerprint: { rows: 0, sum: '', xor: '' } },
        target: { name: 't', dataset: 'b', columns: [], fingerprint: { rows: 0, sum: '', xor: '' } },
        keyComparison: 'exact',
        warnings: [
          { path: 'mappings[0].fields.<x>', code: 'MAP_TARGET_NARROWER', message: 'a <b> → c' },
          { path: 'mappings[0].fields.sku', code: 'MAP_UNIQUE_SHARED', message: '2 rows share a value' },
        ],
      },
    ],
    totals: { inserts: 0, updates: 0, deletes: 0, unchanged: 0, rejects: 0 },
    changes: false,
    samplesShown: false,
    tool: { name: 'stocktake', version: '0' },
  } as unknown as PlanDocument;
  const html = renderPlanHtml(plan);
  expect(html).toContain('<li><code>mappings[0].fields.&lt;x&gt;</code>: a &lt;b&gt; → c</li>');
  // Only narrowings go under the narrowing heading; the other warnings under their own, with their codes.
  const narrowing = html.slice(html.indexOf('Target columns narrower'), html.indexOf('<p>Warnings:</p>'));
  expect(narrowing).not.toContain('sku');
  expect(html.slice(html.indexOf('<p>Warnings:</p>'))).toContain(
    '<li><code>mappings[0].fields.sku</code>: MAP_UNIQUE_SHARED: 2 rows share a value</li>',
  );
});

describe('zero dates', () => {
  test("MySQL's zero date is refused with the way to map it to null, by the column and by the date steps", () => {
    expect(check(col('date', 'date'), '0000-00-00', 'postgres')).toBe(
      'REJECT_TYPE is MySQL\'s zero date, which stands for no date and which t.c (date) cannot hold: map it to null with { null_if: ["0000-00-00"] } (before any date step), or onInvalid: null',
    );
    expect(check(col('timestamp', 'timestamp'), '0000-00-00 00:00:00', 'postgres')).toMatch(
      /^REJECT_TYPE is MySQL's zero date, .*\{ null_if: \["0000-00-00 00:00:00"\] \}/,
    );
    // Another value that is no date keeps the plain reason.
    expect(check(col('date', 'date'), '31/12/2024', 'postgres')).toBe(
      'REJECT_TYPE is not a date (YYYY-MM-DD); use the date transform (t.c is date)',
    );
    expect(transformOne(['date'], '0000-00-00')).toBe(
      'REJECT_TRANSFORM date: "0000-00-00" is MySQL\'s zero date, which stands for no date: map it to null with { null_if: ["0000-00-00"] } (before any date step), or onInvalid: null',
    );
    expect(transformOne([{ null_if: ['0000-00-00'] }, 'date'], '0000-00-00')).toBeNull();
  });
});

describe('dates with a zero month or day', () => {
  test('are refused with the way to map them to null', () => {
    expect(check(col('date', 'date'), '2024-05-00', 'postgres')).toBe(
      'REJECT_TYPE is a MySQL date with a zero month or day, which stands for a date partly unknown and which t.c (date) cannot hold: map it to null with a null_if of such values (before any date step), or onInvalid: null',
    );
    expect(transformOne(['date'], '2024-00-00')).toMatch(
      /^REJECT_TRANSFORM date: "2024-00-00" is a MySQL date with a zero month or day/,
    );
  });
});

describe('JSON into SQLite', () => {
  test('a document that is one number a double cannot hold is refused, as numeric affinity would change it', () => {
    const json = col('json', 'JSON');
    expect(check(json, new JsonText('12345678901234567891'), 'sqlite')).toBe(
      'REJECT_PRECISION is a number that t.c (JSON, numeric affinity in SQLite) would store as a float, changing it',
    );
    expect(check(json, new JsonText('1e400'), 'sqlite')).toMatch(/^REJECT_PRECISION/);
    // A number a double holds, and documents that are no number, are written as they are.
    for (const doc of ['2.50', '12', '{"n": 12345678901234567891}', '"12345678901234567891"'])
      expect(check(json, new JsonText(doc), 'sqlite')).toEqual(new JsonText(doc));
    expect(check(col('json', 'jsonb'), new JsonText('12345678901234567891'), 'postgres')).toEqual(
      new JsonText('12345678901234567891'),
    );
  });
});
