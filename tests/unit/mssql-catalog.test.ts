/**
 * The SQL Server catalog without a server: the conversion against recorded result sets (as tedious
 * returns them through knex: aliased column names, int as number, bigint as string, bit as boolean),
 * and the statements it sends, counted for 3 and 300 tables.
 */
import type { Knex } from 'knex';
import { describe, expect, it } from 'vitest';
import {
  MSSQL_CATALOG_STATEMENTS,
  MSSQL_COLUMNS_SQL,
  MSSQL_FOREIGN_KEYS_SQL,
  MSSQL_INDEXES_SQL,
  MSSQL_KEYS_SQL,
  MSSQL_OBJECTS_SQL,
  MSSQL_PARTITIONS_SQL,
  MSSQL_SERVER_SQL,
  MSSQL_SIZES_SQL,
  type MssqlCatalogSets,
  mssqlCatalog,
  mssqlCountTargets,
  mssqlInventoryFromSets,
} from '../../src/connectors/mssql/mssql-catalog.ts';
import { createDatasetFilter } from '../../src/connectors/sql/dataset-filter.ts';
import type { CatalogScope } from '../../src/connectors/sql/sql-dialect.ts';
import type { Dataset } from '../../src/core/inventory.ts';

type Sets = { -readonly [K in keyof MssqlCatalogSets]: MssqlCatalogSets[K] };
type Row<K extends keyof MssqlCatalogSets> = MssqlCatalogSets[K] extends readonly (infer R)[] | null
  ? R
  : never;

const WEIRD = 'we]rd "name" x';

// sales.customer 101, sales.[order] 102, sales.order_line 103, sales.shipment_line 104,
// audit.[we]]rd "name" x] 201 (cross-schema FK), archive.old_orders 301 (empty heap), sales.v_customer_orders 401.
const SERVER: MssqlCatalogSets['server'] = {
  product_version: '16.0.4135.4',
  edition: 'Developer Edition (64-bit)',
  banner: 'Microsoft SQL Server 2022 (RTM-CU15) - 16.0.4135.4 (X64)',
  database_name: 'crm',
  collation_name: 'SQL_Latin1_General_CP1_CI_AS',
  updateability: 'READ_WRITE',
  size_bytes: '16777216',
};

const OBJECTS: Row<'objects'>[] = [
  {
    object_id: 301,
    schema_name: 'archive',
    name: 'old_orders',
    object_type: 'U',
    comment: null,
    definition: null,
  },
  { object_id: 201, schema_name: 'audit', name: WEIRD, object_type: 'U', comment: null, definition: null },
  {
    object_id: 101,
    schema_name: 'sales',
    name: 'customer',
    object_type: 'U',
    comment: 'Customers of the shop',
    definition: null,
  },
  { object_id: 102, schema_name: 'sales', name: 'order', object_type: 'U', comment: null, definition: null },
  {
    object_id: 103,
    schema_name: 'sales',
    name: 'order_line',
    object_type: 'U',
    comment: null,
    definition: null,
  },
  {
    object_id: 104,
    schema_name: 'sales',
    name: 'shipment_line',
    object_type: 'U',
    comment: null,
    definition: null,
  },
  {
    object_id: 401,
    schema_name: 'sales',
    name: 'v_customer_orders',
    object_type: 'V',
    comment: null,
    definition:
      '\r\nCREATE VIEW sales.v_customer_orders AS\r\nSELECT c.id, c.name, o.total FROM sales.customer c JOIN sales.[order] o ON o.customer_id = c.id\r\n',
  },
];

const column = (
  object_id: number,
  position: number,
  name: string,
  type_name: string,
  size: [number, number, number],
  extra: Partial<Row<'columns'>> = {},
): Row<'columns'> => ({
  object_id,
  position,
  name,
  type_name,
  max_length: size[0],
  numeric_precision: size[1],
  numeric_scale: size[2],
  is_nullable: false,
  is_identity: false,
  is_computed: false,
  collation_name: null,
  default_definition: null,
  computed_definition: null,
  comment: null,
  ...extra,
});

