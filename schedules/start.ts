// On worker or `freshet dev` start: schedules reconciled with the SLAs, the freshness monitor running.
import type { Client } from '@temporalio/client';
import { freshnessMonitorWorkflowId } from '../contract/ids.ts';
import { scheduledQueue } from '../contract/queues.ts';
import type { AssetGraph } from '../core/index.ts';
import { WORKFLOW_TYPES, type FreshetWorkflows } from '../contract/workflows.ts';
import { reconcileSchedules, type ReconcileResult } from './reconcile.ts';

/** Checks often enough to see an asset go stale within half its compute budget (1 s to 60 s), unless configured. */
export function monitorInterval(graph: AssetGraph, configured?: number): number {
  if (configured !== undefined) return configured;
  const budgets = graph.assets.flatMap((a) => (a.freshness ? [a.freshness.computeBudgetMs] : []));
  if (budgets.length === 0) return 60_000;
  return Math.min(60_000, Math.max(1_000, Math.floor(Math.min(...budgets) / 2)));
}

export async function startFreshness(
  client: Client,
  graph: AssetGraph,
  taskQueue: string,
  monitorIntervalMs?: number,
): Promise<ReconcileResult> {
  const result = await reconcileSchedules(client, graph, taskQueue);
  if (graph.assets.some((a) => a.freshness)) {
    await client.workflow.start<FreshetWorkflows['freshnessMonitor']>(WORKFLOW_TYPES.freshnessMonitor, {
      taskQueue: scheduledQueue(taskQueue),
      workflowId: freshnessMonitorWorkflowId(taskQueue),
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [{ intervalMs: monitorInterval(graph, monitorIntervalMs) }],
    });
  }
  return result;
}
