// A summary of any Delta table (Freshet's or another writer's): for `freshet table-info` and the web page.
import type { ObjectStore } from '../storage/types.ts';
import { DeltaLogError } from './errors.ts';
import { normalizePartition } from './log.ts';
import { fileRowCounts } from './scan.ts';
import { loadSnapshot } from './snapshot.ts';
import type { Field, PartitionValues, Protocol } from './types.ts';

export interface TableInfo {
  table: string;
  version: number;
  /** commit time of the version, ISO-8601 UTC */
  timestamp: string;
  rows: number;
  files: number;
  bytes: number;
  partitionColumns: string[];
  partitions: Array<{ values: PartitionValues; files: number; rows: number; bytes: number }>;
  schema: Field[];
  protocol: Protocol;
  configuration: Record<string, string>;
}

export async function tableInfo(table: ObjectStore, at?: { version?: number; timestamp?: number }): Promise<TableInfo> {
  const snap = await loadSnapshot(table, at);
  if (!snap) throw new DeltaLogError(`${table.uri} is not a Delta table: it has no _delta_log/ commits`);
  const counts = await fileRowCounts(table, snap);
  const parts = new Map<string, { values: PartitionValues; files: number; rows: number; bytes: number }>();
  snap.files.forEach((f, i) => {
    const values = normalizePartition(f.partitionValues);
    const key = JSON.stringify(snap.metadata.partitionColumns.map((c) => values[c] ?? null));
    const p = parts.get(key) ?? { values, files: 0, rows: 0, bytes: 0 };
    p.files++;
    p.rows += counts[i];
    p.bytes += f.size;
    parts.set(key, p);
  });
  const partitions = [...parts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
  return {
    table: table.uri,
    version: snap.version,
    timestamp: new Date(snap.timestamp).toISOString(),
    rows: counts.reduce((a, b) => a + b, 0),
    files: snap.files.length,
    bytes: snap.files.reduce((a, f) => a + f.size, 0),
    partitionColumns: snap.metadata.partitionColumns,
    partitions: snap.metadata.partitionColumns.length > 0 ? partitions : [],
    schema: snap.metadata.schema,
    protocol: snap.protocol,
    configuration: snap.metadata.configuration,
  };
}
