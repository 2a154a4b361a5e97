// Computes one asset partition: upstream snapshots as views, the asset's SQL, one Parquet
// file, and one Delta commit that replaces exactly that partition.
import { checkAssetKey, columnType, inputKeys, partitionValue, type AssetDef, type AssetGraph } from '../core/index.ts';
import { loadSnapshot, write, type Field, type PartitionValues, type Table } from '../delta/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import { assetContext } from './context.ts';
import { withConnection, type EngineConfig } from './duckdb.ts';
import { createInputView, selectFiles } from './inputs.ts';
import { describeQuery, writeParquet } from './output.ts';

export interface MaterializeRequest {
  graph: AssetGraph;
  warehouse: ObjectStore;
  asset: string;
  /** undefined for unpartitioned assets */
  partition: string | undefined;
  /** 1 on the first try (Temporal's attempt number) */
  attempt?: number;
  /** makes the commit idempotent: a retry after a successful commit writes nothing */
  runId?: number;
  engine?: EngineConfig;
  signal?: AbortSignal;
}

export interface MaterializeResult {
  asset: string;
  partition: string | undefined;
  /** table version holding the result */
  version: number;
  rows: number;
  bytes: number;
  durationMs: number;
  /** version of each upstream table read */
  inputVersions: Record<string, number>;
  /** true when the commit was already there (a retried activity) */
  alreadyCommitted: boolean;
}

/** The Delta table of an asset: `<warehouse>/<asset name>`. */
export function assetTable(warehouse: ObjectStore, asset: string): Table {
  return warehouse.at(asset);
}

export async function materialize(req: MaterializeRequest): Promise<MaterializeResult> {
  const started = Date.now();
  const { graph, warehouse } = req;
  const asset = graph.get(req.asset);
  checkAssetKey(asset, req.partition);
  const owner = `asset '${asset.name}'${req.partition ? ` partition ${req.partition}` : ''}`;
  const ctx = assetContext(asset, req.partition, req.attempt ?? 1);
  if (asset.transform) throw new Error(`${owner}: TypeScript transforms are not supported by this engine yet.`);
  const sql = typeof asset.sql === 'function' ? asset.sql(ctx) : asset.sql!;

  const inputs = await Promise.all(inputKeys(graph, asset, req.partition).map(async ({ asset: up, keys }) => {
    const table = assetTable(warehouse, up.name);
    return { asset: up, table, keys, snapshot: await loadSnapshot(table) };
  }));
  const inputVersions = Object.fromEntries(inputs.map((i) => [i.asset.name, i.snapshot?.version ?? -1]));
  const table = assetTable(warehouse, asset.name);
  const partitionColumns = asset.partitions ? [asset.partitions.column] : [];
  const values: PartitionValues = asset.partitions && req.partition !== undefined
    ? { [asset.partitions.column]: partitionValue(asset.partitions, req.partition) } : {};

  const written = await withConnection(req.engine ?? {}, req.signal, async (conn) => {
    for (const input of inputs) await createInputView(conn, input, selectFiles(input, owner));
    const columns = await describeQuery(conn, `(${sql})`);
    const clash = columns.find((c) => partitionColumns.includes(c.name));
    if (clash) throw new Error(`${owner}: the SQL returns column '${clash.name}', the partition column Freshet fills from the key; remove it from the SELECT.`);
    return writeParquet(conn, table, sql, columns, values, partitionColumns, owner);
  });

  const schema: Field[] = [...written.fields];
  if (asset.partitions) schema.push({ name: asset.partitions.column, type: columnType(asset.partitions), nullable: true });
  // Cancelled while computing: commit nothing (the written file is an orphan that vacuum removes).
  req.signal?.throwIfAborted();
  const durationMs = Date.now() - started;
  const result = await write(table, {
    schema,
    partitionColumns,
    mode: 'overwrite',
    replace: asset.partitions ? values : undefined,
    adds: [written.add],
    txn: req.runId !== undefined ? { appId: `freshet:${asset.name}:${req.partition ?? '*'}`, version: req.runId } : undefined,
    commitInfo: {
      freshet: { asset: asset.name, partition: req.partition ?? null, rows: written.rows, bytes: written.add.size, durationMs, inputVersions, attempt: ctx.attempt },
    },
  });
  if (result.skipped) await table.delete(decodeURIComponent(written.add.path));
  return {
    asset: asset.name,
    partition: req.partition,
    version: result.version,
    rows: written.rows,
    bytes: written.add.size,
    durationMs,
    inputVersions,
    alreadyCommitted: result.skipped,
  };
}

export function describeAssetSql(asset: AssetDef): string | undefined {
  return typeof asset.sql === 'string' ? asset.sql.trim() : undefined;
}
