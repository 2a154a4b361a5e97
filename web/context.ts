// What every API handler needs: the project, its warehouse, and Temporal when there is one.
import type { Client } from '@temporalio/client';
import { openWarehouse, type FreshetConfig } from '../runtime/index.ts';
import type { BackfillSummary } from '../contract/backfill.ts';
import { listBackfills, type ControlContext } from '../control/backfills.ts';
import type { AssetDef, AssetGraph } from '../core/index.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { AssetPartitionStates } from './api-types.ts';
import { computeHealth, type AssetHealth } from './health.ts';
import { createPlanner, type Planner } from './planner.ts';

export interface WebContext {
  config: FreshetConfig;
  graph: AssetGraph;
  warehouse: ObjectStore;
  /** undefined without a Temporal client: the page is read-only */
  control: ControlContext | undefined;
  temporalUiUrl: string | null;
  closedPartitions: Map<string, AssetPartitionStates>;
  /** health of one asset: requests at the same moment share one computation; each later one
   * checks the tables' versions (cheap) and recomputes only what changed, so a read after a
   * commit sees it */
  health(asset: AssetDef): Promise<AssetHealth>;
  /** the newest backfills, listed at most once per second for all assets' grids */
  recentBackfills(): Promise<BackfillSummary[]>;
  /** plans backfills on a thread of its own (with a Temporal client only) */
  planner: Planner | undefined;
}

const BACKFILLS_TTL_MS = 1_000;

export function createContext(opts: {
  config: FreshetConfig;
  graph: AssetGraph;
  client?: Client;
  temporalUiUrl?: string | null;
  planTimeoutMs?: number;
}): WebContext {
  const warehouse = openWarehouse(opts.config);
  const planner = opts.client ? createPlanner(opts.graph, opts.config, { timeoutMs: opts.planTimeoutMs }) : undefined;
  const cache = new Map<string, { settled: boolean; value: Promise<AssetHealth> }>();
  let listed: { at: number; value: Promise<BackfillSummary[]> } | undefined;
  const ctx: WebContext = {
    config: opts.config,
    graph: opts.graph,
    warehouse,
    control: opts.client
      ? { client: opts.client, taskQueue: opts.config.taskQueue, graph: opts.graph, warehouse, plan: planner!.plan }
      : undefined,
    planner,
    temporalUiUrl: opts.temporalUiUrl ?? null,
    closedPartitions: new Map(),
    health(asset) {
      const hit = cache.get(asset.name);
      if (hit && !hit.settled) return hit.value;
      // The previous result is reused by computeHealth when no table it depends on changed.
      const entry = { settled: false, value: (async () => computeHealth(ctx, asset, await hit?.value.catch(() => undefined)))() };
      cache.set(asset.name, entry);
      entry.value.then(
        () => (entry.settled = true),
        () => cache.delete(asset.name),
      );
      return entry.value;
    },
    recentBackfills() {
      if (!ctx.control) return Promise.resolve([]);
      if (listed && Date.now() - listed.at < BACKFILLS_TTL_MS) return listed.value;
      const value = listBackfills(ctx.control, 50);
      listed = { at: Date.now(), value };
      value.catch(() => {
        listed = undefined;
      });
      return value;
    },
  };
  return ctx;
}
