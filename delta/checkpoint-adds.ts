// The add rows of a checkpoint part, read without a JSON round trip for the fields every add has.
// A VARCHAR fetched from DuckDB costs a native call and a decode (about 2 µs: 0.4 s for the path
// and stats of 100,000 files), and to_json of the whole struct then JSON.parse cost as much again.
// So DuckDB aggregates each block of rows field by field: a string field as one joined text and
// the lengths to cut it at, numbers and booleans as lists (typed arrays underneath).
import type { DuckDBConnection, DuckDBListVector, DuckDBVector } from '@duckdb/node-api';
import { ident, literal } from './sql.ts';

/** Rows per text fetched from DuckDB: few native calls, texts far below V8's string limit. */
const BLOCK_ROWS = 2048;

// Wider integers (HUGEINT, UBIGINT...) come as JSON text, as they did.
const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER']);
const STRING_MAP = 'MAP(VARCHAR, VARCHAR)';

/**
 * How a field travels: its text as is (string), digits (int), t/f (bool), a map of strings as
 * JSON parsed once per distinct text (map: partition values repeat across files), or any other
 * type as JSON (json), which is what to_json of the whole struct gave for it.
 */
type Kind = 'string' | 'int' | 'bool' | 'map' | 'json';

export interface AddField {
  name: string;
  kind: Kind;
  /** absent rather than null when null (what the reader of the whole struct did for stats and tags) */
  dropNull: boolean;
}

function kindOf(type: string): Kind {
  if (type === 'VARCHAR') return 'string';
  if (INTEGER_TYPES.has(type)) return 'int';
  if (type === 'BOOLEAN') return 'bool';
  if (type === STRING_MAP) return 'map';
  return 'json';
}

/** The aggregates that carry one field of a block's rows, in file order (see readBlock). */
function aggregates(f: AddField): string[] {
  const col = `"add".${ident(f.name)}`;
  switch (f.kind) {
    case 'string':
      return [`string_agg(${col}, '')`, `list(strlen(${col})::INTEGER)`];
    case 'int':
      // Exactly the number JSON.parse made of the digits: both round to the nearest double.
      return [`list(${col}::DOUBLE)`];
    case 'bool':
      return [`list(${col})`];
    default:
      // JSON text has no raw newline, so one joins the rows; a null is the text null.
      return [`string_agg(coalesce(to_json(${col})::VARCHAR, 'null'), '\n')`];
  }
}

/** The fields of the `add` struct of the Parquet file at `local` (its `add` column exists), in order. */
export async function describeAdd(c: DuckDBConnection, local: string): Promise<AddField[]> {
  const described = await c.runAndReadAll(`DESCRIBE SELECT "add".* FROM read_parquet(${literal(local)})`);
  return described.getRowObjectsJson().map((r) => {
    const name = String(r.column_name);
    return { name, kind: kindOf(String(r.column_type)), dropNull: name === 'stats' || name === 'tags' };
  });
}

/** Reads every non-null `add` of the Parquet file at `local` (its `add` column exists), in file order. */
export async function readAddRows(c: DuckDBConnection, local: string, fields: AddField[]): Promise<Array<Record<string, unknown>>> {
  // Every aggregate of a group sees its rows in the same order, but not necessarily file order
  // (a block may span row groups read by different threads): the row numbers come along, and a
  // block out of order is sorted here. ORDER BY inside the aggregates sorts every block in DuckDB,
  // which costs more than the rest of the query.
  const block = `file_row_number // ${BLOCK_ROWS}`;
  const result = await c.run(
    `SELECT list(file_row_number::DOUBLE), ${fields.flatMap(aggregates).join(', ')}
     FROM read_parquet(${literal(local)}, file_row_number = true) WHERE "add" IS NOT NULL GROUP BY ${block} ORDER BY ${block}`,
  );
  const out: Array<Record<string, unknown>> = [];
  const maps = new Map<string, Record<string, unknown>>();
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const vectors = Array.from({ length: chunk.columnCount }, (_, k) => chunk.getColumnVector(k));
    for (let i = 0; i < chunk.rowCount; i++) readBlock(vectors, i, fields, maps, out);
  }
  return out;
}

let fullBlockOfNulls: string | undefined;

/** What the JSON aggregate of `n` null values is (kept for a full block, the usual one). */
function nulls(n: number): string {
  if (n !== BLOCK_ROWS) return Array<string>(n).fill('null').join('\n');
  return (fullBlockOfNulls ??= Array<string>(n).fill('null').join('\n'));
}

/** The elements of list `i` of a list vector. */
function listAt(v: DuckDBVector, i: number): unknown[] {
  const list = v as DuckDBListVector;
  const child = list.childVector;
  const start = list.getEntryOffset(i);
  const n = list.getEntryLength(i);
  const items: unknown[] = new Array(n);
  for (let k = 0; k < n; k++) items[k] = child.getItem(start + k);
  return items;
}

