// Writes one partition's result as a Parquet file and describes it for the Delta commit.
import type { DuckDBConnection } from '@duckdb/node-api';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  addPath,
  deltaColumns,
  fileStats,
  literal,
  newDataFileKey,
  statsJson,
  type AddFile,
  type DuckColumn,
  type Field,
  type PartitionValues,
  type Table,
} from '../delta/index.ts';
import type { PeakTracker } from './profile.ts';

export interface WrittenFile {
  add: AddFile;
  rows: number;
  fields: Field[];
}

/** Columns and types of a query's result, without running it. */
export async function describeQuery(conn: DuckDBConnection, sql: string): Promise<DuckColumn[]> {
  const prepared = await conn.prepare(sql);
  try {
    return Array.from({ length: prepared.columnCount }, (_, i) => ({ name: prepared.columnName(i), type: prepared.columnType(i) }));
  } finally {
    prepared.destroySync();
  }
}

/** A partition column is filled from the key, so an asset's SQL result or transform schema may not hold one. */
export function checkNoPartitionColumn(names: string[], partitionColumns: string[], owner: string, from: 'SQL' | 'schema'): void {
  const clash = names.find((n) => partitionColumns.includes(n));
  if (!clash) return;
  const where = from === 'SQL' ? ['the SQL returns', 'the SELECT'] : ['the schema declares', 'the schema'];
  throw new Error(`${owner}: ${where[0]} column '${clash}', the partition column Freshet fills from the key; remove it from ${where[1]}.`);
}

/**
 * Runs `sql` into a Parquet file under the table's partition directory.
 * The partition columns are not in the file: Delta keeps them in the log.
 */
export async function writeParquet(
  conn: DuckDBConnection,
  table: Table,
  sql: string,
  columns: DuckColumn[],
  partition: PartitionValues,
  partitionColumns: string[],
  owner: string,
  tracker?: PeakTracker,
): Promise<WrittenFile> {
  const { selects, fields } = deltaColumns(columns, owner);
  const local = path.join(stagingDir(), `part-${randomUUID()}.parquet`);
  try {
    await conn.run(`COPY (SELECT ${selects.join(', ')} FROM (${sql})) TO ${literal(local)} (${PARQUET_OPTIONS})`);
    tracker?.sample();
    return await publishFile(conn, table, local, fields, partition, partitionColumns);
  } finally {
    rmSync(local, { force: true });
  }
}

export const PARQUET_OPTIONS = 'FORMAT parquet, COMPRESSION zstd';

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
export async function publishFile(
  conn: DuckDBConnection,
  table: Table,
  local: string,
  fields: Field[],
  partition: PartitionValues,
  partitionColumns: string[],
): Promise<WrittenFile> {
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
    stats: statsJson(stats),
  };
  return { add, rows: stats.numRecords, fields };
}
