// Reading a snapshot's data: local paths of its files (downloaded from S3 when needed), rows, counts.
import type { ObjectStore } from '../storage/types.ts';
import { withDuck } from './duck.ts';
import { ident, literal } from './sql.ts';
import { DeltaLogError } from './errors.ts';
import { fileKey, normalizePartition } from './log.ts';
import { duckdbType } from './duckdb-types.ts';
import { parseStats } from './stats.ts';
import type { AddFile, PartitionValues, Snapshot } from './types.ts';

export interface DataFile {
  add: AddFile;
  /** the object key in the table's store (add.path decoded) */
  key: string;
  /** a local file DuckDB can read */
  localPath: string;
  partitionValues: PartitionValues;
}

/** Every live file of `snapshot` as a local path; a missing file stops with its path and the version that needs it. */
export async function dataFiles(table: ObjectStore, snapshot: Snapshot, files: AddFile[] = snapshot.files): Promise<DataFile[]> {
  const out: DataFile[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const add = files[i];
      let key: string;
      try {
        key = fileKey(add.path);
      } catch (e) {
        throw new DeltaLogError(`version ${snapshot.version} of ${table.uri}: ${(e as Error).message}`);
      }
      let localPath: string;
      try {
        localPath = await table.localPath(key);
      } catch (e) {
        throw new DeltaLogError(
          `data file ${table.uri}/${key} is missing, but version ${snapshot.version} of the table references it (add.path "${add.path}"): ${(e as Error).message}`,
        );
      }
      out[i] = { add, key, localPath, partitionValues: normalizePartition(add.partitionValues) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, files.length) }, worker));
  return out;
}

/** A SELECT over the snapshot's files, partition columns filled in from the log, missing columns as NULL. */
export async function scanSql(files: DataFile[], snapshot: Snapshot, present: Set<string>): Promise<string> {
  const { schema, partitionColumns } = snapshot.metadata;
  const values = files.map(
    (f) =>
      `(${[f.localPath, ...partitionColumns.map((c) => f.partitionValues[c] ?? null)]
        .map((v) => (v === null ? 'NULL' : literal(v)))
        .join(', ')})`,
  );
  const pcols = partitionColumns.map((_, i) => `__p${i}`);
  const select = schema.map((f) => {
    const i = partitionColumns.indexOf(f.name);
    const type = duckdbType(f.type, f.name);
    if (i >= 0) return `CAST(__f.__p${i} AS ${type}) AS ${ident(f.name)}`;
    // As the table's type, not the file's: Spark's INT96 and timestamps written without
    // isAdjustedToUTC come as zone-less TIMESTAMP, and a Delta `timestamp` is a UTC instant.
    if (present.has(f.name)) return `CAST(__d.${ident(f.name)} AS ${type}) AS ${ident(f.name)}`;
    return `CAST(NULL AS ${type}) AS ${ident(f.name)}`;
  });
  return `SELECT ${select.join(', ')}
    FROM read_parquet([${files.map((f) => literal(f.localPath)).join(', ')}], union_by_name = true, filename = '__file') __d
    JOIN (VALUES ${values.join(', ')}) __f(__path${pcols.map((p) => `, ${p}`).join('')}) ON __d.__file = __f.__path`;
}

/** Every row of the snapshot (or of some of its files) as JSON-friendly objects (DuckDB's JSON conversion), for checks and small tables. */
export async function readRows(
  table: ObjectStore,
  snapshot: Snapshot,
  only: AddFile[] = snapshot.files,
): Promise<Record<string, unknown>[]> {
  if (only.length === 0) return [];
  const files = await dataFiles(table, snapshot, only);
  return withDuck(async (c) => {
    const list = files.map((f) => literal(f.localPath)).join(', ');
    const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet([${list}], union_by_name = true)`);
    const present = new Set(described.getRowObjectsJson().map((r) => String(r.column_name)));
    const result = await c.runAndReadAll(await scanSql(files, snapshot, present));
    return result.getRowObjectsJson() as Record<string, unknown>[];
  });
}

/** Rows per live file (same order as snapshot.files): from stats, else from the Parquet footer. */
export async function fileRowCounts(table: ObjectStore, snapshot: Snapshot): Promise<number[]> {
  const counts = snapshot.files.map((add) => parseStats(add)?.numRecords ?? -1);
  const unknown = snapshot.files.filter((_, i) => counts[i] < 0);
  if (unknown.length === 0) return counts;
  const files = await dataFiles(table, snapshot, unknown);
  const byPath = await withDuck(async (c) => {
    const r = await c.runAndReadAll(
      `SELECT file_name, num_rows::BIGINT AS n FROM parquet_file_metadata([${files.map((f) => literal(f.localPath)).join(', ')}])`,
    );
    return new Map(r.getRowObjectsJson().map((x) => [String(x.file_name), Number(x.n)]));
  });
  let j = 0;
  return counts.map((n) => (n >= 0 ? n : (byPath.get(files[j++].localPath) ?? 0)));
}

/** Row count from the files' stats; files without stats are counted from their Parquet footers. */
export async function countRows(table: ObjectStore, snapshot: Snapshot): Promise<number> {
  return (await fileRowCounts(table, snapshot)).reduce((a, b) => a + b, 0);
}
