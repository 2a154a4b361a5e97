// Column types between DuckDB and Delta. Delta (writer 2) has no unsigned, HUGEINT or
// timezone-less timestamp, so results are cast to the nearest Delta type before writing.
import type { Field, PrimitiveType } from '../delta/index.ts';

export interface DuckColumn {
  name: string;
  /** DuckDB type name as DESCRIBE prints it */
  type: string;
}

/** How a DuckDB column is written: the SQL cast applied (if any) and its Delta type. */
export function toDelta(col: DuckColumn, owner: string): { cast: string | undefined; type: PrimitiveType } {
  const t = col.type.toUpperCase();
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (decimal) return { cast: undefined, type: `decimal(${Number(decimal[1])},${Number(decimal[2])})` };
  switch (t) {
    case 'VARCHAR': return { cast: undefined, type: 'string' };
    case 'BIGINT': return { cast: undefined, type: 'long' };
    case 'INTEGER': return { cast: undefined, type: 'integer' };
    case 'SMALLINT': return { cast: undefined, type: 'short' };
    case 'TINYINT': return { cast: undefined, type: 'byte' };
    case 'DOUBLE': return { cast: undefined, type: 'double' };
    case 'FLOAT': return { cast: undefined, type: 'float' };
    case 'BOOLEAN': return { cast: undefined, type: 'boolean' };
    case 'BLOB': return { cast: undefined, type: 'binary' };
    case 'DATE': return { cast: undefined, type: 'date' };
    case 'TIMESTAMP WITH TIME ZONE': return { cast: undefined, type: 'timestamp' };
    // Delta's `timestamp` is UTC-adjusted: DuckDB runs in UTC here, so the wall time is UTC.
    case 'TIMESTAMP': case 'TIMESTAMP_MS': case 'TIMESTAMP_S': case 'TIMESTAMP_NS':
      return { cast: 'TIMESTAMPTZ', type: 'timestamp' };
    // sum() over BIGINT yields HUGEINT; an overflow raises an error instead of wrapping.
    case 'HUGEINT': return { cast: 'BIGINT', type: 'long' };
    case 'UINTEGER': return { cast: 'BIGINT', type: 'long' };
    case 'USMALLINT': return { cast: 'INTEGER', type: 'integer' };
    case 'UTINYINT': return { cast: 'SMALLINT', type: 'short' };
    case 'UBIGINT': case 'UHUGEINT': return { cast: 'DECIMAL(38,0)', type: 'decimal(38,0)' };
    default:
      throw new Error(`${owner}: column '${col.name}' has DuckDB type ${col.type}, which Delta tables cannot store; cast it to a plain type (VARCHAR, BIGINT, DOUBLE, DECIMAL, DATE, TIMESTAMP, BOOLEAN).`);
  }
}

/** The DuckDB type that reads a Delta column back. */
export function toDuck(type: PrimitiveType): string {
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(type);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  const map: Record<string, string> = {
    string: 'VARCHAR', long: 'BIGINT', integer: 'INTEGER', short: 'SMALLINT', byte: 'TINYINT',
    double: 'DOUBLE', float: 'FLOAT', boolean: 'BOOLEAN', binary: 'BLOB', date: 'DATE', timestamp: 'TIMESTAMPTZ',
  };
  const duck = map[type];
  if (!duck) throw new Error(`Delta type '${type}' is not supported by Freshet's reader.`);
  return duck;
}

export function fieldsFrom(columns: DuckColumn[], owner: string): Field[] {
  return columns.map((c) => ({ name: c.name, type: toDelta(c, owner).type, nullable: true }));
}
