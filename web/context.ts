// What every API handler needs: the project, its warehouse, and Temporal when there is one.
import type { Client } from '@temporalio/client';
import { openWarehouse, type FreshetConfig } from '../runtime/index.ts';
import type { BackfillSummary } from '../contract/backfill.ts';
import { listBackfills, type ControlContext } from '../control/backfills.ts';
import type { AssetDef, AssetGraph } from '../core/index.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { AssetPartitionStates } from './api-types.ts';
import { freshRead } from './fresh-read.ts';
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
  /** health of one asset: requests at the same moment share one computation, begun after they
   * came; each checks the tables' versions (cheap) and recomputes only what changed */
  health(asset: AssetDef): Promise<AssetHealth>;
  /** the newest backfills: one listing serves the grids of all assets asked at the same moment */
  recentBackfills(): Promise<BackfillSummary[]>;
  /** plans backfills on a thread of its own (with a Temporal client only) */
  planner: Planner | undefined;
}

export function createContext(opts: {
  config: FreshetConfig;
  graph: AssetGraph;
  client?: Client;
  temporalUiUrl?: string | null;
  planTimeoutMs?: number;
}): WebContext {
  const warehouse = openWarehouse(opts.config);
  const planner = opts.client ? createPlanner(opts.graph, opts.config, { timeoutMs: opts.planTimeoutMs }) : undefined;
  // The previous health is reused by computeHealth when no table it depends on changed.
  const health = new Map<string, () => Promise<AssetHealth>>();
  const backfills = freshRead(() => listBackfills(ctx.control!, 50));
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
      let read = health.get(asset.name);
      if (!read) health.set(asset.name, (read = freshRead((previous) => computeHealth(ctx, asset, previous))));
      return read();
    },
    recentBackfills() {
      return ctx.control ? backfills() : Promise.resolve([]);
    },
  };
  return ctx;
}
