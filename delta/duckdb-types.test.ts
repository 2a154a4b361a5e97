// The DuckDB ↔ Delta type map inside DuckDB: every integer value of every width lands exactly or
// stops the write naming the column; what is written reads back as the type duckdbType names;
// types Delta lacks are refused with the cast to write; stats always bound the values.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { withDuck } from './duck.ts';
import { deltaColumns, duckdbType, parseDeltaType, type DuckColumn } from './duckdb-types.ts';
import { DeltaWriteError } from './errors.ts';
import { loadSnapshot, write } from './index.ts';
import { ident, literal } from './sql.ts';
import { fileStats, statsJson, statValue } from './stats.ts';
import { dataFile, tempDir, tempTable } from '../test/support/delta/testkit.ts';
import type { Field } from './types.ts';

async function describeSql(c: DuckDBConnection, sql: string): Promise<DuckColumn[]> {
  const p = await c.prepare(sql);
  try {
    return Array.from({ length: p.columnCount }, (_, i) => ({ name: p.columnName(i), type: p.columnType(i) }));
  } finally {
    p.destroySync();
  }
}

/** `source` stored through the map: the fields, and the stored rows as DuckDB text with their types. */
async function store(c: DuckDBConnection, source: string, owner = 'test') {
  const { selects, fields } = deltaColumns(await describeSql(c, source), owner);
  const reader = await c.runAndReadAll(`SELECT ${selects.join(', ')} FROM (${source})`);
  return { fields, types: reader.columnTypes().map(String), rows: reader.getRowObjectsJson() };
}

const INTS: Array<{ duck: string; min: bigint; max: bigint; delta: string }> = [
  { duck: 'TINYINT', min: -(2n ** 7n), max: 2n ** 7n - 1n, delta: 'byte' },
  { duck: 'SMALLINT', min: -(2n ** 15n), max: 2n ** 15n - 1n, delta: 'short' },
  { duck: 'INTEGER', min: -(2n ** 31n), max: 2n ** 31n - 1n, delta: 'integer' },
  { duck: 'BIGINT', min: -(2n ** 63n), max: 2n ** 63n - 1n, delta: 'long' },
  { duck: 'UTINYINT', min: 0n, max: 2n ** 8n - 1n, delta: 'short' },
  { duck: 'USMALLINT', min: 0n, max: 2n ** 16n - 1n, delta: 'integer' },
  { duck: 'UINTEGER', min: 0n, max: 2n ** 32n - 1n, delta: 'long' },
  { duck: 'UBIGINT', min: 0n, max: 2n ** 64n - 1n, delta: 'decimal(38,0)' },
  // HUGEINT is written as long: its values within long land exactly (out of range: next test)
  { duck: 'HUGEINT', min: -(2n ** 63n), max: 2n ** 63n - 1n, delta: 'long' },
  { duck: 'UHUGEINT', min: 0n, max: 10n ** 38n - 1n, delta: 'decimal(38,0)' },
];

