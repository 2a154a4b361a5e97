// On worker or `freshet dev` start: schedules reconciled with the SLAs, the freshness monitor running.
import type { Client } from '@temporalio/client';
import { parseDuration, type AssetGraph } from '../core/index.ts';
import { reconcileSchedules, type ReconcileResult } from './reconcile.ts';

export function monitorWorkflowId(taskQueue: string): string {
  return `${taskQueue}/freshness-monitor`;
}

/** Checks often enough to see an asset go stale within half its compute budget (1 s to 60 s). */
export function monitorInterval(graph: AssetGraph, env = process.env): number {
  if (env.FRESHET_MONITOR_INTERVAL) return parseDuration(env.FRESHET_MONITOR_INTERVAL);
  const budgets = graph.assets.flatMap((a) => (a.freshness ? [a.freshness.computeBudgetMs] : []));
  if (budgets.length === 0) return 60_000;
  return Math.min(60_000, Math.max(1_000, Math.floor(Math.min(...budgets) / 2)));
}

export async function startFreshness(client: Client, graph: AssetGraph, taskQueue: string): Promise<ReconcileResult> {
  const result = await reconcileSchedules(client, graph, taskQueue);
  if (graph.assets.some((a) => a.freshness)) {
    await client.workflow.start('freshnessMonitor', {
      taskQueue,
      workflowId: monitorWorkflowId(taskQueue),
      workflowIdConflictPolicy: 'USE_EXISTING',
      args: [{ intervalMs: monitorInterval(graph) }],
    });
  }
  return result;
}