const CI = 'SQL_Latin1_General_CP1_CI_AS';
const COLUMNS: Row<'columns'>[] = [
  column(101, 1, 'id', 'int', [4, 10, 0], { is_identity: true }),
  column(101, 2, 'name', 'nvarchar', [160, 0, 0], { collation_name: CI }),
  column(101, 3, 'email', 'nvarchar', [-1, 0, 0], {
    is_nullable: true,
    collation_name: CI,
    comment: 'Contact email',
  }),
  column(101, 4, 'code', 'char', [8, 0, 0], { collation_name: CI }),
  column(101, 5, 'is_active', 'bit', [1, 1, 0], { default_definition: '((1))' }),
  column(101, 6, 'created_at', 'datetime2', [8, 27, 7], { default_definition: '(sysutcdatetime())' }),
  column(102, 1, 'id', 'bigint', [8, 19, 0], { is_identity: true }),
  column(102, 2, 'customer_id', 'int', [4, 10, 0]),
  column(102, 3, 'status', 'varchar', [10, 0, 0], { collation_name: CI }),
  column(102, 4, 'total', 'decimal', [9, 12, 3]),
  column(102, 5, 'net', 'numeric', [13, 27, 4], {
    is_nullable: true,
    is_computed: true,
    computed_definition: '([total]*(0.8))',
  }),
  column(102, 6, 'row_version', 'timestamp', [8, 0, 0]),
  column(103, 1, 'order_id', 'bigint', [8, 19, 0]),
  column(103, 2, 'line_no', 'smallint', [2, 5, 0]),
  column(103, 3, 'sku', 'nvarchar', [40, 0, 0], { collation_name: CI }),
  column(104, 1, 'order_id', 'bigint', [8, 19, 0]),
  column(104, 2, 'line_no', 'smallint', [2, 5, 0]),
  column(104, 3, 'shipped_on', 'date', [3, 10, 0], { is_nullable: true }),
  // A system-versioned (temporal) table's period columns: SQL Server fills them.
  column(104, 4, 'valid_from', 'datetime2', [8, 27, 7], { generated_always_type: 1 }),
  column(104, 5, 'valid_to', 'datetime2', [8, 27, 7], { generated_always_type: 2 }),
  column(201, 1, 'customer_id', 'int', [4, 10, 0]),
  column(201, 2, 'changed at', 'datetimeoffset', [10, 34, 7]),
  column(201, 3, 'guid', 'uniqueidentifier', [16, 0, 0], { default_definition: '(newid())' }),
  column(301, 1, 'payload', 'xml', [-1, 0, 0], { is_nullable: true }),
  column(301, 2, 'node', 'hierarchyid', [892, 0, 0], { is_nullable: true }),
  column(301, 3, 'site', 'geography', [-1, 0, 0], { is_nullable: true }),
  column(301, 4, 'outline', 'geometry', [-1, 0, 0], { is_nullable: true }),
  column(401, 1, 'id', 'int', [4, 10, 0]),
  column(401, 2, 'name', 'nvarchar', [160, 0, 0], { collation_name: CI }),
  column(401, 3, 'total', 'decimal', [9, 12, 3]),
];

const KEYS: Row<'keys'>[] = [
  { object_id: 101, name: 'PK_customer', constraint_type: 'PK', ordinal: 1, column_name: 'id' },
  { object_id: 101, name: 'UQ_customer_code', constraint_type: 'UQ', ordinal: 1, column_name: 'code' },
  { object_id: 102, name: 'PK_order', constraint_type: 'PK', ordinal: 1, column_name: 'id' },
  { object_id: 103, name: 'PK_order_line', constraint_type: 'PK', ordinal: 1, column_name: 'order_id' },
  { object_id: 103, name: 'PK_order_line', constraint_type: 'PK', ordinal: 2, column_name: 'line_no' },
  { object_id: 104, name: 'PK_shipment_line', constraint_type: 'PK', ordinal: 1, column_name: 'order_id' },
  { object_id: 104, name: 'PK_shipment_line', constraint_type: 'PK', ordinal: 2, column_name: 'line_no' },
];

const fk = (
  object_id: number,
  name: string,
  ordinal: number,
  column_name: string,
  ref: [string, string, string],
  actions: [string, string] = ['NO_ACTION', 'NO_ACTION'],
  is_disabled = false,
): Row<'foreignKeys'> => ({
  object_id,
  name,
  ordinal,
  column_name,
  ref_schema: ref[0],
  ref_table: ref[1],
  ref_column: ref[2],
  on_delete: actions[0],
  on_update: actions[1],
  is_disabled,
});

