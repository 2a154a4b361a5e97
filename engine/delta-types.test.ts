// Every DuckDB type an asset can return goes through the engine into a Delta table that delta-rs
// (an oracle no one here wrote) reads with the Delta types of the map and the same values, edge
// values included; every Delta type delta-rs writes, Freshet reads with delta-rs' values, both in
// delta/'s scan and as an asset's input, and writes back.
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asset, definitions, source } from '../core/index.ts';
import { canonical, deltaRsRead, oracle, parquetRows } from '../test/support/delta/conformance/oracle.ts';
import { withDuck } from '../delta/duck.ts';
import { parseDeltaType } from '../delta/duckdb-types.ts';
import { ident, loadSnapshot, readRows, write, type Field } from '../delta/index.ts';
import { dataFile } from '../test/support/delta/testkit.ts';
import { ensureDeltaLake } from '../services/deltalake.ts';
import { openStore } from '../storage/index.ts';
import { tempDir } from '../test/harness.ts';
import { assetTable, materialize } from './index.ts';

const dir = tempDir('delta-types');
beforeAll(() => ensureDeltaLake());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Column {
  name: string;
  /** the DuckDB type the asset's SQL returns */
  duck: string;
  /** the Delta type delta-rs must see */
  delta: unknown;
  /** the DuckDB type a reader of the Delta column gets (how the expected values are cast) */
  read: string;
  /** SQL values for rows 0 (low edges), 1 (high edges), 2 (odd values), 3 (ordinary); row 4 is all NULL */
  values: [string, string, string, string];
}

const array = (elementType: unknown) => ({ type: 'array', elementType, containsNull: true });
const field = (name: string, type: unknown) => ({ name, type, nullable: true, metadata: {} });

