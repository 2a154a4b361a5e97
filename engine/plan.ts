// Plans a backfill against the warehouse: core's selection and decisions, fed with each
// partition's state (missing, failed, outdated, up to date) from staleness.ts.
import {
  planTasks,
  selectTasks,
  type KeyState,
  type PlanOptions,
  type PlannedTasks,
  type SelectionRequest,
} from '../core/backfill-plan.ts';
import type { AssetGraph } from '../core/index.ts';
import type { ObjectStore } from '../storage/types.ts';
import { partitionStates } from './staleness.ts';

export async function planPartitions(
  graph: AssetGraph,
  warehouse: ObjectStore,
  request: SelectionRequest & PlanOptions,
  now: number,
  onAsset?: () => void,
): Promise<PlannedTasks[]> {
  const selection = selectTasks(graph, request, now);
  const states = new Map<string, Map<string, KeyState>>();
  if (!request.force && !request.only) {
    for (const { asset, keys } of selection) {
      const st = await partitionStates(graph, warehouse, asset.name, asset.partitions ? keys : undefined);
      states.set(asset.name, new Map([...st].map(([k, v]) => [k, v.state])));
      onAsset?.();
    }
  }
  // A scheduled refresh recomputes the newest partitions of what it selects (sources included).
  return planTasks(graph, selection, states, request.latest ? { ...request, forceAssets: request.assets } : request);
}