const FOREIGN_KEYS: Row<'foreignKeys'>[] = [
  fk(102, 'FK_order_customer', 1, 'customer_id', ['sales', 'customer', 'id']),
  fk(103, 'FK_order_line_order', 1, 'order_id', ['sales', 'order', 'id'], ['CASCADE', 'NO_ACTION']),
  fk(104, 'FK_shipment_line_order_line', 1, 'order_id', ['sales', 'order_line', 'order_id'], undefined, true),
  fk(104, 'FK_shipment_line_order_line', 2, 'line_no', ['sales', 'order_line', 'line_no'], undefined, true),
  fk(201, 'FK_weird_customer', 1, 'customer_id', ['sales', 'customer', 'id'], ['SET_NULL', 'CASCADE']),
];

const index = (
  object_id: number,
  name: string,
  method: string,
  flags: { unique?: boolean; primary?: boolean; filter?: boolean },
  columns: string[],
): Row<'indexes'>[] =>
  columns.map((column_name, i) => ({
    object_id,
    name,
    method,
    is_unique: flags.unique ?? false,
    is_primary: flags.primary ?? false,
    has_filter: flags.filter ?? false,
    ordinal: i + 1,
    index_column_id: i + 1,
    column_name,
  }));

const INDEXES: Row<'indexes'>[] = [
  ...index(101, 'PK_customer', 'CLUSTERED', { unique: true, primary: true }, ['id']),
  ...index(101, 'UQ_customer_code', 'NONCLUSTERED', { unique: true }, ['code']),
  ...index(102, 'IX_order_open', 'NONCLUSTERED', { filter: true }, ['customer_id', 'status']),
  ...index(102, 'PK_order', 'CLUSTERED', { unique: true, primary: true }, ['id']),
  ...index(103, 'PK_order_line', 'CLUSTERED', { unique: true, primary: true }, ['order_id', 'line_no']),
  ...index(104, 'PK_shipment_line', 'CLUSTERED', { unique: true, primary: true }, ['order_id', 'line_no']),
];

const PARTITIONS: Row<'partitions'>[] = [
  { object_id: 101, row_estimate: '3', partition_count: 1, on_partition_scheme: 0 },
  { object_id: 102, row_estimate: '5', partition_count: 1, on_partition_scheme: 0 },
  { object_id: 103, row_estimate: '2500000', partition_count: 4, on_partition_scheme: 1 },
  { object_id: 104, row_estimate: '7', partition_count: 1, on_partition_scheme: 0 },
  { object_id: 201, row_estimate: '2', partition_count: 1, on_partition_scheme: 0 },
  { object_id: 301, row_estimate: '0', partition_count: 1, on_partition_scheme: 0 },
];

const SIZES: Row<'sizes'>[] = [
  { object_id: 101, size_bytes: '147456' },
  { object_id: 102, size_bytes: '81920' },
  { object_id: 103, size_bytes: '204800000' },
  { object_id: 104, size_bytes: '16384' },
  { object_id: 201, size_bytes: '16384' },
  { object_id: 301, size_bytes: '0' },
];

const RECORDED: MssqlCatalogSets = {
  server: SERVER,
  objects: OBJECTS,
  columns: COLUMNS,
  keys: KEYS,
  foreignKeys: FOREIGN_KEYS,
  indexes: INDEXES,
  partitions: PARTITIONS,
  sizes: SIZES,
};

const scope = (overrides: Partial<CatalogScope> = {}): CatalogScope => ({
  filter: createDatasetFilter({}),
  exactBelow: 1_000_000,
  countViews: false,
  exactSizes: false,
  ...overrides,
});

