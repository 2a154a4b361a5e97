// The one map between DuckDB and Delta column types, both ways. engine/ (asset results), stream/
// (the sink) and delta/ (scans, stats, test files) all go through it.
//
// Writing, DuckDB → Delta:
//   BOOLEAN boolean · TINYINT byte · SMALLINT short · INTEGER integer · BIGINT long
//   UTINYINT short · USMALLINT integer · UINTEGER long (each to the next signed width: every value fits)
//   UBIGINT decimal(38,0) (every value fits; tables written before keep this type)
//   HUGEINT long, checked: sum() and friends return HUGEINT, and feature tables want long; a value
//     beyond long stops the write (cast to DECIMAL(38,0) to keep it)
//   UHUGEINT decimal(38,0), checked: a value beyond 38 digits stops the write
//   FLOAT float · DOUBLE double (NaN and ±Infinity kept) · DECIMAL(p,s) decimal(p,s)
//   VARCHAR (and JSON) string · ENUM string · UUID string (its text) · BLOB binary · DATE date
//   TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS timestamp: Freshet's naive timestamps are UTC (its DuckDB
//     session runs in UTC), and Delta's `timestamp` is the UTC instant every reader understands at
//     protocol 1/2; `timestamp_ntz` would need reader 3 / writer 7 and change tables Freshet wrote
//   TIMESTAMPTZ timestamp · TIMESTAMP_NS timestamp, checked: sub-microsecond digits stop the write
//   LIST, ARRAY (fixed size) array · STRUCT struct · MAP map, converted element by element
//   Infinite DATE and TIMESTAMP values stop the write (Delta has no infinity).
//   TIME, TIMETZ, INTERVAL, BIT, BIGNUM, UNION, VARIANT, GEOMETRY: refused, with the cast to write.
//
// Reading, Delta → DuckDB: the inverse, plus timestamp_ntz → TIMESTAMP (tables other writers made).
import { DuckDBTypeId, type DuckDBType } from '@duckdb/node-api';
import { DeltaLogError, DeltaWriteError } from './errors.ts';
import { ident, literal } from './sql.ts';
import type { Field, PrimitiveType } from './types.ts';

/** A Delta type: a primitive name, or a nested type as the log's schemaString spells it. */
export type DeltaType =
  | string
  | { type: 'array'; elementType: DeltaType; containsNull: boolean }
  | { type: 'struct'; fields: Array<{ name: string; type: DeltaType; nullable: boolean; metadata: Record<string, unknown> }> }
  | { type: 'map'; keyType: DeltaType; valueType: DeltaType; valueContainsNull: boolean };

/** A column of a DuckDB result. */
export interface DuckColumn {
  name: string;
  type: DuckDBType;
}

/** A Field's type text: primitive names as they are, nested types as their JSON. */
export function fieldType(t: DeltaType): PrimitiveType {
  return (typeof t === 'string' ? t : JSON.stringify(t)) as PrimitiveType;
}

/** A Field's type as a DeltaType. */
export function parseDeltaType(type: string): DeltaType {
  return type.startsWith('{') ? (JSON.parse(type) as DeltaType) : type;
}

/** The columns of a DuckDB result as Delta fields, and the SELECT list that stores them. */
export function deltaColumns(columns: DuckColumn[], owner: string): { selects: string[]; fields: Field[] } {
  const out = columns.map((c) => deltaColumn(c, owner));
  return { selects: out.map((c) => c.select), fields: out.map((c) => c.field) };
}

/**
 * How one DuckDB result column is stored in Delta: its field, and the SELECT item (aliased to the
 * column's name) that yields the stored value. The item casts where the types differ and stops the
 * query, naming the column, the value and the fix, on a value the Delta type cannot hold.
 * A DuckDB type with no Delta equivalent throws here, before anything runs.
 */
export function deltaColumn(col: DuckColumn, owner: string): { field: Field; select: string } {
  const top = ident(col.name);
  const conv = convert(col.type, { owner, top: col.name, path: top });
  const select = conv.sql ? `${conv.sql(top, 0)} AS ${top}` : top;
  return { field: { name: col.name, type: fieldType(conv.delta), nullable: true }, select };
}

interface Where {
  owner: string;
  /** the result column */
  top: string;
  /** where in it, for messages: "emb"[] or "s"."a" */
  path: string;
}

interface Conversion {
  delta: DeltaType;
  /** SQL yielding the stored value from the DuckDB value `x`; undefined: stored as it is. `depth` names lambda variables. */
  sql?: (x: string, depth: number) => string;
}

/** A check on a value: when `when` holds, the write stops with `problem` and `fix`. */
interface Check {
  when: (x: string) => string;
  problem: string;
  fix: string;
}

const INT64 = { min: '-9223372036854775808', max: '9223372036854775807' };
const DEC38_MAX = '9'.repeat(38);

