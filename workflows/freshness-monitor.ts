// Watches every asset's freshness; when one turns stale, records it and starts a catch-up run.
import { continueAsNew, defineQuery, ParentClosePolicy, proxyActivities, setHandler, sleep, startChild, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { FreshnessCheck } from '../activities/freshness.ts';

export const freshnessQuery = defineQuery<FreshnessCheck[]>('freshness');

export interface MonitorInput {
  intervalMs: number;
  /** carried across continue-as-new */
  last?: Record<string, { status: string; catchUpAt?: number }>;
}

const act = proxyActivities<Activities>({ startToCloseTimeout: '5 minutes', retry: { maximumAttempts: 3 } });
const ITERATIONS_PER_RUN = 200;

export async function freshnessMonitor(input: MonitorInput): Promise<void> {
  const last = input.last ?? {};
  let report: FreshnessCheck[] = [];
  setHandler(freshnessQuery, () => report);
  const { taskQueue } = workflowInfo();
  for (let i = 0; i < ITERATIONS_PER_RUN; i++) {
    report = await act.checkFreshness();
    const now = Date.now();
    for (const f of report) {
      const prev = last[f.asset];
      const turnedStale = f.status === 'stale' && prev?.status !== 'stale';
      // Still stale a whole SLA period after the last catch-up: try again.
      const stillStale = f.status === 'stale' && prev?.catchUpAt !== undefined && f.maxLagMs !== undefined && now - prev.catchUpAt >= f.maxLagMs;
      let catchUpAt = prev?.catchUpAt;
      let catchUpWorkflowId: string | undefined;
      if ((turnedStale || stillStale) && f.catchUp) {
        catchUpWorkflowId = `${taskQueue}/backfill/catchup-${f.asset}-${now}`;
        await startChild('backfill', { workflowId: catchUpWorkflowId, args: [{ request: f.catchUp }], parentClosePolicy: ParentClosePolicy.ABANDON, memo: { request: f.catchUp } });
        catchUpAt = now;
      }
      // Record turning stale and recovering; the fresh/at-risk swing of every cycle is not news.
      const recovered = prev?.status === 'stale' && f.status !== 'stale';
      if (turnedStale || recovered) {
        await act.recordFreshnessEvent({ at: now, asset: f.asset, from: prev?.status ?? 'unknown', to: f.status, lagMs: f.lagMs, catchUpWorkflowId });
      }
      last[f.asset] = { status: f.status, catchUpAt: f.status === 'stale' ? catchUpAt : undefined };
    }
    await sleep(input.intervalMs);
  }
  await continueAsNew<typeof freshnessMonitor>({ intervalMs: input.intervalMs, last });
}