const EXPECTED: Dataset[] = [
  {
    name: 'archive.old_orders',
    kind: 'table',
    rowCount: 0,
    rowCountExact: true,
    columns: [
      { name: 'payload', type: 'string', nativeType: 'xml', nullable: true, primaryKey: false, position: 1 },
      {
        name: 'node',
        type: 'string',
        nativeType: 'hierarchyid',
        nullable: true,
        primaryKey: false,
        position: 2,
      },
      // CLR types are read as their text (a path, WKT) and keep their own type name.
      {
        name: 'site',
        type: 'string',
        nativeType: 'geography',
        nullable: true,
        primaryKey: false,
        position: 3,
      },
      {
        name: 'outline',
        type: 'string',
        nativeType: 'geometry',
        nullable: true,
        primaryKey: false,
        position: 4,
      },
    ],
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
    schema: 'archive',
    table: 'old_orders',
    sizeBytes: 0,
    sizeExact: true,
  },
  {
    name: `audit.${WEIRD}`,
    kind: 'table',
    rowCount: 2,
    rowCountExact: true,
    columns: [
      {
        name: 'customer_id',
        type: 'integer',
        nativeType: 'int',
        nullable: false,
        primaryKey: false,
        position: 1,
      },
      {
        name: 'changed at',
        type: 'timestamp',
        nativeType: 'datetimeoffset(7)',
        nullable: false,
        primaryKey: false,
        position: 2,
        scale: 7,
      },
      {
        name: 'guid',
        type: 'string',
        nativeType: 'uniqueidentifier',
        nullable: false,
        primaryKey: false,
        position: 3,
        default: '(newid())',
      },
    ],
    primaryKey: null,
    foreignKeys: [
      {
        name: 'FK_weird_customer',
        columns: ['customer_id'],
        references: { dataset: 'sales.customer', columns: ['id'] },
        onDelete: 'SET NULL',
        onUpdate: 'CASCADE',
      },
    ],
    indexes: [],
    schema: 'audit',
    table: WEIRD,
    sizeBytes: 16384,
    sizeExact: true,
  },
  {
    name: 'sales.customer',
    kind: 'table',
    rowCount: 3,
    rowCountExact: true,
    columns: [
      {
        name: 'id',
        type: 'integer',
        nativeType: 'int',
        nullable: false,
        primaryKey: true,
        position: 1,
        autoIncrement: true,
      },
      {
        name: 'name',
        type: 'string',
        nativeType: 'nvarchar(80)',
        nullable: false,
        primaryKey: false,
        position: 2,
        length: 80,
        collation: CI,
      },
      {
        name: 'email',
        type: 'string',
        nativeType: 'nvarchar(max)',
        nullable: true,
        primaryKey: false,
        position: 3,
        comment: 'Contact email',
        collation: CI,
      },
      {
        name: 'code',
        type: 'string',
        nativeType: 'char(8)',
        nullable: false,
        primaryKey: false,
        position: 4,
        length: 8,
        collation: CI,
      },
      {
        name: 'is_active',
        type: 'boolean',
        nativeType: 'bit',
        nullable: false,
        primaryKey: false,
        position: 5,
        default: '((1))',
      },
      {
        name: 'created_at',
        type: 'timestamp',
        nativeType: 'datetime2(7)',
        nullable: false,
        primaryKey: false,
        position: 6,
        scale: 7,
        default: '(sysutcdatetime())',
      },
    ],
    primaryKey: { name: 'PK_customer', columns: ['id'] },
    foreignKeys: [],
    indexes: [
      { name: 'PK_customer', columns: ['id'], unique: true, primary: true, method: 'CLUSTERED' },
      { name: 'UQ_customer_code', columns: ['code'], unique: true, method: 'NONCLUSTERED' },
    ],
    schema: 'sales',
    table: 'customer',
    uniqueKeys: [{ name: 'UQ_customer_code', columns: ['code'] }],
    sizeBytes: 147456,
    sizeExact: true,
    comment: 'Customers of the shop',
  },
  {
    name: 'sales.order',
    kind: 'table',
    rowCount: 5,
    rowCountExact: true,
    columns: [
      {
        name: 'id',
        type: 'integer',
        nativeType: 'bigint',
        nullable: false,
        primaryKey: true,
        position: 1,
        autoIncrement: true,
      },
      {
        name: 'customer_id',
        type: 'integer',
        nativeType: 'int',
        nullable: false,
        primaryKey: false,
        position: 2,
      },
      {
        name: 'status',
        type: 'string',
        nativeType: 'varchar(10)',
        nullable: false,
        primaryKey: false,
        position: 3,
        length: 10,
        collation: CI,
      },
      {
        name: 'total',
        type: 'decimal',
        nativeType: 'decimal(12,3)',
        nullable: false,
        primaryKey: false,
        position: 4,
        precision: 12,
        scale: 3,
      },
      {
        name: 'net',
        type: 'decimal',
        nativeType: 'numeric(27,4)',
        nullable: true,
        primaryKey: false,
        position: 5,
        precision: 27,
        scale: 4,
        generated: true,
      },
      {
        name: 'row_version',
        type: 'binary',
        nativeType: 'timestamp',
        nullable: false,
        primaryKey: false,
        position: 6,
        generated: true,
      },
    ],
    primaryKey: { name: 'PK_order', columns: ['id'] },
    foreignKeys: [
      {
        name: 'FK_order_customer',
        columns: ['customer_id'],
        references: { dataset: 'sales.customer', columns: ['id'] },
        onDelete: 'NO ACTION',
        onUpdate: 'NO ACTION',
      },
    ],
    indexes: [
      {
        name: 'IX_order_open',
        columns: ['customer_id', 'status'],
        unique: false,
        method: 'NONCLUSTERED',
        partial: true,
      },
      { name: 'PK_order', columns: ['id'], unique: true, primary: true, method: 'CLUSTERED' },
    ],
    schema: 'sales',
    table: 'order',
    sizeBytes: 81920,
    sizeExact: true,
  },
  {
    name: 'sales.order_line',
    kind: 'table',
    rowCount: 2_500_000,
    rowCountExact: false,
    columns: [
      {
        name: 'order_id',
        type: 'integer',
        nativeType: 'bigint',
        nullable: false,
        primaryKey: true,
        position: 1,
      },
      {
        name: 'line_no',
        type: 'integer',
        nativeType: 'smallint',
        nullable: false,
        primaryKey: true,
        position: 2,
      },
      {
        name: 'sku',
        type: 'string',
        nativeType: 'nvarchar(20)',
        nullable: false,
        primaryKey: false,
        position: 3,
        length: 20,
        collation: CI,
      },
    ],
    primaryKey: { name: 'PK_order_line', columns: ['order_id', 'line_no'] },
    foreignKeys: [
      {
        name: 'FK_order_line_order',
        columns: ['order_id'],
        references: { dataset: 'sales.order', columns: ['id'] },
        onDelete: 'CASCADE',
        onUpdate: 'NO ACTION',
      },
    ],
    indexes: [
      {
        name: 'PK_order_line',
        columns: ['order_id', 'line_no'],
        unique: true,
        primary: true,
        method: 'CLUSTERED',
      },
    ],
    schema: 'sales',
    table: 'order_line',
    partitioned: true,
    sizeBytes: 204_800_000,
    sizeExact: true,
  },
  {
    name: 'sales.shipment_line',
    kind: 'table',
    rowCount: 7,
    rowCountExact: true,
    columns: [
      {
        name: 'order_id',
        type: 'integer',
        nativeType: 'bigint',
        nullable: false,
        primaryKey: true,
        position: 1,
      },
      {
        name: 'line_no',
        type: 'integer',
        nativeType: 'smallint',
        nullable: false,
        primaryKey: true,
        position: 2,
      },
      {
        name: 'shipped_on',
        type: 'date',
        nativeType: 'date',
        nullable: true,
        primaryKey: false,
        position: 3,
      },
      ...['valid_from', 'valid_to'].map((name, i) => ({
        name,
        type: 'timestamp' as const,
        nativeType: 'datetime2(7)',
        nullable: false,
        primaryKey: false,
        position: 4 + i,
        scale: 7,
        generated: true,
      })),
    ],
    primaryKey: { name: 'PK_shipment_line', columns: ['order_id', 'line_no'] },
    foreignKeys: [
      {
        name: 'FK_shipment_line_order_line',
        columns: ['order_id', 'line_no'],
        references: { dataset: 'sales.order_line', columns: ['order_id', 'line_no'] },
        onDelete: 'NO ACTION',
        onUpdate: 'NO ACTION',
      },
    ],
    indexes: [
      {
        name: 'PK_shipment_line',
        columns: ['order_id', 'line_no'],
        unique: true,
        primary: true,
        method: 'CLUSTERED',
      },
    ],
    schema: 'sales',
    table: 'shipment_line',
    sizeBytes: 16384,
    sizeExact: true,
  },
  {
    name: 'sales.v_customer_orders',
    kind: 'view',
    rowCount: null,
    rowCountExact: false,
    columns: [
      { name: 'id', type: 'integer', nativeType: 'int', nullable: false, primaryKey: false, position: 1 },
      {
        name: 'name',
        type: 'string',
        nativeType: 'nvarchar(80)',
        nullable: false,
        primaryKey: false,
        position: 2,
        length: 80,
        collation: CI,
      },
      {
        name: 'total',
        type: 'decimal',
        nativeType: 'decimal(12,3)',
        nullable: false,
        primaryKey: false,
        position: 3,
        precision: 12,
        scale: 3,
      },
    ],
    primaryKey: null,
    foreignKeys: [],
    indexes: [],
    schema: 'sales',
    table: 'v_customer_orders',
    definition:
      'CREATE VIEW sales.v_customer_orders AS\r\nSELECT c.id, c.name, o.total FROM sales.customer c JOIN sales.[order] o ON o.customer_id = c.id',
  },
];

