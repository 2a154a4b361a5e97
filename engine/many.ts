// Many partitions of one asset: contiguous runs of a partitioned SQL asset are range-batched
// (one read of their inputs, see range.ts); transforms, unpartitioned assets and lone keys go
// through materialize() one by one.
import { checkAssetKey, keyStart, shiftKey, type AssetDef } from '../core/index.ts';
import { loadSnapshot } from '../delta/index.ts';
import { partitionValuesOf, txnAppId } from './commit.ts';
import { assetTable, materialize, ownerOf, type MaterializeRequest, type MaterializeResult } from './materialize.ts';
import { materializeRange } from './range.ts';
import { parseStatsRows } from './stats.ts';
import { materializeOnSpark } from './spark/submit.ts';

export type MaterializeManyRequest = Omit<MaterializeRequest, 'partition'> & {
  /** keys to compute; '' is the one "partition" of an unpartitioned asset (as in partitionStates) */
  partitions: string[];
  onPartitionDone?: (r: MaterializeResult) => void;
};

/**
 * Most partitions one range query computes (FRESHET_RANGE_BATCH). Small on purpose: on the 10M
 * benchmark (2 cores) batches of 16 days took 266 s, of 64 days 435 s; DuckDB's windows and its
 * partitioned COPY slow down with the batch's size faster than the re-read lookback costs.
 */
const DEFAULT_RANGE_BATCH = 16;
/** Partitions one Spark application computes (one JVM start, each partition its own commit). */
const SPARK_BATCH = 32;
/**
 * Fewest partitions in a batch cut to fill a backfill's free slots: below it the activity's own
 * costs (its Temporal round trip, opening inputs, a DuckDB connection) outweigh running sooner.
 * A 400 × 5 chain ran at 108-122 tasks/s with its tail cut, 83-94 without (bench/orchestration.ts).
 */
const MIN_CUT_BATCH = 4;

export async function materializeMany(req: MaterializeManyRequest): Promise<MaterializeResult[]> {
  const { partitions, onPartitionDone, ...rest } = req;
  const asset = req.graph.get(req.asset);
  const keys = partitions.map((k) => (k === '' ? undefined : k));
  for (const k of keys) checkAssetKey(asset, k);
  const results: MaterializeResult[] = [];
  const done = (r: MaterializeResult) => {
    onPartitionDone?.(r);
    results.push(r);
  };

  const checkStarted = Date.now();
  const todo = await skipCommitted(req, asset, keys, done);
  const skipCheckMs = (Date.now() - checkStarted) / Math.max(1, keys.length);
  if (asset.engine?.kind === 'spark' && todo.length > 0) {
    // One Spark application for the whole batch: its start costs more than many small partitions.
    await materializeOnSpark({
      graph: req.graph,
      warehouse: req.warehouse,
      asset,
      keys: todo,
      attempt: req.attempt ?? 1,
      txnVersion: req.txnVersion,
      spark: req.engine?.spark,
      signal: req.signal,
      owner: (k) => ownerOf(asset, k),
      run: req.run,
      onPartitionDone: done,
    });
    return sortByKey(results, keys);
  }
  const batched = asset.partitions && asset.sql !== undefined && !asset.transform;
  const max = req.engine?.rangeBatch ?? DEFAULT_RANGE_BATCH;
  for (const run of batched ? contiguousRuns(asset, todo as string[], max) : todo.map((k) => [k])) {
    if (run.length === 1) done(await materialize({ ...rest, partition: run[0] }));
    else await materializeRange({ ...rest, onPartitionDone: done }, asset, run as string[]);
  }
  for (const r of results) if (r.timings) r.timings.skipCheckMs = skipCheckMs;
  return sortByKey(results, keys);
}

function sortByKey(results: MaterializeResult[], keys: Array<string | undefined>): MaterializeResult[] {
  const order = new Map(keys.map((k, i) => [k, i]));
  return results.sort((a, b) => order.get(a.partition)! - order.get(b.partition)!);
}

/** Keys whose commit for this txn version is already in the table (a retried activity) are reported, not recomputed. */
async function skipCommitted(
  req: MaterializeManyRequest,
  asset: AssetDef,
  keys: Array<string | undefined>,
  done: (r: MaterializeResult) => void,
): Promise<Array<string | undefined>> {
  if (req.txnVersion === undefined) return keys;
  const snapshot = await loadSnapshot(assetTable(req.warehouse, asset.name));
  if (!snapshot) return keys;
  const todo: Array<string | undefined> = [];
  for (const key of keys) {
    const committed = snapshot.txns.get(txnAppId(asset.name, key));
    if (committed === undefined || committed < req.txnVersion) {
      todo.push(key);
      continue;
    }
    const values = partitionValuesOf(asset, key);
    const files = snapshot.files.filter((f) => Object.entries(values).every(([c, v]) => f.partitionValues[c] === v));
    done({
      asset: asset.name,
      partition: key,
      version: snapshot.version,
      rows: parseStatsRows(files),
      bytes: files.reduce((n, f) => n + f.size, 0),
      durationMs: 0,
      inputVersions: {},
      alreadyCommitted: true,
    });
  }
  return todo;
}

/** Splits keys into runs of consecutive partitions (in the order given), at most `max` long. */
export function contiguousRuns(asset: AssetDef, keys: string[], max: number): string[][] {
  const def = asset.partitions!;
  const sorted =
    def.kind === 'static'
      ? [...keys].sort((a, b) => def.keys.indexOf(a) - def.keys.indexOf(b))
      : [...keys].sort((a, b) => keyStart(def, a) - keyStart(def, b));
  const next = (k: string) => (def.kind === 'static' ? def.keys[def.keys.indexOf(k) + 1] : shiftKey(def, k, 1));
  const runs: string[][] = [];
  for (const key of sorted) {
    const run = runs[runs.length - 1];
    if (run && run.length < max && next(run[run.length - 1]) === key) run.push(key);
    else runs.push([key]);
  }
  return runs;
}

/** How many contiguous partitions of `asset` one materializeMany call should get (the backfill's batches). */
export function preferredBatchSize(asset: AssetDef, engine?: { rangeBatch?: number }): number {
  if (!asset.partitions || asset.transform) return 1;
  if (asset.engine?.kind === 'spark') return SPARK_BATCH;
  return engine?.rangeBatch ?? DEFAULT_RANGE_BATCH;
}

/**
 * The fewest partitions of `asset` worth an activity of their own when a backfill cuts its
 * batches to fill free slots; undefined when its batches stay whole (a Spark batch is one
 * application, which costs seconds to start).
 */
export function minCutBatchSize(asset: AssetDef, engine?: { rangeBatch?: number }): number | undefined {
  if (asset.engine?.kind === 'spark') return undefined;
  return Math.min(MIN_CUT_BATCH, preferredBatchSize(asset, engine));
}