const COLUMNS: Column[] = [
  { name: 'i8', duck: 'TINYINT', delta: 'byte', read: 'TINYINT', values: ['-128', '127', '0', '1'] },
  { name: 'i16', duck: 'SMALLINT', delta: 'short', read: 'SMALLINT', values: ['-32768', '32767', '0', '2'] },
  { name: 'i32', duck: 'INTEGER', delta: 'integer', read: 'INTEGER', values: ['-2147483648', '2147483647', '0', '3'] },
  { name: 'i64', duck: 'BIGINT', delta: 'long', read: 'BIGINT', values: ['-9223372036854775808', '9223372036854775807', '0', '4'] },
  { name: 'u8', duck: 'UTINYINT', delta: 'short', read: 'SMALLINT', values: ['0', '255', '1', '5'] },
  { name: 'u16', duck: 'USMALLINT', delta: 'integer', read: 'INTEGER', values: ['0', '65535', '1', '6'] },
  { name: 'u32', duck: 'UINTEGER', delta: 'long', read: 'BIGINT', values: ['0', '4294967295', '1', '7'] },
  {
    name: 'u64',
    duck: 'UBIGINT',
    delta: 'decimal(38,0)',
    read: 'DECIMAL(38,0)',
    values: ['0', '18446744073709551615', '9223372036854775808', '8'],
  },
  { name: 'i128', duck: 'HUGEINT', delta: 'long', read: 'BIGINT', values: ['-9223372036854775808', '9223372036854775807', '0', '9'] },
  {
    name: 'u128',
    duck: 'UHUGEINT',
    delta: 'decimal(38,0)',
    read: 'DECIMAL(38,0)',
    values: ['0', '99999999999999999999999999999999999999', '18446744073709551616', '10'],
  },
  { name: 'f32', duck: 'FLOAT', delta: 'float', read: 'FLOAT', values: ["'-inf'", "'inf'", "'nan'", '1.5'] },
  {
    name: 'f64',
    duck: 'DOUBLE',
    delta: 'double',
    read: 'DOUBLE',
    values: ['-1.7976931348623157e308', '1.7976931348623157e308', '5e-324', '0.1'],
  },
  { name: 'f64_odd', duck: 'DOUBLE', delta: 'double', read: 'DOUBLE', values: ["'-inf'", "'inf'", "'nan'", "'-0.0'"] },
  {
    name: 'dec38',
    duck: 'DECIMAL(38,0)',
    delta: 'decimal(38,0)',
    read: 'DECIMAL(38,0)',
    values: ['-99999999999999999999999999999999999999', '99999999999999999999999999999999999999', '0', '12345'],
  },
  {
    name: 'dec18',
    duck: 'DECIMAL(18,6)',
    delta: 'decimal(18,6)',
    read: 'DECIMAL(18,6)',
    values: ['-999999999999.999999', '999999999999.999999', '0.000001', '1.5'],
  },
  { name: 'dec4', duck: 'DECIMAL(4,2)', delta: 'decimal(4,2)', read: 'DECIMAL(4,2)', values: ['-99.99', '99.99', '0', '0.5'] },
  { name: 's', duck: 'VARCHAR', delta: 'string', read: 'VARCHAR', values: ["''", `'é 🦆 "'' \n\t\\'`, "'x'", "'y'"] },
  { name: 'bin', duck: 'BLOB', delta: 'binary', read: 'BLOB', values: ["''", "'\\x00\\xFF'", "'a'", "'b'"] },
  { name: 'b', duck: 'BOOLEAN', delta: 'boolean', read: 'BOOLEAN', values: ['false', 'true', 'true', 'false'] },
  { name: 'd', duck: 'DATE', delta: 'date', read: 'DATE', values: ["'0001-01-01'", "'9999-12-31'", "'2024-02-29'", "'1970-01-01'"] },
  {
    name: 'ts',
    duck: 'TIMESTAMP',
    delta: 'timestamp',
    read: 'TIMESTAMPTZ',
    values: ["'0001-01-01 00:00:00'", "'9999-12-31 23:59:59.999999'", "'2024-01-01 00:00:00.000001'", "'1970-01-01 00:00:00'"],
  },
  {
    name: 'tstz',
    duck: 'TIMESTAMPTZ',
    delta: 'timestamp',
    read: 'TIMESTAMPTZ',
    values: ["'0001-01-01 00:00:00+00'", "'9999-12-31 23:59:59.999999+00'", "'2024-06-01 12:00:00+02'", "'1970-01-01 00:00:00+00'"],
  },
  {
    name: 'ts_s',
    duck: 'TIMESTAMP_S',
    delta: 'timestamp',
    read: 'TIMESTAMPTZ',
    values: ["'0001-01-01 00:00:00'", "'9999-12-31 23:59:59'", "'2024-01-01 00:00:01'", "'1970-01-01 00:00:00'"],
  },
  {
    name: 'ts_ms',
    duck: 'TIMESTAMP_MS',
    delta: 'timestamp',
    read: 'TIMESTAMPTZ',
    values: ["'0001-01-01 00:00:00'", "'9999-12-31 23:59:59.999'", "'2024-01-01 00:00:00.001'", "'1970-01-01 00:00:00'"],
  },
  {
    name: 'ts_ns',
    duck: 'TIMESTAMP_NS',
    delta: 'timestamp',
    read: 'TIMESTAMPTZ',
    values: ["'1678-01-01 00:00:00'", "'2262-04-11 23:47:16.854775'", "'2024-01-01 00:00:00.000001'", "'1970-01-01 00:00:00'"],
  },
  { name: 'e', duck: "ENUM('a', 'b')", delta: 'string', read: 'VARCHAR', values: ["'a'", "'b'", "'a'", "'b'"] },
  {
    name: 'u',
    duck: 'UUID',
    delta: 'string',
    read: 'VARCHAR',
    values: [
      "'00000000-0000-0000-0000-000000000000'",
      "'ffffffff-ffff-ffff-ffff-ffffffffffff'",
      "'123e4567-e89b-12d3-a456-426614174000'",
      "'00000000-0000-0000-0000-000000000001'",
    ],
  },
  { name: 'j', duck: 'JSON', delta: 'string', read: 'VARCHAR', values: [`'{}'`, `'{"a": [1, null]}'`, "'null'", "'1'"] },
  { name: 'li', duck: 'INTEGER[]', delta: array('integer'), read: 'INTEGER[]', values: ['[]', '[1, NULL, 2147483647]', 'NULL', '[0]'] },
  {
    name: 'emb',
    duck: 'FLOAT[3]',
    delta: array('float'),
    read: 'FLOAT[]',
    values: ['[0, 0, 0]', "[1.5, 'nan'::FLOAT, 'inf'::FLOAT]", '[NULL, 1, 2]', '[-1, -2, -3]'],
  },
  {
    name: 'lh',
    duck: 'HUGEINT[]',
    delta: array('long'),
    read: 'BIGINT[]',
    values: ['[-9223372036854775808]', '[9223372036854775807, NULL]', '[]', '[1]'],
  },
  {
    name: 'st',
    duck: 'STRUCT(a INTEGER, "b c" VARCHAR, t TIMESTAMP, u UTINYINT)',
    delta: { type: 'struct', fields: [field('a', 'integer'), field('b c', 'string'), field('t', 'timestamp'), field('u', 'short')] },
    read: 'STRUCT(a INTEGER, "b c" VARCHAR, t TIMESTAMPTZ, u SMALLINT)',
    values: [
      "{'a': NULL, 'b c': '', 't': '0001-01-01 00:00:00', 'u': 0}",
      "{'a': 2147483647, 'b c': 'z', 't': '9999-12-31 23:59:59.999999', 'u': 255}",
      'NULL',
      "{'a': 1, 'b c': NULL, 't': NULL, 'u': NULL}",
    ],
  },
  {
    name: 'm',
    duck: 'MAP(VARCHAR, UBIGINT)',
    delta: { type: 'map', keyType: 'string', valueType: 'decimal(38,0)', valueContainsNull: true },
    read: 'MAP(VARCHAR, DECIMAL(38,0))',
    values: ['MAP {}', "MAP {'k': 18446744073709551615, '': NULL}", 'NULL', "MAP {'a': 1}"],
  },
  {
    name: 'ls',
    duck: 'STRUCT(k VARCHAR, v DOUBLE)[]',
    delta: array({ type: 'struct', fields: [field('k', 'string'), field('v', 'double')] }),
    read: 'STRUCT(k VARCHAR, v DOUBLE)[]',
    values: ['[]', "[{'k': 'x', 'v': 'nan'::DOUBLE}, NULL]", 'NULL', "[{'k': '', 'v': -0.5}]"],
  },
];

