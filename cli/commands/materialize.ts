// `freshet materialize <asset> --partition K | --from A --to B [--outdated]`: one partition runs the
// materializePartition workflow; a range runs as a backfill of this asset alone (range-batched,
// in the asset's pool, listed on the web page), followed here to the end. With --upstream, the
// upstream partitions it reads that are missing, failed or outdated run first, in the same backfill.
import { WorkflowFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import { checkAssetKey, keysBetween, type AssetDef, type AssetGraph } from '../../core/index.ts';
import { partitionStates, type MaterializeResult } from '../../engine/index.ts';
import { checkConcurrency, startBackfill } from '../../control/backfills.ts';
import { startMaterialize } from '../../control/materialize.ts';
import type { ObjectStore } from '../../storage/types.ts';
import { rootMessage } from '../../contract/errors.ts';
import { backfillQueue, scheduledQueue } from '../../contract/queues.ts';
import { connectClient, loadConfig, loadProject, openWarehouse } from '../../runtime/index.ts';
import { warnIfNoWorker } from '../pollers.ts';
import { followBackfill } from './backfill.ts';

interface Options {
  partition?: string;
  from?: string;
  to?: string;
  concurrency: string;
  outdated?: boolean;
  /** the old name of --outdated, still taken */
  stale?: boolean;
  upstream?: boolean;
}

export function materializeCommand(program: Command): void {
  program
    .command('materialize <asset>')
    .description('compute one partition (--partition) or a range (--from/--to, run as a backfill of this asset) through Temporal')
    .option('-p, --partition <key>', 'the partition key, e.g. 2026-01-03')
    .option('--from <key>', 'first partition of a range')
    .option('--to <key>', 'last partition of a range (inclusive)')
    .option('-c, --concurrency <n>', 'batches computed at once in a range', '4')
    .option(
      '--outdated',
      'only the partitions that are missing, failed on their last run, or outdated (an input changed after they were computed), within --from/--to if given',
    )
    .option('--stale', 'the same as --outdated (its former name)')
    .option(
      '--upstream',
      'first materialize the upstream partitions these read that are missing, failed or outdated (one backfill, planned as the page plans one)',
    )
    .action(async (name: string, opts: Options) => {
      // Bad input is refused before anything connects.
      const config = loadConfig();
      const graph = await loadProject(config.project);
      const warehouse = openWarehouse(config);
      const asset = graph.get(name);
      const pick = opts.outdated || opts.stale;
      const keys = pick ? await outdatedKeys(graph, warehouse, asset, opts) : partitionsOf(asset, opts);
      if (pick && keys.length === 0) {
        console.log(`${asset.name}: every partition is up to date; nothing to do.`);
        return;
      }
      const concurrency = Number(opts.concurrency);
      checkConcurrency(concurrency);
      const client = await connectClient(config);
      const ctx = { client, graph, warehouse, taskQueue: config.taskQueue };
      try {
        await warnIfNoWorker(client, keys.length > 1 || opts.upstream ? backfillQueue(config.taskQueue) : scheduledQueue(config.taskQueue));
        if (opts.upstream) {
          // The backfill planner walks up the graph and skips what is up to date, so only the missing inputs run.
          const range = asset.partitions && keys.length ? { from: keys[0], to: keys[keys.length - 1] } : {};
          const { id } = await startBackfill(ctx, { assets: [asset.name], downstream: false, upstream: true, ...range, concurrency });
          console.log(`backfill ${id} running over ${asset.name} and the upstream partitions it reads...`);
          return await followBackfill(ctx, id);
        }
        if (keys.length > 1) {
          // exactly the keys chosen here (all of the range, or the outdated ones printed above)
          const only = { [asset.name]: keys };
          const { id } = await startBackfill(ctx, {
            assets: [asset.name],
            downstream: false,
            from: keys[0],
            to: keys[keys.length - 1],
            only,
            concurrency,
          });
          console.log(`backfill ${id} running over ${keys.length} partitions of ${asset.name}...`);
          return await followBackfill(ctx, id);
        }
        const handle = await startMaterialize(client, config.taskQueue, asset, keys[0] || undefined);
        console.log(`workflow ${handle.workflowId} running...`);
        printResult(await handle.result());
      } catch (err) {
        if (err instanceof WorkflowFailedError) {
          const upstream = /Materialize it first/.test(rootMessage(err)) ? ' Or run this command again with --upstream.' : '';
          throw new Error(`materialize ${name} failed: ${rootMessage(err)}${upstream}`, { cause: err });
        }
        throw err;
      } finally {
        await client.connection.close();
      }
    });
}

/** Missing, failed and outdated keys (in --from/--to, else every key that exists now), each printed with why. */
async function outdatedKeys(graph: AssetGraph, warehouse: ObjectStore, asset: AssetDef, opts: Options): Promise<string[]> {
  const flag = opts.outdated ? '--outdated' : '--stale';
  if (opts.partition) throw new Error(`${flag} picks the partitions itself: give --from/--to (or nothing for all), not --partition.`);
  if ((opts.from === undefined) !== (opts.to === undefined)) throw new Error(`${flag} with a range needs both --from and --to.`);
  const keys = asset.partitions && opts.from && opts.to ? keysBetween(asset.partitions, opts.from, opts.to) : undefined;
  const states = await partitionStates(graph, warehouse, asset.name, keys);
  const todo: string[] = [];
  for (const [key, st] of states) {
    if (st.state === 'up_to_date') continue;
    console.log(`${asset.name} ${key || '(all)'}: ${st.state}${st.reason ? ` (${st.reason})` : ''}`);
    todo.push(key);
  }
  console.log(`${todo.length} of ${states.size} partitions to compute`);
  // '' is the single "partition" of an unpartitioned asset: the workflow takes no key for it.
  return asset.partitions ? todo : todo.length ? [''] : [];
}

function partitionsOf(asset: AssetDef, opts: Options): string[] {
  if (opts.partition && (opts.from || opts.to)) throw new Error('Give either --partition or --from/--to, not both.');
  if (!asset.partitions) {
    if (opts.partition || opts.from || opts.to) checkAssetKey(asset, opts.partition ?? opts.from);
    return [];
  }
  if (opts.partition) {
    checkAssetKey(asset, opts.partition);
    return [opts.partition];
  }
  if (!opts.from || !opts.to) throw new Error(`Asset '${asset.name}' is partitioned: give --partition <key> or --from <key> --to <key>.`);
  return keysBetween(asset.partitions, opts.from, opts.to);
}

function printResult(r: MaterializeResult): void {
  const where = r.partition ? ` ${r.partition}` : '';
  const again = r.alreadyCommitted ? ' (already committed by an earlier attempt)' : '';
  console.log(`materialized ${r.asset}${where}: ${r.rows} rows, ${(r.durationMs / 1000).toFixed(2)} s, table version ${r.version}${again}`);
}