function convert(t: DuckDBType, where: Where): Conversion {
  const as = (sqlType: string) => (x: string) => `CAST(${x} AS ${sqlType})`;
  const hint = (type: string) =>
    where.path === ident(where.top)
      ? `cast it in the SQL: CAST(${ident(where.top)} AS ${type})`
      : `cast ${ident(where.top)} in the SQL so that ${where.path} is ${type}`;
  const infinite = (what: string): Check => ({
    when: (x) => `isinf(${x})`,
    problem: `which Delta cannot store (it has no infinite ${what})`,
    fix: 'replace it with NULL or a finite value in the SQL',
  });
  const utc = (x: string) => `timezone('UTC', ${x})`;
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { delta: 'boolean' };
    case DuckDBTypeId.TINYINT:
      return { delta: 'byte' };
    case DuckDBTypeId.SMALLINT:
      return { delta: 'short' };
    case DuckDBTypeId.INTEGER:
      return { delta: 'integer' };
    case DuckDBTypeId.BIGINT:
      return { delta: 'long' };
    case DuckDBTypeId.UTINYINT:
      return { delta: 'short', sql: as('SMALLINT') };
    case DuckDBTypeId.USMALLINT:
      return { delta: 'integer', sql: as('INTEGER') };
    case DuckDBTypeId.UINTEGER:
      return { delta: 'long', sql: as('BIGINT') };
    case DuckDBTypeId.UBIGINT:
      return { delta: 'decimal(38,0)', sql: as('DECIMAL(38,0)') };
    case DuckDBTypeId.HUGEINT:
      return {
        delta: 'long',
        sql: checked(
          where,
          [
            {
              when: (x) => `${x} < ${INT64.min} OR ${x} > ${INT64.max}`,
              problem: 'which is beyond Delta long (64-bit)',
              fix: `${hint('DECIMAL(38,0)')} to keep up to 38 digits`,
            },
          ],
          as('BIGINT'),
        ),
      };
    case DuckDBTypeId.UHUGEINT:
      return {
        delta: 'decimal(38,0)',
        sql: checked(
          where,
          [
            {
              when: (x) => `${x} > ${DEC38_MAX}`,
              problem: 'which has more digits than the 38 of Delta decimal(38,0)',
              fix: `${hint('VARCHAR')} to keep it as text`,
            },
          ],
          as('DECIMAL(38,0)'),
        ),
      };
    case DuckDBTypeId.FLOAT:
      return { delta: 'float' };
    case DuckDBTypeId.DOUBLE:
      return { delta: 'double' };
    case DuckDBTypeId.DECIMAL: {
      // DuckDB's DECIMAL widths (1..38) are Delta's.
      return { delta: `decimal(${t.width},${t.scale})` };
    }
    // JSON is VARCHAR by another name: written as plain text, as readers expect of a Delta string.
    case DuckDBTypeId.VARCHAR:
      return t.alias ? { delta: 'string', sql: as('VARCHAR') } : { delta: 'string' };
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.UUID:
      return { delta: 'string', sql: as('VARCHAR') };
    case DuckDBTypeId.BLOB:
      return { delta: 'binary' };
    case DuckDBTypeId.DATE:
      return { delta: 'date', sql: checked(where, [infinite('date')], (x) => x) };
    case DuckDBTypeId.TIMESTAMP:
      return { delta: 'timestamp', sql: checked(where, [infinite('timestamp')], utc) };
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
      return { delta: 'timestamp', sql: (x, d) => checked(where, [infinite('timestamp')], utc)(`CAST(${x} AS TIMESTAMP)`, d) };
    case DuckDBTypeId.TIMESTAMP_NS:
      return {
        delta: 'timestamp',
        sql: checked(
          where,
          [
            infinite('timestamp'),
            {
              when: (x) => `epoch_ns(${x}) % 1000 <> 0`,
              problem: 'which has nanoseconds, and Delta timestamps keep microseconds',
              fix: `${hint('TIMESTAMP')} to drop them, or keep them as a number with epoch_ns(${ident(where.top)})`,
            },
          ],
          (x) => utc(`CAST(${x} AS TIMESTAMP)`),
        ),
      };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { delta: 'timestamp', sql: checked(where, [infinite('timestamp')], (x) => x) };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY: {
      const child = t.valueType;
      const el = convert(child, { ...where, path: `${where.path}[]` });
      // A fixed-size ARRAY is written as a list: Delta arrays have no fixed size.
      const toList = t.typeId === DuckDBTypeId.ARRAY ? (x: string) => `CAST(${x} AS ${child.toString()}[])` : (x: string) => x;
      const sql = el.sql
        ? (x: string, d: number) => `list_transform(${toList(x)}, lambda __e${d}: ${el.sql!(`__e${d}`, d + 1)})`
        : t.typeId === DuckDBTypeId.ARRAY
          ? toList
          : undefined;
      return { delta: { type: 'array', elementType: el.delta, containsNull: true }, sql };
    }
    case DuckDBTypeId.STRUCT: {
      const fields = t.entryNames.map((name, i) => ({
        name,
        conv: convert(t.entryTypes[i], { ...where, path: `${where.path}.${ident(name)}` }),
      }));
      const delta: DeltaType = {
        type: 'struct',
        fields: fields.map((f) => ({ name: f.name, type: f.conv.delta, nullable: true, metadata: {} })),
      };
      if (fields.every((f) => !f.conv.sql)) return { delta };
      return {
        delta,
        sql: (x, d) =>
          `CASE WHEN ${x} IS NULL THEN NULL ELSE struct_pack(${fields
            .map((f) => {
              const v = `struct_extract(${x}, ${literal(f.name)})`;
              return `${ident(f.name)} := ${f.conv.sql ? f.conv.sql(v, d) : v}`;
            })
            .join(', ')}) END`,
      };
    }
    case DuckDBTypeId.MAP: {
      const key = convert(t.keyType, { ...where, path: `${where.path}{key}` });
      const value = convert(t.valueType, { ...where, path: `${where.path}{value}` });
      const delta: DeltaType = { type: 'map', keyType: key.delta, valueType: value.delta, valueContainsNull: true };
      if (!key.sql && !value.sql) return { delta };
      const e = (d: number) => `__e${d}`;
      const part = (c: Conversion, v: string, d: number) => (c.sql ? c.sql(v, d + 1) : v);
      return {
        delta,
        sql: (x, d) =>
          `map_from_entries(list_transform(map_entries(${x}), lambda ${e(d)}: struct_pack(key := ${part(key, `${e(d)}.key`, d)}, value := ${part(value, `${e(d)}.value`, d)})))`,
      };
    }
    default: {
      const fix = t.typeId === DuckDBTypeId.BIGNUM ? `${hint('DECIMAL(38,0)')}, or to VARCHAR` : hint('VARCHAR');
      throw new DeltaWriteError(
        `${where.owner}: column ${where.path} has DuckDB type ${t.toString()}, which Delta tables cannot store; ${fix}.`,
      );
    }
  }
}