describe('DuckDB → Delta types', () => {
  it('every integer of every width is stored exactly, as the type duckdbType reads back', async () => {
    await withDuck(async (c) => {
      for (const t of INTS) {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.oneof(fc.constantFrom(t.min, t.max, 0n), fc.bigInt({ min: t.min, max: t.max })), { minLength: 1, maxLength: 20 }),
            async (values) => {
              const source = `SELECT CAST(v AS ${t.duck}) AS "n ""q""" FROM (VALUES ${values.map((v) => `(${literal(String(v))})`).join(', ')}) t(v)`;
              const { fields, types, rows } = await store(c, source);
              expect(fields).toEqual([{ name: 'n "q"', type: t.delta, nullable: true }]);
              const expected = (await c.runAndReadAll(`SELECT CAST(NULL AS ${duckdbType(t.delta)}) AS x`)).columnTypes().map(String);
              expect(types).toEqual(expected);
              expect(rows.map((r) => String(r['n "q"']))).toEqual(values.map(String));
            },
          ),
          { numRuns: 15 },
        );
      }
    });
  });

  it('a HUGEINT beyond long or a UHUGEINT beyond 38 digits stops the write, naming the column, the value and the cast', async () => {
    await withDuck(async (c) => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.bigInt({ min: -(2n ** 127n), max: -(2n ** 63n) - 1n }), fc.bigInt({ min: 2n ** 63n, max: 2n ** 127n - 1n })),
          async (v) => {
            await expect(store(c, `SELECT CAST(${v} AS HUGEINT) AS total, 1 AS ok`, "asset 'sums'")).rejects.toThrow(
              `asset 'sums': column "total" holds ${v}, which is beyond Delta long (64-bit); cast it in the SQL: CAST("total" AS DECIMAL(38,0))`,
            );
          },
        ),
        { numRuns: 20 },
      );
      await fc.assert(
        fc.asyncProperty(fc.bigInt({ min: 10n ** 38n, max: 2n ** 128n - 1n }), async (v) => {
          await expect(store(c, `SELECT CAST(${v} AS UHUGEINT) AS u`)).rejects.toThrow(
            `column "u" holds ${v}, which has more digits than the 38 of Delta decimal(38,0); cast it in the SQL: CAST("u" AS VARCHAR)`,
          );
        }),
        { numRuns: 10 },
      );
    });
  });

  it('other types: floats with NaN and infinities, decimals, text, bytes, times in UTC, and nested types element by element', async () => {
    await withDuck(async (c) => {
      const { fields, rows } = await store(
        c,
        `SELECT
        CAST('nan' AS FLOAT) f, CAST('-inf' AS DOUBLE) d, CAST('-99999999999999999999999999999999999999' AS DECIMAL(38,0)) dec38, CAST('-12.5' AS DECIMAL(4,1)) dec4,
        '' s, CAST('\\x00\\xFF' AS BLOB) bin, true b, DATE '0001-01-01' dt,
        TIMESTAMP '9999-12-31 23:59:59.999999' ts, TIMESTAMPTZ '2024-06-01 12:00:00+02' tz, TIMESTAMP_S '0001-01-01 00:00:00' ts_s,
        TIMESTAMP_MS '2024-01-01 00:00:00.123' ts_ms, TIMESTAMP_NS '2262-04-11 23:47:16.854775' ts_ns,
        CAST('b' AS ENUM('a', 'b')) e, CAST('ffffffff-ffff-ffff-ffff-ffffffffffff' AS UUID) u,
        [1, NULL]::INTEGER[] li, [1.5::FLOAT, 'nan'::FLOAT, 'inf'::FLOAT]::FLOAT[3] emb, [4611686018427387903]::HUGEINT[] lh,
        {'a b': 255::UTINYINT, 't': TIMESTAMP '0001-01-01 00:00:00'} st, MAP {'k': 18446744073709551615::UBIGINT} m,
        [{'x': 'y'::ENUM('y')}] ls`,
      );
      expect(Object.fromEntries(fields.map((f) => [f.name, parseDeltaType(f.type)]))).toEqual({
        f: 'float',
        d: 'double',
        dec38: 'decimal(38,0)',
        dec4: 'decimal(4,1)',
        s: 'string',
        bin: 'binary',
        b: 'boolean',
        dt: 'date',
        ts: 'timestamp',
        tz: 'timestamp',
        ts_s: 'timestamp',
        ts_ms: 'timestamp',
        ts_ns: 'timestamp',
        e: 'string',
        u: 'string',
        li: { type: 'array', elementType: 'integer', containsNull: true },
        emb: { type: 'array', elementType: 'float', containsNull: true },
        lh: { type: 'array', elementType: 'long', containsNull: true },
        st: {
          type: 'struct',
          fields: [
            { name: 'a b', type: 'short', nullable: true, metadata: {} },
            { name: 't', type: 'timestamp', nullable: true, metadata: {} },
          ],
        },
        m: { type: 'map', keyType: 'string', valueType: 'decimal(38,0)', valueContainsNull: true },
        ls: {
          type: 'array',
          elementType: { type: 'struct', fields: [{ name: 'x', type: 'string', nullable: true, metadata: {} }] },
          containsNull: true,
        },
      });
      expect(rows[0]).toEqual({
        f: 'NaN',
        d: '-Infinity',
        dec38: '-99999999999999999999999999999999999999',
        dec4: '-12.5',
        s: '',
        bin: '\\x00\\xFF',
        b: true,
        dt: '0001-01-01',
        ts: '9999-12-31 23:59:59.999999+00',
        tz: '2024-06-01 10:00:00+00',
        ts_s: '0001-01-01 00:00:00+00',
        ts_ms: '2024-01-01 00:00:00.123+00',
        ts_ns: '2262-04-11 23:47:16.854775+00',
        e: 'b',
        u: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
        li: [1, null],
        emb: [1.5, 'NaN', 'Infinity'],
        lh: ['4611686018427387903'],
        st: { 'a b': 255, t: '0001-01-01 00:00:00+00' },
        m: [{ key: 'k', value: '18446744073709551615' }],
        ls: [{ x: 'y' }],
      });
    });
  });

  it('what is written reads back as the type duckdbType names, for every mapped type, nested ones too', async () => {
    const types = [
      'BOOLEAN',
      'TINYINT',
      'SMALLINT',
      'INTEGER',
      'BIGINT',
      'UTINYINT',
      'USMALLINT',
      'UINTEGER',
      'UBIGINT',
      'HUGEINT',
      'UHUGEINT',
      'FLOAT',
      'DOUBLE',
      'DECIMAL(4,1)',
      'DECIMAL(18,3)',
      'DECIMAL(38,10)',
      'VARCHAR',
      'BLOB',
      'DATE',
      'TIMESTAMP',
      'TIMESTAMP_S',
      'TIMESTAMP_MS',
      'TIMESTAMP_NS',
      'TIMESTAMPTZ',
      "ENUM('a')",
      'UUID',
      'JSON',
      'INTEGER[]',
      'UUID[2]',
      'STRUCT("a ""b""" UBIGINT, c VARCHAR[])',
      'MAP(VARCHAR, TIMESTAMP)',
      'MAP(UTINYINT, STRUCT(x HUGEINT))',
      'STRUCT(a STRUCT(b TIMESTAMP_NS[]))[]',
    ];
    await withDuck(async (c) => {
      for (const t of types) {
        const { fields, types: stored } = await store(c, `SELECT CAST(NULL AS ${t}) AS x`);
        const read = (await c.runAndReadAll(`SELECT CAST(NULL AS ${duckdbType(fields[0].type)}) AS x`)).columnTypes().map(String);
        expect(stored, `${t} stored as ${fields[0].type}`).toEqual(read);
      }
    });
  });

  it('values Delta cannot hold stop the write with the column, the value and the fix', async () => {
    await withDuck(async (c) => {
      await expect(store(c, `SELECT TIMESTAMP_NS '2024-01-01 00:00:00.123456789' AS t`)).rejects.toThrow(
        'column "t" holds 2024-01-01 00:00:00.123456789, which has nanoseconds, and Delta timestamps keep microseconds; cast it in the SQL: CAST("t" AS TIMESTAMP) to drop them, or keep them as a number with epoch_ns("t")',
      );
      for (const [sql, what] of [
        [`'infinity'::DATE`, 'date'],
        [`'-infinity'::TIMESTAMP`, 'timestamp'],
        [`'infinity'::TIMESTAMPTZ`, 'timestamp'],
      ]) {
        await expect(store(c, `SELECT ${sql} AS v`)).rejects.toThrow(
          `column "v" holds ${sql.includes('-') ? '-' : ''}infinity, which Delta cannot store (it has no infinite ${what}); replace it with NULL or a finite value in the SQL`,
        );
      }
      await expect(store(c, `SELECT [1, 170141183460469231731687303715884105727]::HUGEINT[] AS l`)).rejects.toThrow(
        'column "l"[] holds 170141183460469231731687303715884105727, which is beyond Delta long (64-bit); cast "l" in the SQL so that "l"[] is DECIMAL(38,0)',
      );
      await expect(store(c, `SELECT MAP {'k': {'t': 'infinity'::DATE}} AS m`)).rejects.toThrow('column "m"{value}."t" holds infinity');
    });
  });

  it('types with no Delta equivalent are refused before anything runs, naming the column, the type and the cast', async () => {
    const refused: Array<[string, string]> = [
      ['TIME', 'CAST("c" AS VARCHAR)'],
      ['TIMETZ', 'CAST("c" AS VARCHAR)'],
      ['INTERVAL', 'CAST("c" AS VARCHAR)'],
      ['BIT', 'CAST("c" AS VARCHAR)'],
      ['UNION(a INTEGER, b VARCHAR)', 'CAST("c" AS VARCHAR)'],
      ['VARINT', 'CAST("c" AS DECIMAL(38,0))'],
    ];
    await withDuck(async (c) => {
      for (const [t, cast] of refused) {
        const cols = await describeSql(c, `SELECT CAST(NULL AS ${t}) AS c`);
        expect(() => deltaColumns(cols, "asset 'a'"), t).toThrow(DeltaWriteError);
        expect(() => deltaColumns(cols, "asset 'a'"), t).toThrow(
          new RegExp(
            `^asset 'a': column "c" has DuckDB type \\S.*, which Delta tables cannot store; cast it in the SQL: ${cast.replace(/[()]/g, '\\$&')}`,
          ),
        );
      }
      const nested = await describeSql(c, `SELECT {'at': CAST(NULL AS TIME)} AS s`);
      expect(() => deltaColumns(nested, 'x')).toThrow(
        'x: column "s"."at" has DuckDB type TIME, which Delta tables cannot store; cast "s" in the SQL so that "s"."at" is VARCHAR.',
      );
    });
  });
});

