// Plans a backfill against the warehouse: core's selection and decisions, fed with each
// partition's state (missing, failed, outdated, up to date) from staleness.ts.
import {
  MAX_PLAN_BYTES,
  planTasks,
  planTooLarge,
  selectTasks,
  type KeyState,
  type PlanOptions,
  type PlannedTasks,
  type SelectionRequest,
} from '../core/backfill-plan.ts';
import type { AssetGraph } from '../core/index.ts';
import { toRuns } from '../contract/int-runs.ts';
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
  const planned = planTasks(graph, selection, states, request.latest ? { ...request, forceAssets: request.assets } : request);
  const bytes = planBytes(planned);
  if (bytes > MAX_PLAN_BYTES) throw planTooLarge(graph, request, now, bytes);
  return planned;
}

/** What the plan takes as the workflow carries it (activities/backfill.ts planBackfill): keys, a state char each, ranges as runs. */
function planBytes(planned: PlannedTasks[]): number {
  const runsBytes = (xs: number[]) => JSON.stringify(toRuns(xs)).length;
  // 300: the asset's name, batch size, timeout and retry policy, with room
  return planned.reduce(
    (n, p) =>
      n + 300 + JSON.stringify(p.keys).length + p.keys.length + p.deps.reduce((m, d) => m + 40 + runsBytes(d.lo) + runsBytes(d.hi), 0),
    0,
  );
}