// The exact counts the COUNT_BIG statement would return for the tables below exactBelow.
const EXACT = new Map([
  ['301', 0],
  ['201', 2],
  ['101', 3],
  ['102', 5],
  ['104', 7],
]);

describe('SQL Server catalog: conversion of recorded result sets', () => {
  it('counts exactly the tables whose sys.partitions estimate is below exactBelow, never views by default', () => {
    expect(mssqlCountTargets(RECORDED, scope()).map((t) => `${t.schema}.${t.table}`)).toEqual([
      'archive.old_orders',
      `audit.${WEIRD}`,
      'sales.customer',
      'sales.order',
      'sales.shipment_line',
    ]);
    expect(mssqlCountTargets(RECORDED, scope({ countViews: true })).map((t) => t.key)).toContain('401');
    expect(mssqlCountTargets(RECORDED, scope({ exactBelow: 0 }))).toEqual([]);
  });

  it('builds every dataset: composite and cross-schema keys, identity, computed, max and decimal types, views', () => {
    const inventory = mssqlInventoryFromSets(RECORDED, EXACT);
    expect(inventory.datasets).toEqual(EXPECTED);
  });

  it('reports the server, a disabled foreign key and that SQL Server sessions are not read-only', () => {
    const inventory = mssqlInventoryFromSets(RECORDED, EXACT);
    expect(inventory.server).toEqual({
      product: 'SQL Server',
      version: '16.0.4135.4 (Developer Edition (64-bit))',
      database: 'crm',
      sizeBytes: 16_777_216,
      collation: 'SQL_Latin1_General_CP1_CI_AS',
    });
    expect(inventory.findings?.map((f) => [f.code, f.dataset])).toEqual([
      ['FOREIGN_KEY_DISABLED', 'sales.shipment_line'],
      ['SESSION_NOT_READ_ONLY', undefined],
    ]);
  });

  it('keeps estimates flagged as estimates when nothing is counted', () => {
    const inventory = mssqlInventoryFromSets(RECORDED, new Map());
    const customer = inventory.datasets.find((d) => d.name === 'sales.customer')!;
    expect([customer.rowCount, customer.rowCountExact]).toEqual([3, false]);
  });

  it('still lists every dataset when sizes or row estimates are missing', () => {
    const sets: Sets = {
      ...RECORDED,
      sizes: null,
      partitions: [],
      server: { ...SERVER, updateability: 'READ_ONLY' },
    };
    const inventory = mssqlInventoryFromSets(sets, new Map());
    expect(inventory.datasets.map((d) => d.name)).toEqual(EXPECTED.map((d) => d.name));
    expect(inventory.datasets.every((d) => d.sizeBytes === undefined)).toBe(true);
    expect(inventory.datasets.find((d) => d.name === 'sales.customer')?.rowCount).toBeNull();
    const codes = inventory.findings?.map((f) => f.code) ?? [];
    expect(codes.filter((c) => c === 'ROW_COUNT_UNKNOWN')).toHaveLength(6);
    expect(codes).toContain('SIZE_UNAVAILABLE');
    expect(codes).not.toContain('SESSION_NOT_READ_ONLY');
  });

  it('marks an indexed view as materialized', () => {
    const sets: Sets = {
      ...RECORDED,
      partitions: [
        ...PARTITIONS,
        { object_id: 401, row_estimate: '5', partition_count: 1, on_partition_scheme: 0 },
      ],
    };
    const view = mssqlInventoryFromSets(sets, EXACT).datasets.find((d) => d.kind === 'view')!;
    expect([view.materialized, view.rowCount, view.rowCountExact]).toEqual([true, 5, false]);
  });
});