describe('Delta → DuckDB types', () => {
  it('reads every Delta type, timestamp_ntz as TIMESTAMP, nested ones recursively; an unknown one names the column', () => {
    expect(
      [
        'string',
        'long',
        'integer',
        'short',
        'byte',
        'float',
        'double',
        'boolean',
        'binary',
        'date',
        'timestamp',
        'timestamp_ntz',
        'decimal(38, 0)',
      ].map((t) => duckdbType(t)),
    ).toEqual([
      'VARCHAR',
      'BIGINT',
      'INTEGER',
      'SMALLINT',
      'TINYINT',
      'FLOAT',
      'DOUBLE',
      'BOOLEAN',
      'BLOB',
      'DATE',
      'TIMESTAMPTZ',
      'TIMESTAMP',
      'DECIMAL(38,0)',
    ]);
    const nested = JSON.stringify({
      type: 'map',
      keyType: 'string',
      valueType: {
        type: 'array',
        elementType: { type: 'struct', fields: [{ name: 'a"b', type: 'timestamp_ntz', nullable: true, metadata: {} }] },
        containsNull: true,
      },
      valueContainsNull: true,
    });
    expect(duckdbType(nested)).toBe('MAP(VARCHAR, STRUCT("a""b" TIMESTAMP)[])');
    expect(() => duckdbType('variant', 'payload')).toThrow('column payload has Delta type variant, which Freshet cannot read');
    expect(() => duckdbType('decimal(39,0)', 'x')).toThrow('column x has Delta type decimal(39,0)');
  });
});

