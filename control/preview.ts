// What a backfill would run, asset by asset, without starting it: what `freshet backfill`
// prints and the web dialog shows. Free of the Temporal client, so the web server's planning
// thread can load it.
import type { AssetGraph } from '../core/index.ts';
import { planPartitions } from '../engine/plan.ts';
import type { ObjectStore } from '../storage/types.ts';
import type { BackfillPreview, BackfillRequest } from '../contract/backfill.ts';

export async function planPreview(
  graph: AssetGraph,
  warehouse: ObjectStore,
  request: BackfillRequest,
  now = Date.now(),
): Promise<BackfillPreview> {
  const planned = await planPartitions(graph, warehouse, request, now);
  return {
    tasks: planned.reduce((n, p) => n + p.run.filter(Boolean).length, 0),
    assets: planned.map((p) => {
      const toRun = p.run.filter(Boolean).length;
      return { asset: p.asset.name, partitions: p.keys.length, toRun, upToDate: p.keys.length - toRun };
    }),
  };
}