/** A stand-in for knex: records every statement and answers from result sets keyed by statement. */
function recordingDb(answers: ReadonlyMap<string, unknown[]>, failing: ReadonlySet<string> = new Set()) {
  const statements: string[] = [];
  const db = {
    raw: async (sql: string, bindings?: unknown) => {
      statements.push(sql);
      expect(bindings).toBeUndefined();
      if (failing.has(sql)) throw new Error('The user does not have permission to perform this action.');
      const answer = answers.get(sql);
      if (answer) return answer;
      if (sql.startsWith('SELECT 0 AS i, COUNT_BIG(*)')) {
        // One row per UNION ALL branch, as SQL Server returns COUNT_BIG: a bigint, hence a string.
        return sql.split(' UNION ALL ').map((_, i) => ({ i, n: '1' }));
      }
      throw new Error(`unexpected statement: ${sql.slice(0, 80)}`);
    },
  };
  return { db: db as unknown as Knex, statements };
}

/** Result sets for a schema of `n` tables of two columns each, every table holding 10 rows. */
function syntheticSchema(n: number): Map<string, unknown[]> {
  const ids = Array.from({ length: n }, (_, i) => 1000 + i);
  return new Map<string, unknown[]>([
    [MSSQL_SERVER_SQL, [SERVER]],
    [
      MSSQL_OBJECTS_SQL,
      ids.map((id) => ({
        object_id: id,
        schema_name: 'dbo',
        name: `t${id}`,
        object_type: 'U',
        comment: null,
        definition: null,
      })),
    ],
    [
      MSSQL_COLUMNS_SQL,
      ids.flatMap((id) => [column(id, 1, 'id', 'int', [4, 10, 0]), column(id, 2, 'v', 'int', [4, 10, 0])]),
    ],
    [
      MSSQL_KEYS_SQL,
      ids.map((id) => ({
        object_id: id,
        name: `PK_${id}`,
        constraint_type: 'PK',
        ordinal: 1,
        column_name: 'id',
      })),
    ],
    [
      MSSQL_FOREIGN_KEYS_SQL,
      ids.slice(1).map((id) => fk(id, `FK_${id}`, 1, 'v', ['dbo', `t${id - 1}`, 'id'])),
    ],
    [
      MSSQL_INDEXES_SQL,
      ids.flatMap((id) => index(id, `PK_${id}`, 'CLUSTERED', { unique: true, primary: true }, ['id'])),
    ],
    [
      MSSQL_PARTITIONS_SQL,
      ids.map((id) => ({ object_id: id, row_estimate: '10', partition_count: 1, on_partition_scheme: 0 })),
    ],
    [MSSQL_SIZES_SQL, ids.map((id) => ({ object_id: id, size_bytes: '16384' }))],
  ]);
}