describe('file stats', () => {
  /** Writes `values` (SQL literals of `duck`) through the map into a Parquet file of small row groups; its stats and the stored values. */
  async function statsOf(duck: string, values: Array<string | null>) {
    const file = path.join(await tempDir('freshet-stats'), 'f.parquet');
    return withDuck(async (c) => {
      const source = `SELECT CAST(v AS ${duck}) AS "v 1" FROM (VALUES ${values.map((v, i) => `(${i}, ${v === null ? 'NULL' : literal(v)})`).join(', ')}) t(i, v) ORDER BY i`;
      const { selects, fields } = deltaColumns(await describeSql(c, source), 'test');
      await c.run(`COPY (SELECT ${selects.join(', ')} FROM (${source})) TO ${literal(file)} (FORMAT parquet, ROW_GROUP_SIZE 3)`);
      return { stats: await fileStats(c, file, fields), field: fields[0] };
    });
  }

  /** Every stored value lies within the stats' bounds (compared by DuckDB in the column's type), and the null count is exact. */
  async function checkBounds(duck: string, values: Array<string | null>) {
    const file = path.join(await tempDir('freshet-stats'), 'f.parquet');
    await withDuck(async (c) => {
      const source = `SELECT CAST(v AS ${duck}) AS "v 1" FROM (VALUES ${values.map((v, i) => `(${i}, ${v === null ? 'NULL' : literal(v)})`).join(', ')}) t(i, v) ORDER BY i`;
      const { selects, fields } = deltaColumns(await describeSql(c, source), 'test');
      await c.run(`COPY (SELECT ${selects.join(', ')} FROM (${source})) TO ${literal(file)} (FORMAT parquet, ROW_GROUP_SIZE 3)`);
      const stats = await fileStats(c, file, fields);
      expect(stats.numRecords).toBe(values.length);
      expect(stats.nullCount['v 1']).toBe(values.filter((v) => v === null).length);
      const type = duckdbType(fields[0].type);
      // decimals are kept as their exact text (statsJson writes it as the JSON number)
      const asSql = (v: unknown) =>
        `CAST(${literal(typeof v === 'object' && v !== null && 'text' in v ? String(v.text) : String(v))} AS ${type})`;
      const col = ident('v 1');
      for (const [bound, op] of [
        ['minValues', '>='],
        ['maxValues', '<='],
      ] as const) {
        const b = stats[bound]['v 1'];
        if (b === undefined) continue;
        const outside = await c.runAndReadAll(
          `SELECT count(*)::INTEGER AS n FROM read_parquet(${literal(file)}) WHERE NOT (${col} ${op} ${asSql(b)})`,
        );
        expect(outside.getRowObjectsJson()[0].n, `${bound} ${String(b)} of ${values.join(', ')}`).toBe(0);
      }
      // NaN sorts above every number for Spark and delta-rs, and JSON has no infinity: no bounds then;
      // otherwise a column with a value always has both (delta-rs skips a file missing one)
      const odd = (duck === 'DOUBLE' || duck === 'FLOAT') && values.some((v) => v !== null && /nan|inf/i.test(v));
      const hasValue = values.some((v) => v !== null);
      expect(stats.minValues['v 1'] !== undefined, `bounds of ${values.join(', ')}`).toBe(hasValue && !odd);
      expect(stats.maxValues['v 1'] !== undefined).toBe(hasValue && !odd);
    });
  }

  const nullable = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 5 });
  const list = <T>(a: fc.Arbitrary<T>) => fc.array(nullable(a), { minLength: 1, maxLength: 12 });

  it('bound every value: longs past 2^53, unsigned and huge integers, doubles with NaN and infinities', async () => {
    await fc.assert(
      fc.asyncProperty(list(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })), (vs) =>
        checkBounds(
          'BIGINT',
          vs.map((v) => (v === null ? null : String(v))),
        ),
      ),
      { numRuns: 25 },
    );
    await fc.assert(
      fc.asyncProperty(list(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })), (vs) =>
        checkBounds(
          'UBIGINT',
          vs.map((v) => (v === null ? null : String(v))),
        ),
      ),
      { numRuns: 15 },
    );
    await fc.assert(
      fc.asyncProperty(list(fc.double()), (vs) =>
        checkBounds(
          'DOUBLE',
          vs.map((v) => (v === null ? null : String(v))),
        ),
      ),
      { numRuns: 25 },
    );
    await fc.assert(
      fc.asyncProperty(list(fc.float()), (vs) =>
        checkBounds(
          'FLOAT',
          vs.map((v) => (v === null ? null : String(v))),
        ),
      ),
      { numRuns: 15 },
    );
  });

  it('bound every value: decimals up to 38 digits, timestamps from year 1 to 9999 to the microsecond, dates, strings', async () => {
    const digits = fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n });
    const dec = (s: number) =>
      digits.map((v) => {
        const t = (v < 0n ? -v : v).toString().padStart(s + 1, '0');
        return `${v < 0n ? '-' : ''}${t.slice(0, t.length - s)}.${t.slice(t.length - s)}`;
      });
    await fc.assert(
      fc.asyncProperty(list(dec(10)), (vs) => checkBounds('DECIMAL(38,10)', vs)),
      { numRuns: 15 },
    );
    const small = fc.integer({ min: -999999, max: 999999 }).map((v) => (v / 100).toFixed(2));
    await fc.assert(
      fc.asyncProperty(list(small), (vs) => checkBounds('DECIMAL(8,2)', vs)),
      { numRuns: 15 },
    );
    // up to the last millisecond of 9999 but one: a max there cannot be rounded up (see the next test)
    const micros = fc.bigInt({ min: -62135596800000000n, max: 253402300799998999n });
    const ts = micros.map((us) => {
      const ms = Number(us / 1000n - (us % 1000n < 0n ? 1n : 0n));
      const frac = ((us % 1000000n) + 1000000n) % 1000000n;
      return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${String(frac).padStart(6, '0')}`;
    });
    await fc.assert(
      fc.asyncProperty(list(ts), (vs) => checkBounds('TIMESTAMP', vs)),
      { numRuns: 25 },
    );
    await fc.assert(
      fc.asyncProperty(list(ts), (vs) =>
        checkBounds(
          'TIMESTAMPTZ',
          vs.map((v) => (v === null ? null : `${v}+00`)),
        ),
      ),
      { numRuns: 10 },
    );
    await fc.assert(
      fc.asyncProperty(list(ts), (vs) =>
        checkBounds(
          'DATE',
          vs.map((v) => (v === null ? null : v.slice(0, 10))),
        ),
      ),
      { numRuns: 10 },
    );
    await fc.assert(
      fc.asyncProperty(list(fc.string({ unit: 'grapheme' })), (vs) => checkBounds('VARCHAR', vs)),
      { numRuns: 15 },
    );
  });

  it('keeps longs and decimals exact, rounds timestamp maxima up, and writes bounds for every column or none', async () => {
    const { stats } = await statsOf('BIGINT', ['9223372036854775807', '-9223372036854775808', null]);
    expect(statsJson(stats)).toBe(
      '{"numRecords":3,"minValues":{"v 1":-9223372036854775808},"maxValues":{"v 1":9223372036854775807},"nullCount":{"v 1":1}}',
    );
    const dec = await statsOf('DECIMAL(38,2)', ['-999999999999999999999999999999999999.99', '0.10']);
    expect(statsJson(dec.stats)).toBe(
      '{"numRecords":2,"minValues":{"v 1":-999999999999999999999999999999999999.99},"maxValues":{"v 1":0.10},"nullCount":{"v 1":0}}',
    );
    expect(statsJson((await statsOf('BOOLEAN', ['true', null])).stats)).toBe(
      '{"numRecords":2,"minValues":{"v 1":true},"maxValues":{"v 1":true},"nullCount":{"v 1":1}}',
    );
    // an infinity has no JSON bound: the file gets no bounds at all, only counts
    expect(statsJson((await statsOf('DOUBLE', ['1', 'inf'])).stats)).toBe('{"numRecords":2,"nullCount":{"v 1":0}}');
    expect(statsJson((await statsOf('TIMESTAMP', ['9999-12-31 23:59:59.999999'])).stats)).toBe('{"numRecords":1,"nullCount":{"v 1":0}}');
    // an all-null column needs no bounds, and the file keeps its other columns' bounds
    const file = path.join(await tempDir('freshet-stats'), 'two.parquet');
    const two = await withDuck(async (c) => {
      await c.run(`COPY (SELECT 1::BIGINT AS a, NULL::VARCHAR AS b) TO ${literal(file)} (FORMAT parquet)`);
      return fileStats(c, file, [
        { name: 'a', type: 'long', nullable: true },
        { name: 'b', type: 'string', nullable: true },
      ]);
    });
    expect(statsJson(two)).toBe('{"numRecords":1,"minValues":{"a":1},"maxValues":{"a":1},"nullCount":{"a":0,"b":1}}');
    expect(statValue('timestamp', '2024-01-01 00:00:00.123001+00', 'max')).toBe('2024-01-01T00:00:00.124Z');
    expect(statValue('timestamp', '2024-01-01 00:00:00.123999+00', 'min')).toBe('2024-01-01T00:00:00.123Z');
    expect(statValue('timestamp', '0001-01-01 00:00:00+00', 'min')).toBe('0001-01-01T00:00:00.000Z');
    expect(statValue('timestamp', '9999-12-31 23:59:59.999999+00', 'max')).toBeUndefined();
    expect(statValue('timestamp', '0001-12-31 00:00:00+00 (BC)', 'min')).toBeUndefined();
    expect(statValue('timestamp_ntz', '2024-01-01 00:00:00.0000001', 'max')).toBeUndefined();
    expect(statValue('timestamp_ntz', '2024-01-01 00:00:00.000001', 'max')).toBe('2024-01-01T00:00:00.001');
    expect(statValue('timestamp', '2024-01-01 00:00:00', 'max')).toBeUndefined();
    expect(statValue('double', 'inf', 'max')).toBeUndefined();
    // a nested column has no flat stats, and its null count is not guessed
    const nested = await statsOf('INTEGER[]', ['[1]', null]);
    expect(statsJson(nested.stats)).toBe('{"numRecords":2,"nullCount":{}}');
  });
});

describe('timestamp_ntz tables', () => {
  const ntz: Field[] = [
    { name: 'at', type: 'timestamp_ntz', nullable: true },
    { name: 'n', type: 'long', nullable: true },
  ];

  it('a new table with a timestamp_ntz column gets reader 3 / writer 7 with the timestampNtz feature; a later write keeps it', async () => {
    const t = await tempTable();
    const rows = [
      { at: '0001-01-01 00:00:00', n: 1 },
      { at: '9999-12-31 23:59:59.999999', n: 2 },
    ];
    await write(t, {
      schema: ntz,
      partitionColumns: [],
      mode: 'append',
      adds: [await dataFile(t, rows, { schema: ntz, partitionColumns: [] })],
    });
    await write(t, {
      schema: ntz,
      partitionColumns: [],
      mode: 'append',
      adds: [await dataFile(t, [{ at: null, n: 3 }], { schema: ntz, partitionColumns: [] })],
    });
    const snap = (await loadSnapshot(t))!;
    expect(snap.protocol).toEqual({
      minReaderVersion: 3,
      minWriterVersion: 7,
      readerFeatures: ['timestampNtz'],
      writerFeatures: ['timestampNtz'],
    });
    expect(snap.metadata.schema.map((f) => f.type)).toEqual(['timestamp_ntz', 'long']);
  });

  it('adding a timestamp_ntz column to a table without the feature is refused, naming the column and the fix; nothing is committed', async () => {
    const t = await tempTable();
    const plain: Field[] = [{ name: 'n', type: 'long', nullable: true }];
    await write(t, {
      schema: plain,
      partitionColumns: [],
      mode: 'append',
      adds: [await dataFile(t, [{ n: 1 }], { schema: plain, partitionColumns: [] })],
    });
    const add = await dataFile(t, [{ at: '2024-01-01 00:00:00', n: 2 }], { schema: ntz, partitionColumns: [] });
    await expect(write(t, { schema: [...plain, ntz[0]], partitionColumns: [], mode: 'append', adds: [add] })).rejects.toThrow(
      /column "at" is timestamp_ntz, which needs the table feature timestampNtz \(reader version 3, writer version 7\), but the table's protocol is reader 1 \/ writer 2; write the column as timestamp \(UTC\) instead/,
    );
    expect((await loadSnapshot(t))!.version).toBe(0);
  });
});
