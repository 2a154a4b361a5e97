// One Delta commit per partition: `remove` of what the partition held, `add` of the new file,
// a txn (appId per partition) so a retried activity commits at most once, and the lineage.
import { columnType, partitionValue, type AssetDef } from '../core/index.ts';
import { write, type Field, type PartitionValues, type Table } from '../delta/index.ts';
import type { WrittenFile } from './output.ts';
import type { MaterializeResult, PhaseTimings } from '../contract/materialize.ts';
import type { RunRef } from '../contract/runs.ts';

// What a commit reports crosses to workflows and clients: defined in contract/.
export type { MaterializeResult };

export interface CommitRequest {
  table: Table;
  asset: AssetDef;
  key: string | undefined;
  /** the partition's new files (one, or several when DuckDB split a partitioned write) */
  written: WrittenFile[];
  inputVersions: Record<string, number>;
  txnVersion: number | undefined;
  attempt: number;
  started: number;
  peakMemoryBytes: number | undefined;
  spilledBytes?: number;
  mode: 'partition' | 'range' | 'transform';
  batchSize: number;
  /** the activity attempt making the commit, for the runs list and the partition's history */
  run?: RunRef;
  /** this partition's share of the time spent before the commit, ms */
  before: { inputsMs: number; computeMs: number };
}

export function txnAppId(asset: string, key: string | undefined): string {
  return `freshet:${asset}:${key ?? '*'}`;
}

export function partitionValuesOf(asset: AssetDef, key: string | undefined): PartitionValues {
  return asset.partitions && key !== undefined ? { [asset.partitions.column]: partitionValue(asset.partitions, key) } : {};
}

export async function commitPartition(req: CommitRequest): Promise<MaterializeResult> {
  const { asset, key, written, table } = req;
  const partitionColumns = asset.partitions ? [asset.partitions.column] : [];
  const schema: Field[] = [...written[0].fields];
  if (asset.partitions) schema.push({ name: asset.partitions.column, type: columnType(asset.partitions), nullable: true });
  const durationMs = Date.now() - req.started;
  const rows = written.reduce((n, w) => n + w.rows, 0);
  const bytes = written.reduce((n, w) => n + w.add.size, 0);
  const lineage = {
    asset: asset.name,
    partition: key ?? null,
    rows,
    bytes,
    durationMs,
    inputVersions: req.inputVersions,
    attempt: req.attempt,
    peakMemoryBytes: req.peakMemoryBytes ?? null,
    spilledBytes: req.spilledBytes ?? null,
    mode: req.mode,
    batchSize: req.batchSize,
    ...(req.run ? { run: req.run } : {}),
  };
  const result = await write(table, {
    schema,
    partitionColumns,
    mode: 'overwrite',
    replace: asset.partitions ? partitionValuesOf(asset, key) : undefined,
    adds: written.map((w) => w.add),
    txn: req.txnVersion !== undefined ? { appId: txnAppId(asset.name, key), version: req.txnVersion } : undefined,
    commitInfo: { freshet: lineage },
  });
  if (result.skipped) for (const w of written) await table.delete(decodeURIComponent(w.add.path));
  const timings: PhaseTimings = { skipCheckMs: 0, ...req.before, ...result.timings };
  return {
    asset: asset.name,
    partition: key,
    version: result.version,
    rows,
    bytes,
    durationMs,
    inputVersions: req.inputVersions,
    alreadyCommitted: result.skipped,
    peakMemoryBytes: req.peakMemoryBytes,
    spilledBytes: req.spilledBytes,
    mode: req.mode,
    batchSize: req.batchSize,
    timings,
  };
}