/** The asset's SQL: an id, then every column, five rows. */
function allTypesSql(): string {
  const rows = [0, 1, 2, 3, 4].map(
    (r) => `(${r}, ${COLUMNS.map((c) => `CAST(${r === 4 ? 'NULL' : c.values[r]} AS ${c.duck})`).join(', ')})`,
  );
  return `SELECT * FROM (VALUES ${rows.join(',\n')}) t(id, ${COLUMNS.map((c) => ident(c.name)).join(', ')})`;
}

/** The rows a Delta reader must see: the source values cast to the type the Delta column reads as. */
async function expectedRows(): Promise<string[]> {
  return withDuck(async (c) => {
    const sql = `SELECT id, ${COLUMNS.map((c) => `CAST(${ident(c.name)} AS ${c.read}) AS ${ident(c.name)}`).join(', ')} FROM (${allTypesSql()})`;
    return canonical((await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]);
  });
}

const deltaSchema = (fields: Array<{ name: string; type: unknown }>) => fields.map((f) => ({ name: f.name, type: f.type }));

describe('DuckDB types → Freshet → delta-rs', () => {
  it('every type, at its edges, reads in delta-rs with the Delta type of the map and the same values', async () => {
    const graph = definitions({ assets: [asset({ name: 'all_types', sql: allTypesSql() })] });
    const warehouse = openStore(path.join(dir, 'write'));
    const result = await materialize({ graph, warehouse, asset: 'all_types', partition: undefined });
    expect(result.rows).toBe(5);
    const uri = path.join(dir, 'write', 'all_types');

    const theirs = await deltaRsRead(uri);
    expect(deltaSchema(theirs.schema.fields)).toEqual([
      { name: 'id', type: 'integer' },
      ...COLUMNS.map((c) => ({ name: c.name, type: c.delta })),
    ]);
    const expected = await expectedRows();
    expect(canonical(await parquetRows(theirs.parquet))).toEqual(expected);
    // and Freshet's own reader agrees
    const table = assetTable(warehouse, 'all_types');
    expect(canonical(await readRows(table, (await loadSnapshot(table))!))).toEqual(expected);

    // the edges themselves, not only agreement: nothing wrapped, shifted or rounded
    const edges = await parquetRows(theirs.parquet, 'SELECT i64, u64, i128, u128, dec38, ts, tstz, ts_ns, d FROM __file WHERE id = 1');
    expect(edges).toEqual([
      {
        i64: '9223372036854775807',
        u64: '18446744073709551615',
        i128: '9223372036854775807',
        u128: '99999999999999999999999999999999999999',
        dec38: '99999999999999999999999999999999999999',
        ts: '9999-12-31 23:59:59.999999+00',
        tstz: '9999-12-31 23:59:59.999999+00',
        ts_ns: '2262-04-11 23:47:16.854775+00',
        d: '9999-12-31',
      },
    ]);

    // NaN and infinities have no JSON bound: that file's stats carry counts only (see delta/stats.ts)
    const stats = JSON.parse((await loadSnapshot(table))!.files[0].stats!) as Record<string, unknown>;
    expect(stats).toMatchObject({ numRecords: 5, nullCount: { i64: 1, u64: 1, ts: 1 } });
    expect(stats.minValues).toBeUndefined();
  });

  it("delta-rs, skipping files by Freshet's stats, finds the row at each edge of each type", async () => {
    // the same edges without the values no JSON bound can hold (NaN, infinities, the last millisecond of 9999)
    const sql = `SELECT * EXCLUDE (f32, f64_odd) REPLACE (date_trunc('millisecond', ts) AS ts, date_trunc('millisecond', tstz) AS tstz) FROM (${allTypesSql()})`;
    const graph = definitions({ assets: [asset({ name: 'edges', sql })] });
    const warehouse = openStore(path.join(dir, 'edges'));
    await materialize({ graph, warehouse, asset: 'edges', partition: undefined });
    const add = (await loadSnapshot(assetTable(warehouse, 'edges')))!.files[0];
    const bounded = Object.keys((JSON.parse(add.stats!) as { minValues: Record<string, unknown> }).minValues).sort();
    expect(bounded).toEqual(
      [
        'id',
        ...COLUMNS.filter((c) => typeof c.delta === 'string' && !['binary', 'float'].includes(c.delta) && c.name !== 'f64_odd').map(
          (c) => c.name,
        ),
      ].sort(),
    );

    const filters: Array<[string, string, string, string, number]> = [
      ['i64', '>=', '9223372036854775807', 'int', 1],
      ['i64', '<=', '-9223372036854775808', 'int', 1],
      ['i128', '>=', '9223372036854775807', 'int', 1],
      ['u32', '>=', '4294967295', 'int', 1],
      ['i8', '<=', '-128', 'int', 1],
      ['u64', '>=', '18446744073709551615', 'dec', 1],
      ['u128', '>=', '99999999999999999999999999999999999999', 'dec', 1],
      ['dec38', '<=', '-99999999999999999999999999999999999999', 'dec', 1],
      ['dec18', '>=', '999999999999.999999', 'dec', 1],
      ['dec4', '<=', '-99.99', 'dec', 1],
      ['f64', '>=', '1.7976931348623157e308', 'json', 1],
      ['f64', '<', '1e-300', 'json', 2],
      ['ts', '>=', '9999-12-31T23:59:59.999Z', 'datetime', 1],
      ['ts', '<=', '0001-01-01T00:00:00Z', 'datetime', 1],
      ['ts', '>', '2024-01-01T00:00:00Z', 'datetime', 1],
      ['tstz', '=', '2024-06-01T10:00:00Z', 'datetime', 1],
      ['ts_ns', '>=', '2262-04-11T23:47:16.854775Z', 'datetime', 1],
      ['ts_ms', '>=', '9999-12-31T23:59:59.999Z', 'datetime', 1],
      ['d', '>=', '9999-12-31', 'date', 1],
      ['d', '<=', '0001-01-01', 'date', 1],
      ['s', '=', '""', 'json', 1],
      ['b', '=', 'true', 'json', 2],
      ['e', '=', '"b"', 'json', 2],
      ['u', '=', '"ffffffff-ffff-ffff-ffff-ffffffffffff"', 'json', 1],
    ];
    const uri = path.join(dir, 'edges', 'edges');
    const counts = await oracle([
      'count-filters',
      uri,
      JSON.stringify(filters.map(([c, op, v, kind]) => [c, op, kind === 'json' ? JSON.parse(v) : v, kind])),
    ]);
    expect(counts.rows).toEqual(filters.map((f) => f[4]));
  });

  it('a value Delta cannot hold fails the materialization naming the column and the fix, and commits nothing', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        'SELECT 1 AS id, CAST(9223372036854775808 AS HUGEINT) AS total',
        /column "total" holds 9223372036854775808, which is beyond Delta long \(64-bit\); cast it in the SQL: CAST\("total" AS DECIMAL\(38,0\)\)/,
      ],
      [
        "SELECT 1 AS id, TIMESTAMP_NS '2024-01-01 00:00:00.000000001' AS at",
        /column "at" holds 2024-01-01 00:00:00.000000001, which has nanoseconds/,
      ],
      ["SELECT 1 AS id, 'infinity'::DATE AS day", /column "day" holds infinity, which Delta cannot store \(it has no infinite date\)/],
      [
        'SELECT 1 AS id, INTERVAL 1 DAY AS gap',
        /asset 'bad': column "gap" has DuckDB type INTERVAL, which Delta tables cannot store; cast it in the SQL: CAST\("gap" AS VARCHAR\)/,
      ],
      ["SELECT 1 AS id, TIME '01:02:03' AS at", /column "at" has DuckDB type TIME, which Delta tables cannot store/],
    ];
    for (const [sql, message] of cases) {
      const graph = definitions({ assets: [asset({ name: 'bad', sql })] });
      const warehouse = openStore(path.join(dir, `bad-${Math.random().toString(36).slice(2)}`));
      await expect(materialize({ graph, warehouse, asset: 'bad', partition: undefined }), sql).rejects.toThrow(message);
      expect(await loadSnapshot(assetTable(warehouse, 'bad'))).toBeUndefined();
      expect(await warehouse.list('bad/')).toEqual([]);
    }
  });
});