/** The values of one string field in a block: the joined text cut at the lengths (in UTF-8 bytes). */
function strings(v: DuckDBVector, lengthsV: DuckDBVector, i: number): Array<string | null> {
  const text = v.getItem(i) as string | null;
  const lengths = listAt(lengthsV, i) as Array<number | null>;
  const out: Array<string | null> = new Array(lengths.length);
  if (text === null) return out.fill(null);
  let bytes = 0;
  for (const len of lengths) bytes += len ?? 0;
  // As many characters as bytes: all ASCII (DuckDB's text is valid UTF-8), so byte offsets are
  // character offsets and a value is a substring. Else each is decoded from its bytes.
  const utf8 = text.length === bytes ? undefined : Buffer.from(text, 'utf8');
  let p = 0;
  for (let k = 0; k < lengths.length; k++) {
    const len = lengths[k];
    if (len === null) {
      out[k] = null;
      continue;
    }
    out[k] = utf8 ? utf8.toString('utf8', p, p + len) : text.substring(p, p + len);
    p += len;
  }
  return out;
}

/** Row objects of block `i` into `out`, in file order. */
function readBlock(
  vectors: DuckDBVector[],
  i: number,
  fields: AddField[],
  maps: Map<string, Record<string, unknown>>,
  out: Array<Record<string, unknown>>,
): void {
  const rowNumbers = listAt(vectors[0], i) as number[];
  const n = rowNumbers.length;
  const columns: unknown[][] = [];
  let v = 1;
  for (const f of fields) {
    if (f.kind === 'string') {
      columns.push(strings(vectors[v], vectors[v + 1], i));
      v += 2;
    } else if (f.kind === 'int' || f.kind === 'bool') columns.push(listAt(vectors[v++], i));
    else {
      const joined = vectors[v++].getItem(i) as string;
      // A field null in every row of the block (tags in Freshet's checkpoints): nothing to cut or parse.
      if (joined === nulls(n)) {
        columns.push(new Array(n).fill(null));
        continue;
      }
      const texts = joined.split('\n');
      if (f.kind === 'map') {
        columns.push(
          texts.map((t) => {
            let parsed = maps.get(t);
            if (parsed === undefined) maps.set(t, (parsed = JSON.parse(t) as Record<string, unknown>));
            // A copy per file (partition values repeat across files): one file's values are never another's object.
            return parsed === null ? null : { ...parsed };
          }),
        );
      } else columns.push(texts.map((t) => JSON.parse(t) as unknown));
    }
  }
  const rows: Array<Record<string, unknown>> = new Array(n);
  const freshet = fields.map((f) => `${f.name}:${f.kind}`).join() === FRESHET_LAYOUT;
  for (let r = 0; r < n; r++) {
    if (freshet) {
      rows[r] = freshetRow(columns, r);
      continue;
    }
    const add: Record<string, unknown> = {};
    for (let k = 0; k < fields.length; k++) {
      const value = columns[k][r];
      if (value === null && fields[k].dropNull) continue;
      add[fields[k].name] = value;
    }
    rows[r] = add;
  }
  for (const row of inFileOrder(rows, rowNumbers)) out.push(row);
}

/** `rows` sorted by their `rowNumbers` (as DuckDB gives a block nearly always: then `rows` itself). */
export function inFileOrder<T>(rows: T[], rowNumbers: number[]): T[] {
  let ordered = true;
  for (let r = 1; r < rows.length && ordered; r++) ordered = rowNumbers[r - 1] < rowNumbers[r];
  if (ordered) return rows;
  return rows
    .map((_, r) => r)
    .sort((a, b) => rowNumbers[a] - rowNumbers[b])
    .map((r) => rows[r]);
}

/** The add struct as Freshet writes it (see checkpoint.ts COLUMNS). */
const FRESHET_LAYOUT = 'path:string,partitionValues:map,size:int,modificationTime:int,dataChange:bool,stats:string,tags:map';

/**
 * A row of Freshet's layout as one object literal: what the loop in readBlock builds field by
 * field for any layout, without its megamorphic stores and the property store grown per object
 * (readBlock's own time fell from 67 to 19 ms per 100,000 rows in the profile, and the garbage
 * collector's by half).
 */
function freshetRow(columns: unknown[][], r: number): Record<string, unknown> {
  const path = columns[0][r];
  const partitionValues = columns[1][r];
  const size = columns[2][r];
  const modificationTime = columns[3][r];
  const dataChange = columns[4][r];
  const stats = columns[5][r];
  const tags = columns[6][r];
  if (tags === null) {
    return stats === null
      ? { path, partitionValues, size, modificationTime, dataChange }
      : { path, partitionValues, size, modificationTime, dataChange, stats };
  }
  return stats === null
    ? { path, partitionValues, size, modificationTime, dataChange, tags }
    : { path, partitionValues, size, modificationTime, dataChange, stats, tags };
}
