// Writes one partition's result as a Parquet file and describes it for the Delta commit.
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { addPath, newDataFileKey, type AddFile, type Field, type FileStats, type PartitionValues, type Table } from '../delta/index.ts';
import { ident, literal } from './sql.ts';
import type { PeakTracker } from './profile.ts';
import { toDelta, toDuck, type DuckColumn } from './types.ts';

export interface WrittenFile {
  add: AddFile;
  rows: number;
  fields: Field[];
}

/** Columns and types of a query's result, without running it. */
export async function describeQuery(conn: DuckDBConnection, sql: string): Promise<DuckColumn[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE ${sql}`);
  return reader.getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/**
 * Runs `sql` into a Parquet file under the table's partition directory.
 * The partition columns are not in the file: Delta keeps them in the log.
 */
export async function writeParquet(conn: DuckDBConnection, table: Table, sql: string, columns: DuckColumn[], partition: PartitionValues, partitionColumns: string[], owner: string, tracker?: PeakTracker): Promise<WrittenFile> {
  const { casts, fields } = deltaColumns(columns, owner);
  const local = path.join(stagingDir(), `part-${randomUUID()}.parquet`);
  try {
    await conn.run(`COPY (SELECT ${casts.join(', ')} FROM (${sql})) TO ${literal(local)} (${PARQUET_OPTIONS})`);
    tracker?.sample();
    return await publishFile(conn, table, local, fields, partition, partitionColumns);
  } finally {
    rmSync(local, { force: true });
  }
}

export const PARQUET_OPTIONS = 'FORMAT parquet, COMPRESSION zstd';

/** The SELECT list that casts each column to the type its Delta field stores, and those fields. */
export function deltaColumns(columns: DuckColumn[], owner: string): { casts: string[]; fields: Field[] } {
  const casts = columns.map((c) => {
    const { cast } = toDelta(c, owner);
    return cast ? `CAST(${ident(c.name)} AS ${cast}) AS ${ident(c.name)}` : ident(c.name);
  });
  return { casts, fields: columns.map((c) => ({ name: c.name, type: toDelta(c, owner).type, nullable: true })) };
}

let staging: string | undefined;

/** Where Parquet files are written before they move into a table; made once per process. */
export function stagingDir(): string {
  if (!staging) {
    staging = path.join(tmpdir(), 'freshet-staging');
    mkdirSync(staging, { recursive: true });
  }
  return staging;
}

/** Moves a written local Parquet file under the table's partition directory and describes it for the commit. */
export async function publishFile(conn: DuckDBConnection, table: Table, local: string, fields: Field[], partition: PartitionValues, partitionColumns: string[]): Promise<WrittenFile> {
  const stats = await fileStats(conn, local, fields);
  // delta/'s layout: hive-escaped directories, URI-encoded add.path, as Spark and delta-rs write them.
  const key = newDataFileKey(partitionColumns, partition);
  const size = statSync(local).size;
  await table.putFile(key, local);
  const add: AddFile = {
    path: addPath(key),
    partitionValues: partition,
    size,
    modificationTime: Date.now(),
    dataChange: true,
    stats: JSON.stringify(stats),
  };
  return { add, rows: stats.numRecords, fields };
}

/**
 * numRecords, min, max and null count per column, from the file's Parquet footer (the row-group
 * statistics DuckDB wrote), so a big file is not scanned again. A column whose row groups lack
 * min/max (e.g. very long strings) gets none, which Delta allows.
 */
async function fileStats(conn: DuckDBConnection, file: string, fields: Field[]): Promise<FileStats> {
  const f = literal(file);
  const numRecords = Number((await conn.runAndReadAll(`SELECT num_rows FROM parquet_file_metadata(${f})`)).getRows()[0][0]);
  const stats: FileStats = { numRecords, minValues: {}, maxValues: {}, nullCount: {} };
  const ranged = new Set(fields.filter((x) => x.type !== 'binary' && x.type !== 'boolean').map((x) => x.name));
  const cases = (col: string) => fields.filter((x) => ranged.has(x.name))
    .map((x) => `WHEN ${literal(x.name)} THEN CAST(${col}(TRY_CAST(${col === 'min' ? 'stats_min_value' : 'stats_max_value'} AS ${toDuck(x.type)})) AS VARCHAR)`).join(' ');
  const rows = (await conn.runAndReadAll(`
    SELECT path_in_schema AS name, sum(stats_null_count) AS nulls, count(*) - count(stats_null_count) AS unknown_nulls,
      ${ranged.size ? `CASE path_in_schema ${cases('min')} END` : 'NULL'} AS lo,
      ${ranged.size ? `CASE path_in_schema ${cases('max')} END` : 'NULL'} AS hi
    FROM parquet_metadata(${f}) GROUP BY path_in_schema`)).getRowObjectsJS();
  const byName = new Map(rows.map((r) => [String(r.name), r]));
  for (const field of fields) {
    const r = byName.get(field.name);
    // No row group at all (an empty file): every count is 0.
    if (!r) { stats.nullCount[field.name] = 0; continue; }
    if (Number(r.unknown_nulls) === 0) stats.nullCount[field.name] = Number(r.nulls);
    if (!ranged.has(field.name)) continue;
    if (r.lo !== null && r.lo !== undefined) stats.minValues[field.name] = statValue(field, String(r.lo));
    if (r.hi !== null && r.hi !== undefined) stats.maxValues[field.name] = statValue(field, String(r.hi), 'up');
  }
  return stats;
}

// Stats values in the JSON form Delta readers expect for each type. Timestamps keep milliseconds:
// a max is rounded up, so a reader skipping files by stats never skips a row.
function statValue(field: Field, text: string, round: 'down' | 'up' = 'down'): unknown {
  switch (field.type) {
    case 'long': case 'integer': case 'short': case 'byte': case 'double': case 'float':
      return Number(text);
    case 'timestamp': {
      const iso = text.replace(' ', 'T').replace(/\+00(:00)?$/, 'Z');
      const ms = Date.parse(iso);
      const subMs = /\.\d{3}(\d*[1-9])/.test(iso);
      return new Date(round === 'up' && subMs ? ms + 1 : ms).toISOString();
    }
    default:
      if (field.type.startsWith('decimal')) return Number(text);
      return text;
  }
}
