// Writes one partition's result as a Parquet file and describes it for the Delta commit.
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddFile, Field, FileStats, PartitionValues, Table } from '../delta/index.ts';
import { ident, literal } from './sql.ts';
import type { PeakTracker } from './profile.ts';
import { toDelta, type DuckColumn } from './types.ts';

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

/** Hive-style directory for the partition values, each value percent-encoded like Spark and delta-rs do. */
export function partitionDir(values: PartitionValues, columns: string[]): string {
  return columns.map((c) => `${c}=${values[c] === null ? '__HIVE_DEFAULT_PARTITION__' : encodeURIComponent(values[c] as string)}`).join('/');
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

export function stagingDir(): string {
  const staging = path.join(tmpdir(), 'freshet-staging');
  mkdirSync(staging, { recursive: true });
  return staging;
}

/** Moves a written local Parquet file under the table's partition directory and describes it for the commit. */
export async function publishFile(conn: DuckDBConnection, table: Table, local: string, fields: Field[], partition: PartitionValues, partitionColumns: string[]): Promise<WrittenFile> {
  const stats = await fileStats(conn, local, fields);
  const dir = partitionDir(partition, partitionColumns);
  const key = `${dir ? `${dir}/` : ''}part-${randomUUID()}.zstd.parquet`;
  const size = statSync(local).size;
  await table.putFile(key, local);
  const add: AddFile = {
    path: key.split('/').map(encodeURIComponent).join('/'),
    partitionValues: partition,
    size,
    modificationTime: Date.now(),
    dataChange: true,
    stats: JSON.stringify(stats),
  };
  return { add, rows: stats.numRecords, fields };
}

/** numRecords, min, max and null count per column, read back from the written file. */
async function fileStats(conn: DuckDBConnection, file: string, fields: Field[]): Promise<FileStats> {
  const ranged = fields.filter((f) => f.type !== 'binary' && f.type !== 'boolean');
  const parts = ['count(*) AS n'];
  fields.forEach((f, i) => parts.push(`count(*) - count(${ident(f.name)}) AS nulls_${i}`));
  ranged.forEach((f, i) => parts.push(`CAST(min(${ident(f.name)}) AS VARCHAR) AS min_${i}`, `CAST(max(${ident(f.name)}) AS VARCHAR) AS max_${i}`));
  const row = (await conn.runAndReadAll(`SELECT ${parts.join(', ')} FROM read_parquet(${literal(file)})`)).getRowObjectsJS()[0];
  const stats: FileStats = { numRecords: Number(row.n), minValues: {}, maxValues: {}, nullCount: {} };
  fields.forEach((f, i) => { stats.nullCount[f.name] = Number(row[`nulls_${i}`]); });
  ranged.forEach((f, i) => {
    const [min, max] = [row[`min_${i}`], row[`max_${i}`]];
    if (min !== null && min !== undefined) stats.minValues[f.name] = statValue(f, String(min));
    if (max !== null && max !== undefined) stats.maxValues[f.name] = statValue(f, String(max));
  });
  return stats;
}

// Stats values in the JSON form Delta readers expect for each type.
function statValue(field: Field, text: string): unknown {
  switch (field.type) {
    case 'long': case 'integer': case 'short': case 'byte': case 'double': case 'float':
      return Number(text);
    case 'timestamp':
      return new Date(text.replace(' ', 'T').replace(/\+00(:00)?$/, 'Z')).toISOString();
    default:
      if (field.type.startsWith('decimal')) return Number(text);
      return text;
  }
}