/** `then(x)`, unless a check fails: then the query stops with an error naming the value, the column and the fix. */
function checked(where: Where, checks: Check[], then: (x: string) => string): (x: string, depth: number) => string {
  return (x) => {
    const branches = checks.map((c) => {
      const message = `error(${literal(`${where.owner}: column ${where.path} holds `)} || CAST(${x} AS VARCHAR) || ${literal(`, ${c.problem}; ${c.fix}.`)})`;
      return `WHEN ${c.when(x)} THEN ${message}`;
    });
    return `CASE ${branches.join(' ')} ELSE ${then(x)} END`;
  };
}

const DUCK_OF: Record<string, string> = {
  string: 'VARCHAR',
  long: 'BIGINT',
  integer: 'INTEGER',
  short: 'SMALLINT',
  byte: 'TINYINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  binary: 'BLOB',
  date: 'DATE',
  timestamp: 'TIMESTAMPTZ',
  timestamp_ntz: 'TIMESTAMP',
};

/** The DuckDB type (SQL text) that holds a Delta column's values: the field's type text, primitive or nested JSON. */
export function duckdbType(type: string, column = ''): string {
  return duckOf(parseDeltaType(type), column);
}

function duckOf(t: DeltaType, path: string): string {
  if (typeof t === 'string') {
    const name = t.replace(/\s+/g, '').toLowerCase();
    const dec = /^decimal\((\d+),(\d+)\)$/.exec(name);
    if (dec && Number(dec[1]) <= 38) return `DECIMAL(${dec[1]},${dec[2]})`;
    const duck = DUCK_OF[name];
    if (duck) return duck;
    throw new DeltaLogError(
      `column ${path || '?'} has Delta type ${t}, which Freshet cannot read (it reads ${Object.keys(DUCK_OF).join(', ')}, decimal(p,s) up to 38 digits, array, struct and map)`,
    );
  }
  switch (t.type) {
    case 'array':
      return `${duckOf(t.elementType, `${path}[]`)}[]`;
    case 'struct':
      return `STRUCT(${t.fields.map((f) => `${ident(f.name)} ${duckOf(f.type, `${path}.${f.name}`)}`).join(', ')})`;
    case 'map':
      return `MAP(${duckOf(t.keyType, `${path}{key}`)}, ${duckOf(t.valueType, `${path}{value}`)})`;
    default:
      throw new DeltaLogError(`column ${path || '?'} has Delta type ${JSON.stringify(t)}, which Freshet cannot read`);
  }
}

/** Whether a Delta type is, or holds, timestamp_ntz (which needs the table feature timestampNtz). */
export function usesTimestampNtz(type: string): boolean {
  const walk = (t: DeltaType): boolean => {
    if (typeof t === 'string') return t.replace(/\s+/g, '').toLowerCase() === 'timestamp_ntz';
    if (t.type === 'array') return walk(t.elementType);
    if (t.type === 'map') return walk(t.keyType) || walk(t.valueType);
    return t.fields.some((f) => walk(f.type));
  };
  return walk(parseDeltaType(type));
}
