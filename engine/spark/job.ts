// The job one spark-submit runs: the upstream tables at the versions Freshet planned, the
// partition values each output partition reads, and the commit each must make (driver.py).
import type { RunRef } from '../../contract/runs.ts';
import { columnType, inputKeys, partitionValue, type AssetDef, type AssetGraph, type Partitions } from '../../core/index.ts';
import type { ObjectStore } from '../../storage/types.ts';
import { partitionValuesOf, txnAppId } from '../commit.ts';
import { assetContext, assetSql } from '../context.ts';
import type { InputSelection } from '../inputs.ts';

export interface SparkJob {
  appName: string;
  /** the worker's pid: the driver stops when it is gone (a killed worker leaves no orphan computing) */
  parentPid: number;
  output: { path: string; column: string | null; type: string | null };
  inputs: Array<{ name: string; path: string; version: number; column: string | null; type: string | null }>;
  partitions: SparkPartitionJob[];
}

export interface SparkPartitionJob {
  key: string | null;
  owner: string;
  /** the output partition's stored value (partitionValues), null when unpartitioned */
  value: string | null;
  sql: string;
  /** per upstream: the partition values read, null for all of it */
  inputs: Record<string, string[] | null>;
  appId: string;
  txnVersion: number | null;
  /** what every Freshet commit records (engine/lineage.ts reads it back) */
  lineage: Record<string, unknown>;
}

/** Where Spark finds a table: a local directory as is, S3 through Hadoop's s3a connector. */
export function sparkPath(store: ObjectStore): string {
  return store.uri.replace(/^s3:\/\//, 's3a://');
}

const typeOf = (p: Partitions | undefined) => (p ? columnType(p) : null);

export function sparkJob(
  graph: AssetGraph,
  warehouse: ObjectStore,
  asset: AssetDef,
  keys: Array<string | undefined>,
  inputs: InputSelection[],
  attempt: number,
  txnVersion: number | undefined,
  owner: (key: string | undefined) => string,
  run: RunRef | undefined,
): SparkJob {
  const inputVersions = Object.fromEntries(inputs.map((i) => [i.asset.name, i.snapshot!.version]));
  const column = asset.partitions?.column ?? null;
  return {
    appName: `freshet:${asset.name}`,
    parentPid: process.pid,
    output: { path: sparkPath(warehouse.at(asset.name)), column, type: typeOf(asset.partitions) },
    inputs: inputs.map((i) => ({
      name: i.asset.name,
      path: sparkPath(i.table),
      version: i.snapshot!.version,
      column: i.asset.partitions ? i.snapshot!.metadata.partitionColumns[0] : null,
      type: typeOf(i.asset.partitions),
    })),
    partitions: keys.map((key) => ({
      key: key ?? null,
      owner: owner(key),
      value: column ? partitionValuesOf(asset, key)[column] : null,
      sql: assetSql(asset, assetContext(asset, key, attempt)),
      inputs: Object.fromEntries(
        inputKeys(graph, asset, key).map(({ asset: up, keys: upKeys }) => [
          up.name,
          upKeys === 'all' || !up.partitions ? null : upKeys.map((k) => partitionValue(up.partitions!, k)),
        ]),
      ),
      appId: txnAppId(asset.name, key),
      txnVersion: txnVersion ?? null,
      // the RunRef as DuckDB's commits carry it: the runs list shows a Spark run's attempt, trigger and log too
      lineage: {
        asset: asset.name,
        partition: key ?? null,
        inputVersions,
        attempt,
        mode: 'spark',
        batchSize: keys.length,
        ...(run ? { run } : {}),
      },
    })),
  };
}