// Which catalog views each statement must read (a sign that it is the set-based statement we think it is).
const SYS_VIEWS: ReadonlyMap<string, readonly string[]> = new Map([
  [MSSQL_SERVER_SQL, ['SERVERPROPERTY', '@@VERSION', 'DB_NAME()', 'sys.database_files']],
  [MSSQL_OBJECTS_SQL, ['sys.tables', 'sys.views', 'sys.schemas', 'sys.extended_properties', 'is_ms_shipped']],
  [
    MSSQL_COLUMNS_SQL,
    [
      'sys.columns',
      'sys.types',
      'sys.identity_columns',
      'sys.default_constraints',
      'sys.computed_columns',
      "N'MS_Description'",
    ],
  ],
  [MSSQL_KEYS_SQL, ['sys.key_constraints', 'sys.index_columns', 'sys.columns']],
  [
    MSSQL_FOREIGN_KEYS_SQL,
    ['sys.foreign_keys', 'sys.foreign_key_columns', 'sys.schemas', 'referential_action_desc'],
  ],
  [MSSQL_INDEXES_SQL, ['sys.indexes', 'sys.index_columns', 'has_filter', 'type_desc']],
  [MSSQL_PARTITIONS_SQL, ['sys.partitions', 'p.index_id IN (0, 1)', 'sys.data_spaces']],
  [MSSQL_SIZES_SQL, ['sys.partitions', 'sys.allocation_units']],
]);

