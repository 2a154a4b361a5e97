// Data files as Freshet lays them out: `<col>=<value>/part-<uuid>.parquet`, hive-escaped on disk,
// URI-encoded in add.path, as Spark and delta-rs do.
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import type { ObjectStore } from '../storage/types.ts';
import { withDuck } from './duck.ts';
import { fileStats, statsJson } from './stats.ts';
import type { AddFile, Field, PartitionValues } from './types.ts';

export const NULL_PARTITION = '__HIVE_DEFAULT_PARTITION__';

// Hive's escape set: control characters and "#%'*/:=?\{[]^ plus DEL.
const HIVE_ESCAPE = /[\x00-\x1f"#%'*/:=?\\\x7f{[\]^]/g;

export function hiveEscape(value: string): string {
  return value.replace(HIVE_ESCAPE, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The directory of a partition, as an object key: `date=2024-01-01/region=eu`. */
export function partitionDir(partitionColumns: string[], pv: PartitionValues): string {
  return partitionColumns
    .map((c) => {
      const v = pv[c];
      return `${hiveEscape(c)}=${v === null || v === undefined || v === '' ? NULL_PARTITION : hiveEscape(v)}`;
    })
    .join('/');
}

/** A fresh data file key in the partition's directory. */
export function newDataFileKey(partitionColumns: string[], pv: PartitionValues): string {
  const dir = partitionDir(partitionColumns, pv);
  return `${dir ? `${dir}/` : ''}part-00000-${randomUUID()}-c000.snappy.parquet`;
}

/** add.path for an object key: a relative URI. */
export function addPath(key: string): string {
  return encodeURI(key);
}

/**
 * Moves (local) or uploads (S3) a Parquet file into the table and describes it as an add action,
 * with stats computed from the file. Commit it with write().
 */
export async function addDataFile(
  table: ObjectStore,
  localFile: string,
  opts: { schema: Field[]; partitionColumns: string[]; partitionValues: PartitionValues; dataChange?: boolean },
): Promise<AddFile> {
  const dataColumns = opts.schema.filter((f) => !opts.partitionColumns.includes(f.name));
  const stats = statsJson(await withDuck((c) => fileStats(c, localFile, dataColumns)));
  const { size } = await fs.stat(localFile);
  const key = newDataFileKey(opts.partitionColumns, opts.partitionValues);
  await table.putFile(key, localFile);
  const partitionValues: PartitionValues = {};
  for (const c of opts.partitionColumns) partitionValues[c] = opts.partitionValues[c] ?? null;
  return { path: addPath(key), partitionValues, size, modificationTime: Date.now(), dataChange: opts.dataChange ?? true, stats };
}
