import { describe, expect, it } from 'vitest';
import {
  formatMssqlType,
  MSSQL_NATIVE_TYPES,
  mssqlLogicalType,
  mssqlTypeModifiers,
} from '../../src/connectors/mssql/mssql-types.ts';
import { LOGICAL_TYPES, type LogicalType } from '../../src/core/inventory.ts';

const NATIVE_TO_LOGICAL: readonly (readonly [string, LogicalType])[] = [
  ['bit', 'boolean'],
  ['tinyint', 'integer'],
  ['smallint', 'integer'],
  ['int', 'integer'],
  ['bigint', 'integer'],
  ['decimal', 'decimal'],
  ['numeric', 'decimal'],
  ['money', 'decimal'],
  ['smallmoney', 'decimal'],
  ['float', 'float'],
  ['real', 'float'],
  ['date', 'date'],
  ['time', 'time'],
  ['datetime', 'timestamp'],
  ['datetime2', 'timestamp'],
  ['smalldatetime', 'timestamp'],
  ['datetimeoffset', 'timestamp'],
  ['binary', 'binary'],
  ['varbinary', 'binary'],
  ['image', 'binary'],
  ['rowversion', 'binary'],
  ['timestamp', 'binary'],
  ['uniqueidentifier', 'string'],
  ['char', 'string'],
  ['varchar', 'string'],
  ['nchar', 'string'],
  ['nvarchar', 'string'],
  ['text', 'string'],
  ['ntext', 'string'],
  ['xml', 'string'],
  ['sql_variant', 'string'],
  ['hierarchyid', 'string'],
  ['geography', 'string'],
  ['geometry', 'string'],
  ['sysname', 'string'],
];

describe('SQL Server types: native → logical', () => {
  it.each(NATIVE_TO_LOGICAL)('%s reads as %s', (native, logical) => {
    expect(mssqlLogicalType(native)).toBe(logical);
  });

  it('ignores the case of the type name', () => {
    expect(mssqlLogicalType('DateTime2')).toBe('timestamp');
  });
});

describe('SQL Server types: logical → native', () => {
  it('has a native type for every logical type, and it reads back as the same logical type (json as text)', () => {
    for (const logical of LOGICAL_TYPES) {
      const native = MSSQL_NATIVE_TYPES[logical];
      const base = native.replace(/\(.*\)$/, '');
      expect(mssqlLogicalType(base)).toBe(logical === 'json' ? 'string' : logical);
    }
  });
});

// [type, max_length (bytes), precision, scale] as sys.columns stores them → as SSMS shows the type.
const FORMATS: readonly (readonly [string, number, number, number, string])[] = [
  ['nvarchar', 160, 0, 0, 'nvarchar(80)'],
  ['nvarchar', -1, 0, 0, 'nvarchar(max)'],
  ['nchar', 20, 0, 0, 'nchar(10)'],
  ['varchar', 255, 0, 0, 'varchar(255)'],
  ['varchar', -1, 0, 0, 'varchar(max)'],
  ['char', 8, 0, 0, 'char(8)'],
  ['varbinary', -1, 0, 0, 'varbinary(max)'],
  ['binary', 16, 0, 0, 'binary(16)'],
  ['decimal', 9, 12, 3, 'decimal(12,3)'],
  ['numeric', 17, 38, 0, 'numeric(38,0)'],
  ['datetime2', 8, 27, 7, 'datetime2(7)'],
  ['datetime2', 6, 19, 0, 'datetime2(0)'],
  ['time', 5, 16, 7, 'time(7)'],
  ['datetimeoffset', 10, 34, 7, 'datetimeoffset(7)'],
  ['datetime', 8, 23, 3, 'datetime'],
  ['int', 4, 10, 0, 'int'],
  ['money', 8, 19, 4, 'money'],
  ['float', 8, 53, 0, 'float'],
  ['xml', -1, 0, 0, 'xml'],
  ['ntext', 16, 0, 0, 'ntext'],
  ['uniqueidentifier', 16, 0, 0, 'uniqueidentifier'],
  ['timestamp', 8, 0, 0, 'timestamp'],
  ['sysname', 256, 0, 0, 'sysname'],
];

describe('SQL Server types: formatting as SSMS shows them', () => {
  it.each(FORMATS)(
    '%s max_length %i precision %i scale %i → %s',
    (type, maxLength, precision, scale, shown) => {
      expect(formatMssqlType(type, { maxLength, precision, scale })).toBe(shown);
    },
  );

  it('reports lengths in characters, precision and scale for decimals, fractional digits for times', () => {
    expect(mssqlTypeModifiers('nvarchar', { maxLength: 160, precision: 0, scale: 0 })).toEqual({
      length: 80,
    });
    expect(mssqlTypeModifiers('varchar', { maxLength: 30, precision: 0, scale: 0 })).toEqual({ length: 30 });
    expect(mssqlTypeModifiers('nvarchar', { maxLength: -1, precision: 0, scale: 0 })).toEqual({});
    expect(mssqlTypeModifiers('decimal', { maxLength: 9, precision: 12, scale: 3 })).toEqual({
      precision: 12,
      scale: 3,
    });
    expect(mssqlTypeModifiers('datetime2', { maxLength: 8, precision: 27, scale: 7 })).toEqual({ scale: 7 });
    expect(mssqlTypeModifiers('int', { maxLength: 4, precision: 10, scale: 0 })).toEqual({});
  });
});