describe('SQL Server catalog: statements sent', () => {
  const run = async (n: number, overrides: Partial<CatalogScope> = {}) => {
    const { db, statements } = recordingDb(syntheticSchema(n));
    const inventory = await mssqlCatalog(db, scope(overrides));
    return { inventory, statements };
  };

  it('sends the same eight catalog statements for 3 and 300 tables; only the COUNT_BIG chunks grow', async () => {
    const small = await run(3);
    const large = await run(300);
    const catalogOnly = (s: string[]) => s.filter((sql) => !sql.startsWith('SELECT 0 AS i'));
    expect(catalogOnly(small.statements)).toHaveLength(8);
    expect(catalogOnly(large.statements)).toHaveLength(8);
    expect(new Set(catalogOnly(large.statements))).toEqual(new Set(MSSQL_CATALOG_STATEMENTS));
    // 200 tables per counting statement: 3 tables → 1 chunk, 300 tables → 2 chunks.
    expect(small.statements).toHaveLength(9);
    expect(large.statements).toHaveLength(10);
    expect(large.inventory.datasets).toHaveLength(300);
    expect(large.inventory.datasets[299]?.foreignKeys[0]?.references.dataset).toBe('dbo.t1298');
    expect(large.inventory.datasets.every((d) => d.rowCount === 1 && d.rowCountExact)).toBe(true);
  });

  it('sends exactly eight statements whatever the size when rows are only estimated', async () => {
    expect((await run(3, { exactBelow: 0 })).statements).toHaveLength(8);
    expect((await run(300, { exactBelow: 0 })).statements).toHaveLength(8);
  });

  it('stops after two statements when the filter keeps nothing', async () => {
    const { statements, inventory } = await run(5, { filter: createDatasetFilter({ schemas: ['nope'] }) });
    expect(statements).toEqual([MSSQL_SERVER_SQL, MSSQL_OBJECTS_SQL]);
    expect(inventory.datasets).toEqual([]);
  });

  it('keeps the inventory when the sizes statement is refused', async () => {
    const { db } = recordingDb(syntheticSchema(3), new Set([MSSQL_SIZES_SQL]));
    const inventory = await mssqlCatalog(db, scope());
    expect(inventory.datasets).toHaveLength(3);
    expect(inventory.findings?.map((f) => f.code)).toContain('SIZE_UNAVAILABLE');
  });

  it('keeps the inventory when one table cannot be counted: the others are counted, it keeps its estimate', async () => {
    const answers = syntheticSchema(3);
    const statements: string[] = [];
    const db = {
      raw: async (sql: string) => {
        statements.push(sql);
        // A lock held past the session's LOCK_TIMEOUT on dbo.t1001.
        if (sql.startsWith('SELECT 0 AS i') && sql.includes('[t1001]'))
          throw new Error('Lock request time out period exceeded.');
        if (sql.startsWith('SELECT 0 AS i')) return sql.split(' UNION ALL ').map((_, i) => ({ i, n: '7' }));
        return answers.get(sql);
      },
    } as unknown as Knex;
    const inventory = await mssqlCatalog(db, scope());
    expect(inventory.datasets.map((d) => [d.name, d.rowCount, d.rowCountExact])).toEqual([
      ['dbo.t1000', 7, true],
      ['dbo.t1001', 10, false],
      ['dbo.t1002', 7, true],
    ]);
    const failed = inventory.findings!.filter((f) => f.code === 'ROW_COUNT_FAILED');
    expect(failed.map((f) => [f.dataset, f.message])).toEqual([
      [
        'dbo.t1001',
        "could not be counted (Lock request time out period exceeded.): its row count is the catalog's estimate, if any",
      ],
    ]);
  });

  it('chunks exact counts as COUNT_BIG(*) UNION ALL statements of at most 200 tables', async () => {
    const { statements } = await run(300);
    const counts = statements.filter((sql) => sql.startsWith('SELECT 0 AS i'));
    expect(counts.map((sql) => sql.split(' UNION ALL ').length)).toEqual([200, 100]);
    expect(counts[1]).toMatch(
      /^SELECT 0 AS i, COUNT_BIG\(\*\) AS n FROM \[dbo\]\.\[t1200\] UNION ALL SELECT 1 AS i/,
    );
  });

  it.each([...SYS_VIEWS])('each statement reads the catalog views it should: %s', (sql, views) => {
    for (const view of views) expect(sql).toContain(view);
    expect(sql.trim()).toMatch(/^SELECT /);
    // No knex placeholders (knex's mssql client would turn ? into @p0), no statement separators, no DMVs.
    expect(sql).not.toContain('?');
    expect(sql).not.toContain(';');
    expect(sql).not.toMatch(/sys\.dm_/);
    expect(balanced(sql)).toBe(true);
  });
});

// Parentheses balance outside string literals, and every literal is closed.
function balanced(sql: string): boolean {
  let depth = 0;
  let inString = false;
  for (const ch of sql) {
    if (ch === "'") inString = !inString;
    else if (!inString && ch === '(') depth++;
    else if (!inString && ch === ')') depth--;
    if (depth < 0) return false;
  }
  return depth === 0 && !inString;
}
