// Table schema: the log's Spark-JSON schemaString and evolution checks.
import { DeltaLogError, DeltaWriteError } from './errors.ts';
import type { Field, PrimitiveType } from './types.ts';
import { parseDeltaType } from './duckdb-types.ts';

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
      type: parseDeltaType(f.type),
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
        throw new DeltaWriteError(
          `schema of ${table}: column "${old.name}" (${old.type}, not nullable) is missing from the write; include it or make it nullable`,
        );
      }
      schema.push(old);
      continue;
    }
    if (normalizeType(next.type) !== normalizeType(old.type)) {
      throw new DeltaWriteError(
        `incompatible schema change in ${table}: column "${old.name}" is ${old.type} in the table but ${next.type} in the write; changing a column's type is not supported (write to a new column instead)`,
      );
    }
    schema.push(old);
    byName.delete(old.name);
  }
  for (const f of incoming) {
    if (!byName.has(f.name)) continue;
    if (!f.nullable) {
      throw new DeltaWriteError(
        `schema of ${table}: new column "${f.name}" (${f.type}) must be nullable, since existing rows have no value for it`,
      );
    }
    schema.push(f);
  }
  return { schema, changed: schema.length !== current.length };
}

function normalizeType(t: string): string {
  return t.replace(/\s+/g, '').toLowerCase();
}
