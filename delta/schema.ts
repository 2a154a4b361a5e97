// Table schema: the log's Spark-JSON schemaString, evolution checks, and DuckDB types.
import { DeltaLogError, DeltaWriteError } from './errors.ts';
import type { Field, PrimitiveType } from './types.ts';

interface JsonField {
  name: string;
  type: unknown;
  nullable: boolean;
  metadata?: Record<string, unknown>;
}

export function parseSchema(schemaString: string, where: string): Field[] {
  let parsed: { type?: string; fields?: JsonField[] };
  try {
    parsed = JSON.parse(schemaString);
  } catch (e) {
    throw new DeltaLogError(`invalid schemaString in ${where}: ${(e as Error).message}`);
  }
  if (parsed?.type !== 'struct' || !Array.isArray(parsed.fields)) {
    throw new DeltaLogError(`invalid schemaString in ${where}: expected {"type":"struct","fields":[...]}`);
  }
  return parsed.fields.map((f) => {
    const field: Field = {
      name: f.name,
      // Nested types are kept as JSON text: Freshet passes them through without interpreting them.
      type: (typeof f.type === 'string' ? f.type : JSON.stringify(f.type)) as PrimitiveType,
      nullable: f.nullable !== false,
    };
    if (f.metadata && Object.keys(f.metadata).length > 0) field.metadata = f.metadata;
    return field;
  });
}

export function schemaString(fields: Field[]): string {
  return JSON.stringify({
    type: 'struct',
    fields: fields.map((f) => ({
      name: f.name,
      type: f.type.startsWith('{') ? JSON.parse(f.type) : f.type,
      nullable: f.nullable,
      metadata: f.metadata ?? {},
    })),
  });
}

/**
 * The table schema after a write with `incoming`: existing columns keep their type, new columns
 * must be nullable and are appended, a column the write leaves out stays (read as null).
 */
export function evolveSchema(current: Field[], incoming: Field[], table: string): { schema: Field[]; changed: boolean } {
  const byName = new Map(incoming.map((f) => [f.name, f]));
  const schema: Field[] = [];
  for (const old of current) {
    const next = byName.get(old.name);
    if (!next) {
      if (!old.nullable) {
        throw new DeltaWriteError(`schema of ${table}: column "${old.name}" (${old.type}, not nullable) is missing from the write; include it or make it nullable`);
      }
      schema.push(old);
      continue;
    }
    if (normalizeType(next.type) !== normalizeType(old.type)) {
      throw new DeltaWriteError(`incompatible schema change in ${table}: column "${old.name}" is ${old.type} in the table but ${next.type} in the write; changing a column's type is not supported (write to a new column instead)`);
    }
    schema.push(old);
    byName.delete(old.name);
  }
  for (const f of incoming) {
    if (!byName.has(f.name)) continue;
    if (!f.nullable) {
      throw new DeltaWriteError(`schema of ${table}: new column "${f.name}" (${f.type}) must be nullable, since existing rows have no value for it`);
    }
    schema.push(f);
  }
  return { schema, changed: schema.length !== current.length };
}

function normalizeType(t: string): string {
  return t.replace(/\s+/g, '').toLowerCase();
}

/** The DuckDB type holding a Delta column. */
export function duckdbType(type: string): string {
  const t = normalizeType(type);
  const dec = /^decimal\((\d+),(\d+)\)$/.exec(t);
  if (dec) return `DECIMAL(${dec[1]},${dec[2]})`;
  const map: Record<string, string> = {
    string: 'VARCHAR', long: 'BIGINT', integer: 'INTEGER', short: 'SMALLINT', byte: 'TINYINT',
    float: 'FLOAT', double: 'DOUBLE', boolean: 'BOOLEAN', binary: 'BLOB', date: 'DATE',
    timestamp: 'TIMESTAMPTZ', timestamp_ntz: 'TIMESTAMP',
  };
  const out = map[t];
  if (!out) throw new DeltaWriteError(`Delta type ${type} has no DuckDB equivalent in Freshet`);
  return out;
}

/** The Delta type of a DuckDB column type, for writers that start from a DuckDB result. */
export function deltaType(duckType: string): PrimitiveType {
  const t = duckType.toUpperCase();
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return `decimal(${Number(dec[1])},${Number(dec[2])})`;
  const map: Record<string, PrimitiveType> = {
    VARCHAR: 'string', BIGINT: 'long', INTEGER: 'integer', SMALLINT: 'short', TINYINT: 'byte',
    FLOAT: 'float', DOUBLE: 'double', BOOLEAN: 'boolean', BLOB: 'binary', DATE: 'date',
    'TIMESTAMP WITH TIME ZONE': 'timestamp', TIMESTAMPTZ: 'timestamp', TIMESTAMP: 'timestamp',
    UBIGINT: 'long', UINTEGER: 'long', USMALLINT: 'integer', UTINYINT: 'short', HUGEINT: 'decimal(38,0)',
  };
  const out = map[t];
  if (!out) throw new DeltaWriteError(`DuckDB type ${duckType} has no Delta equivalent in Freshet`);
  return out;
}