describe('delta-rs types → Freshet', () => {
  it("every Delta type delta-rs writes reads in Freshet with delta-rs' schema and values, and an asset copying it writes them back", async () => {
    const wh = path.join(dir, 'read');
    const rawUri = path.join(wh, 'raw');
    await oracle(['write-types', rawUri]);
    const theirs = await deltaRsRead(rawUri);
    const raw = openStore(rawUri);
    const snap = (await loadSnapshot(raw))!;
    expect(snap.protocol).toMatchObject({ minReaderVersion: 3, readerFeatures: ['timestampNtz'] });
    expect(snap.metadata.schema.map((f) => ({ name: f.name, type: parseDeltaType(f.type) }))).toEqual(deltaSchema(theirs.schema.fields));
    const rows = canonical(await parquetRows(theirs.parquet));
    expect(canonical(await readRows(raw, snap))).toEqual(rows);
    expect(rows.length).toBe(4);

    // an asset reading it (its input view) and writing it (the map): naive timestamp_ntz becomes timestamp, in UTC
    const graph = definitions({
      assets: [source({ name: 'raw', sql: 'SELECT 1 AS unused' }), asset({ name: 'copy', deps: ['raw'], sql: 'SELECT * FROM raw' })],
    });
    await materialize({ graph, warehouse: openStore(wh), asset: 'copy', partition: undefined });
    const copy = await deltaRsRead(path.join(wh, 'copy'));
    expect(deltaSchema(copy.schema.fields)).toEqual(
      deltaSchema(theirs.schema.fields).map((f) => (f.type === 'timestamp_ntz' ? { ...f, type: 'timestamp' } : f)),
    );
    expect(canonical(await parquetRows(copy.parquet))).toEqual(
      canonical(await parquetRows(theirs.parquet, 'SELECT * REPLACE (CAST(timestamp_ntz AS TIMESTAMPTZ) AS timestamp_ntz) FROM __file')),
    );
  });

  it('Freshet writes timestamp_ntz tables delta-rs reads: a new one, and appending to one delta-rs made', async () => {
    const ntz: Field[] = [
      { name: 'at', type: 'timestamp_ntz', nullable: true },
      { name: 'n', type: 'long', nullable: true },
    ];
    const uri = path.join(dir, 'ntz');
    const t = openStore(uri);
    const rows = [
      { at: '0001-01-01 00:00:00', n: 1 },
      { at: '9999-12-31 23:59:59.999999', n: 2 },
      { at: null, n: 3 },
    ];
    await write(t, {
      schema: ntz,
      partitionColumns: [],
      mode: 'append',
      adds: [await dataFile(t, rows, { schema: ntz, partitionColumns: [] })],
    });
    const read = await deltaRsRead(uri);
    expect(deltaSchema(read.schema.fields)).toEqual([
      { name: 'at', type: 'timestamp_ntz' },
      { name: 'n', type: 'long' },
    ]);
    expect(await parquetRows(read.parquet, 'SELECT * FROM __file ORDER BY n')).toEqual([
      { at: '0001-01-01 00:00:00', n: '1' },
      { at: '9999-12-31 23:59:59.999999', n: '2' },
      { at: null, n: '3' },
    ]);

    const theirsUri = path.join(dir, 'theirs-ntz');
    await oracle(['write-types', theirsUri]);
    const theirs = openStore(theirsUri);
    const schema = (await loadSnapshot(theirs))!.metadata.schema;
    const part: Field[] = schema.filter((f) => f.name === 'timestamp_ntz' || f.name === 'long');
    await write(theirs, {
      schema,
      partitionColumns: [],
      mode: 'append',
      adds: [await dataFile(theirs, [{ timestamp_ntz: '2000-01-01 12:34:56.789012', long: 42 }], { schema: part, partitionColumns: [] })],
    });
    const after = await deltaRsRead(theirsUri);
    expect(after.version).toBe(1);
    expect(await parquetRows(after.parquet, 'SELECT timestamp_ntz, long FROM __file WHERE long = 42')).toEqual([
      { timestamp_ntz: '2000-01-01 12:34:56.789012', long: '42' },
    ]);
  });
});
