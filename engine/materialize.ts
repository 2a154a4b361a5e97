// Computes one asset partition: upstream snapshots as views, the asset's SQL (or TypeScript
// transform), one Parquet file, and one Delta commit that replaces exactly that partition.
import { checkAssetKey, type AssetDef, type AssetGraph } from '../core/index.ts';
import type { Table } from '../delta/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import type { RunRef } from '../contract/runs.ts';
import { commitPartition, partitionValuesOf, type MaterializeResult } from './commit.ts';
import { assetContext, assetSql } from './context.ts';
import { withConnection, type EngineConfig } from './duckdb.ts';
import { createInputView, openInputs, selectFiles, type InputSelection } from './inputs.ts';
import { checkNoPartitionColumn, describeQuery, writeParquet } from './output.ts';
import { trackPeakMemory } from './profile.ts';
import { registerFunctions } from './udf.ts';
import { runTransform, type TransformStats } from './transform.ts';
import { materializeOnSpark } from './spark/submit.ts';

export type { MaterializeResult } from './commit.ts';

export interface MaterializeRequest {
  graph: AssetGraph;
  warehouse: ObjectStore;
  asset: string;
  /** undefined for unpartitioned assets */
  partition: string | undefined;
  /** 1 on the first try (Temporal's attempt number) */
  attempt?: number;
  /** makes the commit idempotent: a retry after a successful commit writes nothing */
  txnVersion?: number;
  engine?: EngineConfig;
  signal?: AbortSignal;
  /** the activity attempt computing it, recorded in the commit */
  run?: RunRef;
}

/** The Delta table of an asset: `<warehouse>/<asset name>`. */
export function assetTable(warehouse: ObjectStore, asset: string): Table {
  return warehouse.at(asset);
}

export function ownerOf(asset: AssetDef, key: string | undefined): string {
  return `asset '${asset.name}'${key ? ` partition ${key}` : ''}`;
}

export function versionsOf(inputs: InputSelection[]): Record<string, number> {
  return Object.fromEntries(inputs.map((i) => [i.asset.name, i.snapshot?.version ?? -1]));
}

export async function materialize(req: MaterializeRequest): Promise<MaterializeResult> {
  const started = Date.now();
  const { graph, warehouse } = req;
  const asset = graph.get(req.asset);
  checkAssetKey(asset, req.partition);
  if (asset.engine?.kind === 'spark') {
    const [result] = await materializeOnSpark({
      graph,
      warehouse,
      asset,
      keys: [req.partition],
      attempt: req.attempt ?? 1,
      txnVersion: req.txnVersion,
      spark: req.engine?.spark,
      signal: req.signal,
      owner: (k) => ownerOf(asset, k),
      run: req.run,
      onPartitionDone: () => {},
    });
    return result;
  }
  const owner = ownerOf(asset, req.partition);
  const ctx = assetContext(asset, req.partition, req.attempt ?? 1);
  const inputs = await openInputs(graph, warehouse, asset, [req.partition]);
  const inputsAt = Date.now();
  const table = assetTable(warehouse, asset.name);
  const partitionColumns = asset.partitions ? [asset.partitions.column] : [];
  const values = partitionValuesOf(asset, req.partition);

  const stats: TransformStats = { inputBatches: {}, outputBatches: 0, largestBatch: 0 };
  const { written, peak, spilled } = await withConnection(req.engine ?? {}, req.signal, async (conn) => {
    const tracker = await trackPeakMemory(conn);
    try {
      for (const input of inputs) await createInputView(conn, input, selectFiles(input, owner));
      await registerFunctions(conn, req.engine ?? {}, asset);
      if (asset.transform) {
        const written = await runTransform(
          conn,
          { asset, ctx, inputs, table, values, partitionColumns, owner, engine: req.engine, signal: req.signal },
          stats,
        );
        tracker.sample();
        return { written, peak: tracker.peak, spilled: tracker.spilled };
      }
      const sql = assetSql(asset, ctx);
      const columns = await describeQuery(conn, `(${sql})`);
      checkNoPartitionColumn(
        columns.map((c) => c.name),
        partitionColumns,
        owner,
        'SQL',
      );
      const written = await writeParquet(conn, table, sql, columns, values, partitionColumns, owner, tracker);
      return { written, peak: tracker.peak, spilled: tracker.spilled };
    } finally {
      tracker.close();
    }
  });
  const result = await commitPartition({
    table,
    asset,
    key: req.partition,
    written: [written],
    inputVersions: versionsOf(inputs),
    txnVersion: req.txnVersion,
    attempt: ctx.attempt,
    started,
    peakMemoryBytes: peak,
    spilledBytes: spilled,
    mode: asset.transform ? 'transform' : 'partition',
    batchSize: 1,
    run: req.run,
    before: { inputsMs: inputsAt - started, computeMs: Date.now() - inputsAt },
  });
  if (asset.transform) result.transformBatches = { input: stats.inputBatches, output: stats.outputBatches, largest: stats.largestBatch };
  return result;
}
